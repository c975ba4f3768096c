from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkgroupsConfig(AppConfig):
    name = "tadamun.workgroups"
    verbose_name = _("Workgroups")

    def ready(self):
        from tadamun.core import content
        from tadamun.search import hooks
        from tadamun.workgroups import selectors
        from tadamun.workgroups.models import Post, Workgroup

        content.register(
            Workgroup,
            label=_("workgroup"),
            visible_to=selectors.workgroups_visible_to,
            search=hooks.workgroup,
        )
        content.register(
            Post,
            label=_("workgroup message"),
            visible_to=selectors.discussion_posts_visible_to,
            authors=lambda post: [post.author] if post.author_id else [],
            workgroup=lambda post: post.workgroup,
            search=hooks.list_post,
        )
