from django.contrib import admin

from tadamun.moderation.models import ModerationDecision, Report


class ReadOnly(admin.ModelAdmin):
    # Decisions go through the review pages (services: reports closed, authors told, logged);
    # the admin only reads.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(ReadOnly):
    list_display = ["pk", "content_type", "object_id", "reason", "status", "created"]
    list_filter = ["status", "reason", "content_type"]
    raw_id_fields = ["reporter", "handled_by", "workgroup"]


@admin.register(ModerationDecision)
class ModerationDecisionAdmin(ReadOnly):
    list_display = ["pk", "content_type", "object_id", "action", "reason", "by", "created"]
    list_filter = ["action", "reason", "content_type"]
    raw_id_fields = ["by", "workgroup"]
