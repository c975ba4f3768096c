from django.contrib import admin

from tadamun.lists.models import (
    BounceEvent,
    Delivery,
    InboundMessage,
    MailingList,
    Subscription,
    ThreadMute,
)


@admin.register(MailingList)
class MailingListAdmin(admin.ModelAdmin):
    list_display = ["__str__", "enabled", "personalise", "reply_to", "dmarc_mitigation"]
    list_filter = ["enabled", "personalise"]
    search_fields = ["workgroup__slug", "workgroup__name_en", "workgroup__name_ar"]
    raw_id_fields = ["workgroup"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "mailing_list", "mode", "status", "bounce_score", "last_bounce"]
    list_filter = ["status", "mode", "mailing_list"]
    search_fields = ["email"]
    raw_id_fields = ["user", "mailing_list"]
    readonly_fields = ["confirm_token_hash", "created", "last_digest"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["recipient", "post", "state", "attempts", "next_attempt", "sent_at"]
    list_filter = ["state"]
    search_fields = ["recipient"]
    raw_id_fields = ["post", "subscription"]
    readonly_fields = ["claimed_until", "claim_token", "created"]


@admin.register(BounceEvent)
class BounceEventAdmin(admin.ModelAdmin):
    list_display = ["subscription", "permanent", "received"]
    list_filter = ["permanent"]
    raw_id_fields = ["subscription", "delivery"]


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ["recipient", "message_id", "kind", "state", "received"]
    list_filter = ["kind", "state"]
    search_fields = ["recipient", "message_id"]
    raw_id_fields = ["post", "mailing_list"]
    exclude = ["raw"]


@admin.register(ThreadMute)
class ThreadMuteAdmin(admin.ModelAdmin):
    raw_id_fields = ["user", "thread"]
