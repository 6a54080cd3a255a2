"""Account operations."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sbcard.errors import Conflict, InvalidInput
from sbcard.validators import validate_mobile_phone

from .models import PhoneCode, Role, User
from .phone_codes import use_code


def _check_phone(phone: str) -> None:
    try:
        validate_mobile_phone(phone)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), code="invalid_phone", field="phone") from error


def sign_up_citizen(
    *, name: str, id_number: str, phone: str, password: str, code: str | None, language: str = "zh-hans"
) -> User:
    """A citizen account: signs in with the mobile number, confirmed by an SMS code; linked to the Person
    with that ID number. `code=None` is for trusted callers only (the demo data)."""
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
        # Spent before the account is created, outside its transaction, so a wrong try stays counted.
        use_code(phone=phone, purpose=PhoneCode.Purpose.SIGN_UP, code=code)
    return _create_citizen(name=name, id_number=id_number, phone=phone, password=password, language=language)


@transaction.atomic
def _create_citizen(*, name: str, id_number: str, phone: str, password: str, language: str) -> User:
    from applications.services import find_or_create_person

    person = find_or_create_person(name=name, id_number=id_number, phone=phone)
    if person.user_id is not None:
        raise Conflict(
            _("An account already exists for this ID number; sign in, or ask a station to help."),
            code="id_number_taken",
            field="id_number",
        )
    user = User(username=phone, phone=phone, full_name=person.name, role=Role.CITIZEN, preferred_language=language)
    user.set_password(password)
    user.save()
    person.user = user
    if not person.phone:
        person.phone = phone
    person.save(update_fields=["user", "phone"])
    return user


def change_phone(user: User, *, new_phone: str, code: str) -> User:
    """A phone change is confirmed by a code sent to the new number; a citizen's login follows it."""
    _check_phone(new_phone)
    taken = User.objects.filter(username=new_phone) | User.objects.filter(phone=new_phone)
    if taken.exclude(pk=user.pk).exists():
        raise Conflict(_("This mobile number belongs to another account."), code="phone_taken", field="phone")
    use_code(phone=new_phone, purpose=PhoneCode.Purpose.CHANGE_PHONE, code=code)
    with transaction.atomic():
        user.phone = new_phone
        fields = ["phone"]
        if user.role == Role.CITIZEN:
            user.username = new_phone
            fields.append("username")
        user.save(update_fields=fields)
        person = getattr(user, "person", None)
        if person is not None:
            type(person).objects.filter(pk=person.pk).update(phone=new_phone)
    return user


def set_care_mode(user: User, *, on: bool) -> None:
    """Remember the user's choice of care mode (关怀模式) on their profile, for every device they sign in on."""
    if user.care_mode != on:
        user.care_mode = on
        user.save(update_fields=["care_mode"])
