"""Word lists for bench/search.py: the vocabulary of Iraqi civil society in Arabic and English,
with what the generator needs to inflect each word.

Arabic words are written in their dictionary (indefinite, singular) form, grouped by how they
inflect; the generator adds the article and the proclitics (و ف ب ك ل ال وال بال كال فال لل),
the suffixes (ات ون ين ان ة and the pronouns ها هم), and the spelling variants people really
write (hamza seats, ة/ه, ى/ي, tashkeel, tatweel, Arabic-Indic digits). Besides this hand-written
list, ROOTS × PATTERNS derive a long tail of real words (فاعل، مفعول، تفعيل، مفاعلة، …) so
that the vocabulary has thousands of stems and queries a realistic range of selectivity.

Words come roughly most frequent first: the generator draws them with a Zipf-like law on this
order (hand-written lists first, then the derived tail).
"""


def _split(text: str) -> list[str]:
    return text.split()


# Feminine nouns in ة: plural ات (ة dropped), before a pronoun ة is written ت (منظمتها).
AR_FEMININE = _split(
    """
نقابة منظمة حرية مساواة حكومة سياسة قضية مشكلة أزمة حملة مبادرة مشاركة مطالبة مظاهرة
جمعية شبكة هيئة لجنة مؤسسة مدرسة جامعة دولة مدينة محافظة منطقة قرية عدالة كرامة حماية
رعاية صحة بيئة ثقافة تنمية ديمقراطية مواطنة شراكة مساعدة منحة ورشة دورة ندوة دراسة وثيقة
اتفاقية معاهدة مفاوضة رسالة مقالة عريضة وقفة مسيرة أغلبية أقلية حصة ميزانية ضريبة بطالة
شركة صناعة زراعة تجارة خدمة طاقة إدارة قيادة مسؤولية حوكمة شفافية نزاهة رقابة محكمة عقوبة
جريمة ضحية عائلة أسرة طفولة أمومة إعاقة هجرة عودة حاجة فرصة مهنة وظيفة مهارة شهادة تجربة
خبرة مرحلة خطة استراتيجية آلية أولوية حركة ثورة انتفاضة معارضة سلطة أمانة عضوية رئاسة
ساحة جلسة قاعدة صفحة منصة تقنية أداة خصخصة مفوضية نقطة قائمة لائحة مذكرة دعوة حديقة
مكتبة إذاعة قناة صحيفة مجلة مطبعة جريدة
"""
)

# Agent nouns and participles: ون/ين (men), ة (a woman), ات (women), ان (two).
AR_AGENTS = _split(
    """
عامل موظف مدافع ناشط معلم مواطن مهندس مشارك متطوع مراقب مستشار منسق مدير مسؤول مفاوض محتج
متظاهر معتصم مدرس مزارع منتج مستهلك مستفيد ممثل مرشح مترجم مصور باحث مختص مدرب مشرف منظم
مستقل معتقل مختطف مهجر نازح لاجئ مهاجر عاطل متقاعد مؤسس مبرمج محاسب مخرج مسعف ممرض مفتش
"""
)

# Nouns with a plural in ات or none: the pronouns go straight on (قانونها).
AR_NOUNS = _split(
    """
قانون تنظيم اجتماع انتخاب مؤتمر اتحاد مجلس برلمان دستور قرار مشروع برنامج تقرير بيان إضراب
اعتصام احتجاج تضامن تمويل دعم تدريب تعليم عمل راتب عقد سكن نقل اقتصاد مجتمع شعب وطن سلام
أمن عنف تمييز تحرش فساد إصلاح تغيير نضال حوار تفاوض اتفاق تعاون تواصل تحالف إعلام موقع
حساب تصريح مطلب مستقبل تاريخ واقع نظام مكتب مركز مصنع معمل قطاع مجال ملف دور إنجاز نشاط
تحقيق تقييم تخطيط تطوير تمكين تأهيل توظيف تشغيل تقاعد ضمان تأمين استثمار إنتاج استهلاك
توزيع تعويض حزب صوت رأي خطاب مقترح تعديل إلغاء اعتقال اختطاف تهديد إنذار مرصد تحقق حراك
مسار إطار مؤشر تمثيل تصويت اقتراع ترشيح إعلان تقدم تراجع انتهاك اعتداء احترام التزام
"""
)

# Relative adjectives in ي: ية, يون, يين, يات.
AR_NISBA = _split(
    """
مدني اجتماعي اقتصادي سياسي عراقي نقابي ديمقراطي إنساني قانوني شعبي دولي وطني محلي إقليمي
عربي كردي نسوي بيئي صحي تعليمي ثقافي دستوري رسمي حكومي عمالي مهني جماعي فردي سلمي يومي
شهري سنوي أساسي رئيسي إلكتروني رقمي زراعي صناعي نفطي تجاري مالي إداري قضائي أمني عسكري
طائفي ديني علماني شبابي نسائي طلابي ريفي حضري جنسي إعلامي حقوقي تطوعي إغاثي
"""
)

# Broken plurals, irregular words, loan words, names: proclitics only (and rarely a pronoun).
AR_INVARIANT = _split(
    """
حقوق أجور شؤون أعضاء نساء امرأة شباب أطفال رجال عمال قوانين مطالب ظروف موارد مياه كهرباء
إنسان حق حرب أرض نفط غاز خبز دواء غذاء تكنولوجيا إنترنت فيسبوك كورونا بروتوكول فيديو
"""
)

# Places and people (no article is added; the ones that have it carry it).
AR_NAMES = _split(
    """
بغداد البصرة الموصل أربيل السليمانية كركوك النجف كربلاء الناصرية الأنبار ديالى دهوك حلبجة
العراق كوردستان الفلوجة سنجار العمارة الكوت الحلة سامراء تكريت بعقوبة
علي محمد حسين فاطمة زينب مريم أحمد عباس نور هدى سارة يوسف
"""
)

# Sound triliteral roots (no weak letter, no doubled radical) for the derived tail.
ROOTS = _split(
    """
كتب عمل نظم شرك قدم فرق طلب جمع عرض نشر حكم عدل سلم شعب درس علم صنع زرع نقل حمل رفض
قبل نصر كسب خسر فتح غلق سجل حفظ نقد حذر حضر غلب سكن ركب دفع رفع منع قطع وقف خرج دخل
شغل فصل نقص زحم جلس حسب صرف ربح سرق هرب قتل ضرب سحب طرد سجن حبس عزل حرق غرق كشف فحص
رصد نجح شرح بحث نفذ مثل قرر صدر ورد بدل عبر فكر ذكر شكر حرم نهب خطف قصف ظلم رحم بلغ
سمع لمس عقد نقض حسم خطط سلح جند حشد نظف صلح فسد كسر جرح علج مرض خدم نقب رشح فرض نفق
جرم طبع نسخ وصف عزم شرط ضبط ربط رسم قسم حصل سبق لحق سفر هجر نزح سكت
"""
)

# Patterns: C1 C2 C3 stand for the radicals; the class says how the word inflects.
PATTERNS = (
    ("1ا23", "agent"),  # فاعل
    ("م12و3", "agent"),  # مفعول
    ("ت12ي3", "noun"),  # تفعيل
    ("م1ا23ة", "feminine"),  # مفاعلة
    ("است12ا3", "noun"),  # استفعال
    ("م123", "noun"),  # مفعل
    ("م123ة", "feminine"),  # مفعلة
    ("12ا3ة", "feminine"),  # فعالة
    ("12ي3", "agent"),  # فعيل
    ("ت1ا23", "noun"),  # تفاعل
    ("م1ت23", "agent"),  # مفتعل (the ت of افتعل, for roots where it is regular)
    ("ا1ت2ا3", "noun"),  # افتعال
    ("123ي", "nisba"),  # فعلي
    ("ان12ا3", "noun"),  # انفعال
)
# Radicals before which افتعل changes its ت (اضطراب، ازدحام، ادّعاء…): those patterns are skipped.
IFTAAL_IRREGULAR = set("صضطظدذزوي")

AR_FUNCTION_WORDS = _split(
    """
في من على إلى عن مع أن التي الذي هذا هذه كان قد لا ما بين حول ضد كل أو ثم حتى لكن بعد قبل
عند خلال منذ لدى هناك هو هي نحن هم إن كما أيضا غير بعض ذلك تلك الذين إذا لم لن
"""
)

AR_COLLOCATIONS = """
المجتمع المدني
حقوق الإنسان
حرية التعبير
حرية التنظيم
الحق في التنظيم
الحد الأدنى للأجور
المفاوضة الجماعية
العمل النقابي
المساواة بين الجنسين
العنف ضد المرأة
الضمان الاجتماعي
الخدمات العامة
القطاع العام
القطاع الخاص
خصخصة الكهرباء
بناء السلام
العدالة الانتقالية
المدافعين عن حقوق الإنسان
منظمات المجتمع المدني
قانون العمل
قانون التنظيم النقابي
الحريات النقابية
التغير المناخي
شحة المياه
النازحين داخليا
حق الإضراب
الأمم المتحدة
منظمة العمل الدولية
إقليم كوردستان
مجلس النواب
الانتخابات المبكرة
حرية الصحافة
التمكين الاقتصادي للمرأة
مشاركة الشباب
العمال المهاجرين
""".strip().splitlines()

# English: (the words of one family, most frequent first) — a query uses any of them.
EN_FAMILIES = """
union unions unionist unionists unionised unionized
organise organised organises organising organize organized organizing
organisation organisations organization organizations
worker workers working work works worked
right rights
freedom freedoms free freely
equality equal equally inequality
woman women
youth youths young
peace peaceful peacefully
defender defenders defend defended defending
privatisation privatization privatise privatised privatize privatized
law laws legal legally
strike strikes striking striked
wage wages
protest protests protested protesting protester protesters
labour labor labourers
society societies social socially
civil civic
government governments governmental govern governed
election elections elect elected electoral
parliament parliamentary parliaments
constitution constitutional
justice just injustice
violence violent violently
discrimination discriminate discriminated discriminatory
corruption corrupt corrupted
reform reforms reformed reforming
campaign campaigns campaigned campaigning
solidarity solidary
employment employ employed employer employers employee employees unemployment unemployed
education educate educated educational
health healthy healthcare
environment environmental environmentally
water
electricity electric electrical
displacement displaced displace
refugee refugees
journalist journalists journalism
press
meeting meetings meet met
conference conferences
report reports reported reporting
statement statements
member members membership
network networks networking
community communities
demand demands demanded demanding
negotiation negotiations negotiate negotiated negotiating
agreement agreements agree agreed
""".strip().splitlines()

# Plain English lemmas: nouns (n), verbs (v), adjectives (a); regular inflection.
EN_NOUNS = _split(
    """
activist association budget capacity centre citizen coalition committee company condition
contract council court crisis decision democracy development dialogue document economy effort
factory family farmer federation fund funding gender group hospital housing income institution
interview issue job leader leadership level march minister ministry movement need nurse office
oil participation partner partnership pension petition plan platform policy poverty power
programme project province reconstruction region resource salary school sector security service
skill strategy student support teacher training transparency trust vote volunteer week year
accountability advocacy agenda aid allowance authority ban benefit border cabinet candidate
charity children city class climate colleague complaint compensation cost crime culture danger
debt deputy detention director district doctor donor drought duty engineer equipment evidence
expert farm fee festival field flood food force forum future governor grant harassment heat
history identity income infrastructure inspector investigation journalist judge land leaflet
lecture lesson letter license loan majority market media message migrant minority mission
mobilisation monitor mother neighbourhood newspaper observer official opportunity opposition
owner party people photo police population port practice president price prison procedure
profession protection province quota radio rate region relief rent representative research
retirement revenue risk road rule safety schedule shelter shift shortage speech staff standard
station survey tax technology tender threat town trade tradition transport treaty trial
university village wall website welfare workshop
"""
)
EN_VERBS = _split(
    """
call support demand join launch hold sign submit publish train monitor document defend protect
attend vote elect strike march gather raise collect fund build repair reopen close ban arrest
release detain threaten attack condemn welcome reject accept discuss debate propose amend adopt
implement review investigate report record share respond visit meet plan prepare organise
mobilise register represent negotiate settle pay cut increase reduce hire dismiss recruit
"""
)
EN_ADJECTIVES = _split(
    """
public private national local regional international independent collective fair decent safe
minimum basic economic political legal urgent peaceful democratic transparent accountable
social cultural rural urban human new old main open closed direct digital online annual monthly
daily weekly early late strong weak poor rich equal free young
"""
)

EN_FUNCTION_WORDS = _split(
    """
the of and to in for on with is are we our their by from that this will has have as at be it
was were not all its they an which who but more been also after about into over than
"""
)

EN_COLLOCATIONS = """
civil society
human rights
freedom of expression
freedom of association
right to organise
minimum wage
collective bargaining
trade union
trade unions
gender equality
violence against women
social security
public services
public sector
private sector
peace building
transitional justice
human rights defenders
labour law
climate change
water scarcity
internally displaced people
right to strike
United Nations
International Labour Organisation
Kurdistan Region
early elections
press freedom
economic empowerment of women
youth participation
migrant workers
""".strip().splitlines()

# Latin-script words that turn up in Arabic posts.
MIXED_IN_ARABIC = _split(
    """
NGO NGOs ILO UN COVID-19 Facebook WhatsApp Telegram online workshop PDF email hashtag UNDP
UNICEF IOM ITUC GFIU IFJ ITUC-AR
"""
)

# The words of the issue: the most frequent of the hand-written list.
CORE = _split("نقابة عامل منظمة حرية تنظيم قانون مساواة امرأة شباب سلام حقوق مدافع خصخصة")
