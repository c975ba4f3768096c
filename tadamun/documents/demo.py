"""Demo libraries (called by seed_demo after the people and workgroups exist): a few documents
in the network's library (public and members-only) and in two workgroups' libraries (one of
them closed), in Arabic and English, some translated, one with an earlier version. The files
are small generated text, CSV and PNG files, checked like any upload; rows are written straight
to the tables with past dates, so seeding sends no notification or e-mail."""

from datetime import timedelta
from io import BytesIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from tadamun.core.uploads import check_file
from tadamun.documents.models import Document
from tadamun.documents.services import _store_version
from tadamun.translations.detect import detect_language
from tadamun.translations.models import Translation
from tadamun.workgroups.models import Workgroup

User = get_user_model()
DOMAIN = "demo.tadamun.example"
C, A = Document.Category, Document.Audience


def _poster() -> bytes:
    """A campaign poster: colour blocks only (no text to shape), made with Pillow."""
    image = Image.new("RGB", (480, 640), (11, 92, 85))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 440, 300), fill=(244, 246, 245))
    draw.ellipse((150, 90, 330, 270), fill=(179, 89, 0))
    draw.rectangle((40, 340, 440, 380), fill=(253, 243, 220))
    draw.rectangle((40, 410, 360, 440), fill=(253, 243, 220))
    draw.rectangle((40, 470, 400, 500), fill=(253, 243, 220))
    output = BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


STATEMENT_AR = (
    "بيان مشترك\n\nنحن النقابات والمنظمات الموقعة أدناه نرفض خصخصة توزيع الكهرباء في البصرة "
    "دون استشارة العمال، ونطالب بنشر العقود كاملة.\n"
)
GUIDE_V1 = (
    "Documenting violations safely (draft)\n\n1. Ask for consent.\n2. Keep names out of "
    "shared files.\n"
)
GUIDE_V2 = GUIDE_V1.replace("(draft)", "(second edition)") + (
    "3. Store photos without their location (this platform removes it for you).\n"
)
WAGES_CSV = (
    "year,port,average monthly wage (IQD),permanent workers\n"
    "2023,Umm Qasr,910000,4200\n2024,Umm Qasr,880000,3100\n2025,Umm Qasr,870000,2150\n"
)
MINUTES_AR = (
    "محضر اجتماع مجموعة عمل الخصخصة\n\nالحضور: ستة أعضاء.\nالقرارات: طلب نسخة من العقود، "
    "وإعداد بيان مشترك قبل جلسة الاستماع.\n"
)
CHECKLIST = (
    "Safe communication checklist\n\n- Use a second factor on your account.\n- Share "
    "locations only in person.\n- Agree on a code word for emergencies.\n"
)

# (uploader, workgroup slug or None, audience, category, days ago, title, description,
#  files [(name, bytes, note)] oldest first, translation (language, title, description) or None)
DOCUMENTS = [
    ("coordinator", None, A.PUBLIC, C.STATEMENT, 40,
     "بيان مشترك حول خصخصة توزيع الكهرباء في البصرة",
     "بيان وقّعته **اثنتا عشرة** نقابة ومنظمة قبل جلسة الاستماع في مجلس المحافظة.",
     [("بيان-الكهرباء.txt", STATEMENT_AR.encode(), "")],
     ("en", "Joint statement on electricity privatization in Basra",
      "A statement signed by **twelve** unions and organisations before the provincial "
      "council's hearing.")),
    ("admin.erbil", None, A.MEMBERS, C.TRAINING, 30,
     "Documenting violations safely: a short guide",
     "For volunteers who collect testimonies. See also the [UN guidance]"
     "(https://www.ohchr.org/en/publications).",
     [("documenting-guide.txt", GUIDE_V1.encode(), ""),
      ("documenting-guide.txt", GUIDE_V2.encode(), "Second edition: a section on photos")],
     ("ar", "توثيق الانتهاكات بأمان: دليل قصير",
      "للمتطوعين الذين يجمعون الشهادات. انظر أيضاً [إرشادات الأمم المتحدة]"
      "(https://www.ohchr.org/en/publications).")),
    ("member.basra", None, A.MEMBERS, C.RESEARCH, 18,
     "أجور عمال ميناء أم قصر ٢٠٢٣–٢٠٢٥",
     "جدول بمتوسط الأجور وعدد العمال الدائمين، من سجلات النقابة.",
     [("umm-qasr-wages.csv", WAGES_CSV.encode(), "")], None),
    ("admin.baghdad", None, A.PUBLIC, C.MEDIA, 9,
     "ملصق حملة مناهضة العنف الأسري",
     "ملصق للطباعة والنشر على وسائل التواصل الاجتماعي.",
     [("poster.png", _poster(), "")],
     ("en", "Poster of the campaign against domestic violence",
      "A poster to print and to share on social media.")),
    ("admin.basra", "privatization", A.MEMBERS, C.MINUTES, 44,
     "محضر اجتماع مجموعة عمل الخصخصة",
     "القرارات وتوزيع المهام.",
     [("محضر-الاجتماع.txt", MINUTES_AR.encode(), "")], None),
    ("admin.erbil", "human-rights-defenders", A.MEMBERS, C.TRAINING, 6,
     "Safe communication checklist",
     "For members of this workgroup only.",
     [("checklist.txt", CHECKLIST.encode(), "")],
     ("ar", "قائمة التحقق للتواصل الآمن", "لأعضاء مجموعة العمل هذه فقط.")),
]  # fmt: skip


def seed(*, stdout) -> None:
    if Document.objects.exists():
        stdout.write("documents: documents exist already; nothing to do.\n")
        return
    people = {
        user.email.split("@")[0]: user for user in User.objects.filter(email__endswith=f"@{DOMAIN}")
    }
    workgroups = {workgroup.slug: workgroup for workgroup in Workgroup.objects.all()}
    translator = people.get("translator")
    content_type = ContentType.objects.get_for_model(Document)
    now = timezone.now()
    for row in DOCUMENTS:
        local, slug, audience, category, days, title, description, files, translation = row
        uploader = people.get(local)
        if uploader is None or (slug and slug not in workgroups):
            continue
        document = Document.objects.create(
            title=title,
            description=description,
            category=category,
            audience=audience,
            workgroup=workgroups.get(slug) if slug else None,
            language=detect_language(title, description),
            uploaded_by=uploader,
        )
        for name, data, note in files:
            checked = check_file(
                SimpleUploadedFile(name, data),
                max_bytes=settings.DOCUMENT_MAX_BYTES,
                image_max_bytes=settings.IMAGE_MAX_BYTES,
            )
            _store_version(document=document, checked=checked, by=uploader, note=note)
        # Past dates: a later version came half-way between the first and today.
        created = now - timedelta(days=days)
        updated = created
        for number, version in enumerate(document.versions.order_by("pk")):
            updated = created + timedelta(days=number * (days // 2))
            version.created = updated
            version.save(update_fields=["created"])
        Document.objects.filter(pk=document.pk).update(created=created, updated=updated)
        if translation:
            language, translated_title, translated_description = translation
            Translation.objects.create(
                content_type=content_type,
                object_id=document.pk,
                language=language,
                fields={"title": translated_title, "description": translated_description},
                translator=translator,
            )
    stdout.write(f"documents: {Document.objects.count()} demo documents.\n")
