"""Organization endpoints (``get_organization_overview``, ``list_organization_members``) and the
token table ``sandbox serve`` prints.

Org settings come from the users file (see ``auth``): ``fullname``, ``plan`` (free, pro, team,
enterprise, enterprise-plus), ``seats`` and ``members`` with their roles. The overview counts the
repos the caller can see; the members list reports each member's ``role`` to the org's admins
only, as the Hub does, and is paged like every listing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from .auth import Auth, Token, stable_id
from .listing import paged
from .web import HubError, Request, Response

if TYPE_CHECKING:
    from .server import Hub


class TokenRow(NamedTuple):
    """One line of ``Sandbox.token_table()``."""

    name: str
    user: str
    kind: str  # "classic" | "fine-grained" | "oidc"
    scope: str
    role: str  # the user's roles in orgs, "acme-ai=admin"


def _scope(tok: Token) -> str:
    if tok.role == "fineGrained":
        parts = [
            f"{e.get('entity', {}).get('type')}:{e.get('entity', {}).get('name')}[{','.join(e.get('permissions', []))}]"
            for e in tok.scoped
        ]
        if tok.can_read_gated:
            parts.append("gated-repos:read")
        text = " ".join(parts) or "(nothing)"
    else:
        text = tok.role
    if tok.revoked_in:
        text += f" (revoked in {', '.join(tok.revoked_in)})"
    if tok.expired:
        text += " (expired)"
    return text


def token_table(auth: Auth) -> list[TokenRow]:
    """Every named token and each trusted publisher (OIDC id token) as table rows."""
    rows = []
    for tok in auth.tokens.values():
        if tok.oidc_repo is not None:
            continue
        user = tok.user or ""
        roles = [f"{org}={spec['members'][user]}" for org, spec in auth.orgs.items() if user in spec["members"]]
        rows.append(
            TokenRow(
                tok.name,
                user,
                "fine-grained" if tok.role == "fineGrained" else "classic",
                _scope(tok),
                ", ".join(roles) or "-",
            )
        )
    for i, trust in enumerate(auth.oidc_trust):
        rows.append(
            TokenRow(
                f"oidc-{i + 1}",
                "-",
                "oidc",
                "repos " + ", ".join(trust.get("repos") or []),
                "read+write on one repo, 1 h",
            )
        )
    return rows


def format_table(rows: list[TokenRow]) -> str:
    head = TokenRow("TOKEN", "USER", "KIND", "SCOPE", "ROLE")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(5)]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in [head, *rows]
    )


class Orgs:
    def __init__(self, hub: Hub):
        self.hub = hub

    def add_routes(self, route: Callable[..., None]) -> None:
        route("GET", r"/api/organizations/(?P<org>[^/]+)/overview", self.overview)
        route("GET", r"/api/organizations/(?P<org>[^/]+)/members", self.members)

    def _org(self, org: str) -> tuple[str, dict[str, Any]]:
        auth = self.hub.auth
        name = auth.canonical_namespace(org)
        if name is None or auth.namespace_kind(name) != "org":
            raise HubError(404, f"Organization {org} not found")
        return name, auth.orgs[name]

    def overview(self, req: Request, org: str) -> Response:
        name, spec = self._org(org)
        counts = {"model": 0, "dataset": 0, "space": 0}
        for repo in self.hub.views.visible(req, None, name):
            counts[repo.repo_type] += 1
        me = req.token.user if req.token else None
        return Response.json(
            {
                "_id": stable_id("org", name),
                "name": name,
                "fullname": spec.get("fullname", name),
                "avatarUrl": "",
                "details": spec.get("details"),
                "isVerified": False,
                "isFollowing": False,
                "isEnterprise": spec.get("plan") in ("enterprise", "enterprise-plus"),
                "numUsers": len(spec["members"]),
                "numModels": counts["model"],
                "numDatasets": counts["dataset"],
                "numSpaces": counts["space"],
                "numFollowers": 0,
                "numPapers": 0,
                "plan": spec.get("plan", "free"),
                **({"roleInOrg": spec["members"][me]} if me in spec["members"] else {}),
            }
        )

    def members(self, req: Request, org: str) -> Response:
        _, spec = self._org(org)
        me = req.token.user if req.token else None
        admin = me is not None and spec["members"].get(me) == "admin"
        items = []
        for user, role in sorted(spec["members"].items(), key=lambda kv: kv[0].lower()):
            info = self.hub.auth.users.get(user, {})
            item: dict[str, Any] = {
                "_id": stable_id("user", user),
                "user": user,
                "fullname": info.get("fullname", user),
                "avatarUrl": "",
                "type": "user",
                "isPro": False,
            }
            if admin:
                item["role"] = role
            items.append(item)
        return paged(self.hub, req, items, self.hub.views.page_size)
