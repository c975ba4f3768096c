from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LockdownConfig(AppConfig):
    name = "tadamun.lockdown"
    verbose_name = _("Lockdown")
