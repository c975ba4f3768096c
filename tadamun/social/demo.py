"""Demo posts, a statement in both languages, comments, reactions and follows, written by the
demo people of `seed_demo` (organisations.management.commands.seed_demo) through the real
services. `seed_demo` calls `seed()` once the people, organisations and workgroups exist; it
does nothing if any post exists already, so running it twice adds nothing."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from tadamun.core.uploads import reencode_image
from tadamun.organisations.models import Organisation
from tadamun.social import services
from tadamun.social.models import Post, Reaction
from tadamun.social.services import IMAGE_MAX_SIDE, IMAGE_SMALL_SIDE, NewImage
from tadamun.translations.services import translation_save
from tadamun.workgroups.models import Workgroup

User = get_user_model()
DOMAIN = "demo.tadamun.example"


def _banner() -> NewImage:
    """A small drawn picture (no photo of anyone): three linked circles."""
    image = Image.new("RGB", (960, 540), (245, 240, 230))
    draw = ImageDraw.Draw(image)
    for number, colour in enumerate([(176, 58, 46), (31, 97, 141), (30, 132, 73)]):
        left = 180 + number * 220
        draw.ellipse((left, 170, left + 200, 370), outline=colour, width=18)
    output = BytesIO()
    image.save(output, format="PNG")
    upload = SimpleUploadedFile("solidarity.png", output.getvalue(), content_type="image/png")
    return NewImage(
        image=reencode_image(upload, max_bytes=10_000_000, max_side=IMAGE_MAX_SIDE),
        small=reencode_image(upload, max_bytes=10_000_000, max_side=IMAGE_SMALL_SIDE),
        alt_text="Three linked circles in red, blue and green",
    )


def _backdate(post: Post, days: int, hours: int = 0) -> None:
    when = timezone.now() - timedelta(days=days, hours=hours)
    Post.objects.filter(pk=post.pk).update(
        created=when, published_at=when if post.published else None
    )


def seed(*, stdout) -> None:
    if Post.objects.exists():
        stdout.write("social demo: posts exist already; nothing to do.")
        return
    people = {
        user.email.split("@")[0]: user for user in User.objects.filter(email__endswith=DOMAIN)
    }
    organisations = {o.slug: o for o in Organisation.objects.all()}
    workgroups = {w.slug: w for w in Workgroup.objects.all()}
    with transaction.atomic():
        _seed(people, organisations, workgroups)
    stdout.write(f"social demo: {Post.objects.count()} posts and statements.")


def _seed(people, organisations, workgroups) -> None:
    basra = organisations["shatt-al-arab-port-oil-workers"]
    baghdad = organisations["baghdad-womens-solidarity-league"]
    nordic = organisations["nordic-trade-union-solidarity-fund"]

    electricity = services.post_create(
        author=people["admin.basra"],
        as_organisation=basra,
        audience=Post.Audience.PUBLIC,
        title="لا لخصخصة الكهرباء في البصرة",
        body=(
            "يدعو اتحادنا إلى جلسة استماع علنية قبل توقيع عقود الجباية والتوزيع الجديدة.\n\n"
            "العمال في محطة الهارثة لم يُستشاروا، ونطالب بنشر العقود كاملة."
        ),
    )
    _backdate(electricity, 9)
    statement = services.post_create(
        author=people["admin.baghdad"],
        as_organisation=baghdad,
        kind=Post.Kind.STATEMENT,
        audience=Post.Audience.PUBLIC,
        title="بيان: قانون الحماية من العنف الأسري لا يحتمل التأجيل",
        body=(
            "تطالب رابطة تضامن نساء بغداد مجلس النواب بإقرار قانون الحماية من العنف الأسري "
            "في هذه الدورة، وتدعو المنظمات الأعضاء إلى التوقيع على هذا البيان.\n\n"
            "- توفير دور إيواء آمنة في كل محافظة\n- تدريب الشرطة المجتمعية\n- دعم قانوني مجاني"
        ),
        translation={
            "title": "Statement: the domestic violence protection law cannot wait",
            "body": (
                "The Baghdad Women's Solidarity League calls on the Council of Representatives "
                "to pass the domestic violence protection law this session, and invites member "
                "organisations to sign this statement.\n\n"
                "- Safe shelters in every governorate\n- Training for community police\n"
                "- Free legal aid"
            ),
        },
    )
    _backdate(statement, 6)
    ports = services.post_create(
        author=people["member.france"],
        audience=Post.Audience.MEMBERS,
        title="Port concessions: Marseille and Umm Qasr",
        body=(
            "We compared what port concessions meant for dock workers in Marseille and in "
            "Umm Qasr. Short version: fewer permanent jobs, more subcontracting. Thanks to "
            "@shatt-al-arab-port-oil-workers for the figures."
        ),
        images=[_banner()],
    )
    _backdate(ports, 5)
    dialogue = services.post_create(
        author=people["member.dhiqar"],
        audience=Post.Audience.WORKGROUP,
        audience_workgroup=workgroups["peace-building"],
        body=(
            "جلسة الحوار الأولى بين الشباب وشيوخ العشائر في الناصرية يوم السبت. "
            "من يستطيع المساعدة في التيسير؟"
        ),
    )
    _backdate(dialogue, 3)
    nordic_post = services.post_create(
        author=people["admin.nordic"],
        as_organisation=nordic,
        audience=Post.Audience.PUBLIC,
        body=(
            "Our fund will cover the translation of the Basra electricity contracts into "
            "English, so that unions abroad can follow the case with "
            "@shatt-al-arab-port-oil-workers."
        ),
    )
    _backdate(nordic_post, 2)
    defenders = services.post_create(
        author=people["admin.erbil"],
        as_workgroup=workgroups["human-rights-defenders"],
        body="تذكير: لا تنشروا أسماء الزملاء المهددين في أي منشور. استخدموا القنوات الآمنة فقط.",
    )
    _backdate(defenders, 1)
    services.post_create(
        author=people["admin.nordic"],
        as_organisation=nordic,
        kind=Post.Kind.STATEMENT,
        audience=Post.Audience.PUBLIC,
        title="Solidarity with the striking oil workers",
        body="A draft: it will be published once its Arabic translation is ready.",
    )

    first = services.comment_create(
        post=electricity,
        author=people["member.basra"],
        body="أتفق تماماً. سأحضر الجلسة مع زملائي من الهارثة.",
    )
    services.comment_create(
        post=electricity,
        author=people["admin.nordic"],
        body="We will share this with the Nordic unions.",
        parent=first,
    )
    services.comment_create(
        post=ports, author=people["admin.basra"], body="شكراً، الأرقام دقيقة ومفيدة جداً."
    )
    services.comment_create(
        post=statement, author=people["member.france"], body="Our alliance signs it."
    )
    services.comment_create(
        post=dialogue, author=people["admin.nineveh"], body="لدينا ميسران يمكنهما الحضور."
    )
    translation_save(
        obj=ports,
        language="ar",
        fields={
            "title": "امتيازات الموانئ: مرسيليا وأم قصر",
            "body": (
                "قارنا ما عنته امتيازات الموانئ لعمال الأرصفة في مرسيليا وأم قصر. باختصار: "
                "وظائف دائمة أقل وتعاقد من الباطن أكثر. شكراً لـ "
                "@shatt-al-arab-port-oil-workers على الأرقام."
            ),
        },
        by=people["translator"],
    )
    for post, who, kind in [
        (electricity, "member.basra", "support"),
        (electricity, "admin.nordic", "support"),
        (electricity, "member.france", "like"),
        (statement, "member.france", "support"),
        (statement, "admin.erbil", "support"),
        (ports, "admin.basra", "thanks"),
        (dialogue, "pseudonym", "like"),
        (nordic_post, "admin.basra", "thanks"),
    ]:
        Reaction.objects.get_or_create(post=post, user=people[who], kind=kind)
    for follower, target in [
        ("member.basra", {"organisation": nordic}),
        ("member.basra", {"person": people["admin.nordic"]}),
        ("member.france", {"organisation": baghdad}),
        ("member.france", {"organisation": basra}),
        ("member.dhiqar", {"workgroup": workgroups["youth"]}),
        ("admin.nordic", {"organisation": basra}),
        ("translator", {"person": people["admin.baghdad"]}),
    ]:
        services.follow(follower=people[follower], **target)
