"""Demo cards, one in each card state: used by load_demo."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F

from applications import services as application_services
from applications import workflow
from applications.models import CardApplication, InsuranceType, StatusEvent
from applications.services import sign_up_citizen
from demo.people import resident_id
from demo.photos import make_id_photo
from issuance import services

# phone, name, region, birth date, sequence, the card's state in the demo
DEMO_CARD_HOLDERS = [
    ("13800000021", "郑建国", "330102", datetime.date(1958, 10, 1), 131, "issued"),
    ("13800000022", "何美玲", "330104", datetime.date(1975, 6, 18), 242, "active"),
    ("13800000023", "许文强", "330105", datetime.date(1982, 1, 9), 353, "pre_reported_lost"),
    ("13800000024", "冯晓梅", "330106", datetime.date(1991, 3, 27), 464, "reported_lost"),
    ("13800000025", "邓志远", "330108", datetime.date(1969, 12, 5), 575, "replaced"),
    ("13800000026", "曹雪芬", "330110", datetime.date(1986, 7, 7), 686, "exchanged"),
]


def load_card_demo(*, station, clerk, password: str) -> None:
    for index, (phone, name, region, birth, sequence, state) in enumerate(DEMO_CARD_HOLDERS):
        user = sign_up_citizen(
            name=name, id_number=resident_id(region, birth, sequence), phone=phone, password=password, code=None
        )
        card = _collected_card(
            user,
            station,
            clerk,
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


def _collected_card(user, station, clerk, *, insurance: str):
    """Walk an application through the table to pickup, the partners' steps played by the system."""
    application = application_services.start_application(
        actor=user,
        holder=user.person,
        station=station,
        insurance_type=insurance,
        household_city="杭州市",
        address="杭州市上城区望江路100号",
        phone=user.phone,
    )
    application_services.attach_photo(
        application.pk, actor=user, upload=SimpleUploadedFile("p.jpg", make_id_photo(), content_type="image/jpeg")
    )
    application_services.submit_application(application.pk, actor=user)
    application_services.approve_application(application.pk, actor=clerk)
    workflow.apply_event(application.pk, "registry_confirmed", actor=None)
    CardApplication.objects.filter(pk=application.pk).update(bank_account_number=f"621700{application.pk:012d}3")
    workflow.apply_event(application.pk, "account_opened", actor=None)
    application_services.record_card_made(
        application.pk, card_number=f"D{application.pk:08d}", batch_number="B-DEMO-S001-0001"
    )
    workflow.apply_event(application.pk, "card_shipped", actor=None)
    card = services.hand_over_card(application.pk, actor=clerk, presented_id_number=user.person.id_number)
    # A demo history that took weeks, not seconds.
    shift = datetime.timedelta(days=45)
    CardApplication.objects.filter(pk=application.pk).update(
        created_at=F("created_at") - shift, submitted_at=F("submitted_at") - shift
    )
    StatusEvent.objects.filter(application=application, event__in=["create", "submit"]).update(
        created_at=F("created_at") - shift
    )
    return card
