"""Sign in with mobile phone + SMS code (citizens only)."""

from django.contrib.auth.backends import ModelBackend

from sbcard.errors import InvalidInput

from .models import PhoneCode, Role, User
from .phone_codes import use_code


class PhoneCodeBackend(ModelBackend):
    def authenticate(self, request, phone=None, code=None, **kwargs):
        if not phone or not code:
            return None
        try:
            use_code(phone=phone, purpose=PhoneCode.Purpose.SIGN_IN, code=code)
        except InvalidInput:
            return None
        user = User.objects.filter(username=phone, role=Role.CITIZEN).first()
        return user if user is not None and self.user_can_authenticate(user) else None
