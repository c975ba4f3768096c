from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkgroupsConfig(AppConfig):
    name = "tadamun.workgroups"
    verbose_name = _("Workgroups")

    def ready(self):
        from tadamun.core import content
        from tadamun.workgroups import selectors
        from tadamun.workgroups.models import Workgroup

        content.register(
            Workgroup, label=_("workgroup"), visible_to=selectors.workgroups_visible_to
        )
