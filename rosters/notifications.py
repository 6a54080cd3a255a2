"""What an employer's agent is told about their batches."""

from django.urls import reverse
from django.utils.translation import gettext as _

from applications.calendar import DATE_MOVED, DateMove, moved_context
from notices.services import About, Recipient, notices_for, save_notices

from .models import RosterBatch


def tell_pickup_dates_moved(year: int, moves: list[DateMove]) -> int:
    """An entered holiday year moved the day a paid batch's cards are expected: the agent who filed it is told."""
    by_id = {move.object_id: move for move in moves}
    rows = []
    for batch in RosterBatch.objects.select_related("created_by").filter(pk__in=list(by_id)):
        agent = batch.created_by
        if not agent.is_active:
            continue
        context = {**moved_context(year, by_id[batch.pk]), "reference": batch.reference}
        rows += notices_for(
            key=f"datemoved{year}:roster_batch{batch.pk}:{by_id[batch.pk].new}",
            kind=DATE_MOVED,
            text_for=lambda context=context: (
                _(
                    "The State Council's %(year)s holiday schedule is now in the calendar: the cards of roster batch "
                    "%(reference)s are now expected from %(date)s instead of %(old)s."
                )
                % context
            ),
            recipients=[Recipient(agent, agent.phone)],
            about=About(
                reference=batch.reference,
                link=reverse("rosters:batch", args=[batch.pk]),
                station_id=batch.station_id,
            ),
        )
    save_notices(rows, send_now=False)
    return len(rows)
