import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tadamun.core import content
from tadamun.moderation import selectors, services
from tadamun.moderation.models import NOTE_MAX, ModerationDecision, Reason, Report
from tadamun.social.models import Post
from tadamun.social.selectors import posts_visible_to

from .conftest import ids, make_post


def reports_on(obj):
    ct, pk = ids(obj)
    return Report.objects.filter(content_type_id=ct, object_id=pk).order_by("pk")


# ------------------------------------------------------------------------------ reporting


def test_a_report_keeps_a_plain_text_snapshot_of_the_item(world):
    long_text = "**Bold** words and [a link](https://example.org). " + "x" * 2000
    post = make_post(world.author, body=long_text)
    report = services.report_create(
        reporter=world.member, obj=post, reason=Reason.HARASSMENT, note="  Look\u202e here  "
    )
    assert report.excerpt.startswith("Bold words and a link.")
    assert len(report.excerpt) <= 1000
    assert report.note == "Look here"  # no bidi override survives
    assert report.workgroup is None
    assert list(report.authors.all()) == [world.author]
    Post.objects.filter(pk=post.pk).update(body="Edited to look harmless")
    report.refresh_from_db()
    assert report.excerpt.startswith("Bold words")


def test_a_report_on_a_workgroup_item_belongs_to_that_workgroup(world):
    assert world.reports["open"].workgroup == world.open_group
    assert world.reports["closed"].workgroup == world.closed_group


@pytest.mark.parametrize(
    ("reason", "note"),
    [("nonsense", ""), ("", ""), ("spam", "x" * (NOTE_MAX + 1))],
    ids=["unknown reason", "no reason", "oversized note"],
)
def test_bad_reports_store_nothing(world, reason, note):
    before = Report.objects.count()
    with pytest.raises(ValidationError):
        services.report_create(reporter=world.member, obj=world.network, reason=reason, note=note)
    assert Report.objects.count() == before


def test_one_open_report_per_person_and_item(world):
    with pytest.raises(ValidationError) as error:
        services.report_create(reporter=world.reporter, obj=world.network, reason=Reason.OTHER)
    assert error.value.code == "duplicate"
    services.reports_dismiss(
        by=world.coordinator, content_type_id=ids(world.network)[0], object_id=world.network.pk
    )
    # Once decided, the same person may report it again (it may have been edited since).
    services.report_create(reporter=world.reporter, obj=world.network, reason=Reason.OTHER)
    assert reports_on(world.network).count() == 2


def test_reports_are_rate_limited(world, monkeypatch):
    monkeypatch.setattr(services, "REPORTS_PER_HOUR", 3)
    # The reporter has made 3 reports already (one per item of the world).
    extra = make_post(world.author, body="One more")
    with pytest.raises(ValidationError) as error:
        services.report_create(reporter=world.reporter, obj=extra, reason=Reason.SPAM)
    assert error.value.code == "rate_limited"
    assert not reports_on(extra).exists()
    services.report_create(reporter=world.member, obj=extra, reason=Reason.SPAM)


def test_authors_cannot_report_their_own_items(world):
    with pytest.raises(ValidationError) as error:
        services.report_create(reporter=world.author, obj=world.network, reason=Reason.SPAM)
    assert error.value.code == "own_item"


def test_only_what_one_can_see_is_reportable(world):
    with pytest.raises(ValidationError) as error:
        services.report_create(reporter=world.outsider, obj=world.closed, reason=Reason.SPAM)
    assert error.value.code == "not_reportable"
    # A workgroup is registered content but cannot be hidden: not reportable.
    assert not selectors.is_reportable(world.open_group)
    with pytest.raises(ValidationError):
        services.report_create(reporter=world.member, obj=world.open_group, reason=Reason.SPAM)
    assert selectors.is_reportable(world.network)


# ------------------------------------------------------------------------------ reviewing


def test_reports_for_reviewer(world):
    def items(user):
        return {
            name
            for name in world.ITEMS
            if selectors.reports_for_reviewer(user).filter(pk=world.reports[name].pk).exists()
        }

    assert items(world.coordinator) == {"network", "open", "closed"}
    assert items(world.outside_coordinator) == {"network", "open"}
    assert items(world.moderator) == {"open", "closed"}
    for user in (world.member, world.reporter, world.author, world.outsider, world.applicant):
        assert items(user) == set()
    for user in (world.coordinator, world.outside_coordinator, world.moderator, world.member):
        for name in world.ITEMS:
            assert selectors.may_review(user, world.reports[name]) == (name in items(user))


def test_a_moved_item_is_reviewed_by_its_new_workgroup(world):
    Post.objects.filter(pk=world.open.pk).update(audience_workgroup=world.closed_group)
    world.open.refresh_from_db()
    # The live item decides at once …
    assert not selectors.may_review(world.outside_coordinator, world.reports["open"])
    # … and the copies on its reports follow at the next report or decision.
    services.report_create(reporter=world.member, obj=world.open, reason=Reason.SPAM)
    assert (
        not selectors.reports_for_reviewer(world.outside_coordinator)
        .filter(pk=world.reports["open"].pk)
        .exists()
    )


def test_hide_closes_every_open_report_and_tells_the_author(world, notified):
    services.report_create(reporter=world.member, obj=world.open, reason=Reason.HARASSMENT)
    decision = services.item_hide(
        obj=world.open, by=world.moderator, reason=Reason.HARASSMENT, note="Be kind"
    )
    world.open.refresh_from_db()
    assert world.open.is_hidden
    reports = list(reports_on(world.open))
    assert {report.status for report in reports} == {Report.Status.HIDDEN}
    assert {report.handled_by for report in reports} == {world.moderator}
    assert all(report.handled_at for report in reports)
    assert {report.decision_note for report in reports} == {"Be kind"}
    assert decision.action == ModerationDecision.Action.HIDDEN
    assert (decision.by, decision.reason, decision.reports_closed) == (
        world.moderator,
        Reason.HARASSMENT,
        2,
    )
    assert decision.workgroup == world.open_group
    [call] = notified
    assert list(call["recipients"]) == [world.author]
    assert call["kind"] == "report_decision"
    assert call["target"] == world.open
    assert call["data"] == {"decision": "hidden", "reason": "harassment", "note": "Be kind"}
    assert call.get("actor") is None  # the author is not told which reviewer decided
    # Reports on other items are untouched.
    assert Report.objects.get(pk=world.reports["network"].pk).status == Report.Status.OPEN


def test_hidden_items_disappear_for_everyone_but_authors_and_reviewers(world, notified):
    services.item_hide(obj=world.open, by=world.moderator, reason=Reason.SPAM)
    for user in (world.member, world.reporter, world.outsider):
        assert not posts_visible_to(user).filter(pk=world.open.pk).exists()
        assert not content.can_see(user, world.open)
    for user in (world.author, world.moderator, world.coordinator):
        assert content.can_see(user, world.open)
    # The other items stay visible.
    assert content.can_see(world.member, world.network)


def test_deciding_twice_decides_once(world, notified):
    services.item_hide(obj=world.network, by=world.coordinator, reason=Reason.SPAM)
    with pytest.raises(ValidationError):
        services.item_hide(obj=world.network, by=world.outside_coordinator, reason=Reason.OTHER)
    assert len(notified) == 1
    assert ModerationDecision.objects.count() == 1


def test_restore_shows_the_item_again_and_tells_the_author(world, notified):
    services.item_hide(obj=world.closed, by=world.moderator, reason=Reason.SAFETY)
    services.report_create(reporter=world.coordinator, obj=world.closed, reason=Reason.OTHER)
    decision = services.item_restore(obj=world.closed, by=world.coordinator, note="Checked")
    world.closed.refresh_from_db()
    assert not world.closed.is_hidden
    assert content.can_see(world.member, world.closed)
    statuses = list(reports_on(world.closed).values_list("status", flat=True))
    assert statuses == [Report.Status.HIDDEN, Report.Status.RESTORED]
    assert decision.action == ModerationDecision.Action.RESTORED
    assert decision.reports_closed == 1
    assert notified[-1]["data"] == {"decision": "restored", "reason": "safety", "note": "Checked"}
    with pytest.raises(ValidationError):
        services.item_restore(obj=world.closed, by=world.coordinator)


def test_dismiss_leaves_the_item_and_tells_nobody(world, notified):
    ct, pk = ids(world.network)
    closed = services.reports_dismiss(
        by=world.coordinator, content_type_id=ct, object_id=pk, note="Fine"
    )
    assert closed == 1
    world.network.refresh_from_db()
    assert not world.network.is_hidden
    assert reports_on(world.network).get().status == Report.Status.DISMISSED
    assert notified == []
    with pytest.raises(ValidationError):
        services.reports_dismiss(by=world.coordinator, content_type_id=ct, object_id=pk)


@pytest.mark.parametrize("role", ["member", "reporter", "author", "outside_coordinator"])
def test_services_refuse_people_who_may_not_review(world, notified, role):
    user = world.user(role)
    with pytest.raises(PermissionDenied):
        services.item_hide(obj=world.closed, by=user, reason=Reason.SPAM)
    ct, pk = ids(world.closed)
    with pytest.raises(PermissionDenied):
        services.reports_dismiss(by=user, content_type_id=ct, object_id=pk)
    world.closed.refresh_from_db()
    assert not world.closed.is_hidden
    assert reports_on(world.closed).get().status == Report.Status.OPEN
    assert notified == []


def test_bad_decisions_change_nothing(world, notified):
    with pytest.raises(ValidationError):
        services.item_hide(obj=world.network, by=world.coordinator, reason="nonsense")
    with pytest.raises(ValidationError):
        services.item_hide(
            obj=world.network, by=world.coordinator, reason=Reason.SPAM, note="x" * 5000
        )
    world.network.refresh_from_db()
    assert not world.network.is_hidden
    assert reports_on(world.network).get().status == Report.Status.OPEN
    assert notified == []


def test_reports_on_a_deleted_item_can_still_be_dismissed(world, notified):
    ct, pk = ids(world.network)
    world.network.delete()
    item = selectors.review_item(world.coordinator, ct, pk)
    assert item.obj is None
    assert item.excerpt.startswith("Network-wide post text")
    assert services.reports_dismiss(by=world.coordinator, content_type_id=ct, object_id=pk) == 1
