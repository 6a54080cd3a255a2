from dataclasses import dataclass

from partners.http import PartnerClient


@dataclass(frozen=True)
class RegistryAnswer:
    result: str  # match, mismatch, no_record
    fields: list[str]
    household_city: str = ""


class RegistryClient(PartnerClient):
    partner = "registry"

    def lookup(self, *, id_number: str, name: str, idempotency_key: str, application_id: int | None, attempt: int = 1):
        body = self.post(
            "/lookup",
            {"id_number": id_number, "name": name},
            operation="lookup",
            idempotency_key=idempotency_key,
            application_id=application_id,
            attempt=attempt,
        )
        return RegistryAnswer(
            result=body.get("result", ""),
            fields=list(body.get("fields", [])),
            household_city=body.get("household_city", ""),
        )

    def report_unclaimed(self, *, reference: str, station_code: str, idempotency_key: str, application_id: int):
        self.post(
            "/unclaimed",
            {"reference": reference, "station_code": station_code},
            operation="report_unclaimed",
            idempotency_key=idempotency_key,
            application_id=application_id,
        )
