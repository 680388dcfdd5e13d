"""`hf-publish org audit`: argument parsing, output and the exit code. The work is in `audit`.

This module is imported by `hf_publish.cli.build_parser` on every run (a hook too): it imports
nothing heavy at module level.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hf_publish.errors import EXIT_CODES_HELP, EXIT_FINDINGS, EXIT_OK, UsageError

if TYPE_CHECKING:
    from hf_publish.tokens import Redactor

FORMATS = ("text", "json", "github", "html")
FAIL_ON = ("error", "warning", "never")

AUDIT_HELP = """\
Audit every model, dataset and Space of an organization against the policy, read-only:
  naming        the repo-name rules (org pattern, forbidden words), with a suggested name
  visibility    private/public against org.visibility and org.exceptions; gating against org.gated
  model-card    the model-card check on the README.md the Hub serves (only README.md is downloaded);
                a repo with no card is a finding
  lfs           files stored in git (not LFS/xet) over the regular-file limit, and files of a
                required LFS pattern that the repo's .gitattributes did not cover (file metadata only)
  staleness     private repos not updated in org.stale_after_days (default 90), with their storage
  activity      repos changed in the last --since (default 7d): last commit title and author
  storage       private and public bytes per repo and in total against the plan's private quota
                (org.plan, org.seats: free 100 GB; team/enterprise 1 TB per seat), the largest repos
                and what the stale ones would free

Any token that can read the org works. Without a token, or with one whose user is not a member of
the org, the Hub lists public repos only: the report says so. Nothing on the Hub is changed.

Cost: a few paged listing requests for thousands of repos, one resolver request per README, one
API request for the file metadata of each repo large enough to hold an over-limit file (the
listings give no sizes; a repo storing less than the smallest regular-file limit, 1 MB, is judged
from its storage; --no-file-metadata skips the reads and those repos' LFS rules), one per repo
changed within --since for its last commit, and a cache by commit sha
($XDG_CACHE_HOME/hf-publish/org-audit): a second audit of an unchanged org downloads nothing.
429 answers are waited out as Retry-After says.

JSON output: a versioned shape (docs/org-audit.md; JSON Schema in the package:
hf_publish/data/org-audit.schema.json)."""

AUDIT_EPILOG = f"""\
examples:
  hf-publish org audit                          the policy's organization, as a text report
  hf-publish org audit acme-ai --format html --output audit.html
  hf-publish org audit --format json --type model --since 30d

{EXIT_CODES_HELP}
  (exit 1 follows --fail-on: error (default), warning, or never)"""


def add_parser(commands: Any, formatter: Callable[[str], argparse.HelpFormatter]) -> None:
    """Register `org` (with its `audit` sub-command) on the CLI's sub-parsers."""
    org = commands.add_parser(
        "org",
        help="organization-wide commands (read-only audit)",
        description="Commands about a whole Hub organization.\n  hf-publish org audit [ORG] ...  "
        "audit every repo of the org against the policy (read-only)",
        formatter_class=formatter,
    )
    sub = org.add_subparsers(dest="org_command", metavar="COMMAND")
    audit = sub.add_parser(
        "audit",
        help="audit every repo of the org against the policy (read-only)",
        description=AUDIT_HELP,
        epilog=AUDIT_EPILOG,
        formatter_class=formatter,
    )
    audit.add_argument(
        "organization", nargs="?", metavar="ORG", help="the organization to audit (default: the policy's organization)"
    )
    audit.add_argument(
        "--format", choices=FORMATS, default=None, help="report format (default: text; github inside GitHub Actions)"
    )
    audit.add_argument(
        "--output",
        metavar="FILE",
        help="write the report to FILE instead of stdout (github: the job summary's Markdown)",
    )
    audit.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="error",
        help="exit 1 when a finding of this severity (or worse) exists (default: error)",
    )
    audit.add_argument(
        "--since",
        metavar="AGE",
        default="7d",
        help="activity window: repos changed in the last AGE, e.g. 7d, 24h, 2w (default: 7d)",
    )
    audit.add_argument(
        "--type",
        dest="types",
        action="append",
        choices=("model", "dataset", "space"),
        metavar="{model,dataset,space}",
        help="audit only this repo type; repeat for several (default: all three)",
    )
    audit.add_argument("--endpoint", metavar="URL", help="Hub endpoint (default: HF_ENDPOINT or huggingface.co)")
    audit.add_argument("--config", metavar="PATH", help="policy file (default: .hf-publish.yaml at the git root)")
    audit.add_argument("--no-cache", action="store_true", help="download every README again (ignore the sha cache)")
    audit.add_argument(
        "--no-file-metadata",
        action="store_true",
        help="skip the file metadata of the repos their storage does not settle (one API request "
        "per such repo not yet cached): their LFS rules are then not checked",
    )
    audit.add_argument("--jobs", metavar="N", type=int, default=8, help="downloads in flight at once (default: 8)")


def parse_age(text: str) -> timedelta:
    """`7d` -> 7 days; `24h`, `2w`, `90m`; a bare number is days."""
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([mhdw]?)\s*", text or "")
    if not match:
        raise UsageError(f"--since {text!r}: not an age. Next: pass e.g. --since 7d, 24h or 2w")
    value, unit = float(match.group(1)), match.group(2) or "d"
    unit_name = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[unit]
    return timedelta(**{unit_name: value})


def command_org(args: argparse.Namespace, *, redactor: Redactor | None = None) -> int:
    from hf_publish.org.access_cli import register_token

    register_token(redactor)
    if getattr(args, "org_command", None) != "audit":
        raise UsageError(
            "usage: hf-publish org audit [ORG] [--format text|json|github|html] [--output FILE] "
            "(see hf-publish org audit --help)"
        )
    return command_audit(args)


def command_audit(args: argparse.Namespace) -> int:
    from hf_publish.org.audit import AuditOptions, run_audit
    from hf_publish.policy.load import locate
    from hf_publish.publishing.hub import make_api, resolve_token
    from hf_publish.report import default_format

    policy = locate(Path.cwd(), args.config).policy
    organization = args.organization or policy.organization
    if not organization:
        raise UsageError(
            "no organization to audit. Next: name it (hf-publish org audit ORG) or set `organization:` in .hf-publish.yaml"
        )
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1. Next: pass --jobs 8 (the default) or another positive number")
    since = parse_age(args.since)
    fmt = default_format(args.format)
    token = resolve_token().value
    api = make_api(args.endpoint, token)
    options = AuditOptions(
        organization=organization,
        types=tuple(dict.fromkeys(args.types or ("model", "dataset", "space"))),
        since=since,
        token=token,
        jobs=args.jobs,
        use_cache=not args.no_cache,
        file_metadata=not args.no_file_metadata,
        progress_stream=sys.stderr,
    )
    print(f"hf-publish: auditing {organization} on {api.endpoint} (read-only)", file=sys.stderr)
    result = run_audit(policy, options, api)
    write_report(result, fmt, args.output)
    counts = result.counts()
    if fmt != "text" or args.output:
        print(
            "hf-publish: "
            + ", ".join(f"{counts[s]} {s}(s)" for s in ("error", "warning", "notice"))
            + (f"; report written to {args.output}" if args.output else ""),
            file=sys.stderr,
        )
    return exit_code(counts, args.fail_on)


def exit_code(counts: dict[str, int], fail_on: str) -> int:
    if fail_on == "never":
        return EXIT_OK
    failing = counts["error"] + (counts["warning"] if fail_on == "warning" else 0)
    return EXIT_FINDINGS if failing else EXIT_OK


def write_report(result: Any, fmt: str, output: str | None) -> None:
    from hf_publish.org import report_github, report_html, report_json, report_text

    if fmt == "github":
        markdown = report_github.emit(result)
        if output:
            _write(output, markdown)
        return
    text = {"text": report_text.render, "json": report_json.render, "html": report_html.render}[fmt](result)
    if output:
        _write(output, text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def _write(output: str, text: str) -> None:
    from hf_publish.safewrite import write_file

    path = Path(output)
    if path.parent and not path.parent.is_dir():
        raise UsageError(
            f"--output {output}: the folder {path.parent} does not exist. Next: create it, or name a file in a folder that exists"
        )
    write_file(path, text.encode("utf-8"), what=f"--output {output}")
