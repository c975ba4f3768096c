"""List mail goes only to people who may still read the workgroup: never to a suspended person,
a removed member of a closed workgroup, or an outside address once the workgroup is closed —
whether the post is queued after the change or was queued before it."""

import pytest

from tadamun.accounts.models import User
from tadamun.lists.delivery import deliver_due, queue_deliveries
from tadamun.lists.digests import send_digests
from tadamun.lists.models import Subscription
from tadamun.lists.tests import outbound_support
from tadamun.lists.tests.outbound_support import make_list
from tadamun.workgroups.models import Post, Workgroup, WorkgroupMembership
from tadamun.workgroups.services import post_create

list_settings = outbound_support.list_settings
sink = outbound_support.sink

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("list_settings")]


def publish(mailing_list, author):
    return post_create(
        workgroup=mailing_list.workgroup,
        author=author,
        subject="Plan",
        body="Text",
        source=Post.Source.WEB,
        deliver=False,
    )


def test_suspended_and_removed_people_and_outside_addresses_of_a_closed_group_get_nothing(sink):
    mailing_list, people = make_list(members=4, closed=True)
    author, reader, suspended, removed = people
    outsider = Subscription.objects.create(mailing_list=mailing_list, email="out@example.org")
    User.objects.filter(pk=suspended.pk).update(status=User.Status.SUSPENDED)
    WorkgroupMembership.objects.filter(user=removed).delete()

    queue_deliveries(post=publish(mailing_list, author))
    deliver_due()
    assert set(sink.copies()) == {author.email, reader.email}
    assert outsider.email not in sink.copies()


def test_a_suspension_after_queueing_stops_the_copy(sink):
    mailing_list, people = make_list(members=2, closed=True)
    author, reader = people
    queue_deliveries(post=publish(mailing_list, author))
    User.objects.filter(pk=reader.pk).update(status=User.Status.SUSPENDED)
    deliver_due()
    assert set(sink.copies()) == {author.email}


def test_outside_addresses_stop_when_an_open_workgroup_becomes_closed(sink):
    mailing_list, people = make_list(members=1)
    Subscription.objects.create(mailing_list=mailing_list, email="out@example.org")
    queue_deliveries(post=publish(mailing_list, people[0]))
    deliver_due()
    assert "out@example.org" in sink.copies()
    Workgroup.objects.filter(pk=mailing_list.workgroup_id).update(
        visibility=Workgroup.Visibility.CLOSED
    )
    second = publish(mailing_list, people[0])
    queue_deliveries(post=second)
    deliver_due()
    assert not second.deliveries.filter(recipient="out@example.org").exists()


def test_digests_skip_people_who_may_no_longer_read(sink):
    mailing_list, people = make_list(members=2, closed=True)
    author, reader = people
    Subscription.objects.filter(user=reader).update(mode=Subscription.Mode.DIGEST)
    User.objects.filter(pk=reader.pk).update(status=User.Status.SUSPENDED)
    publish(mailing_list, author)
    send_digests()
    assert reader.email not in sink.copies()
