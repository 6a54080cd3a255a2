from dataclasses import dataclass

from partners.errors import TransientError
from partners.http import PartnerClient


@dataclass(frozen=True)
class RegistryAnswer:
    result: str  # match, mismatch, no_record
    fields: list[str]
    household_city: str = ""
    record: dict | None = None  # what the information centre holds: name, household city


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
            record=body.get("record"),
        )

    def lookup_batch(self, people: list[dict], *, chunk: int = 1000) -> list[dict]:
        """One answer per {"id_number", "name"}, in order, a request per `chunk` people (an employer roster).

        Each answer is a dict as /lookup gives: result, fields, household_city, has_id_photo.
        """
        answers: list[dict] = []
        for start in range(0, len(people), chunk):
            part = people[start : start + chunk]
            body = self.post("/lookup-batch", {"people": part}, operation="lookup_batch")
            got = body.get("answers", [])
            if len(got) != len(part):
                raise TransientError("registry answered a batch lookup with the wrong number of answers")
            answers += got
        return answers

    def report_unclaimed(self, *, reference: str, station_code: str, idempotency_key: str, application_id: int):
        self.post(
            "/unclaimed",
            {"reference": reference, "station_code": station_code},
            operation="report_unclaimed",
            idempotency_key=idempotency_key,
            application_id=application_id,
        )
