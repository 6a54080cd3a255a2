"""City information centre (市信息服务中心): identity and household-registration lookups (rules 7, 8, 9).

    POST /lookup     {"id_number", "name"} -> {"result": "match" | "mismatch" | "no_record", "fields": [...]}
    POST /unclaimed  {"reference", "station_code"} -> a card not collected 30 days after the notice
    POST /lookup-batch {"people": [{"id_number", "name"}, ...]} -> {"answers": [one /lookup answer each]}
    POST /_control/records  {"records": [{"id_number", "name", "household_city"}], "unknown": "no_record"|"match"}

Unknown people answer "no record" unless `unknown` is "match" (the demo, where anyone who signs up
is taken to be registered, and the benchmark).
"""

from partners.simulator import Request, Simulator

from .seed import SEED_RECORDS


class RegistrySimulator(Simulator):
    name = "registry"

    def __init__(self, *, unknown: str = "no_record", **options):
        self.unknown = unknown
        super().__init__(**options)

    def reset(self) -> None:
        self.records = {record["id_number"]: dict(record) for record in SEED_RECORDS}
        self.unclaimed_reports: list[dict] = []

    def state(self) -> dict:
        return {"records": len(self.records), "unknown": self.unknown, "unclaimed_reports": len(self.unclaimed_reports)}

    def routes(self) -> None:
        self.route("POST", "/lookup", self.lookup)
        self.route("POST", "/lookup-batch", self.lookup_batch)
        self.route("POST", "/unclaimed", self.report_unclaimed)
        self.route("POST", "/_control/records", self.add_records)

    def configure_extra(self, *, unknown=None, **extra) -> None:
        if unknown is not None:
            self.unknown = unknown
        super().configure_extra(**extra)

    def lookup(self, request: Request) -> tuple[int, dict]:
        body = request.json()
        id_number, name = body.get("id_number", ""), body.get("name", "")
        if not id_number or not name:
            return 400, {"code": "bad_request", "message": "id_number and name are required"}
        with self.lock:
            record = self.records.get(id_number)
        if record is None:
            if self.unknown == "match":
                return 200, {"result": "match", "household_city": "", "has_id_photo": False}
            return 200, {"result": "no_record", "fields": []}
        fields = [field for field in ("name",) if record.get(field) != body.get(field)]
        # The record itself goes back too: a station shows it beside the form (rule 8).
        downloaded = {"name": record.get("name", ""), "household_city": record.get("household_city", "")}
        if fields:
            return 200, {"result": "mismatch", "fields": fields, "record": downloaded}
        return 200, {
            "result": "match",
            "household_city": record.get("household_city", ""),
            "has_id_photo": bool(record.get("has_id_photo")),
            "record": downloaded,
        }

    def lookup_batch(self, request: Request) -> tuple[int, dict]:
        """POST /lookup-batch {"people": [{"id_number", "name"}, ...]} (at most 5,000) -> {"answers": [...]}
        in the same order, each as /lookup answers: an employer roster is checked in a few requests."""
        people = request.json().get("people")
        if not isinstance(people, list) or len(people) > 5000:
            return 400, {"code": "bad_request", "message": "people: a list of at most 5000"}
        answers = []
        with self.lock:
            for person in people:
                id_number, name = person.get("id_number", ""), person.get("name", "")
                record = self.records.get(id_number)
                if not id_number or not name:
                    answers.append({"result": "bad_request", "fields": ["id_number", "name"]})
                elif record is None:
                    answers.append(
                        {"result": "match", "household_city": "", "has_id_photo": False}
                        if self.unknown == "match"
                        else {"result": "no_record", "fields": []}
                    )
                elif record.get("name") != name:
                    answers.append({"result": "mismatch", "fields": ["name"]})
                else:
                    answers.append(
                        {
                            "result": "match",
                            "household_city": record.get("household_city", ""),
                            "has_id_photo": bool(record.get("has_id_photo")),
                        }
                    )
        return 200, {"answers": answers}

    def report_unclaimed(self, request: Request) -> tuple[int, dict]:
        with self.lock:
            self.unclaimed_reports.append(request.json())
        return 202, {"received": True}

    def add_records(self, request: Request) -> tuple[int, dict]:
        body = request.json()
        with self.lock:
            for record in body.get("records", []):
                self.records[record["id_number"]] = dict(record)
            if body.get("unknown"):
                self.unknown = body["unknown"]
        return 200, {"records": len(self.records)}
