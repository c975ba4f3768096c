"""The pages: who reaches them, what they show (and never show), and the settings form."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from tadamun.accounts.tests.factories import UserFactory
from tadamun.notifications import kinds, services
from tadamun.notifications.context_processors import unread
from tadamun.notifications.kinds import Channel
from tadamun.notifications.models import Notification, NotificationPreference, NotificationSettings
from tadamun.notifications.tests.factories import make_document

pytestmark = pytest.mark.django_db

PAGES = ["notifications:list", "notifications:settings"]


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def told(closed):
    """The member is told about the closed workgroup's document and about the author."""
    services.notify(
        recipients=[closed.member], kind="document", target=closed.document, actor=closed.author
    )
    services.notify(
        recipients=[closed.member], kind="follow", target=closed.author, actor=closed.author
    )
    return Notification.objects.get(kind="document")


# ------------------------------------------------------------------------------ who may reach


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", PAGES)
def test_applicants_and_suspended_people_do_not_reach_the_pages(client, name):
    assert signed_in(client, UserFactory(applicant=True)).get(reverse(name)).status_code == 302
    assert signed_in(client, UserFactory(suspended=True)).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", ["notifications:mark_all_read"])
def test_marking_all_read_needs_a_post(client, told, closed, name):
    response = signed_in(client, closed.member).get(reverse(name))
    assert response.status_code == 405
    assert Notification.objects.filter(read_at__isnull=True).count() == 2


# ------------------------------------------------------------------------------ the list


def test_the_list_shows_my_notifications_newest_first_unread_highlighted(client, told, closed):
    services.notify(recipients=[closed.author], kind="message", target=closed.document)
    response = signed_in(client, closed.member).get(reverse("notifications:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<bdi>Layla Author</bdi> started following you" in html
    assert "<bdi>Layla Author</bdi> added a document to a library of yours" in html
    assert html.index("started following you") < html.index("added a document")
    assert html.count('class="notification unread"') == 2
    assert reverse("notifications:open", kwargs={"pk": told.pk}) in html
    assert "sent you a message" not in html  # the author's notification, not mine
    assert "You have 2 unread notifications." in html


def test_the_list_never_shows_what_i_may_no_longer_see(client, told, closed):
    closed.membership.delete()
    response = signed_in(client, closed.member).get(reverse("notifications:list"))
    # Removed from the closed workgroup, the member still reaches the site's other pages…
    assert response.status_code == 200
    html = response.content.decode()
    assert "no longer available" in html
    assert "Shelter" not in html
    assert "shelters" not in html
    assert reverse("notifications:open", kwargs={"pk": told.pk}) not in html


def test_a_deleted_target_is_no_longer_available(client, told, closed):
    closed.document.delete()
    html = signed_in(client, closed.member).get(reverse("notifications:list")).content.decode()
    assert "no longer available" in html
    assert "Shelter" not in html


def test_an_actor_i_may_not_see_is_someone(client, closed):
    hidden = UserFactory(hidden=True, display_name="Quiet Helper")
    services.notify(
        recipients=[closed.member], kind="comment", target=closed.document, actor=hidden
    )
    html = signed_in(client, closed.member).get(reverse("notifications:list")).content.decode()
    assert "<bdi>Someone</bdi> commented on your post" in html
    assert "Quiet Helper" not in html


def test_the_list_is_in_the_viewers_language(client, told, closed):
    with translation.override("ar"):
        address = reverse("notifications:list")
        expected = str(kinds.KINDS["document"].sentence).split("%(actor)s")[1].strip()
    assert address.startswith("/ar/")
    html = signed_in(client, closed.member).get(address).content.decode()
    assert 'lang="ar"' in html
    assert expected in html


def test_the_list_takes_few_queries_and_paginates(client, closed):
    for _ in range(35):
        document = make_document(closed.author, workgroup=closed.workgroup)
        services.notify(
            recipients=[closed.member], kind="document", target=document, actor=closed.author
        )
    signed_in(client, closed.member)
    client.get(reverse("notifications:list"))  # the session's first request records it
    with CaptureQueriesContext(connection) as thirty:
        response = client.get(reverse("notifications:list"))
    assert response.status_code == 200
    assert response.content.decode().count('class="notification unread"') == 30
    with CaptureQueriesContext(connection) as five:
        second = client.get(reverse("notifications:list"), {"page": 2}).content.decode()
    assert second.count('class="notification unread"') == 5
    # No query per notification: one for the targets of each kind, one for the actors.
    assert len(thirty) == len(five)
    assert client.get(reverse("notifications:list"), {"page": "x"}).status_code == 200


# ------------------------------------------------------------------------------ opening


def test_opening_marks_read_and_goes_to_the_item(client, told, closed):
    response = signed_in(client, closed.member).get(
        reverse("notifications:open", kwargs={"pk": told.pk})
    )
    assert response.status_code == 302
    assert response["Location"] == closed.document.get_absolute_url()
    told.refresh_from_db()
    assert told.read_at is not None


def test_opening_an_item_without_a_page_of_its_own_goes_back_to_the_list(client, closed):
    services.notify(recipients=[closed.member], kind="post", target=closed.workgroup)
    notification = Notification.objects.get()
    response = signed_in(client, closed.member).get(
        reverse("notifications:open", kwargs={"pk": notification.pk})
    )
    assert response.status_code == 302
    expected = (
        closed.workgroup.get_absolute_url()
        if hasattr(closed.workgroup, "get_absolute_url")
        else reverse("notifications:list")
    )
    assert response["Location"] == expected
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_someone_elses_notification_is_not_found(client, told, closed):
    for intruder in (closed.author, closed.outsider, UserFactory(coordinator=True)):
        response = signed_in(client, intruder).get(
            reverse("notifications:open", kwargs={"pk": told.pk})
        )
        assert response.status_code == 404
    told.refresh_from_db()
    assert told.read_at is None


def test_opening_an_item_i_may_no_longer_see_says_so_without_its_content(client, told, closed):
    closed.membership.delete()
    response = signed_in(client, closed.member).get(
        reverse("notifications:open", kwargs={"pk": told.pk})
    )
    assert response.status_code == 410
    html = response.content.decode()
    assert "No longer available" in html
    assert "Shelter" not in html
    assert closed.document.get_absolute_url() not in html


def test_mark_all_read(client, told, closed):
    services.notify(recipients=[closed.author], kind="message", target=closed.document)
    response = signed_in(client, closed.member).post(reverse("notifications:mark_all_read"))
    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:list")
    assert not Notification.objects.filter(recipient=closed.member, read_at__isnull=True)
    assert Notification.objects.get(recipient=closed.author).read_at is None


# ------------------------------------------------------------------------------ settings


def _form(**changes) -> dict:
    data = {f"kind-{key}": kind.default_channel for key, kind in kinds.KINDS.items()}
    data.update(changes)
    return data


def test_the_settings_page_shows_a_table_of_choices(client):
    person = UserFactory()
    NotificationPreference.objects.create(user=person, kind="post", channel=Channel.NEVER)
    html = signed_in(client, person).get(reverse("notifications:settings")).content.decode()
    assert html.count('type="radio"') == len(kinds.KINDS) * len(Channel.values)
    assert 'name="kind-post" value="never" id="kind-post-never"' in html
    assert 'aria-labelledby="kind-post channel-never" checked' in html
    assert 'aria-labelledby="kind-message channel-immediately" checked' in html
    assert 'name="content_free_emails"' in html


def test_saving_the_settings(client):
    person = UserFactory()
    response = signed_in(client, person).post(
        reverse("notifications:settings"),
        _form(**{"kind-post": "never", "kind-message": "daily", "content_free_emails": "on"}),
    )
    assert response.status_code == 302
    assert dict(NotificationPreference.objects.values_list("kind", "channel")) == {
        "post": "never",
        "message": "daily",
    }
    assert NotificationSettings.objects.get(user=person).content_free_emails
    assert "saved" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    "data",
    [
        _form(**{"kind-post": "hourly"}),
        _form(**{"kind-post": ""}),
        {key: value for key, value in _form().items() if key != "kind-message"},
        _form(**{"kind-post": "never", "kind-reaction": "<script>"}),
    ],
)
def test_the_settings_form_refuses_unknown_choices_and_changes_nothing(client, data):
    person = UserFactory()
    NotificationPreference.objects.create(user=person, kind="follow", channel=Channel.NEVER)
    response = signed_in(client, person).post(reverse("notifications:settings"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "nothing was changed" in html
    assert "<script>" not in html
    assert list(NotificationPreference.objects.values_list("kind", "channel")) == [
        ("follow", Channel.NEVER)
    ]
    assert not NotificationSettings.objects.filter(user=person).exists()


# ------------------------------------------------------------------------------ the badge


def test_the_context_processor_counts_unread_once_per_request(told, closed):
    request = RequestFactory().get("/")
    request.user = closed.member
    with CaptureQueriesContext(connection) as queries:
        assert unread(request) == {"unread_notifications": 2}
        assert unread(request) == {"unread_notifications": 2}
    assert len(queries) == 1
    Notification.objects.update(read_at=timezone.now())
    fresh = RequestFactory().get("/")
    fresh.user = closed.member
    assert unread(fresh) == {"unread_notifications": 0}


def test_the_context_processor_says_nothing_to_others(told):
    from django.contrib.auth.models import AnonymousUser

    for user in (AnonymousUser(), UserFactory(applicant=True), UserFactory(suspended=True)):
        request = RequestFactory().get("/")
        request.user = user
        assert unread(request) == {}


def test_the_badge_reads_the_count_aloud_in_both_languages():
    html = render_to_string("notifications/_badge.html", {"unread_notifications": 3})
    assert 'href="/en/notifications/"' in html
    assert '<span class="badge" aria-hidden="true">3</span>' in html
    assert "3 unread notifications" in html
    one = render_to_string("notifications/_badge.html", {"unread_notifications": 1})
    assert "1 unread notification)" in one
    none = render_to_string("notifications/_badge.html", {"unread_notifications": 0})
    assert "badge" not in none
    assert "Notifications" in none
    with translation.override("ar"):
        arabic = render_to_string("notifications/_badge.html", {"unread_notifications": 3})
    assert 'href="/ar/notifications/"' in arabic
