"""The demo notifications: only about items their recipients may see, and made once."""

from io import StringIO

import pytest

from tadamun.accounts.tests.factories import UserFactory
from tadamun.core import content
from tadamun.notifications import demo
from tadamun.notifications.models import Notification
from tadamun.notifications.tests.factories import make_document
from tadamun.workgroups.tests.factories import MembershipFactory, WorkgroupFactory

pytestmark = pytest.mark.django_db


def test_demo_notifications_are_about_visible_items_and_made_once():
    basra = UserFactory(email=f"member.basra@{demo.DOMAIN}", preferred_language="ar")
    france = UserFactory(email=f"member.france@{demo.DOMAIN}")
    author = UserFactory(email=f"admin.basra@{demo.DOMAIN}")
    closed = WorkgroupFactory(closed=True)
    MembershipFactory(workgroup=closed, user=author)
    MembershipFactory(workgroup=closed, user=basra)
    make_document(author, title="Network statement")
    make_document(author, workgroup=closed, title="Closed minutes")

    out = StringIO()
    demo.seed(stdout=out)
    made = list(Notification.objects.all())
    assert {n.recipient for n in made} == {basra, france, author}
    assert {n.kind for n in made} >= {"document", "follow"}
    for notification in made:
        assert content.can_see(notification.recipient, notification.target)
        assert notification.actor != notification.recipient
    # The closed workgroup's minutes are never announced to someone outside it.
    assert not [n for n in made if n.recipient == france and "Closed" in str(n.target)]
    assert "demo notifications" in out.getvalue()

    demo.seed(stdout=StringIO())
    assert Notification.objects.count() == len(made)
