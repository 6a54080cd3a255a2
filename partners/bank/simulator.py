"""The partner bank (rule 3): opens the card's bank account; later hears of activation and loss.

    POST /accounts      {"id_number", "name", "phone", "idempotency_key"}
                        -> 201 {"account_number"} (19 digits, Luhn check digit)
                        -> 422 {"code": "customer_mismatch", "field": "name"} when its customer record differs
    POST /activations   {"account_number", "swipe_limit", "idempotency_key"}
    POST /loss-reports  {"account_number", "kind": "oral"|"written"|"withdrawn", "idempotency_key"}

The same idempotency key always gets the same answer, and never a second account.
"""

import itertools

from partners.simulator import Request, Simulator, luhn_check_digit

from .seed import SEED_CUSTOMERS

BANK_IDENTIFICATION = "621700"  # the card's BIN


class BankSimulator(Simulator):
    name = "bank"

    def reset(self) -> None:
        self.customers = {c["id_number"]: dict(c) for c in SEED_CUSTOMERS}
        self.accounts: dict[str, dict] = {}  # account number -> holder
        self.answers: dict[str, tuple[int, dict]] = {}  # idempotency key -> the answer given
        self.notices: list[dict] = []
        self._numbers = itertools.count(1)

    def state(self) -> dict:
        return {"accounts": len(self.accounts), "customers": len(self.customers), "notices": len(self.notices)}

    def routes(self) -> None:
        self.route("POST", "/accounts", self.open_account)
        self.route("POST", "/activations", self.notice("activation"))
        self.route("POST", "/loss-reports", self.notice("loss_report"))
        self.route("GET", "/_control/accounts", self.list_accounts)
        self.route("POST", "/_control/customers", self.add_customers)

    def _idempotent(self, key: str, work) -> tuple[int, dict]:
        if not key:
            return 400, {"code": "bad_request", "message": "idempotency_key is required"}
        with self.lock:
            if key not in self.answers:
                self.answers[key] = work()
            return self.answers[key]

    def open_account(self, request: Request) -> tuple[int, dict]:
        body = request.json()
        id_number, name = body.get("id_number", ""), body.get("name", "")
        if not id_number or not name:
            return 400, {"code": "bad_request", "message": "id_number and name are required"}

        def work():
            customer = self.customers.get(id_number)
            if customer is not None and customer["name"] != name:
                return 422, {
                    "code": "customer_mismatch",
                    "field": "name",
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
                self.notices.append({"kind": kind, **body})
                return 202, {"received": True}

            return self._idempotent(body.get("idempotency_key", ""), work)

        return handler

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
