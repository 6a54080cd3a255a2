"""The dashboards and their exports read from a streaming replica (DATABASE_REPLICA_URL); a request that must
see its own write reads the primary. A real primary and a real replica of our own (initdb, pg_basebackup on a
second port): with the replica's replay paused, what the primary has and the replica has not yet shows who
read what."""

import csv
import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import requests

from deploy.local import PostgresCluster
from tests.test_shared_state import web_processes

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Sbcard-demo-2026"  # noqa: S105 - the published demo logins (README)


def _manage(env: dict, *arguments: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *arguments],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=120,  # noqa: S603
        capture_output=True,
    )


def _export(session: requests.Session, base: str) -> list[list[str]]:
    """The dashboard's table of applications by status, as its CSV export."""
    text = session.get(f"{base}/dashboard/export/statuses.csv", timeout=20).content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.production
def test_dashboards_and_exports_read_the_replica_and_a_citizen_reads_their_own_write_from_the_primary(partners):
    # given: a primary with the demo city, its streaming replica, and a web process that knows both (in a folder
    # of our own: pytest's tmp_path may be cleaned away by another pytest session on the machine)
    tmp_path = Path(tempfile.mkdtemp(prefix="sbcard-replica-"))
    primary = PostgresCluster(tmp_path / "primary", tmp_path).init().start()
    replica = PostgresCluster(tmp_path / "replica", tmp_path, name="replica")
    try:
        primary.sql("CREATE DATABASE sbcard")
        env = {key: value for key, value in os.environ.items() if key != "CELERY_BROKER_URL"}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "sbcard.settings_test",
                "DATABASE_URL": primary.url("sbcard"),
                "VAR_DIR": str(tmp_path / "var"),
                "SECRET_KEY": "replica-test-secret-key-0123456789",
                **{f"{name.upper()}_URL": simulator.url for name, simulator in partners.items()},
            }
        )
        _manage(env, "migrate", "--noinput")
        _manage(env, "load_demo")
        _manage(env, "shell", "-c", "from dashboards.tasks import summarise\nsummarise()")
        replica.init_replica_of(primary).start()
        web_env = {**env, "DATABASE_REPLICA_URL": replica.url("sbcard")}
        with web_processes(tmp_path, 1, web_env) as (port,):
            base = f"http://127.0.0.1:{port}"
            admin = requests.Session()
            admin.get(f"{base}/accounts/sign-in/", timeout=10)
            admin.post(
                f"{base}/accounts/sign-in/",
                timeout=10,
                data={"username": "admin", "password": PASSWORD, "csrfmiddlewaretoken": admin.cookies["csrftoken"]},
            )
            citizen = {
                "Authorization": "Token "
                + requests.post(
                    f"{base}/api/v1/auth/token/", json={"username": "13800000001", "password": PASSWORD}, timeout=10
                ).json()["token"]
            }
            draft = next(
                a
                for a in requests.get(f"{base}/api/v1/applications/", headers=citizen, timeout=10).json()["results"]
                if a["status"] == "draft"
            )
            export_before = _export(admin, base)

            # when: the replica stops replaying, the citizen submits, and the summariser folds it on the primary
            _wait_for_replay(primary, replica)
            replica.sql("SELECT pg_wal_replay_pause()")
            answer = requests.post(f"{base}/api/v1/applications/{draft['id']}/submit/", headers=citizen, timeout=20)
            _manage(env, "shell", "-c", "from dashboards.tasks import summarise\nsummarise()")

            # then: the citizen sees their own write at once (the primary) ...
            assert answer.status_code == 200 and answer.json()["status"] == "submitted"
            detail = requests.get(f"{base}/api/v1/applications/{draft['id']}/", headers=citizen, timeout=10).json()
            assert detail["status"] == "submitted"
            # ... while the dashboard's list and its export still show the replica's state
            listed = admin.get(f"{base}/dashboard/applications/?status=submitted", timeout=10).text
            assert f"/station/applications/{draft['id']}/" not in listed
            assert _export(admin, base) == export_before

            # when: the replica catches up
            replica.sql("SELECT pg_wal_replay_resume()")
            _wait_for_replay(primary, replica)

            # then: the dashboards show it too
            listed = admin.get(f"{base}/dashboard/applications/?status=submitted", timeout=10).text
            assert f"/station/applications/{draft['id']}/" in listed
            assert _export(admin, base) != export_before  # the submission moved a count
    finally:
        replica.stop()
        primary.stop()
        shutil.rmtree(tmp_path, ignore_errors=True)


def _wait_for_replay(primary: PostgresCluster, replica: PostgresCluster) -> None:
    target = primary.sql("SELECT pg_current_wal_lsn()")
    for _attempt in range(200):
        caught_up = replica.sql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")
        if caught_up == "t":
            return
        subprocess.run(["sleep", "0.05"], check=True)  # noqa: S607 - polling another server's replay
    raise AssertionError(f"the replica did not replay up to {target}")


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_the_router_sends_only_dashboard_reads_of_domain_rows_to_a_configured_replica(settings):
    from accounts.models import User
    from applications.models import CardApplication
    from sbcard.replica import ReplicaRouter, replica_reads

    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(CardApplication) is None  # no replica configured: the primary
    settings.DATABASES = {**settings.DATABASES, "replica": settings.DATABASES["default"]}

    assert router.db_for_read(CardApplication) is None  # outside a dashboard: the primary
    with replica_reads():
        assert router.db_for_read(CardApplication) == "replica"
        assert router.db_for_read(User) is None  # a sign-in or a new account is read where it was written
    assert router.allow_migrate("replica", "applications") is False
