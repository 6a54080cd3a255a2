from .workdays import years_without_calendar


def calendar_warning(request):
    """Admins see which years have no entered holidays: dates there are provisional."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not (user.is_staff or getattr(user, "is_city_admin", False)):
        return {}
    return {"years_without_calendar": years_without_calendar()}
