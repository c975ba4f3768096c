"""Shared pieces of the list benchmarks: ports, the sink, process memory, a Tadamun instance on a
throw-away database (SQLite or PostgreSQL) with its LMTP server and delivery workers.

Everything listens on 127.0.0.1 and every wait is bounded.
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable
MANAGE = str(ROOT / "manage.py")
LISTS_DOMAIN = "lists.example.org"
MEMBER_DOMAINS = ("example.com", "example.org", "example.net", "ngo.test")
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def member_address(i: int) -> str:
    return f"member{i:05d}@{MEMBER_DOMAINS[i % len(MEMBER_DOMAINS)]}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 60, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


def stop_process(proc: subprocess.Popen, timeout: float = 15) -> None:
    """SIGTERM the process group we started, then SIGKILL it if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


# --- memory --------------------------------------------------------------------------------


def rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def _all_processes() -> list[tuple[int, int, str]]:
    """(pid, ppid, cmdline) of every process."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
            ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
        except (FileNotFoundError, ProcessLookupError, ValueError, PermissionError):
            continue
        out.append((int(entry), ppid, cmd))
    return out


def process_tree(roots: list[int]) -> list[int]:
    procs = _all_processes()
    found = {pid for pid in roots if os.path.exists(f"/proc/{pid}")}
    changed = True
    while changed:
        changed = False
        for pid, ppid, _cmd in procs:
            if ppid in found and pid not in found:
                found.add(pid)
                changed = True
    return sorted(found)


def processes_matching(text: str) -> list[int]:
    me = os.getpid()
    return [pid for pid, _ppid, cmd in _all_processes() if text in cmd and pid != me]


class RssSampler:
    """Samples the summed RSS of a set of processes (given by a callable) every `interval`
    seconds in a thread; keeps the peak sum and the largest number of processes seen."""

    def __init__(self, pids, interval: float = 0.25) -> None:
        self.pids = pids
        self.interval = interval
        self.peak_kib = 0
        self.peak_processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        pids = self.pids()
        self.peak_kib = max(self.peak_kib, sum(rss_kib(pid) for pid in pids))
        self.peak_processes = max(self.peak_processes, len(pids))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self):
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sample()

    @property
    def peak_mib(self) -> float:
        return self.peak_kib / 1024


# --- the sink ------------------------------------------------------------------------------


class Sink:
    """bench/sink.py in its own process."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.status_path = workdir / f"sink-{self.port}.json"
        self.proc = subprocess.Popen(
            [
                PYTHON,
                str(BENCH / "sink.py"),
                "--port",
                str(self.port),
                "--status",
                str(self.status_path),
            ],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_port(self.port, proc=self.proc)

    def status(self) -> dict:
        try:
            return json.loads(self.status_path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {"rcpts": 0, "copies": 0, "bytes": 0, "first": None, "last": None}

    def stop(self) -> None:
        stop_process(self.proc)


def wait_for_recipients(
    sink: Sink,
    base: dict,
    expect: int,
    *,
    timeout: float,
    label: str,
    alive=lambda: True,
    quiet: bool = False,
) -> dict:
    """Poll the sink until `expect` more recipients than in `base` have arrived (or timeout,
    or `alive()` turns false). Prints progress about every 10 % or 5 s."""
    deadline = time.monotonic() + timeout
    last_print = time.monotonic()
    step = max(1, expect // 10)
    next_mark = step
    status = sink.status()
    while time.monotonic() < deadline:
        status = sink.status()
        got = status["rcpts"] - base["rcpts"]
        if got >= expect:
            break
        if not alive():
            time.sleep(0.5)
            status = sink.status()
            break
        now = time.monotonic()
        if not quiet and (got >= next_mark or now - last_print > 5):
            print(f"    {label}: delivered {got:,}/{expect:,} …", flush=True)
            last_print = now
            while next_mark <= got:
                next_mark += step
        time.sleep(0.02)
    return status


# --- a bilingual post ----------------------------------------------------------------------

PARAGRAPH_AR = (
    "نحن منظمات المجتمع المدني العراقية نعمل معاً من أجل السلام والعدالة الاجتماعية، "
    "ونرفض خصخصة الخدمات العامة التي يحتاجها الناس في حياتهم اليومية. "
)
PARAGRAPH_EN = (
    "We, Iraqi civil-society organisations, work together for peace and social justice, "
    "and we oppose the privatisation of the public services people need every day. "
)


def bilingual_post(sender: str, to: str, tag: str, size: int = 12_000) -> bytes:
    """About `size` bytes of a plain-text UTF-8 post, Arabic then English paragraphs."""
    paragraphs = []
    length = 0
    i = 0
    while length < size - 600:
        text = (PARAGRAPH_AR if i % 2 == 0 else PARAGRAPH_EN) * 2
        paragraphs.append(text)
        length += len(text.encode()) + 4
        i += 1
    body = "\r\n\r\n".join(paragraphs)
    date = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime())
    headers = (
        f"From: Bench Sender <{sender}>\r\n"
        f"To: {to}\r\n"
        f"Subject: =?utf-8?b?2KrYrNix2KjYqQ==?= bench {tag[:8]}\r\n"
        f"Message-ID: <{tag}@bench.example.com>\r\n"
        f"Date: {date}\r\n"
        f"X-Bench-Run: {tag}\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
    )
    return headers.encode() + body.encode() + b"\r\n"


# --- Tadamun -------------------------------------------------------------------------------


class TadamunInstance:
    """A throw-away Tadamun: temp VAR_DIR, fresh database (SQLite file or a temp PostgreSQL
    database), migrated, with the settings of production (DEBUG=0) and lists on loopback."""

    def __init__(self, db: str, workdir: Path, *, smtp_port: int, lmtp_port: int) -> None:
        self.db = db
        self.var_dir = Path(tempfile.mkdtemp(prefix=f"tadamun-{db}-", dir=workdir))
        self.lmtp_port = lmtp_port
        self.pg_name = None
        self.procs: list[subprocess.Popen] = []
        self.env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "tadamun.settings",
            "VAR_DIR": str(self.var_dir),
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "MFA_ENCRYPTION_KEY": secrets.token_urlsafe(40),
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "WARNING",
            "LISTS_DOMAIN": LISTS_DOMAIN,
            "LMTP_HOST": "127.0.0.1",
            "LMTP_PORT": str(lmtp_port),
            "LISTS_SMTP_HOST": "127.0.0.1",
            "LISTS_SMTP_PORT": str(smtp_port),
            "SITE_URL": "https://tadamun.example.org",
        }
        self.env.pop("DATABASE_URL", None)
        self.env.pop("EMAIL_HOST", None)
        if db == "postgres":
            import psycopg

            self.pg_name = f"tadamun_bench_{os.getpid()}_{secrets.token_hex(3)}"
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.pg_name}"')
            admin = PG_ADMIN_URL.rsplit("/", 1)[0]
            self.env["DATABASE_URL"] = f"{admin}/{self.pg_name}"
        elif db != "sqlite":
            raise ValueError(db)

    def set_dkim(self, domain: str = "example.org", selector: str = "bench") -> None:
        """A fresh RSA-2048 key in VAR_DIR for DKIM signing."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        path = self.var_dir / "dkim.pem"
        path.write_bytes(pem)
        path.chmod(0o600)
        self.env.update(DKIM_DOMAIN=domain, DKIM_SELECTOR=selector, DKIM_PRIVATE_KEY_FILE=str(path))

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([PYTHON, MANAGE, *args], env=self.env, cwd=ROOT, check=check)

    def setup_script(self, *args: str) -> str:
        """bench/tadamun_setup.py under this instance's settings; its stdout (progress lines
        are passed through, the last line is returned)."""
        proc = subprocess.Popen(
            [PYTHON, str(BENCH / "tadamun_setup.py"), *args],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        last = ""
        for line in proc.stdout:
            line = line.rstrip("\n")
            if line.startswith("{"):
                last = line
            else:
                print(f"    {line}", flush=True)
        if proc.wait() != 0:
            raise RuntimeError(f"tadamun_setup.py {' '.join(args)} failed ({proc.returncode})")
        return last

    def spawn(self, *args: str, log: str) -> subprocess.Popen:
        out = open(self.var_dir / log, "ab")  # noqa: SIM115 (kept open for the child's life)
        proc = subprocess.Popen(
            [PYTHON, *args],
            env=self.env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append(proc)
        return proc

    def pids(self) -> list[int]:
        return process_tree([p.pid for p in self.procs if p.poll() is None])

    def alive(self) -> bool:
        return all(p.poll() is None for p in self.procs)

    def stop_all(self) -> None:
        for proc in self.procs:
            stop_process(proc)
        self.procs.clear()

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.var_dir / name
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def destroy(self) -> None:
        self.stop_all()
        if self.pg_name:
            import psycopg

            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
        shutil.rmtree(self.var_dir, ignore_errors=True)
