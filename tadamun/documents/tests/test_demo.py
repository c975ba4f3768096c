from io import StringIO

import pytest
from django.core.management import call_command

from tadamun.core import content
from tadamun.documents import demo, selectors
from tadamun.documents.models import Document
from tadamun.translations.models import Translation


@pytest.fixture
def demo_site(db, settings, tmp_path, monkeypatch):
    """The demo people and workgroups (without the other apps' demo content), then ours."""
    from tadamun.organisations.management.commands.seed_demo import Command

    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(Command, "_social_content", lambda self: None, raising=False)
    call_command("seed_demo", stdout=StringIO())
    demo.seed(stdout=StringIO())


def test_demo_documents_are_bilingual_respect_visibility_and_seed_once(demo_site):
    documents = Document.objects.all()
    assert documents.count() == len(demo.DOCUMENTS)
    assert {document.language for document in documents} == {"ar", "en"}
    assert Translation.objects.filter(object_id__in=documents.values("pk")).count() == 4
    closed = documents.get(workgroup__slug="human-rights-defenders")
    assert not selectors.documents_visible_to(None).filter(pk=closed.pk).exists()
    assert set(selectors.documents_visible_to(None)) == set(
        documents.filter(audience="public", workgroup=None)
    )
    for document in documents:
        for version in document.versions.all():
            with version.file.open("rb") as handle:
                assert len(handle.read()) == version.size
    guide = documents.get(title__startswith="Documenting violations")
    assert guide.versions.count() == 2
    assert content.kind_of(guide).text_fields == ("title", "description")
    # A second run adds nothing.
    output = StringIO()
    demo.seed(stdout=output)
    assert "nothing to do" in output.getvalue()
    assert Document.objects.count() == len(demo.DOCUMENTS)
