"""Petition signing under load: signing, confirming and reading the counter at the same time on
PostgreSQL, gunicorn and wrk on loopback — with no signature lost or duplicated and every
confirmation e-mail at the sink.

    .venv/bin/python bench/petitions.py        # server postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/petitions.py --database-url postgres://postgres@127.0.0.1:5432/postgres
        # a throw-away database is created on that server (and dropped afterwards)
    .venv/bin/python bench/petitions.py --seconds 30 --workers 5 --connections 4 --task-workers 2
    .venv/bin/python bench/petitions.py --rate 100 --read-rate 50   # fixed rates (wrk2-style)
    .venv/bin/python bench/petitions.py --keep  # keep the database, the logs and the ledger

The mark: the UK Parliament petitions site's record was about 2,000 confirmed signatures a
minute (~33 a second; it went down under that load in 2019); the aim here is 20 times that,
660 signatures a second signed and confirmed, with the counter pages read at the same time.

The site runs as in production: `gunicorn tadamun.wsgi` (--workers sync workers) with DEBUG=0,
a throw-away PostgreSQL database (migrated here), Redis (REDIS_URL, an empty database number of
the local server: rate limits and cached counts), DB_CONN_MAX_AGE=60, and --task-workers
`manage.py db_worker` processes that send the confirmation e-mails (the petitions outbox)
over SMTP to a sink on loopback (bench/petitions_sink.py, aiosmtpd in its own process, which
writes the confirmation link of every message to a ledger). Every request comes from
127.0.0.1, so the signing rate limits are raised through PETITION_RATE_LIMITS. The load comes
from wrk (Debian package `wrk`) with Lua scripts, one connection per wrk thread:
bench/petitions_sign.lua (a new address each time, random country, Iraqi governorate,
language, some through a partner's page), bench/petitions_confirm.lua (POSTs each link of the
ledger once, reading new links as they arrive) and bench/petitions_read.lua (the petition's
page and its widget). One CSRF cookie + token pair and one form timestamp are fetched once
with a GET and reused by every request.

Phases: warm-up; pre-signing (signing alone: its rate, and a pool of confirmation links);
the measured phase (--seconds): signing + confirming + reading at the same time, as fast as
the machine answers (or at --rate/--read-rate); then the drain: until the outbox is empty and
the sink has a message for every signature. Then the check, in the database and at the sink:
every signing POST answered 302 → check-your-email is exactly one Signature row (and no row
without one), no duplicate address, every confirming POST answered 302 → confirmed is a
CONFIRMED signature, the tallies' total equals the confirmed rows, and every signature got
exactly one e-mail at the sink. Latencies are per request, timed in the Lua scripts (wrk's own
percentiles per wrk process are printed too). Last, with the load stopped, each kind of
request is timed alone in-process (Django's test client: median, SQL queries and their time),
the petition's page piece by piece, and a signing POST under cProfile.

All of it shares the machine's cores: the figures are those of the whole stack on one small
machine, load generator included, not of a tuned deployment.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from benchlib import free_port, process_tree, stop_process, wait_port

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable
MANAGE = str(ROOT / "manage.py")
sys.path.insert(0, str(ROOT))

UK_RECORD_PER_SECOND = 2000 / 60
AIM = 660
SLUG = "bench-clean-water"
PARTNER_SLUG = "bench-partner"
DOMAINS = ("example.org", "example.com", "example.net")
RAISED_LIMITS = {"address": [10**9, 600], "network": [10**9, 600], "domain": [10**9, 600]}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

PETITION_TEXT_EN = """We, the undersigned, ask the **Ministry of Water Resources** and the
governorate councils to:

1. repair the water treatment plants of Basra, Dhi Qar and Maysan within one year;
2. publish the results of every water test, every month, for every district;
3. stop cutting the water of families who cannot pay during the summer months.

Clean water is a right, not a favour. In the summer of 2018 more than 100,000 people were
taken to hospital after drinking the water of the Shatt al-Arab. Nothing has been repaired
since; the plants still run without chlorine for weeks at a time.
"""
PETITION_TEXT_AR = """نحن الموقعين أدناه نطالب **وزارة الموارد المائية** ومجالس المحافظات بما يلي:

1. إصلاح محطات معالجة المياه في البصرة وذي قار وميسان خلال سنة واحدة؛
2. نشر نتائج كل فحص للمياه، كل شهر، لكل قضاء؛
3. التوقف عن قطع المياه عن العائلات التي لا تستطيع الدفع في أشهر الصيف.

المياه النظيفة حق وليست منّة. في صيف 2018 نُقل أكثر من مئة ألف شخص إلى المستشفيات بعد شرب
مياه شط العرب. لم يُصلح شيء منذ ذلك الحين، وما زالت المحطات تعمل أسابيع من دون كلور.
"""


def progress(message: str) -> None:
    print(f"  {message}", flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


# --------------------------------------------------------------------------- CPU accounting


def _ticks(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            stat = fh.read()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _machine_ticks() -> tuple[int, int, int]:
    """(busy, stolen, total) ticks of all CPUs since boot; `stolen`: taken by the hypervisor
    for other machines."""
    with open("/proc/stat") as fh:
        values = [int(v) for v in fh.readline().split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return total - idle, values[7], total


def _backends_of(database: str) -> list[int]:
    """PostgreSQL backends serving `database` (their command line names it)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmd = fh.read()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if cmd.startswith(b"postgres: ") and f" {database} ".encode() in cmd:
            found.append(int(entry))
    return found


class CpuSampler:
    """CPU seconds used by groups of processes while it runs: every `interval` seconds the
    utime+stime of each process of each group is read; a process's share is its last reading
    minus its first (0 for one that appeared meanwhile), so processes that come and go (a
    PostgreSQL backend) are counted as long as they were seen."""

    def __init__(self, groups: dict, interval: float = 0.5) -> None:
        self.groups = groups
        self.interval = interval
        self.first: dict[tuple[str, int], int] = {}
        self.last: dict[tuple[str, int], int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self, *, initial: bool = False) -> None:
        for name, pids in self.groups.items():
            for pid in pids():
                ticks = _ticks(pid)
                if ticks is None:
                    continue
                key = (name, pid)
                if key not in self.first:
                    self.first[key] = ticks if initial else 0
                self.last[key] = ticks

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self):
        self.machine_start = _machine_ticks()
        self.started = time.monotonic()
        self.sample(initial=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sample()
        self.seconds = time.monotonic() - self.started
        busy0, stolen0, total0 = self.machine_start
        busy1, stolen1, total1 = _machine_ticks()
        self.machine_busy = (busy1 - busy0) / max(total1 - total0, 1)
        self.machine_stolen = (stolen1 - stolen0) / max(total1 - total0, 1)

    def cores(self) -> dict[str, float]:
        """Average cores used by each group over the sampled time."""
        used: dict[str, float] = dict.fromkeys(self.groups, 0.0)
        for (name, pid), last in self.last.items():
            used[name] += (last - self.first[(name, pid)]) / CLOCK_TICKS
        return {name: used[name] / self.seconds for name in self.groups}


# --------------------------------------------------------------------------- the site


@dataclass
class Site:
    """The processes under test and what the load generator needs to know."""

    workdir: Path
    env: dict
    port: int
    sink_port: int
    ledger: Path
    pg_name: str
    procs: dict[str, list[subprocess.Popen]] = field(default_factory=dict)

    def spawn(self, group: str, args: list[str], log: str) -> subprocess.Popen:
        out = open(self.workdir / log, "ab")  # noqa: SIM115 (kept open for the child's life)
        proc = subprocess.Popen(
            args,
            env=self.env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.setdefault(group, []).append(proc)
        return proc

    def pids(self, group: str):
        return lambda: process_tree([p.pid for p in self.procs.get(group, []) if p.poll() is None])

    def alive(self) -> bool:
        return all(p.poll() is None for procs in self.procs.values() for p in procs)

    def stop(self, *groups: str) -> None:
        for group in groups or list(self.procs):
            for proc in self.procs.pop(group, []):
                stop_process(proc)

    def log_tail(self, name: str, lines: int = 20) -> str:
        path = self.workdir / name
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def pick_redis_db(url: str) -> int:
    """An empty database number of the local Redis (it will be emptied again at the end)."""
    import redis

    for number in range(15, 0, -1):
        client = redis.Redis.from_url(f"{url}/{number}")
        if client.dbsize() == 0:
            return number
    raise SystemExit("no empty Redis database number (1–15) on the local server")


def flush_redis_db(url: str, number: int) -> None:
    import redis

    redis.Redis.from_url(f"{url}/{number}").flushdb()


def create_database(admin_url: str) -> str:
    import psycopg

    name = f"tadamun_bench_petitions_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def site_environment(args, workdir: Path, *, pg_name: str, redis_db: int, port: int, sink_port):
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "tadamun.settings",
        "VAR_DIR": str(workdir / "var"),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "MFA_ENCRYPTION_KEY": secrets.token_urlsafe(40),
        # Plain http on loopback: no redirect to https (the proxy does TLS in production).
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": args.database_url.rsplit("/", 1)[0] + f"/{pg_name}",
        "DB_CONN_MAX_AGE": "60",
        "REDIS_URL": f"{args.redis_url}/{redis_db}",
        "LISTS_SMTP_HOST": "127.0.0.1",
        "LISTS_SMTP_PORT": str(sink_port),
        "PETITION_RATE_LIMITS": json.dumps(RAISED_LIMITS),
    }
    for name in ("EMAIL_HOST", "TASKS_BACKEND"):
        env.pop(name, None)
    return env


def create_petition() -> dict:
    """A campaign with a lead organisation, its open petition and a partner's page."""
    from django.utils import timezone

    from tadamun.campaigns.models import Campaign
    from tadamun.organisations.models import Organisation
    from tadamun.petitions.models import Partner, Petition

    def organisation(slug: str, en: str, ar: str) -> Organisation:
        return Organisation.objects.create(
            slug=slug,
            name_en=en,
            name_ar=ar,
            kind=Organisation.Kind.NGO,
            scope=Organisation.Scope.IRAQI,
            country="IQ",
            governorate="basra",
            city="Basra",
            languages=["ar", "en"],
            description_en="Water and health in southern Iraq.",
            description_ar="المياه والصحة في جنوب العراق.",
            listed_publicly=True,
        )

    lead = organisation("bench-basra-water", "Basra Water Watch", "مرصد مياه البصرة")
    friend = organisation("bench-dhiqar-youth", "Dhi Qar Youth Forum", "منتدى شباب ذي قار")
    campaign = Campaign.objects.create(
        slug="bench-clean-water",
        title_en="Clean water for the south",
        title_ar="مياه نظيفة للجنوب",
        summary_en="Water that is safe to drink, in every house.",
        summary_ar="مياه صالحة للشرب في كل بيت.",
        demands_en="Repair the treatment plants.",
        demands_ar="إصلاح محطات المعالجة.",
        status=Campaign.Status.OPEN,
    )
    campaign.lead_organisations.add(lead)
    campaign.partner_organisations.add(friend)
    petition = Petition.objects.create(
        campaign=campaign,
        slug=SLUG,
        title_en="Repair the water plants of Basra, Dhi Qar and Maysan",
        title_ar="أصلحوا محطات المياه في البصرة وذي قار وميسان",
        text_en=PETITION_TEXT_EN,
        text_ar=PETITION_TEXT_AR,
        lead_consent_en="Yes, Basra Water Watch may send me news about this campaign.",
        lead_consent_ar="نعم، يمكن لمرصد مياه البصرة أن يرسل لي أخبار هذه الحملة.",
        goal=100_000,
        status=Petition.Status.OPEN,
        opened_at=timezone.now(),
    )
    Partner.objects.create(
        petition=petition,
        organisation=friend,
        slug=PARTNER_SLUG,
        consent_en="Yes, Dhi Qar Youth Forum may send me news.",
        consent_ar="نعم، يمكن لمنتدى شباب ذي قار أن يرسل لي الأخبار.",
    )
    return {"petition": petition.pk}


def start_site(site: Site, args) -> None:
    site.spawn(
        "sink",
        [
            PYTHON,
            str(BENCH / "petitions_sink.py"),
            "--port",
            str(site.sink_port),
            "--ledger",
            str(site.ledger),
        ],
        "sink.log",
    )
    gunicorn = site.spawn(
        "gunicorn",
        [
            PYTHON,
            "-m",
            "gunicorn",
            "tadamun.wsgi",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{site.port}",
            "--backlog",
            "2048",
            "--timeout",
            "120",
            "--error-logfile",
            "-",
        ],
        "gunicorn.log",
    )
    for i in range(args.task_workers):
        site.spawn(
            "db_worker",
            [PYTHON, MANAGE, "db_worker", "--queue-name", "*", "--no-startup-delay"],
            f"db_worker-{i}.log",
        )
    wait_port(site.sink_port, timeout=30, proc=site.procs["sink"][0])
    wait_port(site.port, timeout=60, proc=gunicorn)


def form_secrets(site: Site) -> dict:
    """One GET of the petition's page: the CSRF cookie, the form's CSRF token and the signed
    moment the form was shown (the form may be sent back 3 seconds later)."""
    url = f"http://127.0.0.1:{site.port}/en/petitions/{SLUG}/"
    with urllib.request.urlopen(url, timeout=30) as response:
        html = response.read().decode()
        cookies = response.headers.get_all("Set-Cookie") or []
    cookie = next((m.group(1) for c in cookies if (m := re.match(r"csrftoken=([^;]+)", c))), None)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    stamp = re.search(r'name="started" value="([^"]+)"', html)
    if not (cookie and token and stamp):
        raise RuntimeError("the petition's page has no CSRF cookie, CSRF token or form stamp")
    return {
        "csrf_cookie": cookie,
        "csrf_token": token.group(1),
        "stamp": stamp.group(1),
        "shown": time.time(),
    }


# --------------------------------------------------------------------------- the load


@dataclass
class Load:
    """One wrk process of one phase: its settings, then what it reported."""

    kind: str  # sign, confirm, read
    threads: int
    rate: float = 0
    wrk: dict = field(default_factory=dict)
    rows: list[tuple[str, int, int, int, str]] = field(default_factory=list)

    @property
    def script(self) -> str:
        return f"bench/petitions_{self.kind}.lua"


@dataclass
class Phase:
    name: str
    seconds: float
    loads: list[Load]
    cpu: dict[str, float] = field(default_factory=dict)
    machine_busy: float = 0.0
    machine_stolen: float = 0.0
    mails: int = 0  # messages the sink received during the phase


def run_phase(phase: Phase, site: Site, common: dict, logs: Path, cpu_groups: dict) -> Phase:
    """Start one wrk per load at once, wait for all, read their logs."""
    procs = []
    for load in phase.loads:
        prefix = logs / f"{phase.name}-{load.kind}"
        params = logs / f"{phase.name}-{load.kind}.params"
        values = {
            **common,
            "threads": load.threads,
            "rate": load.rate,
            "log_prefix": prefix,
            # Addresses never repeat: run id + phase, then thread and counter (in the script).
            "run": f"{common['run']}{phase.name[0]}",
            "seed": len(procs) + 1 + 10 * list(PHASE_NAMES).index(phase.name),
        }
        params.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
        env = {**os.environ, "PETITIONS_BENCH_PARAMS": str(params)}
        command = [
            "wrk", "-t", str(load.threads), "-c", str(load.threads),
            "-d", f"{phase.seconds:g}s", "--timeout", "60s", "-s", load.script,
            f"http://127.0.0.1:{site.port}",
        ]  # fmt: skip
        procs.append(
            (load, subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True))
        )
    groups = {**cpu_groups, "wrk": lambda: [p.pid for _, p in procs if p.poll() is None]}
    mails_before = len(ledger_lines(site))
    try:
        with CpuSampler(groups) as sampler:
            outputs = [
                (load, proc.communicate(timeout=phase.seconds + 120)[0]) for load, proc in procs
            ]
    finally:  # interrupted: no wrk outlives the benchmark
        for _, proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
    phase.mails = len(ledger_lines(site)) - mails_before
    phase.cpu = sampler.cores()
    phase.machine_busy = sampler.machine_busy
    phase.machine_stolen = sampler.machine_stolen
    for load, output in outputs:
        found = re.search(r"^WRK (\{.*\})$", output, re.MULTILINE)
        if not found:
            raise RuntimeError(f"wrk ({load.kind}) reported nothing:\n{output}")
        load.wrk = json.loads(found.group(1))
        for path in sorted(logs.glob(f"{phase.name}-{load.kind}-*.tsv")):
            for line in path.read_text(encoding="utf-8").splitlines():
                key, status, ok, micros, note = line.split("\t")
                load.rows.append((key, int(status), int(ok), int(micros), note))
    return phase


PHASE_NAMES = ("warmup", "presign", "measured")


def ledger_lines(site: Site) -> list[tuple[str, str]]:
    try:
        text = site.ledger.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [tuple(line.split("\t", 1)) for line in text.splitlines() if "\t" in line]


def wait_for_mail(site: Site, *, timeout: float, label: str) -> float:
    """Wait until the outbox is empty and the sink has a message for every signature; the
    seconds it took."""
    from tadamun.petitions.models import Signature, SignatureMail

    start = time.monotonic()
    last_print = start
    while True:
        signatures = Signature.objects.count()
        waiting = SignatureMail.objects.exclude(
            state__in=(SignatureMail.State.SENT, SignatureMail.State.FAILED)
        ).count()
        at_sink = len(ledger_lines(site))
        now = time.monotonic()
        if waiting == 0 and at_sink >= signatures:
            return now - start
        if not site.alive():
            raise RuntimeError("a process of the site stopped:\n" + site.log_tail("gunicorn.log"))
        if now - start > timeout:
            progress(f"{label}: gave up after {timeout:.0f} s ({waiting:,} mails still waiting)")
            return now - start
        if now - last_print > 5:
            progress(f"{label}: {at_sink:,}/{signatures:,} at the sink, {waiting:,} waiting …")
            last_print = now
        time.sleep(0.5)


def outbox_backlog() -> tuple[int, int]:
    """(mail rows not sent yet, task rows not run yet)."""
    from django_tasks_db.models import DBTaskResult

    from tadamun.petitions.models import SignatureMail

    mails = SignatureMail.objects.exclude(
        state__in=(SignatureMail.State.SENT, SignatureMail.State.FAILED)
    ).count()
    tasks = DBTaskResult.objects.filter(status="READY").count()
    return mails, tasks


# --------------------------------------------------------------------------- the check


@dataclass
class Check:
    lines: list[tuple[str, bool]] = field(default_factory=list)

    def expect(self, ok: bool, text: str) -> None:
        self.lines.append((text, ok))

    @property
    def passed(self) -> bool:
        return all(ok for _, ok in self.lines)


def verify(phases: list[Phase], site: Site, petition_id: int) -> Check:
    from django.db.models import Count

    from tadamun.petitions.models import Signature, SignatureMail
    from tadamun.petitions.outbox import hash_token
    from tadamun.petitions.tally import counts

    check = Check()
    signs = [load for phase in phases for load in phase.loads if load.kind == "sign"]
    confirms = [load for phase in phases for load in phase.loads if load.kind == "confirm"]
    accepted = [row[0] for load in signs for row in load.rows if row[2]]
    refused = [row[0] for load in signs for row in load.rows if not row[2]]
    unanswered = {key for load in signs for key in load.wrk.get("pending", [])}

    rows = list(Signature.objects.values_list("email", "state", "token_hash"))
    emails = Counter(email for email, _, _ in rows)
    stored = set(emails)
    lost = [e for e in accepted if e not in stored]
    strays = stored - set(accepted) - unanswered
    check.expect(
        len(accepted) == len(set(accepted)),
        f"{len(accepted):,} signing POSTs answered 302 → check-your-email, each with a new address",
    )
    check.expect(not lost, f"{len(lost):,} of them without a Signature row (lost)")
    check.expect(
        not [e for e in refused if e in stored],
        f"{len(refused):,} signing POSTs answered otherwise; "
        f"{sum(1 for e in refused if e in stored):,} of them stored anyway",
    )
    check.expect(
        not strays,
        f"{len(rows):,} Signature rows; {len(strays):,} with an address no answered request "
        f"sent ({len(unanswered):,} requests were in flight when wrk stopped, "
        f"{len(unanswered & stored):,} of them stored)",
    )
    duplicated = (
        Signature.objects.values("petition", "email_normalised")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    check.expect(
        duplicated == 0 and max(emails.values(), default=1) == 1,
        f"{duplicated:,} duplicate signatures (same petition and normalised address)",
    )

    by_token = {token: state for _, state, token in rows if token}
    confirmed_ok = [row[0] for load in confirms for row in load.rows if row[2]]
    already = [row[0] for load in confirms for row in load.rows if row[2] and row[4] == "already"]
    not_confirmed = [
        path
        for path in confirmed_ok
        if by_token.get(hash_token(path.rstrip("/").rsplit("/", 1)[1])) != Signature.State.CONFIRMED
    ]
    confirmed_rows = sum(1 for _, state, _ in rows if state == Signature.State.CONFIRMED)
    in_flight_confirms = sum(
        1 for load in confirms for key in load.wrk.get("pending", []) if key != "-idle-"
    )
    check.expect(
        not not_confirmed,
        f"{len(confirmed_ok):,} confirming POSTs answered 302 → confirmed; "
        f"{len(not_confirmed):,} of their signatures not CONFIRMED",
    )
    check.expect(not already, f"{len(already):,} of them said 'already confirmed'")
    check.expect(
        len(confirmed_ok) <= confirmed_rows <= len(confirmed_ok) + in_flight_confirms,
        f"{confirmed_rows:,} CONFIRMED rows ({in_flight_confirms:,} confirming POSTs were in "
        "flight when wrk stopped)",
    )
    tally = counts(petition_id, fresh=True)
    by_country = dict(
        Signature.objects.filter(state=Signature.State.CONFIRMED)
        .values_list("country")
        .annotate(n=Count("id"))
    )
    check.expect(
        tally.total == confirmed_rows and tally.by_country == by_country,
        f"tally.counts(fresh=True).total = {tally.total:,} (by country: "
        f"{'same' if tally.by_country == by_country else 'DIFFERENT'} as the rows)",
    )

    mails = Counter(SignatureMail.objects.values_list("state", flat=True))
    check.expect(
        mails.get(SignatureMail.State.SENT, 0) == len(rows) and sum(mails.values()) == len(rows),
        f"outbox: {dict(mails)} for {len(rows):,} signatures",
    )
    ledger = ledger_lines(site)
    received = Counter(rcpt for rcpt, _ in ledger)
    missing = [e for e in stored if received.get(e, 0) == 0]
    twice = [e for e in stored if received.get(e, 0) > 1]
    unknown = [r for r in received if r not in stored]
    without_link = sum(1 for _, path in ledger if path == "-")
    check.expect(
        not missing and not twice and not unknown and not without_link,
        f"sink: {len(ledger):,} messages; {len(missing):,} signatures without one (lost), "
        f"{len(twice):,} with more than one, {len(unknown):,} to unknown addresses, "
        f"{without_link:,} without a confirmation link",
    )
    return check


# --------------------------------------------------------------------------- the report


@dataclass
class Figure:
    label: str
    count: int
    ok: int
    per_second: float
    median_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict


def figures(load: Load, seconds: float, key=None, label: str | None = None) -> Figure:
    rows = [r for r in load.rows if r[0] != "-idle-" and (key is None or r[0] == key)]
    millis = [r[3] / 1000 for r in rows]
    return Figure(
        label=label or load.kind,
        count=len(rows),
        ok=sum(r[2] for r in rows),
        per_second=sum(r[2] for r in rows) / seconds,
        median_ms=statistics.median(millis) if millis else float("nan"),
        p99_ms=percentile(millis, 0.99),
        max_ms=max(millis, default=float("nan")),
        statuses=dict(Counter(r[1] for r in rows)),
    )


def phase_figures(phase: Phase) -> list[Figure]:
    out = []
    for load in phase.loads:
        if load.kind == "read":
            out.append(figures(load, phase.seconds, "page", "read: page"))
            out.append(figures(load, phase.seconds, "widget", "read: widget"))
        else:
            out.append(figures(load, phase.seconds))
    return out


def print_phase(phase: Phase) -> None:
    print(f"\n{phase.name} ({phase.seconds:g} s):")
    header = (
        f"  {'kind':<14} {'requests':>9} {'ok':>8} {'ok/s':>8} {'median ms':>10} {'p99 ms':>9} "
        f"{'max ms':>9}  statuses"
    )
    print(header)
    for f in phase_figures(phase):
        print(
            f"  {f.label:<14} {f.count:>9,} {f.ok:>8,} {f.per_second:>8.1f} {f.median_ms:>10.1f} "
            f"{f.p99_ms:>9.1f} {f.max_ms:>9.1f}  {f.statuses}"
        )
    for load in phase.loads:
        w = load.wrk
        idle = sum(1 for r in load.rows if r[0] == "-idle-")
        errors = {k: v for k, v in w["errors"].items() if v}
        codes = ", ".join(f"{code}: {n:,}" for code, n in sorted(w["statuses"].items()))
        print(
            f"  wrk {load.kind:<7} -t{load.threads} -c{load.threads}"
            f"{f' rate {load.rate:g}/s' if load.rate else ''}: {w['requests']:,} requests "
            f"({codes}), latency p50 {w['p50_us'] / 1000:.1f} ms, p99 {w['p99_us'] / 1000:.1f} ms"
            + (f", errors {errors}" if errors else "")
            + (f", {idle:,} idle polls (no link waiting)" if idle else "")
        )
    if phase.cpu:
        cores = ", ".join(f"{name} {value:.2f}" for name, value in phase.cpu.items())
        ours = sum(phase.cpu.values())
        print(
            f"  CPU (cores used): {cores}; the whole machine {phase.machine_busy:.0%} busy "
            f"({phase.machine_busy * os.cpu_count():.2f} cores: {ours:.2f} ours, "
            f"{phase.machine_stolen * os.cpu_count():.2f} stolen by the hypervisor, the rest "
            "other processes)"
        )
        answered = sum(len(load.rows) for load in phase.loads)
        line = (
            f"  gunicorn CPU per answered request (this mix): "
            f"{phase.cpu['gunicorn'] * phase.seconds / max(answered, 1) * 1000:.1f} ms; "
            f"{phase.mails:,} mails at the sink during the phase"
        )
        if phase.mails:
            per_mail = phase.cpu["db_worker"] * phase.seconds / phase.mails * 1000
            line += f", mail workers' CPU per mail {per_mail:.1f} ms"
        print(line)


def markdown(
    args, measured: Phase, presign: Phase, check: Check, drain_s: float, medians: dict
) -> None:
    figs = {f.label: f for f in phase_figures(measured)}
    both = min(figs["sign"].per_second, figs["confirm"].per_second)
    print("\nMarkdown:\n")
    print(
        f"PostgreSQL, gunicorn ({args.workers} sync workers), {args.task_workers} mail workers "
        f"(`db_worker`), wrk on loopback ({args.connections} connections signing, "
        f"{args.connections} confirming, {args.read_connections} reading), all on one "
        f"{os.cpu_count()}-core machine, {measured.seconds:g} s of signing + confirming + "
        "reading at once:\n"
    )
    print("| requests | per second | median | p99 |")
    print("|---|--:|--:|--:|")
    for f in phase_figures(measured):
        print(f"| {f.label} | {f.per_second:,.1f} | {f.median_ms:.0f} ms | {f.p99_ms:.0f} ms |")
    alone = phase_figures(presign)[0]
    print(
        f"| sign, alone (pre-signing) | {alone.per_second:,.1f} | {alone.median_ms:.0f} ms "
        f"| {alone.p99_ms:.0f} ms |"
    )
    print()
    print(
        f"- signed and confirmed: {both:,.1f} signatures a second = "
        f"{both / UK_RECORD_PER_SECOND:.2f}× the UK Parliament record (33/s); the aim, "
        f"{AIM}/s (20×), is {'reached' if both >= AIM else 'not reached'}"
    )
    cores = ", ".join(f"{name} {value:.2f}" for name, value in measured.cpu.items())
    print(
        f"- CPU (cores): {cores}; machine {measured.machine_busy:.0%} busy "
        f"({measured.machine_stolen:.0%} stolen)"
    )
    per_signature = sum(
        medians.get(kind, 0) for kind in ("POST sign", "POST confirm", "send 1 mail (task)")
    )
    if per_signature:
        print(
            f"- one signature, alone: sign {medians['POST sign']:.0f} ms + confirm "
            f"{medians['POST confirm']:.0f} ms + its mail {medians['send 1 mail (task)']:.0f} ms "
            f"of one core; {AIM}/s would need about {AIM * per_signature / 1000:.0f} cores for "
            "Python alone (PostgreSQL and the page reads not counted)"
        )
    print(f"- mail drained {drain_s:.0f} s after the load stopped")
    print(f"- checks: {'all passed' if check.passed else 'FAILED'}")
    for text, ok in check.lines:
        print(f"  - {'ok' if ok else 'FAILED'}: {text}")


# --------------------------------------------------------------------------- profiling


def _median_ms(do, count: int) -> float:
    for _ in range(3):  # warm
        do()
    times = []
    for _ in range(count):
        start = time.perf_counter()
        do()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def profile_requests(petition_id: int, count: int = 20) -> dict[str, float]:
    """One kind of request after another, in this process (Django's test client, the same
    settings and database, the load stopped): median time, SQL queries and their time; what
    the petition's page spends its time on; the functions of ours that take the time of a
    signing POST (cProfile). Returns the median ms of each kind."""
    from django.core import signing
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test import Client
    from django.utils import translation

    from tadamun.core.markdown import render_markdown
    from tadamun.petitions import protection, selectors, views_public
    from tadamun.petitions.forms import SignForm
    from tadamun.petitions.models import Petition, Signature, SignatureMail, Tally
    from tadamun.petitions.outbox import hash_token, send_due
    from tadamun.petitions.tally import counts

    client = Client()
    page = f"/en/petitions/{SLUG}/"
    petition = Petition.objects.get(pk=petition_id)
    made = Counter()
    statuses: Counter = Counter()

    def do_page():
        statuses["page", client.get(page).status_code] += 1

    def do_widget():
        statuses["widget", client.get(page + "widget/").status_code] += 1

    def do_sign():
        made["signs"] += 1
        form = {
            "name": "Zainab Kareem",
            "public": "show",
            "email": f"profile-{made['signs']}-{secrets.token_hex(3)}@example.org",
            "country": "IQ",
            "governorate": "basra",
            "consent_petition": "on",
            "consent_lead": "on",
            "website": "",
            "started": signing.dumps(
                int(time.time()) - 30, salt=protection.FORM_SALT, compress=False
            ),
        }
        statuses["sign", client.post(page, form).status_code] += 1

    def do_confirm():
        # A signature of the run still pending (not one made here: its mail is sent below).
        signature = (
            Signature.objects.filter(state=Signature.State.PENDING)
            .exclude(email__startswith="profile-")
            .order_by("-pk")
            .first()
        )
        token = secrets.token_urlsafe(32)
        Signature.objects.filter(pk=signature.pk).update(token_hash=hash_token(token))
        statuses["confirm", client.post(f"{page}confirm/{token}/").status_code] += 1

    def do_mail():
        # The mails of the signatures made above (the task workers are stopped).
        mail = SignatureMail.objects.filter(state=SignatureMail.State.QUEUED).order_by("pk").first()
        if mail is not None:
            statuses["mail", send_due(mail_ids=[mail.pk]).sent] += 1

    kinds = [
        ("GET petition page", do_page),
        ("GET widget", do_widget),
        ("POST sign", do_sign),
        ("POST confirm", do_confirm),
        ("send 1 mail (task)", do_mail),
    ]
    print(f"\nOne request at a time, in-process (median of {count}; the load stopped):")
    print(f"  {'request':<20} {'median ms':>10} {'SQL queries':>12} {'SQL ms':>8}")
    medians = {}
    for label, do in kinds:
        spent = [0, 0.0]

        def timer(execute, sql, params, many, context, spent=spent):
            start = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                spent[0] += 1
                spent[1] += time.perf_counter() - start

        with connection.execute_wrapper(timer):
            medians[label] = _median_ms(do, count)
        runs = count + 3
        print(
            f"  {label:<20} {medians[label]:>10.1f} {spent[0] / runs:>12.0f} "
            f"{spent[1] * 1000 / runs:>8.1f}"
        )
    print(f"  (answers: {dict(sorted(statuses.items()))})")

    with translation.override("en"):
        progress = selectors.petition_progress(petition)
        parts = [
            ("SignForm() (choices)", lambda: SignForm(petition=petition)),
            ("country <select>", lambda: str(SignForm(petition=petition)["country"])),
            ("governorate <select>", lambda: str(SignForm(petition=petition)["governorate"])),
            ("the whole form", lambda: str(SignForm(petition=petition))),
            ("progress (cached counts)", lambda: selectors.petition_progress(petition)),
            (
                f"counts ({Tally.objects.filter(petition=petition).count():,} tally rows)",
                lambda: counts(petition, fresh=True),
            ),
            ("map (SVG)", lambda: views_public._map_svg(progress.by_governorate_codes)),
            ("text (Markdown)", lambda: render_markdown(petition.text_in("text"))),
            (
                f"tables ({len(progress.by_country)} countries)",
                lambda: render_to_string(
                    "petitions/public/_tables.html", {"progress": progress, "map_svg": None}
                ),
            ),
        ]
        print("\n  the petition's page, piece by piece (median ms; the form's lines build it too):")
        for label, do in parts:
            print(f"    {label:<22} {_median_ms(do, count):>7.1f}")

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        do_sign()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(r"/tadamun/(?!.*middleware)", 12)
    print(f"\n  where a signing POST spends its time (cProfile, {count} POSTs, cumulative s):")
    for line in out.getvalue().splitlines():
        if found := re.match(r"\s*([\d/]+)\s+[\d.]+\s+[\d.]+\s+([\d.]+)\s+[\d.]+\s+(.*)", line):
            where = found.group(3).replace(str(ROOT) + "/", "")
            print(f"    {float(found.group(2)):>6.3f}  {where}")
    return medians


# --------------------------------------------------------------------------- main


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="PostgreSQL server to create the throw-away database on",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379")
    parser.add_argument("--seconds", type=int, default=60, help="the measured phase")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--presign", type=int, default=20, help="seconds of signing alone")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn (sync) workers")
    parser.add_argument(
        "--connections", type=int, default=4, help="wrk connections signing, and confirming"
    )
    parser.add_argument("--read-connections", type=int, default=2)
    parser.add_argument("--task-workers", type=int, default=2, help="manage.py db_worker")
    parser.add_argument(
        "--rate", type=float, default=0, help="signs/s and confirms/s to aim at (0: maximum)"
    )
    parser.add_argument("--read-rate", type=float, default=0, help="reads/s (0: maximum)")
    parser.add_argument("--drain-timeout", type=float, default=180)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument(
        "--keep", action="store_true", help="keep the database, Redis data and the work files"
    )
    return parser.parse_args()


def main() -> None:
    args = parse()
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        sys.exit(2)
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="tadamun-bench-petitions-"))
    logs = workdir / "logs"
    logs.mkdir()
    redis_db = pick_redis_db(args.redis_url)
    pg_name = create_database(args.database_url)
    port, sink_port = free_port(), free_port()
    env = site_environment(
        args, workdir, pg_name=pg_name, redis_db=redis_db, port=port, sink_port=sink_port
    )
    site = Site(workdir, env, port, sink_port, workdir / "ledger.tsv", pg_name)
    site.ledger.touch()
    # This process reads and checks the same database with the same settings.
    os.environ.update({k: v for k, v in env.items() if k not in ("PYTHONUNBUFFERED",)})
    print(
        f"bench/petitions.py: database {pg_name}, Redis db {redis_db}, site on "
        f"127.0.0.1:{port}, sink on 127.0.0.1:{sink_port}, work files in {workdir}",
        flush=True,
    )
    progress(
        f"this machine: {os.cpu_count()} cores; 10 million additions in a Python loop take "
        f"{python_speed():.2f} s (to compare machines)"
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    interrupted = False
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        step = time.monotonic()
        call_command("migrate", verbosity=0)
        ids = create_petition()
        connections.close_all()
        progress(f"migrated and set up in {time.monotonic() - step:.0f} s")
        start_site(site, args)
        secrets_of_form = form_secrets(site)
        common = {
            "run": secrets.token_hex(3),
            "petition_path": f"/petitions/{SLUG}/",
            "partner_path": f"/petitions/{SLUG}/with/{PARTNER_SLUG}/",
            "csrf_cookie": secrets_of_form["csrf_cookie"],
            "csrf_token": secrets_of_form["csrf_token"],
            "stamp": secrets_of_form["stamp"],
            "countries": ",".join(code for code in country_codes() if code != "IQ"),
            "governorates": ",".join(governorate_codes()),
            "domains": ",".join(DOMAINS),
            "iraq_share": 0.6,
            "partner_share": 0.2,
            "arabic_share": 0.5,
            "ledger": site.ledger,
        }
        # The form stamp must be 3 seconds old before the form is accepted.
        time.sleep(max(0.0, secrets_of_form["shown"] + 3.5 - time.time()))
        cpu_groups = {
            "gunicorn": site.pids("gunicorn"),
            "db_worker": site.pids("db_worker"),
            "postgres": lambda: _backends_of(pg_name),
            "sink": site.pids("sink"),
        }

        phases: list[Phase] = []
        progress(f"warm-up: {args.warmup:g} s of signing and reading …")
        phases.append(
            run_phase(
                Phase("warmup", args.warmup, [Load("sign", 2), Load("read", 2)]),
                site,
                common,
                logs,
                cpu_groups,
            )
        )
        progress(f"pre-signing: {args.presign:g} s of signing alone ({args.connections} conns) …")
        phases.append(
            run_phase(
                Phase("presign", args.presign, [Load("sign", args.connections, args.rate)]),
                site,
                common,
                logs,
                cpu_groups,
            )
        )
        presign = phases[-1]
        print_phase(presign)
        took = wait_for_mail(site, timeout=args.drain_timeout, label="pre-signing mail")
        progress(f"the pool of confirmation links is at the sink ({took:.0f} s after)")
        progress(
            f"measured: {args.seconds:g} s of signing ({args.connections}), confirming "
            f"({args.connections}) and reading ({args.read_connections}) at once …"
        )
        measured = run_phase(
            Phase(
                "measured",
                args.seconds,
                [
                    Load("sign", args.connections, args.rate),
                    Load("confirm", args.connections, args.rate),
                    Load("read", args.read_connections, args.read_rate),
                ],
            ),
            site,
            common,
            logs,
            cpu_groups,
        )
        phases.append(measured)
        mails, tasks = outbox_backlog()
        print_phase(measured)
        progress(f"when the load stopped: {mails:,} mails not sent yet ({tasks:,} tasks queued)")
        drain_s = wait_for_mail(site, timeout=args.drain_timeout, label="drain")
        progress(f"drained in {drain_s:.1f} s")
        check = verify(phases, site, ids["petition"])
        print("\nChecks (database and sink, all phases):")
        for text, ok in check.lines:
            print(f"  {'ok    ' if ok else 'FAILED'} {text}")
        site.stop("gunicorn", "db_worker")
        medians = {} if args.no_profile else profile_requests(ids["petition"])
        markdown(args, measured, presign, check, drain_s, medians)
        print(f"\ntotal run time {time.monotonic() - started:.0f} s")
        if not check.passed:
            sys.exit(1)
    except KeyboardInterrupt:
        interrupted = True
        print("\ninterrupted", file=sys.stderr)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if not site.alive():
            for name in ("gunicorn.log", "sink.log", "db_worker-0.log"):
                tail = site.log_tail(name)
                if tail:
                    print(f"--- {name}:\n{tail}", file=sys.stderr)
        site.stop()
        connections.close_all()
        if args.keep:
            print(f"kept: database {pg_name}, Redis db {redis_db}, files in {workdir}")
        else:
            drop_database(args.database_url, pg_name)
            flush_redis_db(args.redis_url, redis_db)
            shutil.rmtree(workdir, ignore_errors=True)
        if interrupted:
            sys.exit(130)


def python_speed() -> float:
    """Seconds of `sum(range(10**7))`: how fast this machine runs Python, to compare runs."""
    start = time.perf_counter()
    sum(range(10**7))
    return time.perf_counter() - start


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def country_codes() -> list[str]:
    from django_countries import countries

    return [code for code, _ in countries]


def governorate_codes() -> list[str]:
    from tadamun.organisations.models import Governorate

    return list(Governorate.values)


if __name__ == "__main__":
    main()
