"""Lockdowns: a coordinator closes one workgroup, or the whole site, in one step — hidden,
its members signed out, its mail stopped — and opens it again later. Each row is one
lockdown, from its start to its lifting; the rows are the history."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Lockdown(models.Model):
    # No workgroup: the whole site.
    workgroup = models.ForeignKey(
        "workgroups.Workgroup",
        verbose_name=_("workgroup"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="lockdowns",
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sessions_ended = models.PositiveIntegerField(_("sessions ended"), default=0)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lifted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("lockdown")
        verbose_name_plural = _("lockdowns")
        indexes = [models.Index(fields=["lifted_at"], name="lockdown_active_idx")]

    def __str__(self) -> str:
        return f"lockdown {self.workgroup_id or 'site'} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def active(self) -> bool:
        return self.lifted_at is None
