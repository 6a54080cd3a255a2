"""Factories and named personas for the tests. Every ID number and photo here is generated.

ID numbers and credit codes are made with tests/oracles.py (the standards' formulas written out in the tests),
never with the portal's own functions: if the portal judged them wrongly, every test that signs someone up fails.
"""

import datetime
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Employer, MedicalInstitution, Role, ServiceStation, User
from accounts.tokens import issue_token
from applications import services
from applications.models import CardApplication, InsuranceType, Person, Relationship, Status
from demo.photos import make_id_photo
from demo.roster_samples import sample_rows
from tests import oracles

PASSWORD = "Correct-Horse-42"
_sequence = itertools.count(100)
_phones = itertools.count(13900000000)


def next_id_number(birth_date: datetime.date = datetime.date(1990, 1, 1), region: str = "330106") -> str:
    return oracles.resident_id(region, birth_date, next(_sequence) % 1000)


def next_phone() -> str:
    return str(next(_phones))


def make_station(code: str | None = None, name: str = "测试服务站") -> ServiceStation:
    code = code or f"T{next(_sequence):04d}"
    return ServiceStation.objects.create(code=code, name=f"{name}{code}", address="测试路1号")


def next_credit_code() -> str:
    """A valid unified social credit code (the check character from the GB 32100 oracle)."""
    return oracles.credit_code(f"91330106MA{next(_sequence):07d}")


def make_employer(station: ServiceStation, *, approved: bool = True) -> Employer:
    return Employer.objects.create(
        name=f"测试公司{next(_sequence)}", credit_code=next_credit_code(), station=station, is_approved=approved
    )


def make_citizen(name: str = "测试", *, birth_date: datetime.date = datetime.date(1990, 1, 1)) -> User:
    phone = next_phone()
    user = User.objects.create_user(phone, password=PASSWORD, phone=phone, full_name=name, role=Role.CITIZEN)
    number = next_id_number(birth_date)
    sex = "M" if int(number[16]) % 2 else "F"  # GB 11643: the sequence's last digit, odd for men
    Person.objects.create(id_number=number, name=name, birth_date=birth_date, sex=sex, phone=phone, user=user)
    return user


def make_clerk(station: ServiceStation, username: str | None = None) -> User:
    return User.objects.create_user(
        username or f"clerk{next(_sequence)}", password=PASSWORD, role=Role.CLERK, station=station
    )


def make_agent(employer: Employer) -> User:
    return User.objects.create_user(
        f"agent{next(_sequence)}", password=PASSWORD, role=Role.EMPLOYER_AGENT, employer=employer
    )


def make_institution(name: str = "测试大药房", kind: str = MedicalInstitution.Kind.PHARMACY) -> MedicalInstitution:
    return MedicalInstitution.objects.create(code=f"H{next(_sequence):06d}", name=name, kind=kind)


def make_verifier(institution: MedicalInstitution | None = None, name: str = "核验员") -> User:
    """Hospital or pharmacy staff, as the admin creates them."""
    return User.objects.create_user(
        f"verifier{next(_sequence)}",
        password=PASSWORD,
        role=Role.VERIFIER,
        institution=institution or make_institution(),
        full_name=name,
    )


def make_admin() -> User:
    return User.objects.create_superuser(f"admin{next(_sequence)}", password=PASSWORD, role=Role.ADMIN)


def application_body(station: ServiceStation, **extra) -> dict:
    """The JSON body of POST /api/v1/applications/ for oneself."""
    return {
        "insurance_type": "urban_employee",
        "station": station.pk,
        "household_city": "杭州市",
        "address": "杭州市上城区望江路100号",
        "phone": "13900001111",
        **extra,
    }


def api_token(user: User) -> str:
    """A fresh API token's value, as POST /api/v1/auth/token/ would give it."""
    return issue_token(user, name="test")[1]


def photo_file(name: str = "photo.jpg", **options) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, make_id_photo(**options), content_type="image/jpeg")


def proof_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("proof.png", make_id_photo(image_format="PNG"), content_type="image/png")


def make_application(
    citizen: User, station: ServiceStation, *, with_photo: bool = True, submit: bool = False, **fields
) -> CardApplication:
    application = services.start_application(
        actor=citizen,
        holder=citizen.person,
        station=station,
        insurance_type=fields.pop("insurance_type", InsuranceType.URBAN_EMPLOYEE),
        household_city=fields.pop("household_city", "杭州市"),
        address=fields.pop("address", "杭州市上城区望江路100号"),
        phone=fields.pop("phone", citizen.phone),
        **fields,
    )
    if with_photo:
        services.attach_photo(application.pk, actor=citizen, upload=photo_file())
    if submit:
        services.submit_application(application.pk, actor=citizen)
    application.refresh_from_db()
    return application


def make_ward_application(guardian: User, station: ServiceStation, birth_date: datetime.date) -> CardApplication:
    child = services.find_or_create_person(name="小测", id_number=next_id_number(birth_date))
    application = services.start_application(
        actor=guardian,
        holder=child,
        relationship=Relationship.MOTHER,
        station=station,
        insurance_type=InsuranceType.URBAN_RURAL_RESIDENT,
        household_city="杭州市",
        address="杭州市上城区望江路100号",
        phone=guardian.phone,
    )
    services.attach_guardian_proof(application.pk, actor=guardian, upload=proof_file())
    application.refresh_from_db()
    return application


def force_status(application: CardApplication, status: str) -> CardApplication:
    """Test set-up only: put an application straight into a status, skipping the path there."""
    CardApplication.objects.filter(pk=application.pk).update(status=status)
    application.refresh_from_db()
    return application


OPEN_STATUSES_IN_ORDER = [s.value for s in Status]


def make_card(citizen: User, station: ServiceStation, *, status: str = "issued", number: str | None = None):
    """A card handed over to `citizen` (test set-up: the status is put straight in place)."""
    import datetime as _dt

    from issuance.models import Card

    application = make_application(citizen, station, submit=True)
    card_number = number or f"H{next(_sequence):08d}"
    CardApplication.objects.filter(pk=application.pk).update(
        status=Status.COLLECTED,
        card_number=card_number,
        bank_account_number=oracles.with_luhn(f"621700{next(_sequence):012d}"),  # 19 digits, ISO/IEC 7812
    )
    card = Card.objects.create(
        number=card_number,
        application=application,
        person=citizen.person,
        issued_at=_dt.datetime.now(tz=_dt.UTC),
        swipe_limit=2 if status != "issued" else None,
    )
    Card.objects.filter(pk=card.pk).update(status=status)
    card.refresh_from_db()
    return card


def ready_for_pickup(citizen: User, station: ServiceStation, *, batch: str = "B1") -> CardApplication:
    application = make_application(citizen, station, submit=True)
    CardApplication.objects.filter(pk=application.pk).update(
        status=Status.READY_FOR_PICKUP, card_number=f"H{next(_sequence):08d}", card_batch_number=batch
    )
    application.refresh_from_db()
    return application


def roster_rows(count: int, *, region: str = "330106", first_birth=datetime.date(1960, 1, 1), offset: int = 0):
    """Roster rows as the template's sample makes them, their ID numbers made by the oracle."""
    return sample_rows(count, region=region, first_birth=first_birth, offset=offset, make_number=oracles.resident_id)
