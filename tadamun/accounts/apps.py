from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tadamun.accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from tadamun.accounts import receivers  # noqa: F401  (connects the audit listeners)
        from tadamun.accounts.models import User
        from tadamun.core import content
        from tadamun.organisations.selectors import people_visible_to
        from tadamun.search import hooks

        content.register(User, label=_("person"), visible_to=people_visible_to, search=hooks.person)
