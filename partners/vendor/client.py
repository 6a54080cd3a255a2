from partners.http import PartnerClient


class VendorClient(PartnerClient):
    partner = "vendor"

    def place_order(
        self,
        *,
        reference: str,
        station_code: str,
        name: str,
        card_colour: str,
        callback_url: str,
        idempotency_key: str,
        application_id: int,
        attempt: int = 1,
    ) -> str:
        body = self.post(
            "/orders",
            {
                "idempotency_key": idempotency_key,
                "reference": reference,
                "station_code": station_code,
                "name": name,
                "card_colour": card_colour,
                "callback_url": callback_url,
            },
            operation="order_card",
            idempotency_key=idempotency_key,
            application_id=application_id,
            attempt=attempt,
        )
        return body["order_id"]
