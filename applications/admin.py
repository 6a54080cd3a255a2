from django.contrib import admin

from audit.services import record_personal_data_read

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
    list_display = ["name", "masked_id_number", "birth_date", "sex"]
    search_fields = ["=id_number", "name"]
    raw_id_fields = ["user"]
    show_full_result_count = False

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
