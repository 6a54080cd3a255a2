"""Account operations."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sbcard.errors import Conflict, InvalidInput
from sbcard.validators import validate_mobile_phone

from .models import Role, User


@transaction.atomic
def sign_up_citizen(*, name: str, id_number: str, phone: str, password: str, language: str = "zh-hans") -> User:
    """A citizen account: signs in with the mobile number; linked to the Person with that ID number."""
    from applications.services import find_or_create_person

    try:
        validate_mobile_phone(phone)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), code="invalid_phone", field="phone") from error
    if User.objects.filter(username=phone).exists():
        raise Conflict(
            _("This mobile number already has an account; sign in instead."), code="phone_taken", field="phone"
        )
    person = find_or_create_person(name=name, id_number=id_number, phone=phone)
    if person.user_id is not None:
        raise Conflict(
            _("An account already exists for this ID number; sign in, or ask a station to help."),
            code="id_number_taken",
            field="id_number",
        )
    user = User(username=phone, phone=phone, full_name=person.name, role=Role.CITIZEN, preferred_language=language)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), code="weak_password", field="password") from error
    user.set_password(password)
    user.save()
    person.user = user
    if not person.phone:
        person.phone = phone
    person.save(update_fields=["user", "phone"])
    return user
