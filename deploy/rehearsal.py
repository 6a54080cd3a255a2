"""The production rehearsal (`make prod-check`, and a test in `make test`): docker-compose.yml's services run as
processes on this machine, with compose's own commands, settings and health checks, then one citizen's
application goes from sign-up to pickup and an employer's roster from upload to payment, through the TLS proxy.

What stands in for what: compose's images are this machine's Debian packages (PostgreSQL, PgBouncer, Redis,
nginx) and this checkout (web, worker, beat, migrate, partners); MinIO is moto's S3 server; host names and
ports are 127.0.0.1 and free ports; the vendor takes 1 s per stage instead of 60. Everything else (commands,
deploy/sbcard.env, the nginx and PgBouncer files, the health checks) is read from docker-compose.yml as
`docker-compose config` prints it. Everything started is stopped at the end, pass or fail.

    python -m deploy.rehearsal            (make prod-check)
"""

# Django and the portal are imported inside functions: this script sets its environment (database, broker,
# settings) before Django starts.
import base64
import configparser
import contextlib
import json
import os
import re
import secrets
import shlex
import shutil
import socket
import string
import sys
import tempfile
import time
from pathlib import Path

import requests
import yaml

from deploy.certificate import make_certificate
from deploy.local import PostgresCluster, Process, free_port, hand_over, redis_server, run, unprivileged_user

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_HOST = "localhost"
# The services the rehearsal runs, each standing for docker-compose.yml's service of that name.
SERVICES = (
    "migrate",
    "web",
    "worker",
    "beat",
    "proxy",
    "certificate",
    "partners",
    "pgbouncer",
    "postgres",
    "redis",
    "objectstore",
)
WEB_PROCESSES = 2
PARTNER_PORTS = {"registry": 8101, "bank": 8102, "vendor": 8103, "sms": 8104}
PASSWORD = "Sbcard-demo-2026"  # noqa: S105 - the published demo logins (README)


def django_ready() -> None:
    """The sample photos, ID numbers and rosters come from the project's generators, which live in Django
    apps: load them with the test settings (they touch no database) unless Django is set up already."""
    import django
    from django.apps import apps

    if not apps.ready:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sbcard.settings_test")
        django.setup()


class RehearsalFailed(AssertionError):
    pass


def check(condition, message: str) -> None:
    if not condition:
        raise RehearsalFailed(message)


def generated_secrets() -> dict[str, str]:
    fernet_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    return {
        "SECRET_KEY": secrets.token_urlsafe(40),
        "POSTGRES_PASSWORD": secrets.token_urlsafe(16),
        "OBJECTSTORE_ACCESS_KEY": "rehearsal",
        "OBJECTSTORE_SECRET_KEY": secrets.token_urlsafe(16),
        "VENDOR_WEBHOOK_SECRET": secrets.token_urlsafe(24),
        "BANK_CALLBACK_SECRET": secrets.token_urlsafe(24),
        "FIELD_ENCRYPTION_KEYS": fernet_key,
        "ID_HASH_KEY": secrets.token_urlsafe(24),
        "ECARD_SIGNING_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode(),
        "PUBLIC_HOST": PUBLIC_HOST,
    }


def compose_config(environment: dict[str, str]) -> dict:
    """docker-compose.yml as `docker-compose config` resolves it (it also validates the file)."""
    docker_compose = shutil.which("docker-compose")
    if docker_compose is None:
        raise RuntimeError("docker-compose is not installed (Debian package docker-compose)")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **environment}
    result = run([docker_compose, "-f", str(ROOT / "docker-compose.yml"), "config"], env=env, cwd=ROOT, timeout=120)
    return yaml.safe_load(result.stdout)


class Rehearsal:
    def __init__(self, folder: Path):
        self.folder = folder
        self.logs = folder / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.secrets = generated_secrets()
        self.config = compose_config(self.secrets)
        self.services = self.config["services"]
        self.processes: list[Process] = []
        self.postgres: PostgresCluster | None = None
        self.ports: dict[str, int] = {}
        self.web_ports: list[int] = []

    # --- start -------------------------------------------------------------------------------------
    def start(self) -> None:
        self.certificate, self.certificate_key = make_certificate(self.folder / "tls", PUBLIC_HOST)
        self._postgres()
        self._pgbouncer()
        redis_arguments = self.services["redis"]["command"][1:]  # after "redis-server"
        redis, self.ports["redis"] = redis_server(self.folder / "redis", self.logs, *redis_arguments)
        self.processes.append(redis)
        self._objectstore()
        self.ports["proxy"] = free_port()
        self.ports.update({name: free_port() for name in PARTNER_PORTS})
        self._partners()
        self._collectstatic()
        self._one_off("migrate")
        self.web_ports = [free_port() for _ in range(WEB_PROCESSES)]
        for number, port in enumerate(self.web_ports, 1):
            self._app_process(f"web-{number}", "web", GUNICORN_BIND=f"127.0.0.1:{port}").wait_for_port(port)
        self._app_process("worker", "worker")
        self._app_process("beat", "beat")
        self._proxy()

    def _postgres(self) -> None:
        self.postgres = PostgresCluster(self.folder / "postgres", self.logs).init().start()
        password = self.secrets["POSTGRES_PASSWORD"]
        self.postgres.sql(f"CREATE ROLE sbcard LOGIN PASSWORD '{password}'")
        self.postgres.sql("CREATE DATABASE sbcard OWNER sbcard")

    def _pgbouncer(self) -> None:
        """deploy/pgbouncer/pgbouncer.ini (what compose mounts) with this machine's addresses and files."""
        settings = configparser.ConfigParser()
        settings.read(self.mounted_file("pgbouncer", "pgbouncer.ini"))
        folder = self.folder / "pgbouncer"
        folder.mkdir()
        port = self.ports["pgbouncer"] = free_port()
        settings["databases"]["sbcard"] = f"host=127.0.0.1 port={self.postgres.port} dbname=sbcard"
        settings["pgbouncer"].update(
            listen_addr="127.0.0.1",
            listen_port=str(port),
            auth_file=str(folder / "userlist.txt"),
            logfile=str(folder / "pgbouncer.log"),
            pidfile=str(folder / "pgbouncer.pid"),
        )
        with (folder / "pgbouncer.ini").open("w") as out:
            settings.write(out)
        (folder / "userlist.txt").write_text(f'"sbcard" "{self.secrets["POSTGRES_PASSWORD"]}"\n')
        hand_over(folder)
        process = Process(
            "pgbouncer",
            [shutil.which("pgbouncer") or "/usr/sbin/pgbouncer", str(folder / "pgbouncer.ini")],
            log_dir=self.logs,
            user=unprivileged_user(),
        )
        self.processes.append(process.start().wait_for_port(port))

    def _objectstore(self) -> None:
        port = self.ports["objectstore"] = free_port()
        process = Process(
            "objectstore", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], log_dir=self.logs
        )
        self.processes.append(process.start().wait_for_port(port))

    def mounted_file(self, service: str, target_ending: str) -> Path:
        """The file of this checkout that compose mounts into a service (`source:target[:mode]`)."""
        for volume in self.services[service]["volumes"]:
            source, target = (volume["source"], volume["target"]) if isinstance(volume, dict) else volume.split(":")[:2]
            if target.endswith(target_ending):
                return Path(source)
        raise RehearsalFailed(f"compose mounts no *{target_ending} into {service}")

    def localise(self, value: str) -> str:
        """A compose address or path as this machine has it."""
        replacements = {
            "pgbouncer:6432": f"127.0.0.1:{self.ports['pgbouncer']}",
            "redis:6379": f"127.0.0.1:{self.ports['redis']}",
            "objectstore:9000": f"127.0.0.1:{self.ports['objectstore']}",
            "web:8000": f"127.0.0.1:{self.web_ports[0] if self.web_ports else 0}",
            f"https://{PUBLIC_HOST}": f"https://{PUBLIC_HOST}:{self.ports['proxy']}",
            "/tls/certificate.pem": str(self.certificate),
            **{f"partners:{port}": f"127.0.0.1:{self.ports[name]}" for name, port in PARTNER_PORTS.items()},
        }
        for compose_value, local_value in replacements.items():
            value = value.replace(compose_value, local_value)
        return value

    def environment(self, service: str, **extra: str) -> dict[str, str]:
        env = {key: self.localise(str(value)) for key, value in self.services[service].get("environment", {}).items()}
        return {
            "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": str(self.folder),
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            # The image's own settings (Dockerfile ENV), here in the rehearsal's folder.
            "STATIC_ROOT": str(self.folder / "static"),
            "VAR_DIR": str(self.folder / "var"),
            **env,
            **extra,
        }

    def _partners(self) -> None:
        ports = {f"{name.upper()}_PORT": str(self.ports[name]) for name in PARTNER_PORTS}
        env = self.environment("partners", PARTNERS_HOST="127.0.0.1", VENDOR_STAGE_SECONDS="1", **ports)
        process = Process(
            "partners", shlex.split(self.services["partners"]["command"]), log_dir=self.logs, env=env, cwd=ROOT
        )
        self.processes.append(process.start())
        for name in PARTNER_PORTS:
            process.wait_for_port(self.ports[name])

    def _collectstatic(self) -> None:
        """The Dockerfile's collectstatic step."""
        dockerfile = (ROOT / "Dockerfile").read_text()
        step = re.search(r"^RUN (SECRET_KEY=\S+ PRODUCTION=0 python manage.py collectstatic[^\n]*)$", dockerfile, re.M)
        check(step, "the Dockerfile has no collectstatic step")
        env = {**self.environment("web"), "STATIC_MANIFEST": "1"}
        run(["sh", "-c", step.group(1)], env=env, cwd=ROOT, timeout=300)

    def _one_off(self, service: str) -> None:
        command = self.services[service]["command"]
        command = command if isinstance(command, list) else shlex.split(command)
        result = run(command, env=self.environment(service), cwd=ROOT, timeout=300)
        (self.logs / f"{service}.log").write_text(result.stdout + result.stderr)

    def manage(self, *arguments: str) -> str:
        """A one-off `manage.py` command with the app's settings (as `docker-compose run web ...`)."""
        return run([sys.executable, "manage.py", *arguments], env=self.environment("web"), cwd=ROOT).stdout

    def _app_process(self, name: str, service: str, **extra: str) -> Process:
        command = self.services[service]["command"]
        command = command if isinstance(command, list) else shlex.split(command)
        process = Process(name, command, log_dir=self.logs, env=self.environment(service, **extra), cwd=ROOT)
        self.processes.append(process.start())
        return process

    def _proxy(self) -> None:
        """nginx with deploy/nginx/sbcard.conf.template filled in as the nginx image would fill it."""
        service = self.services["proxy"]
        values = {key: str(value) for key, value in service["environment"].items()}
        values.update(
            NGINX_UPSTREAM_SERVERS=" ".join(f"server 127.0.0.1:{port};" for port in self.web_ports),
            NGINX_HTTP_PORT=str(free_port()),
            NGINX_HTTPS_PORT=str(self.ports["proxy"]),
            TLS_CERTIFICATE=str(self.certificate),
            TLS_CERTIFICATE_KEY=str(self.certificate_key),
        )
        site = string.Template(self.mounted_file("proxy", ".template").read_text()).safe_substitute(values)
        folder = self.folder / "nginx"
        (folder / "temp").mkdir(parents=True)
        (folder / "site.conf").write_text(site)
        (folder / "nginx.conf").write_text(
            f"""daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/temp/body;
    proxy_temp_path {folder}/temp/proxy;
    fastcgi_temp_path {folder}/temp/fastcgi;
    uwsgi_temp_path {folder}/temp/uwsgi;
    scgi_temp_path {folder}/temp/scgi;
    include {folder}/site.conf;
}}
"""
        )
        hand_over(folder)
        hand_over(self.certificate.parent)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        process = Process(
            "proxy",
            [nginx, "-c", str(folder / "nginx.conf"), "-e", str(folder / "error.log")],
            log_dir=self.logs,
            user=unprivileged_user(),
        )
        self.processes.append(process.start().wait_for_port(self.ports["proxy"]))
        self.nginx_folder = folder

    # --- stop --------------------------------------------------------------------------------------
    def stop(self) -> None:
        for process in reversed(self.processes):
            with contextlib.suppress(Exception):
                process.stop()
        if self.postgres:
            self.postgres.stop()

    # --- checks ------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"https://{PUBLIC_HOST}:{self.ports['proxy']}"

    def client(self) -> requests.Session:
        session = requests.Session()
        session.trust_env = False  # no CA bundle or proxy from the environment: our certificate, straight there
        session.verify = str(self.certificate)
        return session

    def partner(self, name: str, path: str, method: str = "GET", body: dict | None = None) -> dict:
        response = self.client().request(method, f"http://127.0.0.1:{self.ports[name]}{path}", json=body, timeout=10)
        check(response.status_code < 300, f"{name} {path}: {response.status_code} {response.text[:200]}")
        return response.json()

    def health_checks_pass(self) -> None:
        """docker-compose's health checks of web (each process), worker and beat, run here."""
        for service in ("web", "worker", "beat"):
            test = self.services[service]["healthcheck"]["test"]
            if test[0] == "CMD-SHELL":
                command = ["sh", "-c", test[1].replace("$$", "$")]
            else:
                command = test[1:]
            ports = self.web_ports if service == "web" else [None]
            for port in ports:
                attempt = [part.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for part in command]
                env = self.environment(service, HOSTNAME=socket.gethostname())
                result = run(attempt, env=env, cwd=ROOT, check=False, timeout=60)
                check(result.returncode == 0, f"the {service} health check failed:\n{result.stdout}{result.stderr}")

    def wait(self, predicate, what: str, timeout: float = 60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            time.sleep(0.5)  # polling the running services
        tails = "\n".join(f"--- {p.name}\n{p.tail(1500)}" for p in self.processes if p.name in ("worker", "partners"))
        raise RehearsalFailed(f"timed out after {timeout}s waiting for {what}\n{tails}")

    def drive(self) -> dict:
        """The checks; returns what it saw (for the report)."""
        web = self.client()
        health = web.get(f"{self.base_url}/healthz", timeout=10)
        check(
            health.status_code == 200 and health.json() == {"status": "ok", "database": True, "broker": True},
            f"/healthz through the proxy: {health.status_code} {health.text[:200]}",
        )
        plain = self.client().get(f"http://127.0.0.1:{self.ports['proxy']}/", timeout=10, allow_redirects=False)
        check(plain.status_code == 400, "the HTTPS port answered plain HTTP")  # nginx: plain HTTP to an HTTPS port

        self.manage("load_demo")
        seen = {"application": self._citizen_to_pickup(web)}
        # Now the city starts charging the card fee (rule 6): every web process, which has read the policy by
        # now, must see the change at once.
        self.manage(
            "shell",
            "-c",
            "from applications.models import CityPolicy\n"
            "policy = CityPolicy.current(); policy.charges_card_fee = True; policy.save()",
        )
        seen["roster"] = self._roster_to_payment(web)
        vendor = self.partner("vendor", "/_control")
        check(vendor["callbacks_sent"] >= 1 and vendor["callbacks_failed"] == 0, f"vendor callbacks: {vendor}")
        access_log = (self.nginx_folder / "access.log").read_text()
        for path in ("/partners/callbacks/vendor/", "/callbacks/bank/payments/"):
            check(
                re.search(rf'"POST {re.escape(path)} HTTP/[\d.]+" 20[02]', access_log),
                f"no callback to {path} came through the proxy",
            )
        seen["vendor_callbacks"] = vendor["callbacks_sent"]
        self.health_checks_pass()
        self._second_beat_waits()
        return seen

    def _token(self, web: requests.Session, username: str, password: str) -> dict:
        response = web.post(
            f"{self.base_url}/api/v1/auth/token/", json={"username": username, "password": password}, timeout=10
        )
        check(response.status_code == 201, f"token for {username}: {response.status_code} {response.text[:200]}")
        return {"Authorization": f"Token {response.json()['token']}"}

    def _citizen_to_pickup(self, web: requests.Session) -> dict:
        django_ready()
        from demo.photos import make_id_photo
        from sbcard.idnumbers import make_resident_id

        phone = f"137{secrets.randbelow(10**8):08d}"
        id_number = make_resident_id("330106", __import__("datetime").date(1990, 5, 17), secrets.randbelow(1000))
        api = f"{self.base_url}/api/v1"
        sent = web.post(f"{api}/auth/phone-code/", json={"phone": phone, "purpose": "sign_up"}, timeout=20)
        check(sent.status_code == 202, f"phone code: {sent.status_code} {sent.text[:200]}")
        texts = [m["text"] for m in self.partner("sms", f"/messages?to={phone}")["messages"]]
        code = re.search(r"\d{6}", texts[-1]).group(0)
        signed_up = web.post(
            f"{api}/auth/sign-up/",
            json={"name": "韩梅梅", "id_number": id_number, "phone": phone, "password": PASSWORD + "!x", "code": code},
            timeout=20,
        )
        check(signed_up.status_code == 201, f"sign-up: {signed_up.status_code} {signed_up.text[:300]}")
        self._known_to_the_registry([{"id_number": id_number, "name": "韩梅梅"}])
        citizen = self._token(web, phone, PASSWORD + "!x")
        stations = web.get(f"{api}/stations/", headers=citizen, timeout=10).json()["results"]
        station = next(s for s in stations if s["name"] == "高新区服务站")
        created = web.post(
            f"{api}/applications/",
            headers=citizen,
            timeout=30,
            json={
                "insurance_type": "urban_employee",
                "station": station["id"],
                "household_city": "杭州市",
                "address": "杭州市滨江区江南大道1号",
                "phone": phone,
            },
        )
        check(created.status_code == 201, f"application: {created.status_code} {created.text[:300]}")
        application_id = created.json()["id"]
        photo = web.post(
            f"{api}/applications/{application_id}/photo/",
            headers=citizen,
            timeout=30,
            files={"photo": ("photo.jpg", make_id_photo(), "image/jpeg")},
        )
        check(photo.status_code == 200, f"photo: {photo.status_code} {photo.text[:300]}")
        submitted = web.post(f"{api}/applications/{application_id}/submit/", headers=citizen, timeout=20)
        check(submitted.status_code == 200, f"submit: {submitted.status_code} {submitted.text[:300]}")
        clerk = self._token(web, "clerk2", PASSWORD)
        self._photo_from_every_web_process(web, clerk, application_id)
        approved = web.post(f"{api}/applications/{application_id}/approve/", headers=clerk, timeout=20)
        check(approved.status_code == 200, f"approve: {approved.status_code} {approved.text[:300]}")

        def ready():
            status = web.get(f"{api}/applications/{application_id}/", headers=citizen, timeout=10).json()["status"]
            check(status != "returned", "the application came back returned")
            return status == "ready_for_pickup"

        self.wait(ready, "the application to reach ready_for_pickup (registry, bank, vendor's callback)")
        handed = web.post(
            f"{api}/applications/{application_id}/hand-over/",
            headers=clerk,
            timeout=20,
            files={"presented_id_number": (None, id_number)},  # multipart, as the endpoint takes
        )
        check(handed.status_code == 201, f"hand-over: {handed.status_code} {handed.text[:300]}")
        final = web.get(f"{api}/applications/{application_id}/", headers=citizen, timeout=10).json()["status"]
        check(final == "collected", f"after the hand-over the application is {final}")
        return {"id": application_id, "status": final}

    def _known_to_the_registry(self, people: list[dict]) -> None:
        """The information centre answers as a real one does: no record for someone it does not know. The
        rehearsal's people are residents: put them in its records first."""
        records = [
            {"id_number": p["id_number"], "name": p["name"], "household_city": "杭州市", "has_id_photo": False}
            for p in people
        ]
        self.partner("registry", "/_control/records", "POST", {"records": records})

    def _photo_from_every_web_process(self, web: requests.Session, clerk: dict, application_id: int) -> None:
        """The uploaded photo, asked of each web process directly: the same bytes (the uploads are shared)."""
        signed_in = self.client()
        login_page = signed_in.get(f"{self.base_url}/accounts/sign-in/", timeout=10)
        check(login_page.status_code == 200, "the sign-in page")
        response = signed_in.post(
            f"{self.base_url}/accounts/sign-in/",
            timeout=10,
            allow_redirects=False,
            headers={"Referer": f"{self.base_url}/accounts/sign-in/"},
            data={"username": "clerk2", "password": PASSWORD, "csrfmiddlewaretoken": signed_in.cookies["csrftoken"]},
        )
        check(response.status_code == 302, f"clerk sign-in: {response.status_code}")
        cookie = f"sessionid={signed_in.cookies['sessionid']}"
        photos = []
        for port in self.web_ports:
            photo = self.client().get(
                f"http://127.0.0.1:{port}/applications/{application_id}/photo/",
                timeout=10,
                headers={
                    "Host": f"{PUBLIC_HOST}:{self.ports['proxy']}",
                    "X-Forwarded-Proto": "https",
                    "Cookie": cookie,
                },
            )
            check(
                photo.status_code == 200 and photo.content[:3] == b"\xff\xd8\xff",
                f"the photo from the web process on {port}: {photo.status_code}",
            )
            photos.append(photo.content)
        check(len(set(photos)) == 1, "the web processes served different photos")

    def _roster_to_payment(self, web: requests.Session) -> dict:
        django_ready()
        from demo.roster_samples import photos_zip, roster_xlsx, sample_rows

        api = f"{self.base_url}/api/v1"
        agent = self._token(web, "agent1", PASSWORD)
        rows = sample_rows(3, first_birth=__import__("datetime").date(1985, 3, 1), offset=secrets.randbelow(900))
        self._known_to_the_registry(rows)
        uploaded = web.post(
            f"{api}/roster-batches/",
            headers=agent,
            timeout=60,
            files={
                "roster": ("roster.xlsx", roster_xlsx(rows)),
                "photos": ("photos.zip", photos_zip([r["id_number"] for r in rows]), "application/zip"),
            },
        )
        check(uploaded.status_code == 201, f"roster upload: {uploaded.status_code} {uploaded.text[:300]}")
        batch_id = uploaded.json()["id"]
        batch = self.wait(
            lambda: (
                (b := web.get(f"{api}/roster-batches/{batch_id}/", headers=agent, timeout=10).json())["state"]
                == "checked"
                and b
            ),
            "the roster's dry run",
        )
        check(batch["accepted_rows"] == 3, f"the dry run accepted {batch['accepted_rows']} of 3 rows")
        submitted = web.post(f"{api}/roster-batches/{batch_id}/submit/", headers=agent, timeout=60).json()
        check(
            submitted["fee_reference"] and submitted["fee_total_yuan"] == 60,
            f"the batch charges no fee (the policy change did not reach the web process): {submitted}",
        )
        # The employer pays at the bank; the bank calls the portal back (signed) through the proxy.
        self.partner(
            "bank",
            "/payments",
            "POST",
            {
                "reference": submitted["fee_reference"],
                "amount_yuan": submitted["fee_total_yuan"],
                "callback_url": f"{self.base_url}/callbacks/bank/payments/",
                "idempotency_key": f"rehearsal-{submitted['fee_reference']}",
            },
        )
        paid = self.wait(
            lambda: web.get(f"{api}/roster-batches/{batch_id}/", headers=agent, timeout=10).json()["paid_at"],
            "the bank's payment callback",
        )
        return {"id": batch_id, "paid_at": paid}

    def _second_beat_waits(self) -> None:
        """A second beat started beside the first one waits for the lock instead of scheduling."""
        second = self._app_process("beat-2", "beat", BEAT_HEARTBEAT_FILE=str(self.folder / "beat-2-heartbeat"))
        try:
            second.wait_for(
                lambda: "another beat is running" in second.tail(),
                timeout=60,
                what="the second beat to wait for the lock",
            )
        finally:
            second.stop()
            self.processes.remove(second)


def rehearse(folder: Path | None = None, *, keep: bool = False) -> dict:
    own_folder = folder is None
    folder = folder or Path(tempfile.mkdtemp(prefix="sbcard-rehearsal-"))
    rehearsal = Rehearsal(folder)
    started = time.monotonic()
    try:
        rehearsal.start()
        seen = rehearsal.drive()
        seen["seconds"] = round(time.monotonic() - started, 1)
        return seen
    except Exception:
        for process in rehearsal.processes:
            sys.stderr.write(f"--- {process.name} ({process.log})\n{process.tail(2000)}\n")
        raise
    finally:
        rehearsal.stop()
        if own_folder and not keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    print(json.dumps(rehearse(keep="--keep" in sys.argv), ensure_ascii=False, indent=2))  # noqa: T201
    print("production rehearsal: passed")  # noqa: T201
