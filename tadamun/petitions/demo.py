"""Demo petitions (seed_demo, after the campaigns): the coalition's first international
petition — freedom of association and the NGO law — open, shared by a partner, with confirmed
signatures from Iraq's governorates and abroad (some online, a counted paper batch), a few
still waiting for confirmation; and the delivered petition against Resolution 150 with the
ministry's answer. Idempotent: a petition already there is left as it is."""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tadamun.campaigns.models import Campaign
from tadamun.organisations.models import Governorate
from tadamun.petitions.models import Partner, Petition, Signature
from tadamun.petitions.tally import forget, tally_add

FIRST_NAMES = ["زينب", "علي", "نور", "حسين", "سارة", "مصطفى", "ريم", "كاوە", "شيلان", "يوسف"]
LAST_NAMES = ["الحسيني", "الجبوري", "عبد الله", "محمد", "كريم", "رشيد", "صالح", "حمە"]
ABROAD = ["GB", "DE", "FR", "SE", "NO", "US", "CA", "TN", "LB", "JO", "NL", "IT"]

PETITIONS = [
    {
        "campaign": "freedom-of-association-ngo-law",
        "slug": "protect-freedom-of-association-iraq",
        "status": Petition.Status.OPEN,
        "title_ar": "احموا حرية التنظيم في العراق: لا لقانون يقيّد المنظمات غير الحكومية",
        "title_en": "Protect freedom of association in Iraq: no to a law that restricts NGOs",
        "text_ar": (
            "نحن الموقعين أدناه نطالب مجلس النواب العراقي والحكومة بما يلي:\n\n"
            "1. سحب التعديلات المقترحة على قانون المنظمات غير الحكومية رقم 12 لسنة 2010 التي "
            "تفرض موافقة مسبقة على النشاطات والتمويل.\n"
            "2. ضمان حق المنظمات والنقابات في التسجيل خلال ثلاثين يوماً، والطعن أمام القضاء في "
            "أي رفض.\n"
            "3. وقف ملاحقة المدافعين عن حقوق الإنسان بسبب عملهم السلمي.\n\n"
            "حرية التنظيم مكفولة في المادة 39 من الدستور وفي العهد الدولي الخاص بالحقوق "
            "المدنية والسياسية الذي صادق عليه العراق."
        ),
        "text_en": (
            "We, the undersigned, call on the Iraqi Council of Representatives and the "
            "government to:\n\n"
            "1. Withdraw the proposed amendments to NGO Law No. 12 of 2010 that would require "
            "prior approval of activities and funding.\n"
            "2. Guarantee the right of organisations and unions to register within thirty days, "
            "with an appeal to the courts against any refusal.\n"
            "3. Stop prosecuting human-rights defenders for their peaceful work.\n\n"
            "Freedom of association is guaranteed by Article 39 of the Constitution and by the "
            "International Covenant on Civil and Political Rights, which Iraq has ratified."
        ),
        "lead_consent_ar": "أريد أن أتلقى أخبار الحملة من المنظمات القائدة.",
        "lead_consent_en": "I want news of the campaign from the lead organisations.",
        "goal": 1000,
        "signatures": 1340,
        "pending": 25,
        "paper": 180,
        "days_open": 24,
    },
    {
        "campaign": "workers-right-to-organise-law-150",
        "slug": "abolish-resolution-150",
        "status": Petition.Status.ANSWERED,
        "title_ar": "ألغوا القرار 150: حق العمال في القطاع العام بالتنظيم النقابي",
        "title_en": "Abolish Resolution 150: public-sector workers' right to organise",
        "text_ar": (
            "نطالب بإلغاء قرار مجلس قيادة الثورة المنحل رقم 150 لسنة 1987 الذي حرم عمال "
            "القطاع العام من حقهم في تأسيس النقابات والانتماء إليها، وبإقرار قانون للتنظيم "
            "النقابي يتوافق مع اتفاقيتي منظمة العمل الدولية 87 و98."
        ),
        "text_en": (
            "We call for the abolition of Resolution 150 of 1987 of the dissolved Revolutionary "
            "Command Council, which took away public-sector workers' right to form and join "
            "unions, and for a trade union law in line with ILO Conventions 87 and 98."
        ),
        "lead_consent_ar": "أريد أن أتلقى أخبار الحملة من النقابات القائدة.",
        "lead_consent_en": "I want news of the campaign from the lead unions.",
        "goal": 500,
        "signatures": 860,
        "pending": 0,
        "paper": 0,
        "days_open": 120,
        "response_ar": (
            "أحالت لجنة العمل والخدمات الاجتماعية في مجلس النواب العريضة إلى الحكومة وأعلنت "
            "جلسة استماع للنقابات خلال الدورة القادمة."
        ),
        "response_en": (
            "The parliament's Committee on Labour and Social Services referred the petition to "
            "the government and announced a hearing for the unions in its next session."
        ),
    },
]


def seed(stdout=None) -> None:
    made = 0
    for spec in PETITIONS:
        campaign = Campaign.objects.filter(slug=spec["campaign"]).first()
        if campaign is None or Petition.objects.filter(slug=spec["slug"]).exists():
            continue
        with transaction.atomic():
            _seed_one(campaign, spec)
        made += 1
    if stdout is not None:
        stdout.write(f"petitions: {made} petitions.")


def _seed_one(campaign: Campaign, spec: dict) -> None:
    now = timezone.now()
    opened = now - timedelta(days=spec["days_open"])
    petition = Petition.objects.create(
        campaign=campaign,
        slug=spec["slug"],
        status=spec["status"],
        opened_at=opened,
        closed_at=None if spec["status"] == Petition.Status.OPEN else now - timedelta(days=30),
        delivered_at=None if spec["status"] == Petition.Status.OPEN else now - timedelta(days=20),
        responded_at=now - timedelta(days=5) if spec.get("response_en") else None,
        **{
            key: spec.get(key, "")
            for key in (
                "title_ar",
                "title_en",
                "text_ar",
                "text_en",
                "lead_consent_ar",
                "lead_consent_en",
                "response_ar",
                "response_en",
            )
        },
        goal=spec["goal"],
    )
    partner = None
    partner_org = campaign.partner_organisations.order_by("pk").first()
    if partner_org is not None:
        partner = Partner.objects.create(
            petition=petition,
            organisation=partner_org,
            slug=partner_org.slug[:80],
            consent_ar="أريد أن أتلقى أخبار هذه المنظمة الشريكة.",
            consent_en="I want news from this partner organisation.",
        )
    rng = random.Random(spec["slug"])  # noqa: S311 (demo data)
    governorates = list(Governorate.values)
    weights = [
        6 if code == "baghdad" else 3 if code in ("basra", "erbil", "nineveh") else 1
        for code in governorates
    ]
    signatures = []
    for n in range(spec["signatures"] + spec["pending"]):
        pending = n >= spec["signatures"]
        iraq = rng.random() < 0.8
        country = "IQ" if iraq else rng.choice(ABROAD)
        governorate = rng.choices(governorates, weights)[0] if iraq else ""
        email = f"signer{n}.{spec['slug'][:12]}@demo.tadamun.example"
        created = opened + timedelta(seconds=rng.randrange(int((now - opened).total_seconds())))
        signatures.append(
            Signature(
                petition=petition,
                partner=partner if partner and rng.random() < 0.25 else None,
                name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                show_name=rng.random() < 0.4,
                email=email,
                email_normalised=email,
                country=country,
                governorate=governorate,
                consent_lead=rng.random() < 0.5,
                language="ar" if iraq else "en",
                state=Signature.State.PENDING if pending else Signature.State.CONFIRMED,
                token_hash=hashlib.sha256(f"demo-{n}".encode()).hexdigest() if pending else "",
                confirmed_at=None if pending else min(created + timedelta(minutes=7), now),
            )
        )
    Signature.objects.bulk_create(signatures, batch_size=500)
    # created is auto_now_add: spread it over the weeks the petition has been open.
    for signature in Signature.objects.filter(petition=petition, state="confirmed"):
        Signature.objects.filter(pk=signature.pk).update(created=signature.confirmed_at)
        tally_add(
            petition_id=petition.pk,
            partner_id=signature.partner_id,
            country=signature.country.code,
            governorate=signature.governorate,
            source=Signature.Source.ONLINE,
        )
    if spec["paper"]:
        tally_add(
            petition_id=petition.pk,
            partner_id=None,
            country="IQ",
            governorate="basra",
            source=Signature.Source.PAPER,
            delta=spec["paper"],
        )
        petition.paper_batches.create(
            counted=spec["paper"],
            country="IQ",
            governorate="basra",
            note="Sheets signed at the Basra workers' gathering (demo).",
        )
    forget(petition)
