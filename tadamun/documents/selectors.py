"""Who may see and do what with documents: decided here and nowhere else.

Every page, list, search, download and notification reads through `documents_visible_to`.

- The network's library: "public" documents are for everyone (anonymous visitors included),
  "members" documents for network members.
- A workgroup's library is read by whoever may read the workgroup's discussions
  (`workgroups.selectors.can_read`): any network member for an OPEN workgroup, only its active
  members for a CLOSED one — coordinators outside a closed workgroup included.
- Hidden documents (moderation) stay visible only to their uploader and to the people who review
  reports: coordinators, and a workgroup's owners and moderators for its library — always
  within what they may read at all.
- Uploading: members to the network's library; to a workgroup's, those who may post in it.
  Editing, adding a version and deleting: the uploader; a workgroup's owners and moderators
  for its library; coordinators for the network's library.
"""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, QuerySet

from tadamun.accounts.selectors import shown_people_q, viewer_is_coordinator, viewer_is_member
from tadamun.documents.models import Document
from tadamun.lockdown.selectors import locked_workgroup_ids
from tadamun.translations.models import Translation
from tadamun.workgroups import selectors as workgroup_selectors
from tadamun.workgroups.models import Workgroup, WorkgroupMembership

User = get_user_model()
ACTIVE = WorkgroupMembership.Status.ACTIVE
REVIEWER_ROLES = (WorkgroupMembership.Role.OWNER, WorkgroupMembership.Role.MODERATOR)


def documents_visible_to(viewer) -> QuerySet[Document]:
    """The documents `viewer` may see, in every library."""
    documents = Document.objects.select_related("workgroup", "uploaded_by")
    if not viewer_is_member(viewer):
        return documents.filter(
            workgroup__isnull=True, audience=Document.Audience.PUBLIC, is_hidden=False
        )
    active_here = WorkgroupMembership.objects.filter(
        workgroup=OuterRef("workgroup"), user=viewer, status=ACTIVE
    )
    readable = (
        Q(workgroup__isnull=True)
        | Q(workgroup__visibility=Workgroup.Visibility.OPEN)
        | Exists(active_here)
    )
    shown = Q(is_hidden=False) | Q(uploaded_by=viewer)
    if viewer_is_coordinator(viewer):
        shown |= Q(is_hidden=True)
    else:
        shown |= Q(workgroup__isnull=False) & Exists(active_here.filter(role__in=REVIEWER_ROLES))
        # A locked-down workgroup's library is hidden with it (tadamun.lockdown).
        readable &= ~Q(workgroup__in=locked_workgroup_ids())
    return documents.filter(readable & shown)


def network_documents(viewer) -> QuerySet[Document]:
    return documents_visible_to(viewer).filter(workgroup__isnull=True)


def documents_in_workgroup(viewer, workgroup: Workgroup) -> QuerySet[Document]:
    """`workgroup`'s library as `viewer` may see it (none when they may not read the
    workgroup), most recently updated first."""
    if not workgroup_selectors.can_read(viewer, workgroup):
        return Document.objects.none()
    return documents_visible_to(viewer).filter(workgroup=workgroup)


def search(documents: QuerySet[Document], *, q: str = "", category: str = "", language: str = ""):
    """Narrow `documents` (already limited to what the viewer may see) by words in the title or
    description — the original or a translation —, by category, and by a language the document
    can be read in (its original or a translation)."""
    if category:
        documents = documents.filter(category=category)
    content_type = ContentType.objects.get_for_model(Document)
    translations = Translation.objects.filter(content_type=content_type, object_id=OuterRef("pk"))
    if language:
        documents = documents.filter(
            Q(language=language) | Exists(translations.filter(language=language))
        )
    if q:
        documents = documents.filter(
            Q(title__icontains=q)
            | Q(description__icontains=q)
            | Exists(
                translations.filter(
                    Q(fields__title__icontains=q) | Q(fields__description__icontains=q)
                )
            )
        )
    return documents


def can_upload(viewer, workgroup: Workgroup | None = None) -> bool:
    if not viewer_is_member(viewer):
        return False
    if workgroup is None:
        return True
    return workgroup_selectors.can_post(viewer, workgroup)


def can_manage(viewer, document: Document) -> bool:
    """Edit the details, add a version, delete."""
    if not viewer_is_member(viewer):
        return False
    if not documents_visible_to(viewer).filter(pk=document.pk).exists():
        return False
    if document.uploaded_by_id == viewer.pk:
        return True
    if document.workgroup_id is None:
        return viewer_is_coordinator(viewer)
    return WorkgroupMembership.objects.filter(
        workgroup_id=document.workgroup_id, user=viewer, status=ACTIVE, role__in=REVIEWER_ROLES
    ).exists()


def shown_uploader_ids(viewer, user_ids) -> set[int]:
    """Of the people who uploaded something, those whose name `viewer` may see: members see the
    members the directory shows them (not those who hide their membership); visitors from
    outside the network see no names at all."""
    ids = {pk for pk in user_ids if pk}
    if not ids or not viewer_is_member(viewer):
        return set()
    return set(User.objects.filter(shown_people_q(viewer), pk__in=ids).values_list("pk", flat=True))


def workgroup_recipients(document: Document) -> QuerySet:
    """The active members of a workgroup document's workgroup (told about a new document)."""
    if document.workgroup_id is None:
        return User.objects.none()
    return User.objects.filter(
        workgroup_memberships__workgroup_id=document.workgroup_id,
        workgroup_memberships__status=ACTIVE,
        status=User.Status.MEMBER,
        is_active=True,
    )
