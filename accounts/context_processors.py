from .care_mode import care_mode_on


def care_mode(request):
    """Every page's header offers the care mode toggle; the page is drawn for it when it is on."""
    return {"care_mode": care_mode_on(request)}
