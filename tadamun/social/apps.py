from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialConfig(AppConfig):
    name = "tadamun.social"
    verbose_name = _("Social")

    def ready(self):
        from tadamun.core import content
        from tadamun.search import hooks
        from tadamun.social import selectors
        from tadamun.social.models import Comment, Post

        content.register(
            Post,
            label=_("post"),
            visible_to=selectors.posts_visible_to,
            authors=lambda post: [post.author] if post.author_id else [],
            text_fields=("title", "body"),
            workgroup=lambda post: post.audience_workgroup,
            search=hooks.social_post,
        )
        content.register(
            Comment,
            label=_("comment"),
            visible_to=selectors.comments_visible_to,
            authors=lambda comment: [comment.author] if comment.author_id else [],
            text_fields=("body",),
            workgroup=lambda comment: comment.post.audience_workgroup,
            search=hooks.social_comment,
        )
