"""Every way a person can put a file on the site, driven the way it really happens: the web
forms through Django's test client (signed in as a member, or as petition staff for paper
evidence), and list mail through the inbound-mail service that the LMTP server calls.

Each path takes (name, bytes, claimed content type, language) and answers with an `Outcome`:
what the response said, which files appeared in the storage, and the URLs where the site
serves them back. "Stored" is read from the storage itself (MEDIA_ROOT before and after), not
from what the view claims.
"""

from __future__ import annotations

import html
import itertools
import os
from dataclasses import dataclass, field
from email import encoders
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tadamun.accounts.tests.factories import UserFactory
from tadamun.documents import services as documents
from tadamun.documents.forms import AUTO
from tadamun.documents.models import Document, DocumentVersion
from tadamun.lists import inbound
from tadamun.lists.models import MailingList
from tadamun.lists.parsing import removed_note
from tadamun.organisations.forms import OrganisationForm
from tadamun.organisations.models import Organisation, OrganisationMembership
from tadamun.organisations.tests.factories import MembershipFactory as OrgMembershipFactory
from tadamun.organisations.tests.factories import OrganisationFactory
from tadamun.petitions.models import PaperBatch
from tadamun.petitions.tests.factories import PetitionFactory
from tadamun.social.models import Post as SocialPost
from tadamun.workgroups.models import Attachment, Post
from tadamun.workgroups.tests.factories import MembershipFactory, WorkgroupFactory


@dataclass
class Outcome:
    path: str
    status: int
    text: str  # the page (unescaped) or, for mail, the stored post's body
    stored: list[str] = field(default_factory=list)  # storage paths that appeared
    served: list[str] = field(default_factory=list)  # URLs that serve them back
    inline_images: bool = False  # the path shows re-encoded images inline (post images)
    served_by_web_server: bool = False  # logos: MEDIA_URL, outside the application


def _page(response) -> str:
    return html.unescape(response.content.decode("utf-8", errors="replace"))


def form_data(form) -> dict:
    """The POST data of an unbound form as the page shows it (its initial values)."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False or name in form.files:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, (list, tuple)):
            data[name] = [getattr(item, "pk", item) for item in value]
        else:
            data[name] = getattr(value, "pk", value)
    return data


class UploadPaths:
    """One member (in a workgroup with a mailing list, admin of an organisation, owner of a
    library document) and one petition coordinator, each signed in on their own client."""

    def __init__(self):
        self.member = UserFactory(display_name="Uploading Member")
        self.staff = UserFactory(coordinator=True)
        self.workgroup = WorkgroupFactory(slug="uploads-test")
        MembershipFactory(workgroup=self.workgroup, user=self.member)
        self.mailing_list = MailingList.objects.create(
            workgroup=self.workgroup, moderate_first_post=False
        )
        self.organisation = OrganisationFactory()
        OrgMembershipFactory(
            user=self.member,
            organisation=self.organisation,
            role=OrganisationMembership.Role.ADMIN,
        )
        self.document = documents.document_create(
            by=self.member,
            workgroup=None,
            upload=SimpleUploadedFile("first.txt", b"First version.\n", "text/plain"),
            title="Versioned document",
            description="",
            category=Document.Category.REPORT,
            audience=Document.Audience.MEMBERS,
            language="",
        )
        self.petition = PetitionFactory()
        self.client = Client()
        self.client.force_login(self.member)
        self.staff_client = Client()
        self.staff_client.force_login(self.staff)
        self._numbers = itertools.count(1)
        self._organisation_fields: dict | None = None

    # ------------------------------------------------------------------------------ helpers

    @staticmethod
    def media_files() -> set[str]:
        root = str(settings.MEDIA_ROOT)
        start = len(root) + 1
        return {
            os.path.join(directory, name)[start:]
            for directory, _dirs, names in os.walk(root)
            for name in names
        }

    def _stored_since(self, before: set[str]) -> list[str]:
        return sorted(self.media_files() - before)

    @staticmethod
    def _url(language: str, name: str, *args) -> str:
        with translation.override(language):
            return reverse(name, args=args)

    # -------------------------------------------------------------------------------- paths

    def social_image(self, name, data, content_type, language="en") -> Outcome:
        return self._compose(
            "social post image",
            {"image_1": SimpleUploadedFile(name, data, content_type), "alt_1": "A photo"},
            language,
        )

    def social_attachment(self, name, data, content_type, language="en") -> Outcome:
        return self._compose(
            "social post file",
            {"attachments": [SimpleUploadedFile(name, data, content_type)]},
            language,
        )

    def _compose(self, path, files, language) -> Outcome:
        before, last = self.media_files(), SocialPost.objects.order_by("-pk").first()
        response = self.client.post(
            self._url(language, "social:compose"),
            {
                "kind": "post",
                "body": "Upload test",
                "language": "auto",
                "audience": "members",
                "speaking_as": "me",
                **files,
            },
        )
        outcome = Outcome(path, response.status_code, _page(response), inline_images=True)
        outcome.stored = self._stored_since(before)
        post = SocialPost.objects.order_by("-pk").first()
        if post is not None and post != last:
            for image in post.images.all():
                outcome.served += [
                    self._url(language, "social:image", post.pk, image.pk),
                    self._url(language, "social:image_small", post.pk, image.pk),
                ]
            for attachment in post.attachments.all():
                outcome.served.append(
                    self._url(language, "social:attachment", post.pk, attachment.pk)
                )
        return outcome

    def document_upload(self, name, data, content_type, language="en") -> Outcome:
        before, last = self.media_files(), Document.objects.order_by("-pk").first()
        response = self.client.post(
            self._url(language, "documents:upload"),
            {
                "file": SimpleUploadedFile(name, data, content_type),
                "title": f"Upload {next(self._numbers)}",
                "description": "",
                "category": Document.Category.REPORT,
                "audience": Document.Audience.MEMBERS,
                "language": AUTO,
            },
        )
        outcome = Outcome("documents library", response.status_code, _page(response))
        outcome.stored = self._stored_since(before)
        document = Document.objects.order_by("-pk").first()
        if document is not None and document != last:
            for version in document.versions.all():
                outcome.served.append(
                    self._url(language, "documents:download", document.pk, version.pk)
                )
        return outcome

    def document_version(self, name, data, content_type, language="en") -> Outcome:
        before = self.media_files()
        last = DocumentVersion.objects.order_by("-pk").first()
        response = self.client.post(
            self._url(language, "documents:new_version", self.document.pk),
            {"file": SimpleUploadedFile(name, data, content_type), "note": "New scan"},
        )
        outcome = Outcome("document new version", response.status_code, _page(response))
        outcome.stored = self._stored_since(before)
        version = DocumentVersion.objects.order_by("-pk").first()
        if version != last:
            outcome.served.append(
                self._url(language, "documents:download", self.document.pk, version.pk)
            )
        return outcome

    def organisation_logo(self, name, data, content_type, language="en") -> Outcome:
        url = self._url(language, "organisations:organisation_edit", self.organisation.slug)
        if self._organisation_fields is None:  # the edit page's own values, read once
            form = OrganisationForm(organisation=self.organisation)
            self._organisation_fields = form_data(form)
            self._organisation_fields.pop("remove_logo", None)
        fields = self._organisation_fields
        before = self.media_files()
        response = self.client.post(
            url, {**fields, "logo": SimpleUploadedFile(name, data, content_type)}
        )
        outcome = Outcome(
            "organisation logo", response.status_code, _page(response), served_by_web_server=True
        )
        outcome.stored = self._stored_since(before)
        self.organisation = Organisation.objects.get(pk=self.organisation.pk)
        return outcome

    def petition_evidence(self, name, data, content_type, language="en") -> Outcome:
        before, last = self.media_files(), PaperBatch.objects.order_by("-pk").first()
        response = self.staff_client.post(
            self._url(language, "petitions:office_paper", self.petition.slug),
            {
                "kind": "counted",
                "counted": "10",
                "country": "IQ",
                "governorate": "basra",
                "evidence": SimpleUploadedFile(name, data, content_type),
            },
        )
        outcome = Outcome("petition paper evidence", response.status_code, _page(response))
        outcome.stored = self._stored_since(before)
        batch = PaperBatch.objects.order_by("-pk").first()
        if batch is not None and batch != last and batch.evidence:
            outcome.served.append(
                self._url(language, "petitions:office_paper_evidence", self.petition.slug, batch.pk)
            )
        return outcome

    def list_mail(self, name, data, content_type, language="en") -> Outcome:
        """A message to the workgroup's list with the file attached, through the service the
        LMTP server calls (parsing, attachment policy, post_create with IncomingAttachment)."""
        number = next(self._numbers)
        message = MIMEMultipart()
        message["From"] = self.member.email
        message["To"] = self.mailing_list.address
        message["Subject"] = f"Upload test {number}"
        message["Message-ID"] = f"<upload-{number}@example.org>"
        message["Date"] = "Thu, 28 Nov 2024 10:00:00 +0300"
        message.attach(MIMEText("A file for the group.\n", "plain", "utf-8"))
        maintype, _sep, subtype = (content_type or "application/octet-stream").partition("/")
        if maintype in {"message", "multipart"}:  # a mail client attaches such bytes as a file
            maintype, subtype = "application", "octet-stream"
        part = MIMEBase(maintype, subtype or "octet-stream")
        part.set_payload(data)

        encoders.encode_base64(part)
        if name.isascii() and '"' not in name:
            part.add_header("Content-Disposition", "attachment", filename=name)
        else:
            part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", name))
        message.attach(part)
        before = self.media_files()
        result = inbound.accept_inbound_message(
            raw=message.as_bytes(),
            envelope_from=self.member.email,
            recipient=self.mailing_list.address,
        )
        post = Post.objects.filter(pk=result.post_id).first()
        outcome = Outcome("list mail attachment", 250 if post else 550, post.body if post else "")
        if post is None:
            outcome.text = f"{result.reply} {result.state}"
        outcome.stored = self._stored_since(before)
        for attachment in Attachment.objects.filter(post=post):
            outcome.served.append(
                self._url(language, "workgroups:attachment", self.workgroup.slug, attachment.pk)
            )
        return outcome

    def client_for(self, outcome: Outcome) -> Client:
        return self.staff_client if outcome.path == "petition paper evidence" else self.client


IMAGE_PATHS = [
    "social_image",
    "social_attachment",
    "document_upload",
    "document_version",
    "organisation_logo",
    "petition_evidence",
    "list_mail",
]
FILE_PATHS = IMAGE_PATHS  # every path takes any file a person sends; images are one kind
MAIL_REFUSAL = removed_note
