from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from tadamun.accounts.tests.factories import UserFactory
from tadamun.messaging import services, views
from tadamun.messaging.models import Conversation, Message, Participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(client):
    me = UserFactory(display_name="Amal Writer")
    other = UserFactory(display_name="Basim Reader")
    client.force_login(me)
    return me, other


def conversation_with(me, other, body="Hello"):
    conversation, _ = services.conversation_start(sender=other, recipients=[me], body=body)
    return conversation


def test_inbox_lists_conversations_with_unread_counts(client, pair):
    me, other = pair
    conversation = conversation_with(me, other, body="مرحباً")
    services.message_send(conversation=conversation, author=other, body="Are you there?")
    response = client.get(reverse("messaging:inbox"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Basim Reader" in html
    assert "2 unread messages" in html
    assert "Are you there?" in html
    assert reverse("messaging:conversation", args=[conversation.pk]) in html


def test_inbox_is_paginated(client, pair):
    me, _other = pair
    for _ in range(views.PER_PAGE + 1):
        conversation_with(me, UserFactory())
    first = client.get(reverse("messaging:inbox")).content.decode()
    second = client.get(reverse("messaging:inbox") + "?page=2").content.decode()
    assert first.count('class="unread"') == views.PER_PAGE
    assert second.count('class="unread"') == 1
    assert client.get(reverse("messaging:inbox") + "?page=abc").status_code == 200


def test_new_message_prefills_a_visible_person_only(client, pair):
    me, other = pair
    hidden = UserFactory(hidden=True, display_name="Hidden Person")
    response = client.get(reverse("messaging:new") + f"?to={other.pk}")
    assert response.context["form"]["recipients"].value() == "Basim Reader"
    for to in (hidden.pk, me.pk, "abc", "9" * 40):
        response = client.get(reverse("messaging:new") + f"?to={to}")
        assert response.status_code == 200
        assert not response.context["form"]["recipients"].value()
        assert "Hidden Person" not in response.content.decode()


def test_starting_a_conversation_by_names(client, pair, notified):
    me, other = pair
    third = UserFactory(display_name="سلمى")
    response = client.post(
        reverse("messaging:new"),
        # Names are matched loosely (case, spacing) and may share a line, comma-separated.
        {"recipients": "basim  READER، سلمى\n", "subject": "Plans", "body": "**Hi** all"},
    )
    conversation = Conversation.objects.get()
    message = conversation.messages.get()
    assert response.status_code == 302
    assert response["Location"] == message.get_absolute_url()
    assert set(conversation.participants.values_list("user", flat=True)) == {
        me.pk,
        other.pk,
        third.pk,
    }
    page = client.get(response["Location"]).content.decode()
    assert "<strong>Hi</strong>" in page
    assert "Plans" in page


def test_writing_to_the_same_person_again_continues_the_conversation(client, pair):
    _me, _other = pair
    for body in ("First", "Second"):
        client.post(reverse("messaging:new"), {"recipients": "Basim Reader", "body": body})
    assert Conversation.objects.get().messages.count() == 2


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"recipients": "Basim Reader", "body": ""}, "This field is required."),
        ({"recipients": "Basim Reader", "body": " \u202e "}, "This field is required."),
        (
            {"recipients": "Basim Reader", "body": "x" * (services.MAX_BODY_CHARS + 1)},
            "at most 20000 characters",
        ),
        ({"recipients": "", "body": "Hello"}, "This field is required."),
        ({"recipients": "Nobody Here", "body": "Hello"}, "is called"),
        ({"recipients": "Amal Writer", "body": "Hello"}, "at least one other member"),
        (
            {"recipients": "\n".join(f"Name {n}" for n in range(11)), "body": "Hello"},
            "at most 10 participants",
        ),
        ({"recipients": "x" * 2001, "body": "Hello"}, "at most 2000 characters"),
    ],
)
def test_bad_new_messages_are_refused(client, pair, data, error):
    response = client.post(reverse("messaging:new"), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Conversation.objects.exists()
    assert not Message.objects.exists()


def test_a_long_message_with_windows_newlines_counts_each_newline_once(client, pair):
    body = ("a" * 99 + "\r\n") * (services.MAX_BODY_CHARS // 100)
    response = client.post(reverse("messaging:new"), {"recipients": "Basim Reader", "body": body})
    assert response.status_code == 302
    assert len(Message.objects.get().body) == services.MAX_BODY_CHARS - 1


def test_opening_a_conversation_marks_it_read_and_shows_what_was_new(client, pair):
    me, other = pair
    conversation = conversation_with(me, other, body="Unread one")
    response = client.get(reverse("messaging:conversation", args=[conversation.pk]))
    assert response.status_code == 200
    assert response.context["page"][0].is_new
    participation = Participant.objects.get(conversation=conversation, user=me)
    assert participation.last_read_at is not None
    again = client.get(reverse("messaging:conversation", args=[conversation.pk]))
    assert not again.context["page"][0].is_new


def test_a_conversation_opens_on_its_latest_page_or_the_page_of_a_message(client, pair):
    me, other = pair
    conversation = conversation_with(me, other, body="Message 0")
    sent = [
        services.message_send(conversation=conversation, author=other, body=f"Message {n}")
        for n in range(1, views.MESSAGES_PER_PAGE + 5)
    ]
    url = reverse("messaging:conversation", args=[conversation.pk])
    latest = client.get(url)
    assert latest.context["page"].number == 2
    assert list(latest.context["page"])[-1] == sent[-1]
    first = client.get(sent[0].get_absolute_url())
    assert first.context["page"].number == 1
    assert "Earlier messages" in latest.content.decode()
    assert client.get(url + "?page=1").context["page"].number == 1
    assert client.get(url + "?message=999999").context["page"].number == 2


def test_replying_without_javascript_redirects_to_the_message(client, pair, notified):
    me, other = pair
    conversation = conversation_with(me, other)
    response = client.post(
        reverse("messaging:conversation", args=[conversation.pk]), {"body": "شكراً لك"}
    )
    reply = conversation.messages.latest("created")
    assert response.status_code == 302
    assert response["Location"] == reply.get_absolute_url()
    assert reply.language == "ar"


def test_replying_with_htmx_swaps_the_thread(client, pair):
    me, other = pair
    conversation = conversation_with(me, other)
    url = reverse("messaging:conversation", args=[conversation.pk])
    response = client.post(url, {"body": "Swapped in"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="conversation-thread">')
    assert "Swapped in" in html
    assert "<html" not in html
    bad = client.post(url, {"body": ""}, headers={"HX-Request": "true"})
    assert bad.status_code == 200
    assert 'role="alert"' in bad.content.decode()
    assert conversation.messages.count() == 2


def test_an_empty_or_oversized_reply_is_refused(client, pair):
    me, other = pair
    conversation = conversation_with(me, other)
    url = reverse("messaging:conversation", args=[conversation.pk])
    for body in ("", "x" * (services.MAX_BODY_CHARS + 1)):
        response = client.post(url, {"body": body})
        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()
    assert conversation.messages.count() == 1


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    "[click](javascript:alert(3))",
    '<a href="#" onclick="alert(4)">x</a>',
    "<svg onload=alert(5)>",
]


class Elements(HTMLParser):
    """Every element of a piece of HTML with its attributes."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def test_hostile_markup_renders_inert(client, pair):
    me, other = pair
    conversation = conversation_with(me, other, body="\n\n".join(HOSTILE))
    html = client.get(reverse("messaging:conversation", args=[conversation.pk])).content.decode()
    elements = Elements(html).found
    assert not [tag for tag, _attrs in elements if tag in {"img", "svg", "iframe", "object"}]
    # The page's only scripts are the ones base.html loads from our own static files.
    assert all(
        attrs.get("src", "").startswith("/static/") for tag, attrs in elements if tag == "script"
    )
    for _tag, attrs in elements:
        assert not [name for name in attrs if name.startswith("on")]
        assert not (attrs.get("href") or "").lower().startswith("javascript")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_hidden_messages_show_only_to_their_author(client, pair):
    me, other = pair
    conversation = conversation_with(me, other, body="Before")
    mine = services.message_send(conversation=conversation, author=me, body="Reported text")
    Message.objects.filter(pk=mine.pk).update(is_hidden=True)
    url = reverse("messaging:conversation", args=[conversation.pk])
    html = client.get(url).content.decode()
    assert "Reported text" in html
    assert "hidden by the moderators" in html
    client.force_login(other)
    assert "Reported text" not in client.get(url).content.decode()


def test_changing_ones_own_message(client, pair):
    me, other = pair
    conversation = conversation_with(me, other)
    mine = services.message_send(conversation=conversation, author=me, body="Typo")
    url = reverse("messaging:edit", args=[conversation.pk, mine.pk])
    assert client.get(url).context["form"]["body"].value() == "Typo"
    assert client.post(url, {"body": ""}).status_code == 400
    response = client.post(url, {"body": "Fixed"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.body == "Fixed"
    assert mine.edited
    theirs = conversation.messages.exclude(author=me).get()
    assert (
        client.get(reverse("messaging:edit", args=[conversation.pk, theirs.pk])).status_code == 404
    )


def test_leaving_closes_the_conversation(client, pair):
    me, other = pair
    conversation = conversation_with(me, other)
    response = client.post(reverse("messaging:leave", args=[conversation.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("messaging:inbox")
    assert client.get(reverse("messaging:conversation", args=[conversation.pk])).status_code == 404
    # The other person sees that they left and cannot reply into the void.
    client.force_login(other)
    html = client.get(reverse("messaging:conversation", args=[conversation.pk])).content.decode()
    assert "(left)" in html
    assert "Everyone else has left this conversation" in html
    assert 'id="reply"' not in html


def test_muting_and_unmuting(client, pair):
    me, other = pair
    conversation = conversation_with(me, other)
    url = reverse("messaging:mute", args=[conversation.pk])
    participation = Participant.objects.get(conversation=conversation, user=me)
    client.post(url, {"muted": "1"})
    participation.refresh_from_db()
    assert participation.muted
    page = client.get(reverse("messaging:conversation", args=[conversation.pk]))
    assert "Notify me of new messages again" in page.content.decode()
    assert "muted" in client.get(reverse("messaging:inbox")).content.decode()
    client.post(url, {"muted": "0"})
    participation.refresh_from_db()
    assert not participation.muted
    response = client.post(url, {"muted": "maybe"})
    assert response.status_code == 302
    participation.refresh_from_db()
    assert not participation.muted


def test_get_is_refused_for_actions(client, pair):
    me, other = pair
    conversation = conversation_with(me, other)
    for name in ("leave", "mute"):
        assert client.get(reverse(f"messaging:{name}", args=[conversation.pk])).status_code == 405


def test_participants_link_to_people_the_reader_may_see(client):
    hidden = UserFactory(hidden=True, display_name="Hidden Writer")
    member = UserFactory()
    conversation, _ = services.conversation_start(sender=hidden, recipients=[member], body="Hi")
    client.force_login(member)
    html = client.get(reverse("messaging:conversation", args=[conversation.pk])).content.decode()
    # The hidden member wrote, so their name shows — but no link to a page they hide.
    assert "Hidden Writer" in html
    assert reverse("organisations:person", args=[hidden.pk]) not in html
    client.force_login(hidden)
    html = client.get(reverse("messaging:conversation", args=[conversation.pk])).content.decode()
    assert reverse("organisations:person", args=[member.pk]) in html


def render_nav(user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load messaging %}{% messages_nav_item %}")
    return template.render(Context({"user": user, "request": request}))


def test_header_item_shows_the_unread_count(pair):
    me, other = pair
    assert "badge" not in render_nav(me)
    conversation_with(me, other)
    html = render_nav(me)
    assert reverse("messaging:inbox") in html
    assert '<span class="badge" aria-hidden="true">1</span>' in html
    assert "1 conversation with unread messages" in html
    assert render_nav(UserFactory(applicant=True)).strip() == ""
