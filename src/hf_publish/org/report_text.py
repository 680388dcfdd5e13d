"""The audit as text for a terminal: findings grouped by repo, storage against the quota, the
largest and the stale repos, recent activity. Untrusted text (repo names, card text in messages,
commit titles) goes through `report.printable`, so a crafted name cannot draw a fake line."""

from __future__ import annotations

from hf_publish.org.model import AuditResult
from hf_publish.org.storage import human_bytes
from hf_publish.report import printable

LARGEST = 10
LABEL = {"error": "error", "warning": "warning", "notice": "notice"}


def _table(rows: list[list[str]], indent: str = "  ") -> list[str]:
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [indent + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render(result: AuditResult) -> str:
    out: list[str] = []
    by_type = ", ".join(_plural(sum(r.type == t for r in result.repos), t) for t in result.types)
    out.append(
        f"hf-publish org audit: {printable(result.organization)} on {printable(result.endpoint)}: "
        f"{_plural(len(result.repos), 'repo')} ({by_type})"
    )
    for note in result.access.notes:
        out.append(f"note: {printable(note)}")
    lfs = result.lfs_counts()
    out.append(
        f"LFS rules: {_plural(lfs['read'], 'repo')} from file metadata, {lfs['storage']} from storage "
        f"(too small to hold an over-limit file), {lfs['unchecked']} not checked"
    )
    out.append("")

    out.append("Findings")
    if not result.findings:
        out.append("  none: every repo follows the policy")
    current = None
    rank = {"error": 0, "warning": 1, "notice": 2}
    for finding in sorted(result.findings, key=lambda f: (f.type, f.repo.lower(), rank[f.severity])):
        key = (finding.type, finding.repo)
        if key != current:
            current = key
            out.append(f"  {finding.type} {printable(finding.repo)}")
        place = f" {printable(finding.file)}{':' + str(finding.line) if finding.line else ''}" if finding.file else ""
        out.append(f"    {LABEL[finding.severity]}: [{finding.check}]{place} {printable(finding.message)}")
        if finding.fix:
            out.append(f"      fix: {printable(finding.fix)}")
    out.append("")

    storage = result.storage
    quota = human_bytes(storage.quota_bytes)
    plan = storage.plan + (f", {storage.seats} seats" if storage.plan != "free" else "")
    out.append(
        f"Storage (plan {plan}: {quota} private; from the {'storage listing' if storage.source == 'settings' else 'repo listing'})"
    )
    over = "  OVER QUOTA" if storage.over_quota else ""
    out.append(
        f"  private {human_bytes(storage.private_bytes)} of {quota} ({storage.used_ratio:.1%}){over}; "
        f"public {human_bytes(storage.public_bytes)}; total {human_bytes(storage.total_bytes)}"
    )
    largest = storage.largest(LARGEST)
    if largest:
        out.append("  largest repos:")
        rows = [["SIZE", "TYPE", "VISIBILITY", "REPO", ""]]
        for row in largest:
            rows.append(
                [
                    human_bytes(row.bytes),
                    row.type,
                    "private" if row.private else "public",
                    printable(row.id),
                    "stale" if row.stale else "",
                ]
            )
        out.extend(_table(rows, "    "))
    days = result.policy.stale_after_days
    if storage.stale_repos:
        out.append(
            f"  stale: {_plural(storage.stale_repos, 'private repo')} not updated in {days} days would free "
            f"{human_bytes(storage.stale_bytes)} ({storage.stale_bytes / storage.quota_bytes:.1%} of the quota)"
        )
    else:
        out.append(f"  stale: no private repo is older than {days} days")
    out.append("")

    since = f"{result.since_days:g} day{'' if result.since_days == 1 else 's'}"
    out.append(f"Activity in the last {since}")
    if not result.activity:
        out.append("  no repo changed")
    rows = []
    for repo in result.activity:
        commit = repo.last_commit
        when = f"{repo.last_modified:%Y-%m-%d %H:%M}" if repo.last_modified else "?"
        title = printable(commit.title) if commit else ""
        who = printable(", ".join(commit.authors)) if commit and commit.authors else ""
        rows.append([when, repo.type, printable(repo.id), title + (f" ({who})" if who else "")])
    out.extend(_table(rows))
    out.append("")
    counts = result.counts()
    out.append("hf-publish: " + ", ".join(f"{counts[s]} {s}(s)" for s in ("error", "warning", "notice")))
    return "\n".join(out) + "\n"
