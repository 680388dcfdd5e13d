"""`hf-publish members diff`: the members file against the org's members on the Hub.

huggingface_hub 2.4.0 can READ membership (`list_organization_members`) but has no call to invite,
remove or change the role of a member, and hf-publish does not pretend otherwise: the diff prints
what differs and, for each difference, the exact steps on the org's settings page (of the endpoint
in use). `diff_members` is pure.

Rows are matched to Hub members by `username` (the Hub does not show members' emails); a row
without one cannot be matched and is reported as such. Roles are compared where the Hub reports
them (an admin token sees them; the member listing of a reader may not carry them).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from hf_publish._record import Record, field
from hf_publish.checks.members import Member, check_members_text, parse_members
from hf_publish.errors import EXIT_FINDINGS, EXIT_OK, HubError, UsageError
from hf_publish.policy.model import Policy


class HubMember(Record):
    username: str
    fullname: str = ""
    role: str | None = None  # None: the Hub did not say


class MembersDiff(Record, frozen=False):
    missing: list[Member] = field(default_factory=list)  # in the file, not in the org
    extra: list[HubMember] = field(default_factory=list)  # in the org, not in the file
    roles: list[tuple[Member, HubMember]] = field(default_factory=list)  # both, roles differ
    unmatched: list[Member] = field(default_factory=list)  # no username: cannot be matched
    roles_unknown: bool = False

    @property
    def differs(self) -> bool:
        return bool(self.missing or self.extra or self.roles or self.unmatched)


def diff_members(rows: Iterable[Member], hub: Iterable[HubMember]) -> MembersDiff:
    out = MembersDiff()
    by_name = {m.username.lower(): m for m in hub}
    out.roles_unknown = any(m.role is None for m in by_name.values())
    seen: set[str] = set()
    for row in rows:
        if not row.username:
            out.unmatched.append(row)
            continue
        key = row.username.lower()
        seen.add(key)
        member = by_name.get(key)
        if member is None:
            out.missing.append(row)
        elif member.role is not None and member.role != row.role.lower():
            out.roles.append((row, member))
    out.extra = [m for key, m in sorted(by_name.items()) if key not in seen]
    return out


def members_url(endpoint: str, org: str) -> str:
    return f"{endpoint.rstrip('/')}/organizations/{org}/settings/members"


def format_diff(diff: MembersDiff, org: str, endpoint: str, path: str) -> list[str]:
    url = members_url(endpoint, org)
    lines: list[str] = []
    for row in diff.missing:
        lines.append(f"missing  {row.username} <{row.email}> ({row.role}): in {path}:{row.line}, not a member of {org}")
    for m in diff.extra:
        role = f" ({m.role})" if m.role else ""
        lines.append(f"extra    {m.username}{role}: a member of {org}, not in {path}")
    for row, m in diff.roles:
        lines.append(f"role     {row.username}: {m.role} on the Hub, {row.role} in {path}:{row.line}")
    for row in diff.unmatched:
        lines.append(
            f"unknown  {row.email} ({row.role}): {path}:{row.line} has no username, so it cannot be matched "
            "to a Hub member (the Hub does not show members' emails). Fix: fill in the username column"
        )
    if diff.roles_unknown:
        lines.append(
            f"note: the Hub did not report every member's role to this token: roles were compared only "
            f"where it did (an admin of {org} sees them all)"
        )
    if not diff.differs:
        return lines + [f"{path} and the members of {org} agree"]
    lines.append("")
    lines.append(
        "huggingface_hub 2.4.0 has no call to invite, remove or re-role an org member, so hf-publish "
        f"changes nothing; an admin of {org} does it at {url}:"
    )
    for row in diff.missing:
        lines.append(
            f"  - invite {row.email} (or {row.username}) with the role {row.role}: 'Invite members', "
            "enter the address, pick the role, send"
        )
    for m in diff.extra:
        lines.append(
            f"  - remove {m.username}: the member's row, 'Remove from organization' "
            f"(or add them to {path} if they belong)"
        )
    for row, m in diff.roles:
        lines.append(f"  - change the role of {row.username} from {m.role} to {row.role}: the member's role menu")
    lines.append(f"then re-run `hf-publish members diff` (exit 0 once {path} and the org agree)")
    return lines


def load_cli_policy(config: str | None) -> Policy:
    """The policy of the checkout the command runs in (the one locate sequence of every command)."""
    from hf_publish.policy.load import locate

    return locate(Path.cwd(), config).policy


def hub_members(hub: Any, org: str) -> list[HubMember]:
    def listing() -> list[HubMember]:
        out = []
        for user in hub.organization_members(org):
            role = getattr(user, "role", None) or getattr(user, "roleInOrg", None)
            out.append(HubMember(user.username, user.fullname or "", str(role) if role else None))
        return out

    try:
        return listing()
    except HubError as exc:
        if getattr(exc, "status", None) != 404:
            raise
        raise HubError(
            f"{str(exc).split('. Next:')[0]}. Next: check the organization's name (`organization:` in "
            f".hf-publish.yaml, or --org; {hub.endpoint.rstrip('/')}/{org} must be its page)"
        ) from None


def command_members(args: argparse.Namespace) -> int:
    from hf_publish import _git
    from hf_publish.publishing.hub import Hub, make_api, resolve_token
    from hf_publish.report import print_findings
    from hf_publish.tokens import redact

    if args.members_command != "diff":
        raise UsageError("usage: hf-publish members diff [--file FILE] (see hf-publish members --help)")
    policy = load_cli_policy(args.config)
    org = args.org or policy.organization
    if not org:
        raise UsageError(
            "no organization: the policy has no `organization:` and no --org was given. Next: pass --org ORG"
        )
    cwd = Path.cwd()
    root = _git.find_root(cwd) or cwd
    path = Path(args.file) if args.file else root / policy.members.file
    shown = args.file or policy.members.file
    try:
        text = path.read_bytes().decode("utf-8-sig", "replace")
    except OSError as exc:
        raise UsageError(
            f"{shown}: cannot read the members file ({exc.strerror}). Next: create it (header "
            "email,role,name,username) or pass --file"
        ) from None
    findings = check_members_text(text, shown, policy.members)
    if findings:
        print_findings(findings, "text")
        print(f"hf-publish: {shown} has {len(findings)} problem(s); fix them first (hf-publish check members)")
        return EXIT_FINDINGS
    rows, _ = parse_members(text, shown)
    token = resolve_token()
    hub = Hub(make_api(args.endpoint, token.value))
    diff = diff_members(rows, hub_members(hub, org))
    for line in format_diff(diff, org, hub.endpoint, shown):
        print(redact(line))
    return EXIT_FINDINGS if diff.differs else EXIT_OK
