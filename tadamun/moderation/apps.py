from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "tadamun.moderation"
    verbose_name = _("Reports and moderation")
