"""The parsers of the org commands (`access`, `members`, `migrate`), registered by hf_publish.cli.

Kept apart so the hook path (`hf-publish check`) never imports the org modules: only argparse
definitions live here; each command's module is imported when it runs.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hf_publish.errors import EXIT_CODES_HELP

if TYPE_CHECKING:
    from hf_publish.tokens import Redactor

ACCESS_HELP = """\
Gated repos and their access requests, decided by the policy (dry run unless --apply):

  hf-publish access review [REPO ...] [--apply --log FILE]
      pending requests: `access.reject.email_domains` -> reject, `access.auto_accept.email_domains`
      -> accept, anything else is left for a human (listed with where to decide);
      `access.expire_after_days: N` revokes accepted access older than N days (the Hub's
      cancel_access_request: the request goes back to pending and the user loses access).
      With --apply each decision is applied and appended to FILE (JSON Lines, never truncated).
  hf-publish access grant USER REPO [--apply] [--log FILE]
      grant USER access to a gated REPO (refused on a repo that is not gated).

REPO: a configured repo name or a full id (org/name); default: every configured repo the
policy gates (gated: auto or manual). The token needs the write or admin role on the repos."""

MEMBERS_HELP = """\
The members file (members.file, default members.csv) against the org's members on the Hub:

  hf-publish members diff [--file FILE] [--org ORG]
      who is missing, who is extra, whose role differs (where the Hub reports roles);
      exit 1 on any difference, for a scheduled check.

huggingface_hub 2.4.0 has no call to invite, remove or re-role a member: the diff prints the
steps and the link of the org's members page, and changes nothing."""

MIGRATE_HELP = """\
Move a repo (e.g. from a personal account) into the org:
  1. content checks on the repo as it is on the Hub (its README.md and .gitattributes, and the
     file listing: no weights are downloaded), and the destination name against the policy
  2. token preflight for both namespaces (write on SRC, create in DST's namespace)
  3. move_repo: history, discussions and redirects from the old id are kept
  4. the policy's entry for the new repo is printed, or added with --write-policy (comments kept)
When the Hub refuses the move, hf-publish stops and prints how to copy the repo WITH its
history (git clone --mirror + git push; see docs/access.md for the trade-off against a snapshot
upload, which loses history). --dry-run does steps 1-2 and prints the plan."""


def add_org_commands(commands: Any, formatter: Callable, add_config: Callable) -> None:
    access = commands.add_parser(
        "access",
        help="review access requests to gated repos; grant access",
        description=ACCESS_HELP,
        epilog=EXIT_CODES_HELP,
        formatter_class=formatter,
    )
    sub = access.add_subparsers(dest="access_command", metavar="review|grant")
    review = sub.add_parser(
        "review",
        help="decide pending requests by policy",
        description=ACCESS_HELP,
        epilog=EXIT_CODES_HELP,
        formatter_class=formatter,
    )
    review.add_argument("repos", nargs="*", metavar="REPO", help="configured repo names or ids (default: gated ones)")
    review.add_argument("--apply", action="store_true", help="apply the decisions (default: print the plan only)")
    review.add_argument("--log", metavar="FILE", help="JSON Lines file every decision is appended to (with --apply)")
    grant = sub.add_parser(
        "grant",
        help="grant a user access to a gated repo",
        description=ACCESS_HELP,
        epilog=EXIT_CODES_HELP,
        formatter_class=formatter,
    )
    grant.add_argument("user", metavar="USER", help="the Hub username")
    grant.add_argument("repo", metavar="REPO", help="a configured repo name or an id (org/name)")
    grant.add_argument("--apply", action="store_true", help="grant (default: print what would be done)")
    grant.add_argument("--log", metavar="FILE", help="JSON Lines file the grant is appended to")
    grant.add_argument("--reason", metavar="TEXT", help="why, for the log")
    for parser in (review, grant):
        parser.add_argument(
            "--type",
            choices=("model", "dataset", "space"),
            default=None,
            help="repo type of ids not in the policy (default: model)",
        )
        parser.add_argument("--endpoint", metavar="URL", help="Hub endpoint (default: HF_ENDPOINT or huggingface.co)")
        add_config(parser)

    members = commands.add_parser(
        "members",
        help="compare the members file with the org's members",
        description=MEMBERS_HELP,
        epilog=EXIT_CODES_HELP,
        formatter_class=formatter,
    )
    msub = members.add_subparsers(dest="members_command", metavar="diff")
    diff = msub.add_parser(
        "diff",
        help="the members file against list_organization_members",
        description=MEMBERS_HELP,
        epilog=EXIT_CODES_HELP,
        formatter_class=formatter,
    )
    diff.add_argument("--file", metavar="FILE", help="members file (default: members.file, members.csv)")
    diff.add_argument("--org", metavar="ORG", help="organization (default: the policy's)")
    diff.add_argument("--endpoint", metavar="URL", help="Hub endpoint (default: HF_ENDPOINT or huggingface.co)")
    add_config(diff)

    migrate = commands.add_parser(
        "migrate",
        help="move a repo into the org (checks, preflight, move_repo)",
        description=MIGRATE_HELP,
        epilog=EXIT_CODES_HELP,
        formatter_class=formatter,
    )
    migrate.add_argument("src", metavar="SRC", help="the repo to move, e.g. alice/bert-sentiment")
    migrate.add_argument("dst", metavar="DST", help="where it goes, e.g. acme-ai/bert-sentiment-v1")
    migrate.add_argument(
        "--type", choices=("model", "dataset", "space"), default="model", help="repo type (default: model)"
    )
    migrate.add_argument("--dry-run", action="store_true", help="check and plan; move nothing, write nothing")
    migrate.add_argument(
        "--write-policy",
        action="store_true",
        help="add the new repo's entry to the policy file (comments and layout kept)",
    )
    migrate.add_argument("--endpoint", metavar="URL", help="Hub endpoint (default: HF_ENDPOINT or huggingface.co)")
    add_config(migrate)


def register_token(redactor: Redactor | None) -> None:
    """Teach the command's redactor the token the org commands will use (also one read from the
    huggingface_hub token file, which the environment does not show), so no output can carry it."""
    if redactor is None:
        return
    from hf_publish.errors import HfPublishError
    from hf_publish.publishing.hub import resolve_token

    with contextlib.suppress(HfPublishError):  # no usable token: the command itself says so
        resolve_token(redactor=redactor)


def dispatch_org(args: argparse.Namespace, *, redactor: Redactor | None = None) -> int:
    from hf_publish.errors import UsageError

    register_token(redactor)

    if args.command == "access":
        from hf_publish.org.access import command_access

        if not args.access_command:
            raise UsageError("usage: hf-publish access review|grant ... Next: see hf-publish access --help")
        return command_access(args)
    if args.command == "members":
        from hf_publish.org.members import command_members

        if not args.members_command:
            raise UsageError("usage: hf-publish members diff [--file FILE]. Next: see hf-publish members --help")
        return command_members(args)
    from hf_publish.org.migrate import command_migrate

    return command_migrate(args)
