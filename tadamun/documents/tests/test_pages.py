from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tadamun.accounts.tests.factories import UserFactory
from tadamun.documents import selectors, views
from tadamun.documents.models import Document
from tadamun.translations.models import Translation
from tadamun.workgroups.tests.factories import MembershipFactory, WorkgroupFactory

from .conftest import make_document, text_file

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return response.content.decode()


# ------------------------------------------------------------------------------- library


def test_library_filters_by_category_and_language(client):
    person = UserFactory()
    make_document(by=person, title="Port report", category="report")
    make_document(by=person, title="Training guide", category="training")
    make_document(by=person, title="دليل التدريب", description="", category="training")
    client.force_login(person)
    url = reverse("documents:library")
    training = page_text(client.get(url, {"category": "training"}))
    assert "Training guide" in training
    assert "دليل التدريب" in training
    assert "Port report" not in training
    arabic = page_text(client.get(url, {"language": "ar"}))
    assert "دليل التدريب" in arabic
    assert "Training guide" not in arabic
    found = page_text(client.get(url, {"q": "guide"}))
    assert "Training guide" in found
    assert "Port report" not in found
    assert "No document matches this search." in page_text(client.get(url, {"q": "nothing"}))


def test_library_refuses_bad_filters(client):
    response = client.get(reverse("documents:library"), {"category": "gossip", "page": "x"})
    assert response.status_code == 400
    assert "Some filters are not valid" in page_text(response)


def test_library_paginates(client, monkeypatch):
    monkeypatch.setattr(views, "PER_PAGE", 2)
    person = UserFactory()
    for number in range(5):
        make_document(by=person, title=f"Report {number}")
    client.force_login(person)
    first = page_text(client.get(reverse("documents:library")))
    assert "5 documents" in first
    assert first.count('class="document-item"') == 2
    assert 'rel="next" href="?page=2"' in first
    last = page_text(client.get(reverse("documents:library"), {"page": 3, "q": "Report"}))
    assert last.count('class="document-item"') == 1
    assert 'rel="prev" href="?q=Report&amp;page=2"' in last


def test_htmx_gets_only_the_results(client):
    make_document(by=UserFactory(), title="Public paper", audience="public")
    response = client.get(
        reverse("documents:library"), {"q": "paper"}, headers={"HX-Request": "true"}
    )
    text = page_text(response)
    assert text.lstrip().startswith('<div id="library-results"')
    assert "Public paper" in text
    assert "HX-Request" in response["Vary"]


def test_search_never_finds_what_the_viewer_may_not_see(client):
    workgroup = WorkgroupFactory(closed=True)
    insider = MembershipFactory(workgroup=workgroup).user
    make_document(by=insider, title="Secret closed plan", workgroup=workgroup)
    make_document(by=insider, title="Secret members memo")
    hidden = make_document(by=insider, title="Secret hidden paper", audience="public")
    Document.objects.filter(pk=hidden.pk).update(is_hidden=True)
    make_document(by=insider, title="Secret public paper", audience="public")
    url = reverse("documents:library")

    def found(user):
        client.logout()
        if user:
            client.force_login(user)
        text = page_text(client.get(url, {"q": "secret"}))
        return {title for title in ("closed plan", "members memo", "hidden paper", "public paper")
                if f"Secret {title}" in text}  # fmt: skip

    assert found(None) == {"public paper"}
    assert found(UserFactory(applicant=True)) == {"public paper"}
    assert found(UserFactory()) == {"members memo", "public paper"}
    assert found(UserFactory(coordinator=True)) == {"members memo", "public paper", "hidden paper"}
    # The network's library never lists a workgroup's documents, even to its members.
    assert found(insider) == {"members memo", "public paper", "hidden paper"}
    client.force_login(UserFactory(coordinator=True))
    closed = client.get(reverse("documents:workgroup", args=[workgroup.slug]), {"q": "secret"})
    assert closed.status_code == 404


def test_workgroup_library_lists_its_documents_and_offers_upload_to_members(client):
    workgroup = WorkgroupFactory()
    member = MembershipFactory(workgroup=workgroup).user
    make_document(by=member, title="Group minutes", workgroup=workgroup)
    make_document(by=member, title="Network paper")
    url = reverse("documents:workgroup", args=[workgroup.slug])
    client.force_login(member)
    text = page_text(client.get(url))
    assert "Group minutes" in text
    assert "Network paper" not in text
    assert reverse("documents:workgroup_upload", args=[workgroup.slug]) in text
    client.force_login(UserFactory())
    assert reverse("documents:workgroup_upload", args=[workgroup.slug]) not in page_text(
        client.get(url)
    )


def test_list_include_for_the_workgroup_page():
    workgroup = WorkgroupFactory()
    member = MembershipFactory(workgroup=workgroup).user
    make_document(by=member, title="Group minutes", workgroup=workgroup, versions=(b"abc",))
    html = render_to_string(
        "documents/_document_list.html",
        {"documents": selectors.documents_in_workgroup(member, workgroup)[:5]},
    )
    assert "Group minutes" in html
    assert "TXT, 3\xa0bytes" in html
    assert (
        selectors.documents_in_workgroup(UserFactory(), WorkgroupFactory(closed=True)).count() == 0
    )


# -------------------------------------------------------------------------------- detail


def test_detail_shows_versions_sizes_and_safe_markdown(client):
    person = UserFactory()
    document = make_document(
        by=person,
        title="Ports report",
        description="**Bold** finding. <script>alert(1)</script> [link](javascript:alert(1))",
        versions=(b"a" * 2048, b"b" * 10),
    )
    client.force_login(person)
    text = page_text(client.get(reverse("documents:detail", args=[document.pk])))
    assert "<strong>Bold</strong>" in text
    assert "<script>alert(1)</script>" not in text
    assert 'href="javascript:' not in text
    assert "2 versions" in text
    assert "2.0\xa0KB" in text
    assert "10\xa0bytes" in text
    old, current = document.versions.order_by("pk")
    assert reverse("documents:download", args=[document.pk, old.pk]) in text
    assert reverse("documents:download", args=[document.pk, current.pk]) in text
    assert reverse("documents:download", args=[document.pk]) in text
    assert reverse("documents:edit", args=[document.pk]) in text


def test_detail_in_arabic_uses_arabic_digits_and_dates(client):
    person = UserFactory(preferred_language="ar")
    document = make_document(by=person, title="تقرير", description="", versions=(b"a", b"b"))
    client.force_login(person)
    with translation.override("ar"):
        url = reverse("documents:detail", args=[document.pk])
    text = page_text(client.get(url))
    assert url.startswith("/ar/")
    assert 'lang="ar" dir="rtl"' in text
    assert "٢" in text  # two versions, in Arabic-Indic digits


def test_detail_shows_the_readers_translation_and_who_may_translate(client):
    author = UserFactory()
    document = make_document(by=author, title="تقرير الموانئ", description="عن الموانئ")
    Translation.objects.create(
        content_type=ContentType.objects.get_for_model(Document),
        object_id=document.pk,
        language="en",
        fields={"title": "Ports report", "description": "About the ports"},
    )
    url = reverse("documents:detail", args=[document.pk])
    client.force_login(UserFactory())
    text = page_text(client.get(url))
    assert "<title>Ports report" in text
    assert "About the ports" in text
    assert "Translated from" in text
    assert "Edit the English translation" not in text
    client.force_login(author)
    assert "Edit the English translation" in page_text(client.get(url))


def test_uploader_names_follow_the_directory_rules(client):
    hidden = UserFactory(hidden=True, display_name="Quiet Person")
    document = make_document(by=hidden, title="Shared paper", audience="public")
    url = reverse("documents:detail", args=[document.pk])
    assert "Quiet Person" not in page_text(client.get(url))  # anonymous
    client.force_login(UserFactory())
    text = page_text(client.get(url))
    assert "Quiet Person" not in text
    assert "a member of the network" in text
    client.force_login(UserFactory(coordinator=True))
    assert "Quiet Person" in page_text(client.get(url))
    client.force_login(hidden)
    assert "Quiet Person" in page_text(client.get(url))


def test_missing_version_answers_404(client):
    person = UserFactory()
    document = make_document(by=person)
    other = make_document(by=person)
    client.force_login(person)
    url = reverse("documents:download", args=[document.pk, other.versions.get().pk])
    assert client.get(url).status_code == 404


# ----------------------------------------------------------------------------- downloads


def test_download_is_always_an_attachment_with_safe_headers(client):
    document = make_document(by=UserFactory(), audience="public", versions=(b"one", b"two"))
    old = document.versions.last()
    for url, name, data in (
        (reverse("documents:download", args=[document.pk]), "report-v2.txt", b"two"),
        (reverse("documents:download", args=[document.pk, old.pk]), "report.txt", b"one"),
    ):
        response = client.get(url)  # anonymous: the document is public
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="{name}"'
        assert response["Content-Type"] == "text/plain"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert response["Cache-Control"] == "private, no-store"
        assert response["Cross-Origin-Resource-Policy"] == "same-origin"
        assert b"".join(response.streaming_content) == data


def test_download_name_is_the_safe_original(client):
    person = UserFactory()
    client.force_login(person)
    client.post(
        reverse("documents:upload"),
        {
            "file": text_file('../../etc/"quoted" تقرير.txt', b"data"),
            "title": "Names",
            "category": "other",
            "audience": "members",
            "language": "auto",
        },
    )
    document = Document.objects.get()
    response = client.get(reverse("documents:download", args=[document.pk]))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "/" not in disposition.replace("attachment; ", "")
    assert "filename*=utf-8''" in disposition


# ------------------------------------------------------------------------------- writing


def test_upload_to_a_workgroup_creates_and_redirects(client, django_capture_on_commit_callbacks):
    workgroup = WorkgroupFactory()
    member = MembershipFactory(workgroup=workgroup).user
    client.force_login(member)
    url = reverse("documents:workgroup_upload", args=[workgroup.slug])
    form = page_text(client.get(url))
    assert 'enctype="multipart/form-data"' in form
    assert 'name="audience"' not in form  # a workgroup's documents are for its readers
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "file": text_file("minutes.txt", b"We met."),
                "title": "محضر الاجتماع",
                "description": "",
                "category": "minutes",
                "language": "auto",
            },
        )
    document = Document.objects.get()
    assert response["Location"] == document.get_absolute_url()
    assert (document.workgroup, document.language, document.uploaded_by) == (
        workgroup,
        "ar",
        member,
    )


def test_upload_form_errors_keep_nothing(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("documents:upload"),
        {"title": "", "category": "report", "audience": "members", "language": "auto"},
    )
    assert response.status_code == 400
    assert "This field is required." in page_text(response)
    assert not Document.objects.exists()


def test_edit_form_is_filled_in_and_saves(client):
    person = UserFactory()
    document = make_document(by=person, title="Draft", audience="public")
    client.force_login(person)
    url = reverse("documents:edit", args=[document.pk])
    assert 'value="Draft"' in page_text(client.get(url))
    response = client.post(
        url,
        {
            "title": "Final",
            "description": "Done.",
            "category": "statement",
            "audience": "members",
            "language": "en",
        },
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.title, document.audience) == ("Final", "members")


def test_delete_page_asks_then_removes_everything(client, django_capture_on_commit_callbacks):
    person = UserFactory()
    document = make_document(by=person, versions=(b"one", b"two"))
    paths = [Path(version.file.path) for version in document.versions.all()]
    client.force_login(person)
    url = reverse("documents:delete", args=[document.pk])
    assert "all its 2 versions will be deleted for good" in page_text(client.get(url))
    assert Document.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response["Location"] == reverse("documents:library")
    assert not Document.objects.exists()
    assert not any(path.exists() for path in paths)


def test_new_version_page_uploads_and_marks_it_current(client):
    person = UserFactory()
    document = make_document(by=person)
    client.force_login(person)
    response = client.post(
        reverse("documents:new_version", args=[document.pk]),
        {"file": text_file("v2.txt", b"second"), "note": "Added the annex"},
    )
    assert response.status_code == 302
    text = page_text(client.get(document.get_absolute_url()))
    assert "Added the annex" in text
    assert (
        'filename="v2.txt"'
        in client.get(reverse("documents:download", args=[document.pk]))["Content-Disposition"]
    )


def test_templates_have_no_inline_style_or_script():
    folder = Path(views.__file__).parent / "templates"
    for template in folder.rglob("*.html"):
        source = template.read_text()
        assert "style=" not in source, template
        assert "<script" not in source, template
        assert " on" + "click=" not in source, template
