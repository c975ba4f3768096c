"""The demo data's workgroup content: lists, roles, subscriptions and bilingual discussions,
idempotent like the rest of seed_demo."""

from io import StringIO

import pytest
from django.core.management import call_command

from tadamun.accounts.models import User
from tadamun.lists.models import Delivery, MailingList, Subscription
from tadamun.workgroups.models import Post, Thread, Workgroup, WorkgroupMembership

pytestmark = pytest.mark.django_db


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (MailingList, WorkgroupMembership, Subscription, Thread, Post)
    }


def seed():
    call_command("seed_demo", stdout=StringIO())


def test_workgroup_content_is_complete_and_idempotent():
    seed()
    first = counts()
    seed()
    assert counts() == first
    assert first["MailingList"] == Workgroup.objects.count()
    assert Workgroup.objects.filter(visibility="closed").exists()
    roles = set(WorkgroupMembership.objects.values_list("role", flat=True))
    assert roles == {"owner", "moderator", "member"}
    assert WorkgroupMembership.objects.filter(user__hide_membership=True).exists()
    assert WorkgroupMembership.objects.filter(status="requested").exists()
    assert WorkgroupMembership.objects.filter(status="invited").exists()
    active = WorkgroupMembership.objects.filter(status="active").count()
    assert Subscription.objects.filter(status="active", user__isnull=False).count() == active
    assert set(Subscription.objects.values_list("mode", flat=True)) == {"each", "digest", "none"}
    assert Thread.objects.filter(language="ar").exists()
    assert Thread.objects.filter(language="en").exists()
    assert Thread.objects.filter(post_count__gte=3).exists()
    replies = Post.objects.exclude(parent=None)
    assert all(post.in_reply_to == post.parent.message_id for post in replies)
    assert Post.objects.filter(status="held").count() == 1
    assert not Delivery.objects.exists()  # demo posts are not mailed


def test_demo_workgroup_pages_render_in_arabic(client):
    seed()
    client.force_login(User.objects.get(email="member.basra@demo.tadamun.example"))
    thread = Thread.objects.get(subject="خصخصة توزيع الكهرباء في البصرة")
    for path in (
        "/ar/workgroups/",
        "/ar/workgroups/privatization/",
        f"/ar/workgroups/privatization/threads/{thread.pk}/",
        "/ar/workgroups/privatization/moderation/",
        "/ar/workgroups/privatization/archive/",
        "/ar/workgroups/privatization/search/?q=العقود",
        "/ar/workgroups/privatization/members/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert 'lang="ar" dir="rtl"' in response.content.decode(), path
    # The closed workgroup stays closed to someone outside it.
    assert client.get("/ar/workgroups/human-rights-defenders/").status_code == 404
