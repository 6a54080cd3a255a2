"""Partner failures staff must act on: recorded when a job gives up, shown in the trouble list, sent again or
marked handled by staff (SECURITY.md 12: never silently stuck)."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from .errors import PartnerError
from .models import PartnerFailure


def record_failure(error: PartnerError, *, task_name: str, args: list, permanent: bool) -> PartnerFailure:
    """The job `task_name(*args)` failed for good; one open row per job, counted up when it fails again."""
    fields = {
        "partner": error.partner or "",
        "operation": error.operation or "",
        "application_id": error.application_id,
        "permanent": permanent,
        "code": (error.code or "")[:60],
        "message": str(error.message or error)[:300],
        "http_status": error.http_status,
    }
    args = list(args)
    for _attempt in range(2):  # two workers failing the same job at once: the second counts up
        updated = PartnerFailure.objects.filter(task_name=task_name, task_args=args, resolved_at=None).update(
            occurrences=F("occurrences") + 1,
            last_failed_at=timezone.now(),
            partner=fields["partner"],
            operation=fields["operation"],
            application_id=fields["application_id"],
            permanent=fields["permanent"],
            code=fields["code"],
            message=fields["message"],
            http_status=fields["http_status"],
        )
        if updated:
            return PartnerFailure.objects.get(task_name=task_name, task_args=args, resolved_at=None)
        try:
            with transaction.atomic():
                return PartnerFailure.objects.create(task_name=task_name, task_args=args, **fields)
        except IntegrityError:
            continue
    raise RuntimeError("could not record the partner failure")  # pragma: no cover - the loop always returns


def open_failures():
    return PartnerFailure.objects.filter(resolved_at=None)


@transaction.atomic
def mark_handled(failure_id: int, *, actor) -> bool:
    return bool(
        open_failures()
        .filter(pk=failure_id)
        .update(resolved_at=timezone.now(), resolved_by=actor, resolution="handled")
    )


@transaction.atomic
def send_again(failure_id: int, *, actor) -> bool:
    """The same job again (after the partner or the data was put right); it records a new failure if it fails."""
    failure = open_failures().select_for_update().filter(pk=failure_id).first()
    if failure is None:
        return False
    PartnerFailure.objects.filter(pk=failure.pk).update(
        resolved_at=timezone.now(), resolved_by=actor, resolution="sent_again"
    )
    task, args = import_string(failure.task_name), list(failure.task_args)
    transaction.on_commit(lambda: task.delay(*args))
    return True
