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
history (git clone --mirror, then push its branches, tags and LFS files; see docs/access.md for
the trade-off against a snapshot upload, which loses history). --dry-run does steps 1-2 and
prints the plan."""


REVIEW_EPILOG = """\
examples:
  hf-publish access review                          the plan for every gated repo; changes nothing
  hf-publish access review gated-model-v1           one configured repo (or an id: acme-ai/gated-model-v1)
  hf-publish access review --apply --log access-decisions.jsonl
                                                    decide, and append each decision to the log
  sample plan line:
    accept  frank <frank@partner.example>: email domain partner.example is in access.auto_accept.email_domains

--log FILE is read too (also in a dry run): expiry counts from when hf-publish accepted or granted
the access, as huggingface_hub 2.4.0 lists an accepted request with the date it was made.

exit codes:
  0    the plan was printed (dry run), or every decision was applied and logged
  2    bad usage: --apply without --log, an unknown repo name, an invalid policy, no token
  3    unexpected error (set HF_PUBLISH_DEBUG=1 for the traceback)
  4    the Hub refused or failed (e.g. a read token); with --apply the failed decision is logged
       (applied: false) and the run stops there
  130  interrupted"""

GRANT_EPILOG = """\
examples:
  hf-publish access grant eve gated-model-v1        what would be granted; changes nothing
  hf-publish access grant eve gated-model-v1 --apply --log access-decisions.jsonl --reason "ticket 42"

exit codes:
  0    the plan was printed (dry run), or the access was granted (and logged with --log)
  2    bad usage: the repo is not gated, an unknown repo name, an unreadable log, no token
  3    unexpected error (set HF_PUBLISH_DEBUG=1 for the traceback)
  4    the Hub refused: an unknown user, access already granted, a token without write access
  130  interrupted"""

MEMBERS_EPILOG = """\
examples:
  hf-publish members diff                           members.csv (members.file) against the policy's org
  hf-publish members diff --file org/members.csv --org acme-ai
  sample output:
    missing  frank <frank@partner.example> (read): in members.csv:5, not a member of acme-ai

exit codes:
  0    the file and the org's members agree
  1    differences (printed, with the steps on the org's members page), or the file has problems
  2    bad usage: no organization, an unreadable file, an invalid policy
  3    unexpected error (set HF_PUBLISH_DEBUG=1 for the traceback)
  4    the Hub refused or failed (e.g. no such org, an invalid token)
  130  interrupted"""

MIGRATE_EPILOG = """\
examples:
  hf-publish migrate alice/bert-sentiment acme-ai/bert-sentiment-v1 --dry-run
                                                    checks and preflight; moves and writes nothing
  hf-publish migrate alice/bert-sentiment acme-ai/bert-sentiment-v1 --write-policy
  hf-publish migrate alice/squad-ko acme-ai/squad-ko-v1 --type dataset

exit codes:
  0    moved (or, with --dry-run, the move would be allowed)
  1    the checks found errors on SRC or in DST's name: nothing was moved
  2    bad usage: not a repo id, DST exists, SRC was already moved, an invalid policy, no token
  3    unexpected error (set HF_PUBLISH_DEBUG=1 for the traceback)
  4    the preflight or the Hub refused (the copy that keeps history is printed when the move is
       refused), or SRC cannot be read
  130  interrupted"""


def add_org_commands(
    commands: Any,
    formatter: Callable[[str], argparse.HelpFormatter],
    add_config: Callable[[argparse.ArgumentParser], None],
) -> None:
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
        epilog=REVIEW_EPILOG,
        formatter_class=formatter,
    )
    review.add_argument("repos", nargs="*", metavar="REPO", help="configured repo names or ids (default: gated ones)")
    review.add_argument("--apply", action="store_true", help="apply the decisions (default: print the plan only)")
    review.add_argument(
        "--log",
        metavar="FILE",
        help="JSON Lines file every decision is appended to (needed by --apply); also read, "
        "for when hf-publish accepted or granted access (expiry counts from it)",
    )
    grant = sub.add_parser(
        "grant",
        help="grant a user access to a gated repo",
        description=ACCESS_HELP,
        epilog=GRANT_EPILOG,
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
        epilog=MEMBERS_EPILOG,
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
        epilog=MIGRATE_EPILOG,
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
