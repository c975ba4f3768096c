from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "tadamun.documents"
    verbose_name = _("Documents")

    def ready(self):
        from tadamun.core import content
        from tadamun.documents import selectors
        from tadamun.documents.models import Document
        from tadamun.search import hooks

        content.register(
            Document,
            label=_("document"),
            visible_to=selectors.documents_visible_to,
            authors=lambda document: [document.uploaded_by],
            text_fields=("title", "description"),
            workgroup=lambda document: document.workgroup,
            search=hooks.document,
        )
