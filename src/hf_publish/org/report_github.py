"""The audit for GitHub Actions: one annotation per finding (worst first, capped: the runner shows
only the first few per step) and a Markdown job summary with the tables.

Every piece of untrusted text (repo names, card text quoted in messages, commit titles) goes through
the project's output-safety layer (`hf_publish.report`): annotations are built by
`workflow_command` (escaped as the runner unescapes them) and written with `emit_command`; the
summary's cells by `md_text` / `md_code` (no link, tag, table break or autolink can come out).
"""

from __future__ import annotations

import os
from typing import TextIO

from hf_publish.org.model import AuditResult
from hf_publish.org.storage import human_bytes
from hf_publish.report import emit_command, md_code, md_text, md_url, workflow_command

MAX_ANNOTATIONS = 50
MAX_SUMMARY_FINDINGS = 200
LARGEST = 10


def annotation_lines(result: AuditResult) -> list[str]:
    lines = []
    for finding in result.findings[:MAX_ANNOTATIONS]:
        where = f"{finding.type} {finding.repo}" + (
            f" ({finding.file}{':' + str(finding.line) if finding.line else ''})" if finding.file else ""
        )
        message = f"{where}: {finding.message}" + (f"\nfix: {finding.fix}" if finding.fix else "")
        lines.append(workflow_command(finding.severity, message, title=f"hf-publish org audit {finding.check}"))
    rest = len(result.findings) - MAX_ANNOTATIONS
    if rest > 0:
        lines.append(
            workflow_command(
                "notice", f"{rest} more finding(s): see the job summary and the report", title="hf-publish org audit"
            )
        )
    for note in result.access.notes:
        lines.append(workflow_command("notice", note, title="hf-publish org audit"))
    return lines


def _link(result: AuditResult, repo_type: str, repo_id: str) -> str:
    from hf_publish.publishing.hub import repo_url

    url = md_url(repo_url(result.endpoint, repo_id, repo_type))
    return f"[{md_text(repo_id)}]({url})" if url else md_code(repo_id)


def summary(result: AuditResult) -> str:
    counts = result.counts()
    storage = result.storage
    out = [f"## hf-publish org audit: {md_text(result.organization)}", ""]
    out.append(
        f"{len(result.repos)} repos; **{counts['error']} error(s)**, {counts['warning']} warning(s), "
        f"{counts['notice']} notice(s)."
    )
    lfs = result.lfs_counts()
    out.append(
        f"\nLFS rules: {lfs['read']} repo(s) from file metadata, {lfs['storage']} from storage (too small "
        f"to hold an over-limit file), {lfs['unchecked']} not checked."
    )
    for note in result.access.notes:
        out.append(f"\n> {md_text(note)}")
    out += [
        "",
        "### Storage",
        "",
        "| | bytes |",
        "|---|---|",
        (
            f"| private | {human_bytes(storage.private_bytes)} of {human_bytes(storage.quota_bytes)} "
            f"({storage.used_ratio:.1%}){' **over quota**' if storage.over_quota else ''} |"
        ),
        f"| public | {human_bytes(storage.public_bytes)} |",
        (
            f"| stale ({storage.stale_repos} private repos not updated in {result.policy.stale_after_days} days) | "
            f"{human_bytes(storage.stale_bytes)} would be freed |"
        ),
        "",
    ]
    largest = storage.largest(LARGEST)
    if largest:
        out += ["### Largest repos", "", "| repo | type | visibility | size | stale |", "|---|---|---|---|---|"]
        for row in largest:
            out.append(
                f"| {_link(result, row.type, row.id)} | {row.type} | {'private' if row.private else 'public'} | "
                f"{human_bytes(row.bytes)} | {'yes' if row.stale else ''} |"
            )
        out.append("")
    out += ["### Findings", ""]
    if result.findings:
        out += ["| severity | repo | check | message | fix |", "|---|---|---|---|---|"]
        for finding in result.findings[:MAX_SUMMARY_FINDINGS]:
            out.append(
                f"| {finding.severity} | {_link(result, finding.type, finding.repo)} | {md_text(finding.check)} | "
                f"{md_text(finding.message)} | {md_text(finding.fix)} |"
            )
        rest = len(result.findings) - MAX_SUMMARY_FINDINGS
        if rest > 0:
            out.append(f"\n{rest} more finding(s): see the HTML or JSON report.")
    else:
        out.append("None: every repo follows the policy.")
    out += ["", f"### Activity in the last {result.since_days:g} days", ""]
    if result.activity:
        out += ["| when | repo | last commit | by |", "|---|---|---|---|"]
        for repo in result.activity:
            commit = repo.last_commit
            when = f"{repo.last_modified:%Y-%m-%d %H:%M}" if repo.last_modified else ""
            out.append(
                f"| {when} | {_link(result, repo.type, repo.id)} | {md_text(commit.title) if commit else ''} | "
                f"{md_text(', '.join(commit.authors)) if commit else ''} |"
            )
    else:
        out.append("No repo changed.")
    return "\n".join(out) + "\n"


def emit(result: AuditResult, stream: TextIO | None = None, summary_path: str | None = None) -> str:
    """Write the annotations as real workflow commands; append the summary to $GITHUB_STEP_SUMMARY
    (or `summary_path`). Returns the summary's Markdown."""
    for line in annotation_lines(result):
        emit_command(line, stream)
    markdown = summary(result)
    target = summary_path or os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(markdown)
    return markdown
