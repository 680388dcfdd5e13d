"""Reporters: findings as text, GitHub workflow commands, or JSON."""

from __future__ import annotations

import json
from typing import Iterable

from hf_publish.findings import Finding, sort_findings

FORMATS = ("text", "github", "json")


def format_findings(findings: Iterable[Finding], fmt: str) -> str:
    findings = sort_findings(list(findings))
    if fmt == "json":
        return json.dumps({"findings": [f.to_dict() for f in findings]}, indent=2, ensure_ascii=False)
    if fmt == "github":
        return "\n".join(github_annotation(f) for f in findings)
    return "\n".join(text_line(f) for f in findings)


def text_line(finding: Finding) -> str:
    """`path:line: [check] message` and, indented below, the fix."""
    place = printable(finding.path) or "."
    if finding.line:
        place += f":{finding.line}"
    label = "" if finding.severity == "error" else f"{finding.severity}: "
    out = f"{place}: [{finding.check}] {label}{finding.message}"
    if finding.fix:
        out += f"\n    fix: {finding.fix}"
    return out


def printable(path: str) -> str:
    """A path with control characters escaped (`a\\nb`), so a crafted file name cannot print
    what looks like another finding line."""
    if path.isprintable():
        return path
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in path)


def escape_data(value: str) -> str:
    """Escape a workflow-command message the way the runner unescapes it."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a workflow-command property (file=, title=): also ':' and ','."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github_annotation(finding: Finding) -> str:
    """`::error file=F,line=L,title=T::message` (warning/notice by severity)."""
    props = []
    if finding.path:
        props.append(f"file={escape_property(finding.path)}")
    if finding.line:
        props.append(f"line={finding.line}")
    props.append(f"title={escape_property(f'hf-publish {finding.check}')}")
    message = finding.message + (f"\nfix: {finding.fix}" if finding.fix else "")
    return f"::{finding.severity} {','.join(props)}::{escape_data(message)}"


def summary_line(findings: list[Finding]) -> str:
    errors = sum(f.is_error for f in findings)
    others = len(findings) - errors
    if not errors:
        return "hf-publish: all checks passed" + (f" ({others} note(s))" if others else "")
    text = f"hf-publish: {errors} error(s)"
    return text + (f", {others} warning(s)/note(s)" if others else "")
