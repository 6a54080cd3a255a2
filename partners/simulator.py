"""A small real HTTP service on loopback that stands in for a partner system.

Each partner subclasses `Simulator` and declares its routes. Every simulator has a control endpoint,
`/_control`, so tests and the demo can set latency, a failure rate, or switch the partner off:

    GET  /_control            -> its settings and counters
    POST /_control            {"latency_ms": 200, "failure_rate": 0.1, "down": true}
    POST /_control/reset      forget everything it stored

Latency is spent after the request has been handled and before the answer is sent, which is the
hard case for the portal: the partner acted, and the caller has not heard yet.

No Django in here: the simulators run as their own process (`python -m partners.simulators`).
"""

import json
import logging
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

logger = logging.getLogger("partners.simulator")

Handler = Callable[["Request"], tuple[int, dict]]


class Request:
    def __init__(self, method: str, path: str, query: str, headers, body: bytes, params: dict):
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.params = params

    def json(self) -> dict:
        if not self.body:
            return {}
        return json.loads(self.body.decode("utf-8"))

    def query_params(self) -> dict[str, str]:

        return dict(parse_qsl(self.query))


class Simulator:
    name = "partner"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, latency_ms: int = 0, failure_rate: float = 0.0):
        self.host = host
        self.port = port
        self.latency_ms = latency_ms
        self.failure_rate = failure_rate
        self.down = False
        self.lock = threading.RLock()
        self.counters: Counter = Counter()
        self.random = random.Random()  # noqa: S311 - simulated faults, not security
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._routes: list[tuple[str, re.Pattern, Handler]] = []
        self.reset()
        self.routes()

    # --- to override -------------------------------------------------------------------------
    def routes(self) -> None:
        """Register the partner's endpoints with self.route()."""

    def reset(self) -> None:
        """Forget stored state."""

    def state(self) -> dict:
        return {}

    # --- plumbing ---------------------------------------------------------------------------
    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method, re.compile(f"^{pattern}$"), handler))

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "Simulator":
        simulator = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in separate writes; with Nagle on, each answer would wait ~40 ms
            # for the caller's delayed ACK.
            disable_nagle_algorithm = True

            def log_message(self, format, *args):  # noqa: A002 - the base class's name
                logger.debug("%s %s", simulator.name, format % args)

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                path, _, query = self.path.partition("?")
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                try:
                    status, answer, delay = simulator.dispatch(method, path, query, self.headers, body)
                except json.JSONDecodeError:
                    status, answer, delay = 400, {"code": "bad_json", "message": "body is not JSON"}, 0
                if delay:
                    time.sleep(delay)
                try:
                    self._answer(status, answer)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the caller gave up (a timeout, a killed worker): the work is done anyway

            def do_GET(self):  # noqa: N802 - http.server's naming
                self._handle("GET")

            def do_POST(self):  # noqa: N802
                self._handle("POST")

        self._server = ThreadingHTTPServer((self.host, self.port), RequestHandler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"sim-{self.name}", daemon=True)
        self._thread.start()
        self.on_start()
        return self

    def on_start(self) -> None:
        """Background work a partner needs (the vendor's production clock)."""

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def dispatch(self, method: str, path: str, query: str, headers, body: bytes) -> tuple[int, dict, float]:
        if path == "/_control" and method == "GET":
            return 200, self.control_state(), 0
        if path == "/_control" and method == "POST":
            self.configure(**json.loads(body or b"{}"))
            return 200, self.control_state(), 0
        if path == "/_control/reset" and method == "POST":
            with self.lock:
                self.counters.clear()
                self.reset()
            return 200, self.control_state(), 0
        for route_method, pattern, route_handler in self._routes:
            match = pattern.match(path)
            if match and route_method == method:
                handler = route_handler
                break
        else:
            return 404, {"code": "not_found", "message": f"no route {method} {path}"}, 0
        key = f"{method} {pattern.pattern.strip('^$')}"
        with self.lock:
            self.counters[key] += 1
            down = self.down
            fail = not path.startswith("/_") and self.random.random() < self.failure_rate
        if down or fail:
            self.counters["refused_unavailable"] += 1
            return 503, {"code": "unavailable", "message": f"{self.name} is unavailable"}, 0
        request = Request(method, path, query, headers, body, match.groupdict())
        status, answer = handler(request)
        return status, answer, self.latency_ms / 1000

    def configure(self, *, latency_ms=None, failure_rate=None, down=None, **extra) -> None:
        with self.lock:
            if latency_ms is not None:
                self.latency_ms = int(latency_ms)
            if failure_rate is not None:
                self.failure_rate = float(failure_rate)
            if down is not None:
                self.down = bool(down)
            self.configure_extra(**extra)

    def configure_extra(self, **extra) -> None:
        if extra:
            raise TypeError(f"unknown settings for {self.name}: {sorted(extra)}")

    def control_state(self) -> dict:
        with self.lock:
            return {
                "name": self.name,
                "latency_ms": self.latency_ms,
                "failure_rate": self.failure_rate,
                "down": self.down,
                "counters": dict(self.counters),
                **self.state(),
            }


def luhn_check_digit(digits: str) -> str:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:  # every second digit from the right, counting the check digit's place
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    return number.isdigit() and luhn_check_digit(number[:-1]) == number[-1]
