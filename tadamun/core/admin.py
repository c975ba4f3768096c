from django.contrib import admin

from tadamun.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created", "action", "actor", "subject"]
    list_filter = ["action"]
    readonly_fields = ["created", "action", "actor", "subject", "detail"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # append-only: the database refuses it too (core migration 0005)
