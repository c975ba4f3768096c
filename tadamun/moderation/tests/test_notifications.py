"""The author hears of the decision through the notifications app: real rows, real mail."""

from tadamun.moderation import services
from tadamun.moderation.models import Reason
from tadamun.notifications.models import Notification


def test_the_author_is_told_when_an_item_is_hidden_and_restored(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        services.item_hide(obj=world.open, by=world.moderator, reason=Reason.SPAM, note="No ads")
    notification = Notification.objects.get()
    assert notification.recipient == world.author
    assert notification.kind == "report_decision"
    assert notification.target == world.open
    assert notification.data == {"decision": "hidden", "reason": "spam", "note": "No ads"}
    assert notification.actor is None
    # The reporters and reviewers are not notified (reporters read their reports page).
    assert [message.to for message in mailoutbox] == [[world.author.email]]

    with django_capture_on_commit_callbacks(execute=True):
        services.item_restore(obj=world.open, by=world.coordinator)
    assert Notification.objects.filter(recipient=world.author).count() >= 1
    latest = Notification.objects.filter(recipient=world.author).order_by("-created", "-pk")[0]
    assert latest.data["decision"] == "restored"
    assert not Notification.objects.exclude(recipient=world.author).exists()


def test_dismissing_tells_nobody(world, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        services.reports_dismiss(
            by=world.coordinator,
            content_type_id=world.reports["network"].content_type_id,
            object_id=world.network.pk,
        )
    assert not Notification.objects.exists()
    assert mailoutbox == []
