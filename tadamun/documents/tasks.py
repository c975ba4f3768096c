from django.tasks import task

from tadamun.documents import selectors
from tadamun.documents.models import Document


@task()
def notify_new_document(*, document_pk: int) -> int:
    """Tell the active members of a workgroup about a new document in its library. `notify`
    itself leaves out the uploader and anyone who may not see the document."""
    from tadamun.notifications.services import notify

    document = Document.objects.select_related("workgroup", "uploaded_by").filter(pk=document_pk)
    document = document.first()
    if document is None or document.workgroup_id is None:
        return 0
    return notify(
        recipients=selectors.workgroup_recipients(document),
        kind="document",
        target=document,
        actor=document.uploaded_by,
    )
