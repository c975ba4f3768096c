import pytest
from django.urls import reverse

from tadamun.core.models import AuditEvent
from tadamun.privacy import services
from tadamun.privacy.tests.conftest import (
    DOCUMENT_BYTES,
    WORKGROUP_ATTACHMENT_BYTES,
    data_of,
    unzip,
)

URL = "privacy:my_data"


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("applicant", 200), ("member", 200), ("coordinator", 200)],
)
def test_my_data_page_is_for_anyone_signed_in(client, world, role, expected):
    user = world.user(role)
    if user:
        client.force_login(user)
    response = client.get(reverse(URL))
    assert response.status_code == expected
    if role == "anonymous":
        assert "/accounts/login/" in response["Location"]
    else:
        assert b"Download my data" in response.content
        assert b"csrfmiddlewaretoken" in response.content


@pytest.mark.parametrize("role", ["anonymous", "applicant", "member", "coordinator"])
def test_my_data_post_returns_a_zip_to_anyone_signed_in(client, world, role):
    user = world.user(role)
    if user:
        client.force_login(user)
    response = client.post(reverse(URL))
    if role == "anonymous":
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
        assert not AuditEvent.objects.filter(action=services.DATA_EXPORTED).exists()
        return
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".zip" in response["Content-Disposition"]
    archive = unzip(response)
    assert archive.testzip() is None
    assert data_of(archive)["account"]["id"] == user.pk


def test_my_data_post_needs_the_csrf_token(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.me)
    assert client.post(reverse(URL)).status_code == 403


def test_other_methods_are_refused(client, world):
    client.force_login(world.me)
    assert client.put(reverse(URL)).status_code == 405


def test_export_holds_my_own_things(client, world):
    client.force_login(world.me)
    data = data_of(unzip(client.post(reverse(URL))))
    assert data["account"]["email"] == "Me.Myself@Example.org"
    assert data["profile"]["display_name"] == "Exporting Person"
    assert data["profile"]["about_me"] == "About me"
    assert [m["workgroup"] for m in data["workgroup_memberships"]] == [world.workgroup.slug]
    assert data["organisation_memberships"][0]["organisation"] == (
        world.org_membership.organisation.slug
    )
    assert [p["text"] for p in data["posts"]] == ["Body of my post zqpostzq"]
    assert data["posts"][0]["url"] == world.post.get_absolute_url()
    assert [c["text"] for c in data["comments"]] == ["My comment zqcommentzq"]
    assert data["comments"][0]["on_post"] == world.post.pk
    assert [p["text"] for p in data["workgroup_posts"]] == ["My workgroup message zqwgzq"]
    assert data["workgroup_posts"][0]["workgroup"] == world.workgroup.slug
    assert [d["title"] for d in data["documents"]["documents"]] == ["My minutes"]
    (conversation,) = data["conversations"]
    assert [m["text"] for m in conversation["messages"]] == [
        "Hello partner zqmine1zq",
        "Hello back zqreplyzq",
    ]
    assert [m["from_me"] for m in conversation["messages"]] == [True, False]
    assert conversation["other_participants"] == [{"display_name": "Partner P", "left": False}]
    (signature,) = data["petition_signatures"]
    assert signature["name"] == "Me At The Petition"
    assert signature["petition"] == world.petition.slug
    assert signature["country"] == "IQ"
    assert signature["governorate"] == "basra"
    assert {"consent_lead", "consent_partner"} <= set(signature)
    actions = [event["action"] for event in data["audit_events"]]
    assert AuditEvent.Action.PRIVACY_CHANGED in actions
    assert AuditEvent.Action.ROLE_CHANGED not in actions


def test_export_holds_nothing_private_of_anyone_else(client, world):
    client.force_login(world.me)
    archive = unzip(client.post(reverse(URL)))
    text = archive.read("data.json").decode()
    # Another conversation's messages, other people's posts and signatures.
    assert "zqprivatezq" not in text
    assert "zqotherpostzq" not in text
    assert "Stranger Signer" not in text
    assert "stranger@example.org" not in text
    # Nobody else's e-mail address, not even of the people `me` writes to.
    for person in (world.partner, world.other_a, world.other_b, world.hidden, world.coordinator):
        assert person.email not in text
        assert person.legal_name not in text
    # A followed member who has since hidden their membership is not named.
    assert "Hidden Member H" not in text
    assert data_of(archive)["follows"] == [
        {"person": "Partner P", "since": data_of(archive)["follows"][0]["since"]}
    ]
    # No password hash, no second-factor secret.
    assert world.me.password not in text
    assert "password" not in data_of(archive)["account"]


def test_a_conversation_left_keeps_only_what_i_wrote(client, world):
    from tadamun.messaging import services as messaging_services

    messaging_services.conversation_leave(conversation=world.conversation, user=world.me)
    client.force_login(world.me)
    data = data_of(unzip(client.post(reverse(URL))))
    (conversation,) = data["conversations"]
    assert [m["text"] for m in conversation["messages"]] == ["Hello partner zqmine1zq"]
    assert conversation["other_participants"] == []
    assert conversation["left"] is not None


def test_attachments_are_byte_identical(client, world):
    client.force_login(world.me)
    archive = unzip(client.post(reverse(URL)))
    data = data_of(archive)
    names = set(archive.namelist())
    assert data["missing_files"] == []

    document_path = data["documents"]["files"][0]["file"]
    assert document_path.startswith("attachments/documents/")
    assert archive.read(document_path) == DOCUMENT_BYTES

    wg_path = data["workgroup_posts"][0]["attachments"][0]["file"]
    assert wg_path.endswith("plan.pdf")
    assert archive.read(wg_path) == WORKGROUP_ATTACHMENT_BYTES

    attachment = world.post.attachments.get()
    attachment_path = data["posts"][0]["attachments"][0]["file"]
    with attachment.file.open("rb") as stored:
        assert archive.read(attachment_path) == stored.read() == b"%PDF-1.4 my attachment"

    image = world.post.images.get()
    image_path = data["posts"][0]["images"][0]["file"]
    with image.file.open("rb") as stored:
        assert archive.read(image_path) == stored.read()

    assert names == {"data.json", document_path, wg_path, attachment_path, image_path}
    assert all(not name.startswith("/") and ".." not in name for name in names)


def test_a_missing_file_is_listed_not_fatal(client, world):
    version = world.document.versions.get()
    version.file.storage.delete(version.file.name)
    client.force_login(world.me)
    response = client.post(reverse(URL))
    assert response.status_code == 200
    data = data_of(unzip(response))
    assert data["missing_files"] == [data["documents"]["files"][0]["file"]]


def test_each_export_is_audited_and_limited_to_one_a_minute(client, world):
    client.force_login(world.me)
    assert client.post(reverse(URL)).status_code == 200
    again = client.post(reverse(URL))
    assert again.status_code == 429
    assert b"Please wait 60 seconds" in again.content
    events = AuditEvent.objects.filter(action=services.DATA_EXPORTED)
    assert [(e.actor_id, e.subject_id) for e in events] == [(world.me.pk, world.me.pk)]
    # The limit is per person.
    client.force_login(world.partner)
    assert client.post(reverse(URL)).status_code == 200


def test_the_page_speaks_arabic_with_arabic_digits(client, world):
    from django.utils import translation

    client.force_login(world.me)
    with translation.override("ar"):
        client.post(reverse(URL))
        again = client.post(reverse(URL))
    assert again.status_code == 429
    assert "٦٠" in again.content.decode()
