"""The figures and the verdict of `scripts/scan` (wapiti and sqlmap against the running site).

    python -m tadamun.security_suite.scan_report WORK_DIR [--seconds N]

Reads what scripts/scan left in WORK_DIR: wapiti's JSON reports and session databases
(`wapiti-<run>.json`, `wapiti-<run>/*.db`), sqlmap's CSV results, logs and traffic files
(`sqlmap-<run>.csv`, `sqlmap-<run>.log`) and the server's access log
(`access.log`, one line per request: status, request line, user agent). Prints requests sent,
URLs and parameters tested and findings by severity, and exits 1 on any finding of medium
severity or worse, or when a scanner left no report (a scan that did not run proves nothing).

Severities: wapiti's own levels (4 critical, 3 high, 2 medium, 1 low, 0 info) for its
vulnerabilities and anomalies; an injectable parameter found by sqlmap is high; a response
5xx to a scanner's request is medium (an unhandled error that an attacker can trigger at will).
A scanner whose requests were mostly refused (403/405: the CSRF check, a wrong method) counts
as not run.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sqlite3
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

SEVERITIES = ("critical", "high", "medium", "low", "info")
FAILING = {"critical", "high", "medium"}
WAPITI_LEVELS = {4: "critical", 3: "high", 2: "medium", 1: "low", 0: "info"}
WAPITI_RUNS = ("anonymous", "member")
SQLMAP_RUNS = ("get", "member", "forms")
ACCESS_LINE = re.compile(r'^(?P<status>\d{3}) "(?P<request>[^"]*)" "(?P<agent>[^"]*)"$')
SQLMAP_PARAMETER = re.compile(
    r"(?:testing|heuristic|parameter)[^\n]*?\b(?P<place>GET|POST|Cookie|User-Agent|Referer|Host)"
    r" parameter '(?P<name>[^']+)'"
)
SQLMAP_TARGET = re.compile(
    r"testing URL '(?P<url>https?://[^']+)'|^(?:GET|POST) (?P<form>https?://\S+)"
)


@dataclass(frozen=True)
class Finding:
    tool: str
    severity: str
    category: str
    where: str
    detail: str


@dataclass
class Figures:
    requests: Counter = field(default_factory=Counter)  # per scanner run, from the access log
    statuses: dict[str, Counter] = field(default_factory=dict)
    refused: Counter = field(default_factory=Counter)  # 403 and 405 answers per run
    urls: dict[str, int] = field(default_factory=dict)  # URLs and forms per run
    parameters: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------- wapiti


def read_wapiti(work: Path, run: str, figures: Figures) -> None:
    report = work / f"wapiti-{run}.json"
    if not report.exists():
        figures.missing.append(f"{report.name} missing (wapiti did not finish)")
        return
    data = json.loads(report.read_text())
    for section in ("vulnerabilities", "anomalies", "additionals"):
        for category, items in (data.get(section) or {}).items():
            for item in items:
                severity = WAPITI_LEVELS.get(int(item.get("level") or 0), "info")
                where = f"{item.get('method', '')} {item.get('path', '')}".strip()
                if item.get("parameter"):
                    where += f" [{item['parameter']}]"
                figures.findings.append(
                    Finding(f"wapiti-{run}", severity, category, where, item.get("info", ""))
                )
    databases = sorted((work / f"wapiti-{run}").glob("*.db"))
    if databases:
        with sqlite3.connect(databases[0]) as db:
            figures.urls[f"wapiti-{run}"] = db.execute(
                "SELECT count(*) FROM paths WHERE evil = 0"
            ).fetchone()[0]
            figures.parameters[f"wapiti-{run}"] = db.execute(
                "SELECT count(DISTINCT t.method || ' ' || t.path || ' ' || p.type || ' ' || p.name)"
                " FROM params p JOIN paths t ON p.path_id = t.path_id WHERE t.evil = 0"
            ).fetchone()[0]


# ---------------------------------------------------------------------------------- sqlmap


def read_sqlmap(work: Path, figures: Figures) -> None:
    for run in SQLMAP_RUNS:
        results = work / f"sqlmap-{run}.csv"
        if not results.exists():
            figures.missing.append(f"{results.name} missing (sqlmap did not finish)")
            continue
        with results.open(newline="") as handle:
            for row in csv.DictReader(handle):
                if not row.get("Parameter"):
                    continue
                where = f"{row.get('Target URL', '')} [{row.get('Place', '')} {row['Parameter']}]"
                how = f"techniques {row.get('Technique(s)', '')} {row.get('Note(s)', '')}"
                figures.findings.append(
                    Finding(f"sqlmap-{run}", "high", "SQL injection", where, how.strip())
                )
    for run in SQLMAP_RUNS:
        log = work / f"sqlmap-{run}.log"
        if not log.exists():
            continue
        tested = set()
        target = ""
        for line in log.read_text(errors="replace").splitlines():
            if found := SQLMAP_TARGET.search(line):
                target = (found.group("url") or found.group("form")).split("?")[0]
            for match in SQLMAP_PARAMETER.finditer(line):
                tested.add((target, match.group("place"), match.group("name")))
            if "[CRITICAL]" in line:
                figures.findings.append(Finding(f"sqlmap-{run}", "info", "sqlmap", "", line))
        figures.parameters[f"sqlmap-{run}"] = len(tested)
        figures.urls[f"sqlmap-{run}"] = len({target for target, _place, _name in tested})


# ------------------------------------------------------------------------------ access log


def read_access_log(work: Path, figures: Figures) -> None:
    log = work / "access.log"
    if not log.exists():
        figures.missing.append(f"{log.name} missing")
        return
    for line in log.read_text(errors="replace").splitlines():
        match = ACCESS_LINE.match(line.strip())
        if not match:
            continue
        agent = match.group("agent")
        run = agent.removeprefix("tadamun-scan/") if agent.startswith("tadamun-scan/") else ""
        run = run or "other"
        figures.requests[run] += 1
        status = match.group("status")
        figures.statuses.setdefault(run, Counter())[status[0] + "xx"] += 1
        if status in {"403", "405"}:
            figures.refused[run] += 1
        if status.startswith("5") and run != "other":
            figures.findings.append(
                Finding(run, "medium", f"HTTP {status}", match.group("request")[:300], "")
            )


# ---------------------------------------------------------------------------------- report


def check_refusals(figures: Figures) -> None:
    """A scanner whose requests were nearly all refused (403: CSRF, 405) tested nothing but
    the refusal: its clean result would be a false comfort, so it counts as not run."""
    for run, statuses in figures.statuses.items():
        total = sum(statuses.values())
        refused = figures.refused.get(run, 0)
        if run != "other" and total >= 50 and refused / total > 0.4:
            figures.missing.append(f"{run} ({refused} of {total} requests refused with 403/405)")


def collect(work: Path) -> Figures:
    figures = Figures()
    for run in WAPITI_RUNS:
        read_wapiti(work, run, figures)
    read_sqlmap(work, figures)
    read_access_log(work, figures)
    check_refusals(figures)
    return figures


def render(figures: Figures, seconds: int | None = None) -> str:
    lines = ["", "== scan report"]
    total = sum(figures.requests.values())
    lines.append(f"requests received by the site: {total}")
    for run, count in sorted(figures.requests.items()):
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(figures.statuses.get(run, {}).items()))
        lines.append(f"  {run:<18} {count:>6}  ({statuses})")
    for name in sorted(set(figures.urls) | set(figures.parameters)):
        lines.append(
            f"{name}: {figures.urls.get(name, 0)} URLs and forms, "
            f"{figures.parameters.get(name, 0)} parameters tested"
        )
    counts = Counter(finding.severity for finding in figures.findings)
    lines.append(
        "findings by severity: " + ", ".join(f"{s} {counts.get(s, 0)}" for s in SEVERITIES)
    )
    grouped = Counter((f.severity, f.tool, f.category, f.where, f.detail) for f in figures.findings)
    for (severity, tool, category, where, detail), n in sorted(
        grouped.items(), key=lambda item: (SEVERITIES.index(item[0][0]), item[0][1:])
    ):
        times = f" ×{n}" if n > 1 else ""
        lines.append(f"  [{severity}] {tool}: {category}: {where} {detail}{times}".rstrip())
    for name in figures.missing:
        lines.append(f"not a valid scan: {name}")
    if seconds is not None:
        lines.append(f"scan time: {seconds} s")
    return "\n".join(lines)


def verdict(figures: Figures) -> int:
    failing = [f for f in figures.findings if f.severity in FAILING]
    return 1 if failing or figures.missing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("work", type=Path)
    parser.add_argument("--seconds", type=int, default=None)
    args = parser.parse_args(argv)
    figures = collect(args.work)
    print(render(figures, args.seconds))
    code = verdict(figures)
    print(
        "scan: FAILED (a finding of medium severity or worse, or a missing report)"
        if code
        else "scan: passed (no finding of medium severity or worse)"
    )
    return code


if __name__ == "__main__":
    sys.exit(main())
