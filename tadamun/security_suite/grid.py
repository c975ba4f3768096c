"""The authorization grid's bookkeeping: every cell tried (a role × a kind of object × an action
× a way to reach it) is recorded with what it was expected to give and what it gave, so each test
module can print its figures and fail on a single leak, and the session can print the totals.

A *leak* is a cell that gave access (or showed the object) where it should not have. A cell that
refused where it should have allowed is *wrongly refused*: not a leak, but still a failure — a
grid that refuses everything proves nothing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

WAYS = ("page", "htmx", "api", "feed", "search", "e-mail", "export", "download")

# Every grid made in this process, for the session's totals (security_suite/conftest.py).
REGISTRY: list[Grid] = []


@dataclass(frozen=True)
class Cell:
    role: str
    kind: str
    action: str
    way: str
    expected: bool
    got: bool
    detail: str = ""

    @property
    def leaked(self) -> bool:
        return self.got and not self.expected

    @property
    def wrongly_refused(self) -> bool:
        return self.expected and not self.got


@dataclass
class Grid:
    name: str
    cells: list[Cell] = field(default_factory=list)

    def __post_init__(self):
        REGISTRY.append(self)

    def record(
        self,
        *,
        role: str,
        kind: str,
        action: str,
        way: str,
        expected: bool,
        got: bool,
        detail: str = "",
    ) -> Cell:
        if way not in WAYS:
            raise ValueError(f"unknown way {way!r}; one of {WAYS}")
        cell = Cell(role, kind, action, way, bool(expected), bool(got), detail)
        self.cells.append(cell)
        return cell

    @property
    def leaks(self) -> list[Cell]:
        return [cell for cell in self.cells if cell.leaked]

    @property
    def refusals(self) -> list[Cell]:
        return [cell for cell in self.cells if cell.wrongly_refused]

    def summary(self) -> str:
        ways = Counter(cell.way for cell in self.cells)
        roles = {cell.role for cell in self.cells}
        kinds = {cell.kind for cell in self.cells}
        lines = [
            f"[grid] {self.name}: {len(self.cells):,} cells tried "
            f"({len(roles)} roles × {len(kinds)} kinds of object), "
            f"{len(self.leaks)} leaked, {len(self.refusals)} wrongly refused",
            "  by way: " + ", ".join(f"{way} {ways[way]:,}" for way in WAYS if ways[way]),
        ]
        for cell in (self.leaks + self.refusals)[:20]:
            what = "LEAK" if cell.leaked else "REFUSED"
            lines.append(
                f"  {what}: {cell.role} / {cell.kind} / {cell.action} / {cell.way} {cell.detail}"
            )
        return "\n".join(lines)

    def check(self) -> None:
        """Print the figures and fail on any leak or wrong refusal."""
        print("\n" + self.summary())
        assert not self.leaks, self.summary()
        assert not self.refusals, self.summary()
        assert self.cells, f"{self.name}: no cell was tried"


def totals() -> str:
    cells = [cell for grid in REGISTRY for cell in grid.cells]
    if not cells:
        return ""
    ways = Counter(cell.way for cell in cells)
    return (
        f"Authorization grid: {len(cells):,} cells tried in {len(REGISTRY)} grids, "
        f"{sum(cell.leaked for cell in cells)} leaked, "
        f"{sum(cell.wrongly_refused for cell in cells)} wrongly refused — "
        f"roles {len({cell.role for cell in cells})}, "
        f"kinds of object {len({cell.kind for cell in cells})}, "
        f"actions {len({(cell.kind, cell.action) for cell in cells})}; by way: "
        + ", ".join(f"{way} {ways[way]:,}" for way in WAYS if ways[way])
    )
