"""Repo info and repo listings: ``model_info`` & co, ``list_models`` & co, ``list_user_repos``.

One builder (``RepoViews.info``) makes a repo's JSON as ``GET /api/{t}s/{id}`` answers it; the
listings reuse it and keep the fields the Hub sends for a listing:

- no ``expand``/``full``: the Hub's default listing fields for the type (``LIST_FIELDS``);
- ``full=True``: every field except the card (``cardData=True`` adds it); siblings without sizes;
- ``expand[]=...``: exactly those properties, plus ``_id`` and ``id``; an unknown one is a 400.

Listings are filtered by ``author``, ``search`` (substring of the id), ``filter`` (tags) and
``gated``; sorted by ``sort`` (``lastModified``, ``createdAt``, ``id``, ``downloads``, ``likes``,
``trendingScore``), descending unless ``direction=1`` (the Hub sorts descending, ``direction=-1``);
without ``sort`` by id. Pages of ``min(limit, page_size)`` items end with a ``Link: <...>;
rel="next"`` while more remain. A private repo is listed only to a token that may read it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .metadata import front_matter
from .store import Repo
from .web import HubError, Request, Response

if TYPE_CHECKING:
    from .server import Hub

Json = dict[str, Any]

# What the Hub sends per item of a listing without expand/full (huggingface.co, 2026).
LIST_FIELDS = {
    "model": (
        "_id",
        "id",
        "likes",
        "trendingScore",
        "private",
        "downloads",
        "tags",
        "pipeline_tag",
        "library_name",
        "createdAt",
        "modelId",
    ),
    "dataset": (
        "_id",
        "id",
        "author",
        "sha",
        "lastModified",
        "private",
        "gated",
        "disabled",
        "downloads",
        "likes",
        "tags",
        "trendingScore",
        "createdAt",
        "key",
        "description",
    ),
    "space": (
        "_id",
        "id",
        "author",
        "sha",
        "lastModified",
        "private",
        "gated",
        "disabled",
        "likes",
        "trendingScore",
        "sdk",
        "tags",
        "createdAt",
    ),
}
SORT_KEYS = {
    "lastModified": "lastModified",
    "last_modified": "lastModified",
    "createdAt": "createdAt",
    "created_at": "createdAt",
    "id": "id",
    "downloads": "downloads",
    "likes": "likes",
    "trendingScore": "trendingScore",
    "trending_score": "trendingScore",
}
_PLURAL = {"models": "model", "datasets": "dataset", "spaces": "space"}


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode().rstrip("=")


def _offset(req: Request) -> int:
    raw = req.arg("cursor")
    if not raw:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        offset = int(data["offset"])
    except (ValueError, KeyError, TypeError):
        raise HubError(400, "Invalid cursor") from None
    if offset < 0:
        raise HubError(400, "Invalid cursor")
    return offset


def paged(hub: Hub, req: Request, items: list[Any], size: int) -> Response:
    """One page of ``items`` from the request's cursor, with a next link while more remain."""
    offset = _offset(req)
    page = items[offset : offset + size]
    headers = hub._next_link(req, "cursor", _cursor(offset + size)) if offset + size < len(items) else {}
    return Response.json(page, headers=headers)


def expand_args(req: Request) -> list[str]:
    return req.query.get("expand", []) + req.query.get("expand[]", [])


class RepoViews:
    """Repo JSON for info and listings, and the listing endpoints."""

    def __init__(self, hub: Hub, page_size: int = 1000):
        self.hub = hub
        self.page_size = page_size
        self._cards: dict[tuple[str, str], Json | None] = {}

    def add_routes(self, route: Callable[..., None]) -> None:
        route("GET", r"/api/(?P<kind>models|datasets|spaces)", self.list_repos)
        route("GET", r"/api/organizations/(?P<org>[^/]+)/settings/repositories", self.org_storage)
        route("GET", r"/api/settings/repositories", self.own_storage)

    # -- one repo -----------------------------------------------------------------------------
    def card_data(self, repo: Repo, commit_id: str, tree: dict[str, Json]) -> Json | None:
        """The README's front matter as a mapping (None: no card, no front matter, or broken YAML)."""
        key = (repo.key, commit_id)
        if key in self._cards:
            return self._cards[key]
        text = self.hub._text_at(repo, tree, "README.md")
        block = front_matter(text) if text else None
        data: Any = None
        if block is not None:
            import yaml

            try:
                data = yaml.safe_load(block)
            except (yaml.YAMLError, RecursionError):
                data = None
        card = data if isinstance(data, dict) else None
        if len(self._cards) > 10_000:
            self._cards.clear()
        self._cards[key] = card
        return card

    def info(self, repo: Repo, commit_id: str, *, blobs: bool = False) -> Json:
        """Every field the sandbox knows for this repo at this commit (``model_info`` without expand)."""
        obj = self.hub.store.commit(repo, commit_id) or {"tree": {}, "date": repo.meta["lastModified"]}
        tree: dict[str, Json] = obj["tree"]
        siblings = []
        for path in sorted(tree):
            entry = tree[path]
            sib: Json = {"rfilename": path}
            if blobs:
                sib.update(size=entry["size"], blobId=entry["oid"])
                if entry.get("lfs"):
                    lfs = entry["lfs"]
                    sib["lfs"] = {"size": lfs["size"], "sha256": lfs["oid"], "pointerSize": lfs["pointerSize"]}
            siblings.append(sib)
        card = self.card_data(repo, commit_id, tree)
        tags = [t for t in (card or {}).get("tags") or [] if isinstance(t, str)] if card else []
        meta = repo.meta
        info: Json = {
            "_id": hashlib.sha1(repo.key.encode()).hexdigest()[:24],
            "id": repo.repo_id,
            "author": repo.repo_id.split("/")[0],
            "sha": commit_id,
            "lastModified": obj.get("date") or meta["lastModified"],
            "createdAt": meta["createdAt"],
            "private": repo.private,
            "gated": meta.get("gated", False),
            "disabled": bool(meta.get("disabled", False)),
            "downloads": int(meta.get("downloads", 0)),
            "downloadsAllTime": int(meta.get("downloadsAllTime", meta.get("downloads", 0))),
            "likes": int(meta.get("likes", 0)),
            "trendingScore": int(meta.get("trendingScore", 0)),
            "tags": tags,
            "siblings": siblings,
            "usedStorage": sum(int(e["size"]) for e in tree.values()),
        }
        if repo.repo_type == "model":
            info["modelId"] = repo.repo_id
        if repo.repo_type == "dataset":
            info["key"] = ""
            if card is not None and isinstance(card.get("pretty_name"), str):
                info["description"] = card["pretty_name"]
        if card is not None:
            info["cardData"] = card
            for key in ("library_name", "pipeline_tag"):
                if isinstance(card.get(key), str):
                    info[key] = card[key]
        if repo.repo_type == "space":
            info["sdk"] = meta.get("sdk")
        return info

    def check_expand(self, repo_type: str, expand: list[str]) -> None:
        from .server import EXPAND_PROPERTIES

        allowed = EXPAND_PROPERTIES[repo_type]
        if any(e not in allowed for e in expand):
            raise HubError(400, f'"expand" must be one of [{", ".join(allowed)}]')

    @staticmethod
    def only(info: Json, fields: list[str] | tuple[str, ...]) -> Json:
        return {k: v for k, v in info.items() if k in ("_id", "id") or k in fields}

    # -- listings -----------------------------------------------------------------------------
    def visible(self, req: Request, repo_type: str | None = None, namespace: str | None = None) -> list[Repo]:
        """Repos of a type (all types: None) in a namespace (any: None) the caller may read."""
        out = []
        for repo in self.hub.store.list_repos():
            if repo_type is not None and repo.repo_type != repo_type:
                continue
            if namespace is not None and repo.repo_id.split("/")[0].lower() != namespace.lower():
                continue
            access = self.hub.auth.repo_access(
                req.token, repo.repo_type, repo.repo_id, repo.private, repo.meta.get("creator")
            )
            if access.read:
                out.append(repo)
        return out

    def list_repos(self, req: Request, kind: str) -> Response:
        repo_type = _PLURAL[kind]
        expand = expand_args(req)
        full, with_card = req.flag("full"), req.flag("cardData")
        if expand and (full or with_card or req.flag("config")):
            raise HubError(400, "`expand` cannot be used together with `full`, `cardData` or `config`")
        self.check_expand(repo_type, expand)
        sort = req.arg("sort")
        if sort is not None and sort not in SORT_KEYS:
            raise HubError(400, f'"sort" must be one of [{", ".join(sorted(set(SORT_KEYS.values())))}]')
        try:
            limit = int(req.arg("limit") or "0")
        except ValueError:
            raise HubError(400, '"limit" must be a number') from None
        author, search = req.arg("author"), (req.arg("search") or "").lower()
        tags = req.query.get("filter", [])
        gated = req.arg("gated")
        items = []
        for repo in self.visible(req, repo_type, author):
            if search and search not in repo.repo_id.lower():
                continue
            head = self.hub.store.resolve(repo, "main")
            if head is None:
                continue
            info = self.info(repo, head[0])
            if tags and not all(t in info["tags"] for t in tags):
                continue
            if gated is not None and bool(info["gated"]) != (gated.lower() in ("true", "1")):
                continue
            items.append(info)
        if sort is not None:
            key = SORT_KEYS[sort]
            items.sort(key=lambda i: (i[key], i["id"]), reverse=req.arg("direction") != "1")
        else:
            items.sort(key=lambda i: str(i["id"]).lower())
        out = []
        for info in items:
            if expand:
                info = self.only(info, expand)
            elif full:
                info = {k: v for k, v in info.items() if k != "cardData" or with_card}
            else:
                info = self.only(info, LIST_FIELDS[repo_type] + (("cardData",) if with_card else ()))
            out.append(info)
        size = min(limit, self.page_size) if limit > 0 else self.page_size
        return paged(self.hub, req, out, size)

    # -- storage settings (list_user_repos) ---------------------------------------------------
    def _storage_rows(self, req: Request, namespace: str) -> list[Json]:
        rows = []
        for repo in self.visible(req, None, namespace):
            head = self.hub.store.resolve(repo, "main")
            obj = self.hub.store.commit(repo, head[0]) if head else None
            storage = sum(int(e["size"]) for e in (obj or {"tree": {}})["tree"].values())
            rows.append(
                {
                    "id": repo.repo_id,
                    "type": repo.repo_type,
                    "updatedAt": repo.meta["lastModified"],
                    "visibility": "private" if repo.private else "public",
                    "storage": storage,
                }
            )
        total = sum(r["storage"] for r in rows) or 1
        for r in rows:
            r["storagePercent"] = round(100.0 * r["storage"] / total, 2)
        rows.sort(key=lambda r: (-r["storage"], r["id"]))
        return rows

    def org_storage(self, req: Request, org: str) -> Response:
        name = self.hub.auth.canonical_namespace(org)
        if name is None or self.hub.auth.namespace_kind(name) != "org":
            raise HubError(404, f"Organization {org} not found")
        if req.token is None:
            raise HubError(401, "You must be authenticated to see an organization's repositories settings")
        if self.hub.auth.role_in(req.token.user, name) is None:
            raise HubError(403, f"You must be a member of {name} to see its repositories settings")
        return paged(self.hub, req, self._storage_rows(req, name), self.page_size)

    def own_storage(self, req: Request) -> Response:
        if req.token is None or req.token.user is None:
            raise HubError(401, "You must be authenticated to see your repositories settings")
        return paged(self.hub, req, self._storage_rows(req, req.token.user), self.page_size)
