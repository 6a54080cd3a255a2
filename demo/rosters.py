"""The demo employer's roster batches, one in each state: dry run only, submitted, awaiting payment,
in production, ready for pickup, collected (called by `manage.py load_demo`).

The dry runs ask an information centre simulator started here on loopback for the load, which knows
the demo staff with their ID photos (but two, whose photos come in a ZIP). Applications move through
the workflow table as in life: the clerk approves, the system events stand for the partners' answers.
"""

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from accounts.models import Employer, User
from applications import workflow
from applications.models import CardApplication
from applications.services import record_card_made
from demo.people import (
    ROSTER_AGENT_ID_NUMBER,
    ROSTER_STAFF_FIRST_BIRTH,
    ROSTER_STAFF_REGION,
    demo_card_account,
)
from demo.photos import make_id_photo
from partners.registry.simulator import RegistrySimulator
from rosters import services
from rosters.models import RosterBatch

from .roster_samples import photos_zip, roster_xlsx, sample_rows

# stage -> number of people; each batch its own people (applications/demo_people.py: ROSTER_STAFF_*)
STAGES = [
    ("dry_run", 6),
    ("submitted", 4),
    ("awaiting_payment", 5),
    ("in_production", 4),
    ("ready_for_pickup", 3),
    ("collected", 3),
]


def load_roster_demo(*, employer: Employer, agent: User, clerk: User) -> list[RosterBatch]:
    if RosterBatch.objects.filter(employer=employer).exists():
        return []
    registry = RegistrySimulator(port=0).start()
    urls = settings.PARTNER_URLS
    settings.PARTNER_URLS = {**urls, "registry": registry.url}
    try:
        batches = []
        offset = 0
        for stage, count in STAGES:
            rows = sample_rows(count, region=ROSTER_STAFF_REGION, first_birth=ROSTER_STAFF_FIRST_BIRTH, offset=offset)
            offset += count
            with registry.lock:
                for index, row in enumerate(rows):
                    registry.records[row["id_number"]] = {**row, "has_id_photo": index >= 2}
            extra = []
            if stage == "dry_run":  # two rows the agent must correct
                extra = [["李四", "330108197503010000", "1380013800", "城镇职工基本医疗保险", "杭州市", "杭州市滨江区"]]
            batches.append(_batch(stage, rows, extra, agent=agent, clerk=clerk))
        return batches
    finally:
        settings.PARTNER_URLS = urls
        registry.stop()


def _batch(stage: str, rows: list[dict], extra: list[list], *, agent: User, clerk: User) -> RosterBatch:
    photos = photos_zip([row["id_number"] for row in rows[:2]], photo=make_id_photo())
    batch, _new = services.upload_roster(
        actor=agent,
        roster=SimpleUploadedFile(f"员工名册-{stage}.xlsx", roster_xlsx(rows, extra=extra)),
        photos=SimpleUploadedFile("照片.zip", photos),
    )
    if stage == "dry_run":
        return batch
    with transaction.atomic():
        batch = services.submit_batch(batch.pk, actor=agent, charge_fee=stage != "submitted")
        if stage == "submitted":
            return batch
        ids = list(CardApplication.objects.filter(roster_entry__batch=batch).values_list("pk", flat=True))
        workflow.apply_event_in_bulk(ids, "approve", actor=clerk)
        workflow.apply_event_in_bulk(ids, "registry_confirmed", actor=None)
        for application in CardApplication.objects.filter(pk__in=ids).select_related("person"):
            # what the bank's answer records: the account the bank simulator knows (applications/demo_people.py)
            CardApplication.objects.filter(pk=application.pk).update(
                bank_account_number=demo_card_account(application.person.id_number)
            )
        workflow.apply_event_in_bulk(ids, "payment_requested", actor=None)
        if stage == "awaiting_payment":
            return batch
        services.confirm_payment(batch.pk, actor=clerk, channel="clerk")
        if stage == "in_production":
            return batch
        for application_id in ids:  # what the vendor's callback records
            record_card_made(application_id, card_number=f"D{application_id:09d}", batch_number=f"DEMO-{batch.pk}")
        workflow.apply_event_in_bulk(ids, "card_shipped", actor=None)
    if stage == "collected":
        signed_list = SimpleUploadedFile("领卡清单.png", make_id_photo(image_format="PNG"), content_type="image/png")
        services.hand_over_batch(
            batch.pk, actor=clerk, proxy_id_number=ROSTER_AGENT_ID_NUMBER, authorisation=signed_list
        )
    batch.refresh_from_db()
    return batch
