"""The index follows the content: written in the same transaction as the item, changed when it
is edited or translated, gone when it is deleted; files' text added after commit; and
`search_reindex` rebuilds it all."""

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction

from tadamun.accounts.tests.factories import UserFactory
from tadamun.documents import services as documents
from tadamun.organisations.tests.factories import OrganisationFactory
from tadamun.search import services
from tadamun.search.models import SearchEntry
from tadamun.search.tests.helpers import (
    DOCX_TYPE,
    ODT_TYPE,
    docx_bytes,
    found,
    odt_bytes,
    pdf_bytes,
    upload,
)
from tadamun.social import services as social
from tadamun.translations import services as translations
from tadamun.workgroups.tests.factories import MembershipFactory, WorkgroupFactory, make_post

pytestmark = pytest.mark.django_db


def entry_of(obj) -> SearchEntry | None:
    content_type = ContentType.objects.get_for_model(type(obj))
    return SearchEntry.objects.filter(content_type=content_type, object_id=obj.pk).first()


@pytest.fixture
def author():
    return UserFactory(member=True)


def public_post(author, body, **kwargs):
    return social.post_create(author=author, body=body, audience="public", **kwargs)


class TestSocialPosts:
    def test_a_new_post_is_indexed_at_once(self, author):
        post = public_post(author, "The **phosphate** workers met in Basra.", title="Meeting")
        entry = entry_of(post)
        assert entry.kind == "social.post"
        assert entry.title == "Meeting"
        assert entry.body == "The phosphate workers met in Basra."  # Markdown gone
        assert entry.languages == "|en|"
        assert found(None, "phosphate") == [post]

    def test_an_edit_replaces_the_words(self, author):
        post = public_post(author, "About cement factories.")
        social.post_edit(post=post, by=author, title="", body="About textile mills.")
        assert found(None, "cement") == []
        assert found(None, "textile") == [post]

    def test_a_translation_is_found_in_its_language_and_removed_with_it(self, author):
        post = public_post(author, "نقابة عمال الموانئ تعقد اجتماعها", title="اجتماع")
        translations.translation_save(
            obj=post,
            language="en",
            fields={"title": "Dockers meet", "body": "The dockers' union holds its meeting"},
            by=author,
        )
        entry = entry_of(post)
        assert entry.languages == "|ar|en|"
        assert entry.titles == {"ar": "اجتماع", "en": "Dockers meet"}
        assert found(None, "dockers") == [post]
        assert found(None, "dockers", language="en") == [post]
        translations.translation_delete(obj=post, language="en", by=author)
        assert found(None, "dockers") == []
        assert found(None, "الموانئ") == [post]

    def test_a_deleted_post_leaves_the_index_with_its_comments(self, author):
        post = public_post(author, "Minutes of the oilfield assembly.")
        comment = social.comment_create(post=post, author=author, body="oilfield pay rises")
        assert {type(obj).__name__ for obj in found(None, "oilfield")} == {"Post", "Comment"}
        social.post_delete(post=post, by=author)
        assert found(None, "oilfield") == []
        assert entry_of(comment) is None
        assert (
            SearchEntry.objects.count() == SearchEntry.objects.exclude(kind="social.post").count()
        )

    def test_a_hidden_post_stays_indexed(self, author):
        from tadamun.social.models import Post

        post = public_post(author, "A rumour about the refinery.")
        Post.objects.filter(pk=post.pk).update(is_hidden=True)
        assert entry_of(post) is not None
        assert found(None, "refinery") == []  # decided by the selector, at query time

    def test_a_rolled_back_post_leaves_no_entry(self, author):
        def write_then_fail():
            with transaction.atomic():
                public_post(author, "Never committed turbine text.")
                raise RuntimeError

        with pytest.raises(RuntimeError):
            write_then_fail()
        assert not SearchEntry.objects.filter(body__contains="turbine").exists()


class TestOtherKinds:
    def test_comment_edit_and_delete(self, author):
        post = public_post(author, "A post.")
        comment = social.comment_create(post=post, author=author, body="About the harbour.")
        assert found(None, "harbour") == [comment]
        social.comment_edit(comment=comment, by=author, body="About the airport.")
        assert found(None, "harbour") == []
        assert found(None, "airport") == [comment]
        social.comment_delete(comment=comment, by=author)
        assert found(None, "airport") == []

    def test_organisation_names_in_both_languages(self):
        organisation = OrganisationFactory(
            name_ar="نقابة المعلمين الأحرار",
            name_en="Free Teachers Union",
            description_ar="",
            description_en="",
        )
        assert found(None, "teachers") == [organisation]
        assert found(None, "المعلمين") == [organisation]
        organisation.name_en = "Free Educators Union"
        organisation.save()
        assert found(None, "teachers") == []
        organisation.delete()
        assert found(None, "educators") == []

    def test_list_messages_follow_their_workgroup_post(self, author):
        workgroup = WorkgroupFactory()
        MembershipFactory(workgroup=workgroup, user=author)
        post = make_post(workgroup, author=author, subject="Agenda", body="Desalination plant")
        entry = entry_of(post)
        assert entry.kind == "workgroups.post"
        assert entry.workgroup_id == workgroup.pk
        assert found(author, "desalination") == [post]
        workgroup.delete()
        assert not SearchEntry.objects.filter(kind="workgroups.post").exists()

    def test_people_are_indexed_by_display_name_and_bio_only(self):
        person = UserFactory(
            member=True, legal_name="Zaynab Qasim", display_name="Nightjar", bio="Poet."
        )
        entry = entry_of(person)
        assert entry.title == "Nightjar"
        indexed = " ".join([entry.title, entry.body, entry.title_terms, entry.body_terms])
        assert "zaynab" not in indexed.lower()
        assert "qasim" not in indexed.lower()
        assert "example.org" not in indexed
        person.bio = "Writer of songs."
        person.save()
        assert found(UserFactory(member=True), "songs") == [person]

    def test_saving_an_unchanged_item_writes_nothing(self):
        person = UserFactory(member=True)
        before = entry_of(person).updated
        person.save(update_fields=["last_login"])
        assert entry_of(person).updated == before


class TestDocuments:
    @pytest.mark.parametrize(
        ("name", "data", "content_type", "word"),
        [
            ("report.pdf", pdf_bytes("Survey of the sulphur plant"), "application/pdf", "sulphur"),
            ("notes.docx", docx_bytes("محضر اجتماع نقابة الموانئ"), DOCX_TYPE, "نقابه"),
            ("notes.odt", odt_bytes("Irrigation canals in Dhi Qar"), ODT_TYPE, "irrigation"),
            ("notes.txt", "مسودة بيان التضامن".encode(), "text/plain", "التضامن"),
        ],
    )
    def test_the_text_of_the_file_is_found(
        self, author, django_capture_on_commit_callbacks, name, data, content_type, word
    ):
        with django_capture_on_commit_callbacks(execute=True):
            document = documents.document_create(
                by=author,
                upload=upload(name, data, content_type),
                title="Attachment",
                category="report",
                audience="public",
            )
        assert found(None, word) == [document]
        entry = entry_of(document)
        assert entry.file_key == document.versions.get().sha256

    def test_file_text_waits_for_the_commit_and_follows_new_versions(
        self, author, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            document = documents.document_create(
                by=author,
                upload=upload("a.pdf", pdf_bytes("Gypsum quarry"), "application/pdf"),
                title="Quarry report",
                category="report",
                audience="public",
            )
        # Before the commit: the title is searchable, the file's text not yet.
        assert found(None, "quarry") == [document]
        assert found(None, "gypsum") == []
        for callback in callbacks:
            callback()
        assert found(None, "gypsum") == [document]
        with django_capture_on_commit_callbacks(execute=True):
            documents.version_add(
                document=document,
                by=author,
                upload=upload("b.pdf", pdf_bytes("Limestone quarry"), "application/pdf"),
            )
        assert found(None, "gypsum") == []
        assert found(None, "limestone") == [document]

    def test_broken_files_are_indexed_without_their_text(
        self, author, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            document = documents.document_create(
                by=author,
                upload=upload("broken.pdf", b"%PDF-1.4 not really a pdf", "application/pdf"),
                title="Broken upload",
                category="report",
                audience="public",
            )
        assert found(None, "broken") == [document]
        assert entry_of(document).file_text == ""

    def test_document_translation_and_deletion(self, author, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            document = documents.document_create(
                by=author,
                upload=upload("a.txt", b"Text", "text/plain"),
                title="Budget",
                description="Yearly budget",
                category="report",
                audience="public",
            )
        translations.translation_save(
            obj=document,
            language="ar",
            fields={"title": "الميزانية", "description": "الميزانية السنوية"},
            by=author,
        )
        assert found(None, "الميزانيه") == [document]
        documents.document_delete(document=document, by=author)
        assert entry_of(document) is None


class TestReindex:
    def test_rebuilds_missing_and_stale_entries(self, author):
        post = public_post(author, "Cooperative bakery")
        organisation = OrganisationFactory(name_en="Bakers Guild")
        SearchEntry.objects.all().delete()
        stale = SearchEntry.objects.create(
            content_type=ContentType.objects.get_for_model(type(post)),
            object_id=post.pk + 1000,
            kind="social.post",
            title="ghost",
            title_terms="ghost",
        )
        assert found(None, "bakery") == []
        out = io.StringIO()
        call_command("search_reindex", stdout=out)
        assert found(None, "bakery") == [post]
        assert found(None, "bakers") == [organisation]
        assert not SearchEntry.objects.filter(pk=stale.pk).exists()
        output = out.getvalue()
        assert "social.post: 1/1" in output
        assert "documents/second" in output

    def test_one_kind(self, author):
        post = public_post(author, "Fishing cooperative")
        SearchEntry.objects.all().delete()
        call_command("search_reindex", kind=["organisations.organisation"], stdout=io.StringIO())
        assert found(None, "fishing") == []
        call_command("search_reindex", kind=["social.post"], stdout=io.StringIO())
        assert found(None, "fishing") == [post]

    def test_unknown_kind(self):
        from django.core.management.base import CommandError

        with pytest.raises(CommandError):
            call_command("search_reindex", kind=["messaging.message"], stdout=io.StringIO())

    def test_messages_are_never_indexed(self, author):
        from tadamun.messaging import services as messaging

        other = UserFactory(member=True)
        messaging.conversation_start(sender=author, recipients=[other], body="private zebra")
        assert not SearchEntry.objects.filter(body__contains="zebra").exists()
        services.reindex()
        assert not SearchEntry.objects.filter(body__contains="zebra").exists()
