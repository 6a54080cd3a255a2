from django.contrib import admin

from .models import BankPayment, EmployerDocument, RosterBatch


@admin.register(RosterBatch)
class RosterBatchAdmin(admin.ModelAdmin):
    """Read-only: batches change through the services, and their applications through the workflow."""

    list_display = [
        "reference",
        "employer",
        "station",
        "state",
        "total_rows",
        "accepted_rows",
        "submitted_at",
        "paid_at",
    ]
    list_filter = ["state", "station"]
    list_select_related = ["employer", "station"]
    readonly_fields = [field.name for field in RosterBatch._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False


@admin.register(EmployerDocument)
class EmployerDocumentAdmin(admin.ModelAdmin):
    list_display = ["employer", "kind", "content_type", "uploaded_at"]
    list_filter = ["kind"]
    raw_id_fields = ["employer", "uploaded_by"]


@admin.register(BankPayment)
class BankPaymentAdmin(admin.ModelAdmin):
    list_display = ["event_id", "reference", "amount_yuan", "outcome", "received_at"]
    readonly_fields = ["event_id", "reference", "amount_yuan", "batch", "outcome", "received_at"]

    def has_add_permission(self, request):
        return False
