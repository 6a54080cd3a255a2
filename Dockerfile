# The production image of docker-compose.yml and deploy/k8s/: web (gunicorn), worker, beat, the migrate
# job and the partner simulators share it.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Static files collected once, here, with hashed and compressed names (whitenoise's manifest storage); the
# settings read STATIC_MANIFEST and STATIC_ROOT at run time too. No secret is needed to collect them.
ENV STATIC_MANIFEST=1 STATIC_ROOT=/app/staticfiles VAR_DIR=/app/var
RUN SECRET_KEY=collectstatic-only PRODUCTION=0 python manage.py collectstatic --noinput --verbosity 0
RUN useradd --system --home /app sbcard && mkdir -p /app/var && chown sbcard /app/var
USER sbcard
EXPOSE 8000
# gunicorn.conf.py: bind, workers (WEB_CONCURRENCY), timeouts, access log without query strings.
CMD ["gunicorn", "sbcard.wsgi:application"]
