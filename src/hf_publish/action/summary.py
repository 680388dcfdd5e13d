"""What the Action writes besides the log: step outputs ($GITHUB_OUTPUT) and the Markdown job
summary ($GITHUB_STEP_SUMMARY). Every piece of untrusted text goes through `report.md_*`.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from hf_publish.action.decide import Decision
from hf_publish.findings import Finding, sort_findings
from hf_publish.report import md_code, md_text, md_url, workflow_command

TITLE = "hf-publish"


def command_line(kind: str, message: str, **props: str) -> str:
    """`::error title=hf-publish::message` with both parts escaped."""
    props.setdefault("title", TITLE)
    return workflow_command(kind, message, **props)


def format_outputs(outputs: Mapping[str, str]) -> str:
    """$GITHUB_OUTPUT text: every value in heredoc form with a random delimiter (any value is safe)."""
    chunks = []
    for name, value in outputs.items():
        delimiter = f"ghadelim_{uuid.uuid4().hex}"
        chunks.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    return "".join(chunks)


def outputs_for(results: Sequence[dict[str, Any]]) -> dict[str, str]:
    """The action's outputs from publish results: one line per repo where there are several."""

    def lines(key: str) -> str:
        return "\n".join(str(r.get(key) or "") for r in results) if any(r.get(key) for r in results) else ""

    from hf_publish.org.action import audit_outputs

    tags = [r.get("tag") for r in results if r.get("tag")]
    return {
        **audit_outputs(),
        "repo-url": lines("repo_url"),
        "commit-sha": lines("commit_sha"),
        "commit-url": lines("commit_url"),
        "pr-url": lines("pr_url"),
        "tag": str(tags[0]) if tags else "",
        "changed": "true" if any(r.get("changed") and not r.get("dry_run") for r in results) else "false",
        "plan": json.dumps(list(results), separators=(",", ":"), ensure_ascii=False),
    }


def _plan_counts(plan: Any) -> str:
    if not isinstance(plan, dict):
        return ""
    parts = []
    for key, sign in (
        ("add", "+"),
        ("added", "+"),
        ("update", "~"),
        ("updated", "~"),
        ("delete", "-"),
        ("deleted", "-"),
    ):
        value = plan.get(key)
        if isinstance(value, (list, tuple)):
            parts.append(f"{sign}{len(value)}")
        elif isinstance(value, int) and not isinstance(value, bool):
            parts.append(f"{sign}{value}")
    return " ".join(parts)


def _link(text: str, url: Any) -> str:
    """`[text](url)` for an http(s) URL, else the text alone; `text` is already Markdown."""
    safe = md_url(url)
    return f"[{text}]({safe})" if safe else text


def render_summary(
    decision: Decision,
    check_ids: Sequence[str],
    findings: Sequence[Finding],
    results: Sequence[dict[str, Any]],
    *,
    published: bool,
    message: str = "",
) -> str:
    """The Markdown job summary: checks table, findings, publish plan, links to the Hub.

    Every piece of untrusted text (paths, messages, repo ids, tags, URLs, Hub answers) goes through
    `md_text` / `md_code` / `md_url`: no link, image, HTML tag or table break can come from it."""
    out = [f"## hf-publish: {decision.mode}", "", f"Why: {md_text(decision.reason)}.", ""]
    if message:
        out += [md_text(message), ""]
    out += ["### Checks", "", "| check | result |", "|---|---|"]
    for check_id in check_ids:
        mine = [f for f in findings if f.check == check_id]
        errors = sum(f.is_error for f in mine)
        warnings = sum(f.severity == "warning" for f in mine)
        if errors:
            result = f"❌ {errors} error(s)" + (f", {warnings} warning(s)" if warnings else "")
        elif warnings:
            result = f"⚠️ {warnings} warning(s)"
        else:
            result = "✅ passed"
        out.append(f"| `{check_id}` | {result} |")  # our own ids
    shown = [f for f in sort_findings(list(findings)) if f.severity != "notice"]
    if shown:
        out += ["", "| severity | file | line | check | message |", "|---|---|---|---|---|"]
        for f in shown[:50]:
            fix = f" (fix: {f.fix})" if f.fix else ""
            out.append(
                f"| {f.severity} | {md_code(f.path or '.')} | {f.line or ''} | {md_text(f.check)} | "
                f"{md_text(f.message + fix)} |"
            )
        if len(shown) > 50:
            out.append(f"\n…and {len(shown) - 50} more (see the annotations).")
    if published or results:
        out += ["", "### Publish", "", "| repo | changed | commit | tag | plan |", "|---|---|---|---|---|"]
        for r in results:
            url = r.get("repo_url") or ""
            repo = _link(md_text(r.get("repo_id", "?")), url)
            sha = str(r.get("commit_sha") or "")
            short = f"`{sha[:8]}`" if re.fullmatch(r"[0-9a-f]{8,64}", sha) else md_code(sha[:8])
            commit = _link(short, r.get("commit_url")) if sha else ""
            if r.get("pr_url"):
                commit += " (" + _link("pull request", r.get("pr_url")) + ")"
            tag = str(r.get("tag") or "")
            tag_url = f"{url}/tree/{tag}" if tag and url and re.fullmatch(r"[A-Za-z0-9._+-]+", tag) else None
            tag_cell = _link(md_code(tag), tag_url) if tag else ""
            changed = "dry run" if r.get("dry_run") else ("yes" if r.get("changed") else "no change")
            if r.get("created"):
                changed += " (repo created)"
            out.append(f"| {repo} | {changed} | {commit} | {tag_cell} | {_plan_counts(r.get('plan'))} |")
        plans = [r for r in results if r.get("plan")]
        if plans:
            # Inside a fenced block nothing renders, so the JSON only has to keep the fence closed.
            text = (
                json.dumps(
                    [{"repo_id": r.get("repo_id"), "plan": r.get("plan")} for r in plans], indent=2, ensure_ascii=True
                )
                .replace("`", "\\u0060")
                .replace("<", "\\u003c")
            )
            out += ["", "<details><summary>Plan (JSON)</summary>", "", "```json", text, "```", "", "</details>"]
    return "\n".join(out) + "\n"
