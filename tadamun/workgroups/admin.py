from django.contrib import admin

from tadamun.workgroups.models import Post, Thread, Workgroup, WorkgroupMembership


class MembershipInline(admin.TabularInline):
    model = WorkgroupMembership
    extra = 0
    raw_id_fields = ["user"]
    fields = ["user", "role", "status"]


@admin.register(Workgroup)
class WorkgroupAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_en", "name_ar", "visibility", "join_policy"]
    list_filter = ["visibility", "join_policy"]
    search_fields = ["slug", "name_en", "name_ar"]
    filter_horizontal = ["themes"]
    inlines = [MembershipInline]


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ["subject", "workgroup", "post_count", "last_activity"]
    list_filter = ["workgroup"]
    search_fields = ["subject"]
    raw_id_fields = ["started_by"]
    readonly_fields = ["subject_key", "created", "post_count"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    # Status changes go through the moderation page (services.post_moderate: audited, mail,
    # delivery); the admin only reads.
    list_display = ["subject", "workgroup", "author_name", "source", "status", "created"]
    list_filter = ["status", "source", "workgroup"]
    search_fields = ["subject", "message_id"]
    raw_id_fields = ["thread", "parent", "author"]
    readonly_fields = [field.name for field in Post._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
