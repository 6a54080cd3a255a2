"""Past one process (SECURITY.md 20): uploads in an S3 bucket, SMS-code limits and the city policy shared by
every web and worker process through Redis. Real servers: moto's S3 server, gunicorn processes, Redis."""

import concurrent.futures
import contextlib
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import boto3
import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from accounts.models import PhoneCode
from accounts.phone_codes import CODES_PER_HOUR, _key
from applications.models import CityPolicy
from applications.sample_photos import make_id_photo
from deploy.local import Process, free_port
from sbcard.crypto import derive_key
from sbcard.storage import MAGIC
from tests import workers

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def s3_server(tmp_path, monkeypatch):
    """moto's S3 server on a free port, and boto3's credentials for it."""
    port = free_port()
    server = Process(
        "moto", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], log_dir=tmp_path
    )
    server.start().wait_for_port(port)
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}.items():
        monkeypatch.setenv(name, value)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.mark.django_db
def test_uploads_in_the_bucket_are_encrypted_and_rotate_keys_walks_the_bucket(s3_server, settings):
    # given: uploads in a bucket (the bucket made by the migrate job's command)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "sbcard.storage.EncryptedS3Storage",
            "OPTIONS": {
                "bucket_name": "uploads",
                "location": "private",
                "endpoint_url": s3_server,
                "region_name": "us-east-1",
                "default_acl": None,
                "file_overwrite": False,
            },
        },
    }
    call_command("prepare_uploads", stdout=open(os.devnull, "w"))  # noqa: SIM115
    bucket = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1")
    jpeg = make_id_photo()

    # when: a photo is saved, and a plain file from before encryption is there too
    name = default_storage.save("photos/a.jpg", ContentFile(jpeg))
    bucket.put_object(Bucket="uploads", Key="private/photos/old/plain.jpg", Body=b"\xff\xd8\xff plain old photo")

    # then: the object holds ciphertext; the storage gives the photo back
    stored = bucket.get_object(Bucket="uploads", Key=f"private/{name}")["Body"].read()
    assert stored.startswith(MAGIC) and b"\xff\xd8\xff" not in stored
    with default_storage.open(name) as opened:
        assert opened.read() == jpeg

    # when: the key is rotated (the new key first), then the old key is dropped
    new_key = derive_key("the next key")
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *settings.FIELD_ENCRYPTION_KEYS]
    call_command("rotate_keys", stdout=open(os.devnull, "w"))  # noqa: SIM115
    settings.FIELD_ENCRYPTION_KEYS = [new_key]

    # then: every object in the bucket, old plain one included, is encrypted and opens with the new key alone
    rotated = bucket.get_object(Bucket="uploads", Key=f"private/{name}")["Body"].read()
    assert rotated.startswith(MAGIC) and rotated != stored
    with default_storage.open(name) as opened:
        assert opened.read() == jpeg
    assert bucket.get_object(Bucket="uploads", Key="private/photos/old/plain.jpg")["Body"].read().startswith(MAGIC)
    with default_storage.open("photos/old/plain.jpg") as opened:
        assert opened.read() == b"\xff\xd8\xff plain old photo"


def _shared_cache_url() -> str:
    """A Redis database next to the broker's (the tests' own Redis), for the shared cache."""
    broker = urlparse(os.environ["CELERY_BROKER_URL"])
    return urlunparse(broker._replace(path="/" + str((int(broker.path.strip("/") or 0) + 8) % 16)))


@contextlib.contextmanager
def web_processes(tmp_path, count: int, env: dict):
    """`count` gunicorn processes (gunicorn.conf.py, one worker each) on the test database."""
    processes, ports = [], []
    try:
        for number in range(count):
            port = free_port()
            process_env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "sbcard.settings_test",
                "WEB_CONCURRENCY": "1",
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "DATABASE_URL": workers.test_database_url(),
                "ALLOWED_HOSTS": "127.0.0.1",
                **env,
            }
            command = [str(Path(sys.executable).parent / "gunicorn"), "sbcard.wsgi:application"]
            process = Process(f"web-{number}", command, log_dir=tmp_path, env=process_env, cwd=ROOT)
            processes.append(process.start())
            ports.append(port)
        for process, port in zip(processes, ports, strict=True):
            process.wait_for_port(port)
        yield ports
    finally:
        for process in processes:
            process.stop()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_two_web_processes_hold_the_sms_code_limit_together(tmp_path, partners, settings):
    # given: two web processes sharing the Redis cache, and one phone number
    env = {
        "CACHE_URL": _shared_cache_url(),
        "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        "SECRET_KEY": settings.SECRET_KEY,
        "SMS_URL": partners["sms"].url,
        "SMS_CODES_PER_ADDRESS_PER_HOUR": "100",
    }
    phone = "13912345678"

    with web_processes(tmp_path, 2, env) as ports:
        # when: twelve requests for a code arrive at once, half at each process
        def ask(port: int) -> int:
            return requests.post(
                f"http://127.0.0.1:{port}/api/v1/auth/phone-code/",
                timeout=30,
                json={"phone": phone, "purpose": "sign_up"},
            ).status_code

        with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
            answers = list(pool.map(ask, [ports[i % 2] for i in range(12)]))

    # then: exactly the hourly limit was sent, counted across both processes; the rest were refused
    assert sorted(answers) == [202] * CODES_PER_HOUR + [409] * (12 - CODES_PER_HOUR)
    assert PhoneCode.objects.filter(phone_key=_key(phone)).count() == CODES_PER_HOUR
    assert len([m for m in partners["sms"].messages if m["to"] == phone]) == CODES_PER_HOUR


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_policy_saved_in_another_process_is_read_again_here(settings):
    # given: this process and another one share the Redis cache; this one has read the policy
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _shared_cache_url(),
            "KEY_PREFIX": prefix,
        }
    }
    assert CityPolicy.current().charges_card_fee is False

    # when: an admin's change is saved in another process
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sbcard.settings_test",
        "DATABASE_URL": workers.test_database_url(),
        "CACHE_URL": _shared_cache_url(),
        "CACHE_KEY_PREFIX": prefix,
        "SECRET_KEY": settings.SECRET_KEY,
    }
    subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            "import django; django.setup()\nfrom applications.models import CityPolicy\n"
            "policy = CityPolicy.current(); policy.charges_card_fee = True; policy.save()",
        ],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=60,
    )

    # then: this process reads the new policy at once, not after its copy ages out
    assert CityPolicy.current().charges_card_fee is True
