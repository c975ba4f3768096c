"""`manage.py import_mbox`: Mailman 2 / Google Groups archives into a workgroup."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from tadamun.lists.models import Delivery, InboundMessage, Subscription
from tadamun.lists.tests.inbound_support import make_list, make_member
from tadamun.workgroups.models import Post

pytestmark = pytest.mark.django_db

PIPERMAIL = (
    # Mailman 2 pipermail: obfuscated From, an unescaped "From " inside a body, a bad date.
    "From ahmed at example.org  Tue Mar  5 10:00:00 2013\n"
    "From: ahmed at example.org (Ahmed)\n"
    "Date: Tue, 05 Mar 2013 13:00:00 +0300\n"
    "Subject: [Privatization] =?utf-8?b?2KfZhNiu2LXYrti12Kk=?=\n"
    "Message-ID: <p1@example.org>\n"
    "\n"
    "First message.\n"
    "\n"
    "From zainab at example.org  Wed Mar  6 09:00:00 2013\n"
    "From: zainab at example.org (Zainab)\n"
    "Date: not a date at all\n"
    "Subject: Re: [Privatization] الخصخصة\n"
    "In-Reply-To: <p1@example.org>\n"
    "References: <p1@example.org>\n"
    "Message-ID: <p2@example.org>\n"
    "\n"
    "A reply.\n"
    "\n"
    "From the field, we report:\n"
    "\n"
    "From member@example.org  Thu Mar  7 09:00:00 2013\n"
    "From: Member <member@example.org>\n"
    "Date: Thu, 07 Mar 2013 09:00:00 +0000\n"
    "Subject: Re: [Privatization] الخصخصة\n"
    "\n"
    "No Message-ID and no In-Reply-To: threaded by subject.\n"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_import_is_threaded_dated_undelivered_and_idempotent(tmp_path, capsys):
    mailing_list = make_list()
    member = make_member(mailing_list, email="member@example.org")
    Subscription.objects.create(mailing_list=mailing_list, email="reader@example.org")
    archive = tmp_path / "privatization.mbox"
    archive.write_text(PIPERMAIL, encoding="utf-8")
    call_command("import_mbox", "privatization", str(archive))
    output = capsys.readouterr().out
    assert "imported 3/4" in output
    assert "1 fragments skipped" in output
    first, second, third = Post.objects.order_by("created")
    assert first.subject == "[Privatization] الخصخصة"
    assert (first.author_email, first.author_name) == ("ahmed@example.org", "Ahmed")
    assert first.created == datetime.datetime(2013, 3, 5, 10, 0, tzinfo=datetime.UTC)
    assert second.parent == first
    assert second.thread == first.thread
    # The bad Date falls back to the mbox "From " line.
    assert second.created == datetime.datetime(2013, 3, 6, 9, 0, tzinfo=datetime.UTC)
    assert third.thread == first.thread
    assert third.author == member
    assert {post.source for post in (first, second, third)} == {Post.Source.IMPORT}
    assert first.thread.post_count == 3
    assert not Delivery.objects.exists()
    assert InboundMessage.objects.count() == 3

    call_command("import_mbox", "privatization", str(archive))
    assert "0 imported, 3 already there" in capsys.readouterr().out
    assert Post.objects.count() == 3


def test_unknown_workgroup_or_file(tmp_path):
    make_list()
    with pytest.raises(CommandError):
        call_command("import_mbox", "nothing", str(tmp_path / "x.mbox"))
    with pytest.raises(CommandError):
        call_command("import_mbox", "privatization", str(tmp_path / "missing.mbox"))
