from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry
from .services import person_key


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Search by staff member (their login) or by person (type the person's full ID number)."""

    list_display = ["created_at", "actor_label", "action", "object_type", "object_id", "outcome", "client_address"]
    list_filter = ["action", "outcome"]
    search_fields = ["actor_label"]
    search_help_text = _("A staff login, or a person's full resident ID number.")
    show_full_result_count = False
    date_hierarchy = "created_at"

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip().upper()
        if len(term) == 18 and term[:17].isdigit():
            return queryset.filter(person_key=person_key(term)), False
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
