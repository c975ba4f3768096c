from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One security-relevant event. Never stores an IP address (see README, Privacy)."""

    class Action(models.TextChoices):
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        LOGOUT = "logout", _("Signed out")
        LOGOUT_EVERYWHERE = "logout_everywhere", _("Signed out everywhere")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        PASSWORD_RESET = "password_reset", _("Password reset")
        EMAIL_CONFIRMED = "email_confirmed", _("E-mail address confirmed")
        MFA_ADDED = "mfa_added", _("Second factor added")
        MFA_REMOVED = "mfa_removed", _("Second factor removed")
        MFA_CODES_REGENERATED = "mfa_codes", _("Recovery codes regenerated")
        MFA_POLICY = "mfa_policy", _("Second-factor policy changed")
        ROLE_CHANGED = "role_changed", _("Role changed")
        APPLIED = "applied", _("Application submitted")
        APPROVED = "approved", _("Application approved")
        REJECTED = "rejected", _("Application declined")
        INVITED = "invited", _("Invitation sent")
        INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted")
        INVITATION_REVOKED = "invitation_revoked", _("Invitation revoked")
        PRIVACY_CHANGED = "privacy_changed", _("Privacy settings changed")
        ORG_CHANGED = "org_changed", _("Organisation changed")
        WORKGROUP_JOINED = "workgroup_joined", _("Joined a workgroup")
        WORKGROUP_REQUESTED = "workgroup_requested", _("Asked to join a workgroup")
        WORKGROUP_APPROVED = "workgroup_request_approved", _("Workgroup request approved")
        WORKGROUP_DECLINED = "workgroup_request_declined", _("Workgroup request declined")
        WORKGROUP_INVITED = "workgroup_invited", _("Invited to a workgroup")
        WORKGROUP_INVITE_ACCEPTED = "workgroup_invite_accepted", _("Workgroup invitation accepted")
        WORKGROUP_INVITE_DECLINED = "workgroup_invite_declined", _("Workgroup invitation declined")
        WORKGROUP_LEFT = "workgroup_left", _("Left a workgroup")
        WORKGROUP_REMOVED = "workgroup_member_removed", _("Removed from a workgroup")
        WORKGROUP_ROLE = "workgroup_role_changed", _("Workgroup role changed")
        WORKGROUP_DELIVERY = "workgroup_delivery_changed", _("List delivery changed")
        WORKGROUP_LIST_SETTINGS = "workgroup_list_settings", _("List settings changed")
        WORKGROUP_MODERATED = "workgroup_post_moderated", _("Held post decided")
        WORKGROUP_EXPIRED = "workgroup_held_expired", _("Held post expired")
        CAMPAIGN_PROPOSED = "campaign_proposed", _("Campaign proposed")
        CAMPAIGN_STATUS = "campaign_status", _("Campaign status changed")
        CAMPAIGN_REVIEW = "campaign_review", _("Campaign reviewed")
        PETITION_STATUS = "petition_status", _("Petition status changed")
        PETITION_INVALIDATED = "petition_invalidated", _("Signatures voided")
        PETITION_RESTORED = "petition_restored", _("Voided signatures restored")
        PETITION_PAPER_BATCH = "petition_paper_batch", _("Paper signatures entered")
        PETITION_PAPER_REMOVED = "petition_paper_removed", _("Paper signatures removed")
        PETITION_DELIVERED = "petition_delivered", _("Petition delivered")
        PETITION_ANSWERED = "petition_answered", _("Petition answer published")
        PETITION_UPDATE_WRITTEN = "petition_update_written", _("Update to signers written")
        PETITION_UPDATE_APPROVED = "petition_update_approved", _("Update to signers approved")
        PETITION_UPDATE_REJECTED = "petition_update_rejected", _("Update to signers rejected")
        PETITION_EXPORT = "petition_export", _("Signatures exported")
        PETITION_ANONYMISED = "petition_anonymised", _("Signers' personal data anonymised")
        LOCKDOWN_STARTED = "lockdown_started", _("Lockdown started")
        LOCKDOWN_LIFTED = "lockdown_lifted", _("Lockdown lifted")
        ACCOUNT_DELETED = "account_deleted", _("Account deleted")
        DATA_EXPORTED = "data_exported", _("Personal data exported")
        API_TOKEN_CREATED = "api_token_created", _("API token made")
        API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")

    created = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    action = models.CharField(_("event"), max_length=32, choices=Action.choices, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events_done",
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("concerning"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events_about",
    )
    # For events without a user (a failed sign-in for an unknown address): a folded e-mail
    # address hash, so repeated attempts can be grouped without storing what was typed.
    detail = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M} {self.action}"


class CaughtMail(models.Model):
    """Outgoing mail caught in development (no EMAIL_HOST), readable at /dev/mail/."""

    created = models.DateTimeField(auto_now_add=True, db_index=True)
    subject = models.CharField(max_length=998)
    from_email = models.CharField(max_length=998)
    to = models.TextField()
    body = models.TextField()
    html = models.TextField(blank=True)
    raw = models.BinaryField()

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return self.subject
