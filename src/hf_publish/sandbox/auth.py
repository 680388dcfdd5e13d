"""Users, orgs, tokens and the Hub's permission rules for the sandbox.

Effective right = the user's role in the namespace INTERSECT the token's scope (hub-api.md):
classic ``read``/``write`` tokens carry the user's full role (read-only for ``read``); a
fine-grained token only reaches what one of its scoped entries grants. OIDC tokens minted by
``/oauth/token`` carry no user role at all: one repo, read + write, for one hour.

The users file (``--users FILE``) has the shape of ``DEFAULT_CONFIG`` (USERS_FILE_HELP)::

    orgs:
      acme-ai: {fullname: ACME AI, plan: team, seats: 5,  # plan: free|pro|team|enterprise|enterprise-plus
                members: {alice: admin, bob: write, carol: contributor, dave: read}}
    users:
      alice: {fullname: Alice, email: alice@example.com}
    tokens:                       # value: optional; default hf_ + 34 letters derived from the name
      alice-write: {user: alice, role: write}            # classic: read | write
      alice-fg-org: {user: alice, scoped: [{entity: {type: org, name: acme-ai},
                                            permissions: [repo.write, repo.content.read]}],
                     can_read_gated_repos: false}         # fine-grained: reads gated repos it was granted
      alice-revoked: {user: alice, role: write, revoked_in: [acme-ai]}
      expired: {user: alice, role: write, expired: true}
    oidc:                         # trusted publishers: id token -> repo globs ("dataset:ns/*" for a type)
      - {id_token: some-shared-string, repos: ["acme-ai/*"]}
"""

from __future__ import annotations

import fnmatch
import hashlib
import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

READ = "repo.content.read"
WRITE = "repo.write"
ROLES = ("read", "contributor", "write", "admin")
PLANS = ("free", "pro", "team", "enterprise", "enterprise-plus")
USERS_FILE_HELP = """\
users file (YAML), every key optional:
  orgs:
    ORG: {fullname: TEXT, plan: free|pro|team|enterprise|enterprise-plus, seats: N,
          members: {USER: read|contributor|write|admin}}
  users:
    USER: {fullname: TEXT, email: ADDRESS}
  tokens:                 # value defaults to hf_ + 34 letters derived from the token name
    NAME: {user: USER, role: read|write}                       # classic token
    NAME: {user: USER, scoped: [{entity: {type: org|user|model|dataset|space, name: ID},
                                 permissions: [repo.content.read, repo.write]}],
           can_read_gated_repos: true|false}                   # fine-grained token
    NAME: {user: USER, role: write, revoked_in: [ORG], expired: true, value: hf_...}
  oidc:                   # trusted publishers: id token -> repo globs ("dataset:ORG/*" for one type)
    - {id_token: TEXT, repos: [ORG/*]}
Without --users: the org acme-ai (alice admin, bob write, carol contributor, dave read), eve outside it.
"""

INVALID_TOKEN = "Invalid user token."
INVALID_CREDENTIALS = "Invalid credentials in Authorization header"
DEFAULT_OIDC_ID_TOKEN = "sandbox-github-oidc-id-token"
OIDC_LIFETIME = 3600

DEFAULT_CONFIG: dict[str, Any] = {
    "orgs": {
        "acme-ai": {
            "fullname": "ACME AI",
            "plan": "team",
            "seats": 5,
            "members": {"alice": "admin", "bob": "write", "carol": "contributor", "dave": "read"},
        }
    },
    "users": {
        "alice": {"fullname": "Alice Admin", "email": "alice@acme-ai.example"},
        "bob": {"fullname": "Bob Writer", "email": "bob@acme-ai.example"},
        "carol": {"fullname": "Carol Contributor", "email": "carol@acme-ai.example"},
        "dave": {"fullname": "Dave Reader", "email": "dave@acme-ai.example"},
        "eve": {"fullname": "Eve Outsider", "email": "eve@elsewhere.example"},
    },
    "tokens": {
        "alice-write": {"user": "alice", "role": "write"},
        "alice-read": {"user": "alice", "role": "read"},
        "bob-write": {"user": "bob", "role": "write"},
        "alice-fg-org": {
            "user": "alice",
            "scoped": [{"entity": {"type": "org", "name": "acme-ai"}, "permissions": [WRITE, READ]}],
        },
        "bob-fg-org": {
            "user": "bob",
            "scoped": [{"entity": {"type": "org", "name": "acme-ai"}, "permissions": [WRITE, READ]}],
        },
        "carol-fg-org": {
            "user": "carol",
            "scoped": [{"entity": {"type": "org", "name": "acme-ai"}, "permissions": [WRITE, READ]}],
        },
        "dave-fg-org": {
            "user": "dave",
            "scoped": [{"entity": {"type": "org", "name": "acme-ai"}, "permissions": [WRITE, READ]}],
        },
        "alice-fg-read": {
            "user": "alice",
            "scoped": [{"entity": {"type": "org", "name": "acme-ai"}, "permissions": [READ]}],
        },
        "alice-fg-repo": {
            "user": "alice",
            "scoped": [
                {"entity": {"type": "model", "name": "acme-ai/bert-korean-sentiment-v2"}, "permissions": [WRITE]}
            ],
        },
        "eve-fg-user": {
            "user": "eve",
            "scoped": [{"entity": {"type": "user", "name": "eve"}, "permissions": [WRITE, READ]}],
        },
        "alice-revoked": {"user": "alice", "role": "write", "revoked_in": ["acme-ai"]},
        "expired": {"user": "alice", "role": "write", "expired": True},
    },
    # Trusted publishers: which OIDC id tokens /oauth/token accepts, and for which repos (globs).
    "oidc": [{"id_token": DEFAULT_OIDC_ID_TOKEN, "repos": ["acme-ai/*"]}],
}


def derive_token(name: str) -> str:
    """A deterministic token that looks real: ``hf_`` + 34 ASCII letters derived from ``name`` (sha512)."""
    letters = string.ascii_letters
    digest = hashlib.sha512(b"hf-publish-sandbox-token:" + name.encode()).digest()
    return "hf_" + "".join(letters[b % len(letters)] for b in digest[:34])


def stable_id(kind: str, name: str) -> str:
    return hashlib.sha1(f"{kind}:{name}".encode()).hexdigest()[:24]


_stable_id = stable_id


@dataclass
class Token:
    name: str
    value: str
    user: str | None
    role: str  # "read" | "write" | "fineGrained"
    scoped: list[dict[str, Any]] = field(default_factory=list)
    revoked_in: list[str] = field(default_factory=list)
    expired: bool = False
    can_read_gated: bool = False  # fine-grained: "read access to public gated repos you can access"
    expires_at: float | None = None  # OIDC tokens
    oidc_repo: tuple[str, str] | None = None  # (repo_type, repo_id) for OIDC tokens

    def permissions_for(self, entity_type: str, name: str) -> set[str]:
        out: set[str] = set()
        for entry in self.scoped:
            ent = entry.get("entity", {})
            if ent.get("type") == entity_type and str(ent.get("name", "")).lower() == name.lower():
                out.update(entry.get("permissions", []))
        return out


class Forbidden(Exception):
    """Raised with the Hub's 403 text."""


@dataclass
class Access:
    """What one principal may do on one repo (or namespace)."""

    read: bool
    write: bool
    deny_message: str | None = None


class Auth:
    """Users, orgs, tokens (from a YAML file, a dict or the built-in defaults) and the rules."""

    def __init__(self, config: dict[str, Any] | str | Path | None = None):
        if config is None:
            config = DEFAULT_CONFIG
        elif isinstance(config, (str, Path)):
            import yaml

            config = yaml.safe_load(Path(config).read_text(encoding="utf-8")) or {}
        self.users: dict[str, dict[str, Any]] = {u: dict(v or {}) for u, v in (config.get("users") or {}).items()}
        self.orgs: dict[str, dict[str, Any]] = {}
        for org, spec in (config.get("orgs") or {}).items():
            spec = dict(spec or {})
            members = dict((spec.get("members") or {}).items())
            for member, role in members.items():
                if role not in ROLES:
                    raise ValueError(f"users file: role {role!r} of {member!r} in {org!r} is not one of {ROLES}")
                self.users.setdefault(member, {})
            spec["members"] = members
            if spec.setdefault("plan", "free") not in PLANS:
                raise ValueError(f"users file: plan {spec['plan']!r} of {org!r} is not one of {PLANS}")
            seats = spec.setdefault("seats", len(members))
            if not isinstance(seats, int) or isinstance(seats, bool) or seats < 0:
                raise ValueError(f"users file: seats of {org!r} must be a whole number, not {seats!r}")
            self.orgs[org] = spec
        self.tokens: dict[str, Token] = {}
        self._by_value: dict[str, Token] = {}
        for name, spec in (config.get("tokens") or {}).items():
            spec = dict(spec or {})
            user = spec.get("user")
            if user not in self.users:
                raise ValueError(f"users file: token {name!r} names unknown user {user!r}")
            tok = Token(
                name=name,
                value=spec.get("value") or derive_token(name),
                user=user,
                role="fineGrained" if spec.get("scoped") else spec.get("role", "read"),
                scoped=list(spec.get("scoped") or []),
                revoked_in=list(spec.get("revoked_in") or []),
                expired=bool(spec.get("expired", False)),
                can_read_gated=bool(spec.get("can_read_gated_repos", False)),
            )
            self.tokens[name] = tok
            self._by_value[tok.value] = tok
        self.oidc_trust: list[dict[str, Any]] = list(config.get("oidc") or [])
        self._lock = threading.Lock()

    # -- additions at run time (generated orgs) ------------------------------------------------
    def add_user(self, name: str, fullname: str | None = None, email: str | None = None) -> None:
        self.users.setdefault(name, {"fullname": fullname or name, "email": email or f"{name}@example.com"})

    def add_org(
        self,
        name: str,
        members: dict[str, str],
        *,
        fullname: str | None = None,
        plan: str = "team",
        seats: int | None = None,
    ) -> None:
        if plan not in PLANS:
            raise ValueError(f"plan {plan!r} is not one of {PLANS}")
        for member, role in members.items():
            if role not in ROLES:
                raise ValueError(f"role {role!r} of {member!r} in {name!r} is not one of {ROLES}")
            self.add_user(member)
        self.orgs[name] = {
            "fullname": fullname or name,
            "plan": plan,
            "seats": len(members) if seats is None else seats,
            "members": dict(members),
        }

    def add_token(self, name: str, user: str, role: str = "write") -> str:
        """A classic token (value derived from the name, as for the users file); its value."""
        if user not in self.users:
            raise ValueError(f"token {name!r} names unknown user {user!r}")
        tok = Token(name=name, value=derive_token(name), user=user, role=role)
        with self._lock:
            self.tokens[name] = tok
            self._by_value[tok.value] = tok
        return tok.value

    # -- lookup -------------------------------------------------------------------------------
    def token_values(self) -> dict[str, str]:
        return {name: tok.value for name, tok in self.tokens.items() if tok.oidc_repo is None}

    def lookup(self, value: str) -> Token | None:
        with self._lock:
            tok = self._by_value.get(value)
        if tok is not None and tok.expires_at is not None and time.time() >= tok.expires_at:
            return None
        return tok

    def namespace_kind(self, namespace: str) -> str | None:
        ns = namespace.lower()
        if any(o.lower() == ns for o in self.orgs):
            return "org"
        if any(u.lower() == ns for u in self.users):
            return "user"
        return None

    def canonical_namespace(self, namespace: str) -> str | None:
        for name in list(self.orgs) + list(self.users):
            if name.lower() == namespace.lower():
                return name
        return None

    def role_in(self, user: str | None, namespace: str) -> str | None:
        """The user's role in a namespace: admin of their own, their org role, else None."""
        if user is None:
            return None
        if user.lower() == namespace.lower():
            return "admin"
        for org, spec in self.orgs.items():
            if org.lower() == namespace.lower():
                return cast("str | None", spec["members"].get(user))
        return None

    # -- rules --------------------------------------------------------------------------------
    def _revoked(self, tok: Token | None, namespace: str) -> str | None:
        if tok is None:
            return None
        if any(o.lower() == namespace.lower() for o in tok.revoked_in):
            return (
                f"The organization {namespace} has revoked this access token: its token policy blocks "
                "access to the organization's resources. Ask an org admin or use another token."
            )
        return None

    def token_allows(self, tok: Token, repo_type: str, repo_id: str, perm: str) -> bool:
        """Does the token's own scope (not the user's role) grant ``perm`` on this repo?"""
        if tok.role == "write":
            return True
        if tok.role == "read":
            return perm == READ
        namespace = repo_id.split("/")[0]
        kind = self.namespace_kind(namespace) or "user"
        perms = tok.permissions_for(kind, namespace) | tok.permissions_for(repo_type, repo_id)
        if perm == READ:
            return bool(perms & {READ, WRITE})
        return WRITE in perms

    @staticmethod
    def can_push_somewhere(tok: Token | None) -> bool:
        """May this token open a pull request (where it can read)? Not anonymous, not a read-only token.

        A classic read token or a fine-grained token without ``repo.write`` anywhere cannot push or
        open pull requests; a trusted-publisher token writes to its one repo only.
        """
        if tok is None or tok.oidc_repo is not None:
            return False
        if tok.role == "fineGrained":
            return any(
                WRITE in entry.get("permissions", []) or "discussion.write" in entry.get("permissions", [])
                for entry in tok.scoped
            )
        return tok.role == "write"

    def repo_access(
        self, tok: Token | None, repo_type: str, repo_id: str, private: bool, creator: str | None
    ) -> Access:
        namespace = repo_id.split("/")[0]
        if tok is None:
            return Access(read=not private, write=False)
        revoked = self._revoked(tok, namespace)
        if revoked:
            return Access(read=not private, write=False, deny_message=revoked)
        if tok.oidc_repo is not None:
            mine = tok.oidc_repo == (repo_type, repo_id.lower())
            return Access(read=mine or not private, write=mine)
        role = self.role_in(tok.user, namespace)
        role_read = role is not None
        if role in ("admin", "write"):
            role_write = True
        elif role == "contributor":
            role_write = creator is not None and creator == tok.user
        else:
            role_write = False
        read = (not private) or (role_read and self.token_allows(tok, repo_type, repo_id, READ))
        write = role_write and self.token_allows(tok, repo_type, repo_id, WRITE)
        return Access(read=read, write=write)

    def can_create(self, tok: Token | None, repo_type: str, namespace: str) -> str | None:
        """None if allowed, else the Hub's 403 text."""
        denied = f'You don\'t have the rights to create a {repo_type} under the namespace "{namespace}"'
        if tok is None or tok.oidc_repo is not None:
            return denied
        revoked = self._revoked(tok, namespace)
        if revoked:
            return revoked
        if self.role_in(tok.user, namespace) not in ("admin", "write", "contributor"):
            return denied
        if tok.role == "write":
            return None
        if tok.role == "read":
            return denied
        kind = self.namespace_kind(namespace) or "user"
        return None if WRITE in tok.permissions_for(kind, namespace) else denied

    # -- whoami -------------------------------------------------------------------------------
    def whoami(self, tok: Token) -> dict[str, Any]:
        access_token: dict[str, Any] = {
            "displayName": tok.name,
            "role": tok.role,
            "createdAt": "2026-01-01T00:00:00.000Z",
        }
        if tok.role == "fineGrained":
            scoped = []
            for grant in tok.scoped:
                ent = dict(grant.get("entity", {}))
                ent.setdefault("_id", _stable_id(ent.get("type", ""), ent.get("name", "")))
                scoped.append({"entity": ent, "permissions": list(grant.get("permissions", []))})
            access_token["fineGrained"] = {"scoped": scoped, "global": [], "canReadGatedRepos": tok.can_read_gated}
        if tok.oidc_repo is not None:
            return {
                "type": "user",
                "id": _stable_id("oidc", tok.name),
                "name": "trusted-publisher",
                "fullname": "Trusted publisher (OIDC)",
                "orgs": [],
                "auth": {"type": "access_token", "accessToken": access_token},
            }
        user = tok.user or ""
        info = self.users.get(user, {})
        orgs = []
        for org, spec in self.orgs.items():
            role = spec["members"].get(user)
            if role is None:
                continue
            entry: dict[str, Any] = {
                "type": "org",
                "id": _stable_id("org", org),
                "name": org,
                "fullname": spec.get("fullname", org),
                "email": None,
                "canPay": False,
                "periodEnd": None,
                "avatarUrl": "",
                "roleInOrg": role,
                "isEnterprise": False,
            }
            if org in tok.revoked_in:
                entry["securityRestrictions"] = ["token-revoked"]
            orgs.append(entry)
        return {
            "type": "user",
            "id": _stable_id("user", user),
            "name": user,
            "fullname": info.get("fullname", user),
            "email": info.get("email"),
            "emailVerified": True,
            "canPay": False,
            "periodEnd": None,
            "isPro": False,
            "avatarUrl": "",
            "orgs": orgs,
            "auth": {"type": "access_token", "accessToken": access_token},
        }

    # -- OIDC trusted publishing --------------------------------------------------------------
    def oidc_allows(self, id_token: str, repo_type: str, repo_id: str) -> bool:
        for trust in self.oidc_trust:
            if trust.get("id_token") != id_token:
                continue
            for pattern in trust.get("repos") or []:
                ptype, _, pid = pattern.rpartition(":") if ":" in pattern else ("", "", pattern)
                if ptype and ptype != repo_type:
                    continue
                if fnmatch.fnmatchcase(repo_id.lower(), pid.lower()):
                    return True
        return False

    def oidc_known(self, id_token: str) -> bool:
        return any(t.get("id_token") == id_token for t in self.oidc_trust)

    def mint_oidc_token(self, repo_type: str, repo_id: str) -> Token:
        value = "hf_jwt_" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(48))
        tok = Token(
            name=f"oidc:{repo_type}:{repo_id}",
            value=value,
            user=None,
            role="fineGrained",
            scoped=[{"entity": {"type": repo_type, "name": repo_id}, "permissions": [READ, WRITE]}],
            expires_at=time.time() + OIDC_LIFETIME,
            oidc_repo=(repo_type, repo_id.lower()),
        )
        with self._lock:
            self._by_value[value] = tok
        return tok
