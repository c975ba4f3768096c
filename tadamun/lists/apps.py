from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListsConfig(AppConfig):
    name = "tadamun.lists"
    verbose_name = _("E-mail lists")
