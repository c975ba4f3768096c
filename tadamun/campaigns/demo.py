"""Demo campaigns (called by seed_demo after the organisations, people, posts and documents
exist): the coalition's five campaigns, in Arabic and English — three open, one in the
coalition's review, one delivered — with their decision makers, events, updates and a few
linked documents and posts. Rows are written straight to the tables (no notification, no
e-mail); a second run brings the same campaigns back to this state. Organisations, people,
posts or documents missing from the database are skipped."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from tadamun.campaigns.models import (
    Campaign,
    CampaignEvent,
    CampaignReview,
    CampaignUpdate,
    Target,
)
from tadamun.documents.models import Document
from tadamun.organisations.models import Organisation, Theme
from tadamun.social.models import Post

User = get_user_model()
DOMAIN = "demo.tadamun.example"
S = Campaign.Status

CAMPAIGNS = [
    {
        "slug": "freedom-of-association-ngo-law",
        "status": S.OPEN,
        "days_open": 60,
        "proposer": "admin.erbil",
        "leads": ["citadel-human-rights-observatory"],
        "partners": ["great-lakes-civil-liberties-coalition", "sulaymaniyah-free-press-collective"],
        "identified_by": ["citadel-human-rights-observatory", "dhi-qar-peace-builders"],
        "themes": ["freedom-of-association", "human-rights-defenders"],
        "title_ar": "حرية التنظيم: قانون منظمات لا يقيّد المجتمع المدني",
        "title_en": "Freedom of association: an NGO law that does not shackle civil society",
        "summary_ar": (
            "ندعو إلى تعديل قانون المنظمات غير الحكومية رقم 12 لسنة 2010 بحيث يصبح التسجيل "
            "إشعاراً لا إذناً، ولا تُعلَّق أي منظمة أو تُحلّ إلا بقرار قضائي."
        ),
        "summary_en": (
            "We call for the NGO Law No. 12 of 2010 to be amended so that registration becomes "
            "a notification rather than a permission, and no organisation is suspended or "
            "dissolved except by a court."
        ),
        "demands_ar": (
            "1. أن يكون تسجيل المنظمات بالإشعار خلال ثلاثين يوماً، لا بالموافقة المسبقة.\n"
            "2. ألا تُعلَّق منظمة أو تُحلّ إلا بحكم قضائي قابل للطعن.\n"
            "3. حق المنظمات في تلقي التمويل المحلي والدولي دون موافقة مسبقة على كل منحة.\n"
            "4. إشراك المنظمات في كتابة أي تعديل قبل عرضه على مجلس النواب."
        ),
        "demands_en": (
            "1. Registration by notification within thirty days, not by prior approval.\n"
            "2. No suspension or dissolution of an organisation except by a court ruling open "
            "to appeal.\n"
            "3. The right to receive domestic and international funding without approval of "
            "each grant.\n"
            "4. Civil society consulted on any amendment before it reaches the Council of "
            "Representatives."
        ),
        "background_ar": (
            "تكفل المادة 39 من الدستور حرية تأسيس الجمعيات والانضمام إليها. لكن المنظمات "
            "تنتظر أشهراً للتسجيل لدى دائرة المنظمات غير الحكومية، وعُلّق عمل عدد منها بقرارات "
            "إدارية بعد احتجاجات 2019.\n\n"
            "وثّقت منظماتنا في أربع محافظات حالات تأخير وتعليق، ونريد أن يصبح القانون حامياً "
            "للحق لا قيداً عليه."
        ),
        "background_en": (
            "Article 39 of the Constitution guarantees the freedom to form and join "
            "associations. Yet organisations wait months to register with the NGO Directorate, "
            "and several were suspended by administrative decisions after the 2019 protests.\n\n"
            "Our organisations documented delays and suspensions in four governorates; we want "
            "the law to protect the right, not restrict it."
        ),
        "issue_ar": "تأخير تسجيل المنظمات وتعليقها بقرارات إدارية",
        "issue_en": "Registration delays and administrative suspension of organisations",
        "targets": [
            ("لجنة مؤسسات المجتمع المدني في مجلس النواب", "Civil Society Committee of the "
             "Council of Representatives", "لجنة برلمانية", "Parliamentary committee"),
            ("دائرة المنظمات غير الحكومية", "NGO Directorate", "الأمانة العامة لمجلس الوزراء",
             "Secretariat of the Council of Ministers"),
        ],
        "events": [
            (20, "جلسة استماع مع لجنة مؤسسات المجتمع المدني", "Hearing with the Civil Society "
             "Committee", "بغداد", "Baghdad"),
        ],
        "updates": [
            (10, "أكثر من أربعين منظمة انضمت إلى الحملة", "More than forty organisations "
             "have joined the campaign",
             "وقّعت منظمات من اثنتي عشرة محافظة على المطالب. شكراً لكل من انضم.",
             "Organisations from twelve governorates have signed the demands. Thank you to "
             "everyone who joined."),
        ],
        "documents": [],
        "posts": [],
    },
    {
        "slug": "workers-right-to-organise-law-150",
        "status": S.DELIVERED,
        "days_open": 150,
        "days_closed": 30,
        "proposer": "admin.basra",
        "leads": ["shatt-al-arab-port-oil-workers"],
        "partners": ["nordic-trade-union-solidarity-fund", "asia-labour-rights-watch"],
        "identified_by": ["shatt-al-arab-port-oil-workers", "anbar-textile-factory-workers"],
        "themes": ["workers-rights", "freedom-of-association", "privatization"],
        "title_ar": "حق العمال في التنظيم: إلغاء القرار 150 لسنة 1987",
        "title_en": "Workers' right to organise: abolish Resolution 150 of 1987",
        "summary_ar": (
            "القرار 150 لمجلس قيادة الثورة المنحل حوّل عمال القطاع العام إلى موظفين وحرمهم من "
            "حق تأسيس النقابات. ما زال نافذاً حتى اليوم، ونطالب بإلغائه."
        ),
        "summary_en": (
            "Resolution 150 of the dissolved Revolutionary Command Council turned public-sector "
            "workers into civil servants and took away their right to form unions. It is still "
            "applied today; we demand its abolition."
        ),
        "demands_ar": (
            "1. إلغاء قرار مجلس قيادة الثورة المنحل رقم 150 لسنة 1987.\n"
            "2. إقرار قانون للتنظيم النقابي يضمن حق جميع العمال، في القطاعين العام والخاص، "
            "في تأسيس النقابات والانضمام إليها بحرية، وفق اتفاقية منظمة العمل الدولية رقم 87.\n"
            "3. وقف ملاحقة النقابيين في الموانئ والنفط والكهرباء."
        ),
        "demands_en": (
            "1. Abolish Resolution No. 150 of 1987 of the dissolved Revolutionary Command "
            "Council.\n"
            "2. Adopt a trade union law guaranteeing every worker, in the public and private "
            "sectors, the freedom to form and join unions, in line with ILO Convention No. 87.\n"
            "3. End the prosecution of trade unionists in the ports, oil and electricity."
        ),
        "background_ar": (
            "في عام 1987 أصدر مجلس قيادة الثورة القرار 150 الذي اعتبر العاملين في الدولة "
            "والقطاع العام موظفين، فسقط عنهم حق التنظيم النقابي. بعد 2003 بقي القرار نافذاً، "
            "ويُستخدم اليوم لرفض الاعتراف بنقابات عمال الموانئ والنفط.\n\n"
            "صادق العراق على اتفاقية منظمة العمل الدولية رقم 87 بشأن الحرية النقابية، وقانون "
            "العمل رقم 37 لسنة 2015 يعترف بحق التنظيم — لكن عمال القطاع العام ما زالوا خارجه."
        ),
        "background_en": (
            "In 1987 the Revolutionary Command Council issued Resolution 150, which classed "
            "workers of the state and the public sector as civil servants and so removed their "
            "right to organise. It survived 2003 and is used today to refuse recognition to the "
            "unions of port and oil workers.\n\n"
            "Iraq has ratified ILO Convention No. 87 on freedom of association, and the Labour "
            "Law No. 37 of 2015 recognises the right to organise — but public-sector workers "
            "are still left outside it."
        ),
        "issue_ar": "حرمان عمال القطاع العام من حق التنظيم النقابي",
        "issue_en": "Public-sector workers denied the right to form unions",
        "targets": [
            ("لجنة العمل والشؤون الاجتماعية في مجلس النواب", "Labour and Social Affairs "
             "Committee of the Council of Representatives", "لجنة برلمانية",
             "Parliamentary committee"),
            ("وزارة العمل والشؤون الاجتماعية", "Ministry of Labour and Social Affairs",
             "الوزير", "The minister"),
        ],
        "events": [
            (-40, "وقفة عمال الموانئ أمام مجلس محافظة البصرة", "Dock workers' rally at the "
             "Basra provincial council", "البصرة", "Basra"),
            (-30, "تسليم العريضة إلى لجنة العمل", "Delivery of the petition to the Labour "
             "Committee", "بغداد", "Baghdad"),
        ],
        "updates": [
            (28, "سلّمنا العريضة", "We delivered the petition",
             "سلّم وفد من النقابات العريضة وتواقيعها إلى لجنة العمل والشؤون الاجتماعية، "
             "ووعدت اللجنة بالرد خلال شهرين.",
             "A delegation of unions delivered the petition and its signatures to the Labour "
             "and Social Affairs Committee, which promised an answer within two months."),
        ],
        "documents": ["أجور عمال ميناء أم قصر ٢٠٢٣–٢٠٢٥"],
        "posts": ["Port concessions: Marseille and Umm Qasr"],
    },
    {
        "slug": "womens-equality-article-41",
        "status": S.OPEN,
        "days_open": 45,
        "proposer": "admin.baghdad",
        "leads": ["baghdad-womens-solidarity-league"],
        "partners": ["mediterranean-womens-rights-alliance"],
        "identified_by": ["baghdad-womens-solidarity-league", "babil-women-farmers"],
        "themes": ["womens-rights"],
        "title_ar": "المساواة للنساء: إلغاء المادة 41 من الدستور",
        "title_en": "Equality for women: abolish Article 41 of the Constitution",
        "summary_ar": (
            "تفتح المادة 41 من الدستور الباب أمام أحوال شخصية تختلف باختلاف المذهب، وتهدد "
            "الحماية التي وفرها قانون الأحوال الشخصية رقم 188 لسنة 1959. نطالب بقانون مدني "
            "واحد يساوي بين جميع العراقيات والعراقيين."
        ),
        "summary_en": (
            "Article 41 of the Constitution opens the way to personal status rules that differ "
            "by sect, and threatens the protection of the Personal Status Law No. 188 of 1959. "
            "We demand one civil law that treats all Iraqi women and men as equals."
        ),
        "demands_ar": (
            "1. إلغاء المادة 41 من الدستور في أي مراجعة دستورية.\n"
            "2. قانون أحوال شخصية مدني موحّد يحمي حق المرأة في الطلاق والحضانة والنفقة "
            "والميراث.\n"
            "3. منع تزويج القاصرات، وتحديد سن الزواج بثمانية عشر عاماً."
        ),
        "demands_en": (
            "1. Abolish Article 41 in any constitutional review.\n"
            "2. One civil personal status law that protects women's rights in divorce, "
            "custody, maintenance and inheritance.\n"
            "3. No marriage of girls: a minimum age of eighteen."
        ),
        "background_ar": (
            "تنص المادة 41 على أن العراقيين أحرار في الالتزام بأحوالهم الشخصية حسب دياناتهم أو "
            "مذاهبهم أو معتقداتهم أو اختياراتهم. ومنذ 2005 تحذّر المنظمات النسوية من أنها "
            "تمهّد لتفكيك قانون 1959، وهو ما حدث بتعديل قانون الأحوال الشخصية عام 2025."
        ),
        "background_en": (
            "Article 41 states that Iraqis are free in their commitment to their personal "
            "status according to their religions, sects, beliefs or choices. Since 2005 "
            "women's organisations have warned that it prepares the dismantling of the 1959 "
            "law — as the 2025 amendment to the Personal Status Law went on to do."
        ),
        "issue_ar": "أحوال شخصية طائفية تنتقص من حقوق النساء",
        "issue_en": "Sect-based personal status rules that take rights away from women",
        "targets": [
            ("لجنة التعديلات الدستورية في مجلس النواب", "Constitutional Amendments Committee "
             "of the Council of Representatives", "لجنة برلمانية", "Parliamentary committee"),
            ("لجنة المرأة والأسرة والطفولة في مجلس النواب", "Committee on Women, Family and "
             "Childhood of the Council of Representatives", "لجنة برلمانية",
             "Parliamentary committee"),
        ],
        "events": [
            (14, "ندوة: خمسة وستون عاماً على قانون 188", "Seminar: sixty-five years of Law 188",
             "الحلة", "Hillah"),
        ],
        "updates": [],
        "documents": ["ملصق حملة مناهضة العنف الأسري"],
        "posts": ["بيان: قانون الحماية من العنف الأسري لا يحتمل التأجيل"],
    },
    {
        "slug": "union-of-human-rights-defenders",
        "status": S.REVIEW,
        "proposer": "admin.erbil",
        "leads": ["citadel-human-rights-observatory", "halabja-survivors-voice"],
        "partners": ["tokyo-press-freedom-circle"],
        "identified_by": ["citadel-human-rights-observatory", "sulaymaniyah-free-press-collective"],
        "themes": ["human-rights-defenders"],
        "title_ar": "اتحاد للمدافعين عن حقوق الإنسان",
        "title_en": "A union of human rights defenders",
        "summary_ar": (
            "المدافعون والمدافعات عن حقوق الإنسان يواجهون التهديد وحدهم. نقترح اتحاداً يجمعهم، "
            "بصندوق طوارئ وشبكة محامين وآلية إنذار مبكر."
        ),
        "summary_en": (
            "Human rights defenders face threats alone. We propose a union that brings them "
            "together, with an emergency fund, a network of lawyers and an early-warning system."
        ),
        "demands_ar": (
            "1. اعتراف رسمي بالمدافعين عن حقوق الإنسان وبحقهم في الحماية.\n"
            "2. تحقيق مستقل وعلني في كل اعتداء على مدافع أو صحفي.\n"
            "3. صندوق طوارئ يديره الاتحاد لنقل المهددين وعائلاتهم."
        ),
        "demands_en": (
            "1. Official recognition of human rights defenders and of their right to "
            "protection.\n"
            "2. An independent, public investigation of every attack on a defender or "
            "journalist.\n"
            "3. An emergency fund, run by the union, to relocate those at risk and their "
            "families."
        ),
        "background_ar": "",
        "background_en": "",
        "issue_ar": "تهديد المدافعين والصحفيين وغياب الحماية",
        "issue_en": "Threats to defenders and journalists, and no protection",
        "targets": [
            ("المفوضية العليا لحقوق الإنسان", "High Commission for Human Rights",
             "مجلس المفوضين", "Board of commissioners"),
        ],
        "events": [],
        "updates": [],
        "documents": ["Documenting violations safely: a short guide"],
        "posts": [],
    },
    {
        "slug": "youth-in-decision-making",
        "status": S.OPEN,
        "days_open": 20,
        "proposer": "admin.nineveh",
        "leads": ["nineveh-youth-for-coexistence"],
        "partners": ["andes-youth-solidarity-network", "rhine-peace-education-institute"],
        "identified_by": [
            "nineveh-youth-for-coexistence",
            "najaf-university-students-union",
            "dhi-qar-peace-builders",
        ],
        "themes": ["youth", "peace-building"],
        "title_ar": "الشباب في صنع القرار",
        "title_en": "Youth in decision making",
        "summary_ar": (
            "أكثر من نصف العراقيين دون الخامسة والعشرين، لكن صوتهم غائب عن المجالس التي تقرر "
            "مستقبلهم. نطالب بمقاعد ومجالس استشارية للشباب في كل محافظة."
        ),
        "summary_en": (
            "More than half of Iraqis are under twenty-five, yet their voice is missing from "
            "the councils that decide their future. We call for seats and youth advisory "
            "councils in every governorate."
        ),
        "demands_ar": (
            "1. مجلس استشاري للشباب في كل مجلس محافظة، بأعضاء منتخبين من الاتحادات الطلابية "
            "والمنظمات الشبابية.\n"
            "2. نشر موازنات المحافظات المخصصة للشباب ومناقشتها علناً.\n"
            "3. حماية حق الطلبة في التنظيم داخل الجامعات."
        ),
        "demands_en": (
            "1. A youth advisory council in every provincial council, with members elected by "
            "student unions and youth organisations.\n"
            "2. Provincial budgets for youth published and discussed in public.\n"
            "3. Students' right to organise on campus protected."
        ),
        "background_ar": (
            "بعد احتجاجات تشرين 2019 وعدت الحكومات المتعاقبة بإشراك الشباب، لكن الوعود لم "
            "تتحول إلى مؤسسات. جمعت منظماتنا في نينوى والنجف وذي قار مقترحات من أكثر من ألف "
            "شاب وشابة."
        ),
        "background_en": (
            "After the October 2019 protests, successive governments promised to involve young "
            "people, but the promises never became institutions. Our organisations in Nineveh, "
            "Najaf and Dhi Qar gathered proposals from more than a thousand young people."
        ),
        "issue_ar": "غياب الشباب عن المجالس التي تقرر مستقبلهم",
        "issue_en": "Young people absent from the councils that decide their future",
        "targets": [
            ("مجلس محافظة نينوى", "Nineveh Provincial Council", "رئيس المجلس",
             "Chair of the council"),
            ("وزارة الشباب والرياضة", "Ministry of Youth and Sports", "الوزير", "The minister"),
        ],
        "events": [
            (7, "منتدى الشباب في الموصل", "Youth forum in Mosul", "الموصل", "Mosul"),
        ],
        "updates": [
            (5, "أول مجلس شبابي تجريبي في الموصل", "A first pilot youth council in Mosul",
             "وافق مجلس محافظة نينوى على تجربة مجلس شبابي استشاري لمدة ستة أشهر.",
             "Nineveh's provincial council agreed to a six-month pilot youth advisory council."),
        ],
        "documents": [],
        "posts": [],
    },
]  # fmt: skip


def _by_slug(model, slugs: list[str]) -> list:
    found = {obj.slug: obj for obj in model.objects.filter(slug__in=slugs)}
    return [found[slug] for slug in slugs if slug in found]


def _person(local: str):
    return User.objects.filter(email=f"{local}@{DOMAIN}").first()


def seed(stdout=None) -> None:
    with transaction.atomic():
        made = [_seed_one(spec) for spec in CAMPAIGNS]
    made = [campaign for campaign in made if campaign is not None]
    if stdout is not None:
        stdout.write(f"campaigns: {len(made)} campaigns.")


def _seed_one(spec: dict) -> Campaign | None:
    leads = _by_slug(Organisation, spec["leads"])
    if not leads:
        return None  # the demo organisations are not there: nothing to lead it
    now = timezone.now()
    texts = {
        f"{field}_{code}": spec[f"{field}_{code}"]
        for field in Campaign.BILINGUAL_FIELDS
        for code in ("ar", "en")
    }
    opened = now - timedelta(days=spec["days_open"]) if "days_open" in spec else None
    closed = now - timedelta(days=spec["days_closed"]) if "days_closed" in spec else None
    campaign, _created = Campaign.objects.update_or_create(
        slug=spec["slug"],
        defaults={
            **texts,
            "status": spec["status"],
            "proposed_by": _person(spec["proposer"]),
            "opened_at": opened,
            "closed_at": closed,
        },
    )
    campaign.lead_organisations.set(leads)
    campaign.partner_organisations.set(_by_slug(Organisation, spec["partners"]))
    campaign.identified_by.set(_by_slug(Organisation, spec["identified_by"]))
    campaign.themes.set(_by_slug(Theme, spec["themes"]))
    campaign.toolkit.set(Document.objects.filter(title__in=spec["documents"]))
    campaign.posts.set(Post.objects.filter(title__in=spec["posts"]))

    campaign.targets.all().delete()
    for name_ar, name_en, role_ar, role_en in spec["targets"]:
        Target.objects.create(
            campaign=campaign, name_ar=name_ar, name_en=name_en, role_ar=role_ar, role_en=role_en
        )
    campaign.events.all().delete()
    for days, title_ar, title_en, place_ar, place_en in spec["events"]:
        CampaignEvent.objects.create(
            campaign=campaign,
            title_ar=title_ar,
            title_en=title_en,
            place_ar=place_ar,
            place_en=place_en,
            starts_at=timezone.localtime(now + timedelta(days=days)).replace(
                hour=10, minute=0, second=0, microsecond=0
            ),
        )
    campaign.updates.all().delete()
    author = _person(spec["proposer"])
    for days, title_ar, title_en, body_ar, body_en in spec["updates"]:
        update = CampaignUpdate.objects.create(
            campaign=campaign,
            author=author,
            title_ar=title_ar,
            title_en=title_en,
            body_ar=body_ar,
            body_en=body_en,
        )
        CampaignUpdate.objects.filter(pk=update.pk).update(published=now - timedelta(days=days))
    campaign.reviews.all().delete()
    coordinator = _person("coordinator")
    if opened is not None and coordinator is not None:
        review = CampaignReview.objects.create(
            campaign=campaign,
            reviewer=coordinator,
            decision=CampaignReview.Decision.APPROVE,
            comment="",
        )
        CampaignReview.objects.filter(pk=review.pk).update(created=opened)
    # Dates as if the campaign had been written before it opened.
    Campaign.objects.filter(pk=campaign.pk).update(created=(opened or now) - timedelta(days=14))
    return campaign
