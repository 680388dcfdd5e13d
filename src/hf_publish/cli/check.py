"""`hf-publish check`: run the commit-time checks and print every finding."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from hf_publish.checks.registry import CHECK_IDS
from hf_publish.errors import EXIT_FINDINGS, EXIT_OK, PolicyError
from hf_publish.findings import FIXED_RULE, Finding

if TYPE_CHECKING:
    from hf_publish.tokens import Redactor


def split_targets(targets: Sequence[str]) -> tuple[list[str], list[str]]:
    """Leading check ids are checks; everything from the first non-id on is a file."""
    checks: list[str] = []
    for index, target in enumerate(targets):
        if target in CHECK_IDS and len(checks) == index:
            checks.append(target)
    return checks, list(targets[len(checks) :])


def command_check(args: argparse.Namespace, *, redactor: Redactor | None = None) -> int:
    from hf_publish.checks._inputs import CheckContext
    from hf_publish.checks.registry import run_checks
    from hf_publish.findings import Finding
    from hf_publish.policy.load import locate
    from hf_publish.policy.model import POLICY_FILENAME, Policy
    from hf_publish.report import default_format

    check_ids, files = split_targets(args.targets)
    cwd = Path.cwd()
    fmt = default_format(args.format)
    try:
        located = locate(cwd, args.config)
    except PolicyError as exc:
        if check_ids != ["config"]:
            raise  # the other checks cannot run on an invalid policy: exit 2
        # The `config` hook reports an invalid policy as findings (exit 1), like every other check.
        findings = list(exc.findings) or [
            Finding(
                "config",
                args.config or POLICY_FILENAME,
                None,
                str(exc),
                "check the path given to --config, and that the file is readable",
            )
        ]
        from hf_publish import _git

        root = Path(_git.find_root(cwd) or cwd).resolve()
        if files:
            ctx = CheckContext(
                root=root,
                policy=Policy(),
                policy_path=None,
                files=tuple(_relative_to_root(f, cwd, root) for f in files),
            )
            findings = list(dict.fromkeys(findings + run_checks(["config"], ctx)))
        return _report(findings, fmt, strict=args.strict, fixed=False)
    ctx = CheckContext(
        root=located.root,
        policy=located.policy,
        policy_path=located.policy_path,
        files=tuple(_relative_to_root(f, cwd, located.root) for f in files) if files else None,
        all_files=args.all_files,
        fix=args.fix,
        in_git=located.in_git,
        env=dict(os.environ),
    )
    findings = run_checks(check_ids or CHECK_IDS, ctx)
    # A --fix that changed files says so with a "fixed" notice: the run exits 1, like pre-commit's
    # fixers, so that the change is reviewed and staged.
    fixed = any(f.rule == FIXED_RULE for f in findings)
    return _report(findings, fmt, strict=args.strict, fixed=fixed)


def _report(findings: list[Finding], fmt: str, *, strict: bool, fixed: bool) -> int:
    from hf_publish.findings import has_errors
    from hf_publish.report import print_findings, summary_line

    print_findings(findings, fmt)
    if fmt == "text" and findings:
        print(summary_line(findings, fixed=fixed), file=sys.stderr)
    if strict and not has_errors(findings) and has_errors(findings, strict=True):
        warnings = sum(f.severity == "warning" for f in findings)
        print(
            f"hf-publish: --strict: {warnings} warning(s) fail this run. Next: fix them, or run without --strict",
            file=sys.stderr,
        )
    return EXIT_FINDINGS if has_errors(findings, strict=strict) or fixed else EXIT_OK


def _relative_to_root(name: str, cwd: Path, root: Path) -> str:
    path = cwd / name
    try:
        if path.is_symlink():
            return path.parent.resolve().relative_to(root.resolve()).joinpath(path.name).as_posix()
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(name).as_posix()
