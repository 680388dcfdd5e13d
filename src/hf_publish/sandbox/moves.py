"""``move_repo`` (``POST /api/repos/move``) and the redirects a moved repo leaves behind.

Moving takes write access to the repo and the admin role in its namespace (one's own namespace
counts), and the right to create repos in the target namespace (403 otherwise); a target that
exists is a 409, a source that does not a 404. Afterwards every request naming the old id (info,
tree, downloads, uploads) answers ``307`` to the same URL with the new id, which the client
follows, until a new repo is created under the old id.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from .store import REPO_TYPES, StoreError, valid_repo_id
from .web import HubError, Request, Response, repo_not_found

if TYPE_CHECKING:
    from .server import Hub


def redirect(req: Request, old_id: str, new_id: str) -> HubError:
    """The 307 to this request's URL with ``old_id`` replaced by ``new_id``."""
    pattern = re.compile(r"/" + re.escape(old_id) + r"(?=/|\.git/|$)", re.IGNORECASE)
    path = pattern.sub("/" + new_id, req.path, count=1)
    query = urlencode(req.query, doseq=True)
    location = f"{req.base}{path}" + (f"?{query}" if query else "")
    return HubError(307, f"Repository moved to {new_id}", headers={"Location": location})


class Moves:
    def __init__(self, hub: Hub):
        self.hub = hub

    def add_routes(self, route: Callable[..., None]) -> None:
        route("POST", r"/api/repos/move", self.move)

    def move(self, req: Request) -> Response:
        if req.token is None:
            raise HubError(401, "You must be authenticated to move a repo")
        body = req.json()
        repo_type = str(body.get("type") or "model")
        if repo_type not in REPO_TYPES:
            raise HubError(400, f"Invalid repo type: {repo_type}")
        from_id, to_id = str(body.get("fromRepo") or ""), str(body.get("toRepo") or "")
        if "/" not in to_id or not valid_repo_id(to_id):
            raise HubError(400, f"Invalid target repo id {to_id!r}: it must be namespace/name")
        repo = self.hub.store.get(repo_type, from_id)
        if repo is None:
            raise repo_not_found(False)
        auth = self.hub.auth
        access = auth.repo_access(req.token, repo_type, repo.repo_id, repo.private, repo.meta.get("creator"))
        if not access.read:
            raise repo_not_found(False)
        source_ns = repo.repo_id.split("/")[0]
        if not access.write or auth.role_in(req.token.user, source_ns) != "admin":
            raise HubError(
                403,
                f"You don't have the rights to move {repo.repo_id}: it takes the admin role in "
                f"{source_ns} and a write token",
            )
        target_ns, name = to_id.split("/")
        canonical = auth.canonical_namespace(target_ns)
        if canonical is None:
            raise HubError(404, f"Namespace {target_ns} not found")
        denied = auth.can_create(req.token, repo_type, canonical)
        if denied:
            raise HubError(403, denied)
        new_id = f"{canonical}/{name}"
        if new_id == repo.repo_id:
            raise HubError(400, "The source and target repos are the same")
        try:
            self.hub.store.move(repo, new_id)
        except StoreError as exc:
            raise HubError(exc.status, exc.message, exc.code) from None
        return Response.json({})
