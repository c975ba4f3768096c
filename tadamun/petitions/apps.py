from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "tadamun.petitions"
    verbose_name = _("Petitions")

    def ready(self):
        from tadamun.core import content
        from tadamun.petitions import hooks, selectors
        from tadamun.petitions.models import Petition

        content.register(
            Petition,
            label=_("petition"),
            visible_to=selectors.petitions_visible_to,
            authors=lambda petition: [],
            search=hooks.petition,
        )
