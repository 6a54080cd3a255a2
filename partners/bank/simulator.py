"""The partner bank (rule 3): opens the card's bank account; later hears of activation and loss.

    POST /accounts      {"id_number", "name", "phone", "idempotency_key"}
                        -> 201 {"account_number"} (19 digits, Luhn check digit)
                        -> 422 {"code": "customer_mismatch", "field": "name", "value": the name it holds}
                           when its customer record differs; 422 {"code": ...} for a customer it will not serve
    POST /activations   {"account_number", "swipe_limit", "idempotency_key"}
    POST /loss-reports  {"account_number", "kind": "oral"|"written"|"withdrawn", "idempotency_key"}
    POST /payments      {"reference", "amount_yuan", "callback_url", "idempotency_key"} -> a signed callback

The same idempotency key always gets the same answer, and never a second account.
"""

import itertools
import json
import os
import threading
import time
import urllib.error
import urllib.request

from partners.signing import signed_headers
from partners.simulator import Request, Simulator, luhn_check_digit

BANK_IDENTIFICATION = "621700"  # the card's BIN


class BankSimulator(Simulator):
    name = "bank"

    def __init__(self, *, callback_secret: str = "", customers=(), accounts=(), **options):
        self.callback_secret = callback_secret  # signs the bank's calls to the portal (payments, activations)
        # What it holds after every reset: customers (a name differing from the portal's makes account opening
        # fail) and accounts already open (the demo's cards).
        self.seed_customers = [dict(customer) for customer in customers]
        self.seed_accounts = [dict(account) for account in accounts]
        super().__init__(**options)

    def reset(self) -> None:
        self.customers = {c["id_number"]: dict(c) for c in self.seed_customers}
        self.accounts: dict[str, dict] = {  # account number -> holder
            account["account_number"]: {"id_number": account["id_number"], "name": account["name"], "key": ""}
            for account in self.seed_accounts
        }
        self.answers: dict[str, tuple[int, dict]] = {}  # idempotency key -> the answer given
        self.notices: list[dict] = []
        self._numbers = itertools.count(1)

    def state(self) -> dict:
        opened = len(self.accounts) - len(self.seed_accounts)  # opened through /accounts since the last reset
        return {"accounts_opened": opened, "customers": len(self.customers), "notices": len(self.notices)}

    def routes(self) -> None:
        self.route("POST", "/accounts", self.open_account)
        self.route("POST", "/activations", self.notice("activation"))
        self.route("POST", "/loss-reports", self.notice("loss_report"))
        self.route("POST", "/payments", self.take_payment)
        self.route("POST", "/_control/activate", self.activate_at_branch)
        self.route("GET", "/_control/accounts", self.list_accounts)
        self.route("POST", "/_control/customers", self.add_customers)

    def _idempotent(self, key: str, work) -> tuple[int, dict]:
        """The same key never does the work twice: a done request answers as before. A refusal did nothing, so it
        is not kept: the same request sent again once the bank's record is put right is done then."""
        if not key:
            return 400, {"code": "bad_request", "message": "idempotency_key is required"}
        with self.lock:
            if key in self.answers:
                return self.answers[key]
            answer = work()
            if answer[0] < 400:
                self.answers[key] = answer
            return answer

    def open_account(self, request: Request) -> tuple[int, dict]:
        body = request.json()
        id_number, name = body.get("id_number", ""), body.get("name", "")
        if not id_number or not name:
            return 400, {"code": "bad_request", "message": "id_number and name are required"}

        def work():
            customer = self.customers.get(id_number)
            if customer is not None and customer.get("refuse"):  # the bank will not serve this customer
                return 422, {"code": customer["refuse"], "message": "the bank refuses to open an account"}
            if customer is not None and customer["name"] != name:
                return 422, {
                    "code": "customer_mismatch",
                    "field": "name",
                    "value": customer["name"],  # what the bank holds, so the applicant knows what differs
                    "message": "the name differs from the bank's customer record",
                }
            self.customers.setdefault(id_number, {"id_number": id_number, "name": name})
            payload = f"{BANK_IDENTIFICATION}{next(self._numbers):012d}"
            number = payload + luhn_check_digit(payload)
            self.accounts[number] = {"id_number": id_number, "name": name, "key": body.get("idempotency_key")}
            return 201, {"account_number": number}

        return self._idempotent(body.get("idempotency_key", ""), work)

    def notice(self, kind: str):
        def handler(request: Request) -> tuple[int, dict]:
            body = request.json()

            def work():
                if body.get("account_number") not in self.accounts:
                    return 404, {"code": "unknown_account", "message": "no such account"}
                self.notices.append({**body, "notice": kind})
                return 202, {"received": True}

            return self._idempotent(body.get("idempotency_key", ""), work)

        return handler

    def take_payment(self, request: Request) -> tuple[int, dict]:
        """POST /payments {"reference", "amount_yuan", "callback_url", "idempotency_key"}: an employer pays a
        batch's card fee (rule 6). The bank then calls `callback_url` with {"event_id", "reference",
        "amount_yuan"} signed like the vendor's callbacks (secret: `callback_secret`, else the
        BANK_CALLBACK_SECRET environment variable), trying three times."""

        body = request.json()
        if not body.get("reference") or not body.get("callback_url") or not str(body.get("amount_yuan", "")).isdigit():
            return 400, {"code": "bad_request", "message": "reference, amount_yuan and callback_url are required"}
        secret = getattr(self, "callback_secret", "") or os.environ.get("BANK_CALLBACK_SECRET", "")

        def deliver(payment: dict) -> None:
            payload = {k: payment[k] for k in ("event_id", "reference", "amount_yuan")}
            payment["delivered"] = self.signed_callback(payment["callback_url"], payload, secret)

        def work():
            payment = {
                "kind": "payment",
                "event_id": f"PAY-{len(self.notices) + 1:06d}-{body['idempotency_key'][:8]}",
                "reference": body["reference"],
                "amount_yuan": int(body["amount_yuan"]),
                "callback_url": body["callback_url"],
                "delivered": False,
            }
            self.notices.append(payment)
            threading.Thread(target=deliver, args=(payment,), name="bank-payment-callback", daemon=True).start()
            return 201, {"event_id": payment["event_id"], "received": True}

        return self._idempotent(body.get("idempotency_key", ""), work)

    def signed_callback(self, url: str, payload: dict, secret: str) -> bool:
        """POST a JSON body signed like the vendor's callbacks to the portal, three tries; True if delivered."""

        data = json.dumps(payload, ensure_ascii=False).encode()
        for attempt in range(3):
            headers = {"Content-Type": "application/json", **signed_headers(secret, data)}
            call = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310
            try:
                with urllib.request.urlopen(call, timeout=10) as response:  # noqa: S310 - loopback portal
                    if 200 <= response.status < 300:
                        return True
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5 * (attempt + 1))
        return False

    def activate_at_branch(self, request: Request) -> tuple[int, dict]:
        """POST /_control/activate {"card_number", "account_number", "swipe_limit", "callback_url"}: the holder
        activates the card at a branch (rule 10); the bank reports it to the portal, signed."""

        body = request.json()
        if not body.get("card_number") or not body.get("callback_url"):
            return 400, {"code": "bad_request", "message": "card_number and callback_url are required"}
        with self.lock:
            if body.get("account_number") and body["account_number"] not in self.accounts:
                return 404, {"code": "unknown_account", "message": "no such account"}
            event_id = f"ACT-{len(self.notices) + 1:06d}-{body['card_number']}"
            self.notices.append({"notice": "activation_at_branch", "event_id": event_id, **body})
        secret = getattr(self, "callback_secret", "") or os.environ.get("BANK_CALLBACK_SECRET", "")
        payload = {"event_id": event_id, "event": "activated", "card_number": body["card_number"]}
        if body.get("swipe_limit") not in (None, ""):  # chosen at the branch; otherwise the city's default applies
            payload["swipe_limit"] = int(body["swipe_limit"])
        delivered = self.signed_callback(body["callback_url"], payload, secret)
        return (200 if delivered else 502), {"event_id": event_id, "delivered": delivered}

    def list_accounts(self, request: Request) -> tuple[int, dict]:
        id_number = request.query_params().get("id_number")
        with self.lock:
            accounts = [
                {"account_number": number, **holder}
                for number, holder in self.accounts.items()
                if id_number is None or holder["id_number"] == id_number
            ]
        return 200, {"accounts": accounts}

    def add_customers(self, request: Request) -> tuple[int, dict]:
        with self.lock:
            for customer in request.json().get("customers", []):
                self.customers[customer["id_number"]] = dict(customer)
        return 200, {"customers": len(self.customers)}
