"""`members`: the org's members file (members.csv) is one a person and `members diff` can trust.

The file is the guide's format, one member a line::

    email,role,name,username
    alice@acme.example,admin,Alice Admin,alice

`username` (the Hub account) is optional, but `hf-publish members diff` can match a row to the
Hub's member list only through it (the Hub does not show members' emails). Rules, each reported at
its line with the fix: the header; roles among read / contributor / write / admin; email syntax;
no email or username twice; emails in `members.email_domains` when the policy sets it; at least
one admin.

`parse_members` and `members_problems` are pure; `run` reads the file from git's index at commit
time (what is being committed), from the working tree otherwise. No file: nothing to check.
"""

from __future__ import annotations

import re

from hf_publish._record import Record
from hf_publish.findings import Finding

TYPE_CHECKING = False  # typing is not imported at run time (a hook would pay ~2.5 ms)
if TYPE_CHECKING:
    from hf_publish.checks._inputs import CheckContext
    from hf_publish.policy.model import MembersPolicy

CHECK_ID = "members"
ROLES = ("read", "contributor", "write", "admin")
HEADER = ("email", "role", "name")
OPTIONAL_COLUMNS = ("username",)
HEADER_TEXT = "email,role,name[,username]"
MAX_BYTES = 1024 * 1024
# Deliberately plain: one @, no spaces or commas, a dot in the domain (what an invite form accepts).
EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$")
USERNAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,94}[A-Za-z0-9])?$")


class Member(Record):
    """One row of the members file; `line` is where it is."""

    email: str
    role: str
    name: str
    username: str | None
    line: int

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2].lower()


def parse_members(text: str, path: str) -> tuple[list[Member], list[Finding]]:
    """The rows of a members file and the problems of its shape (header, column counts)."""

    def problem(line: int | None, message: str, fix: str) -> Finding:
        return Finding(CHECK_ID, path, line, message, fix)

    if not text.strip():
        return [], [problem(1, "the members file is empty", f"start it with the header line: {HEADER_TEXT}")]
    import csv  # here: most hook runs find no members file
    import io

    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    rows: list[tuple[int, list[str]]] = []
    try:
        start = 1
        for row in reader:
            rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        return [], [problem(reader.line_num, f"not valid CSV: {exc}", "fix the quoting on this line")]
    header_line, header = next(((n, r) for n, r in rows if any(c.strip() for c in r)), (1, []))
    names = tuple(c.strip().lower() for c in header)
    findings: list[Finding] = []
    if names[:3] != HEADER or not set(names[3:]) <= set(OPTIONAL_COLUMNS) or len(set(names)) != len(names):
        findings.append(
            problem(
                header_line,
                f"the header is {','.join(header)!r}, not {HEADER_TEXT}",
                f"make the first line exactly: {','.join(HEADER + OPTIONAL_COLUMNS)} "
                "(username: the member's Hub account, optional)",
            )
        )
        return [], findings
    members = []
    for line, row in rows:
        if line <= header_line or not any(c.strip() for c in row):
            continue
        if len(row) != len(names):
            findings.append(
                problem(
                    line,
                    f"{len(row)} column(s), the header has {len(names)} ({','.join(names)})",
                    'one value per column; quote a name that holds a comma ("Doe, Jane")',
                )
            )
            continue
        values = dict(zip(names, (c.strip() for c in row), strict=True))
        members.append(Member(values["email"], values["role"], values["name"], values.get("username") or None, line))
    return members, findings


def members_problems(members: list[Member], path: str, policy: MembersPolicy) -> list[Finding]:
    """The rules over parsed rows: roles, email syntax and domain, duplicates, an admin."""
    findings: list[Finding] = []
    emails: dict[str, int] = {}
    usernames: dict[str, int] = {}
    allowed = tuple(d.lower() for d in policy.email_domains)
    for m in members:

        def add(message: str, fix: str, line: int = m.line) -> None:
            findings.append(Finding(CHECK_ID, path, line, message, fix))

        if m.role.lower() not in ROLES:
            add(
                f"role {m.role!r} of {m.email or 'this member'} is not a Hub org role",
                f"use one of: {', '.join(ROLES)}",
            )
        elif m.role != m.role.lower():
            add(f"role {m.role!r} is not lowercase", f"write it {m.role.lower()!r}")
        if not EMAIL.match(m.email):
            add(f"{m.email!r} is not an email address", "write the member's address, e.g. jane@acme.example")
        else:
            if allowed and m.domain not in allowed:
                add(
                    f"{m.email} is not in an allowed domain (members.email_domains: {', '.join(allowed)})",
                    "use the member's work address, or add the domain to members.email_domains in .hf-publish.yaml",
                )
            key = m.email.lower()
            if key in emails:
                add(f"{m.email} is listed twice (first at line {emails[key]})", "keep one row per member")
            emails.setdefault(key, m.line)
        if not m.name:
            add(f"{m.email or 'this member'} has no name", "fill in the name column")
        if m.username is not None:
            if not USERNAME.match(m.username):
                add(
                    f"username {m.username!r} is not a Hub account name",
                    "use the account name from the member's profile URL (letters, digits, - _ .)",
                )
            key = m.username.lower()
            if key in usernames:
                add(
                    f"username {m.username} is listed twice (first at line {usernames[key]})",
                    "keep one row per Hub account",
                )
            usernames.setdefault(key, m.line)
    if members and not any(m.role.lower() == "admin" for m in members):
        findings.append(
            Finding(
                CHECK_ID,
                path,
                members[0].line,
                "no member has the admin role: nobody could manage the org's members and settings",
                "give at least one member the role admin",
            )
        )
    return findings


def check_members_text(text: str, path: str, policy: MembersPolicy) -> list[Finding]:
    members, findings = parse_members(text, path)
    return findings + members_problems(members, path, policy)


def read_members_file(ctx: CheckContext, path: str) -> str | None:
    """The members file's text: the index's copy when it is tracked (commit time), else the
    working tree's; None when there is none."""
    from hf_publish import _git

    data: bytes | None = None
    if ctx.in_git and ctx.source == "index":
        entries = [e for e in _git.index_entries(ctx.root, [path]) if e.path == path]
        if entries:
            blob = _git.read_blobs(ctx.root, [entries[0].oid], max_bytes=MAX_BYTES).get(entries[0].oid)
            data = blob.data if blob is not None and blob.data is not None else b"\0" * (MAX_BYTES + 1)
    if data is None:
        full = ctx.root / path
        if full.is_symlink() or not full.is_file():
            return None
        data = full.read_bytes()[: MAX_BYTES + 1]
    if len(data) > MAX_BYTES:
        return "\0too-large"
    return data.decode("utf-8-sig", "replace")


def run(ctx: CheckContext) -> list[Finding]:
    path = ctx.policy.members.file
    if ctx.files is not None and path not in ctx.files and (ctx.policy.source or ".hf-publish.yaml") not in ctx.files:
        return []  # files were named, and neither the members file nor the policy is among them
    text = read_members_file(ctx, path)
    if text is None:
        return []
    if text == "\0too-large":
        return [
            Finding(
                CHECK_ID,
                path,
                None,
                f"the members file is over {MAX_BYTES} bytes",
                "a members file is one short line a member: check members.file names the right file",
            )
        ]
    return check_members_text(text, path, ctx.policy.members)
