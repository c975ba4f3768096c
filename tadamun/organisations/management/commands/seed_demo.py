"""Demo data: organisations, themes, workgroups and people in every role.

Idempotent: records are found by slug or e-mail address and brought back to the demo state, so
running it twice leaves the same counts. Every organisation and person here is fictional.
"""

import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from tadamun.lists.models import MailingList, Subscription
from tadamun.organisations.models import (
    Application,
    Invitation,
    Organisation,
    OrganisationMembership,
    Theme,
)
from tadamun.organisations.services import invitation_link, invitation_token_hash
from tadamun.workgroups.models import Post, Workgroup, WorkgroupMembership
from tadamun.workgroups.services import post_create

User = get_user_model()
DEMO_PASSWORD = "tadamun-demo-2026"  # noqa: S105 - published demo log-in, fictional people
DOMAIN = "demo.tadamun.example"

THEMES = [
    ("privatization", "Privatization", "الخصخصة"),
    ("peace-building", "Peace building", "بناء السلام"),
    ("workers-rights", "Workers' rights", "حقوق العمال"),
    ("womens-rights", "Women's rights", "حقوق المرأة"),
    ("youth", "Youth", "الشباب"),
    ("human-rights-defenders", "Human rights defenders", "المدافعون عن حقوق الإنسان"),
    ("freedom-of-association", "Freedom of association", "حرية التنظيم"),
    ("minority-rights", "Minority rights", "حقوق الأقليات"),
]

WORKGROUPS = [
    (
        "privatization",
        "Privatization",
        "الخصخصة",
        "Tracking the privatization of public services and industry, and its effect on workers.",
        "متابعة خصخصة الخدمات العامة والصناعة وأثرها على العمال.",
        ["privatization", "workers-rights"],
    ),
    (
        "peace-building",
        "Peace building",
        "بناء السلام",
        "Dialogue, reconciliation and community peace projects.",
        "الحوار والمصالحة ومشاريع السلام المجتمعي.",
        ["peace-building"],
    ),
    (
        "womens-rights",
        "Women's rights",
        "حقوق المرأة",
        "Campaigns against gender-based violence and for equal rights.",
        "حملات ضد العنف القائم على النوع الاجتماعي ومن أجل المساواة في الحقوق.",
        ["womens-rights"],
    ),
    (
        "workers-rights",
        "Workers' rights",
        "حقوق العمال",
        "Labour law, trade union freedoms and solidarity with workers' struggles.",
        "قانون العمل والحريات النقابية والتضامن مع نضالات العمال.",
        ["workers-rights", "freedom-of-association"],
    ),
    (
        "youth",
        "Youth",
        "الشباب",
        "Young activists, student unions and youth participation.",
        "الناشطون الشباب والاتحادات الطلابية ومشاركة الشباب.",
        ["youth"],
    ),
    (
        "human-rights-defenders",
        "Human rights defenders",
        "المدافعون عن حقوق الإنسان",
        "Protection and support for threatened activists and journalists.",
        "حماية ودعم الناشطين والصحفيين المهددين.",
        ["human-rights-defenders", "minority-rights"],
    ),
]

K = Organisation.Kind
IRAQI, INTERNATIONAL = Organisation.Scope.IRAQI, Organisation.Scope.INTERNATIONAL

# slug, English name, Arabic name, kind, scope, country, governorate, city, themes, languages,
# listed publicly, description (en), description (ar)
ORGANISATIONS = [
    ("shatt-al-arab-port-oil-workers", "Shatt al-Arab Port and Oil Workers' Union",
     "نقابة عمال الموانئ والنفط في شط العرب", K.TRADE_UNION, IRAQI, "IQ", "basra", "Basra",
     ["workers-rights", "privatization", "freedom-of-association"], ["ar", "en"], True,
     "Dock and oil-field workers organising for safe work and fair contracts.",
     "عمال الموانئ وحقول النفط ينظمون أنفسهم من أجل عمل آمن وعقود عادلة."),
    ("baghdad-womens-solidarity-league", "Baghdad Women's Solidarity League",
     "رابطة تضامن نساء بغداد", K.WOMENS_RIGHTS, IRAQI, "IQ", "baghdad", "Baghdad",
     ["womens-rights", "human-rights-defenders"], ["ar", "en"], True,
     "Shelters, legal aid and advocacy for women across Baghdad.",
     "مأوى ومساعدة قانونية ومناصرة للنساء في أنحاء بغداد."),
    ("nineveh-youth-for-coexistence", "Nineveh Youth for Coexistence",
     "شباب نينوى من أجل التعايش", K.YOUTH_STUDENT_UNION, IRAQI, "IQ", "nineveh", "Mosul",
     ["youth", "peace-building"], ["ar", "ku", "syr"], True,
     "Young volunteers rebuilding trust between Mosul's communities.",
     "متطوعون شباب يعيدون بناء الثقة بين مكونات الموصل."),
    ("citadel-human-rights-observatory", "Citadel Human Rights Observatory",
     "مرصد القلعة لحقوق الإنسان", K.HUMAN_RIGHTS, IRAQI, "IQ", "erbil", "Erbil",
     ["human-rights-defenders", "freedom-of-association"], ["ku", "ar", "en"], True,
     "Documents violations and supports defenders at risk.",
     "يوثق الانتهاكات ويدعم المدافعين المعرضين للخطر."),
    ("sulaymaniyah-free-press-collective", "Sulaymaniyah Free Press Collective",
     "تجمع الصحافة الحرة في السليمانية", K.MEDIA, IRAQI, "IQ", "sulaymaniyah", "Sulaymaniyah",
     ["human-rights-defenders"], ["ku", "ar"], True,
     "Independent journalists sharing training, legal support and a newsroom.",
     "صحفيون مستقلون يتشاركون التدريب والدعم القانوني وغرفة أخبار."),
    ("duhok-minorities-forum", "Duhok Minorities Rights Forum",
     "منتدى حقوق الأقليات في دهوك", K.MINORITY_RIGHTS, IRAQI, "IQ", "duhok", "Duhok",
     ["minority-rights", "peace-building"], ["ku", "ar", "syr"], True,
     "Yazidi, Christian and Kakai activists defending minority rights.",
     "ناشطون إيزيديون ومسيحيون وكاكائيون يدافعون عن حقوق الأقليات."),
    ("dhi-qar-peace-builders", "Dhi Qar Peace Builders Network",
     "شبكة بناة السلام في ذي قار", K.NGO, IRAQI, "IQ", "dhi_qar", "Nasiriyah",
     ["peace-building", "youth"], ["ar"], True,
     "Mediation between tribes, youth and local authorities.",
     "وساطة بين العشائر والشباب والسلطات المحلية."),
    ("najaf-university-students-union", "Najaf University Students' Union",
     "اتحاد طلبة جامعات النجف", K.YOUTH_STUDENT_UNION, IRAQI, "IQ", "najaf", "Najaf",
     ["youth", "freedom-of-association"], ["ar"], False,
     "Students organising for free education and campus freedoms.",
     "طلبة ينظمون أنفسهم من أجل التعليم المجاني والحريات الجامعية."),
    ("kirkuk-dialogue-centre", "Kirkuk Dialogue Centre",
     "مركز كركوك للحوار", K.NGO, IRAQI, "IQ", "kirkuk", "Kirkuk",
     ["peace-building", "minority-rights"], ["ar", "ku", "tr"], True,
     "A meeting place for Kirkuk's Arab, Kurdish, Turkmen and Christian communities.",
     "مكان لقاء لمكونات كركوك العربية والكردية والتركمانية والمسيحية."),
    ("anbar-textile-factory-workers", "Anbar Textile and Factory Workers' Syndicate",
     "نقابة عمال النسيج والمصانع في الأنبار", K.TRADE_UNION, IRAQI, "IQ", "anbar", "Ramadi",
     ["workers-rights", "privatization"], ["ar"], False,
     "Defending jobs in state factories facing privatization.",
     "الدفاع عن الوظائف في مصانع الدولة المهددة بالخصخصة."),
    ("babil-women-farmers", "Babil Women Farmers' Association",
     "جمعية المزارعات في بابل", K.WOMENS_RIGHTS, IRAQI, "IQ", "babil", "Hillah",
     ["womens-rights", "workers-rights"], ["ar"], True,
     "Land, water and income for women who farm along the Euphrates.",
     "الأرض والمياه والدخل للنساء المزارعات على ضفاف الفرات."),
    ("halabja-survivors-voice", "Halabja Survivors' Voice",
     "صوت الناجين في حلبجة", K.HUMAN_RIGHTS, IRAQI, "IQ", "halabja", "Halabja",
     ["human-rights-defenders"], ["ku", "ar", "en"], True,
     "Memory, justice and health care for survivors and their families.",
     "الذاكرة والعدالة والرعاية الصحية للناجين وعائلاتهم."),
    ("nordic-trade-union-solidarity-fund", "Nordic Trade Union Solidarity Fund",
     "صندوق التضامن النقابي الشمالي", K.TRADE_UNION, INTERNATIONAL, "SE", "", "Stockholm",
     ["workers-rights", "freedom-of-association"], ["en"], True,
     "Nordic unions supporting independent unions in the Middle East.",
     "نقابات شمالية تدعم النقابات المستقلة في الشرق الأوسط."),
    ("mediterranean-womens-rights-alliance", "Mediterranean Women's Rights Alliance",
     "تحالف حقوق المرأة المتوسطي", K.WOMENS_RIGHTS, INTERNATIONAL, "FR", "", "Marseille",
     ["womens-rights"], ["fr", "en", "ar"], True,
     "Feminist organisations from both shores of the Mediterranean.",
     "منظمات نسوية من ضفتي البحر الأبيض المتوسط."),
    ("rhine-peace-education-institute", "Rhine Peace Education Institute",
     "معهد الراين للتربية على السلام", K.NGO, INTERNATIONAL, "DE", "", "Cologne",
     ["peace-building", "youth"], ["en", "other"], True,
     "Training facilitators in conflict transformation.",
     "تدريب الميسرين على تحويل النزاعات."),
    ("asia-labour-rights-watch", "Asia Labour Rights Watch",
     "مرصد حقوق العمال في آسيا", K.HUMAN_RIGHTS, INTERNATIONAL, "PH", "", "Manila",
     ["workers-rights", "human-rights-defenders"], ["en"], True,
     "Research on migrant workers' rights between Asia and the Gulf.",
     "أبحاث حول حقوق العمال المهاجرين بين آسيا والخليج."),
    ("tokyo-press-freedom-circle", "Tokyo Press Freedom Circle",
     "حلقة طوكيو لحرية الصحافة", K.MEDIA, INTERNATIONAL, "JP", "", "Tokyo",
     ["human-rights-defenders"], ["en"], False,
     "Journalists supporting colleagues under threat.",
     "صحفيون يدعمون زملاءهم المهددين."),
    ("andes-youth-solidarity-network", "Andes Youth Solidarity Network",
     "شبكة شباب الأنديز للتضامن", K.YOUTH_STUDENT_UNION, INTERNATIONAL, "CL", "", "Santiago",
     ["youth", "peace-building"], ["other", "en"], True,
     "Student and youth movements exchanging with Iraqi youth.",
     "حركات طلابية وشبابية تتبادل الخبرات مع الشباب العراقي."),
    ("great-lakes-civil-liberties-coalition", "Great Lakes Civil Liberties Coalition",
     "ائتلاف البحيرات العظمى للحريات المدنية", K.HUMAN_RIGHTS, INTERNATIONAL, "CA", "", "Toronto",
     ["human-rights-defenders", "freedom-of-association"], ["en", "fr"], True,
     "Lawyers and activists defending the right to organise.",
     "محامون وناشطون يدافعون عن الحق في التنظيم."),
]  # fmt: skip

ADMIN, MEMBER = OrganisationMembership.Role.ADMIN, OrganisationMembership.Role.MEMBER

# local part, legal name, display name ("" = same), language, role label, flags, memberships
PEOPLE = [
    ("coordinator", "ليلى حسن", "", "ar", "coordinator",
     {"is_coordinator": True}, []),
    ("coordinator.en", "Martin Lindqvist", "", "en", "coordinator",
     {"is_coordinator": True}, [("nordic-trade-union-solidarity-fund", MEMBER)]),
    ("translator", "كاروان عزيز", "", "ar", "translator (member)",
     {"is_translator": True}, [("citadel-human-rights-observatory", MEMBER)]),
    ("admin.basra", "حسين عبد الواحد", "", "ar", "organisation admin",
     {}, [("shatt-al-arab-port-oil-workers", ADMIN)]),
    ("admin.baghdad", "سعاد جبار", "", "ar", "organisation admin",
     {}, [("baghdad-womens-solidarity-league", ADMIN)]),
    ("admin.nineveh", "يوسف متي", "", "ar", "organisation admin",
     {}, [("nineveh-youth-for-coexistence", ADMIN), ("kirkuk-dialogue-centre", MEMBER)]),
    ("admin.nordic", "Ingrid Berg", "", "en", "organisation admin",
     {}, [("nordic-trade-union-solidarity-fund", ADMIN)]),
    ("admin.erbil", "Shilan Rashid", "", "en", "organisation admin",
     {}, [("citadel-human-rights-observatory", ADMIN), ("halabja-survivors-voice", ADMIN)]),
    ("member.basra", "علي كاظم", "", "ar", "member",
     {}, [("shatt-al-arab-port-oil-workers", MEMBER)]),
    ("member.dhiqar", "نور سلمان", "", "ar", "member",
     {}, [("dhi-qar-peace-builders", MEMBER)]),
    ("member.france", "Claire Dubois", "", "en", "member",
     {}, [("mediterranean-womens-rights-alliance", MEMBER)]),
    ("pseudonym", "زينب كريم", "بلبل دجلة", "ar", "member, pseudonymous",
     {}, [("baghdad-womens-solidarity-league", MEMBER)]),
    ("hidden", "عمر فاضل", "", "ar", "member, hidden",
     {"hide_membership": True}, [("sulaymaniyah-free-press-collective", MEMBER)]),
    ("hidden.pseudonym", "Rana Adel", "Palm Tree", "en", "member, hidden + pseudonymous",
     {"hide_membership": True}, [("duhok-minorities-forum", MEMBER)]),
    ("applicant", "مصطفى إبراهيم", "", "ar", "applicant (individual, pending)",
     {"status": User.Status.APPLICANT}, []),
    ("applicant.org", "Huda Naji", "", "en", "applicant (organisation, pending)",
     {"status": User.Status.APPLICANT}, []),
]  # fmt: skip

APPLICATIONS = {
    "applicant": {
        "kind": Application.Kind.INDIVIDUAL,
        "motivation": "أعمل صحفياً مستقلاً في البصرة وأريد التعاون مع شبكة المدافعين.",
        "language": "ar",
    },
    "applicant.org": {
        "kind": Application.Kind.ORGANISATION,
        "org_name_en": "Maysan Marshes Environmental Defenders",
        "org_name_ar": "المدافعون عن بيئة أهوار ميسان",
        "org_kind": Organisation.Kind.NGO,
        "org_scope": Organisation.Scope.IRAQI,
        "org_country": "IQ",
        "org_governorate": "maysan",
        "org_city": "Amarah",
        "org_website": "https://maysan-marshes.example",
        "org_description": "We defend the marshes and the fishing families who live from them.",
        "motivation": "We want to join the peace-building and workers' rights workgroups.",
        "language": "en",
    },
}

PENDING_INVITATION = ("invitee", "dhi-qar-peace-builders", MEMBER, "coordinator")

WG = Workgroup.Visibility, Workgroup.JoinPolicy
# slug: (visibility, join policy)
WORKGROUP_POLICIES = {
    "privatization": (WG[0].OPEN, WG[1].OPEN),
    "peace-building": (WG[0].OPEN, WG[1].OPEN),
    "womens-rights": (WG[0].OPEN, WG[1].REQUEST),
    "workers-rights": (WG[0].OPEN, WG[1].OPEN),
    "youth": (WG[0].OPEN, WG[1].OPEN),
    "human-rights-defenders": (WG[0].CLOSED, WG[1].INVITE),
}
OWN, MOD, MEM = (WorkgroupMembership.Role.OWNER, WorkgroupMembership.Role.MODERATOR,
                 WorkgroupMembership.Role.MEMBER)  # fmt: skip
ACTIVE = WorkgroupMembership.Status.ACTIVE
# workgroup: [(person, role, status, delivery mode)]
WORKGROUP_MEMBERS = {
    "privatization": [
        ("admin.basra", OWN, ACTIVE, "each"), ("member.basra", MOD, ACTIVE, "each"),
        ("coordinator.en", MEM, ACTIVE, "digest"), ("member.france", MEM, ACTIVE, "each"),
        ("hidden", MEM, ACTIVE, "none"), ("admin.nordic", MEM, ACTIVE, "each"),
    ],
    "peace-building": [
        ("member.dhiqar", OWN, ACTIVE, "each"), ("admin.nineveh", MOD, ACTIVE, "each"),
        ("pseudonym", MEM, ACTIVE, "digest"), ("hidden.pseudonym", MEM, ACTIVE, "each"),
        ("coordinator", MEM, ACTIVE, "each"),
    ],
    "womens-rights": [
        ("admin.baghdad", OWN, ACTIVE, "each"), ("pseudonym", MOD, ACTIVE, "each"),
        ("member.france", MEM, ACTIVE, "digest"),
        ("translator", MEM, WorkgroupMembership.Status.REQUESTED, None),
    ],
    "workers-rights": [
        ("admin.nordic", OWN, ACTIVE, "each"), ("admin.basra", MEM, ACTIVE, "each"),
        ("member.basra", MEM, ACTIVE, "digest"),
    ],
    "youth": [("admin.nineveh", OWN, ACTIVE, "each"), ("member.dhiqar", MEM, ACTIVE, "each")],
    "human-rights-defenders": [
        ("admin.erbil", OWN, ACTIVE, "each"), ("hidden", MOD, ACTIVE, "each"),
        ("translator", MEM, ACTIVE, "each"), ("hidden.pseudonym", MEM, ACTIVE, "digest"),
        ("member.dhiqar", MEM, WorkgroupMembership.Status.INVITED, None),
    ],
}  # fmt: skip

# Demo discussions: (workgroup, key, parent key or None, author, days ago, subject, body).
# Keys become fixed Message-IDs, so a second run finds the posts and creates nothing.
DEMO_POSTS = [
    ("privatization", "elec-1", None, "admin.basra", 48, "خصخصة توزيع الكهرباء في البصرة",
     "الزملاء الأعزاء،\n\nأعلنت وزارة الكهرباء عن عقود جديدة لخصخصة الجباية والتوزيع في "
     "البصرة. نحتاج إلى موقف مشترك قبل جلسة الاستماع في مجلس المحافظة.\n\nالمسودة هنا: "
     "https://shatt-al-arab-port-oil-workers.example/draft"),
    ("privatization", "elec-2", "elec-1", "member.basra", 47, "",
     "أتفق تماماً. العمال في محطة الهارثة لم يُستشاروا، ويخشون فقدان عقودهم. "
     "أقترح أن نطلب نسخة من العقود أولاً."),
    ("privatization", "elec-3", "elec-1", "admin.nordic", 46, "",
     "Thank you for raising this. Our fund can cover translation of the contracts into "
     "English so that the international unions can support the statement."),
    ("privatization", "elec-4", "elec-3", "admin.basra", 45, "",
     "شكراً جزيلاً، هذا مفيد جداً. سأرسل النصوص هذا الأسبوع."),
    ("privatization", "ports-1", None, "member.france", 12, "Port concessions: comparing cases",
     "Hello all,\n\nWe prepared a short comparison of port concessions in Marseille and "
     "Umm Qasr, and what they meant for dock workers. Comments welcome before Friday."),
    ("privatization", "ports-2", "ports-1", "hidden", 11, "",
     "ملاحظة مهمة: في أم قصر انخفض عدد العمال الدائمين إلى النصف خلال ثلاث سنوات."),
    ("peace-building", "dialogue-1", None, "member.dhiqar", 30,
     "Youth dialogue sessions in Nasiriyah",
     "We are planning four dialogue sessions between young people and tribal elders in "
     "Nasiriyah this spring. Who has facilitators who speak both Arabic and English?"),
    ("peace-building", "dialogue-2", "dialogue-1", "admin.nineveh", 29, "",
     "لدينا في الموصل ثلاثة ميسرين تدربوا في كولونيا العام الماضي، ويسعدهم المساعدة."),
    ("peace-building", "dialogue-3", "dialogue-2", "pseudonym", 28, "",
     "فكرة رائعة. أقترح أن تكون جلسة واحدة على الأقل للنساء فقط."),
    ("womens-rights", "shelter-1", None, "admin.baghdad", 20, "حملة ضد العنف الأسري: خطة العمل",
     "نعمل على حملة مشتركة لدعم قانون الحماية من العنف الأسري. المطلوب من كل منظمة شهادتان "
     "موثقتان (بموافقة صاحباتها) قبل نهاية الشهر."),
    ("womens-rights", "shelter-2", "shelter-1", "member.france", 19, "",
     "Our alliance can host an online briefing with European parliamentarians."),
    ("human-rights-defenders", "threat-1", None, "admin.erbil", 6,
     "تنسيق الدعم العاجل للصحفيين المهددين",
     "تلقى زميلان في السليمانية تهديدات هذا الأسبوع. نحتاج إلى قائمة محدثة بجهات الدعم "
     "القانوني والنقل الآمن. لا تذكروا الأسماء في هذه القائمة."),
    ("human-rights-defenders", "threat-2", "threat-1", "hidden", 5, "",
     "تم التواصل مع المحامي. التفاصيل عبر قناة آمنة فقط."),
    ("human-rights-defenders", "threat-3", "threat-1", "translator", 5, "",
     "I can translate the urgent appeal into English and Kurdish tonight."),
]  # fmt: skip
HELD_POST = ("privatization", "held-1", "outsider@mail.example", "A Journalist",
             "Interview request about privatization",
             "Hello, I am writing a story about electricity privatization in Basra. "
             "Could someone from the list talk to me?")  # fmt: skip


class Command(BaseCommand):
    help = "Create or refresh the demo organisations, workgroups and people (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if any organisation exists already.",
        )

    def handle(self, *args, if_empty: bool = False, **options):
        self.verbosity = options.get("verbosity", 1)
        if if_empty and Organisation.objects.exists():
            self.stdout.write("seed_demo: organisations exist already; nothing to do.")
            self._print_logins(None)
            return
        with transaction.atomic():
            themes = self._themes()
            self._workgroups(themes)
            organisations = self._organisations(themes)
            people = self._people(organisations)
            self._applications(people)
            self._workgroup_content(people)
            invitation_url = self._invitation(people, organisations)
            self._social_content()
        self._print_logins(invitation_url)

    def _social_content(self) -> None:
        """Each app of the social site seeds its own demo content (posts first: the others
        comment on them, report them, notify about them)."""
        from importlib import import_module

        apps = [
            "social",
            "documents",
            "campaigns",
            "petitions",
            "messaging",
            "moderation",
            "notifications",
            "search",
        ]
        for done, app in enumerate(apps, start=1):
            import_module(f"tadamun.{app}.demo").seed(stdout=self.stdout)
            self._progress("Social site demo content", done, len(apps))

    def _progress(self, label: str, done: int, total: int) -> None:
        if self.verbosity < 1:
            return
        ending = "\n" if done == total else "\r"
        self.stdout.write(f"{label} {done}/{total} …", ending=ending)

    def _themes(self) -> dict[str, Theme]:
        themes = {}
        for number, (slug, name_en, name_ar) in enumerate(THEMES, start=1):
            themes[slug], _created = Theme.objects.update_or_create(
                slug=slug, defaults={"name_en": name_en, "name_ar": name_ar}
            )
            self._progress("themes", number, len(THEMES))
        return themes

    def _workgroups(self, themes: dict[str, Theme]) -> None:
        for number, (slug, name_en, name_ar, text_en, text_ar, theme_slugs) in enumerate(
            WORKGROUPS, start=1
        ):
            workgroup, _created = Workgroup.objects.update_or_create(
                slug=slug,
                defaults={
                    "name_en": name_en,
                    "name_ar": name_ar,
                    "description_en": text_en,
                    "description_ar": text_ar,
                },
            )
            workgroup.themes.set([themes[theme] for theme in theme_slugs])
            self._progress("workgroups", number, len(WORKGROUPS))

    def _workgroup_content(self, people: dict[str, User]) -> None:
        """Policies, lists, memberships with roles (hidden people too), subscriptions and
        bilingual discussions. Found by fixed keys, so a second run changes nothing."""
        workgroups = {w.slug: w for w in Workgroup.objects.filter(slug__in=WORKGROUP_POLICIES)}
        for slug, (visibility, join_policy) in WORKGROUP_POLICIES.items():
            workgroup = workgroups[slug]
            workgroup.visibility, workgroup.join_policy = visibility, join_policy
            workgroup.save(update_fields=["visibility", "join_policy"])
            mailing_list, _created = MailingList.objects.get_or_create(
                workgroup=workgroup, defaults={"subject_prefix": f"[{slug}]"}
            )
            for local, role, status, mode in WORKGROUP_MEMBERS[slug]:
                person = people[local]
                WorkgroupMembership.objects.update_or_create(
                    workgroup=workgroup, user=person, defaults={"role": role, "status": status}
                )
                if mode is None:
                    continue
                Subscription.objects.update_or_create(
                    mailing_list=mailing_list,
                    email=person.email,
                    defaults={
                        "user": person,
                        "mode": mode,
                        "status": Subscription.Status.ACTIVE,
                        "language": person.preferred_language,
                    },
                )
        now = timezone.now()
        for number, (slug, key, parent_key, local, days, subject, body) in enumerate(
            DEMO_POSTS, start=1
        ):
            message_id = f"<demo-{slug}-{key}@{DOMAIN}>"
            if not Post.objects.filter(message_id=message_id).exists():
                parent = None
                if parent_key:
                    parent = Post.objects.get(message_id=f"<demo-{slug}-{parent_key}@{DOMAIN}>")
                    subject = f"Re: {parent.thread.subject}"
                post_create(
                    workgroup=workgroups[slug],
                    subject=subject,
                    body=body,
                    source=Post.Source.WEB,
                    author=people[local],
                    parent=parent,
                    message_id=message_id,
                    language="ar" if any("\u0600" <= ch <= "\u06ff" for ch in body) else "en",
                    created=now - timedelta(days=days, hours=number),
                    deliver=False,
                )
            self._progress("workgroup posts", number, len(DEMO_POSTS))
        slug, key, email, name, subject, body = HELD_POST
        message_id = f"<demo-{slug}-{key}@{DOMAIN}>"
        if not Post.objects.filter(message_id=message_id).exists():
            post_create(
                workgroup=workgroups[slug],
                subject=subject,
                body=body,
                source=Post.Source.EMAIL,
                author_name=name,
                author_email=email,
                message_id=message_id,
                status=Post.Status.HELD,
                hold_reason="non-member",
                language="en",
                created=now - timedelta(days=1),
                deliver=False,
            )

    def _organisations(self, themes: dict[str, Theme]) -> dict[str, Organisation]:
        organisations = {}
        for number, row in enumerate(ORGANISATIONS, start=1):
            (slug, name_en, name_ar, kind, scope, country, governorate, city, theme_slugs,
             languages, listed, text_en, text_ar) = row  # fmt: skip
            organisation, _created = Organisation.objects.update_or_create(
                slug=slug,
                defaults={
                    "name_en": name_en,
                    "name_ar": name_ar,
                    "kind": kind,
                    "scope": scope,
                    "country": country,
                    "governorate": governorate,
                    "city": city,
                    "languages": languages,
                    "listed_publicly": listed,
                    "website": f"https://{slug}.example",
                    "description_en": text_en,
                    "description_ar": text_ar,
                },
            )
            organisation.themes.set([themes[theme] for theme in theme_slugs])
            organisations[slug] = organisation
            self._progress("organisations", number, len(ORGANISATIONS))
        return organisations

    def _people(self, organisations: dict[str, Organisation]) -> dict[str, User]:
        password = make_password(DEMO_PASSWORD)  # hashed once: all demo people share it
        people = {}
        for number, (local, legal, display, language, _label, flags, memberships) in enumerate(
            PEOPLE, start=1
        ):
            email = f"{local}@{DOMAIN}"
            defaults = {
                "username": email,
                "legal_name": legal,
                "display_name": display or legal,
                "preferred_language": language,
                "status": User.Status.MEMBER,
                "is_coordinator": False,
                "is_translator": False,
                "hide_membership": False,
                "is_active": True,
                "password": password,
                **flags,
            }
            user, _created = User.objects.update_or_create(email=email, defaults=defaults)
            EmailAddress.objects.filter(user=user).exclude(email=email).delete()
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            for slug, role in memberships:
                OrganisationMembership.objects.update_or_create(
                    user=user, organisation=organisations[slug], defaults={"role": role}
                )
            people[local] = user
            self._progress("people", number, len(PEOPLE))
        return people

    def _applications(self, people: dict[str, User]) -> None:
        for number, (local, fields) in enumerate(APPLICATIONS.items(), start=1):
            Application.objects.update_or_create(
                applicant=people[local],
                defaults={
                    **fields,
                    "status": Application.Status.PENDING,
                    "decided_by": None,
                    "decided_at": None,
                    "decision_message": "",
                    "organisation": None,
                },
            )
            self._progress("applications", number, len(APPLICATIONS))

    def _invitation(self, people, organisations) -> str:
        local, slug, role, inviter = PENDING_INVITATION
        token = secrets.token_urlsafe(32)
        invitation, _created = Invitation.objects.update_or_create(
            email=f"{local}@{DOMAIN}",
            organisation=organisations[slug],
            defaults={
                "role": role,
                "language": "ar",
                "invited_by": people[inviter],
                "expires_at": timezone.now() + timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
                "accepted_at": None,
                "accepted_by": None,
                "revoked_at": None,
                "token_hash": invitation_token_hash(token),
            },
        )
        self._progress("invitations", 1, 1)
        return invitation_link(token, language=invitation.language)

    def _print_logins(self, invitation_url: str | None) -> None:
        if self.verbosity < 1:
            return
        rows = [(f"{local}@{DOMAIN}", label) for local, _l, _d, _lang, label, _f, _m in PEOPLE]
        width = max(len(email) for email, _label in rows)
        role_width = max(len(label) for _email, label in rows)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo log-ins (all fictional people):"))
        self.stdout.write(f"{'e-mail':<{width}}  {'role':<{role_width}}  password")
        self.stdout.write(f"{'-' * width}  {'-' * role_width}  {'-' * len(DEMO_PASSWORD)}")
        for email, label in rows:
            self.stdout.write(f"{email:<{width}}  {label:<{role_width}}  {DEMO_PASSWORD}")
        if invitation_url:
            self.stdout.write("")
            self.stdout.write(f"Pending invitation for invitee@{DOMAIN}: {invitation_url}")
