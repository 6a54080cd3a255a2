"""The parts every notice shares: the SMS signature, and the marking of a notice sent to a guardian or an
employer's agent about someone else. What each notice says lives with the app that sends it."""

from django.utils.translation import gettext as _

SMS_PREFIX = "【社保卡】"


def mask_name(name: str) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧**娜: enough for the guardian to know which child."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def for_someone_else(text: str, holder_name: str) -> str:
    return _("(for %(holder)s) ") % {"holder": mask_name(holder_name)} + text
