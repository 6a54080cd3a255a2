# ruff: noqa: S311 - synthetic data: the random module is what is wanted, nothing here is a secret
"""manage.py seed_city --people N: fill an empty database with a realistic synthetic city.

Stations, clerks, employers (valid credit codes) with their agents and roster batches, people (valid
resident ID numbers: regions, birth dates, sequence and check digit), and over the last two years each
person's applications with full timelines: created -> submitted -> verifying -> opening_account ->
[awaiting_payment] -> in_production -> ready_for_pickup -> collected, with returns and corrections,
withdrawals and cancellations, unclaimed cards, stuck and overdue cases (escalated to 督办), the matching
StatusEvent history, partner steps (and a sample of partner requests for latency), cards with activation
(about 80%, rule 21), loss reports (oral ones among them about to lapse) and replacements.

Stage durations are drawn from log-normal distributions per stage, slower at some stations, with a bank
slowdown three months ago and a vendor slowdown last month, so the dashboards have something to show.

This is a bulk data load, not a series of transitions: rows (statuses included) are generated here and
written with PostgreSQL's COPY, one background thread and connection per table so the database parses
while Python generates; secondary indexes and foreign keys are dropped first and rebuilt at the end, as
pg_restore does; then sequences are set and the tables analysed. On SQLite (tests, the embedded demo) the
same rows go through executemany. Then the dashboards' summariser folds the whole history once.
"""

import bisect
import contextlib
import datetime
import math
import multiprocessing
import random
import time
import uuid
from array import array

from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from stdnum.cn import uscc

from accounts.models import Employer, ServiceStation, User
from applications.models import CardApplication, Escalation, PartnerStep, Person, StatusEvent
from applications.workdays import add_working_days
from applications.workflow import TABLE
from issuance.lifecycle import CARD_TABLE
from issuance.models import Card, CardChange, CardEvent, LossReport
from partners.models import PartnerCall
from rosters.models import BatchApplication, EmployerApproval, RosterBatch
from sbcard.idnumbers import make_resident_id
from sbcard.statemachine import CREATE_EVENT

from .bulk import NULL, Sink, Table
from .loading import LoadingMixin

DAY = 86400
HOUR = 3600
STAFF_PASSWORD = "Correct-Horse-42"  # noqa: S105 - the synthetic city's staff logins, printed for the demo

REGIONS = [
    "330102", "330105", "330106", "330108", "330109", "330110", "330111", "330122", "330127", "330182",
    "330183", "330185", "330203", "330205", "330206", "330212", "330281", "330302", "330303", "330304",
    "330402", "330411", "330502", "330602", "330702", "330782", "331002", "331082", "340104", "360102",
    "410105", "420106", "430104", "320106", "310104", "110105", "440106", "510107", "500103", "610113",
]  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉俊峰建国志文斌浩宇欣怡梓涵子轩雨桐思远嘉懿晨阳佳琪博文"  # noqa: E501
DISTRICTS = ["上城区", "拱墅区", "西湖区", "滨江区", "萧山区", "余杭区", "临平区", "钱塘区", "富阳区", "临安区"]
STREETS = ["解放路", "延安路", "文三路", "江南大道", "学院路", "体育场路", "莫干山路", "天目山路", "凤起路", "庆春路"]
RETURN_CODES = ["photo", "name", "phone", "address", "household_city", "insurance_type"]
PHONE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "158",
                  "159", "176", "177", "180", "181", "182", "185", "186", "187", "188", "189", "199"]  # fmt: skip


def lognormal(median: float, sigma: float) -> float:
    return median * math.exp(random.gauss(0.0, sigma))


class City(LoadingMixin):
    def __init__(self, people: int, out):
        self.people = people
        self.out = out
        self.started = time.monotonic()
        now = timezone.now()
        self.now = int(now.timestamp())
        self.offset = int(timezone.localtime(now).utcoffset().total_seconds())
        self.start = self.now - 730 * DAY
        self.base = (self.start - 60 * DAY) // DAY * DAY
        base_date = datetime.datetime.fromtimestamp(self.base, tz=datetime.UTC).date()
        self.day_text = [(base_date + datetime.timedelta(days=d)).isoformat() + " " for d in range(1000)]
        self.hms = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(DAY)]
        self.today = timezone.localdate(now)
        self.sink = Sink()
        self.tables: list[Table] = []

    def say(self, message: str) -> None:
        if self.out is not None:
            self.out.write(f"[{time.monotonic() - self.started:7.1f}s] {message}")
            self.out.flush()

    def ts(self, moment: int) -> str:
        days, seconds = divmod(moment - self.base, DAY)
        return self.day_text[days] + self.hms[seconds]

    def local_date(self, moment: int) -> datetime.date:
        return datetime.datetime.fromtimestamp(moment + self.offset, tz=datetime.UTC).date()

    def next_ids(self, model) -> int:
        return (model.objects.aggregate(top=Max("id"))["top"] or 0) + 1

    def table(self, model, columns: str) -> Table:
        table = Table(self.sink, model, columns.split(), self.ts(self.now))
        self.tables.append(table)
        return table

    # --- the whole load ----------------------------------------------------------------------------

    def build(self) -> None:
        postgres = self.sink.threaded
        self.say(
            f"seeding a city of {self.people:,} people into {connection.vendor} ({connection.settings_dict['NAME']})"
        )
        models_loaded = [
            User, ServiceStation, Employer, Person, CardApplication, StatusEvent, Escalation, PartnerStep,
            PartnerCall, Card, CardEvent, LossReport, CardChange,
        ]  # fmt: skip
        roster_models = self._roster_models()
        models_loaded += roster_models
        saved = self._drop_indexes(models_loaded) if postgres else None
        # On PostgreSQL the rows go through the COPY connections, each committing its table; this connection
        # stays in autocommit so that it holds no lock the index rebuild would wait for. On SQLite one
        # transaction holds it all (foreign keys are checked at its commit).
        with contextlib.nullcontext() if postgres else transaction.atomic():
            self._staff_and_places(roster_models)
            self.bases = {model: self.next_ids(model) for model in models_loaded}
            self.bases[User] = self.user_id  # after the staff, who are not committed yet
            # Generating rows is Python's work and PostgreSQL parses COPY on the side: with a large city, two
            # generator processes (each its own share of people, ID-number regions, batches and id ranges) keep
            # both cores busy.
            workers = 2 if postgres and self.people >= 200_000 else 1
            if workers == 1:
                self._people_and_applications(0, 1)
                self.sink.close(self.tables)
                counts = {table.name: table.count for table in self.tables}
            else:
                self.sink.close(self.tables)
                counts = {table.name: table.count for table in self.tables}
                for name, count in self._in_workers(workers).items():
                    counts[name] = counts.get(name, 0) + count
            rows = sum(counts.values())
            elapsed = time.monotonic() - self.started
            self.say(f"generated and loaded {rows:,} rows in {elapsed:.1f}s ({rows / elapsed:,.0f} rows/s)")
            for name, count in counts.items():
                self.say(f"  {name}: {count:,}")
            if postgres:
                self._restore_indexes(saved)
            self._reset_sequences(models_loaded)
        if postgres:
            # VACUUM sets the visibility map, so that counts on the dashboards' indexes are index-only from
            # the start (autovacuum would get there later); ANALYZE gives the planner the new sizes.
            started = time.monotonic()
            self._run_in_parallel([f"VACUUM (ANALYZE) {model._meta.db_table}" for model in models_loaded], parallel=2)
            self.say(f"vacuumed and analysed in {time.monotonic() - started:.1f}s")

    def _in_workers(self, workers: int) -> dict[str, int]:
        """Run the people's part in `workers` forked processes; returns the rows each table got."""
        connection.close()  # each process opens its own
        context = multiprocessing.get_context("fork")
        results = context.Queue()
        processes = [
            context.Process(target=self._work, args=(worker, workers, results), daemon=True)
            for worker in range(workers)
        ]
        for process in processes:
            process.start()
        counts: dict[str, int] = {}
        errors = []
        for _ in processes:
            answer = results.get()
            if isinstance(answer, str):
                errors.append(answer)
                continue
            for name, count in answer.items():
                counts[name] = counts.get(name, 0) + count
        for process in processes:
            process.join()
        if errors:
            raise CommandError("generating the city failed: " + "; ".join(errors))
        return counts

    def _work(self, worker: int, workers: int, results) -> None:
        try:
            random.seed(random.random() + worker)
            self.sink = Sink()
            self.tables = []
            self._people_and_applications(worker, workers)
            self.sink.close(self.tables)
            results.put({table.name: table.count for table in self.tables})
        except BaseException as error:  # noqa: BLE001 - sent to the parent, which stops with it
            results.put(f"worker {worker}: {error!r}")
        finally:
            connection.close()

    def _roster_models(self) -> list:
        return [RosterBatch, BatchApplication, EmployerApproval]

    # --- indexes -----------------------------------------------------------------------------------

    def _staff_and_places(self, roster_models: list) -> None:
        count = max(6, round(self.people / 50_000))
        station_id = self.next_ids(ServiceStation)
        stations = self.table(ServiceStation, "id code name district address phone instant_issuance")
        self.stations = []
        for index in range(count):
            district = DISTRICTS[index % len(DISTRICTS)]
            code = f"C{index + 1:03d}"
            stations.add(
                station_id + index,
                code,
                f"{district}社保服务站{index // len(DISTRICTS) + 1}号",
                district,
                f"杭州市{district}{STREETS[index % len(STREETS)]}{index + 10}号",
                f"0571-8{index:07d}",
                1 if index % 10 == 0 else 0,
            )
            # Review speed, pickup habits and size differ by station: the bottleneck page has to show it.
            self.stations.append(
                {
                    "id": station_id + index,
                    "code": code,
                    "review": lognormal(1.0, 0.45) * (2.5 if index % 7 == 3 else 1.0),
                    "pickup": lognormal(1.0, 0.35),
                    "weight": lognormal(1.0, 0.5),
                    "instant": index % 10 == 0,
                }
            )
        total = sum(s["weight"] for s in self.stations)
        self.station_cumulative = []
        running = 0.0
        for station in self.stations:
            running += station["weight"] / total
            self.station_cumulative.append(running)

        staff_hash = make_password(STAFF_PASSWORD)
        self.user_id = self.next_ids(User)
        self.users = self.table(
            User,
            "id password username is_superuser is_staff is_active date_joined role full_name phone station_id "
            "employer_id",
        )
        joined = self.ts(self.start - 30 * DAY)
        self.admin_id = self._user(staff_hash, "city-admin", 1, 1, joined, "admin", "市级管理员", "", NULL, NULL)
        for station in self.stations:
            station["clerks"] = [
                self._user(
                    staff_hash, f"clerk-{station['code']}-{n}", 0, 0, joined, "clerk", f"经办员{station['code']}-{n}",
                    "", station["id"], NULL,
                )
                for n in (1, 2)
            ]  # fmt: skip

        employer_count = max(10, self.people // 600)
        employer_id = self.next_ids(Employer)
        employers = self.table(Employer, "id name credit_code station_id contact_phone is_approved created_at")
        self.employers = []
        for index in range(employer_count):
            station = self.stations[self._pick_station_index()]
            body = f"9133{index % 100:04d}MA{index:07d}"
            employers.add(
                employer_id + index,
                f"杭州{SURNAMES[index % len(SURNAMES)]}{GIVEN[index % len(GIVEN)]}科技有限公司{index}",
                body + uscc.calc_check_digit(body),
                station["id"],
                f"0571-6{index:07d}",
                1,
                joined,
            )
            agent = self._user(staff_hash, f"agent-{index + 1}", 0, 0, joined, "employer_agent", f"单位经办人{index}",
                               "", NULL, employer_id + index)  # fmt: skip
            self.employers.append({"id": employer_id + index, "station": station, "agent": agent})

        # Roster batches: sizes 5-150, submitted over the two years; each roster application takes a slot.
        self.roster_slots = []
        if roster_models:
            RosterBatch, _batch_application, EmployerApproval = roster_models
            approvals = self.table(EmployerApproval, "id employer_id approved_by_id approved_at")
            approval_id = self.next_ids(EmployerApproval)
            for index, employer in enumerate(self.employers):
                approvals.add(approval_id + index, employer["id"], self.admin_id, joined)
            batches = self.table(
                RosterBatch,
                "id employer_id station_id created_by_id state file_name file_format file_sha256 rows_sha256 "
                "total_rows rows_checked accepted_rows created_at checked_at submitted_at submitted_count",
            )
            batch_id = self.next_ids(RosterBatch)
            target = int(self.people * 0.22)
            while len(self.roster_slots) < target:
                employer = random.choice(self.employers)
                size = min(int(lognormal(30, 0.8)) + 5, 150, target - len(self.roster_slots))
                at = random.randint(self.start, self.now - HOUR)
                at = self._working_time(at)
                if at > self.now - HOUR:
                    continue
                digest = uuid.UUID(int=batch_id).hex * 2
                batches.add(
                    batch_id, employer["id"], employer["station"]["id"], employer["agent"], "submitted",
                    f"名册{batch_id}.xlsx", "xlsx", digest, digest, size, size, size, self.ts(at - 600),
                    self.ts(at - 300), self.ts(at), size,
                )  # fmt: skip
                self.roster_slots += [(batch_id, employer, at, line + 2) for line in range(size)]
                batch_id += 1
            random.shuffle(self.roster_slots)
        self.batch_model = roster_models[1] if roster_models else None
        self.say(
            f"{len(self.stations)} stations, {len(self.employers):,} employers, {len(self.roster_slots):,} roster rows"
        )

    def _user(self, password, username, superuser, staff, joined, role, full_name, phone, station, employer) -> int:
        user_id = self.user_id
        self.user_id += 1
        self.users.add(user_id, password, username, superuser, staff, 1, joined, role, full_name, phone, station,
                       employer)  # fmt: skip
        return user_id

    def _pick_station_index(self) -> int:
        return min(bisect.bisect_left(self.station_cumulative, random.random()), len(self.stations) - 1)

    def _working_time(self, moment: int) -> int:
        """The first moment at or after `moment` in station hours (8:30-17:30 local, Monday to Friday), at a
        random time of that day."""
        local = moment + self.offset
        candidate = local // DAY * DAY + random.randint(8 * HOUR + 1800, 17 * HOUR + 1800)
        if candidate < local:
            candidate += DAY
        weekday = (candidate // DAY + 3) % 7  # 1970-01-01 was a Thursday
        if weekday >= 5:
            candidate += (7 - weekday) * DAY
        return candidate - self.offset

    # --- people and their applications ----------------------------------------------------------

    def _people_and_applications(self, worker: int, workers: int) -> None:
        """People `worker`, `worker + workers`, ... of the city, with ids from this worker's own ranges."""
        share = -(-self.people // workers)
        caps = {  # the most rows of each table one person can bring, with room to spare
            User: 1, Person: 1, CardApplication: 4, StatusEvent: 40, PartnerStep: 16, PartnerCall: 6, Card: 3,
            CardEvent: 12, LossReport: 1, CardChange: 1, Escalation: 4, self.batch_model: 1,
        }  # fmt: skip

        def first_id(model) -> int:
            return self.bases[model] + (worker * caps[model] * share if workers > 1 else 0)

        if workers > 1:
            self.users = self.table(
                User,
                "id password username is_superuser is_staff is_active date_joined role full_name phone station_id "
                "employer_id",
            )
            self.user_id = first_id(User)
        self.person_id = first_id(Person)
        self.application_id = first_id(CardApplication)
        self.event_id = first_id(StatusEvent)
        self.step_id = first_id(PartnerStep)
        self.call_id = first_id(PartnerCall)
        self.card_id = first_id(Card)
        self.card_event_id = first_id(CardEvent)
        self.loss_id = first_id(LossReport)
        self.change_id = first_id(CardChange)
        self.escalation_id = first_id(Escalation)
        if self.batch_model is not None:
            self.batch_entries = self.table(self.batch_model, "id batch_id application_id line")
            self.batch_entry_id = first_id(self.batch_model)
        self.persons = self.table(Person, "id id_number name birth_date sex phone user_id created_at")
        self.applications = self.table(
            CardApplication,
            "id person_id applicant_id kind channel station_id employer_id status insurance_type household_city "
            "address phone photo_on_file_at_registry bank_account_number card_number card_batch_number "
            "submitted_at status_changed_at created_at updated_at",
        )
        self.events = self.table(
            StatusEvent,
            "id application_id event from_status to_status actor_id actor_role reason_code reason created_at",
        )
        self.escalations = self.table(Escalation, "id application_id summary handler_id created_at")
        self.steps = self.table(
            PartnerStep,
            "id application_id partner idempotency_key outcome attempts last_error unavailable_since "
            "result_reference created_at updated_at completed_at",
        )
        self.calls = self.table(
            PartnerCall,
            "id partner operation application_id idempotency_key attempt result http_status detail latency_ms sent_at "
            "answered_at",
        )
        self.cards = self.table(
            Card, "id number application_id person_id status status_changed_at swipe_limit issued_at activated_at"
        )
        self.card_events = self.table(
            CardEvent, "id card_id event from_status to_status actor_id actor_role created_at"
        )
        self.losses = self.table(
            LossReport,
            "id card_id kind channel reported_by_id written_deadline created_at confirmed_at lapsed_at withdrawn_at",
        )
        self.changes = self.table(CardChange, "id application_id old_card_id reason created_at")
        self.recent_calls_from = self.now - 2 * DAY
        seen = array("H", bytes(2 * len(REGIONS) * 36600))  # next sequence number per region and birth day
        epoch_birth = datetime.date(1930, 1, 1)
        mine = range(worker * share, min(self.people, (worker + 1) * share))
        my_slots = self.roster_slots[worker::workers]
        slots = iter(my_slots)
        roster_share = len(my_slots) / max(1, len(mine))
        started = time.monotonic()
        report_every = max(10_000, len(mine) // 10)
        for done, index in enumerate(mine, start=1):
            # Valid, unique resident ID numbers: region (each worker its own regions), a birth date (ages
            # 0-95, most of working age), a sequence whose parity is the sex, and the check digit.
            region_index = random.randrange(worker, len(REGIONS), workers)
            age_days = int(min(95 * 365, max(30, random.gauss(38 * 365, 17 * 365))))
            birth = self.today - datetime.timedelta(days=age_days)
            slot = region_index * 36600 + (birth - epoch_birth).days
            sequence = seen[slot]
            seen[slot] = sequence + 1
            sex_digit = random.randrange(2)
            number = make_resident_id(REGIONS[region_index], birth, sequence * 2 + sex_digit)
            sex = "M" if sex_digit == 1 else "F"
            name = random.choice(SURNAMES) + "".join(random.choice(GIVEN) for _ in range(random.randint(1, 2)))
            phone = PHONE_PREFIXES[index % len(PHONE_PREFIXES)] + f"{(index // len(PHONE_PREFIXES)) * 7919 % 10**8:08d}"
            channel_draw = random.random()
            roster = None
            if channel_draw < roster_share:
                roster = next(slots, None)
            if roster is not None:
                channel = "roster"
            elif channel_draw < roster_share + 0.42:
                channel = "online"
            elif channel_draw < roster_share + 0.70:
                channel = "counter"
            else:
                channel = "phone"
            person_id = self.person_id
            self.person_id += 1
            user_id = NULL
            if channel == "online":
                user_id = self._user("!seeded", phone, 0, 0, self.ts(self.start), "citizen", name, phone, NULL, NULL)
            created = roster[2] if roster else self._application_time(channel)
            self.persons.add(person_id, number, name, birth.isoformat(), sex, phone, user_id, self.ts(created - DAY))
            person = {"id": person_id, "user": user_id, "phone": phone, "name": name}
            insurance = "urban_employee" if roster or random.random() < 0.55 else (
                "retired_cadre" if age_days > 75 * 365 and random.random() < 0.2 else "urban_rural_resident"
            )  # fmt: skip
            station = roster[1]["station"] if roster else self.stations[self._pick_station_index()]
            result = self._application(person, "new", channel, station, created, insurance, roster)
            if result["status"] == "cancelled" and random.random() < 0.4:
                again = result["end"] + int(lognormal(10 * DAY, 0.8))
                if again < self.now - HOUR:
                    result = self._application(person, "new", "counter", station, self._working_time(again), insurance)
            if result["status"] == "collected":
                self._card_life(person, result, station, insurance)
            if done % report_every == 0:
                rate = done / (time.monotonic() - started)
                who = f"worker {worker + 1}/{workers}: " if workers > 1 else ""
                self.say(f"  {who}people {done:,}/{len(mine):,} ({rate:,.0f}/s), events {self.events.count:,}")

    def _application_time(self, channel: str) -> int:
        moment = random.randint(self.start, self.now - 60)
        if channel in ("counter", "phone"):
            moment = self._working_time(moment)
            if moment > self.now - 60:
                moment -= 7 * DAY
        return moment

    def _application(self, person, kind, channel, station, created, insurance, roster=None, old_card=None) -> dict:
        """Simulate one application from `created` up to now; write it, its history and its partner steps."""
        application_id = self.application_id
        self.application_id += 1
        now = self.now
        created = min(created, now - 3600)
        clerk = random.choice(station["clerks"])
        citizen = person["user"] if person["user"] != NULL else NULL
        events = []
        state = {"status": "", "t": created, "submitted": NULL, "account": "", "card": "", "batch": "", "steps": []}

        def record(event, target, moment, actor, role, reason_code="", reason=""):
            if events:  # an application's history only moves forward in time, and not past now
                moment = min(max(moment, state["t"] + 60), now)
            events.append((event, state["status"], target, actor, role, reason_code, reason, moment))
            state["status"] = target
            state["t"] = moment
            if target == "submitted":
                state["submitted"] = moment

        def go(event, moment, actor=NULL, role="system", reason_code="", reason=""):
            """The simulation chooses the event; the application table says where it leads, and who may fire it."""
            transition = TABLE[(state["status"], event)]  # a path the table does not have is a bug here
            if role not in transition.roles:
                raise AssertionError(f"seed_city: {role} cannot {event} from {state['status']}")
            record(event, transition.target, moment, actor, role, reason_code, reason)

        stuck = random.random() < 0.008
        if channel == "roster":
            applicant = roster[1]["agent"]
            record(CREATE_EVENT, "draft", created, applicant, "employer_agent")
            go("submit", created, applicant, "employer_agent")
        elif channel == "online":
            applicant = citizen
            record(CREATE_EVENT, "draft", created, citizen, "citizen")
            if random.random() < 0.03:
                return self._write_application(application_id, person, kind, channel, station, insurance, roster,
                                               applicant, events, state, clerk)  # fmt: skip
            moment = created + int(lognormal(1200, 1.5))
            if moment > now:
                return self._write_application(application_id, person, kind, channel, station, insurance, roster,
                                               applicant, events, state, clerk)  # fmt: skip
            go("submit", moment, citizen, "citizen")
        else:
            applicant = clerk
            record(CREATE_EVENT, "draft", created, clerk, "clerk")
            go("accept_at_counter", created + random.randint(60, 900), clerk, "clerk")
        if old_card is not None:
            self._retire(old_card, state, events)
        rounds = 0
        while state["status"] not in ("collected", "cancelled", "unclaimed_waiting"):
            status, moment = state["status"], state["t"]
            slow = random.uniform(8, 20) if stuck and random.random() < 0.5 else 1.0
            if status == "submitted":
                ends = moment + int(lognormal(1.3 * DAY * station["review"], 0.7) * slow)
                if random.random() < 0.012 and channel == "online":
                    ends = moment + int((ends - moment) * 0.5)
                    if ends > now:
                        break
                    go("withdraw", ends, citizen, "citizen")
                    break
                if ends > now:
                    break
                if random.random() < 0.08 and rounds < 3:
                    code = random.choice(RETURN_CODES)
                    go("return", self._working_time(ends), clerk, "clerk", code, "请按要求更正后重新提交。")
                else:
                    go("approve", self._working_time(ends), clerk, "clerk")
                    if old_card is not None:
                        self._retire(old_card, state, events)
            elif status == "returned":
                rounds += 1
                if random.random() < 0.12 or channel not in ("online", "roster"):
                    if random.random() < 0.3 and moment + 20 * DAY < now:
                        go("cancel", self._working_time(moment + 20 * DAY), clerk, "clerk", "",
                           "逾期未更正")  # fmt: skip
                    break
                ends = moment + int(lognormal(3 * DAY, 0.9))
                if ends > now:
                    break
                actor, role = (roster[1]["agent"], "employer_agent") if channel == "roster" else (citizen, "citizen")
                go("submit", ends, actor, role)
            elif status == "verifying":
                if station["instant"] and kind == "replacement" and channel == "counter":
                    go("issue_at_station", moment + random.randint(600, 3600), clerk, "clerk")
                    continue
                ends = moment + int(lognormal(4 * HOUR, 1.1) * slow)
                refused = random.random() < 0.015
                if not self._step(application_id, "registry", moment, ends, refused, state):
                    break
                if refused:
                    go("registry_refused", ends, reason_code="no_record", reason="信息中心无户籍记录")
                else:
                    go("registry_confirmed", ends)
            elif status == "opening_account":
                factor = 3.0 if now - 100 * DAY < moment < now - 70 * DAY else 1.0
                ends = moment + int(lognormal(1.5 * DAY * factor, 0.8) * slow)
                refused = random.random() < 0.02
                if not self._step(application_id, "bank", moment, ends, refused, state):
                    break
                state["account"] = f"6217{application_id:015d}"
                if refused:
                    state["account"] = ""
                    go("bank_refused", ends, reason_code="bank_mismatch", reason="银行客户信息与申请不一致")
                elif random.random() < 0.05:
                    go("payment_requested", ends)
                else:
                    go("account_opened", ends)
            elif status == "awaiting_payment":
                ends = moment + int(lognormal(3 * DAY, 1.0))
                if ends > now or random.random() < 0.15:  # some fees are still unpaid
                    break
                go("confirm_payment", ends)
            elif status == "in_production":
                factor = 1.8 if now - 45 * DAY < moment < now - 20 * DAY else 1.0
                median = 9 * DAY if kind == "replacement" else 16 * DAY
                ends = moment + int(lognormal(median * factor, 0.35) * slow)
                failed = random.random() < 0.004
                if not self._step(application_id, "vendor", moment, ends, failed, state):
                    break
                if failed:
                    go("production_failed", ends, reason_code="production_failed", reason="制卡失败")
                else:
                    local = self.local_date(ends)
                    state["card"] = f"C{application_id:012d}"
                    state["batch"] = f"P{local:%Y%m%d}{station['code']}"
                    go("card_shipped", ends)
            elif status in ("ready_for_pickup", "unclaimed"):
                if status == "ready_for_pickup":
                    state["ready"] = moment
                    waited = lognormal(5 * DAY * station["pickup"], 1.0)
                    if waited > 30 * DAY:
                        if moment + 30 * DAY > now:
                            break
                        go("mark_unclaimed", moment + 30 * DAY + random.randint(0, HOUR))
                        continue
                    ends = self._working_time(moment + int(waited))
                else:
                    if random.random() < 0.4:
                        break
                    ends = self._working_time(moment + int(lognormal(15 * DAY, 0.8)))
                if ends > now:
                    break
                go("hand_over", ends, clerk, "clerk")
            else:
                break
            # A rare cancellation by the station in the middle of the pipeline.
            if state["status"] in ("verifying", "opening_account", "in_production") and random.random() < 0.002:
                moment = state["t"] + random.randint(HOUR, 3 * DAY)
                if moment < now:
                    self._close_open_step(state, moment)
                    go("cancel", moment, clerk, "clerk", "", "申请人要求撤销")
        return self._write_application(application_id, person, kind, channel, station, insurance, roster, applicant,
                                       events, state, clerk)  # fmt: skip

    def _step(self, application_id: int, partner: str, started: int, ends: int, refused: bool, state) -> bool:
        """A partner step; returns whether it finished before now (else it stays open)."""
        attempts = 1 if random.random() < 0.9 else random.randint(2, 4)
        finished = ends <= self.now
        step = {
            "id": self.step_id, "partner": partner, "started": started, "ends": ends, "attempts": attempts,
            "outcome": ("refused" if refused else "done") if finished else "open", "application": application_id,
        }  # fmt: skip
        self.step_id += 1
        state["steps"].append(step)
        return finished

    def _close_open_step(self, state, moment: int) -> None:
        for step in state["steps"]:
            if step["outcome"] == "open":
                step["outcome"], step["ends"] = "refused", moment

    def _write_application(self, application_id, person, kind, channel, station, insurance, roster, applicant,
                           events, state, clerk) -> dict:  # fmt: skip
        ts = self.ts
        now = self.now
        status = state["status"]
        last = events[-1][7]
        created = events[0][7]
        district = random.choice(DISTRICTS)
        self.applications.add(
            application_id, person["id"], applicant, kind, channel, station["id"],
            roster[1]["id"] if roster else NULL, status, insurance, "杭州市",
            f"杭州市{district}{random.choice(STREETS)}{random.randint(1, 999)}号", person["phone"],
            1 if channel == "roster" else 0, state["account"], state["card"], state["batch"],
            ts(state["submitted"]) if state["submitted"] != NULL else NULL, ts(last), ts(created), ts(last),
        )  # fmt: skip
        add_event = self.events.add
        for event, source, target, actor, role, reason_code, reason, moment in events:
            add_event(
                self.event_id, application_id, event, source, target, actor, role, reason_code, reason, ts(moment)
            )
            self.event_id += 1
        if roster is not None:
            self.batch_entries.add(self.batch_entry_id, roster[0], application_id, roster[3])
            self.batch_entry_id += 1
        for step in state["steps"]:
            finished = step["outcome"] != "open"
            unavailable = (
                not finished and step["attempts"] >= 3 and now - step["started"] > 2 * HOUR and random.random() < 0.5
            )
            error = "partner timed out (read timeout after 10s)" if step["attempts"] > 1 and not finished else ""
            self.steps.add(
                step["id"], application_id, step["partner"], uuid.UUID(int=step["id"]), step["outcome"],
                step["attempts"], error, ts(step["started"] + 6 * HOUR) if unavailable else NULL,
                f"R{step['id']}" if finished else "", ts(step["started"]),
                ts(step["ends"] if finished else step["started"] + 60), ts(step["ends"]) if finished else NULL,
            )  # fmt: skip
            if step["started"] >= self.recent_calls_from or (finished and step["ends"] >= self.recent_calls_from):
                self._calls(application_id, step)
        if status in ("submitted", "verifying", "opening_account", "awaiting_payment", "in_production"):
            if now - created > 60 * DAY:
                escalated = created + 60 * DAY + random.randint(0, HOUR)
                handler = random.choice(station["clerks"]) if random.random() < 0.5 else NULL
                summary = (
                    f"SB{self.local_date(created):%Y%m%d}{application_id:07d}，{station['code']}：已受理"
                    f"{(now - created) // DAY}天，当前状态 {status}。"
                )
                self.escalations.add(self.escalation_id, application_id, summary, handler, ts(escalated))
                self.escalation_id += 1
        return {"id": application_id, "status": status, "end": last, "card": state["card"], "clerk": clerk}

    def _calls(self, application_id: int, step: dict) -> None:
        medians = {"registry": 120, "bank": 450, "vendor": 260}
        operation = {"registry": "verify_identity", "bank": "open_account", "vendor": "order_card"}[step["partner"]]
        sent = step["started"] + random.randint(1, 30)
        for attempt in range(1, step["attempts"] + 1):
            last = attempt == step["attempts"]
            finished = step["outcome"] != "open"
            result = ("refused" if step["outcome"] == "refused" else "ok") if last and finished else "transient"
            latency = int(lognormal(medians[step["partner"]], 0.6)) if result != "transient" else 10_000
            if sent > self.now:
                break
            self.calls.add(
                self.call_id, step["partner"], operation, application_id, uuid.UUID(int=step["id"]), attempt, result,
                200 if result == "ok" else (422 if result == "refused" else 503), "", latency, self.ts(sent),
                self.ts(sent + latency // 1000 + 1),
            )  # fmt: skip
            self.call_id += 1
            sent += int(30 * 2**attempt)

    def _retire(self, old_card: dict, state, events) -> None:
        """The old card stops when the replacement is approved (issuance.services.retire_old_card)."""
        if old_card.get("retired"):
            return
        old_card["retired"] = True
        self._card_event(old_card, "replace", NULL, "system", events[-1][7])

    # --- cards: activation, loss, replacement ----------------------------------------------------

    def _card_life(self, person, result, station, insurance) -> None:
        card = self._new_card(person, result, activate_share=0.82)
        if card["activated"] is None or random.random() > 0.025:
            self._write_card(card)
            return
        lost = card["activated"] + int(random.uniform(DAY, 700 * DAY))
        if lost > self.now - HOUR:
            self._write_card(card)
            return
        # Rule 12: oral reports (hotline, online) must be confirmed in writing within 3 working days.
        oral = random.random() < 0.65
        reporter = person["user"] if person["user"] != NULL else self.admin_id
        report_id = self.loss_id
        self.loss_id += 1
        confirmed = lapsed = withdrawn = NULL
        replaced = False
        if oral:
            deadline = add_working_days(self.local_date(lost), 3)
            role = "admin" if reporter == self.admin_id else "citizen"
            self._card_event(card, "report_lost_orally", reporter, role, lost)
            if deadline >= self.today:
                pass  # still waiting for the written confirmation: about to lapse, or not yet
            else:
                draw = random.random()
                if draw < 0.55:
                    moment = lost + random.randint(HOUR, 2 * DAY)
                    confirmed = self.ts(moment)
                    self._card_event(card, "confirm_loss_in_writing", result["clerk"], "clerk", moment)  # fmt: skip
                    replaced = True
                elif draw < 0.9:
                    lapse_day = deadline + datetime.timedelta(days=1)
                    moment = int(
                        datetime.datetime.combine(lapse_day, datetime.time(1), tzinfo=datetime.UTC).timestamp()
                    )
                    moment = min(moment - self.offset, self.now - 60)
                    lapsed = self.ts(moment)
                    self._card_event(card, "lapse_oral_report", NULL, "system", moment)
                else:
                    moment = lost + random.randint(HOUR, DAY)
                    withdrawn = self.ts(moment)
                    self._card_event(card, "unreport", result["clerk"], "clerk", moment)
            self.losses.add(report_id, card["id"], "oral", random.choice(["hotline", "online", "phone"]), reporter,
                            deadline.isoformat(), self.ts(lost), confirmed, lapsed, withdrawn)  # fmt: skip
        else:
            lost = self._working_time(lost)
            self._card_event(card, "report_lost_in_writing", result["clerk"], "clerk", lost)
            self.losses.add(report_id, card["id"], "written", "station", result["clerk"], NULL, self.ts(lost), NULL,
                            NULL, NULL)  # fmt: skip
            replaced = True
        if replaced and random.random() < 0.75:
            applied = self._working_time(card["changed"] + int(lognormal(2 * DAY, 0.8)))
            if applied < self.now - HOUR:
                channel = "online" if person["user"] != NULL and random.random() < 0.5 else "counter"
                replacement = self._application(person, "replacement", channel, station, applied, insurance,
                                                old_card=card)  # fmt: skip
                self.changes.add(self.change_id, replacement["id"], card["id"], "lost", self.ts(applied))
                self.change_id += 1
                self._write_card(card)
                if replacement["status"] == "collected":
                    self._write_card(self._new_card(person, replacement, activate_share=0.9))
                return
        self._write_card(card)

    def _new_card(self, person, result, activate_share: float) -> dict:
        card_id = self.card_id
        self.card_id += 1
        issued = result["end"]
        card = {
            "id": card_id, "number": result["card"] or f"C{result['id']:012d}", "application": result["id"],
            "person": person["id"], "issued": issued, "activated": None, "status": "issued", "changed": issued,
        }  # fmt: skip
        if random.random() < activate_share:
            moment = issued + int(lognormal(6 * DAY, 1.3))
            if moment < self.now:
                card["activated"] = moment
                self._card_event(card, "activate", result["clerk"], "clerk", moment)
        return card

    def _card_event(self, card, event, actor, role, moment) -> None:
        """The simulation chooses the event; the card table says where it leads, and who may fire it."""
        source = card["status"]
        transition = CARD_TABLE[(source, event)]  # a path the table does not have is a bug here
        if role not in transition.roles:
            raise AssertionError(f"seed_city: {role} cannot {event} a card from {source}")
        target = transition.target
        moment = min(max(moment, card["changed"] + 60), self.now)
        self.card_events.add(self.card_event_id, card["id"], event, source, target, actor, role, self.ts(moment))
        self.card_event_id += 1
        card["status"], card["changed"] = target, moment

    def _write_card(self, card) -> None:
        ts = self.ts
        self.cards.add(
            card["id"], card["number"], card["application"], card["person"], card["status"], ts(card["changed"]),
            2 if card["activated"] is not None else NULL, ts(card["issued"]),
            ts(card["activated"]) if card["activated"] is not None else NULL,
        )  # fmt: skip
