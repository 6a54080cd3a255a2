from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from sbcard.idnumbers import mask_phone

from .models import ApiToken, Employer, MedicalInstitution, ServiceStation, User


@admin.register(ServiceStation)
class ServiceStationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "district", "phone", "is_active"]
    list_filter = ["is_active", "district"]
    search_fields = ["code", "name"]


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "station", "is_approved"]
    list_filter = ["is_approved", "station"]
    search_fields = ["name", "credit_code"]
    list_select_related = ["station"]


@admin.register(MedicalInstitution)
class MedicalInstitutionAdmin(admin.ModelAdmin):
    """Designated hospitals and pharmacies: the admin creates one, then its staff as users with the role
    "Hospital or pharmacy staff" bound to it; they check electronic cards."""

    list_display = ["code", "name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["masked_username", "full_name", "role", "station", "employer", "institution", "is_active"]
    list_filter = ["role", "is_active", "station"]
    search_fields = ["username", "full_name"]
    list_select_related = ["station", "employer", "institution"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        (
            _("Portal"),
            {
                "fields": (
                    "role",
                    "full_name",
                    "phone",
                    "station",
                    "employer",
                    "institution",
                    "preferred_language",
                    "sms_notices_enabled",
                    "care_mode",
                )
            },
        ),
    )

    @admin.display(description=_("user name"), ordering="username")
    def masked_username(self, user):
        # A citizen's user name is their mobile number: masked in the list (SECURITY.md 6).
        return mask_phone(user.username) if user.role == "citizen" else user.username

    add_fieldsets = DjangoUserAdmin.add_fieldsets + (
        (_("Portal"), {"fields": ("role", "full_name", "phone", "station", "employer", "institution")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Admins see who holds API tokens and can revoke one (delete it); tokens are issued only through the API."""

    list_display = ["prefix", "user", "name", "created_at", "expires_at", "last_used_at"]
    search_fields = ["name", "prefix"]  # not the user name: a citizen's is a phone number (no personal data in URLs)
    list_select_related = ["user"]
    readonly_fields = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at"]
    exclude = ["key_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
