import pytest
from django.test import Client


@pytest.mark.django_db
def test_healthz_reports_the_database():
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.json()["database"] is True


@pytest.mark.django_db
def test_healthz_reports_an_unreachable_broker(settings):
    settings.JOBS_IN_PROCESS = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = Client().get("/healthz")

    assert response.status_code == 503
    assert response.json()["broker"] is False


@pytest.mark.django_db
def test_the_openapi_schema_describes_the_actions():
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/applications/",
        "/api/v1/applications/{id}/approve/",
        "/api/v1/applications/{id}/return/",
        "/api/v1/applications/{id}/submit/",
        "/api/v1/applications/{id}/withdraw/",
        "/api/v1/station/queue/",
        "/api/v1/auth/sign-up/",
        "/api/v1/auth/token/",
    ]:
        assert path in paths, path
    assert response.json()["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": response.json()["components"]["securitySchemes"]["bearerAuth"]["description"],
    }


@pytest.mark.django_db
def test_the_api_docs_page_uses_local_assets_only():
    page = Client().get("/api/docs/").content.decode()

    assert "swagger-ui" in page
    assert "cdn." not in page and "unpkg" not in page and "jsdelivr" not in page


@pytest.mark.django_db
def test_healthz_answers_a_probe_by_address_over_plain_http_in_production(settings):
    # given: production's host check and HTTPS redirect
    settings.ALLOWED_HOSTS = ["sbcard.example.gov.cn"]
    settings.SECURE_SSL_REDIRECT = True

    # when: a container or Kubernetes probe asks by address, over HTTP
    probe = Client().get("/healthz", HTTP_HOST="10.1.2.3:8000")
    page = Client().get("/", HTTP_HOST="10.1.2.3:8000")

    # then: the probe gets its answer; any other page by that address is still refused
    assert probe.status_code == 200 and probe.json()["database"] is True
    assert page.status_code == 400
