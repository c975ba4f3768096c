"""Posts for tests, made through the one real path (`services.post_create`), and image and
file uploads made with Pillow. People, organisations and workgroups come from the factories of
their own apps."""

from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tadamun.accounts.tests.factories import PASSWORD, UserFactory
from tadamun.core.uploads import check_file, reencode_image
from tadamun.organisations.tests.factories import MembershipFactory as OrgMembershipFactory
from tadamun.organisations.tests.factories import OrganisationFactory
from tadamun.social import services
from tadamun.social.models import Post
from tadamun.social.services import IMAGE_MAX_SIDE, IMAGE_SMALL_SIDE, NewImage
from tadamun.workgroups.tests.factories import MembershipFactory, WorkgroupFactory

__all__ = [
    "PASSWORD",
    "MembershipFactory",
    "OrgMembershipFactory",
    "OrganisationFactory",
    "UserFactory",
    "WorkgroupFactory",
    "image_upload",
    "make_post",
    "new_image",
    "pdf_upload",
]


def image_bytes(*, size=(64, 48), color=(200, 30, 30), format="PNG", exif=None) -> bytes:
    output = BytesIO()
    options = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, color).save(output, format=format, **options)
    return output.getvalue()


def image_upload(name="photo.png", **kwargs) -> SimpleUploadedFile:
    content_type = "image/jpeg" if name.endswith((".jpg", ".jpeg")) else "image/png"
    return SimpleUploadedFile(name, image_bytes(**kwargs), content_type=content_type)


def pdf_upload(name="report.pdf", data=b"%PDF-1.4\n% a small test file\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def new_image(alt_text="A red square", **kwargs) -> NewImage:
    upload = image_upload(**kwargs)
    image = reencode_image(upload, max_bytes=settings.IMAGE_MAX_BYTES, max_side=IMAGE_MAX_SIDE)
    small = reencode_image(upload, max_bytes=settings.IMAGE_MAX_BYTES, max_side=IMAGE_SMALL_SIDE)
    return NewImage(image=image, small=small, alt_text=alt_text)


def new_attachment(**kwargs):
    return check_file(pdf_upload(**kwargs), max_bytes=settings.ATTACHMENT_MAX_BYTES)


def make_post(author, *, body="A post about solidarity", **kwargs) -> Post:
    kwargs.setdefault("audience", Post.Audience.MEMBERS)
    return services.post_create(author=author, body=body, **kwargs)
