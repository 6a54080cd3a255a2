"""Care mode (关怀模式, for older people): larger text, stronger contrast, bigger targets and one task per
screen. The choice lives in a cookie (so it works before signing in) and on the user's profile (so it follows
them to every device). The cookie, when the browser has one, is the latest choice made on it."""

from django.conf import settings

from .services import set_care_mode

COOKIE = "care_mode"
COOKIE_MAX_AGE = 365 * 24 * 3600


def care_mode_on(request) -> bool:
    chosen = request.COOKIES.get(COOKIE)
    if chosen in ("0", "1"):
        return chosen == "1"
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.care_mode)


def remember_choice(request, response, *, on: bool) -> None:
    """The toggle: the cookie for this browser, and the profile when someone is signed in."""
    response.set_cookie(
        COOKIE,
        "1" if on else "0",
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    if request.user.is_authenticated:
        set_care_mode(request.user, on=on)


def adopt_browser_choice(request, user) -> None:
    """On signing in: a choice made in this browser before signing in becomes the profile's."""
    chosen = request.COOKIES.get(COOKIE)
    if chosen in ("0", "1"):
        set_care_mode(user, on=chosen == "1")
