"""Demo e-cards (issue 20): a pharmacy and a hospital with a staff login each, 何美玲's e-card already checked twice,
her son's e-card (his card applied for by her with a proof of guardianship) and a relative's, held with consent."""

import datetime

from django.db.models import F
from django.utils import timezone

from accounts.models import MedicalInstitution, Role, User
from applications.models import InsuranceType
from applications.services import find_or_create_person
from demo.cards import collected_card
from demo.people import DEMO_ECARD_CHILD, demo_card_account, resident_id
from ecards.codes import issue_code
from ecards.models import ECardCheck, FamilyLink
from ecards.services import check_code
from issuance.models import Card

PHARMACY = ("H330100001", "仁心大药房（解放路店）", MedicalInstitution.Kind.PHARMACY, "解放路200号")
HOSPITAL = ("H330100002", "杭州市示例人民医院", MedicalInstitution.Kind.HOSPITAL, "庆春路88号")


def load_ecard_demo(*, station, clerk, password: str) -> bool:
    """Idempotent: does nothing once the demo pharmacy's staff login exists."""
    if User.objects.filter(username="pharmacy1").exists():
        return False
    staff = {}
    for username, full_name, (code, name, kind, address) in (
        ("pharmacy1", "王药师", PHARMACY),
        ("hospital1", "林医生", HOSPITAL),
    ):
        institution = MedicalInstitution.objects.create(code=code, name=name, kind=kind, address=address)
        staff[username] = User.objects.create_user(
            username, password=password, role=Role.VERIFIER, institution=institution, full_name=full_name
        )
    name, region, birth, sequence, guardian_phone = DEMO_ECARD_CHILD
    mother = User.objects.get(username=guardian_phone)
    son = find_or_create_person(name=name, id_number=resident_id(region, birth, sequence))
    collected_card(
        mother,
        station,
        clerk,
        account=demo_card_account(son.id_number),
        insurance=InsuranceType.URBAN_RURAL_RESIDENT,
        child=son,
    )
    # A relative's e-card on her phone: in the demo the consent is taken as given (no SMS gateway runs while the
    # demo data loads); in the portal it takes the code sent to the relative's phone.
    relative = User.objects.get(username="13800000021").person
    now = timezone.now()
    FamilyLink.objects.create(
        holder=mother,
        person=relative,
        relationship=FamilyLink.Relationship.OTHER,
        state=FamilyLink.State.ACTIVE,
        requested_at=now - datetime.timedelta(days=3),
        consented_at=now - datetime.timedelta(days=3),
    )
    # Her own e-card, checked at the hospital three days ago and at the pharmacy yesterday, as staff check codes.
    card = Card.objects.filter(person=mother.person).order_by("-issued_at").first()
    for username, days_ago in (("hospital1", 3), ("pharmacy1", 1)):
        result = check_code(issue_code(card).token, actor=staff[username])
        ECardCheck.objects.filter(pk=result.check.pk).update(
            checked_at=F("checked_at") - datetime.timedelta(days=days_ago)
        )
    return True
