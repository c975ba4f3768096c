"""`{% load social %}`: small helpers for the social templates and for the pages of other apps
that show posts or a follow button.

- `{% report_url obj as url %}` — the moderation app's report address for `obj`, or "" when that
  app has no such page (so templates never fail on it).
- `{% follow_state target as follow %}` — for `social/_follow_button.html`.
- `{% person_posts person as cards %}`, `{% organisation_posts organisation as cards %}`,
  `{% workgroup_posts workgroup as cards %}` — the latest posts `request.user` may see, ready
  for `{% include "social/_post_list.html" with cards=cards %}`.
"""

from django import template
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tadamun.accounts.selectors import viewer_is_member
from tadamun.core.templatetags.bidi import pick
from tadamun.organisations.models import Organisation
from tadamun.social import selectors
from tadamun.social.models import Follow, Post
from tadamun.workgroups.models import Workgroup

register = template.Library()
User = get_user_model()

LIST_SIZE = 10


@register.simple_tag
def report_url(obj) -> str:
    try:
        content_type = ContentType.objects.get_for_model(type(obj))
        return reverse("moderation:report", args=[content_type.pk, obj.pk])
    except NoReverseMatch:
        return ""


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None)


@register.simple_tag(takes_context=True)
def follow_state(context, target) -> dict | None:
    """{"kind", "pk", "following"} for the follow button, or None when there is no button
    (not a member, or oneself)."""
    user = _user(context)
    if not viewer_is_member(user) or target is None:
        return None
    if isinstance(target, User):
        if target.pk == user.pk:
            return None
        kind = "person"
    elif isinstance(target, Organisation):
        kind = "organisation"
    elif isinstance(target, Workgroup):
        kind = "workgroup"
    else:
        return None
    following = Follow.objects.filter(follower=user, **{kind: target}).exists()
    return {"kind": kind, "pk": target.pk, "following": following}


@register.filter
def audience_label(post: Post) -> str:
    if post.audience == Post.Audience.WORKGROUP and post.audience_workgroup_id:
        return _("Workgroup: %(name)s") % {"name": pick(post.audience_workgroup, "name")}
    if post.audience == Post.Audience.PUBLIC:
        return _("Public")
    return _("Network members")


def _cards(context, posts):
    language = (get_language() or settings.LANGUAGE_CODE)[:2]
    posts = selectors.with_relations(posts)[:LIST_SIZE]
    return selectors.post_cards(_user(context), list(posts), language)


@register.simple_tag(takes_context=True)
def person_posts(context, person):
    return _cards(context, selectors.posts_by_person(_user(context), person))


@register.simple_tag(takes_context=True)
def organisation_posts(context, organisation):
    return _cards(context, selectors.posts_by_organisation(_user(context), organisation))


@register.simple_tag(takes_context=True)
def workgroup_posts(context, workgroup):
    return _cards(context, selectors.posts_in_workgroup(_user(context), workgroup))
