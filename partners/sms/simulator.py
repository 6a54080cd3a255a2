"""The SMS gateway: accepts messages and keeps them, so tests and the demo can read what was sent.

POST /messages  {"to", "text", "idempotency_key"} -> 202 {"message_id"}
GET  /messages?to=13800000000 -> {"messages": [...]} (newest last)
"""

import itertools
import re
from collections import deque

from partners.simulator import Request, Simulator

MOBILE = re.compile(r"^1[3-9]\d{9}$")


class SmsSimulator(Simulator):
    name = "sms"

    def reset(self) -> None:
        self.messages: deque = deque(maxlen=200_000)
        self.by_key: dict[str, int] = {}
        self._ids = itertools.count(1)

    def state(self) -> dict:
        return {"messages": len(self.messages)}

    def routes(self) -> None:
        self.route("POST", "/messages", self.send)
        self.route("GET", "/messages", self.list_messages)

    def send(self, request: Request) -> tuple[int, dict]:
        body = request.json()
        to, text, key = body.get("to", ""), body.get("text", ""), body.get("idempotency_key", "")
        if not MOBILE.match(to) or not text or not key:
            return 400, {"code": "bad_request", "message": "to (a mobile number), text and idempotency_key"}
        with self.lock:
            if key in self.by_key:
                return 202, {"message_id": self.by_key[key]}
            message_id = next(self._ids)
            self.by_key[key] = message_id
            self.messages.append({"message_id": message_id, "to": to, "text": text, "key": key})
        return 202, {"message_id": message_id}

    def list_messages(self, request: Request) -> tuple[int, dict]:
        to = request.query_params().get("to")
        with self.lock:
            messages = [m for m in self.messages if to is None or m["to"] == to]
        return 200, {"messages": messages[-500:]}
