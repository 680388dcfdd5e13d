"""`config`: the policy file itself is valid.

Every other command refuses to run with an invalid policy (exit 2, one line); this check is the
one place its problems are reported, as findings (exit 1: `cli._invalid_policy`), so a broken
policy is not printed once per hook. Other policy files named on the command line (e.g. a second
project's) are validated too.
"""

from __future__ import annotations

from pathlib import Path

from hf_publish.checks import CheckContext
from hf_publish.findings import Finding
from hf_publish.policy import parse_policy_text

CHECK_ID = "config"
POLICY_NAMES = (".hf-publish.yaml", ".hf-publish.yml")


def check_policy_bytes(raw: bytes, path: str) -> list[Finding]:
    """Every problem in one policy file, each at its line."""
    findings, _ = parse_policy_text(raw, path)
    return findings


def run(ctx: CheckContext) -> list[Finding]:
    targets: list[tuple[Path, str]] = []
    if ctx.files is not None:
        targets = [(ctx.root / f, f) for f in ctx.files if Path(f).name in POLICY_NAMES]
    elif ctx.policy_path is not None:
        targets = [(ctx.policy_path, ctx.policy.source or str(ctx.policy_path))]
    findings: list[Finding] = []
    for path, shown in targets:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            findings.append(Finding(CHECK_ID, shown, None, f"cannot read policy file: {exc.strerror}",
                                    "check the path and its permissions"))
            continue
        findings.extend(check_policy_bytes(raw, shown))
    return findings
