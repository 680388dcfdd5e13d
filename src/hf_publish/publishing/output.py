"""What a publish produced and how it is shown: `PublishResult` / `PublishReport` (their `to_dict`
is the stable JSON shape), the plan's lines and the results table (text output)."""

from __future__ import annotations

from typing import Any

from hf_publish._record import Record, field
from hf_publish.findings import Finding, sort_findings
from hf_publish.publishing.plan import Plan
from hf_publish.publishing.preflight import Verdict


class PublishResult(Record, frozen=False):
    """What happened to one repo. `to_dict` is the stable JSON shape (see README, section Publishing)."""

    repo_id: str
    repo_type: str
    repo_url: str
    plan: Plan
    commit_sha: str | None = None
    commit_url: str | None = None
    pr_url: str | None = None
    tag: str | None = None
    changed: bool = False
    created: bool = False
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)
    verdict: Verdict | None = None
    attempts: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "repo_id": self.repo_id,
            "repo_type": self.repo_type,
            "repo_url": self.repo_url,
            "commit_sha": self.commit_sha,
            "commit_url": self.commit_url,
            "pr_url": self.pr_url,
            "tag": self.tag,
            "changed": self.changed,
            "created": self.created,
            "dry_run": self.dry_run,
            "plan": self.plan.to_dict(),
        }


class PublishReport(Record, frozen=False):
    results: list[PublishResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "results": [r.to_dict() for r in self.results],
            "findings": [f.to_dict() for f in sort_findings(self.findings)],
        }


def human_bytes(size: int) -> str:
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"


def format_plan(plan: Plan, limit: int = 50) -> list[str]:
    out = []
    for change in plan.changes[:limit]:
        kind = "LFS" if change.lfs else "regular"
        out.append(f"  {change.action:<7}{kind:<8}{human_bytes(change.size):>10}  {change.path}")
    if len(plan.changes) > limit:
        out.append(f"  ... and {len(plan.changes) - limit} more")
    t = plan.totals()
    out.append(
        f"  totals: {t['add']} add, {t['update']} update, {t['delete']} delete, {t['unchanged']} unchanged; "
        f"upload {human_bytes(t['upload_bytes'])} ({human_bytes(t['upload_lfs_bytes'])} LFS)"
    )
    return out


def format_results(report: PublishReport) -> str:
    """A short table, one row per repo, then each repo's plan and notes."""
    rows = [("REPO", "RESULT", "COMMIT", "+ ~ -", "UPLOAD", "TAG")]
    for r in report.results:
        t = r.plan.totals()
        if r.dry_run:
            outcome = "dry run: " + ("would change" if r.changed else "no change")
        elif r.pr_url:
            outcome = "pull request"
        else:
            outcome = ("created, " if r.created else "") + ("committed" if r.changed else "no change")
        rows.append(
            (
                f"{r.repo_id}" + ("" if r.repo_type == "model" else f" ({r.repo_type})"),
                outcome,
                (r.commit_sha or "-")[:12],
                f"{t['add']} {t['update']} {t['delete']}",
                human_bytes(t["upload_bytes"]),
                r.tag or "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    for r in report.results:
        if r.plan.changes or r.notes or r.pr_url:
            lines.append("")
            lines.append(f"{r.repo_id}:" + (f" {r.commit_url}" if r.commit_url and r.changed else ""))
            if r.pr_url:
                lines.append(f"  pull request: {r.pr_url}")
            if r.plan.changes:
                lines.extend(format_plan(r.plan))
            lines.extend(f"  note: {note}" for note in r.notes)
    return "\n".join(lines)
