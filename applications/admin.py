from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import record_personal_data_read

from .idnumbers import parse_resident_id
from .models import CalendarDay, CardApplication, CityPolicy, Person, StatusEvent


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


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_working_day", "name", "source"]
    list_filter = ["is_working_day", "source"]
    date_hierarchy = "date"


@admin.register(CityPolicy)
class CityPolicyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not CityPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
