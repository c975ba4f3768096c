"""A post as subscribers receive it, through a real SMTP server on loopback."""

import dkim
import pytest

from tadamun.lists.models import Delivery, MailingList
from tadamun.lists.outbound import PostMessageBuilder, prefixed_subject, render_post
from tadamun.lists.tests import outbound_support
from tadamun.lists.tests.outbound_support import make_list, text_of
from tadamun.workgroups.models import Post
from tadamun.workgroups.services import IncomingAttachment, post_create

# The shared fixtures, by name.
dkim_key = outbound_support.dkim_key
list_settings = outbound_support.list_settings
sink = outbound_support.sink

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("list_settings")]

ARABIC_SUBJECT = "اجتماع مجموعة السلام يوم الخميس"
ARABIC_BODY = "السلام عليكم،\nنلتقي يوم الخميس في بغداد لمناقشة خطة العمل.\n"


def publish(mailing_list, author, capture, **kwargs):
    kwargs.setdefault("subject", ARABIC_SUBJECT)
    kwargs.setdefault("body", ARABIC_BODY)
    kwargs.setdefault("source", Post.Source.WEB)
    with capture(execute=True):
        return post_create(workgroup=mailing_list.workgroup, author=author, **kwargs)


def test_each_subscriber_gets_a_personal_signed_copy_with_the_list_headers(
    sink, dkim_key, django_capture_on_commit_callbacks
):
    mailing_list, people = make_list(members=3, subject_prefix="[salam]")
    post = publish(mailing_list, people[0], django_capture_on_commit_callbacks)

    assert sink.copies() == {person.email: 1 for person in people}
    slug = mailing_list.workgroup.slug
    for person in people:
        (received,) = sink.for_recipient(person.email)
        assert received.rcpt_tos == [person.email]
        # VERP: the return path names this copy's delivery row.
        delivery = Delivery.objects.get(post=post, recipient=person.email)
        assert received.mail_from.startswith(f"{slug}-bounces+d{delivery.pk}.")
        message = received.message
        assert message["Subject"] == f"[salam] {ARABIC_SUBJECT}"
        assert ARABIC_BODY.strip() in text_of(message)
        assert message["Message-ID"] == post.message_id
        assert message["To"].addresses[0].addr_spec == mailing_list.address
        # A web post is sent from the list (DMARC), the author on Cc, replies to the list.
        assert message["From"].addresses[0].addr_spec == mailing_list.address
        assert people[0].display_name in message["From"].addresses[0].display_name
        assert message["Cc"].addresses[0].addr_spec == people[0].email
        assert message["Reply-To"].addresses[0].addr_spec == mailing_list.address
        assert message["List-Id"].endswith(f"<{slug}.lists.example.org>")
        assert message["List-Post"] == f"<mailto:{slug}@lists.example.org>"
        assert message["List-Help"] == f"<mailto:{slug}-request@lists.example.org?subject=help>"
        assert f"<mailto:{slug}-join@lists.example.org>" in message["List-Subscribe"]
        unsubscribe = message["List-Unsubscribe"]
        assert "<https://tadamun.example.org/lists/unsubscribe/" in unsubscribe
        assert f"<mailto:{slug}-leave@lists.example.org?subject=unsubscribe>" in unsubscribe
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["List-Archive"].strip() == (
            f"<https://tadamun.example.org/ar/workgroups/{slug}/threads/{post.thread_id}/>"
        )
        assert message["Precedence"] == "list"
        assert message["X-Loop"] == mailing_list.address
        assert message["Date"]
        # The one-click link of the header is the one in the footer, and it is personal.
        link = unsubscribe.split("<")[1].split(">")[0]
        body = text_of(message)
        assert link in body
        assert dkim.verify(received.data, dnsfunc=dkim_key.dnsfunc)
    links = {m.message["List-Unsubscribe"] for p in people for m in sink.for_recipient(p.email)}
    assert len(links) == 3
    assert set(Delivery.objects.values_list("state", flat=True)) == {Delivery.State.SENT}


def test_footer_is_in_the_lists_languages(sink, django_capture_on_commit_callbacks):
    mailing_list, people = make_list(members=1)
    publish(mailing_list, people[0], django_capture_on_commit_callbacks)
    body = sink.bodies(people[0].email)[0]
    footer = body.split("\n-- \n", 1)[1]
    assert mailing_list.workgroup.name_ar in footer
    assert mailing_list.workgroup.name_en in footer
    assert "Stop receiving this list's mail:" in footer


def test_a_reply_threads_and_keeps_a_single_prefix(sink, django_capture_on_commit_callbacks):
    mailing_list, people = make_list(members=2, subject_prefix="[salam]")
    first = publish(mailing_list, people[0], django_capture_on_commit_callbacks)
    reply = publish(
        mailing_list,
        people[1],
        django_capture_on_commit_callbacks,
        subject=f"Re: [salam] {ARABIC_SUBJECT}",
        parent=first,
    )
    message = sink.for_recipient(people[0].email)[-1].message
    assert message["Subject"] == f"Re: [salam] {ARABIC_SUBJECT}"
    assert message["In-Reply-To"] == first.message_id
    assert first.message_id in message["References"]
    assert message["Message-ID"] == reply.message_id


def test_attachments_make_a_multipart_message(sink, django_capture_on_commit_callbacks):
    mailing_list, people = make_list(members=1)
    publish(
        mailing_list,
        people[0],
        django_capture_on_commit_callbacks,
        attachments=[IncomingAttachment("تقرير.pdf", "application/pdf", b"%PDF-1.4 data")],
    )
    message = sink.for_recipient(people[0].email)[0].message
    assert message.get_content_type() == "multipart/mixed"
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "تقرير.pdf"
    assert attachment.get_content() == b"%PDF-1.4 data"


def test_batched_lists_share_one_copy_per_transaction(sink, django_capture_on_commit_callbacks):
    mailing_list, people = make_list(members=5, personalise=False, recipients_per_transaction=2)
    publish(mailing_list, people[0], django_capture_on_commit_callbacks)
    assert [len(item.rcpt_tos) for item in sink.received] == [2, 2, 1]
    assert sink.copies() == {person.email: 1 for person in people}
    first = sink.received[0]
    assert first.mail_from == f"{mailing_list.workgroup.slug}-bounces@lists.example.org"
    assert "List-Unsubscribe-Post" not in first.message
    assert "-leave@" in first.message["List-Unsubscribe"]


def test_a_mailed_post_keeps_its_author_unless_the_domain_needs_rewriting(
    django_capture_on_commit_callbacks,
):
    mailing_list, _people = make_list(members=1, reply_to=MailingList.ReplyTo.AUTHOR)
    post = post_create(
        workgroup=mailing_list.workgroup,
        subject="From mail",
        body="Hello",
        source=Post.Source.EMAIL,
        author_name="Zainab",
        author_email="zainab@example.net",
        deliver=False,
    )
    message = render_post(post=post).message
    assert str(message["From"]) == "Zainab <zainab@example.net>"
    assert "Reply-To" not in message

    post.author_email = "zainab@gmail.com"
    message = PostMessageBuilder(post).build().message
    assert message["From"].addresses[0].addr_spec == mailing_list.address
    assert message["Reply-To"].addresses[0].addr_spec == "zainab@gmail.com"

    mailing_list.dmarc_mitigation = MailingList.Dmarc.NONE
    post.workgroup.mailing_list = mailing_list
    message = PostMessageBuilder(post, mailing_list).build().message
    assert message["From"].addresses[0].addr_spec == "zainab@gmail.com"


def test_header_injection_in_a_subject_stays_in_the_subject():
    assert prefixed_subject("Hi\r\nBcc: victim@example.org", "[x]") == (
        "[x] Hi Bcc: victim@example.org"
    )


def test_without_a_relay_list_mail_goes_to_the_django_mailer(
    mailoutbox, django_capture_on_commit_callbacks
):
    mailing_list, people = make_list(members=2)
    publish(mailing_list, people[0], django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in people)
    raw = mailoutbox[0].message().as_bytes()
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw
