"""The one result type every check returns."""

from __future__ import annotations

from hf_publish._record import Record, asdict

TYPE_CHECKING = False  # typing is not imported at run time (a hook would pay ~2.5 ms)
if TYPE_CHECKING:
    from typing import Any, Literal

    Severity = Literal["error", "warning", "notice"]
SEVERITY_RANK = {"error": 0, "warning": 1, "notice": 2}
# The rule of the notice a `--fix` writes when it changed files (the run then exits 1).
FIXED_RULE = "fixed"


class Finding(Record):
    """One problem (or note) at a place in the repo.

    `path` is relative to the git root with forward slashes ("" when the finding is about the
    repo as a whole, e.g. the current branch); `line` is 1-based or None. `severity`: "error"
    fails the run; "warning" (the Hub accepts it, but something reads it wrong or the page
    degrades) prints and passes unless the run is strict; "notice" only informs. `rule` names
    the rule within its check where there is a catalogue of them (model-card: hf_publish.cards.rules).
    """

    check: str
    path: str
    line: int | None
    message: str
    fix: str = ""
    severity: Severity = "error"
    rule: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def shell_quote(word: str) -> str:
    """`word` quoted for the shell command of a `fix` (shlex.quote, imported only when a finding
    is written: a hook that finds nothing does not load shlex)."""
    import shlex

    return shlex.quote(word)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Worst first, then by place: what a reader should fix first comes first."""
    return sorted(
        findings,
        key=lambda f: (SEVERITY_RANK[f.severity], f.path, f.line or 0, f.check, f.message),
    )


def has_errors(findings: list[Finding], strict: bool = False) -> bool:
    """Whether the findings fail the run: any error, or with `strict` any warning too."""
    failing = ("error", "warning") if strict else ("error",)
    return any(f.severity in failing for f in findings)
