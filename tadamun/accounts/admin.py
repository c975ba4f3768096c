from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from tadamun.accounts.models import User, UserSession
from tadamun.core.audit import audit
from tadamun.core.models import AuditEvent

# Network roles change only on the audited roles page (accounts:person_roles); Django-level
# flags changed here are audited by save_model.
ADMIN_AUDITED_FLAGS = ("is_active", "is_staff", "is_superuser")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "email", "status", "is_coordinator"]
    list_filter = ["status", "is_coordinator", "is_translator", "hide_membership"]
    search_fields = ["username", "display_name", "legal_name", "email"]
    readonly_fields = ["status", "is_coordinator", "is_translator", "hide_membership"]

    def save_model(self, request, obj, form, change):
        before = {}
        if change:
            before = dict(User.objects.filter(pk=obj.pk).values(*ADMIN_AUDITED_FLAGS).get())
        super().save_model(request, obj, form, change)
        after = {flag: getattr(obj, flag) for flag in ADMIN_AUDITED_FLAGS}
        if change and before != after:
            audit(
                AuditEvent.Action.ROLE_CHANGED,
                actor=request.user,
                subject=obj,
                before=before,
                after=after,
                via="admin",
            )

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
