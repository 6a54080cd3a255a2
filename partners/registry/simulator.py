"""City information centre (市信息服务中心): identity and household-registration lookups (rules 7, 8, 9).

    POST /lookup     {"id_number", "name"} -> {"result": "match" | "mismatch" | "no_record", "fields": [...],
                                                   "record": {"name", "household_city"} (what it holds)}
    POST /unclaimed  {"reference", "station_code"} -> a card not collected 30 days after the notice
    POST /lookup-batch {"people": [{"id_number", "name"}, ...]} -> {"answers": [one /lookup answer each]}
    POST /_control/records  {"records": [{"id_number", "name", "household_city", "has_id_photo"}]}

It answers as the real one does: someone it has no record of is "no_record" (register the household
first), never a match; a mismatch names the field and gives the value it holds. The demo people are in
its records from the start (applications/demo_people.py); tests and benchmarks add theirs.
"""

from partners.simulator import Request, Simulator


class RegistrySimulator(Simulator):
    name = "registry"

    def __init__(self, *, records=(), **options):
        self.seed_records = [dict(record) for record in records]  # what it knows after every reset
        super().__init__(**options)

    def reset(self) -> None:
        self.records = {record["id_number"]: dict(record) for record in self.seed_records}
        self.unclaimed_reports: list[dict] = []

    def state(self) -> dict:
        return {"records": len(self.records), "unclaimed_reports": len(self.unclaimed_reports)}

    def routes(self) -> None:
        self.route("POST", "/lookup", self.lookup)
        self.route("POST", "/lookup-batch", self.lookup_batch)
        self.route("POST", "/unclaimed", self.report_unclaimed)
        self.route("POST", "/_control/records", self.add_records)

    def answer(self, id_number: str, name: str) -> dict:
        """One person's answer: no record, or the fields that differ with the value held, or a match."""
        record = self.records.get(id_number)
        if record is None:
            return {"result": "no_record", "fields": []}
        # The record itself goes back too: a station shows it beside the form (rule 8).
        held = {"name": record.get("name", ""), "household_city": record.get("household_city", "")}
        fields = [field for field in ("name",) if held[field] != name]
        if fields:
            return {"result": "mismatch", "fields": fields, "record": held}
        return {
            "result": "match",
            "household_city": held["household_city"],
            "has_id_photo": bool(record.get("has_id_photo")),
            "record": held,
        }

    def lookup(self, request: Request) -> tuple[int, dict]:
        body = request.json()
        id_number, name = body.get("id_number", ""), body.get("name", "")
        if not id_number or not name:
            return 400, {"code": "bad_request", "message": "id_number and name are required"}
        with self.lock:
            return 200, self.answer(id_number, name)

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
                if not id_number or not name:
                    answers.append({"result": "bad_request", "fields": ["id_number", "name"]})
                else:
                    answers.append(self.answer(id_number, name))
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
        return 200, {"records": len(self.records)}
