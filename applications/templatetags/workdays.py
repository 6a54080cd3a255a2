"""`{{ date|working_date }}`: a date computed in Chinese working days, marked when its year's holidays are not
published yet, so no one reads an estimate as a promise."""

from django import template
from django.template.defaultfilters import date as format_date
from django.utils.html import format_html
from django.utils.translation import gettext as _

from applications.workdays import provisional_note

register = template.Library()


@register.filter
def working_date(day, date_format: str = "Y-m-d"):
    if not day:
        return ""
    note = provisional_note(day)
    if not note:
        return format_date(day, date_format)
    return format_html(
        '{} <span class="provisional">{}</span>', format_date(day, date_format), _("(%(note)s)") % {"note": note}
    )
