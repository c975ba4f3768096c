"""The world of the content authorization grid (test_grid_content.py): one person per role,
an open, a closed and a locked-down workgroup with their lists, and every kind of content
object, each carrying its own ASCII and Arabic marker — so that a page, a fragment, a feed, a
search result, an e-mail, an export or a download shows which objects reached its reader.

Self-contained on purpose (the people grid and the API grid build their own worlds).

Roles, relative to the workgroups below:

- ``anonymous``; ``applicant`` (applied, not approved);
- ``member``: a network member in no workgroup; ``org_admin``: administers an organisation;
- ``moderator``: MODERATOR of the open, closed and locked workgroups;
- ``translator``: a network member with ``is_translator``; ``coordinator``: ``is_coordinator``,
  in no workgroup; ``other_member``: member of another closed workgroup only;
- ``insider``: a plain MEMBER of the open, closed and locked workgroups.

The author of (almost) everything is a separate person, owner of the three workgroups and
administrator of the organisation, who is not a role of the grid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.mime.text import MIMEText

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tadamun.accounts.tests.factories import UserFactory
from tadamun.documents import services as documents
from tadamun.documents.models import Document
from tadamun.lists import inbound
from tadamun.lists.delivery import deliver_due, queue_deliveries
from tadamun.lists.models import MailingList, Subscription
from tadamun.lockdown import services as lockdown
from tadamun.messaging import services as messaging
from tadamun.organisations.models import OrganisationMembership
from tadamun.organisations.tests.factories import MembershipFactory as OrgMembershipFactory
from tadamun.organisations.tests.factories import OrganisationFactory
from tadamun.social import services as social
from tadamun.social.models import Post as SocialPost
from tadamun.workgroups import services as workgroups
from tadamun.workgroups.models import Post, Workgroup, WorkgroupMembership
from tadamun.workgroups.tests.factories import MembershipFactory, WorkgroupFactory

ROLES = (
    "anonymous",
    "applicant",
    "member",
    "org_admin",
    "moderator",
    "translator",
    "coordinator",
    "other_member",
    "insider",
)
# The workgroups that carry content: an OPEN one, a CLOSED one, and an OPEN one locked down
# (open, so that the coordinators — who alone keep seeing it — may read it).
GROUPS = ("open", "closed", "locked")
ARABIC_DIGITS = "ابتثجحخدذر"


def arabic_marker(number: int) -> str:
    """A word of Arabic letters, unique per number ("وسم" + one letter per digit)."""
    return "وسم" + "".join(ARABIC_DIGITS[int(digit)] for digit in f"{number:03d}") + "ة"


@dataclass
class Item:
    """One content object of the world: its kind, the workgroup it belongs to (or None), the
    object itself, and its two markers."""

    key: str
    kind: str
    group: str | None
    obj: object
    ascii: str
    arabic: str
    extra: dict = field(default_factory=dict)

    @property
    def markers(self) -> tuple[str, str]:
        return (self.ascii, self.arabic)

    def seen_in(self, text: str) -> bool:
        return self.ascii in text or self.arabic in text


@dataclass
class World:
    people: dict
    author: object
    groups: dict
    other_group: Workgroup
    organisation: object
    items: dict = field(default_factory=dict)
    _counter: int = 0

    def marker(self) -> tuple[str, str]:
        self._counter += 1
        return f"MK{self._counter:03d}X", arabic_marker(self._counter)

    def add(self, key: str, kind: str, group: str | None, obj, ascii: str, arabic: str, **extra):
        item = Item(key, kind, group, obj, ascii, arabic, extra)
        self.items[key] = item
        return item


def _list_message(*, sender: str, to: str, subject: str, body: str, message_id: str) -> bytes:
    message = MIMEText(body, "plain", "utf-8")
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = "Thu, 28 Nov 2024 10:00:00 +0300"
    return message.as_bytes()


def build_world() -> World:
    """Build everything. Run it inside `django_capture_on_commit_callbacks(execute=True)` so
    that notifications, search extraction and list deliveries happen as in production."""
    with translation.override("en"):
        return _build()


def _build() -> World:
    people = {
        "anonymous": None,
        "applicant": UserFactory(applicant=True, display_name="gridapplicant"),
        "member": UserFactory(member=True, display_name="gridmember"),
        "org_admin": UserFactory(member=True, display_name="gridorgadmin"),
        "moderator": UserFactory(member=True, display_name="gridmoderator"),
        "translator": UserFactory(member=True, translator=True, display_name="gridtranslator"),
        "coordinator": UserFactory(coordinator=True, display_name="gridcoordinator"),
        "other_member": UserFactory(member=True, display_name="gridothermember"),
        "insider": UserFactory(member=True, display_name="gridinsider"),
    }
    author = UserFactory(member=True, display_name="gridauthor")
    organisation = OrganisationFactory()
    for person in (author, people["org_admin"]):
        OrgMembershipFactory(
            user=person, organisation=organisation, role=OrganisationMembership.Role.ADMIN
        )
    other_group = WorkgroupFactory(closed=True, slug="grid-other")
    MembershipFactory(workgroup=other_group, user=people["other_member"])
    MembershipFactory(workgroup=other_group, user=author, role=WorkgroupMembership.Role.OWNER)

    world = World(
        people=people, author=author, groups={}, other_group=other_group, organisation=organisation
    )
    # Everyone follows the author, so that the feed has to filter what they may not see.
    for person in people.values():
        if person is not None and person.is_member:
            social.follow(follower=person, person=author)
    mentions = " ".join(
        f"@{people[role].handle}" for role in ROLES if role not in {"anonymous", "applicant"}
    )

    for group in GROUPS:
        ascii, arabic = world.marker()
        workgroup = WorkgroupFactory(
            slug=f"grid-{group}",
            name_en=f"Grid {group} {ascii}",
            name_ar=f"مجموعة {arabic}",
            closed=group == "closed",
        )
        world.groups[group] = workgroup
        world.add(f"{group}:workgroup", "workgroup", group, workgroup, ascii, arabic)
        MembershipFactory(workgroup=workgroup, user=author, role=WorkgroupMembership.Role.OWNER)
        MembershipFactory(
            workgroup=workgroup,
            user=people["moderator"],
            role=WorkgroupMembership.Role.MODERATOR,
        )
        MembershipFactory(workgroup=workgroup, user=people["insider"])
        ascii, arabic = world.marker()
        quiet = UserFactory(member=True, display_name=f"Quiet {ascii} {arabic}")
        MembershipFactory(workgroup=workgroup, user=quiet)
        world.add(f"{group}:members", "member list", group, quiet, ascii, arabic)

        mailing_list = MailingList.objects.create(workgroup=workgroup, moderate_first_post=False)
        for person in (author, people["moderator"], people["insider"]):
            Subscription.objects.create(
                mailing_list=mailing_list,
                user=person,
                email=person.email,
                language=person.preferred_language,
            )

        # A thread started on the web, with an attachment.
        subject, subject_ar = world.marker()
        body, body_ar = world.marker()
        attachment, attachment_ar = world.marker()
        web = workgroups.post_create(
            workgroup=workgroup,
            subject=f"Plan {subject} {subject_ar}",
            body=f"Web message {body} {body_ar}",
            author=author,
            source=Post.Source.WEB,
            deliver=False,
            attachments=[
                workgroups.IncomingAttachment(
                    filename=f"{attachment}.txt",
                    content_type="text/plain",
                    data=f"{attachment} {attachment_ar}".encode(),
                )
            ],
        )
        world.add(f"{group}:thread", "list thread", group, web.thread, subject, subject_ar)
        world.add(f"{group}:web", "list message (web)", group, web, body, body_ar)
        world.add(
            f"{group}:attachment",
            "list attachment",
            group,
            web.attachments.get(),
            attachment,
            attachment_ar,
        )
        # A message held for moderation (an outside sender), in the same thread.
        held, held_ar = world.marker()
        held_post = workgroups.post_create(
            workgroup=workgroup,
            subject=f"Re: Plan {subject}",
            body=f"Held message {held} {held_ar}",
            author_name="Outside sender",
            author_email="outside@example.net",
            parent=web,
            source=Post.Source.EMAIL,
            status=Post.Status.HELD,
            hold_reason="non-member",
            deliver=False,
        )
        world.add(f"{group}:held", "held list message", group, held_post, held, held_ar)
        # A thread started by e-mail (through the inbound path while mail flows).
        mail_subject, _mail_subject_ar = world.marker()
        mail_body, mail_body_ar = world.marker()
        if group == "locked":
            from_mail = workgroups.post_create(
                workgroup=workgroup,
                subject=f"Mail {mail_subject}",
                body=f"Mail message {mail_body} {mail_body_ar}",
                author=author,
                source=Post.Source.EMAIL,
                deliver=False,
            )
        else:
            result = inbound.accept_inbound_message(
                raw=_list_message(
                    sender=author.email,
                    to=mailing_list.address,
                    subject=f"Mail {mail_subject}",
                    body=f"Mail message {mail_body} {mail_body_ar}\n",
                    message_id=f"<grid-{group}@example.org>",
                ),
                envelope_from=author.email,
                recipient=mailing_list.address,
            )
            assert result.post_id, result
            from_mail = Post.objects.get(pk=result.post_id)
            assert from_mail.status == Post.Status.PUBLISHED
        world.add(
            f"{group}:mail", "list message (e-mail)", group, from_mail, mail_body, mail_body_ar
        )

        # The workgroup's social post, a comment on it, and a document in its library.
        ascii, arabic = world.marker()
        post = social.post_create(
            author=author,
            body=f"Workgroup post {ascii} {arabic} {mentions}",
            audience=SocialPost.Audience.WORKGROUP,
            audience_workgroup=workgroup,
        )
        world.add(f"{group}:post", "social post (workgroup)", group, post, ascii, arabic)
        ascii, arabic = world.marker()
        comment = social.comment_create(
            post=post, author=people["insider"], body=f"Comment {ascii} {arabic}"
        )
        world.add(f"{group}:comment", "comment", group, comment, ascii, arabic)
        ascii, arabic = world.marker()
        document = documents.document_create(
            by=author,
            upload=SimpleUploadedFile(
                "minutes.txt", f"{ascii} {arabic}".encode(), content_type="text/plain"
            ),
            title=f"Minutes {ascii} {arabic}",
            category="minutes",
            description=f"Minutes {ascii}",
            workgroup=workgroup,
        )
        world.add(f"{group}:document", "document (workgroup)", group, document, ascii, arabic)

    # Speaking for the closed workgroup (its owners and moderators may edit).
    ascii, arabic = world.marker()
    post = social.post_create(
        author=author,
        body=f"Statement of the group {ascii} {arabic} {mentions}",
        audience=SocialPost.Audience.WORKGROUP,
        audience_workgroup=world.groups["closed"],
        as_workgroup=world.groups["closed"],
    )
    world.add("closed:as-post", "social post (as workgroup)", "closed", post, ascii, arabic)

    # The network's posts, comments and documents.
    for audience in ("public", "members"):
        ascii, arabic = world.marker()
        post = social.post_create(
            author=author, body=f"Post {ascii} {arabic} {mentions}", audience=audience
        )
        world.add(f"{audience}:post", f"social post ({audience})", None, post, ascii, arabic)
        ascii, arabic = world.marker()
        comment = social.comment_create(
            post=post, author=people["insider"], body=f"Comment {ascii} {arabic}"
        )
        world.add(f"{audience}:comment", "comment", None, comment, ascii, arabic)
        ascii, arabic = world.marker()
        document = documents.document_create(
            by=author,
            upload=SimpleUploadedFile(
                "report.txt", f"{ascii} {arabic}".encode(), content_type="text/plain"
            ),
            title=f"Report {ascii} {arabic}",
            category="report",
            description=f"Report {ascii}",
            audience=audience,
        )
        world.add(f"{audience}:document", f"document ({audience})", None, document, ascii, arabic)
    ascii, arabic = world.marker()
    post = social.post_create(
        author=author,
        body=f"Organisation post {ascii} {arabic}",
        audience=SocialPost.Audience.MEMBERS,
        as_organisation=organisation,
    )
    world.add("org:post", "social post (organisation)", None, post, ascii, arabic)

    # A direct message between the author and the insider.
    ascii, arabic = world.marker()
    conversation, message = messaging.conversation_start(
        sender=author, recipients=[people["insider"]], body=f"Direct {ascii} {arabic}"
    )
    world.add("dm", "direct message", None, message, ascii, arabic, conversation=conversation)

    # The locked workgroup goes into lockdown, then the list mail that waited is handed over.
    lockdown.lockdown_start(
        by=people["coordinator"], workgroup=world.groups["locked"], reason="grid"
    )
    for group in GROUPS:
        queue_deliveries(post=world.items[f"{group}:web"].obj)
        if group == "locked":
            queue_deliveries(post=world.items[f"{group}:mail"].obj)
    deliver_due()
    assert Document.objects.count() == 5
    assert set(Workgroup.objects.values_list("slug", flat=True)) >= {
        "grid-open",
        "grid-closed",
        "grid-locked",
        "grid-other",
    }
    return world
