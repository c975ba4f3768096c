"""The LMTP server over real sockets: smtplib.LMTP → aiosmtpd on a free loopback port."""

import smtplib
import threading
import time

import pytest
from django.db import OperationalError

from tadamun.lists import inbound
from tadamun.lists.models import InboundMessage, MailingList, Subscription
from tadamun.lists.tests.inbound_support import (
    ARABIC_BODY,
    ARABIC_FILENAME,
    ARABIC_SUBJECT,
    address,
    arabic_message,
    lmtp_client,
    make_list,
    make_member,
    plain_message,
    running_lmtp_server,
)
from tadamun.workgroups.models import Post
from tadamun.workgroups.tests.factories import make_post

# The server works in its own threads, so the data must really be committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def server():
    with running_lmtp_server() as port:
        yield port


def test_arabic_post_by_lmtp(server):
    mailing_list = make_list()
    make_member(mailing_list, email="ahmed@example.org")
    # CRLF line ends, as an MTA sends them.
    raw = arabic_message(sender="ahmed@example.org", to=mailing_list.address).replace(
        b"\n", b"\r\n"
    )
    with lmtp_client(server) as client:
        refused = client.sendmail("ahmed@example.org", [mailing_list.address], raw)
    assert refused == {}
    post = Post.objects.get()
    assert post.subject == ARABIC_SUBJECT
    assert post.body == ARABIC_BODY.strip()
    assert post.attachments.get().filename == ARABIC_FILENAME
    stored = InboundMessage.objects.get()
    assert bytes(stored.raw) == raw
    assert stored.state == InboundMessage.State.POSTED


def test_unknown_list_is_550_at_rcpt(server):
    make_list()
    with lmtp_client(server) as client, pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        client.sendmail("a@example.org", [address("nothing")], b"Subject: x\r\n\r\nx")
    assert refused.value.recipients[address("nothing")][0] == 550
    assert not InboundMessage.objects.exists()


def test_oversize_is_552_at_rcpt_and_after_data(server):
    mailing_list = make_list(max_message_bytes=1000)
    big = plain_message(sender="a@example.org", to=mailing_list.address, body="x" * 5000)
    with lmtp_client(server) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            client.sendmail("a@example.org", [mailing_list.address], big)  # SIZE= announced
        assert refused.value.recipients[mailing_list.address][0] == 552
        client.rset()
        # Without SIZE the limit is found after DATA.
        assert client.mail("a@example.org")[0] == 250
        assert client.rcpt(mailing_list.address)[0] == 250
        assert client.data(big)[0] == 552
    assert not InboundMessage.objects.exists()


def test_one_reply_per_recipient_after_data(server):
    one, two = make_list("one"), make_list("two", max_message_bytes=300)
    make_member(one, email="ahmed@example.org")
    raw = plain_message(sender="ahmed@example.org", to=one.address, body="y" * 400)
    with lmtp_client(server) as client:
        client.ehlo_or_helo_if_needed()
        assert client.mail("ahmed@example.org")[0] == 250
        assert client.rcpt(one.address)[0] == 250
        assert client.rcpt(two.address)[0] == 250
        first = client.data(raw)
        second = client.getreply()
    assert first[0] == 250
    assert second[0] == 552
    assert InboundMessage.objects.get().mailing_list == one


def test_database_unavailable_is_451_and_the_server_keeps_serving(server, monkeypatch):
    mailing_list = make_list()
    make_member(mailing_list, email="ahmed@example.org")

    def unavailable(**kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(inbound, "store_inbound_message", unavailable)
    first = plain_message(sender="ahmed@example.org", to=mailing_list.address, subject="one")
    with lmtp_client(server) as client:
        with pytest.raises(smtplib.SMTPDataError) as error:
            client.sendmail("ahmed@example.org", [mailing_list.address], first)
        assert error.value.smtp_code == 451
    assert not InboundMessage.objects.exists()
    monkeypatch.undo()
    second = plain_message(sender="ahmed@example.org", to=mailing_list.address, subject="two")
    with lmtp_client(server) as client:
        assert client.sendmail("ahmed@example.org", [mailing_list.address], second) == {}
    assert Post.objects.get().subject == "two"


def test_recipient_check_failing_is_451(server, monkeypatch):
    make_list()

    def unavailable(*args, **kwargs):
        raise OperationalError("no database")

    monkeypatch.setattr(inbound, "check_recipient", unavailable)
    with lmtp_client(server) as client, pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        client.sendmail("a@example.org", [address("privatization")], b"Subject: x\r\n\r\nx")
    assert refused.value.recipients[address("privatization")][0] == 451


def test_non_member_held_loop_and_auto_reply_ignored(server):
    mailing_list = make_list()
    member = make_member(mailing_list)
    to = mailing_list.address
    loop = {"List-Id": f"<{mailing_list.list_id}>"}
    away = {"Auto-Submitted": "auto-replied"}
    messages = [
        ("stranger@example.net", plain_message(sender="stranger@example.net", to=to)),
        (member.email, plain_message(sender=member.email, to=to, subject="l", headers=loop)),
        (member.email, plain_message(sender=member.email, to=to, subject="a", headers=away)),
    ]
    with lmtp_client(server) as client:
        for sender, raw in messages:
            assert client.sendmail(sender, [mailing_list.address], raw) == {}
    states = dict(InboundMessage.objects.values_list("message_id", "state"))
    assert sorted(states.values()) == ["held", "ignored", "ignored"]
    assert Post.objects.get().status == Post.Status.HELD


def test_join_by_mail_and_reply_threads_into_web_thread(server, mailoutbox):
    mailing_list = make_list()
    member = make_member(mailing_list)
    web_post = make_post(mailing_list.workgroup, author=member, subject="Budget")
    join = plain_message(sender="friend@example.net", to=address("privatization", "-join"))
    reply = plain_message(
        sender=member.email,
        to=mailing_list.address,
        subject="Re: Budget",
        headers={"In-Reply-To": web_post.message_id, "References": web_post.message_id},
    )
    with lmtp_client(server) as client:
        assert (
            client.sendmail("friend@example.net", [address("privatization", "-join")], join) == {}
        )
        assert client.sendmail(member.email, [mailing_list.address], reply) == {}
    assert Subscription.objects.get().status == Subscription.Status.PENDING
    assert any("-confirm+" in message.body for message in mailoutbox)
    answer = Post.objects.exclude(pk=web_post.pk).get()
    assert answer.parent == web_post
    assert answer.thread == web_post.thread


def test_concurrent_clients_each_post_exactly_once(server):
    """Five clients at once. The in-memory test database (SQLite shared cache) answers "table
    is locked" instead of waiting, so some get 451 and retry, as an MTA does: in the end every
    message is posted exactly once."""
    mailing_list = make_list()
    make_member(mailing_list, email="ahmed@example.org")
    results, codes = [], []

    def send(number):
        raw = plain_message(
            sender="ahmed@example.org", to=mailing_list.address, subject=f"n{number}"
        )
        for _attempt in range(50):
            try:
                with lmtp_client(server) as client:
                    client.sendmail("ahmed@example.org", [mailing_list.address], raw)
            except smtplib.SMTPDataError as error:
                codes.append(error.smtp_code)
                time.sleep(0.01)
            else:
                results.append(number)
                return

    threads = [threading.Thread(target=send, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 1, 2, 3, 4]
    assert set(codes) <= {451}
    assert sorted(Post.objects.values_list("subject", flat=True)) == ["n0", "n1", "n2", "n3", "n4"]
    assert MailingList.objects.count() == 1
