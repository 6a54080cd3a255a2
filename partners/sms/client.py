from partners.http import PartnerClient


class SmsClient(PartnerClient):
    partner = "sms"

    def send(self, *, to: str, text: str, idempotency_key: str, application_id: int | None = None) -> str:
        body = self.post(
            "/messages", {"to": to, "text": text, "idempotency_key": idempotency_key}, operation="sms",
            idempotency_key=idempotency_key, application_id=application_id,
        )
        return str(body.get("message_id", ""))
