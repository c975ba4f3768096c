"""What the pages show: escaping, bidi isolation, hidden people, held posts, downloads, mbox,
and clear answers to bad input."""

import email
import re

import pytest
from django.urls import reverse

from tadamun.lists.models import InboundMessage, Subscription
from tadamun.workgroups.models import Post, Thread, WorkgroupMembership
from tadamun.workgroups.services import IncomingAttachment

from .factories import MembershipFactory, UserFactory, WorkgroupFactory, make_post


def text(response) -> str:
    return response.content.decode()


def wurl(name, group, *args):
    return reverse(f"workgroups:{name}", args=[group.workgroup.slug, *args])


class TestThreadPage:
    def test_bodies_are_escaped_plain_text_with_links(self, client, world):
        g = world.open
        post = make_post(
            g.workgroup,
            author=world.member,
            parent=g.first,
            subject="Re: x",
            body='<script>alert("x")</script>\nsee https://example.org/report\n<b>bold</b>',
        )
        client.force_login(world.member)
        page = text(client.get(wurl("thread", g, post.thread_id)))
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
        assert "&lt;b&gt;bold&lt;/b&gt;" in page
        assert '<a href="https://example.org/report" rel="nofollow">' in page
        assert '<div class="post-body" dir="auto">' in page

    def test_bidi_override_in_a_subject_is_kept_but_isolated(self, client, world):
        client.force_login(world.member)
        subject = "تقرير \u202eexe.pdf"
        response = client.post(
            wurl("thread_new", world.open), {"subject": subject, "body": "نص"}, follow=True
        )
        thread = Thread.objects.get(subject=subject)
        page = text(response)
        assert f'<h1 dir="auto">{subject}</h1>' in page
        listing = text(client.get(wurl("workgroup", world.open)))
        assert f'dir="auto">{subject}</a>' in listing
        assert thread.posts.get().subject == subject

    def test_author_is_shown_by_display_name_never_legal_name(self, client, world):
        author = UserFactory(legal_name="Zainab Kareem", display_name="Nightingale")
        MembershipFactory(workgroup=world.open.workgroup, user=author)
        post = make_post(world.open.workgroup, author=author, parent=world.open.first)
        client.force_login(world.member)
        page = text(client.get(wurl("thread", world.open, post.thread_id)))
        assert "<bdi>Nightingale</bdi>" in page
        assert "Zainab Kareem" not in page
        assert author.email not in page

    def test_replies_nest_one_level_and_name_whom_they_answer(self, client, world):
        g = world.open
        second = make_post(g.workgroup, author=world.member, parent=g.first, body="second")
        third = make_post(g.workgroup, author=world.moderator, parent=second, body="third")
        client.force_login(world.member)
        response = client.get(wurl("thread", g, g.thread.pk))
        nested = response.context["nested"]
        assert [post.pk for post, _replies in nested] == [g.first.pk, second.pk]
        assert [post.pk for post in nested[1][1]] == [third.pk]
        assert f'<a href="#post-{second.pk}">' in text(response)

    def test_held_posts_only_for_moderators(self, client, world):
        g = world.open
        client.force_login(world.member)
        page = text(client.get(wurl("thread", g, g.thread.pk)))
        assert "Held reply text" not in page
        assert "held.txt" not in page
        client.force_login(world.moderator)
        page = text(client.get(wurl("thread", g, g.thread.pk)))
        assert "Held reply text" in page
        assert "held for moderation" in page

    def test_attachments_are_listed_with_size_and_link(self, client, world):
        g = world.open
        client.force_login(world.member)
        page = text(client.get(wurl("thread", g, g.thread.pk)))
        assert "report.pdf" in page
        assert "10\xa0bytes" in page
        assert wurl("attachment", g, g.attachment.pk) in page

    def test_reply_from_the_web(self, client, world):
        g = world.open
        client.force_login(world.member)
        response = client.post(
            wurl("reply", g, g.thread.pk), {"body": "رد من الموقع", "parent": g.first.pk}
        )
        assert response.status_code == 302
        reply = Post.objects.get(body="رد من الموقع")
        assert reply.parent == g.first
        assert reply.in_reply_to == g.first.message_id
        assert reply.references == g.first.message_id
        assert reply.thread == g.thread

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"body": ""}, "This field is required."),
            ({"body": "x", "parent": "abc"}, "Enter a whole number."),
            ({"body": "x", "parent": "999999"}, "not in this thread"),
        ],
    )
    def test_bad_replies_say_why_and_change_nothing(self, client, world, data, message):
        g = world.open
        client.force_login(world.member)
        before = Post.objects.count()
        response = client.post(wurl("reply", g, g.thread.pk), data)
        assert response.status_code == 400
        assert message in text(response)
        assert Post.objects.count() == before

    def test_cannot_reply_to_a_post_of_another_thread_or_a_held_one(self, client, world):
        other = make_post(world.open.workgroup, author=world.member, subject="Other")
        client.force_login(world.member)
        before = Post.objects.count()
        for parent in (other, world.open.held_reply, world.closed.first):
            response = client.post(
                wurl("reply", world.open, world.open.thread.pk), {"body": "x", "parent": parent.pk}
            )
            assert response.status_code == 400
        assert Post.objects.count() == before

    def test_overlong_subject_is_refused_with_a_message(self, client, world):
        client.force_login(world.member)
        response = client.post(
            wurl("thread_new", world.open), {"subject": "s" * 301, "body": "body"}
        )
        assert response.status_code == 400
        assert "at most 300 characters" in text(response)
        response = client.post(wurl("thread_new", world.open), {"subject": "s", "body": ""})
        assert response.status_code == 400
        assert Post.objects.filter(subject__startswith="sss").count() == 0

    def test_mute_and_unmute(self, client, world):
        g = world.open
        client.force_login(world.member)
        client.post(wurl("mute", g, g.thread.pk), {"muted": "on"})
        assert g.thread.mutes.filter(user=world.member).exists()
        assert "Receive this thread" in text(client.get(wurl("thread", g, g.thread.pk)))
        client.post(wurl("mute", g, g.thread.pk), {"muted": ""})
        assert not g.thread.mutes.filter(user=world.member).exists()

    def test_forged_ids_answer_404(self, client, world):
        client.force_login(world.member)
        assert client.get(wurl("thread", world.open, world.closed.thread.pk)).status_code == 404
        assert client.get(wurl("thread", world.open, 987654)).status_code == 404
        assert client.get(wurl("archive_month", world.open, 2024, 13)).status_code == 404


class TestWorkgroupPage:
    def test_bilingual_names_address_and_threads(self, client, world):
        client.force_login(world.member)
        with_ar = text(client.get(f"/ar/workgroups/{world.open.workgroup.slug}/"))
        assert 'lang="ar" dir="rtl"' in with_ar
        assert f'<h1 dir="auto">{world.open.workgroup.name_ar}</h1>' in with_ar
        address = f"{world.open.workgroup.slug}@"
        assert f'dir="ltr">{address}' in with_ar
        assert world.open.thread.subject in with_ar
        assert world.open.held_thread.subject not in with_ar

    def test_hidden_members_are_listed_only_to_coordinators_and_themselves(self, client, world):
        url = wurl("workgroup", world.open)
        for viewer in (world.member, world.outsider, world.owner):
            client.force_login(viewer)
            page = text(client.get(url))
            assert f"<bdi>{world.member.display_name}</bdi>" in page
            assert "Hidden One" not in page
            assert "Secret Legal" not in page
        for viewer in (world.coordinator, world.hidden):
            client.force_login(viewer)
            assert "<bdi>Hidden One</bdi>" in text(client.get(url))
        client.force_login(world.owner)
        assert "Hidden One" not in text(client.get(wurl("members", world.open)))

    def test_list_counts_leave_hidden_people_out(self, client, world):
        client.force_login(world.outsider)
        response = client.get(reverse("workgroups:list"))
        counts = {wg.pk: wg.member_count for wg, _status in response.context["rows"]}
        assert counts == {world.open.workgroup.pk: 3}  # the closed one is not listed
        client.force_login(world.coordinator)
        response = client.get(reverse("workgroups:list"))
        counts = {wg.pk: wg.member_count for wg, _status in response.context["rows"]}
        assert counts[world.open.workgroup.pk] == 4

    def test_delivery_settings(self, client, world):
        Subscription.objects.create(
            mailing_list=world.open.mailing_list, user=world.member, email=world.member.email
        )
        client.force_login(world.member)
        page = text(client.get(wurl("workgroup", world.open)))
        assert re.search(r'value="each"[^>]*checked', page)
        client.post(wurl("subscription", world.open), {"mode": "none"})
        assert Subscription.objects.get(user=world.member).mode == "none"
        response = client.post(wurl("subscription", world.open), {"mode": "weekly"}, follow=True)
        assert "Choose a valid delivery mode." in text(response)
        assert Subscription.objects.get(user=world.member).mode == "none"


class TestArchive:
    def test_months_and_search(self, client, world):
        g = world.open
        client.force_login(world.member)
        response = client.get(wurl("archive", g))
        (row,) = response.context["months"]
        assert row["posts"] == 1
        assert row["threads"] == 1
        month = client.get(wurl("archive_month", g, g.first.created.year, g.first.created.month))
        assert g.thread.subject in text(month)
        found = client.get(wurl("search", g) + "?q=secret plans")
        assert g.thread.subject in text(found)
        assert "Held" not in text(found)
        held = client.get(wurl("search", g) + "?q=Held")
        assert "No message matches." in text(held)

    def test_search_never_crosses_into_a_closed_workgroup(self, client, world):
        client.force_login(world.outsider)
        response = client.get(wurl("search", world.open) + "?q=Secret")
        assert world.closed.thread.subject not in text(response)
        assert client.get(wurl("search", world.closed) + "?q=Secret").status_code == 404

    def test_overlong_search_is_refused(self, client, world):
        client.force_login(world.member)
        response = client.get(wurl("search", world.open) + "?q=" + "x" * 201)
        assert response.status_code == 400


class TestDownloads:
    def test_attachment_headers(self, client, world):
        g = world.open
        post = make_post(
            g.workgroup,
            author=world.member,
            attachments=[
                IncomingAttachment("تقرير.html", "text/html", b"<script>alert(1)</script>"),
                IncomingAttachment("photo.png", "image/png", b"\x89PNG..."),
            ],
        )
        html, png = post.attachments.order_by("pk")
        client.force_login(world.member)
        response = client.get(wurl("attachment", g, html.pk))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/octet-stream"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")
        assert (
            "filename*=utf-8''%D8%AA%D9%82%D8%B1%D9%8A%D8%B1.html"
            in response["Content-Disposition"]
        )
        assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"
        response = client.get(wurl("attachment", g, png.pk))
        assert response["Content-Type"] == "image/png"

    def test_another_workgroups_attachment_id_is_404(self, client, world):
        client.force_login(world.member)
        url = wurl("attachment", world.open, world.closed.attachment.pk)
        assert client.get(url).status_code == 404

    def test_mbox_holds_published_posts_only_and_raw_mail_as_received(self, client, world):
        g = world.open
        raw = (
            b"From: Someone <s@example.net>\r\nSubject: By mail\r\nMessage-ID: <m1@x>\r\n"
            b"\r\nFrom here on\r\n"
        )
        mailed = make_post(
            g.workgroup,
            subject="By mail",
            body="From here on",
            source=Post.Source.EMAIL,
            author_email="s@example.net",
            message_id="<m1@x>",
        )
        InboundMessage.objects.create(recipient="x", raw=raw, post=mailed)
        reply = make_post(g.workgroup, author=world.member, parent=g.first, body="Arabic: مرحبا")
        client.force_login(world.member)
        response = client.get(wurl("archive_mbox", g))
        assert response["Content-Type"] == "application/mbox"
        assert response.streaming
        data = b"".join(response.streaming_content)
        messages = parse_mboxrd(data)
        ids = [message["Message-ID"] for message in messages]
        assert ids == [g.first.message_id, "<m1@x>", reply.message_id]
        assert "Held" not in data.decode("utf-8", "replace")
        by_mail = messages[1]
        assert by_mail.get_payload() == "From here on\n"  # mboxrd quoting undone
        web_reply = messages[2]
        assert web_reply["In-Reply-To"] == g.first.message_id
        assert "مرحبا" in web_reply.get_payload(decode=True).decode()
        assert world.member.email not in data.decode("utf-8", "replace")


def parse_mboxrd(data: bytes) -> list:
    """Split an mboxrd file and undo its ">From " quoting (Python's mailbox reads mboxo)."""
    entries, current = [], None
    for line in data.split(b"\n"):
        if line.startswith(b"From "):
            current = []
            entries.append(current)
        elif current is not None:
            current.append(re.sub(rb"^>(>*From )", rb"\1", line))
    return [email.message_from_bytes(b"\n".join(lines)) for lines in entries]


def test_membership_page_approves_requests_and_invites(client, world):
    g = world.open
    client.force_login(world.moderator)
    page = text(client.get(wurl("members", g)))
    assert "<bdi>Asking Person</bdi>" in page
    client.post(wurl("membership_decide", g, g.requested.pk), {"decision": "approve"})
    g.requested.refresh_from_db()
    assert g.requested.status == WorkgroupMembership.Status.ACTIVE
    response = client.post(wurl("members", g), {"email": world.hidden.email.upper()})
    assert response.status_code == 400
    assert "No network member you can invite" in text(response)
    response = client.post(wurl("members", g), {"email": "nobody@example.org"})
    assert "No network member you can invite" in text(response)


def test_moderation_queue_shows_sender_reason_and_preview(client, world):
    g = world.open
    client.force_login(world.moderator)
    page = text(client.get(wurl("moderation", g)))
    assert "stranger@example.net" in page
    assert "non-member" in page
    assert "Held text" in page
    response = client.post(
        wurl("moderate", g, g.held_post.pk), {"action": "reject", "reason": ""}, follow=True
    )
    assert "Say why the message is rejected." in text(response)
    g.held_post.refresh_from_db()
    assert g.held_post.status == Post.Status.HELD
    client.post(wurl("moderate", g, g.held_post.pk), {"action": "reject", "reason": "spam"})
    g.held_post.refresh_from_db()
    assert g.held_post.status == Post.Status.REJECTED
    # A held post of the closed workgroup cannot be decided through the open one.
    response = client.post(wurl("moderate", g, world.closed.held_post.pk), {"action": "approve"})
    assert response.status_code == 404


def test_emergency_hold_from_the_web_says_so(client, world):
    g = world.open
    g.mailing_list.emergency = True
    g.mailing_list.save()
    client.force_login(world.member)
    response = client.post(wurl("thread_new", g), {"subject": "S", "body": "B"}, follow=True)
    assert "waits for a moderator" in text(response)
    assert Post.objects.get(subject="S").status == Post.Status.HELD


def test_joining_from_the_page(client, db):
    workgroup = WorkgroupFactory()
    person = UserFactory()
    client.force_login(person)
    client.post(reverse("workgroups:join", args=[workgroup.slug]))
    assert WorkgroupMembership.objects.filter(user=person, workgroup=workgroup).exists()


def test_archive_draws_messages_per_month_on_the_server(client, django_user_model):
    """The archive shows list activity as an inline SVG chart: no script, readable by screen
    readers (title + description with every value), numbers localised."""
    from django.utils import translation

    from tadamun.accounts.tests.factories import UserFactory
    from tadamun.workgroups.services import post_create
    from tadamun.workgroups.tests.factories import MembershipFactory, WorkgroupFactory

    workgroup = WorkgroupFactory()
    member = UserFactory()
    MembershipFactory(workgroup=workgroup, user=member)
    for number in range(3):
        post_create(
            workgroup=workgroup,
            author=member,
            subject=f"موضوع {number}",
            body="نص",
            source="web",
            deliver=False,
        )
    client.force_login(member)
    with translation.override("ar"):
        page = client.get(f"/ar/workgroups/{workgroup.slug}/archive/").content.decode()
    assert '<svg class="chart"' in page
    assert 'role="img"' in page
    assert "<script" not in page.split('<svg class="chart"')[1].split("</svg>")[0]
    assert "٣" in page.split("<desc")[1].split("</desc>")[0]  # three messages, Arabic digits
    assert page.count('class="chart-bar"') == 12


def test_home_lists_recent_discussions_of_my_workgroups_only(client, db):
    """A member's home page shows the latest threads of their own workgroups — a closed one
    included — and nothing of workgroups they are not in."""
    from tadamun.accounts.tests.factories import UserFactory
    from tadamun.workgroups.services import post_create
    from tadamun.workgroups.tests.factories import MembershipFactory, WorkgroupFactory

    mine = WorkgroupFactory(closed=True)
    other = WorkgroupFactory(closed=True)
    member = UserFactory()
    MembershipFactory(workgroup=mine, user=member)
    stranger = UserFactory()
    MembershipFactory(workgroup=other, user=stranger)
    for workgroup, author, subject in ((mine, member, "خطتنا"), (other, stranger, "Secret plan")):
        post_create(
            workgroup=workgroup,
            author=author,
            subject=subject,
            body="…",
            source="web",
            deliver=False,
        )
    client.force_login(member)
    page = client.get("/ar/").content.decode()
    assert "خطتنا" in page
    assert "Secret plan" not in page
    client.logout()
    assert "خطتنا" not in client.get("/ar/").content.decode()
