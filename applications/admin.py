from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import record_personal_data_read
from sbcard.idnumbers import parse_resident_id

from .calendar import NoticeError, enter_year
from .models import CalendarDay, CardApplication, CityPolicy, Person, StatusEvent
from .workdays import years_without_calendar


class StatusEventInline(admin.TabularInline):
    model = StatusEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "event", "from_status", "to_status", "actor", "actor_role", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CardApplication)
class CardApplicationAdmin(admin.ModelAdmin):
    """Read-mostly: status changes go through the workflow, never through this form."""

    list_display = ["reference", "person", "kind", "channel", "station", "status", "submitted_at"]
    list_filter = ["status", "kind", "channel", "station"]
    list_select_related = ["person", "station"]
    readonly_fields = ["status", "submitted_at", "status_changed_at", "person", "applicant", "photo"]
    raw_id_fields = ["employer"]
    inlines = [StatusEventInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    """No search box: the admin's search is a GET, and an ID number or a name must not go into a URL or an
    access log (SECURITY.md 7). The list has a form that finds one person by ID number in a POST instead."""

    list_display = ["name", "id_number_masked", "birth_date", "sex"]
    raw_id_fields = ["user"]
    show_full_result_count = False
    change_list_template = "admin/applications/person/change_list.html"

    @admin.display(description=gettext_lazy("resident ID number"))
    def id_number_masked(self, person: Person) -> str:
        return person.masked_id_number

    def get_urls(self):
        find = path("find/", self.admin_site.admin_view(self.find_view), name="applications_person_find")
        return [find, *super().get_urls()]

    def find_view(self, request):
        changelist = reverse("admin:applications_person_changelist")
        if request.method != "POST" or not self.has_view_permission(request):
            return redirect(changelist)
        try:
            number = parse_resident_id(request.POST.get("id_number", "")).number
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(changelist)
        person = Person.objects.filter(id_number=number).only("pk").first()
        if person is None:
            messages.warning(request, _("No person with this ID number is on file."))
            return redirect(changelist)
        return redirect(reverse("admin:applications_person_change", args=[person.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The change form shows the full ID number and phone: the read is audited.
        person = self.get_object(request, object_id)
        if person is not None:
            record_personal_data_read(request, person, id_number=person.id_number, what="admin person form")
        return super().change_view(request, object_id, form_url, extra_context)


class EnterYearForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    notice = forms.CharField(
        label=gettext_lazy("The State Council's notice"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "cols": 100}),
        help_text=gettext_lazy(
            "Paste the notice's items as published, such as “二、春节：1月28日（农历除夕、周二）至2月4日"
            "（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。” Lines of dates work too: "
            "“2027-02-05 至 2027-02-11 春节” and “2027-02-14 上班”."
        ),
    )
    notice_file = forms.FileField(
        label=gettext_lazy("or upload it as a text file"), required=False, help_text=gettext_lazy("UTF-8 or GBK.")
    )

    def clean(self):
        data = super().clean()
        upload = data.get("notice_file")
        if upload is not None:
            raw = upload.read(256 * 1024 + 1)
            if len(raw) > 256 * 1024:
                raise forms.ValidationError(_("The file is longer than a notice (256 KB); paste the items instead."))
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    data["notice"] = raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise forms.ValidationError(_("The file is neither UTF-8 nor GBK text; paste the notice instead."))
        if not (data.get("notice") or "").strip():
            raise forms.ValidationError(_("Paste the notice or upload it as a text file."))
        return data


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """The working-day calendar. A year is entered in one step from the State Council's notice (`enter_year`,
    which recomputes the open deadlines and tells the people whose date moved); single days are not edited
    here, so the table and the deadlines computed from it cannot drift apart."""

    list_display = ["date", "is_working_day", "name", "source"]
    list_filter = ["is_working_day", "source"]
    date_hierarchy = "date"
    change_list_template = "admin/applications/calendarday/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        enter = path(
            "enter-year/", self.admin_site.admin_view(self.enter_year_view), name="applications_calendar_enter"
        )
        return [enter, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra = {"provisional_years": years_without_calendar(), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def enter_year_view(self, request):
        if not request.user.is_city_admin:
            raise PermissionDenied
        today = timezone.localdate()
        form = EnterYearForm(request.POST or None, request.FILES or None, initial={"year": today.year + 1})
        problems = []
        if request.method == "POST" and form.is_valid():
            try:
                entered = enter_year(form.cleaned_data["year"], form.cleaned_data["notice"], actor=request.user)
            except NoticeError as error:
                problems = error.problems
            else:
                messages.success(request, entered_message(entered))
                changelist = reverse("admin:applications_calendarday_changelist")
                return redirect(f"{changelist}?date__year={entered.year}")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Enter a year's holidays"),
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
        }
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(request, "admin/applications/calendarday/enter_year.html", context, status=status)


def entered_message(entered) -> str:
    return _(
        "%(year)s entered: %(holidays)d holidays and %(working)d make-up working days. Dates that moved, each "
        "person told: %(applications)d application steps, %(reports)d loss-report deadlines, %(appointments)d "
        "appointments on a new holiday, %(batches)d roster pickup dates."
    ) % {
        "year": entered.year,
        "holidays": entered.holidays,
        "working": entered.working_days,
        "applications": entered.moved.get("application", 0),
        "reports": entered.moved.get("loss_report", 0),
        "appointments": entered.moved.get("appointment", 0),
        "batches": entered.moved.get("roster_batch", 0),
    }


@admin.register(CityPolicy)
class CityPolicyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not CityPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
