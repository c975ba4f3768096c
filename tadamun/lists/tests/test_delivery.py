"""Delivery rows: claims, leases, and rows whose subscriber left before sending."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from tadamun.lists.delivery import claim_due, deliver_due, queue_deliveries
from tadamun.lists.models import Delivery, Subscription
from tadamun.lists.tests import outbound_support
from tadamun.lists.tests.outbound_support import make_list
from tadamun.workgroups.models import Post
from tadamun.workgroups.services import post_create

# The shared fixtures, by name.
list_settings = outbound_support.list_settings
sink = outbound_support.sink

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("list_settings")]


def quiet_post(mailing_list, author):
    """A published post whose rows are queued but not yet sent (no on-commit kick)."""
    return post_create(
        workgroup=mailing_list.workgroup,
        author=author,
        subject="Queued",
        body="Text",
        source=Post.Source.WEB,
    )


def test_claims_do_not_overlap_and_a_lapsed_claim_is_taken_over():
    mailing_list, people = make_list(members=5)
    quiet_post(mailing_list, people[0])
    first_token, first = claim_due(limit=3)
    second_token, second = claim_due(limit=3)
    assert len(first) == 3
    assert len(second) == 2
    assert not {row.pk for row in first} & {row.pk for row in second}
    assert claim_due(limit=10)[1] == []

    # The first worker dies: once its lease has run out, its rows are due again.
    Delivery.objects.filter(claim_token=first_token).update(
        claimed_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    _token, retaken = claim_due(limit=10)
    assert {row.pk for row in retaken} == {row.pk for row in first}
    assert first_token != second_token


# The worker loop closes stale connections between batches, as a long-running process must:
# on PostgreSQL that would end a test wrapped in a transaction, so this one really commits.
@pytest.mark.django_db(transaction=True)
def test_the_deliver_command_sends_what_is_due(sink):
    mailing_list, people = make_list(members=3)
    quiet_post(mailing_list, people[0])
    call_command("deliver", "--until-done", "--interval", "0.05")
    assert sink.copies() == {person.email: 1 for person in people}


def test_rows_of_people_who_left_before_sending_are_dropped(sink):
    mailing_list, people = make_list(members=2)
    quiet_post(mailing_list, people[0])
    Subscription.objects.filter(user=people[1]).update(mode=Subscription.Mode.NONE)
    report = deliver_due()
    assert (report.sent, report.failed) == (1, 1)
    assert sink.copies() == {people[0].email: 1}


def test_queueing_is_idempotent():
    mailing_list, people = make_list(members=2)
    post = quiet_post(mailing_list, people[0])
    queue_deliveries(post=post)
    assert Delivery.objects.filter(post=post).count() == 2
