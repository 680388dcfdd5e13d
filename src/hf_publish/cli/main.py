"""The `hf-publish` command line.

Imports stay lazy: `hf-publish check secrets` is a pre-commit hook, a new interpreter per commit, so
heavy modules (huggingface_hub, jsonschema) load only in the commands that use them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from hf_publish import __version__
from hf_publish.cli.environment import TOP, help_block
from hf_publish.errors import (
    EXIT_CODES_HELP,
    EXIT_INTERRUPTED,
    EXIT_UNEXPECTED,
    EXIT_USAGE,
    HfPublishError,
    PolicyError,
    UsageError,
    exit_codes_help,
)

TYPE_CHECKING = False  # typing is not imported at run time (a hook would pay ~2.5 ms)
if TYPE_CHECKING:
    from hf_publish.tokens import Redactor

# The Action's moving major tag, from the package version (docs/releasing.md): v0 for 0.y.z.
ACTION_REF = f"org/hf-publish@v{__version__.split('.')[0]}"

DESCRIPTION = f"""\
Policy as code for a Hugging Face Hub organization.

hf-publish reads one policy file, .hf-publish.yaml at the git root, and uses it three ways:
as pre-commit hooks, as this command, and as a GitHub Action (uses: {ACTION_REF}).
With no policy file it applies the default conventions (docs/policy.md lists every key)."""

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

{help_block(TOP)}
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
card.strict: true; card.severity changes single model-card rules (docs/checks.md has the rule table)."""


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32, width=_help_width())


_WIDTH: list[int] = []


def _help_width() -> int:
    """argparse's default width (the terminal's columns - 2), worked out once per run: argparse
    makes a formatter for every option added, and its default imports shutil (~2 ms of a hook)."""
    if not _WIDTH:
        try:
            columns = int(os.environ.get("COLUMNS", ""))
        except ValueError:
            columns = 0
        if columns <= 0:
            try:
                columns = os.get_terminal_size(sys.__stdout__.fileno()).columns if sys.__stdout__ else 0
            except (AttributeError, ValueError, OSError):
                columns = 0
        _WIDTH.append((columns or 80) - 2)
    return _WIDTH[0]


def build_parser(*, check_only: bool = False) -> argparse.ArgumentParser:
    """The whole command line; with `check_only`, only `check` (what a pre-commit hook runs, which
    then skips building the other commands' parsers)."""
    parser = argparse.ArgumentParser(
        prog="hf-publish", description=DESCRIPTION, epilog=EPILOG, formatter_class=_formatter
    )
    parser.add_argument("--version", action="version", version=f"hf-publish {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser(
        "check",
        help="run commit-time checks",
        description=CHECK_HELP,
        epilog=_epilog("check"),
        formatter_class=_formatter,
    )
    check.add_argument(
        "targets",
        nargs="*",
        metavar="CHECK|FILE",
        help="check ids to run (default: all), then files to check (default: staged files)",
    )
    check.add_argument("--all-files", action="store_true", help="check every tracked file, not just staged ones")
    _add_config(check)
    _add_format(check)
    check.add_argument(
        "--fix",
        action="store_true",
        help="lfs: append missing LFS rules to .gitattributes (exits 1 when it changed files)",
    )
    check.add_argument("--strict", action="store_true", help="fail on warnings too, not only on errors")
    check.add_argument(
        "--history",
        nargs="?",
        const="",
        default=None,
        metavar="REV-RANGE",
        help="lfs: check every blob of the git history (or of REV-RANGE, e.g. origin/main..HEAD) "
        "against the Hub's push rules, and print the `git lfs migrate import` that fixes it",
    )
    if check_only:
        return parser

    publish = commands.add_parser(
        "publish",
        help="check, then publish configured repos to the Hub",
        description=(
            "Publish the repos in the policy to their Hub organization, safely:\n"
            "  1. every content check runs first; findings stop the publish before any network call\n"
            "  2. token preflight: the token's kind, scope and org role are checked, with the fix\n"
            "  3. the org repo is created if missing (private unless the policy says otherwise)\n"
            "  4. the plan (adds, updates, deletes) is applied as ONE atomic commit\n"
            "  5. with --tag, the Hub repo is tagged at that commit (tags are immutable)\n\n"
            "The token comes from HF_TOKEN, Trusted Publishing (HF_OIDC_RESOURCE), or `hf auth login`."
        ),
        epilog=_epilog("publish"),
        formatter_class=_formatter,
    )
    publish.add_argument("repos", nargs="*", metavar="REPO", help="configured repo names to publish (default: all)")
    publish.add_argument(
        "--dry-run", action="store_true", help="print the plan and write nothing (works with a read-only token or none)"
    )
    publish.add_argument("--tag", metavar="TAG", help="release: tag the Hub repo at the published commit (e.g. v1.2.0)")
    publish.add_argument("--revision", metavar="BRANCH", default=None, help="Hub branch to publish to (default: main)")
    publish.add_argument("--create-pr", action="store_true", help="open a Hub pull request instead of pushing")
    publish.add_argument("--endpoint", metavar="URL", help="Hub endpoint (default: HF_ENDPOINT or huggingface.co)")
    publish.add_argument(
        "--sandbox",
        action="store_true",
        help="start a local in-process Hub sandbox and publish there (no account, no network)",
    )
    publish.add_argument(
        "--path",
        metavar="DIR",
        default=None,
        help="the git checkout (or plain folder) to publish (default: current folder)",
    )
    publish.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=float,
        default=None,
        help="how long an API call may wait for the Hub's answer "
        "(default: HF_PUBLISH_TIMEOUT, else 60; uploads wait on progress instead)",
    )
    publish.add_argument(
        "--retry-budget",
        metavar="SECONDS",
        type=float,
        default=None,
        help="the total time the run may spend retrying failures (429, 5xx, no answer) "
        "before it stops with exit 4 (default: HF_PUBLISH_RETRY_BUDGET, else 120)",
    )
    _add_config(publish)
    _add_format(publish)

    init = commands.add_parser(
        "init",
        help="scaffold .hf-publish.yaml, .gitattributes and a model card",
        description=(
            "Scaffold, in an existing git repo: a commented .hf-publish.yaml, a .gitattributes\n"
            "with the required LFS rules, and a model card README.md from the org template.\n"
            "A folder holding config.json or weights is found and proposed as the repo's path (its\n"
            "README.md is the card); the organization comes from a git remote on the Hub, or --organization.\n"
            "Existing files are left alone unless --force is given (then kept as <name>.bak)."
        ),
        epilog=_epilog("init", codes=INIT_EXIT_CODES),
        formatter_class=_formatter,
    )
    init.add_argument(
        "--organization",
        "--org",
        metavar="ORG",
        default=None,
        help="Hub organization (default: from a git remote that points at the Hub; else required)",
    )
    init.add_argument(
        "--name", metavar="NAME", help="repo name (default: derived from the folder name, e.g. <folder>-v1)"
    )
    init.add_argument(
        "--type", choices=("model", "dataset", "space"), default="model", help="repo type (default: model)"
    )
    init.add_argument(
        "--path",
        metavar="DIR",
        default=None,
        help="folder published to the repo, relative to the git root (default: the model folder found, "
        "holding config.json or weights; else .)",
    )
    init.add_argument(
        "--force", action="store_true", help="replace existing files (each one that differs is kept as <name>.bak)"
    )

    commands.add_parser(
        "schema",
        help="print the JSON Schema of .hf-publish.yaml",
        description="Print the policy's JSON Schema (Draft 2020-12), e.g. for editor validation:\n"
        "  hf-publish schema > .hf-publish.schema.json",
        formatter_class=_formatter,
    )

    sandbox = commands.add_parser(
        "sandbox",
        help="run a local Hugging Face Hub sandbox",
        description="Run a Hub-compatible server on loopback, to rehearse publishing with no account and no network.\n"
        "  hf-publish sandbox serve [--host 127.0.0.1] [--port N] [--data-dir DIR] [--users FILE]\n"
        "serve's options follow (also: `hf-publish sandbox serve --help`).",
        formatter_class=_formatter,
        add_help=False,
    )
    sandbox.add_argument("-h", "--help", action=_SandboxHelp, help="show this help, with serve's options, and exit")
    sandbox.add_argument("sandbox_args", nargs=argparse.REMAINDER, metavar="serve ...")

    matrix = commands.add_parser(
        "matrix",
        help="print the repos changed since their last publish, as a JSON matrix",
        description='Print, as JSON for a GitHub Actions matrix ({"repo": [...]}), the configured repos\n'
        "whose folders changed between BASE and HEAD (all repos when BASE is unknown).",
        formatter_class=_formatter,
    )
    matrix.add_argument("--base", metavar="REV", help="git revision of the last publish (default: HEAD~1)")
    _add_config(matrix)

    gh_action = commands.add_parser(
        "gh-action",
        help="run as the GitHub Action (what action.yml executes)",
        description="Run inside GitHub Actions as action.yml's main step: read the INPUT_* variables and the\n"
        "event, check, publish or release, and write outputs and the job summary.\n"
        f"Use the action (uses: {ACTION_REF}) rather than calling this directly.",
        epilog=_epilog("gh-action"),
        formatter_class=_formatter,
    )
    gh_action.add_argument(
        "--path",
        metavar="DIR",
        default=None,
        help="the checkout folder to run in (default: current folder); action.yml passes it so "
        "that the interpreter itself starts outside the checkout",
    )

    from hf_publish.org.access_cli import add_org_commands

    add_org_commands(commands, _formatter, _add_config)

    refresh = commands.add_parser(
        "refresh-vocab",
        help="refresh the shipped license and pipeline_tag lists from the Hub (online)",
        description="Fetch the Hub's current license and pipeline_tag ids (HfApi.get_model_tags) and write them\n"
        "as dated data files to your cache ($XDG_CACHE_HOME/hf-publish/vocab, default\n"
        "~/.cache/hf-publish/vocab), which the model-card check reads before the lists shipped\n"
        "in the package. The only command that needs the network besides publish;\n"
        "checks never fetch anything.",
        epilog=_epilog("refresh-vocab"),
        formatter_class=_formatter,
    )
    refresh.add_argument(
        "--endpoint", metavar="URL", help="Hub endpoint to fetch from (default: HF_ENDPOINT, else huggingface.co)"
    )
    refresh.add_argument(
        "--output", metavar="DIR", help="where to write the files (default: $XDG_CACHE_HOME/hf-publish/vocab)"
    )

    from hf_publish.org.cli import add_parser as add_org_parser

    add_org_parser(commands, _formatter)  # `org audit` (hf_publish/org/)
    return parser


# init writes files and reads nothing from the network: no findings (1), no Hub (4).
INIT_EXIT_CODES = (0, 2, 3, 130)


def _epilog(command: str, codes: Sequence[int] | None = None) -> str:
    """A command's --help epilog: the exit codes that apply, then the variables it reads."""
    block = help_block(command)
    return exit_codes_help(codes) + (f"\n\n{block}" if block else "")


class _SandboxHelp(argparse.Action):
    """`hf-publish sandbox --help`: the sandbox's help and serve's options (imported only when asked)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=kwargs.get("help"))  # type: ignore[arg-type]

    def __call__(self, parser, namespace, values, option_string=None) -> None:  # type: ignore[no-untyped-def]
        from hf_publish.sandbox.cli import build_parser as serve_parser

        serve = serve_parser().format_help()
        print(
            parser.format_help().rstrip()
            + "\n\nserve:\n"
            + "\n".join(f"  {line}" if line else "" for line in serve.splitlines())
        )
        parser.exit()


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="PATH", help="policy file (default: .hf-publish.yaml at the git root)")


def _add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("text", "github", "json"),
        default=None,
        help="output format (default: text; github inside GitHub Actions)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(check_only=argv[:1] == ["check"])
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
    from hf_publish.tokens import Redactor

    redactor = Redactor.from_env(os.environ)  # the command's secrets; publish adds the token it resolves
    with runner_safe_output(redactor):  # every line printed from here on is redacted and safe for the runner
        return _run(args, redactor)


def _run(args: argparse.Namespace, redactor: Redactor) -> int:
    """The one place a command's exceptions become a message and an exit code (`errors.exit_code_for`)."""
    try:
        return _dispatch(args, redactor)
    except KeyboardInterrupt:
        print("hf-publish: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except PolicyError as exc:
        from hf_publish.report import print_findings

        if exc.findings:
            from hf_publish.report import default_format

            print_findings(exc.findings, default_format(getattr(args, "format", None)))
        print(f"hf-publish: {redactor.redact(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except HfPublishError as exc:
        if os.environ.get("HF_PUBLISH_DEBUG"):
            _print_traceback(redactor)
        print(f"hf-publish: error: {redactor.redact(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:  # the one place unexpected errors are turned into one line
        if os.environ.get("HF_PUBLISH_DEBUG"):
            _print_traceback(redactor)
        detail = redactor.redact(f"{type(exc).__name__}: {exc}")
        print(f"hf-publish: unexpected error: {detail} (set HF_PUBLISH_DEBUG=1 for the traceback)", file=sys.stderr)
        return EXIT_UNEXPECTED


def _subcommand(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    group = parser._subparsers  # argparse offers no public accessor
    assert group is not None
    for action in group._group_actions:
        choices: dict[str, argparse.ArgumentParser] = action.choices  # type: ignore[assignment] # subparsers
        if name in choices:
            return choices[name]
    raise KeyError(name)


def _print_traceback(redactor: Redactor) -> None:
    import traceback

    print(redactor.redact(traceback.format_exc()), file=sys.stderr)


# command -> the module (one per command) and its function; imported only when the command runs,
# so `hf-publish check` (a pre-commit hook) never pays for huggingface_hub.
COMMANDS = {
    "check": ("hf_publish.cli.check", "command_check"),
    "schema": ("hf_publish.cli.schema", "command_schema"),
    "init": ("hf_publish.cli.init", "command_init"),
    "publish": ("hf_publish.cli.publish", "command_publish"),
    "sandbox": ("hf_publish.cli.sandbox", "command_sandbox"),
    "matrix": ("hf_publish.cli.matrix", "command_matrix"),
    "gh-action": ("hf_publish.action.runner", "command_gh_action"),
    "refresh-vocab": ("hf_publish.cli.refresh_vocab", "command_refresh"),
    "access": ("hf_publish.org.access_cli", "dispatch_org"),
    "members": ("hf_publish.org.access_cli", "dispatch_org"),
    "migrate": ("hf_publish.org.access_cli", "dispatch_org"),
    "org": ("hf_publish.org.cli", "command_org"),
}


def _dispatch(args: argparse.Namespace, redactor: Redactor) -> int:
    import importlib

    if args.command not in COMMANDS:
        raise UsageError(f"unknown command {args.command!r}. Next: run `hf-publish --help` for the commands")
    module, function = COMMANDS[args.command]
    result: int = getattr(importlib.import_module(module), function)(args, redactor=redactor)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
