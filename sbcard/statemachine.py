"""The status engine: one kind of transition table, and one function that applies it to one record or many.

Each status machine is declared by the app that owns its records — `applications/workflow.py` (applications)
and `issuance/lifecycle.py` (cards) — as a list of `Transition`s: `(status, event) -> status`, the roles that
may fire it, whether it needs a reason, and its guard. `StatusMachine.apply` and `apply_in_bulk` are the only
code that writes a status column (tests/test_status_has_one_writer.py keeps it so). For one record or ten
thousand they do the same thing in the same order:

1. lock the rows (`SELECT … FOR UPDATE`, in id order so two bulk calls never deadlock);
2. check each row against the table, the actor's role towards it, the reason and the guard — every refusal
   is raised before anything is written (one record: the precise error; many: one error naming them all);
3. write the new status with its timestamps, one UPDATE per target status;
4. write one history row per change (a COPY when there are many) and the audit rows, through the owning
   app's audit writer;
5. run what a higher app asked to run after an event (`after`), inside the same transaction;
6. send the follow-up jobs after commit.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from .bulk import insert_rows
from .errors import Conflict, InvalidInput, NotPermitted
from .jobs import Job, send_after_commit

CREATE_EVENT = "create"
# Above this many changes the history is written with COPY (sbcard.bulk): a model instance per row would
# cost more than all the SQL of a roster's ten thousand.
BULK_HISTORY_ROWS = 50


@dataclass(frozen=True)
class Transition:
    source: str
    event: str
    target: str
    roles: frozenset[str]
    label: Any
    needs_reason: bool = False
    guard: Callable[[Any], str | None] | None = None


def transition(source, event, target, roles, label, *, needs_reason=False, guard=None) -> Transition:
    return Transition(str(source), event, str(target), frozenset(roles), label, needs_reason, guard)


@dataclass
class Change:
    """One record's move, as written to its history."""

    record: Any
    event: str
    from_status: str
    to_status: str
    role: str
    history_id: int | None = None


@dataclass(frozen=True)
class Reason:
    """Why: a code from a list, the words, and structured detail (the partner's value that differs)."""

    code: str = ""
    text: str = ""
    detail: dict | None = None


@dataclass(frozen=True)
class Wording:
    """What a refusal says, for this kind of record (applications, cards)."""

    not_now: Any  # with %(status)s
    not_allowed: Any
    guard_code: str = "refused_by_rule"


@dataclass
class StatusMachine:
    model: type[models.Model]
    history: type[models.Model]
    history_link: str  # the history's foreign key to the record, e.g. "application"
    transitions: Sequence[Transition]
    role_of: Callable[[Any, Any], str | None]  # (actor, record) -> role, or None when none
    wording: Wording
    audit: Callable[[list[Change], Any], None]  # writes the audit rows of these changes
    follow_ups: Callable[[list[Change]], Iterable[Job]] = lambda changes: ()
    stamps: dict[str, tuple[str, ...]] = field(default_factory=dict)  # target status -> fields set to now
    lock_related: tuple[str, ...] = ()
    defer: tuple[str, ...] = ()

    def __post_init__(self):
        self.table: dict[tuple[str, str], Transition] = {(t.source, t.event): t for t in self.transitions}
        self.events: tuple[str, ...] = tuple(dict.fromkeys(t.event for t in self.transitions))
        self._after: dict[str, list[Callable[[list[Change], Any], None]]] = defaultdict(list)
        names = {f.name for f in self.model._meta.concrete_fields}
        self._touch_updated_at = "updated_at" in names
        history_fields = {f.name for f in self.history._meta.concrete_fields}
        self._history_has_reason_code = "reason_code" in history_fields
        self._history_has_reason_detail = "reason_detail" in history_fields  # what a partner holds, say

    # --- what the table allows ---------------------------------------------------------------------------

    def allowed_events(self, record, actor) -> list[str]:
        """Events this actor could fire now (guards aside): which buttons a page shows."""
        role = self.role_of(actor, record)
        return [t.event for t in self.transitions if t.source == record.status and role in t.roles]

    def after(self, event: str, handler: Callable[[list[Change], Any], None]) -> None:
        """A higher app asks to run `handler(changes, actor)` in the same transaction whenever `event` is
        applied (issuance retires the old card when a replacement is approved): the lower app never
        imports the higher one."""
        self._after[event].append(handler)

    # --- applying it -------------------------------------------------------------------------------------

    def refusal(self, record, event: str, *, actor, reason_code: str = "", reason: str = ""):
        """What stops `event` on `record` for this actor, as the error `apply` raises, or None. Reads only the
        record and the actor (and whatever the transition's guard reads)."""
        transition = self.table.get((record.status, event))
        if transition is None:
            return Conflict(
                self.wording.not_now % {"status": record.get_status_display()},
                code="transition_not_allowed",
                extra={"status": record.status, "event": event},
            )
        if self.role_of(actor, record) not in transition.roles:
            return NotPermitted(self.wording.not_allowed, code="role_not_allowed")
        if transition.needs_reason and not (reason_code or reason.strip()):
            return InvalidInput(_("Give a reason."), code="reason_required", field="reason")
        if transition.guard is not None:
            problem = transition.guard(record)
            if problem:
                return Conflict(problem, code=self.wording.guard_code)
        return None

    def apply(self, record_id: int, event: str, *, actor, reason_code: str = "", reason: str = "", reason_detail=None):
        """Fire `event` on one record; returns it with its new status. Raises Conflict (409), NotPermitted
        (403) or InvalidInput (400) before anything is written."""
        with transaction.atomic():
            record = self._locked([record_id])[0]
            self._apply([record], event, actor=actor, reason=Reason(reason_code, reason, reason_detail), one=True)
        return record

    def apply_to_locked(
        self, record, event: str, *, actor, reason_code: str = "", reason: str = "", reason_detail=None
    ):
        """The same, for a caller that has just locked the row in its own open transaction."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("apply_to_locked needs the row locked in an open transaction")
        self._apply([record], event, actor=actor, reason=Reason(reason_code, reason, reason_detail), one=True)
        return record

    def apply_in_bulk(
        self, record_ids: Iterable[int], event: str, *, actor, reason_code: str = "", reason: str = ""
    ) -> list[int]:
        """Fire one event on many records at once (a roster, a paid batch, a batch pickup): the same checks
        as `apply`, all or nothing, in a fixed number of queries however many records. Raises one Conflict
        naming the refused records; then nothing has changed."""
        ids = sorted(set(record_ids))
        if not ids:
            return []
        with transaction.atomic():
            records = self._locked(ids)
            if len(records) != len(ids):
                raise Conflict(_("Some of these records no longer exist."), code="missing_records")
            self._apply(records, event, actor=actor, reason=Reason(reason_code, reason, None), one=False)
        return ids

    def record_creation(self, records: Sequence, *, actor) -> None:
        """The first history row of records created in their initial status (one, or a roster's many)."""
        changes = [
            Change(record, CREATE_EVENT, "", record.status, self.role_of(actor, record) or "") for record in records
        ]
        self._write_history(changes, actor=actor, reason=Reason(), now=None)

    def mermaid(self, *, initial: str, skip_events: Iterable[str] = (), notes: Iterable[str] = ()) -> str:
        """The table as a Mermaid state diagram, for the README."""
        lines = ["stateDiagram-v2", f"    [*] --> {initial}"]
        seen = set()
        for t in self.transitions:
            key = (t.source, t.target, t.event)
            if t.event in skip_events or key in seen:
                continue
            seen.add(key)
            lines.append(f"    {t.source} --> {t.target}: {t.event} ({','.join(sorted(t.roles))})")
        lines += [f"    {note}" for note in notes]
        return "\n".join(lines)

    # --- the steps ---------------------------------------------------------------------------------------

    def _locked(self, ids: list[int]) -> list:
        return list(
            self.model.objects.select_for_update(of=("self",))
            .select_related(*self.lock_related)
            .defer(*self.defer)
            .filter(pk__in=ids)
            .order_by("pk")
        )

    def _apply(self, records, event, *, actor, reason: Reason, one: bool) -> list[Change]:
        changes: list[Change] = []
        refused: list[str] = []
        for record in records:
            refusal = self.refusal(record, event, actor=actor, reason_code=reason.code, reason=reason.text)
            if isinstance(refusal, InvalidInput) or (refusal is not None and one):
                raise refusal  # a missing reason is the request's fault, not one record's
            if refusal is not None:
                refused.append(f"{_label(record)} ({refusal.message})")
                continue
            transition = self.table[(record.status, event)]
            changes.append(Change(record, event, record.status, transition.target, self.role_of(actor, record)))
        if refused:
            raise Conflict(
                _("Nothing was changed: %(count)d of them cannot be done now: %(list)s")
                % {"count": len(refused), "list": "; ".join(refused[:20])},
                code="transition_not_allowed",
            )
        now = timezone.now()
        self._write_status(changes, now)
        self._write_history(changes, actor=actor, reason=reason, now=now)
        self.audit(changes, actor)
        for handler in self._after.get(event, ()):
            handler(changes, actor)
        for job in self.follow_ups(changes):
            send_after_commit(job)
        return changes

    def _write_status(self, changes: list[Change], now) -> None:
        by_target: dict[str, list[Change]] = defaultdict(list)
        for change in changes:
            by_target[change.to_status].append(change)
        for target, group in by_target.items():
            values = {"status": target, "status_changed_at": now}
            if self._touch_updated_at:
                values["updated_at"] = now
            values.update({name: now for name in self.stamps.get(target, ())})
            self.model.objects.filter(pk__in=[change.record.pk for change in group]).update(**values)
            for change in group:
                for name, value in values.items():
                    setattr(change.record, name, value)

    def _write_history(self, changes: list[Change], *, actor, reason: Reason, now) -> None:
        """One history row per change; their ids go onto the changes (the notices are keyed by them).
        `now` None: each row takes its record's own creation time (records created earlier in bulk)."""
        link = f"{self.history_link}_id"
        actor_id = actor.pk if actor is not None else None
        constants = {"actor_id": actor_id, "reason": reason.text.strip()}
        if self._history_has_reason_code:
            constants["reason_code"] = reason.code
        if self._history_has_reason_detail and reason.detail is not None:
            constants["reason_detail"] = reason.detail
        if len(changes) <= BULK_HISTORY_ROWS:
            rows = self.history.objects.bulk_create(
                [
                    self.history(
                        **{link: change.record.pk},
                        event=change.event,
                        from_status=change.from_status,
                        to_status=change.to_status,
                        actor_role=change.role,
                        created_at=now or change.record.created_at,
                        **constants,
                    )
                    for change in changes
                ]
            )
            for change, row in zip(changes, rows, strict=True):
                change.history_id = row.pk
            return
        # COPY returns no ids: the new rows are those above the highest id before it. Nothing else can add
        # rows for these records meanwhile: they are locked.
        before = self.history.objects.aggregate(highest=Max("pk"))["highest"] or 0
        written = insert_rows(
            self.history,
            (link, "event", "from_status", "to_status", "actor_role", "created_at"),
            ((c.record.pk, c.event, c.from_status, c.to_status, c.role, now or c.record.created_at) for c in changes),
            constants=constants,
        )
        saved = dict(
            self.history.objects.filter(**{f"{link}__in": [c.record.pk for c in changes]}, pk__gt=before)
            .order_by()
            .values_list(link, "pk")
        )
        if written != len(changes) or len(saved) != written:
            raise RuntimeError(f"wrote {written} history rows but found {len(saved)}")  # never, while rows are locked
        for change in changes:
            change.history_id = saved[change.record.pk]


def _label(record) -> str:
    return str(getattr(record, "reference", None) or record.pk)
