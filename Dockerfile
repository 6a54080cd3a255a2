# The production-like image used by docker-compose.yml: web (gunicorn), worker and beat share it.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN useradd --system --home /app sbcard && mkdir -p /app/var && chown sbcard /app/var
USER sbcard
EXPOSE 8000
CMD ["gunicorn", "sbcard.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
