import dataclasses

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from tadamun.core import content
from tadamun.moderation import services
from tadamun.moderation.models import ModerationDecision, Reason, Report
from tadamun.social.models import Post

from .conftest import ids, make_post


def messages_of(response) -> list[str]:
    """The messages waiting for the next page (without rendering the item's own page)."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def report_url(obj):
    return reverse("moderation:report", args=ids(obj))


def item_url(obj, action="item"):
    return reverse(f"moderation:{action}", args=ids(obj))


# ---------------------------------------------------------------------------- the report form


def test_the_report_form_offers_the_reasons_and_shows_the_item(client, world):
    client.force_login(world.member)
    response = client.get(report_url(world.network))
    page = response.content.decode()
    assert response.status_code == 200
    for code, label in Reason.choices:
        assert f'value="{code}"' in page
        assert str(label).replace("'", "&#x27;") in page
    assert "Network-wide post text" in page
    assert "<fieldset" in page  # the radio buttons are a group with a legend


def test_reporting_sends_the_member_back_to_the_item(client, world):
    client.force_login(world.member)
    response = client.post(
        report_url(world.open), {"reason": "misleading", "note": "Wrong figures"}
    )
    assert response["Location"] == world.open.get_absolute_url()
    report = Report.objects.get(reporter=world.member)
    assert (report.reason, report.note, report.status) == ("misleading", "Wrong figures", "open")
    assert messages_of(response) == ["Thank you. The reviewers will look at your report."]


def test_reporting_twice_says_so_and_stores_nothing(client, world):
    client.force_login(world.reporter)
    response = client.post(report_url(world.network), {"reason": "spam"})
    assert response["Location"] == world.network.get_absolute_url()
    [message] = messages_of(response)
    assert "reported this already" in message
    assert Report.objects.filter(reporter=world.reporter).count() == 3


@pytest.mark.parametrize(
    "data",
    [
        {"reason": "nonsense"},
        {},
        {"reason": "spam", "note": "x" * 1001},
        {"reason": "spam\x00"},
        {"reason": "spam", "note": "a\x00b"},
    ],
    ids=["unknown reason", "no reason", "oversized note", "null in reason", "null in note"],
)
def test_hostile_reports_are_refused_with_a_message(client, world, data):
    client.force_login(world.member)
    response = client.post(report_url(world.network), data)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not Report.objects.filter(reporter=world.member).exists()


def test_too_many_reports_are_refused_politely(client, world, monkeypatch):
    monkeypatch.setattr(services, "REPORTS_PER_HOUR", 3)
    client.force_login(world.reporter)
    extra = make_post(world.author, body="Another post")
    response = client.post(report_url(extra), {"reason": "spam"})
    assert response.status_code == 429
    assert "many reports in the last hour" in response.content.decode()
    assert not Report.objects.filter(object_id=extra.pk, reporter=world.reporter).exists()


def forged_urls(world):
    post_type = ContentType.objects.get_for_model(Post).pk
    return {
        "unknown content type": reverse("moderation:report", args=[999_999, world.network.pk]),
        "unknown item": reverse("moderation:report", args=[post_type, 999_999]),
        "kind that cannot be hidden": report_url(world.open_group),
        "a person": report_url(world.author),
        "unregistered model": reverse(
            "moderation:report",
            args=[ContentType.objects.get_for_model(Report).pk, world.reports["network"].pk],
        ),
        "huge id": f"/en/reports/new/{post_type}/99999999999999999999999/",
    }


@pytest.mark.parametrize("method", ["get", "post"])
def test_forged_ids_answer_404(client, world, method):
    client.force_login(world.member)
    before = Report.objects.count()
    for name, url in forged_urls(world).items():
        response = getattr(client, method)(url, {"reason": "spam"})
        assert response.status_code == 404, name
    assert Report.objects.count() == before


def test_a_hidden_item_cannot_be_reported_by_those_who_no_longer_see_it(client, world):
    Post.objects.filter(pk=world.network.pk).update(is_hidden=True)
    client.force_login(world.member)
    assert client.post(report_url(world.network), {"reason": "spam"}).status_code == 404


# ------------------------------------------------------------------------------- the queue


def test_the_queue_groups_reports_by_item_oldest_first(client, world):
    services.report_create(reporter=world.member, obj=world.open, reason=Reason.HARASSMENT)
    services.report_create(reporter=world.coordinator, obj=world.open, reason=Reason.SPAM)
    client.force_login(world.coordinator)
    response = client.get(reverse("moderation:queue"))
    items = response.context["items"]
    assert [(item.object_id, item.count) for item in items] == [
        (world.network.pk, 1),
        (world.open.pk, 3),
        (world.closed.pk, 1),
    ]
    assert [code for code, label, n in items[1].reasons] == ["spam", "harassment"]
    assert [n for code, label, n in items[1].reasons] == [2, 1]
    page = response.content.decode()
    assert "Harassment or hate" in page
    assert "3 reported items are waiting" in page


def test_decided_items_move_to_the_decided_list(client, world, notified):
    services.item_hide(obj=world.open, by=world.coordinator, reason=Reason.SPAM)
    client.force_login(world.coordinator)
    waiting = client.get(reverse("moderation:queue")).context["items"]
    assert world.open.pk not in [item.object_id for item in waiting]
    decided = client.get(reverse("moderation:queue"), {"show": "handled"}).context["items"]
    assert [(item.object_id, item.outcome) for item in decided] == [(world.open.pk, "hidden")]
    assert decided[0].is_hidden
    # Anything else in the filter is the waiting list.
    assert client.get(reverse("moderation:queue"), {"show": "<x>", "page": "-1"}).status_code == 200


# ------------------------------------------------------------------------------ one item


def test_the_item_page_shows_the_excerpt_reports_and_a_link(client, world):
    services.report_create(
        reporter=world.member, obj=world.open, reason=Reason.HARASSMENT, note="Rude to me"
    )
    client.force_login(world.moderator)
    page = client.get(item_url(world.open)).content.decode()
    assert "Open group post text" in page
    assert "Rude to me" in page
    assert "Reporting Member" in page
    assert "Plain Member" in page
    assert "Writing Member" in page
    assert f'href="{world.open.get_absolute_url()}"' in page
    assert 'name="hide-reason"' in page
    assert 'value="harassment"' in page
    assert 'name="dismiss-note"' in page
    assert 'name="restore-note"' not in page


def test_hidden_reporters_are_named_to_coordinators_only(client, world):
    from tadamun.accounts.tests.factories import UserFactory
    from tadamun.workgroups.tests.factories import MembershipFactory

    shy = UserFactory(hidden=True, display_name="Shy Reporter")
    MembershipFactory(workgroup=world.open_group, user=shy)
    services.report_create(reporter=shy, obj=world.open, reason=Reason.SAFETY)
    client.force_login(world.moderator)
    assert "Shy Reporter" not in client.get(item_url(world.open)).content.decode()
    client.force_login(world.coordinator)
    assert "Shy Reporter" in client.get(item_url(world.open)).content.decode()


def test_a_private_item_is_judged_from_the_excerpt_only(client, world, monkeypatch, notified):
    """Like a direct message: no workgroup, and the coordinators may not open it."""
    kind = content.kind_of(Post)

    def private_visible_to(user):
        seen = kind.visible_to(user)
        if getattr(user, "pk", None) in {world.author.pk, world.reporter.pk}:
            return seen
        return seen.exclude(pk=world.network.pk)

    private = dataclasses.replace(kind, visible_to=private_visible_to)
    monkeypatch.setitem(content._REGISTRY, kind.key, private)
    client.force_login(world.coordinator)
    page = client.get(item_url(world.network)).content.decode()
    assert "Network-wide post text" in page
    assert f'href="{world.network.get_absolute_url()}"' not in page
    assert "judge it from what the reporters saw" in page
    response = client.post(item_url(world.network, "hide"), {"hide-reason": "harassment"})
    assert response.status_code == 302
    assert Post.objects.get(pk=world.network.pk).is_hidden


def test_hostile_decisions_change_nothing(client, world, notified):
    client.force_login(world.coordinator)
    for data in (
        {"hide-reason": "nonsense"},
        {},
        {"hide-reason": "spam", "hide-note": "x" * 1001},
    ):
        response = client.post(item_url(world.network, "hide"), data)
        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()
    response = client.post(item_url(world.network, "dismiss"), {"dismiss-note": "y" * 1001})
    assert response.status_code == 400
    world.network.refresh_from_db()
    assert not world.network.is_hidden
    assert Report.objects.get(pk=world.reports["network"].pk).status == Report.Status.OPEN
    assert not ModerationDecision.objects.exists()
    assert notified == []
    # GET is not a way to decide.
    assert client.get(item_url(world.network, "hide")).status_code == 405


def test_restoring_an_item_that_is_not_hidden_says_so(client, world, notified):
    client.force_login(world.coordinator)
    response = client.post(item_url(world.network, "restore"), follow=True)
    assert "not hidden" in str(next(iter(response.context["messages"])))
    assert not ModerationDecision.objects.exists()


def test_a_deleted_item_can_only_be_dismissed(client, world, notified):
    client.force_login(world.coordinator)
    url = item_url(world.network)
    world.network.delete()
    page = client.get(url).content.decode()
    assert "deleted" in page
    assert 'name="hide-reason"' not in page
    response = client.post(url + "hide/", {"hide-reason": "spam"}, follow=True)
    assert "no longer exists" in str(next(iter(response.context["messages"])))
    client.post(url + "dismiss/")
    assert Report.objects.get(pk=world.reports["network"].pk).status == Report.Status.DISMISSED


# ------------------------------------------------------------------------ the reporter's page


def test_reporters_follow_their_reports(client, world, notified):
    services.item_hide(obj=world.open, by=world.moderator, reason=Reason.SPAM, note="Secret")
    client.force_login(world.reporter)
    response = client.get(reverse("moderation:my_reports"))
    page = response.content.decode()
    assert "Hidden by the reviewers" in page
    assert "Waiting for review" in page
    assert "Secret" not in page  # the note is for the author
    rows = {row.report.object_id: row for row in response.context["rows"]}
    assert rows[world.open.pk].url == ""  # hidden: no longer reachable for the reporter
    assert rows[world.network.pk].url == world.network.get_absolute_url()


# ----------------------------------------------------------------------- the include


def render_link(user, obj) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template('{% include "moderation/_report_link.html" with obj=obj %}')
    return template.render(Context({"user": user, "obj": obj, "request": request})).strip()


def test_the_report_link_is_for_members_who_may_report(world):
    from django.contrib.auth.models import AnonymousUser

    link = render_link(world.member, world.network)
    assert f'href="{report_url(world.network)}"' in link
    assert render_link(world.author, world.network) == ""
    assert render_link(world.applicant, world.network) == ""
    assert render_link(AnonymousUser(), world.network) == ""
    assert render_link(world.member, world.open_group) == ""  # a workgroup is not reportable
    assert render_link(world.member, None) == ""
