"""gunicorn's settings for the web processes (docker-compose.yml, deploy/k8s/, the production rehearsal):
`gunicorn sbcard.wsgi:application` from the project folder reads this file. Each value can be changed by
the environment named beside it."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")  # noqa: S104 - inside a container, behind the proxy
# Sync workers: the portal's requests are short database work; a process per core is the yardstick
# (README, "Capacity"). Scale out with more processes or pods, not threads.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
# The longest request is an export of a 100,000-row roster batch, built in memory (about 20 s here): room
# for twice that on a busy machine. The proxy's read timeout is the same.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, staggered, so a slow leak never takes every worker down at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Heartbeat files in memory, not on a container's overlay disk (gunicorn's advice for Docker).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - gunicorn's own scratch files
# The proxy in front sets X-Forwarded-For and X-Forwarded-Proto; accept them only from where it runs.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = "-"
errorlog = "-"
# Paths without query strings: nothing a person typed lands in the log (SECURITY.md 7).
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
# gunicorn's control socket (gunicornc) is not used; a container's home folder may be read-only.
control_socket_disable = True
