import hashlib
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from tadamun.accounts.tests.factories import UserFactory
from tadamun.core import content
from tadamun.documents import selectors, services
from tadamun.documents.models import Document, DocumentVersion
from tadamun.notifications.models import Notification
from tadamun.translations.models import Translation, TranslationRequest
from tadamun.workgroups.models import WorkgroupMembership
from tadamun.workgroups.tests.factories import MembershipFactory, WorkgroupFactory

from .conftest import make_document, text_file

pytestmark = pytest.mark.django_db


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "documents"
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def test_create_stores_the_file_under_a_random_name_with_its_facts(settings):
    person = UserFactory()
    document = make_document(by=person, title="  Report   on ports ", versions=(b"Port data\n",))
    assert document.title == "Report on ports"
    assert document.language == "en"  # recognised from the text
    assert document.audience == Document.Audience.MEMBERS
    version = document.versions.get()
    assert version.filename == "report.txt"
    assert version.content_type == "text/plain"
    assert version.size == len(b"Port data\n")
    assert version.sha256 == hashlib.sha256(b"Port data\n").hexdigest()
    assert version.uploaded_by == person
    assert "report" not in version.file.name
    assert version.file.name.startswith(f"documents/{document.pk}/")
    assert [path.read_bytes() for path in stored_files(settings)] == [b"Port data\n"]


def test_language_is_recognised_or_taken_as_chosen():
    person = UserFactory()
    arabic = make_document(by=person, title="تقرير عن الموانئ", description="نص عربي")
    chosen = make_document(by=person, title="تقرير", description="", language="en")
    assert arabic.language == "ar"
    assert chosen.language == "en"


def test_bad_details_are_refused_with_messages_and_nothing_is_stored(settings):
    person = UserFactory()
    with pytest.raises(ValidationError) as caught:
        services.document_create(
            by=person,
            upload=text_file(),
            title="   ",
            description="x" * (services.DESCRIPTION_MAX + 1),
            category="gossip",
            audience="everyone",
            language="fr",
        )
    assert set(caught.value.message_dict) == {
        "title",
        "description",
        "category",
        "audience",
        "language",
    }
    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_title_and_description_are_cleaned_of_bidi_overrides_and_controls():
    person = UserFactory()
    document = make_document(
        by=person, title="Report\u202e gpj.exe\x07", description="Line\u202d one\r\nline two"
    )
    assert document.title == "Report gpj.exe"
    assert document.description == "Line one\nline two"


def test_workgroup_documents_are_always_for_members():
    workgroup = WorkgroupFactory()
    person = MembershipFactory(workgroup=workgroup).user
    document = make_document(by=person, workgroup=workgroup, audience=Document.Audience.PUBLIC)
    assert document.audience == Document.Audience.MEMBERS
    assert not selectors.documents_visible_to(None).filter(pk=document.pk).exists()


def test_only_those_allowed_may_upload():
    workgroup = WorkgroupFactory()
    with pytest.raises(PermissionDenied):
        make_document(by=UserFactory(applicant=True))
    with pytest.raises(PermissionDenied):
        make_document(by=UserFactory(), workgroup=workgroup)  # not in the workgroup
    assert not Document.objects.exists()


def test_new_version_becomes_current_and_keeps_the_old_ones(settings):
    person = UserFactory()
    document = make_document(by=person, versions=(b"one", b"two"))
    version = services.version_add(
        document=document, by=person, upload=text_file("three.txt", b"three"), note=" Fixed  "
    )
    versions = list(document.versions.all())
    assert versions[0] == version
    assert version.note == "Fixed"
    assert [v.size for v in versions] == [5, 3, 3]
    assert len(stored_files(settings)) == 3


def test_update_changes_details_only():
    coordinator = UserFactory(coordinator=True)
    document = make_document(by=UserFactory(), audience=Document.Audience.PUBLIC)
    services.document_update(
        document=document,
        by=coordinator,
        title="Statement on the ports",
        description="Signed by twelve unions.",
        category=Document.Category.STATEMENT,
        audience=Document.Audience.MEMBERS,
        language="en",
    )
    document.refresh_from_db()
    assert (document.title, document.category, document.audience) == (
        "Statement on the ports",
        "statement",
        "members",
    )
    assert document.versions.count() == 1


def test_workgroup_owner_manages_its_library_but_not_the_network_one():
    workgroup = WorkgroupFactory(closed=True)
    owner = MembershipFactory(workgroup=workgroup, role=WorkgroupMembership.Role.OWNER).user
    author = MembershipFactory(workgroup=workgroup).user
    in_group = make_document(by=author, workgroup=workgroup)
    network = make_document(by=author)
    assert selectors.can_manage(owner, in_group)
    assert not selectors.can_manage(owner, network)


def test_a_former_member_cannot_manage_a_closed_groups_document():
    workgroup = WorkgroupFactory(closed=True)
    membership = MembershipFactory(workgroup=workgroup)
    document = make_document(by=membership.user, workgroup=workgroup)
    membership.delete()
    assert not selectors.can_manage(membership.user, document)
    with pytest.raises(PermissionDenied):
        services.document_delete(document=document, by=membership.user)


def test_delete_removes_rows_translations_and_every_file(
    settings, django_capture_on_commit_callbacks
):
    person = UserFactory()
    document = make_document(by=person, versions=(b"one", b"two", b"three"))
    content_type = ContentType.objects.get_for_model(Document)
    Translation.objects.create(
        content_type=content_type,
        object_id=document.pk,
        language="ar",
        fields={"title": "تقرير", "description": "وصف"},
    )
    TranslationRequest.objects.create(
        content_type=content_type, object_id=document.pk, source_language="en", target_language="ar"
    )
    paths = [Path(v.file.path) for v in document.versions.all()]
    assert all(path.exists() for path in paths)
    with django_capture_on_commit_callbacks(execute=True):
        services.document_delete(document=document, by=person)
    assert not Document.objects.exists()
    assert not DocumentVersion.objects.exists()
    assert not Translation.objects.exists()
    assert not TranslationRequest.objects.exists()
    assert not any(path.exists() for path in paths)
    assert stored_files(settings) == []


def test_refused_delete_keeps_everything(django_capture_on_commit_callbacks):
    document = make_document(by=UserFactory(), versions=(b"one", b"two"))
    paths = [Path(v.file.path) for v in document.versions.all()]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        services.document_delete(document=document, by=UserFactory())
    assert document.versions.count() == 2
    assert all(path.exists() for path in paths)


# --------------------------------------------------------------------------- visibility


def test_hidden_documents_only_for_uploader_and_reviewers():
    workgroup = WorkgroupFactory()
    uploader = MembershipFactory(workgroup=workgroup).user
    moderator = MembershipFactory(workgroup=workgroup, role=WorkgroupMembership.Role.MODERATOR).user
    coordinator = UserFactory(coordinator=True)
    member = UserFactory()
    in_group = make_document(by=uploader, workgroup=workgroup)
    public = make_document(by=uploader, audience=Document.Audience.PUBLIC)
    Document.objects.filter(pk__in=[in_group.pk, public.pk]).update(is_hidden=True)

    def sees(user, document):
        return content.can_see(user, document)

    assert sees(uploader, in_group)
    assert sees(uploader, public)
    assert sees(moderator, in_group)
    assert not sees(moderator, public)
    assert sees(coordinator, in_group)
    assert sees(coordinator, public)
    assert not sees(member, in_group)
    assert not sees(member, public)
    assert not sees(None, public)


def test_hidden_document_in_a_closed_group_stays_out_of_reach_of_outside_coordinators():
    workgroup = WorkgroupFactory(closed=True)
    uploader = MembershipFactory(workgroup=workgroup).user
    document = make_document(by=uploader, workgroup=workgroup)
    Document.objects.filter(pk=document.pk).update(is_hidden=True)
    assert not content.can_see(UserFactory(coordinator=True), document)


def test_suspended_people_see_only_public_documents():
    person = UserFactory()
    public = make_document(by=person, audience=Document.Audience.PUBLIC)
    members = make_document(by=person)
    person.status = person.Status.SUSPENDED
    person.save()
    assert list(selectors.documents_visible_to(person)) == [public]
    assert not selectors.can_manage(person, members)


def test_registered_as_content_for_translations_and_reports():
    workgroup = WorkgroupFactory()
    person = MembershipFactory(workgroup=workgroup).user
    document = make_document(by=person, workgroup=workgroup)
    kind = content.kind_of(document)
    assert kind.text_fields == ("title", "description")
    assert list(kind.authors(document)) == [person]
    assert kind.workgroup(document) == workgroup
    assert document.get_absolute_url() == f"/en/documents/{document.pk}/"


def test_search_covers_translations_but_never_widens_what_is_seen():
    workgroup = WorkgroupFactory(closed=True)
    insider = MembershipFactory(workgroup=workgroup).user
    secret = make_document(by=insider, workgroup=workgroup, title="Budget plan")
    public = make_document(
        by=insider, title="تقرير الموازنة", description="", audience=Document.Audience.PUBLIC
    )
    Translation.objects.create(
        content_type=ContentType.objects.get_for_model(Document),
        object_id=public.pk,
        language="en",
        fields={"title": "Budget report", "description": ""},
    )
    outsider = UserFactory()
    assert list(selectors.search(selectors.documents_visible_to(outsider), q="budget")) == [public]
    assert set(selectors.search(selectors.documents_visible_to(insider), q="BUDGET")) == {
        public,
        secret,
    }
    assert list(selectors.search(selectors.documents_visible_to(None), q="budget")) == [public]
    readable_in_english = selectors.search(selectors.documents_visible_to(insider), language="en")
    assert set(readable_in_english) == {public, secret}
    assert list(selectors.search(selectors.documents_visible_to(insider), language="ar")) == [
        public
    ]


# ------------------------------------------------------------------------- notifications


def test_new_workgroup_document_notifies_active_members(
    monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    monkeypatch.setattr(
        "tadamun.notifications.services.notify", lambda **kwargs: calls.append(kwargs) or 0
    )
    workgroup = WorkgroupFactory()
    uploader = MembershipFactory(workgroup=workgroup).user
    member = MembershipFactory(workgroup=workgroup).user
    MembershipFactory(workgroup=workgroup, status=WorkgroupMembership.Status.REQUESTED)
    UserFactory()  # not in the workgroup
    with django_capture_on_commit_callbacks(execute=True):
        document = make_document(by=uploader, workgroup=workgroup)
        make_document(by=uploader)  # the network's library: nobody is told
    assert len(calls) == 1
    call = calls[0]
    assert (call["kind"], call["target"], call["actor"]) == ("document", document, uploader)
    assert set(call["recipients"]) == {uploader, member}  # notify() leaves out the actor


def test_new_document_notification_reaches_members_but_not_the_uploader(
    django_capture_on_commit_callbacks,
):
    workgroup = WorkgroupFactory(closed=True)
    uploader = MembershipFactory(workgroup=workgroup).user
    member = MembershipFactory(workgroup=workgroup).user
    outsider = UserFactory(coordinator=True)
    with django_capture_on_commit_callbacks(execute=True):
        document = make_document(by=uploader, workgroup=workgroup)
    told = set(
        Notification.objects.filter(kind="document", object_id=document.pk).values_list(
            "recipient_id", flat=True
        )
    )
    assert told == {member.pk}
    assert outsider.pk not in told
