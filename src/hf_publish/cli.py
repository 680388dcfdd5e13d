"""The `hf-publish` command line.

Imports stay lazy: `hf-publish check secrets` is a pre-commit hook with a ~150 ms budget, so
heavy modules (huggingface_hub, GitPython, jsonschema) load only in the commands that use them.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Sequence

from hf_publish import __version__
from hf_publish.errors import (
    EXIT_CODES_HELP,
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_UNEXPECTED,
    EXIT_USAGE,
    HfPublishError,
    PolicyError,
    UsageError,
)

from hf_publish.checks import CHECK_IDS

DESCRIPTION = """\
Policy as code for a Hugging Face Hub organization.

hf-publish reads one policy file, .hf-publish.yaml at the git root, and uses it three ways:
as pre-commit hooks, as this command, and as a GitHub Action (uses: org/hf-publish@v1).
With no policy file it applies the default conventions (see the README)."""

EPILOG = f"""\
examples:
  hf-publish check                       run every check on what is staged
  hf-publish check --all-files           run every check on every tracked file
  hf-publish check model-card README.md  one check on one file
  hf-publish publish --dry-run           show what a publish would change, write nothing
  hf-publish publish --sandbox           publish to a throwaway local Hub (no account, no network)
  hf-publish init                        scaffold policy, .gitattributes and a model card
  hf-publish org audit --format html     audit every repo of the org (read-only report)

{EXIT_CODES_HELP}

environment:
  HF_TOKEN                 token used by publish (or HF_OIDC_RESOURCE for Trusted Publishing)
  HF_PUBLISH_TIMEOUT       publish: seconds an API call may wait for an answer (default 60)
  HF_PUBLISH_RETRY_BUDGET  publish: seconds the run may spend retrying, in total (default 120)
  HF_PUBLISH_DEBUG=1       print tracebacks of unexpected errors
"""

CHECK_HELP = """\
Run the named checks (all when none is named) and print every finding.

checks:
  config        the policy file itself is valid (JSON Schema, with file:line)
  repo-name     configured Hub repo ids follow the Hub's rules and the org's pattern
  branch-name   the branch follows naming.branch.allowed; no commits on protected branches
  model-card    cards (README.md) have valid metadata, required sections and no placeholders
  lfs           .gitattributes tracks required patterns; staged weights are real LFS pointers
  secrets       no Hugging Face token or hard-coded token value in staged files
  members       the members file (members.csv): header, roles, emails, duplicates, an admin

Without FILES, checks look at what is staged (or every tracked file with --all-files).
Contents are read from git's index: what you check is what you commit.

A first name that is not a check id and not a file (`check model_card`) is an unknown check, and a
named file that does not exist or lies outside the repository is refused: both exit 2, before any
check runs. Errors fail the run (exit 1). Warnings (the Hub accepts the card, but a reader gets it wrong or
the page degrades) print and pass, unless --strict is given or the policy says
card.strict: true; card.severity changes single model-card rules (see the README's rule table)."""


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hf-publish", description=DESCRIPTION, epilog=EPILOG, formatter_class=_formatter
    )
    parser.add_argument("--version", action="version", version=f"hf-publish {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser(
        "check", help="run commit-time checks", description=CHECK_HELP,
        epilog=EXIT_CODES_HELP, formatter_class=_formatter,
    )
    check.add_argument("targets", nargs="*", metavar="CHECK|FILE",
                       help="check ids to run (default: all), then files to check (default: staged files)")
    check.add_argument("--all-files", action="store_true", help="check every tracked file, not just staged ones")
    _add_config(check)
    _add_format(check)
    check.add_argument("--fix", action="store_true",
                       help="lfs: append missing LFS rules to .gitattributes (exits 1 when it changed files)")
    check.add_argument("--strict", action="store_true", help="fail on warnings too, not only on errors")
    check.add_argument("--history", nargs="?", const="", default=None, metavar="REV-RANGE",
                       help="lfs: check every blob of the git history (or of REV-RANGE, e.g. origin/main..HEAD) "
                            "against the Hub's push rules, and print the `git lfs migrate import` that fixes it")

    publish = commands.add_parser(
        "publish", help="check, then publish configured repos to the Hub",
        description=(
            "Publish the repos in the policy to their Hub organization, safely:\n"
            "  1. every content check runs first; findings stop the publish before any network call\n"
            "  2. token preflight: the token's kind, scope and org role are checked, with the fix\n"
            "  3. the org repo is created if missing (private unless the policy says otherwise)\n"
            "  4. the plan (adds, updates, deletes) is applied as ONE atomic commit\n"
            "  5. with --tag, the Hub repo is tagged at that commit (tags are immutable)\n\n"
            "The token comes from HF_TOKEN, Trusted Publishing (HF_OIDC_RESOURCE), or `hf auth login`."
        ),
        epilog=EXIT_CODES_HELP, formatter_class=_formatter,
    )
    publish.add_argument("repos", nargs="*", metavar="REPO", help="configured repo names to publish (default: all)")
    publish.add_argument("--dry-run", action="store_true",
                         help="print the plan and write nothing (works with a read-only token or none)")
    publish.add_argument("--tag", metavar="TAG", help="release: tag the Hub repo at the published commit (e.g. v1.2.0)")
    publish.add_argument("--revision", metavar="BRANCH", default=None, help="Hub branch to publish to (default: main)")
    publish.add_argument("--create-pr", action="store_true", help="open a Hub pull request instead of pushing")
    publish.add_argument("--endpoint", metavar="URL", help="Hub endpoint (default: HF_ENDPOINT or huggingface.co)")
    publish.add_argument("--sandbox", action="store_true",
                         help="start a local in-process Hub sandbox and publish there (no account, no network)")
    publish.add_argument("--path", metavar="DIR", default=None,
                         help="the git checkout (or plain folder) to publish (default: current folder)")
    publish.add_argument("--timeout", metavar="SECONDS", type=float, default=None,
                         help="how long an API call may wait for the Hub's answer "
                              "(default: HF_PUBLISH_TIMEOUT, else 60; uploads wait on progress instead)")
    publish.add_argument("--retry-budget", metavar="SECONDS", type=float, default=None,
                         help="the total time the run may spend retrying failures (429, 5xx, no answer) "
                              "before it stops with exit 4 (default: HF_PUBLISH_RETRY_BUDGET, else 120)")
    _add_config(publish)
    _add_format(publish)

    init = commands.add_parser(
        "init", help="scaffold .hf-publish.yaml, .gitattributes and a model card",
        description=("Scaffold, in an existing git repo: a commented .hf-publish.yaml, a .gitattributes\n"
                     "with the required LFS rules, and a model card README.md from the org template.\n"
                     "Existing files are left alone unless --force is given."),
        epilog=EXIT_CODES_HELP, formatter_class=_formatter,
    )
    init.add_argument("--organization", "--org", metavar="ORG", default="acme-ai", help="Hub organization (default: acme-ai)")
    init.add_argument("--name", metavar="NAME", help="repo name (default: derived from the folder name, e.g. <folder>-v1)")
    init.add_argument("--type", choices=("model", "dataset", "space"), default="model", help="repo type (default: model)")
    init.add_argument("--path", metavar="DIR", default=".", help="folder published to the repo, relative to the git root (default: .)")
    init.add_argument("--force", action="store_true", help="overwrite existing files")

    commands.add_parser(
        "schema", help="print the JSON Schema of .hf-publish.yaml",
        description="Print the policy's JSON Schema (Draft 2020-12), e.g. for editor validation:\n"
                    "  hf-publish schema > .hf-publish.schema.json",
        formatter_class=_formatter,
    )

    sandbox = commands.add_parser(
        "sandbox", help="run a local Hugging Face Hub sandbox",
        description="Run a Hub-compatible server on loopback, to rehearse publishing with no account and no network.\n"
                    "  hf-publish sandbox serve [--host 127.0.0.1] [--port N] [--data-dir DIR] [--users FILE]\n"
                    "Run `hf-publish sandbox serve --help` for details.",
        formatter_class=_formatter,
    )
    sandbox.add_argument("sandbox_args", nargs=argparse.REMAINDER, metavar="serve ...")

    matrix = commands.add_parser(
        "matrix", help="print the repos changed since their last publish, as a JSON matrix",
        description="Print, as JSON for a GitHub Actions matrix ({\"repo\": [...]}), the configured repos\n"
                    "whose folders changed between BASE and HEAD (all repos when BASE is unknown).",
        formatter_class=_formatter,
    )
    matrix.add_argument("--base", metavar="REV", help="git revision of the last publish (default: HEAD~1)")
    _add_config(matrix)

    gh_action = commands.add_parser(
        "gh-action", help="run as the GitHub Action (what action.yml executes)",
        description="Run inside GitHub Actions as action.yml's main step: read the INPUT_* variables and the\n"
                    "event, check, publish or release, and write outputs and the job summary.\n"
                    "Use the action (uses: org/hf-publish@v1) rather than calling this directly.",
        epilog=EXIT_CODES_HELP, formatter_class=_formatter,
    )
    gh_action.add_argument("--path", metavar="DIR", default=None,
                           help="the checkout folder to run in (default: current folder); action.yml passes it so "
                                "that the interpreter itself starts outside the checkout")

    from hf_publish.org.access_cli import add_org_commands

    add_org_commands(commands, _formatter, _add_config)

    refresh = commands.add_parser(
        "refresh-vocab", help="refresh the shipped license and pipeline_tag lists from the Hub (online)",
        description="Fetch the Hub's current license and pipeline_tag ids (HfApi.get_model_tags) and write them\n"
                    "as dated data files. The only command that needs the network besides publish;\n"
                    "checks never fetch anything.",
        formatter_class=_formatter,
    )
    refresh.add_argument("--endpoint", metavar="URL")
    refresh.add_argument("--output", metavar="DIR", help="where to write the files (default: the package's data folder)")

    from hf_publish.org.cli import add_parser as add_org_parser

    add_org_parser(commands, _formatter)  # `org audit` (hf_publish/org/)
    return parser


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="PATH", help="policy file (default: .hf-publish.yaml at the git root)")


def _add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "github", "json"), default=None,
                        help="output format (default: text; github inside GitHub Actions)")


def default_format(explicit: str | None) -> str:
    if explicit:
        return explicit
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["check"]:
        # pre-commit appends file names after the hook's args, so options and names mix:
        # `check model-card --format github README.md` must work.
        args = _subcommand(parser, "check").parse_intermixed_args(argv[1:])
        args.command = "check"
    else:
        args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    from hf_publish.report import runner_safe_output

    with runner_safe_output():  # every line printed from here on is safe for the Actions runner
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        print("hf-publish: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except PolicyError as exc:
        from hf_publish.report import print_findings

        if exc.findings:
            print_findings(exc.findings, default_format(getattr(args, "format", None)))
        print(f"hf-publish: {_redact(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except HfPublishError as exc:
        if os.environ.get("HF_PUBLISH_DEBUG"):
            _print_traceback()
        print(f"hf-publish: error: {_redact(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:  # the one place unexpected errors are turned into one line
        if os.environ.get("HF_PUBLISH_DEBUG"):
            _print_traceback()
        detail = _redact(f"{type(exc).__name__}: {exc}")
        print(f"hf-publish: unexpected error: {detail} (set HF_PUBLISH_DEBUG=1 for the traceback)",
              file=sys.stderr)
        return EXIT_UNEXPECTED


def _subcommand(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    for action in parser._subparsers._group_actions:  # argparse offers no public accessor
        if name in action.choices:
            return action.choices[name]
    raise KeyError(name)


def _redact(text: str) -> str:
    from hf_publish.tokens import redact

    return redact(text)


def _print_traceback() -> None:
    import traceback

    print(_redact(traceback.format_exc()), file=sys.stderr)


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "check":
        return command_check(args)
    if args.command == "schema":
        from importlib import resources

        sys.stdout.write(resources.files("hf_publish.data").joinpath("policy.schema.json").read_text())
        return EXIT_OK
    if args.command == "init":
        from hf_publish.init import command_init

        return command_init(args)
    if args.command == "publish":
        from hf_publish.publish import command_publish

        return command_publish(args)
    if args.command == "sandbox":
        from hf_publish.sandbox.cli import serve_command

        rest = list(args.sandbox_args)
        if not rest or rest[0] != "serve":
            raise UsageError("usage: hf-publish sandbox serve [--host H] [--port N] [--data-dir DIR] [--users FILE]")
        return serve_command(rest[1:])
    if args.command == "matrix":
        from hf_publish.matrix import command_matrix

        return command_matrix(args)
    if args.command == "gh-action":
        from hf_publish.action import command_gh_action

        return command_gh_action(args)
    if args.command in ("access", "members", "migrate"):
        from hf_publish.org.access_cli import dispatch_org

        return dispatch_org(args)
    if args.command == "refresh-vocab":
        from hf_publish.vocab import command_refresh

        return command_refresh(args)
    if args.command == "org":
        from hf_publish.org.cli import command_org

        return command_org(args)
    raise UsageError(f"unknown command {args.command!r}")


def split_targets(targets: Sequence[str]) -> tuple[list[str], list[str]]:
    """Leading check ids are checks; everything from the first non-id on is a file."""
    checks: list[str] = []
    for index, target in enumerate(targets):
        if target in CHECK_IDS and len(checks) == index:
            checks.append(target)
    return checks, list(targets[len(checks):])


def command_check(args: argparse.Namespace) -> int:
    from hf_publish import gitrepo
    from hf_publish.checks import CheckContext, run_checks
    from hf_publish.findings import has_errors
    from hf_publish.policy import find_policy_file, load_policy
    from hf_publish.report import print_findings, summary_line

    check_ids, files = split_targets(args.targets)
    if args.history is not None and (set(check_ids) != {"lfs"} or files):
        raise UsageError("--history belongs to the lfs check and takes no files. Next: run "
                         "`hf-publish check lfs --history [REV-RANGE]`")
    cwd = Path.cwd()
    root = gitrepo.find_root(cwd)
    in_git = root is not None
    root = root or cwd
    _refuse_bad_targets(files, cwd, root, in_git)
    policy_path = find_policy_file(root, args.config)
    shown = _shown_path(policy_path, root) if policy_path else None
    try:
        policy = load_policy(policy_path, display_path=shown, root=root)
    except PolicyError as exc:
        return _invalid_policy(exc, check_ids or CHECK_IDS, default_format(args.format), shown or ".hf-publish.yaml")
    if args.history is not None:
        return _check_history(root, in_git, policy, args)
    ctx = CheckContext(
        root=root,
        policy=policy,
        policy_path=policy_path,
        files=tuple(_relative_to_root(f, cwd, root) for f in files) if files else None,
        all_files=args.all_files,
        fix=args.fix,
        in_git=in_git,
        env=dict(os.environ),
    )
    findings = run_checks(check_ids or CHECK_IDS, ctx)
    fmt = default_format(args.format)
    print_findings(findings, fmt)
    if fmt == "text" and findings:
        print(summary_line(findings, fixed=getattr(ctx, "fixed", False)), file=sys.stderr)
    if args.strict and not has_errors(findings) and has_errors(findings, strict=True):
        warnings = sum(f.severity == "warning" for f in findings)
        print(f"hf-publish: --strict: {warnings} warning(s) fail this run", file=sys.stderr)
    return EXIT_FINDINGS if has_errors(findings, strict=args.strict) or getattr(ctx, "fixed", False) else EXIT_OK


def _check_history(root: Path, in_git: bool, policy, args: argparse.Namespace) -> int:
    from hf_publish.checks.lfs import check_history
    from hf_publish.report import print_findings, summary_line

    if not in_git:
        raise UsageError("--history reads git history, and this is not a git work tree. Next: run it in the clone")
    findings = check_history(root, policy.lfs, args.history)
    fmt = default_format(args.format)
    print_findings(findings, fmt)
    if fmt == "text":
        what = args.history or "every branch and tag"
        print(summary_line(findings) if findings else f"hf-publish: no blob in {what} would be refused by the Hub",
              file=sys.stderr)
    return EXIT_FINDINGS if findings else EXIT_OK


def _invalid_policy(exc: PolicyError, check_ids: Sequence[str], fmt: str, shown: str) -> int:
    """An invalid policy is reported once, by the `config` check, as findings (exit 1). Every other
    check (each its own pre-commit hook) says so in one line and exits 2, so a broken policy does not
    print its problems once per hook."""
    from hf_publish.report import print_findings, summary_line

    if "config" not in check_ids:
        count = len(exc.findings) or 1
        print(f"hf-publish: {shown} is invalid ({count} problem(s)), so this check did not run; "
              "the config check lists them: hf-publish check config", file=sys.stderr)
        return exc.exit_code
    if not exc.findings:
        raise exc
    print_findings(exc.findings, fmt)
    if fmt == "text":
        print(summary_line(exc.findings), file=sys.stderr)
    others = [c for c in check_ids if c != "config"]
    if others:
        print(f"hf-publish: {_redact(str(exc))}; fix it first: {', '.join(others)} did not run", file=sys.stderr)
        return exc.exit_code
    return EXIT_FINDINGS


_CHECK_ID_SHAPE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def unknown_check_message(name: str) -> str:
    """One line for a check id that is not registered, with the nearest ids and every valid one."""
    import difflib

    valid = ", ".join(CHECK_IDS)
    close = difflib.get_close_matches(name.lower().replace("_", "-"), CHECK_IDS, n=2, cutoff=0.6)
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
        from hf_publish import gitrepo

        tracked = {e.path for e in gitrepo.index_entries(root, [rel for _, rel in missing])}
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
    from hf_publish import gitrepo

    return bool(gitrepo.index_entries(root, [_relative_to_root(name, cwd, root)]))


def _shown_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _relative_to_root(name: str, cwd: Path, root: Path) -> str:
    path = (cwd / name)
    try:
        return path.resolve().relative_to(root.resolve()).as_posix() if not path.is_symlink() else \
            path.parent.resolve().relative_to(root.resolve()).joinpath(path.name).as_posix()
    except ValueError:
        return Path(name).as_posix()


if __name__ == "__main__":
    raise SystemExit(main())
