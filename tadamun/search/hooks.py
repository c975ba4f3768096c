"""What the search index holds of each kind of content: the `search=` hooks passed to
`core.content.register()` by the apps (see their apps.py). A new kind adds its own hook (here
or in its app) and passes it when it registers — nothing else in the search app changes.

Only what every reader of an item may read goes in: people are indexed by their display name
(a pseudonym when they chose one) and their "about me" text — never their legal name or
e-mail address; list messages by subject and text — never the sender's address.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from tadamun.core.markdown import plain_text
from tadamun.search.documents import FileToIndex, SearchDocument
from tadamun.translations.detect import detect_language
from tadamun.translations.models import Translation


def _translations(obj) -> dict[str, dict[str, str]]:
    """{language: {field: text}} of the item's translations (one query)."""
    content_type = ContentType.objects.get_for_model(type(obj))
    rows = Translation.objects.filter(content_type=content_type, object_id=obj.pk)
    return {row.language: row.fields or {} for row in rows.order_by("language")}


def _bilingual(
    obj, *, title: str, body: str, title_field: str | None, body_fields: tuple[str, ...], **kw
) -> SearchDocument:
    """A Bilingual item with its translations: the body holds the original then each
    translation (so a snippet shows the words where they matched); translated titles are
    indexed and shown in their language."""
    translations = _translations(obj)
    titles = {obj.language: title} if title and obj.language else {}
    bodies = [body]
    for language, fields in translations.items():
        if title_field and fields.get(title_field):
            titles[language] = plain_text(str(fields[title_field]))
        for name in body_fields:
            if fields.get(name):
                bodies.append(plain_text(str(fields[name])))
    return SearchDocument(
        title=title,
        body="\n\n".join(text for text in bodies if text),
        language=obj.language,
        other_languages=tuple(translations),
        titles=titles,
        **kw,
    )


def social_post(post) -> SearchDocument:
    return _bilingual(
        post,
        title=post.title,
        body=plain_text(post.body),
        title_field="title",
        body_fields=("body",),
        date=post.published_at or post.created,
        workgroup=post.audience_workgroup_id,
    )


def social_comment(comment) -> SearchDocument:
    return _bilingual(
        comment,
        title="",
        body=plain_text(comment.body),
        title_field=None,
        body_fields=("body",),
        date=comment.created,
        workgroup=comment.post.audience_workgroup_id,
    )


def document(doc) -> SearchDocument:
    """Title, description, their translations, and the text of the current version's file."""
    current = doc.versions.order_by("-pk").first()
    files = ()
    if current is not None and current.file:
        files = (
            FileToIndex(
                key=current.sha256 or f"version-{current.pk}",
                file=current.file,
                filename=current.filename,
                content_type=current.content_type,
            ),
        )
    return _bilingual(
        doc,
        title=doc.title,
        body=doc.description,
        title_field="title",
        body_fields=("description",),
        date=doc.updated,
        workgroup=doc.workgroup_id,
        files=files,
    )


def list_post(post) -> SearchDocument:
    """A message of a workgroup's discussion (written on the site or received by mail)."""
    return SearchDocument(
        title=post.subject,
        body=post.body,
        language=post.language or detect_language(post.subject, post.body),
        date=post.created,
        workgroup=post.workgroup_id,
    )


def person(user) -> SearchDocument:
    """The display name and the "about me" text — nothing else of the account."""
    return SearchDocument(
        title=user.display_name,
        body=user.bio,
        language=detect_language(user.bio) if user.bio.strip() else "",
    )


def _both_languages(obj) -> SearchDocument:
    titles = {"ar": obj.name_ar, "en": obj.name_en}
    descriptions = {"ar": obj.description_ar, "en": obj.description_en}
    return SearchDocument(
        title=obj.name_ar or obj.name_en,
        body="\n\n".join(text for text in descriptions.values() if text),
        titles={code: name for code, name in titles.items() if name},
        other_languages=tuple(code for code, text in descriptions.items() if text),
    )


def organisation(obj) -> SearchDocument:
    return _both_languages(obj)


def workgroup(obj) -> SearchDocument:
    return _both_languages(obj)
