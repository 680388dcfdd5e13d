"""Token preflight, in plain words: what this token is, and whether it may do what the run needs.

Pure: `decode_whoami` reads the Hub's `whoami-v2` answer; `judge` combines it with the policy and
the target repo (does it exist; what `auth_check(write=True)` said) into a `Verdict` naming every
problem and its exact fix. Nothing here touches the network (hub.py fetches the inputs).

The Hub's rules (../shared/hub-api.md): effective right = the user's org role INTERSECT the token's
scope. A classic write token carries the user's whole role; a classic read token reads only. A
fine-grained token may create in org X iff it holds `repo.write` on `{type: org, name: X}`, and may
push to X/Y iff that, or `repo.write` on `{type: <repo type>, name: X/Y}`. Org roles: read reads;
contributor creates repos and writes only to the repos it created; write and admin write to any.
For an existing repo, `auth_check(write=True)` is authoritative (it knows who created the repo).
Trusted Publishing (OIDC) tokens are scoped to one existing repo and cannot create repos.
"""

from __future__ import annotations

from typing import Any

from hf_publish._record import Record, field

WRITE = "repo.write"
CREATOR_ROLES = ("contributor", "write", "admin")
WRITER_ROLES = ("write", "admin")
DEFAULT_ENDPOINT = "https://huggingface.co"
NEW_TOKEN_PATH = "/settings/tokens/new?tokenType=fineGrained"
NEW_TOKEN_URL = DEFAULT_ENDPOINT + NEW_TOKEN_PATH


def hub_page(endpoint: str | None, path: str) -> str:
    """A page of the Hub the run talks to (a sandbox or a private Hub is not huggingface.co)."""
    return (endpoint or DEFAULT_ENDPOINT).rstrip("/") + path


class Scope(Record):
    """One fine-grained scope entry: an entity (org, user, model, dataset, space) and its permissions."""

    entity_type: str
    name: str
    permissions: frozenset[str]

    def describe(self) -> str:
        perms = ", ".join(sorted(self.permissions)) or "no permissions"
        return f"{perms} on {self.entity_type} {self.name}"


class TokenInfo(Record):
    """The `whoami-v2` answer, decoded.

    `kind`: "classic-read", "classic-write", "fine-grained", "oidc" or "unknown".
    """

    kind: str
    user: str
    display_name: str
    source: str
    scopes: tuple[Scope, ...] = ()
    org_roles: dict[str, str] = field(default_factory=dict)
    restrictions: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def kind_words(self) -> str:
        return {
            "classic-read": "classic read token",
            "classic-write": "classic write token (the whole account's power)",
            "fine-grained": "fine-grained token",
            "oidc": "Trusted Publishing (OIDC) token (one repo, 1 hour)",
        }.get(self.kind, "token of an unknown kind")

    def role_in(self, namespace: str) -> str | None:
        """The user's role in a namespace: "owner" for their own, their org role, else None."""
        if self.user and self.user.lower() == namespace.lower():
            return "owner"
        for org, role in self.org_roles.items():
            if org.lower() == namespace.lower():
                return role
        return None

    def permissions_on(self, entity_type: str, name: str) -> frozenset[str]:
        out: set[str] = set()
        for scope in self.scopes:
            if scope.entity_type == entity_type and scope.name.lower() == name.lower():
                out |= scope.permissions
        return frozenset(out)

    def revoked_in(self, namespace: str) -> bool:
        for org, restrictions in self.restrictions.items():
            if org.lower() == namespace.lower() and "token-revoked" in restrictions:
                return True
        return False

    def scope_words(self) -> str:
        if self.kind == "classic-write":
            return "everything the account can do"
        if self.kind == "classic-read":
            return "read everything the account can read"
        if not self.scopes:
            return "no repository permissions"
        return "; ".join(s.describe() for s in self.scopes)


def decode_whoami(data: dict[str, Any], *, source: str = "HF_TOKEN", oidc: bool = False) -> TokenInfo:
    """Decode a `whoami-v2` answer. Unknown permission strings are kept and ignored."""
    access = (data.get("auth") or {}).get("accessToken") or {}
    role = access.get("role")
    if oidc:
        kind = "oidc"
    elif role == "read":
        kind = "classic-read"
    elif role == "write":
        kind = "classic-write"
    elif role == "fineGrained":
        kind = "fine-grained"
    else:
        kind = "unknown"
    scopes = []
    for entry in (access.get("fineGrained") or {}).get("scoped") or []:
        entity = entry.get("entity") or {}
        scopes.append(
            Scope(
                str(entity.get("type", "")),
                str(entity.get("name", "")),
                frozenset(str(p) for p in (entry.get("permissions") or [])),
            )
        )
    roles: dict[str, str] = {}
    restrictions: dict[str, tuple[str, ...]] = {}
    for org in data.get("orgs") or []:
        name = org.get("name")
        if not name:
            continue
        roles[name] = org.get("roleInOrg") or "read"
        if org.get("securityRestrictions"):
            restrictions[name] = tuple(org["securityRestrictions"])
    return TokenInfo(
        kind=kind,
        user=str(data.get("name") or ""),
        display_name=str(access.get("displayName") or ""),
        source=source,
        scopes=tuple(scopes),
        org_roles=roles,
        restrictions=restrictions,
    )


class Target(Record):
    """What the run needs on one repo.

    `exists`: does the repo exist (None: unknown). `write_check`: the Hub's `auth_check(write=True)`
    answer for an existing repo (None: not asked). `create_pr`: a pull request needs only read access.
    """

    repo_id: str
    repo_type: str = "model"
    exists: bool | None = None
    write_check: bool | None = None
    write_check_message: str = ""
    create_pr: bool = False

    @property
    def namespace(self) -> str:
        return self.repo_id.split("/")[0]


class Problem(Record):
    reason: str
    fix: str


class Verdict(Record):
    token: TokenInfo
    target: Target
    role: str | None
    may_create: bool
    may_push: bool
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        """The verdict in plain words, one fact a line."""
        t, target = self.token, self.target
        who = f"{t.user}" if t.user else "an unknown user"
        name = f' "{t.display_name}"' if t.display_name else ""
        out = [f"token: {t.kind_words}{name} of {who} (from {t.source})", f"scope: {t.scope_words()}"]
        if t.kind != "oidc":
            role = self.role or "none (not a member)"
            out.append(f"role in {target.namespace}: {role}")
        if target.exists is False:
            out.append(f"{target.repo_id}: does not exist; may create it: {_yes(self.may_create)}")
        elif target.exists:
            how = " (Hub auth-check)" if target.write_check is not None else ""
            out.append(f"{target.repo_id}: exists; may push: {_yes(self.may_push)}{how}")
        for problem in self.problems:
            out.append(f"refused: {problem.reason}. Fix: {problem.fix}")
        return out

    def message(self) -> str:
        """The AuthError text: every problem, each with its fix."""
        parts = [
            f"{self.target.repo_id}: this token cannot publish ({self.token.kind_words} of "
            f"{self.token.user or 'an unknown user'}, from {self.token.source})"
        ]
        parts += [f"  - {p.reason}. Fix: {p.fix}" for p in self.problems]
        return "\n".join(parts)


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def judge(
    token: TokenInfo, target: Target, *, require_fine_grained: bool = True, endpoint: str | None = None
) -> Verdict:
    """May this token do what publishing `target` needs? Every problem comes with its exact fix.

    A dry run needs nothing: the caller shows the same verdict, its problems as notes.
    """
    ns = target.namespace
    role = token.role_in(ns)
    org_or_user = "user" if role == "owner" else "org"
    new_token_url = hub_page(endpoint, NEW_TOKEN_PATH)  # the links follow the endpoint
    fine_token_fix = (
        f"create a fine-grained token with repo.write on {org_or_user} {ns} ({new_token_url}) and set HF_TOKEN to it"
    )

    # What the token's own scope allows, regardless of the user's role.
    if token.kind == "classic-write":
        scope_create = scope_push = True
    elif token.kind == "classic-read":
        scope_create = scope_push = False
    elif token.kind in ("fine-grained", "oidc"):
        on_ns = token.permissions_on(org_or_user, ns)
        on_repo = token.permissions_on(target.repo_type, target.repo_id)
        scope_create = token.kind != "oidc" and WRITE in on_ns
        scope_push = WRITE in on_ns or WRITE in on_repo
    else:
        scope_create = scope_push = False

    if token.kind == "oidc":
        role_create, role_push = False, True  # no user role: the Hub scoped the token to its repo
    else:
        role_create = role in CREATOR_ROLES or role == "owner"
        role_push = role in WRITER_ROLES or role == "owner" or role == "contributor"
    revoked = token.revoked_in(ns)

    may_create = role_create and scope_create and not revoked
    if target.write_check is not None:
        may_push = target.write_check
    elif target.exists is False:
        may_push = may_create  # the creator may push to what it created
    else:
        may_push = role_push and scope_push and not revoked

    needs_create = target.exists is False
    needs_push = not target.create_pr and not needs_create
    problems: list[Problem] = []

    if revoked:
        problems.append(
            Problem(
                f"the org {ns} has revoked this token (its token policy blocks it)",
                f"ask an admin of {ns} what its token policy requires, then create a new "
                f"fine-grained token that meets it ({new_token_url})",
            )
        )
    if require_fine_grained and token.kind == "classic-write":
        problems.append(
            Problem(
                "the policy (auth.require_fine_grained) refuses classic write tokens: "
                "they carry the whole account's power",
                fine_token_fix + ", or set auth.require_fine_grained: false in .hf-publish.yaml",
            )
        )
    if token.kind == "unknown":
        problems.append(Problem("the Hub did not say what kind of token this is", fine_token_fix))
    if needs_create and token.kind == "oidc":
        problems.append(
            Problem(
                f"{target.repo_id} does not exist, and Trusted Publishing (OIDC) tokens cannot create repos",
                f"create {target.repo_id} once with a fine-grained token with repo.write on "
                f"org {ns} (or on the Hub website), then re-run",
            )
        )
    if token.kind != "oidc" and not revoked:
        if role is None and (needs_create or needs_push):
            problems.append(
                Problem(
                    # The token cannot tell an org it is not in from another user's namespace.
                    f"{token.user or 'this user'} has no role in {ns} (an org {token.user or 'they'} "
                    "is not a member of, or another user's namespace)",
                    f"if {ns} is an org, ask an admin of {ns} to add {token.user or 'you'} with the "
                    "contributor role (create repos) or the write role (push to any repo); otherwise "
                    "publish to an org you belong to or to your own namespace",
                )
            )
        elif needs_create and not role_create:
            problems.append(
                Problem(
                    f"the role {role} in {ns} cannot create repos",
                    f"ask an admin of {ns} for the contributor role (or write)",
                )
            )
        elif needs_push and not role_push:
            problems.append(
                Problem(
                    f"the role {role} in {ns} cannot push",
                    f"ask an admin of {ns} for the write role (or the contributor role, then create the repo yourself)",
                )
            )
        if token.kind == "classic-read" and (needs_create or needs_push):
            problems.append(Problem("a read token cannot create or push", fine_token_fix))
        elif token.kind == "fine-grained" and needs_create and not scope_create:
            problems.append(
                Problem(
                    f"the token's scope has no repo.write on {org_or_user} {ns} "
                    f"({token.scope_words()}), so it cannot create {target.repo_id}",
                    fine_token_fix,
                )
            )
        elif token.kind == "fine-grained" and needs_push and not scope_push:
            problems.append(
                Problem(
                    f"the token's scope has no repo.write on {org_or_user} {ns} nor on "
                    f"{target.repo_type} {target.repo_id} ({token.scope_words()})",
                    fine_token_fix,
                )
            )
    if needs_push and target.write_check is False and not problems:
        # Role and scope look right, yet the Hub says no: the Hub knows things whoami does not.
        if role == "contributor":
            problems.append(
                Problem(
                    f"contributors may push only to repos they created, and {target.repo_id} "
                    f"was created by someone else",
                    f"ask an admin of {ns} for the write role, or ask the repo's creator to publish",
                )
            )
        else:
            why = f": {target.write_check_message}" if target.write_check_message else ""
            problems.append(
                Problem(
                    f"the Hub refuses writes to {target.repo_id} for this token{why}",
                    fine_token_fix
                    if token.kind != "oidc"
                    else f"make sure HF_OIDC_RESOURCE names {target.repo_id} and the repo trusts this workflow",
                )
            )
    return Verdict(
        token=token, target=target, role=role, may_create=may_create, may_push=may_push, problems=tuple(problems)
    )
