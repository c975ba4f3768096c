from django.contrib import admin

from tadamun.organisations.models import (
    Application,
    Invitation,
    Organisation,
    OrganisationMembership,
    Theme,
)


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_en", "name_ar"]


class MembershipInline(admin.TabularInline):
    model = OrganisationMembership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_ar", "kind", "scope", "country", "governorate"]
    list_filter = ["kind", "scope", "governorate", "listed_publicly"]
    search_fields = ["name_en", "name_ar", "city"]
    prepopulated_fields = {"slug": ["name_en"]}
    filter_horizontal = ["themes"]
    inlines = [MembershipInline]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    # Decisions are taken on the review page, where they are audited and mailed.
    list_display = ["applicant", "kind", "status", "created", "decided_at"]
    list_filter = ["status", "kind"]
    readonly_fields = ["applicant", "status", "decided_by", "decided_at", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "created", "expires_at", "accepted_at"]
    readonly_fields = ["token_hash", "invited_by", "accepted_at", "accepted_by", "revoked_at"]

    def has_add_permission(self, request):
        # An invitation's link exists only when made by the service.
        return False
