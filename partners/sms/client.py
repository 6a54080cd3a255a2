from partners.http import PartnerClient


class SmsClient(PartnerClient):
    partner = "sms"

    def send(self, *, to: str, text: str, idempotency_key: str) -> str:
        # Not in the partner request log: the notice row itself records each SMS and its delivery.
        body = self.post(
            "/messages",
            {"to": to, "text": text, "idempotency_key": idempotency_key},
            operation="sms",
            idempotency_key=idempotency_key,
            log=False,
        )
        return str(body.get("message_id", ""))
