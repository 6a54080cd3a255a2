from django.contrib import admin

from .models import ECardCheck, FamilyLink


@admin.register(ECardCheck)
class ECardCheckAdmin(admin.ModelAdmin):
    """Every check of an e-card, as it happened: read only (the holder sees the same list)."""

    list_display = ["checked_at", "institution", "verifier", "outcome", "card_status", "card"]
    list_filter = ["outcome", "institution"]
    list_select_related = ["institution", "verifier", "card"]
    date_hierarchy = "checked_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FamilyLink)
class FamilyLinkAdmin(admin.ModelAdmin):
    """Who holds whose e-card: changed only by the people themselves (consent by SMS code, ending it)."""

    list_display = ["holder", "relationship", "state", "requested_at", "consented_at", "ended_at"]
    list_filter = ["state", "relationship"]
    list_select_related = ["holder"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
