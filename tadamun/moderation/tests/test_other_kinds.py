"""Reports work for every reportable kind through the content registry: a private message
(no workgroup; coordinators judge it from the excerpt) and a workgroup's document."""

import pytest
from django.urls import reverse

from tadamun.accounts.tests.factories import UserFactory
from tadamun.core import content
from tadamun.moderation import selectors, services
from tadamun.moderation.models import Reason, Report
from tadamun.workgroups.models import WorkgroupMembership
from tadamun.workgroups.tests.factories import MembershipFactory, WorkgroupFactory

from .conftest import ids


@pytest.fixture
def direct_message(db):
    messaging = pytest.importorskip("tadamun.messaging.services")
    sender = UserFactory(display_name="Sending Member")
    recipient = UserFactory(display_name="Receiving Member")
    _conversation, message = messaging.conversation_start(
        sender=sender, recipients=[recipient], body="You will regret **this**, I know your street."
    )
    return sender, recipient, message


def test_a_private_message_is_reviewed_from_its_excerpt(client, direct_message, notified):
    sender, recipient, message = direct_message
    coordinator = UserFactory(coordinator=True)
    group = WorkgroupFactory()
    moderator = UserFactory()
    MembershipFactory(workgroup=group, user=moderator, role=WorkgroupMembership.Role.MODERATOR)
    assert selectors.is_reportable(message)
    assert not content.can_see(coordinator, message)

    client.force_login(recipient)
    response = client.post(reverse("moderation:report", args=ids(message)), {"reason": "safety"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.excerpt == "You will regret this, I know your street."
    assert report.workgroup is None

    client.force_login(moderator)  # moderates a workgroup, not private messages
    assert client.get(reverse("moderation:item", args=ids(message))).status_code == 404
    client.force_login(coordinator)
    page = client.get(reverse("moderation:item", args=ids(message))).content.decode()
    assert "I know your street" in page
    assert message.get_absolute_url() not in page
    response = client.post(reverse("moderation:hide", args=ids(message)), {"hide-reason": "safety"})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.is_hidden
    assert not content.can_see(recipient, message)
    assert content.can_see(sender, message)
    assert [list(call["recipients"]) for call in notified] == [[sender]]


def test_someone_outside_a_conversation_cannot_report_its_messages(client, direct_message):
    _sender, _recipient, message = direct_message
    client.force_login(UserFactory())
    response = client.post(reverse("moderation:report", args=ids(message)), {"reason": "spam"})
    assert response.status_code == 404
    assert not Report.objects.exists()


def test_a_closed_workgroup_document_stays_inside_it(db, notified):
    documents = pytest.importorskip("tadamun.documents.models")
    group = WorkgroupFactory(closed=True)
    author, reader, moderator = UserFactory(), UserFactory(), UserFactory()
    for user, role in ((author, "member"), (reader, "member"), (moderator, "moderator")):
        MembershipFactory(workgroup=group, user=user, role=role)
    document = documents.Document.objects.create(
        title="Shelter addresses",
        description="Who runs which shelter",
        language="en",
        workgroup=group,
        audience=documents.Document.Audience.MEMBERS,
        uploaded_by=author,
    )
    report = services.report_create(
        reporter=reader, obj=document, reason=Reason.PRIVATE_INFORMATION
    )
    assert report.excerpt == "Shelter addresses Who runs which shelter"
    assert selectors.may_review(moderator, report)
    assert not selectors.may_review(UserFactory(coordinator=True), report)
    services.item_hide(obj=document, by=moderator, reason=Reason.PRIVATE_INFORMATION)
    assert not content.can_see(reader, document)
    assert content.can_see(author, document)
