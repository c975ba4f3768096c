from django.db import models
from django.utils.translation import gettext_lazy as _


class Workgroup(models.Model):
    """A workgroup of the network (privatization, peace building, …). Its members, roles and
    e-mail list arrive with the lists issue; here it is a bilingual record."""

    class Visibility(models.TextChoices):
        OPEN = "open", _("Open to all network members")
        CLOSED = "closed", _("Closed: only its own members")

    slug = models.SlugField(_("short name"), unique=True, max_length=60)
    name_ar = models.CharField(_("name in Arabic"), max_length=150)
    name_en = models.CharField(_("name in English"), max_length=150)
    description_ar = models.TextField(_("description in Arabic"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=8, choices=Visibility.choices, default=Visibility.OPEN
    )
    themes = models.ManyToManyField(
        "organisations.Theme", verbose_name=_("themes"), blank=True, related_name="workgroups"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("workgroup")
        verbose_name_plural = _("workgroups")

    def __str__(self) -> str:
        return self.name_en
