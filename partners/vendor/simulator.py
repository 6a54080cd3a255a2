"""The card vendor (卡商/制卡中心, rule 5): takes production orders and ships cards to stations.

    POST /orders  {"idempotency_key", "reference", "station_code", "name", "callback_url", ...}
                  -> 201 {"order_id", "state": "queued"} (the same key: the same order)
    GET  /orders/<order_id>
    POST /_control {"stage_seconds": 5, "fail_references": ["SB..."], "failure_reason": "..."}
    POST /_control/ship-all   move every open order on to shipped now

An order goes queued -> printing -> shipped, one stage every `stage_seconds` of simulated time. When
it ships (or fails: 制卡失败) the vendor calls the portal back: a JSON body signed with HMAC-SHA256
over "<timestamp>.<body>" in the X-Sbcard-Timestamp / X-Sbcard-Signature headers. A callback that
is not answered 2xx is sent again on the next tick. Cards for one station that ship in the same
tick travel in one box with a batch number.
"""

import itertools
import json
import logging
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

from partners.signing import signed_headers
from partners.simulator import Request, Simulator

logger = logging.getLogger("partners.vendor")

STAGES = ("queued", "printing", "shipped")


class VendorSimulator(Simulator):
    name = "vendor"

    def __init__(self, *, stage_seconds: float = 5.0, webhook_secret: str = "", tick_seconds: float = 0.2, **options):
        self.stage_seconds = stage_seconds
        self.webhook_secret = webhook_secret
        self.tick_seconds = tick_seconds
        self._stop = threading.Event()
        self._senders = ThreadPoolExecutor(max_workers=8, thread_name_prefix="vendor-callback")
        super().__init__(**options)

    def reset(self) -> None:
        self.orders: dict[str, dict] = {}
        self.open_orders: set[str] = set()
        self.callbacks_due: set[str] = set()
        self.by_key: dict[str, str] = {}
        self.fail_references: set[str] = set()
        self.failure_reason = "芯片写入失败"
        self.callbacks_sent = 0
        self.callbacks_failed = 0
        self._card_numbers = itertools.count(1)
        self._batches = itertools.count(1)

    def state(self) -> dict:
        by_state: dict[str, int] = {}
        for order in self.orders.values():
            by_state[order["state"]] = by_state.get(order["state"], 0) + 1
        return {
            "orders": len(self.orders),
            "by_state": by_state,
            "stage_seconds": self.stage_seconds,
            "callbacks_sent": self.callbacks_sent,
            "callbacks_failed": self.callbacks_failed,
            "pending_callbacks": len(self.callbacks_due),
        }

    def routes(self) -> None:
        self.route("POST", "/orders", self.place_order)
        self.route("GET", "/orders/(?P<order_id>[A-Za-z0-9-]+)", self.get_order)
        self.route("POST", "/_control/ship-all", self.ship_all)

    def configure_extra(self, *, stage_seconds=None, fail_references=None, failure_reason=None, **extra) -> None:
        if stage_seconds is not None:
            self.stage_seconds = float(stage_seconds)
        if fail_references is not None:
            self.fail_references = set(fail_references)
        if failure_reason is not None:
            self.failure_reason = failure_reason
        super().configure_extra(**extra)

    def place_order(self, request: Request) -> tuple[int, dict]:
        body = request.json()
        key = body.get("idempotency_key", "")
        required = ("idempotency_key", "reference", "station_code", "callback_url")
        if any(not body.get(name) for name in required):
            return 400, {"code": "bad_request", "message": f"required: {', '.join(required)}"}
        with self.lock:
            if key in self.by_key:
                order = self.orders[self.by_key[key]]
                return 200, {"order_id": order["order_id"], "state": order["state"]}
            order_id = f"ORD-{uuid.uuid4().hex[:16]}"
            self.orders[order_id] = {
                "order_id": order_id,
                "key": key,
                "reference": body["reference"],
                "station_code": body["station_code"],
                "callback_url": body["callback_url"],
                "state": "queued",
                "stage_started": time.monotonic(),
                "card_number": "",
                "batch_number": "",
                "callback_due": False,
                "event": None,
            }
            self.by_key[key] = order_id
            self.open_orders.add(order_id)
        return 201, {"order_id": order_id, "state": "queued"}

    def get_order(self, request: Request) -> tuple[int, dict]:
        with self.lock:
            order = self.orders.get(request.params["order_id"])
            if order is None:
                return 404, {"code": "not_found", "message": "no such order"}
            return 200, {k: order[k] for k in ("order_id", "reference", "state", "card_number", "batch_number")}

    def ship_all(self, request: Request) -> tuple[int, dict]:
        self.advance(force=True)
        return 200, self.state()

    # --- the production clock -------------------------------------------------------------------
    def on_start(self) -> None:
        threading.Thread(target=self._clock, name="vendor-clock", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        super().stop()

    def _clock(self) -> None:
        while not self._stop.wait(self.tick_seconds):
            try:
                self.advance()
                self.deliver_callbacks()
            except Exception:  # noqa: BLE001 - the clock must keep ticking
                logger.exception("vendor clock")

    def advance(self, *, force: bool = False) -> None:
        now = time.monotonic()
        with self.lock:
            boxes: dict[str, str] = {}
            for order_id in list(self.open_orders):
                order = self.orders[order_id]
                while order["state"] not in ("shipped", "failed") and (
                    force or now - order["stage_started"] >= self.stage_seconds
                ):
                    if order["state"] == "queued":
                        order["state"] = "printing"
                    elif order["reference"] in self.fail_references:
                        order["state"] = "failed"
                        order["event"] = "failed"
                        order["callback_due"] = True
                        self.callbacks_due.add(order_id)
                    else:
                        order["state"] = "shipped"
                        order["event"] = "shipped"
                        order["card_number"] = f"H{next(self._card_numbers):08d}"
                        station = order["station_code"]
                        if station not in boxes:
                            boxes[station] = f"B{time.strftime('%Y%m%d')}-{station}-{next(self._batches):04d}"
                        order["batch_number"] = boxes[station]
                        order["callback_due"] = True
                        self.callbacks_due.add(order_id)
                    order["stage_started"] = now
                if order["state"] in ("shipped", "failed"):
                    self.open_orders.discard(order_id)

    def deliver_callbacks(self) -> None:
        with self.lock:
            due = [dict(self.orders[order_id]) for order_id in self.callbacks_due]
        if due:
            list(self._senders.map(self._deliver, due))

    def _deliver(self, order: dict) -> None:
        body = {
            "event_id": f"{order['order_id']}:{order['event']}",
            "event": order["event"],
            "order_id": order["order_id"],
            "idempotency_key": order["key"],
            "reference": order["reference"],
            "card_number": order["card_number"],
            "batch_number": order["batch_number"],
            "reason": self.failure_reason if order["event"] == "failed" else "",
        }
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json", **signed_headers(self.webhook_secret, data)}
        request = urllib.request.Request(order["callback_url"], data=data, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback portal
                delivered = 200 <= response.status < 300
        except (urllib.error.URLError, OSError):
            delivered = False
        with self.lock:
            if delivered:
                self.orders[order["order_id"]]["callback_due"] = False
                self.callbacks_due.discard(order["order_id"])
                self.callbacks_sent += 1
            else:
                self.callbacks_failed += 1
