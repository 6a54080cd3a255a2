"""Account operations."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from stdnum.cn import uscc

from sbcard.errors import Conflict, InvalidInput
from sbcard.validators import validate_mobile_phone, validate_person_name

from .models import Employer, PhoneCode, Role, ServiceStation, User, validate_credit_code
from .phone_codes import use_code


def _check_phone(phone: str) -> None:
    try:
        validate_mobile_phone(phone)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), code="invalid_phone", field="phone") from error


def check_new_citizen_account(*, name: str, phone: str, password: str, code: str | None) -> None:
    """Before a citizen's account is made: a free mobile number, a strong password, and the SMS code sent to
    it, spent here, outside the sign-up's transaction, so a wrong try stays counted. `code=None` is for
    trusted callers only (the demo data)."""
    _check_phone(phone)
    if User.objects.filter(username=phone).exists():
        raise Conflict(
            _("This mobile number already has an account; sign in instead."), code="phone_taken", field="phone"
        )
    try:
        password_validation.validate_password(password, User(username=phone, full_name=name))
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), code="weak_password", field="password") from error
    if code is not None:
        use_code(phone=phone, purpose=PhoneCode.Purpose.SIGN_UP, code=code)


def create_citizen_account(*, name: str, phone: str, password: str, language: str) -> User:
    """The account itself: it signs in with the mobile number (checked first by check_new_citizen_account)."""
    user = User(username=phone, phone=phone, full_name=name, role=Role.CITIZEN, preferred_language=language)
    user.set_password(password)
    user.save()
    return user


def change_phone(user: User, *, new_phone: str, code: str) -> User:
    """A phone change is confirmed by a code sent to the new number; a citizen's login follows it."""
    _check_phone(new_phone)
    taken = User.objects.filter(username=new_phone) | User.objects.filter(phone=new_phone)
    if taken.exclude(pk=user.pk).exists():
        raise Conflict(_("This mobile number belongs to another account."), code="phone_taken", field="phone")
    use_code(phone=new_phone, purpose=PhoneCode.Purpose.CHANGE_PHONE, code=code)
    # Notices go to the account's phone; the person's record keeps the phone given when it was made.
    with transaction.atomic():
        user.phone = new_phone
        fields = ["phone"]
        if user.role == Role.CITIZEN:
            user.username = new_phone
            fields.append("username")
        user.save(update_fields=fields)
    return user


# --- employers (rule 19): their registration and approval are driven by rosters, which keeps their materials


@transaction.atomic
def create_employer_with_agent(
    *,
    name: str,
    credit_code: str,
    station: ServiceStation,
    contact_phone: str,
    agent_username: str,
    agent_name: str,
    agent_phone: str,
    password: str,
) -> User:
    """A new employer, not approved yet, and its agent's account; refusals name the field."""
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InvalidInput(_("Enter the employer's registered name."), field="name")
    code = uscc.compact(credit_code or "")
    try:
        validate_credit_code(code)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), code="invalid_credit_code", field="credit_code") from error
    if Employer.objects.filter(credit_code=code).exists():
        raise Conflict(
            _("This employer is already registered; ask its agent or the station to add you."),
            code="employer_exists",
            field="credit_code",
        )
    if station is None or not station.is_active:
        raise InvalidInput(_("Choose an open station."), field="station")
    try:
        validate_person_name(agent_name)
        validate_mobile_phone(agent_phone)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), field="agent_name") from error
    if not agent_username or User.objects.filter(username=agent_username).exists():
        raise Conflict(_("This user name is taken; choose another."), code="username_taken", field="agent_username")
    employer = Employer.objects.create(
        name=name, credit_code=code, station=station, contact_phone=(contact_phone or "").strip()[:30]
    )
    agent = User(
        username=agent_username,
        full_name=agent_name.strip(),
        phone=agent_phone,
        role=Role.EMPLOYER_AGENT,
        employer=employer,
    )
    try:
        password_validation.validate_password(password, agent)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), code="weak_password", field="password") from error
    agent.set_password(password)
    agent.save()
    return agent


def mark_employer_approved(employer_id: int) -> None:
    Employer.objects.filter(pk=employer_id).update(is_approved=True)


def set_care_mode(user: User, *, on: bool) -> None:
    """Remember the user's choice of care mode (关怀模式) on their profile, for every device they sign in on."""
    if user.care_mode != on:
        user.care_mode = on
        user.save(update_fields=["care_mode"])
