"""Demo conversations (called by seed_demo after the people exist): a one-to-one in Arabic, a
bilingual group, and a conversation the hidden member started with a coordinator. Written
straight to the tables with past dates, so seeding sends no notification or e-mail."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from tadamun.messaging.models import Conversation, Message, Participant
from tadamun.translations.detect import detect_language

User = get_user_model()
DOMAIN = "demo.tadamun.example"

# (subject, participants (the first starts it), messages: (author, hours ago, body)),
# and who has read everything (the others have the last message unread).
CONVERSATIONS = [
    (
        "",
        ["member.basra", "admin.basra"],
        [
            ("member.basra", 30, "مرحباً أستاذ حسين، هل وصلتك نسخة العقود من مجلس المحافظة؟"),
            ("admin.basra", 28, "نعم، وصلت أمس. سأرسلها إليك بعد أن أحذف أسماء العمال."),
            ("member.basra", 3, "شكراً جزيلاً. **مهم:** اجتماع العمال يوم الخميس الساعة العاشرة."),
        ],
        ["member.basra"],
    ),
    (
        "Translation of the Basra contracts",
        ["admin.nordic", "admin.basra", "member.france"],
        [
            ("admin.nordic", 50, "Hello both,\n\nOur fund can pay for the translation. "
             "Who can send the Arabic originals?"),
            ("admin.basra", 49, "سأرسل النصوص الأصلية هذا الأسبوع، مع ملخص قصير بالعربية."),
            ("member.france", 20, "Great. I can proofread the English version:\n\n"
             "- contract terms\n- the workers' demands"),
        ],
        ["admin.nordic", "member.france"],
    ),
    (
        "",
        ["hidden", "coordinator"],
        [
            ("hidden", 10, "مساء الخير، أحتاج إلى تغيير بريدي الإلكتروني لأسباب أمنية."),
            ("coordinator", 8, "بالتأكيد. يمكنك تغييره من صفحة حسابك، وسأتأكد من أنه تم."),
        ],
        ["hidden", "coordinator"],
    ),
]  # fmt: skip


def _last_read(name: str, messages, readers, now, last):
    """Readers have read everything; the others up to their own latest message."""
    if name in readers:
        return last
    own = [hours for author, hours, _body in messages if author == name]
    return now - timedelta(hours=min(own)) if own else None


def seed(*, stdout) -> None:
    if Conversation.objects.exists():
        stdout.write("messaging: conversations exist already; nothing to do.\n")
        return
    now = timezone.now()
    people = {
        user.email.split("@")[0]: user for user in User.objects.filter(email__endswith=f"@{DOMAIN}")
    }
    created = 0
    for subject, names, messages, readers in CONVERSATIONS:
        if any(name not in people for name in names):
            continue
        start = now - timedelta(hours=messages[0][1])
        last = now - timedelta(hours=messages[-1][1])
        conversation = Conversation.objects.create(
            subject=subject,
            created_by=people[names[0]],
            is_group=len(names) > 2,
            created=start,
            last_message_at=last,
        )
        Participant.objects.bulk_create(
            Participant(
                conversation=conversation,
                user=people[name],
                joined=start,
                last_read_at=_last_read(name, messages, readers, now, last),
            )
            for name in names
        )
        Message.objects.bulk_create(
            Message(
                conversation=conversation,
                author=people[author],
                body=body,
                language=detect_language(body),
                created=now - timedelta(hours=hours),
            )
            for author, hours, body in messages
        )
        created += 1
    stdout.write(f"messaging: {created} demo conversations\n")
