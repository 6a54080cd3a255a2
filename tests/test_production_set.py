"""The production set: docker-compose.yml, the Dockerfile and the rehearsal that runs them here.

The rehearsal is the test of record (SECURITY.md 15, 20): a citizen's application from sign-up to pickup and an
employer's roster to its payment, through nginx over HTTPS, on two gunicorn processes, a worker and beat,
PgBouncer in transaction mode, Redis with AOF and an S3 API; the vendor's and the bank's signed callbacks come
back through the proxy.
"""

import configparser
from pathlib import Path

import pytest

from deploy.rehearsal import SERVICES, compose_config, generated_secrets, rehearse

ROOT = Path(__file__).resolve().parent.parent


def _env_file() -> dict[str, str]:
    lines = (ROOT / "deploy" / "sbcard.env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


@pytest.mark.production
def test_the_rehearsal_takes_an_application_to_pickup_and_a_roster_to_payment_through_the_proxy():
    seen = rehearse()  # in a temporary folder of its own, removed afterwards

    assert seen["application"]["status"] == "collected"
    assert seen["roster"]["paid_at"]  # the bank's callback arrived
    assert seen["vendor_callbacks"] >= 1


@pytest.mark.production
def test_docker_compose_declares_what_the_rehearsal_runs():
    # given: the file as docker-compose itself reads and validates it
    config = compose_config(generated_secrets())
    services = config["services"]

    # then: the same services
    assert set(services) == set(SERVICES)
    # migrations run once, before web and workers, never at a web start
    assert "migrate" in services["migrate"]["command"] and services["migrate"]["restart"] == "no"
    assert "migrate" not in services["web"]["command"] and "gunicorn" in services["web"]["command"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        # every app process has the production settings of deploy/sbcard.env
        environment = services[name]["environment"]
        assert {key: environment[key] for key in _env_file()} == _env_file()
        assert environment["ALLOWED_HOSTS"] in environment["PORTAL_BASE_URL"]  # callbacks reach an allowed host
    # health checks that pass (the rehearsal runs them): web's /healthz, the worker's ping, beat's heartbeat
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    assert services["beat"]["healthcheck"]["test"][1:] == ["python", "-m", "sbcard.beat", "--healthy"]
    # Redis keeps its queue in an append-only file, written every second
    redis = services["redis"]["command"]
    assert redis[redis.index("--appendonly") + 1] == "yes" and redis[redis.index("--appendfsync") + 1] == "everysec"
    # PgBouncer pools transactions, and the portal is told so
    pgbouncer = configparser.ConfigParser()
    pgbouncer.read(ROOT / "deploy" / "pgbouncer" / "pgbouncer.ini")
    assert pgbouncer["pgbouncer"]["pool_mode"] == "transaction"
    assert _env_file()["DISABLE_SERVER_SIDE_CURSORS"] == "1"
    assert services["web"]["environment"]["DATABASE_URL"].endswith("@pgbouncer:6432/sbcard")


def test_the_image_collects_static_files_with_the_manifest_storage():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "STATIC_MANIFEST=1" in dockerfile and "manage.py collectstatic --noinput" in dockerfile
    assert _env_file()["STATIC_MANIFEST"] == "1"
