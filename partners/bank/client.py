from partners.http import PartnerClient


class BankClient(PartnerClient):
    partner = "bank"

    def open_account(
        self, *, id_number: str, name: str, phone: str, idempotency_key: str, application_id: int, attempt: int = 1
    ) -> str:
        body = self.post(
            "/accounts",
            {"id_number": id_number, "name": name, "phone": phone, "idempotency_key": idempotency_key},
            operation="open_account",
            idempotency_key=idempotency_key,
            application_id=application_id,
            attempt=attempt,
        )
        return body["account_number"]

    def report_activation(
        self, *, account_number: str, swipe_limit: int, idempotency_key: str, application_id: int | None = None
    ) -> None:
        self.post(
            "/activations",
            {"account_number": account_number, "swipe_limit": swipe_limit, "idempotency_key": idempotency_key},
            operation="activation",
            idempotency_key=idempotency_key,
            application_id=application_id,
        )

    def report_loss(
        self, *, account_number: str, kind: str, idempotency_key: str, application_id: int | None = None
    ) -> None:
        self.post(
            "/loss-reports",
            {"account_number": account_number, "kind": kind, "idempotency_key": idempotency_key},
            operation=f"loss_{kind}",
            idempotency_key=idempotency_key,
            application_id=application_id,
        )

    def pay(self, *, reference: str, amount_yuan: int, callback_url: str, idempotency_key: str) -> str:
        """Ask the bank to take a roster batch's card fee (the demo's "pay now"; in life the employer pays at the
        bank); the bank calls back, signed, when the money is in."""
        body = self.post(
            "/payments",
            {
                "reference": reference,
                "amount_yuan": amount_yuan,
                "idempotency_key": idempotency_key,
                "callback_url": callback_url,
            },
            operation="payment",
            idempotency_key=idempotency_key,
        )
        return body.get("event_id", "")
