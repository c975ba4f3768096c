import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from tadamun.lists.models import MailingList, Subscription
from tadamun.workgroups.models import Workgroup

pytestmark = pytest.mark.django_db


def test_periodic_forgets_unconfirmed_outside_subscriptions_after_a_week():
    workgroup = Workgroup.objects.create(slug="salam", name_ar="سلام", name_en="Peace")
    mailing_list = MailingList.objects.create(workgroup=workgroup)
    old = Subscription.objects.create(
        mailing_list=mailing_list, email="old@example.org", status=Subscription.Status.PENDING
    )
    Subscription.objects.filter(pk=old.pk).update(
        created=timezone.now() - datetime.timedelta(days=8)
    )
    fresh = Subscription.objects.create(
        mailing_list=mailing_list, email="new@example.org", status=Subscription.Status.PENDING
    )
    call_command("periodic")
    assert not Subscription.objects.filter(pk=old.pk).exists()
    assert Subscription.objects.filter(pk=fresh.pk).exists()
