"""The bilingual layer, exercised on a real kind of content (library documents): detection,
reading in the reader's language, translating, the queue, and who may do what."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tadamun.accounts.tests.factories import PASSWORD, UserFactory
from tadamun.documents.models import Document
from tadamun.translations import selectors, services
from tadamun.translations.detect import detect_language
from tadamun.translations.models import Translation, TranslationRequest
from tadamun.workgroups.models import WorkgroupMembership
from tadamun.workgroups.tests.factories import MembershipFactory, WorkgroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_urls():
    with translation.override("en"):
        yield


def make_document(author, *, language="ar", workgroup=None, audience="members", **kwargs):
    return Document.objects.create(
        title=kwargs.pop("title", "تقرير عن حرية التنظيم" if language == "ar" else "A report"),
        description=kwargs.pop("description", "وصف التقرير" if language == "ar" else "About it"),
        language=language,
        workgroup=workgroup,
        audience=audience,
        uploaded_by=author,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (("حرية التنظيم حق أساسي",), "ar"),
        (("Freedom of association is a right",), "en"),
        (("نقابة Union العمال في البصرة",), "ar"),
        (("See https://example.org/عربي and @سارة — the NGO law",), "en"),
        (("١٢٣ 456",), "ar"),  # no letters at all: the site's default language
        (("Title in English", "والنص بالعربية كله طويل جدا جدا"), "ar"),
    ],
)
def test_detect_language(texts, expected):
    assert detect_language(*texts) == expected


def test_reader_gets_their_language_with_the_original_kept():
    author = UserFactory(member=True)
    document = make_document(author)
    services.translation_save(
        obj=document,
        language="en",
        fields={"title": "Freedom report", "description": "On it"},
        by=author,
    )
    english = selectors.localize(document, "en")
    assert english.is_translation
    assert english.text["title"] == "Freedom report"
    assert english.original["title"] == "تقرير عن حرية التنظيم"
    assert english.other == ("ar", english.original)
    arabic = selectors.localize(document, "ar")
    assert not arabic.is_translation
    assert arabic.text["title"] == "تقرير عن حرية التنظيم"
    assert arabic.missing == []


def test_localize_many_is_one_query():
    author = UserFactory(member=True)
    documents = [make_document(author) for _ in range(6)]
    for document in documents[:3]:
        services.translation_save(
            obj=document, language="en", fields={"title": "T", "description": "D"}, by=author
        )
    with CaptureQueriesContext(connection) as queries:
        localized = selectors.localize_many(documents, "en")
    assert len(queries) == 1
    assert [item.is_translation for item in localized] == [True] * 3 + [False] * 3


def test_who_may_translate():
    author = UserFactory(member=True)
    translator = UserFactory(member=True, translator=True)
    other = UserFactory(member=True)
    document = make_document(author)
    with pytest.raises(PermissionDenied):
        services.translation_save(obj=document, language="en", fields={"title": "x"}, by=other)
    services.translation_save(
        obj=document, language="en", fields={"title": "T", "description": "D"}, by=translator
    )
    assert Translation.objects.get().translator == translator

    closed = WorkgroupFactory(closed=True)
    MembershipFactory(workgroup=closed, user=author)
    secret = make_document(author, workgroup=closed, audience="members")
    assert not selectors.can_translate(translator, secret)  # may not even see it
    with pytest.raises(PermissionDenied):
        services.translation_save(
            obj=secret, language="en", fields={"title": "T", "description": "D"}, by=translator
        )


@pytest.mark.parametrize(
    ("language", "fields", "code"),
    [
        ("ar", {"title": "x", "description": "y"}, "same_language"),
        ("fr", {"title": "x", "description": "y"}, "language"),
        ("en", {"title": "", "description": ""}, "empty"),
        ("en", {"title": "only the title", "description": ""}, "incomplete"),
        ("en", {"title": "x", "description": "y", "secret": "z"}, "unknown_field"),
    ],
)
def test_bad_translations_refused_and_nothing_stored(language, fields, code):
    author = UserFactory(member=True)
    document = make_document(author)
    with pytest.raises(ValidationError) as refused:
        services.translation_save(obj=document, language=language, fields=fields, by=author)
    assert refused.value.code == code
    assert not Translation.objects.exists()


def test_translation_text_is_cleaned_of_overrides_and_controls():
    author = UserFactory(member=True)
    document = make_document(author)
    services.translation_save(
        obj=document,
        language="en",
        fields={"title": "A\u202eB\x00C", "description": "D"},
        by=author,
    )
    assert Translation.objects.get().fields["title"] == "ABC"


def test_official_content_needs_both_languages():
    author = UserFactory(member=True)
    document = make_document(author)
    with pytest.raises(ValidationError) as refused:
        services.require_all_languages(document)
    assert refused.value.code == "needs_both_languages"
    services.translation_save(
        obj=document, language="en", fields={"title": "T", "description": "D"}, by=author
    )
    services.require_all_languages(document)


def test_queue_flow_request_claim_submit_notifies():
    author = UserFactory(member=True)
    reader_one = UserFactory(member=True, preferred_language="en")
    reader_two = UserFactory(member=True, preferred_language="en")
    translator = UserFactory(member=True, translator=True)
    rival = UserFactory(member=True, translator=True)
    document = make_document(author)

    first = services.translation_request(obj=document, target_language="en", by=reader_one)
    second = services.translation_request(obj=document, target_language="en", by=reader_two)
    assert first.pk == second.pk  # one open request, two requesters
    assert set(first.requesters.all()) == {reader_one, reader_two}

    assert [item.pk for item in selectors.queue_for(translator)] == [first.pk]
    assert selectors.queue_for(reader_one) == []  # not a translator

    services.translation_claim(request=first, by=translator)
    with pytest.raises(ValidationError):
        services.translation_claim(request=first, by=rival)
    with pytest.raises(ValidationError):
        services.translation_submit(
            request=first, fields={"title": "x", "description": "y"}, by=rival
        )

    services.translation_submit(
        request=first, fields={"title": "Report", "description": "About"}, by=translator
    )
    first.refresh_from_db()
    assert first.status == TranslationRequest.Status.DONE
    assert first.completed
    from tadamun.notifications.models import Notification

    told = set(
        Notification.objects.filter(kind="translation_delivered").values_list(
            "recipient", flat=True
        )
    )
    assert told == {author.pk, reader_one.pk, reader_two.pk}
    with pytest.raises(ValidationError):
        services.translation_request(obj=document, target_language="en", by=reader_one)


def test_queue_shows_only_what_the_translator_may_see_oldest_first():
    author = UserFactory(member=True)
    translator = UserFactory(member=True, translator=True)
    closed = WorkgroupFactory(closed=True)
    MembershipFactory(workgroup=closed, user=author)
    older = make_document(author)
    secret = make_document(author, workgroup=closed)
    newer = make_document(author, language="en")
    for document in (older, secret):
        services.translation_request(obj=document, target_language="en", by=author)
    services.translation_request(obj=newer, target_language="ar", by=author)
    queue = selectors.queue_for(translator)
    assert [waiting.item for waiting in queue] == [older, newer]
    assert [waiting.item for waiting in selectors.queue_for(translator, target="ar")] == [newer]
    MembershipFactory(workgroup=closed, user=translator, role=WorkgroupMembership.Role.MEMBER)
    assert len(selectors.queue_for(translator)) == 3


def test_deleting_an_item_deletes_its_translations_and_requests():
    author = UserFactory(member=True)
    document = make_document(author)
    services.translation_save(
        obj=document, language="en", fields={"title": "T", "description": "D"}, by=author
    )
    services.translation_request(obj=make_document(author), target_language="en", by=author)
    other = Document.objects.exclude(pk=document.pk).get()
    document.delete()
    other.delete()
    assert not Translation.objects.exists()
    assert not TranslationRequest.objects.exists()


# ---- pages -------------------------------------------------------------------------------


def signed_in(client, user):
    client.login(email=user.email, password=PASSWORD)
    return client


def item_args(document, language):
    return [ContentType.objects.get_for_model(Document).pk, document.pk, language]


def test_ask_page_allowed_and_forbidden(client):
    author = UserFactory(member=True)
    document = make_document(author)
    url = reverse("translations:request", args=item_args(document, "en"))
    assert client.post(url).status_code == 302  # to sign in
    assert not TranslationRequest.objects.exists()
    applicant = UserFactory(applicant=True)
    signed_in(client, applicant).post(url)
    assert not TranslationRequest.objects.exists()
    client.logout()
    member = UserFactory(member=True)
    response = signed_in(client, member).post(url, {"next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil" not in response["Location"]
    assert TranslationRequest.objects.get().requesters.get() == member


def test_translate_page_for_closed_group_item_is_404_to_outsiders(client):
    author = UserFactory(member=True)
    closed = WorkgroupFactory(closed=True)
    MembershipFactory(workgroup=closed, user=author)
    secret = make_document(author, workgroup=closed, title="سري جدا")
    translator = UserFactory(member=True, translator=True)
    signed_in(client, translator)
    url = reverse("translations:translate", args=item_args(secret, "en"))
    response = client.get(url)
    assert response.status_code == 404
    assert "سري جدا" not in response.content.decode()
    response = client.post(url, {"title": "x", "description": "y"})
    assert response.status_code == 404
    assert not Translation.objects.exists()
    ask = reverse("translations:request", args=item_args(secret, "en"))
    assert client.post(ask).status_code == 404


def test_translator_works_the_queue_in_the_browserless_flow(client):
    author = UserFactory(member=True)
    document = make_document(author)
    services.translation_request(obj=document, target_language="en", by=author)
    translator = UserFactory(member=True, translator=True)
    signed_in(client, translator)
    page = client.get(reverse("translations:queue"))
    assert page.status_code == 200
    assert "تقرير عن حرية التنظيم" in page.content.decode()
    waiting = TranslationRequest.objects.get()
    response = client.post(reverse("translations:claim", args=[waiting.pk]))
    assert response["Location"] == reverse("translations:translate", args=item_args(document, "en"))
    bad = client.post(response["Location"], {"title": "", "description": ""})
    assert bad.status_code == 400
    assert not Translation.objects.exists()
    done = client.post(response["Location"], {"title": "Report", "description": "About"})
    assert done.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == TranslationRequest.Status.DONE


def test_queue_is_for_translators_only(client):
    signed_in(client, UserFactory(member=True))
    assert client.get(reverse("translations:queue")).status_code == 403


def test_side_by_side_preference_is_remembered(client):
    response = client.post(reverse("translations:both"), {"both": "1", "next": "/en/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/"
    assert client.session["bilingual_both"] is True
