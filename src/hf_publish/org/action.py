"""The Action's `mode: audit`: the org audit inside GitHub Actions.

Reads the audit inputs (INPUT_ORGANIZATION, INPUT_AUDIT_REPORT, INPUT_FAIL_ON), runs the read-only
audit with the token input (a read token is enough; none on pull-request events: public repos
only, and the report says so), writes annotations (worst first, capped) and the job summary, saves
the HTML report for `actions/upload-artifact`, and sets the `audit-report` and `audit-findings`
outputs next to the action's other outputs (empty there).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hf_publish.errors import UsageError
from hf_publish.policy.model import Policy

DEFAULT_REPORT = "hf-publish-audit.html"
FAIL_ON = ("error", "warning", "never")


def audit_outputs(report: str = "", counts: Mapping[str, int] | None = None) -> dict[str, str]:
    """The audit's outputs: empty on every other mode."""
    return {
        "audit-report": report,
        "audit-findings": json.dumps(dict(counts), separators=(",", ":")) if counts is not None else "",
    }


def run_audit_mode(
    policy: Policy, env: Mapping[str, str], runner: Any, base: Path, token: str, endpoint: str | None
) -> tuple[int, dict[str, str]]:
    """Returns (exit code, the audit outputs). `runner` is action.Runner (say/command/summary)."""
    from hf_publish.org import report_github, report_html
    from hf_publish.org.audit import AuditOptions, run_audit
    from hf_publish.org.cli import exit_code
    from hf_publish.publishing.hub import make_api
    from hf_publish.safewrite import write_file

    organization = env.get("INPUT_ORGANIZATION", "").strip() or policy.organization
    if not organization:
        raise UsageError(
            "mode audit: no organization. Next: set the `organization` input, or `organization:` in the policy"
        )
    fail_on = env.get("INPUT_FAIL_ON", "error").strip().lower() or "error"
    if fail_on not in FAIL_ON:
        raise UsageError(
            f"fail-on input: {fail_on!r} is not one of {', '.join(FAIL_ON)}. Next: set fail-on to one of them"
        )
    report = Path(env.get("INPUT_AUDIT_REPORT", "").strip() or DEFAULT_REPORT)
    if not report.is_absolute():
        report = base / report
    if not report.parent.is_dir():
        raise UsageError(
            f"audit-report input: the folder {report.parent} does not exist. Next: create it in an earlier step, or name a file in the workspace"
        )
    api = make_api(endpoint or None, token or None)
    runner.say(f"hf-publish: audit of {organization} on {api.endpoint} (read-only)")
    result = run_audit(policy, AuditOptions(organization=organization, token=token or None), api)
    for line in report_github.annotation_lines(result):
        runner.command(line)
    runner.summary(report_github.summary(result))
    write_file(report, report_html.render(result).encode("utf-8"), what="the audit report")
    counts = result.counts()
    runner.say(
        f"hf-publish: {counts['error']} error(s), {counts['warning']} warning(s), {counts['notice']} notice(s); "
        f"HTML report: {report}"
    )
    return exit_code(counts, fail_on), audit_outputs(str(report), counts)
