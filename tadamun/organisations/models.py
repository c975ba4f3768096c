from django.db import models
from django.utils.translation import gettext_lazy as _


class Theme(models.Model):
    """A theme the network works on (privatization, peace building, workers' rights, …)."""

    slug = models.SlugField(unique=True, max_length=60)
    name_ar = models.CharField(_("name in Arabic"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name_en
