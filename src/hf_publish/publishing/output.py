"""How a publish is shown to a person: the plan's lines and the results table (text output).
The JSON shape is `PublishReport.to_dict` (publishing.run)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hf_publish.publishing.plan import Plan

if TYPE_CHECKING:
    from hf_publish.publishing.run import PublishReport


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
    out.append(f"  totals: {t['add']} add, {t['update']} update, {t['delete']} delete, {t['unchanged']} unchanged; "
               f"upload {human_bytes(t['upload_bytes'])} ({human_bytes(t['upload_lfs_bytes'])} LFS)")
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
        rows.append((f"{r.repo_id}" + ("" if r.repo_type == "model" else f" ({r.repo_type})"), outcome,
                     (r.commit_sha or "-")[:12], f"{t['add']} {t['update']} {t['delete']}",
                     human_bytes(t["upload_bytes"]), r.tag or "-"))
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
