from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "tadamun.organisations"
    verbose_name = _("Organisations")

    def ready(self):
        from tadamun.core import content
        from tadamun.organisations import selectors
        from tadamun.organisations.models import Organisation
        from tadamun.search import hooks

        content.register(
            Organisation,
            label=_("organisation"),
            visible_to=selectors.organisations_visible_to,
            search=hooks.organisation,
        )
