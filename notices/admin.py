from django.contrib import admin

from .models import Notice


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "kind", "masked_phone", "delivery", "recipient"]
    list_filter = ["channel", "delivery", "kind"]
    raw_id_fields = ["recipient"]
    exclude = ["phone"]
    readonly_fields = ["dedupe_key", "masked_phone"]
    show_full_result_count = False
