from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "tadamun.campaigns"
    verbose_name = _("Campaigns")

    def ready(self):
        from tadamun.campaigns import hooks, selectors
        from tadamun.campaigns.models import Campaign
        from tadamun.core import content

        content.register(
            Campaign,
            label=_("campaign"),
            visible_to=selectors.campaigns_visible_to,
            authors=lambda campaign: [campaign.proposed_by],
            search=hooks.campaign,
        )
