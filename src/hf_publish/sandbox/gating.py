"""Gated repos and their access requests, as the Hub serves them.

A gated repo (``gated: auto|manual`` in its settings) still shows its info and file list to
whoever may read it, but its files (``resolve``, xet read tokens) only go to the namespace's
members and to users whose access request was accepted; anyone else gets the Hub's
``X-Error-Code: GatedRepo`` answer (401 anonymous, 403 signed in: ``GatedRepoError``). A
fine-grained token of an outside user also needs ``can_read_gated_repos`` (the Hub's "read access
to contents of all public gated repos you can access").

Requests (``access.json`` per repo): a user asks (``POST /{prefix}{repo}/ask-access`` as the
website does, or ``Sandbox.request_access``); ``auto`` repos accept at once. Admins list them by
status, accept, reject or cancel (back to pending) them, or grant access outright. Managing them
takes write access to the repo (403 for a read-only token), on a gated repo (400 otherwise).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .auth import READ, WRITE, Token
from .listing import paged
from .store import Repo, _write_json_atomic, iso_now
from .web import HubError, Request, Response

if TYPE_CHECKING:
    from .server import Hub

STATUSES = ("pending", "accepted", "rejected")
REJECTION_REASON_MAX = 200
_PREFIX = {"model": "", "dataset": "datasets/", "space": "spaces/"}


def iso(timestamp: datetime | str | float | None) -> str:
    """The Hub's timestamp format from a datetime, an ISO string, epoch seconds or now (None)."""
    if timestamp is None:
        return iso_now()
    if isinstance(timestamp, str):
        return timestamp
    if isinstance(timestamp, (int, float)):
        timestamp = datetime.fromtimestamp(timestamp, timezone.utc)
    if timestamp.tzinfo is None:
        timestamp = timestamp.replace(tzinfo=timezone.utc)
    return timestamp.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{timestamp.microsecond // 1000:03d}Z"


def load(repo: Repo) -> list[dict[str, Any]]:
    try:
        data = json.loads((repo.path / "access.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return data if isinstance(data, list) else []


def save(repo: Repo, items: list[dict[str, Any]]) -> None:
    _write_json_atomic(repo.path / "access.json", items)


class Gate:
    def __init__(self, hub: Hub):
        self.hub = hub

    def add_routes(self, route: Callable[..., None], api: str, web_repo: str) -> None:
        uar = api + r"/user-access-request"
        route("GET", uar + r"/(?P<status>pending|accepted|rejected)", self.list)
        route("POST", uar + r"/handle", self.handle)
        route("POST", uar + r"/grant", self.grant)
        route("POST", web_repo + r"/ask-access", self.ask)

    # -- the gate -----------------------------------------------------------------------------
    def passes(self, tok: Token | None, repo: Repo) -> bool:
        if not repo.meta.get("gated"):
            return True
        if tok is None:
            return False
        if tok.oidc_repo is not None:
            return tok.oidc_repo == (repo.repo_type, repo.repo_id.lower())
        auth = self.hub.auth
        if auth.role_in(tok.user, repo.repo_id.split("/")[0]) is not None:  # members pass, as far as the token reads
            return auth.token_allows(tok, repo.repo_type, repo.repo_id, READ)
        if (
            tok.role == "fineGrained"
            and not tok.can_read_gated
            and not tok.permissions_for(repo.repo_type, repo.repo_id) & {READ, WRITE}
        ):
            return False
        user = (tok.user or "").lower()
        return any(r["user"].lower() == user and r["status"] == "accepted" for r in load(repo))

    def check(self, req: Request, repo: Repo) -> None:
        """Raise the Hub's gated-repo error unless the caller may download this repo's files."""
        if self.passes(req.token, repo):
            return
        what = f"{repo.repo_type} {repo.repo_id}"
        if req.token is None:
            raise HubError(
                401,
                f"Access to {what} is restricted. You must have access to it and be "
                "authenticated to access it. Please log in.",
                "GatedRepo",
            )
        url = f"{req.base}/{_PREFIX[repo.repo_type]}{repo.repo_id}"
        raise HubError(
            403,
            f"Access to {what} is restricted and you are not in the authorized list. Visit {url} to ask for access.",
            "GatedRepo",
        )

    # -- requests -----------------------------------------------------------------------------
    def request(
        self,
        repo: Repo,
        user: str,
        *,
        fields: dict[str, Any] | None = None,
        timestamp: datetime | str | float | None = None,
    ) -> str:
        """Record ``user``'s request (accepted at once on an ``auto`` repo); its status."""
        if not repo.meta.get("gated"):
            raise HubError(400, f"The {repo.repo_type} {repo.repo_id} is not gated")
        with self.hub.store.lock(repo.key):
            items = load(repo)
            for item in items:
                if item["user"].lower() == user.lower():
                    return str(item["status"])
            status = "accepted" if repo.meta.get("gated") == "auto" else "pending"
            info = self.hub.auth.users.get(user, {})
            items.append(
                {
                    "requestId": secrets.token_hex(12),
                    "user": user,
                    "status": status,
                    "timestamp": iso(timestamp),
                    "fields": fields,
                    "email": info.get("email"),
                }
            )
            save(repo, items)
            return status

    def _manageable(self, req: Request, repo_type: str, repo_id: str) -> Repo:
        repo = self.hub._repo(req, repo_type, repo_id)
        if req.token is None:
            raise HubError(401, "You must be authenticated to manage access requests")
        access = self.hub.auth.repo_access(
            req.token, repo.repo_type, repo.repo_id, repo.private, repo.meta.get("creator")
        )
        if not access.write:
            raise HubError(
                403,
                "You need write access to this repo to manage its access requests "
                "(a read token or a read role is not enough)",
            )
        if not repo.meta.get("gated"):
            raise HubError(
                400, f"The {repo.repo_type} {repo.repo_id} is not gated: enable gating in its settings first"
            )
        return repo

    def _json(self, item: dict[str, Any]) -> dict[str, Any]:
        info = self.hub.auth.users.get(item["user"], {})
        out = {
            "user": {
                "user": item["user"],
                "fullname": info.get("fullname", item["user"]),
                "email": item.get("email"),
                "avatarUrl": "",
                "type": "user",
                "isPro": False,
            },
            "requestId": item["requestId"],
            "status": item["status"],
            "timestamp": item["timestamp"],
        }
        if item.get("fields"):
            out["fields"] = item["fields"]
        return out

    def list(self, req: Request, repo_type: str, repo_id: str, status: str) -> Response:
        repo = self._manageable(req, repo_type, repo_id)
        items = [self._json(i) for i in load(repo) if i["status"] == status]
        return paged(self.hub, req, items, self.hub.views.page_size)

    def handle(self, req: Request, repo_type: str, repo_id: str) -> Response:
        repo = self._manageable(req, repo_type, repo_id)
        body = req.json()
        status, user, request_id = body.get("status"), body.get("user"), body.get("requestId")
        if status not in STATUSES:
            raise HubError(400, f'"status" must be one of [{", ".join(STATUSES)}]')
        if (user is None) == (request_id is None):
            raise HubError(400, 'Pass exactly one of "user" and "requestId"')
        reason = body.get("rejectionReason")
        if reason is not None and (
            status != "rejected" or not isinstance(reason, str) or len(reason) > REJECTION_REASON_MAX
        ):
            raise HubError(
                400, f'"rejectionReason" is a text of at most {REJECTION_REASON_MAX} characters, for a rejection only'
            )
        if user is not None and self.hub.auth.canonical_namespace(str(user)) is None:
            raise HubError(404, f"User {user} not found")
        with self.hub.store.lock(repo.key):
            items = load(repo)
            hit = next(
                (
                    i
                    for i in items
                    if (user is not None and i["user"].lower() == str(user).lower())
                    or (request_id is not None and i["requestId"] == request_id)
                ),
                None,
            )
            if hit is None:
                raise HubError(404, "No access request found for this user")
            if hit["status"] == status:
                raise HubError(404, f"The access request is already in the {status} list")
            hit["status"] = status
            if reason is not None:
                hit["rejectionReason"] = reason
            save(repo, items)
        return Response.json({"status": status})

    def grant(self, req: Request, repo_type: str, repo_id: str) -> Response:
        repo = self._manageable(req, repo_type, repo_id)
        user = str(req.json().get("user") or "")
        name = self.hub.auth.canonical_namespace(user)
        if name is None or self.hub.auth.namespace_kind(name) != "user":
            raise HubError(404, f"User {user} not found")
        with self.hub.store.lock(repo.key):
            items = load(repo)
            hit = next((i for i in items if i["user"].lower() == name.lower()), None)
            if hit is not None and hit["status"] == "accepted":
                raise HubError(400, f"{name} already has access to {repo.repo_id}")
            if hit is None:
                items.append(
                    {
                        "requestId": secrets.token_hex(12),
                        "user": name,
                        "status": "accepted",
                        "timestamp": iso_now(),
                        "fields": None,
                        "email": None,
                    }
                )  # granted: no email shared
            else:
                hit["status"] = "accepted"
            save(repo, items)
        return Response.json({"user": name, "status": "accepted"})

    def ask(self, req: Request, repo_type: str, repo_id: str) -> Response:
        """The website's "Agree and access repository" form (any form fields become ``fields``)."""
        repo = self.hub._repo(req, repo_type, repo_id)
        if req.token is None or req.token.user is None:
            raise HubError(401, "You must be signed in to ask for access")
        from urllib.parse import parse_qs

        if "json" in (req.headers.get("Content-Type") or ""):
            raw = req.json()
            fields = {str(k): v for k, v in raw.items()} if isinstance(raw, dict) else {}
        else:
            form = parse_qs(req.body.read_all().decode(errors="replace"))
            fields = {k: v[0] if len(v) == 1 else v for k, v in form.items()}
        status = self.request(repo, req.token.user, fields=fields or None)
        return Response.json({"status": status})
