from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from tadamun.accounts.models import User, UserSession


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "email", "status", "is_coordinator"]
    list_filter = ["status", "is_coordinator", "is_translator", "hide_membership"]
    search_fields = ["username", "display_name", "legal_name", "email"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (
            _("Network"),
            {
                "fields": [
                    "legal_name",
                    "display_name",
                    "status",
                    "is_coordinator",
                    "is_translator",
                    "hide_membership",
                    "preferred_language",
                    "bio",
                ]
            },
        ),
    ]


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    list_display = ["user", "user_agent_summary", "created", "last_seen"]
    readonly_fields = ["user", "session_key", "user_agent_summary", "created", "last_seen"]

    def has_add_permission(self, request):
        return False
