"""Demo cards, one in each card state: used by load_demo."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F

from applications import services as application_services
from applications import workflow
from applications.models import CardApplication, InsuranceType, Relationship, StatusEvent
from applications.services import sign_up_citizen
from demo.people import DEMO_CARD_HOLDERS, demo_card_account, resident_id
from demo.photos import make_id_photo
from issuance import services


def load_card_demo(*, station, clerk, password: str) -> None:
    for index, (phone, name, region, birth, sequence, state) in enumerate(DEMO_CARD_HOLDERS):
        user = sign_up_citizen(
            name=name, id_number=resident_id(region, birth, sequence), phone=phone, password=password, code=None
        )
        card = collected_card(
            user,
            station,
            clerk,
            account=demo_card_account(user.person.id_number),
            insurance=[InsuranceType.URBAN_EMPLOYEE, InsuranceType.URBAN_RURAL_RESIDENT, InsuranceType.RETIRED_CADRE][
                index % 3
            ],
        )
        if state == "issued":
            continue
        services.activate_card(card.pk, actor=clerk)
        if state == "pre_reported_lost":
            services.report_loss_orally(card.pk, actor=user, channel="online")
        elif state == "reported_lost":
            services.report_loss_in_writing(card.pk, actor=clerk, presented_id_number=user.person.id_number)
        elif state == "replaced":
            services.report_loss_orally(card.pk, actor=user, channel="online")
            services.apply_for_replacement(card.pk, actor=clerk, presented_id_number=user.person.id_number)
        elif state == "exchanged":
            services.apply_for_exchange(card.pk, actor=clerk, reason="damaged")
        elif state == "frequent_replacements":
            _frequent_replacements(card, clerk)


def _frequent_replacements(card, clerk) -> None:
    """Three replacements in the last 12 months, each printed at the station and handed over, then a fourth
    taken at the counter: it waits in the review queue with the history (issue 20, SSA's count)."""
    number = card.person.id_number
    replacements = []
    for _ in range(3):
        services.report_loss_in_writing(card.pk, actor=clerk, presented_id_number=number)
        application = services.apply_for_replacement(card.pk, actor=clerk, presented_id_number=number, issue_now=True)
        card = services.hand_over_card(application.pk, actor=clerk, presented_id_number=number)
        services.activate_card(card.pk, actor=clerk)
        replacements.append(application.pk)
    for days_ago, application_id in zip((300, 190, 75), replacements, strict=True):
        CardApplication.objects.filter(pk=application_id).update(
            created_at=F("created_at") - datetime.timedelta(days=days_ago)
        )
    services.report_loss_in_writing(card.pk, actor=clerk, presented_id_number=number)
    services.apply_for_replacement(card.pk, actor=clerk, presented_id_number=number, issue_now=True)


def collected_card(user, station, clerk, *, account: str, insurance: str, child=None):
    """Walk an application through the table to pickup, the partners' steps played by the system. With `child`
    (a Person under 16), the user applies as the child's mother, with a proof of guardianship."""
    application = application_services.start_application(
        actor=user,
        holder=child or user.person,
        relationship=Relationship.MOTHER if child else Relationship.SELF,
        station=station,
        insurance_type=insurance,
        household_city="杭州市",
        address="杭州市上城区望江路100号",
        phone=user.phone,
    )
    application_services.attach_photo(
        application.pk, actor=user, upload=SimpleUploadedFile("p.jpg", make_id_photo(), content_type="image/jpeg")
    )
    if child is not None:
        proof = SimpleUploadedFile("proof.png", make_id_photo(image_format="PNG"), content_type="image/png")
        application_services.attach_guardian_proof(application.pk, actor=user, upload=proof)
    application_services.submit_application(application.pk, actor=user)
    application_services.approve_application(application.pk, actor=clerk)
    workflow.apply_event(application.pk, "registry_confirmed", actor=None)
    # The account the bank simulator knows from the start (applications/demo_people.py), so the bank hears
    # of this card's loss reports and replacement like any other.
    CardApplication.objects.filter(pk=application.pk).update(bank_account_number=account)
    workflow.apply_event(application.pk, "account_opened", actor=None)
    application_services.record_card_made(
        application.pk, card_number=f"D{application.pk:08d}", batch_number="B-DEMO-S001-0001"
    )
    workflow.apply_event(application.pk, "card_shipped", actor=None)
    holder = child or user.person
    card = services.hand_over_card(application.pk, actor=clerk, presented_id_number=holder.id_number)
    # A demo history that took weeks, not seconds.
    shift = datetime.timedelta(days=45)
    CardApplication.objects.filter(pk=application.pk).update(
        created_at=F("created_at") - shift, submitted_at=F("submitted_at") - shift
    )
    StatusEvent.objects.filter(application=application, event__in=["create", "submit"]).update(
        created_at=F("created_at") - shift
    )
    return card
