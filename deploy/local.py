"""Processes on this machine for the production rehearsal and the tests that need a whole server of their
own: PostgreSQL clusters (a primary, a streaming replica), Redis, PgBouncer, nginx, and any command. Each
binds a free port on loopback and keeps its files in a temporary folder; `stop()` ends it and its children.

PostgreSQL, PgBouncer and nginx refuse to run as root (or would switch users): as root they run as the
`postgres` user that Debian's postgresql package creates.
"""

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unprivileged_user() -> str | None:
    """Who runs the servers that refuse root: `postgres` when we are root, else ourselves (None)."""
    return "postgres" if os.geteuid() == 0 else None


def hand_over(path: Path) -> None:
    """Give a folder to the unprivileged user (when we are root)."""
    user = unprivileged_user()
    if user:
        record = pwd.getpwnam(user)
        # The folders above it (ours, in the temporary folder) must let that user through.
        top = Path(tempfile.gettempdir()).resolve()
        for parent in path.resolve().parents:
            if parent == top or top not in parent.parents:
                break
            os.chmod(parent, os.stat(parent).st_mode | 0o011)  # noqa: S103 - traverse only, our temporary folders
        for folder, _dirs, files in os.walk(path):
            os.chown(folder, record.pw_uid, record.pw_gid)
            for name in files:
                os.chown(os.path.join(folder, name), record.pw_uid, record.pw_gid)


def postgres_bin(name: str) -> str:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not versions:
        raise RuntimeError("PostgreSQL's server binaries are not installed (Debian package postgresql)")
    return str(versions[-1] / name)


class Process:
    """A command in its own process group, its output in a log file."""

    def __init__(
        self,
        name: str,
        command: list[str],
        *,
        log_dir: Path,
        env: dict | None = None,
        cwd=None,
        user: str | None = None,
        stop_signal: int = signal.SIGTERM,
    ):
        self.name, self.command, self.env, self.cwd, self.user = name, command, env, cwd, user
        self.stop_signal = stop_signal
        self.log = log_dir / f"{name}.log"
        self.popen: subprocess.Popen | None = None

    def start(self) -> "Process":
        with self.log.open("ab") as output:
            self.popen = subprocess.Popen(  # noqa: S603 - our own servers
                self.command,
                env=self.env,
                cwd=self.cwd,
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                user=self.user,
            )
        return self

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def tail(self, characters: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-characters:] if self.log.exists() else ""

    def stop(self, timeout: float = 20) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, self.stop_signal)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=5)

    def wait_for(self, predicate, *, timeout: float = 60, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            if not self.running():
                raise RuntimeError(f"{self.name} exited ({self.popen.returncode}) before {what}:\n{self.tail()}")
            time.sleep(0.1)  # polling another process's start-up
        raise RuntimeError(f"{self.name}: timed out after {timeout}s waiting for {what}:\n{self.tail()}")

    def wait_for_port(self, port: int, timeout: float = 60) -> "Process":
        def answers() -> bool:
            with socket.socket() as probe:
                probe.settimeout(0.5)
                return probe.connect_ex(("127.0.0.1", port)) == 0

        self.wait_for(answers, timeout=timeout, what=f"port {port} to answer")
        return self


def run(
    command: list[str],
    *,
    env: dict | None = None,
    cwd=None,
    user: str | None = None,
    timeout: float = 300,
    check: bool = True,
) -> subprocess.CompletedProcess:
    result = subprocess.run(  # noqa: S603 - our own tools
        command, env=env, cwd=cwd, user=user, capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


class PostgresCluster:
    """A PostgreSQL cluster of our own (initdb, or a base backup of another that streams from it)."""

    def __init__(self, folder: Path, log_dir: Path, name: str = "postgres"):
        self.folder, self.log_dir, self.name = folder, log_dir, name
        self.data = folder / "data"
        self.port = free_port()
        self.process: Process | None = None

    def init(self) -> "PostgresCluster":
        self.folder.mkdir(parents=True, exist_ok=True)
        hand_over(self.folder)
        run(
            [
                postgres_bin("initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            user=unprivileged_user(),
        )
        return self

    def init_replica_of(self, primary: "PostgresCluster") -> "PostgresCluster":
        """A base backup of the primary that streams its WAL from then on (standby.signal, -R)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        hand_over(self.folder)
        run(
            [
                postgres_bin("pg_basebackup"),
                "-h",
                "127.0.0.1",
                "-p",
                str(primary.port),
                "-U",
                "postgres",
                "-D",
                str(self.data),
                "-R",
                "-X",
                "stream",
                "--no-sync",
                "--checkpoint=fast",
            ],
            user=unprivileged_user(),
        )
        return self

    def start(self, **settings: str) -> "PostgresCluster":
        options = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(self.folder),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "wal_level": "replica",
            "max_wal_senders": "5",
            "hot_standby": "on",
            **settings,
        }
        command = [postgres_bin("postgres"), "-D", str(self.data)]
        for key, value in options.items():
            command += ["-c", f"{key}={value}"]
        # SIGINT: PostgreSQL's fast shutdown (SIGTERM would wait for every client to leave).
        self.process = Process(
            self.name, command, log_dir=self.log_dir, user=unprivileged_user(), stop_signal=signal.SIGINT
        ).start()
        self.process.wait_for(self.answers, timeout=60, what="PostgreSQL to accept connections")
        return self

    def answers(self) -> bool:
        return (
            run(
                [postgres_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"], check=False, timeout=10
            ).returncode
            == 0
        )

    def url(self, database: str = "postgres", user: str = "postgres", password: str = "") -> str:
        secret = f":{password}" if password else ""
        return f"postgres://{user}{secret}@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres") -> str:
        return run(
            [
                postgres_bin("psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-tAc",
                statement,
            ],
            timeout=120,
        ).stdout.strip()

    def stop(self) -> None:
        if self.process:
            self.process.stop()


def redis_server(folder: Path, log_dir: Path, *arguments: str) -> tuple[Process, int]:
    """redis-server with the given arguments, on a free port, keeping its files in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [
        shutil.which("redis-server") or "redis-server",
        *arguments,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        str(folder),
        "--daemonize",
        "no",
    ]
    return Process("redis", command, log_dir=log_dir).start().wait_for_port(port), port
