"""`hf-publish check`: run the commit-time checks and print every finding."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from hf_publish.checks.registry import CHECK_IDS
from hf_publish.errors import EXIT_FINDINGS, EXIT_OK, PolicyError, UsageError
from hf_publish.findings import FIXED_RULE, Finding

TYPE_CHECKING = False  # typing is not imported at run time (a hook would pay ~2.5 ms)
if TYPE_CHECKING:
    from hf_publish.checks._inputs import CheckContext
    from hf_publish.policy.model import Policy
    from hf_publish.tokens import Redactor


def split_targets(targets: Sequence[str]) -> tuple[list[str], list[str]]:
    """Leading check ids are checks; everything from the first non-id on is a file."""
    checks: list[str] = []
    for index, target in enumerate(targets):
        if target in CHECK_IDS and len(checks) == index:
            checks.append(target)
    return checks, list(targets[len(checks) :])


def command_check(args: argparse.Namespace, *, redactor: Redactor | None = None) -> int:
    from hf_publish import _git
    from hf_publish.checks._inputs import CheckContext
    from hf_publish.checks.registry import run_checks
    from hf_publish.policy.load import load_at
    from hf_publish.policy.model import POLICY_FILENAME
    from hf_publish.report import default_format

    check_ids, files = split_targets(args.targets)
    if args.history is not None and (set(check_ids) != {"lfs"} or files):
        raise UsageError(
            "--history belongs to the lfs check and takes no files. Next: run "
            "`hf-publish check lfs --history [REV-RANGE]`"
        )
    cwd = Path.cwd()
    fmt = default_format(args.format)
    found = _git.find_root(cwd)
    in_git = found is not None
    root = Path(found or cwd)
    _refuse_bad_targets(files, cwd, root, in_git)
    try:
        located = load_at(root, in_git, args.config)
    except PolicyError as exc:
        shown = args.config or POLICY_FILENAME
        return _invalid_policy(exc, check_ids or CHECK_IDS, fmt, shown, redactor)
    if args.history is not None:
        return _check_history(located.root, located.in_git, located.policy, args, fmt)
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
    _unstaged_notice(ctx)
    # A --fix that changed files says so with a "fixed" notice: the run exits 1, like pre-commit's
    # fixers, so that the change is reviewed and staged.
    fixed = any(f.rule == FIXED_RULE for f in findings)
    return _report(findings, fmt, strict=args.strict, fixed=fixed)


NOTICE_MAX_BYTES = 16 * 1024 * 1024  # larger named files (weights) are not compared for the notice


def _size(path: Path) -> int:
    try:
        return path.lstat().st_size
    except OSError:
        return NOTICE_MAX_BYTES + 1


def _unstaged_notice(ctx: CheckContext) -> None:
    """Files named on the command line are checked as git's index holds them (what a commit takes):
    say so, once, for those whose working tree differs (pre-commit stashes such changes first, so
    a hook run never says it).

    Not looked for under pre-commit or prek (`PRE_COMMIT=1`): they stash unstaged changes before
    the hooks run, and `git diff` would cost a hook more than its check (it runs the LFS filter on
    files git thinks racily clean)."""
    if ctx.files is None or not ctx.in_git or ctx.env.get("PRE_COMMIT") == "1":
        return
    from hf_publish import _git

    small = [f for f in ctx.files if _size(ctx.root / f) <= NOTICE_MAX_BYTES]  # git diff reads a file git thinks racy
    changed = sorted(set(small) & _git.modified_paths(ctx.root, small))
    if not changed:
        return
    if len(changed) == 1:
        what, verb, them = f"the staged version of {changed[0]}", "it has", "it"
    else:
        what, verb, them = f"the staged versions of {', '.join(changed)}", "they have", "them"
    print(
        f"hf-publish: checked {what}; {verb} unstaged changes. Next: `git add` {them} to check "
        "what you see in the editor",
        file=sys.stderr,
    )


def _check_history(root: Path, in_git: bool, policy: Policy, args: argparse.Namespace, fmt: str) -> int:
    from hf_publish.checks.lfs import check_history
    from hf_publish.report import print_findings, summary_line

    if not in_git:
        raise UsageError("--history reads git history, and this is not a git work tree. Next: run it in the clone")
    findings = check_history(root, policy.lfs, args.history)
    print_findings(findings, fmt)
    if fmt == "text":
        what = args.history or "every branch and tag"
        print(
            summary_line(findings) if findings else f"hf-publish: no blob in {what} would be refused by the Hub",
            file=sys.stderr,
        )
    return EXIT_FINDINGS if findings else EXIT_OK


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


def _invalid_policy(exc: PolicyError, check_ids: Sequence[str], fmt: str, shown: str, redactor: Redactor | None) -> int:
    """An invalid policy is reported once, by the `config` check, as findings (exit 1). Every other
    check (each its own pre-commit hook) says so in one line and exits 2, so a broken policy does not
    print its problems once per hook."""
    from hf_publish.report import print_findings, summary_line

    if "config" not in check_ids:
        count = len(exc.findings) or 1
        print(
            f"hf-publish: {shown} is invalid ({count} problem(s)), so this check did not run; "
            "the config check lists them: hf-publish check config",
            file=sys.stderr,
        )
        return exc.exit_code
    if not exc.findings:
        raise exc
    print_findings(exc.findings, fmt)
    if fmt == "text":
        print(summary_line(exc.findings), file=sys.stderr)
    others = [c for c in check_ids if c != "config"]
    if others:
        message = redactor.redact(str(exc)) if redactor is not None else str(exc)
        print(f"hf-publish: {message}; fix it first: {', '.join(others)} did not run", file=sys.stderr)
        return exc.exit_code
    return EXIT_FINDINGS


_CHECK_ID_SHAPE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def unknown_check_message(name: str) -> str:
    """One line for a check id that is not registered, with the nearest ids and every valid one."""
    from hf_publish.suggest import closest

    valid = ", ".join(CHECK_IDS)
    close = closest(name.lower().replace("_", "-"), CHECK_IDS, n=2, cutoff=0.6)
    if close:
        guess = " or ".join(repr(c) for c in close)
        return f"unknown check {name!r}; did you mean {guess}? (checks: {valid})"
    return f"unknown check {name!r} and no such file (checks: {valid})"


def _refuse_bad_targets(files: Sequence[str], cwd: Path, root: Path, in_git: bool) -> None:
    """Refuse, as usage errors, an unknown check id and named files that are missing or outside `root`.

    Split targets stop at the first name that is not a check id; when that name is shaped like an
    id (no dot, no slash) and names no file, it is a mistyped check, not a file.
    """
    missing: list[tuple[str, str]] = []
    for index, name in enumerate(files):
        path = cwd / name
        exists = os.path.lexists(path)
        if index == 0 and not exists and _CHECK_ID_SHAPE.fullmatch(name) and not _in_index(name, cwd, root, in_git):
            raise UsageError(unknown_check_message(name))
        if not _inside(path, root):
            where = "the repository" if in_git else "the folder"
            raise UsageError(f"{name}: outside {where} ({root}); name files inside it")
        if not exists:
            missing.append((name, _relative_to_root(name, cwd, root)))
    if missing and in_git:
        from hf_publish import _git

        tracked = {e.path for e in _git.index_entries(root, [rel for _, rel in missing])}
        missing = [(name, rel) for name, rel in missing if rel not in tracked]  # staged, deleted from disk
    if missing:
        more = f" (and {len(missing) - 1} more: {', '.join(n for n, _ in missing[1:])})" if len(missing) > 1 else ""
        raise UsageError(f"{missing[0][0]}: no such file{more}")


def _inside(path: Path, root: Path) -> bool:
    # Judged by the name, not by where links point: `model/x` under a symlinked `model/` is a path
    # in the repo (the checks decide what a link means), `../x` and `/etc/x` are not.
    where = Path(os.path.abspath(path))
    return any(where == base or base in where.parents for base in {root.absolute(), root.resolve()})


def _in_index(name: str, cwd: Path, root: Path, in_git: bool) -> bool:
    if not in_git or not _inside(cwd / name, root):
        return False
    from hf_publish import _git

    return bool(_git.index_entries(root, [_relative_to_root(name, cwd, root)]))


def _relative_to_root(name: str, cwd: Path, root: Path) -> str:
    path = cwd / name
    try:
        if path.is_symlink():
            return path.parent.resolve().relative_to(root.resolve()).joinpath(path.name).as_posix()
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(name).as_posix()
