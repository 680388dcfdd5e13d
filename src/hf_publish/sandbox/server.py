"""HTTP routing for the sandbox: the Hub endpoints huggingface_hub 2.4.0 calls (see hub-api.md).

``Hub`` holds the logic (one method per endpoint, each returning a ``Response`` or raising
``HubError``; discussions live in ``discussions.py``); ``Handler`` is the stdlib request handler
that parses, injects faults, logs and writes, for the Hub API and for the xet CAS server
(``cas.py``) alike. Bodies are streamed: an LFS PUT goes to disk while it is hashed, a commit is
read one ndjson line at a time, a download is sent with ``socket.sendfile``.
"""

from __future__ import annotations

import base64
import bisect
import contextlib
import hashlib
import hmac
import io
import json
import re
import secrets
import select
import socket
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from . import gitmatch
from .accounting import Accounting
from .auth import INVALID_CREDENTIALS, INVALID_TOKEN, Auth
from .discussions import Discussions
from .faults import Faults, RequestLog, RequestRecord
from .gating import Gate
from .listing import RepoViews, expand_args
from .metadata import SPACE_SDKS, new_space_files, validate_card
from .moves import Moves, redirect
from .orgs import Orgs
from .store import REPO_TYPES, Crash, Repo, Store, StoreError, git_blob_sha1, lfs_pointer, valid_repo_id
from .web import BodyReader, HubError, MiB, Request, Response, repo_not_found, revision_not_found
from .xet import XetIndex

LFS_THRESHOLD = 10 * MiB
BINARY_REGULAR_LIMIT = 1 * MiB
COMMIT_LINE_LIMIT = 16 * MiB  # one ndjson line: a regular file < 10 MiB, base64-encoded
COMMIT_BODY_LIMIT = 1100 * MiB  # the Hub caps a commit's regular content at 1 GB
STALE_PARENT = "The branch was updated since you opened this page. Please refresh and try again."
WRITE_DENIED = "Forbidden: pass `create_pr=1` as a query parameter to create a Pull Request"
AUTH_REQUIRED = "You must be authenticated to do this. Pass a token with the `Authorization: Bearer` header"
READ_TOKEN_DENIED = "Forbidden: this token is read-only and can neither push nor open pull requests"
REPO_NAME_RULES = (
    "Only regular characters and '-', '_', '.' are accepted. '--' and '..' are forbidden. '-' and '.' cannot "
    'start or end the name. The name cannot end with ".git". Max length is 96.'
)
SECRET_RE = re.compile(rb"(?<![A-Za-z0-9_])hf_[A-Za-z]{34}(?![A-Za-z0-9_])")
_NAME_RE = re.compile(r"^(?!.*(--|\.\.))[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?$")
_PLURAL = {"models": "model", "datasets": "dataset", "spaces": "space"}
_URL_PREFIX = {"model": "", "dataset": "datasets/", "space": "spaces/"}
# What ``expand`` may name: huggingface_hub 2.4.0's Expand*Property_T lists plus the Hub's two
# undocumented ones (gitalyUid, xetEnabled); anything else is a 400 that lists these.
_EXPAND_COMMON = (
    "author cardData createdAt disabled gated gitalyUid lastModified likes private resourceGroup sha "
    "siblings tags trendingScore usedStorage xetEnabled"
)
_EXPAND_OWN = {
    "model": "baseModels childrenModelCount config downloads downloadsAllTime evalResults gguf inference "
    "inferenceProviderMapping library_name mask_token model-index pipeline_tag safetensors spaces "
    "transformersInfo widgetData",
    "dataset": "citation description downloads downloadsAllTime mainSize paperswithcode_id",
    "space": "datasets models region runtime sdk subdomain",
}
EXPAND_PROPERTIES = {t: tuple(sorted((_EXPAND_COMMON + " " + own).split())) for t, own in _EXPAND_OWN.items()}


def _sdk_choices() -> str:
    return "must be one of [" + ", ".join(SPACE_SDKS) + "]"


def _entry_json(path: str, entry: dict[str, Any], *, last_commit: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "file", "oid": entry["oid"], "size": entry["size"], "path": path}
    if entry.get("lfs"):
        out["lfs"] = dict(entry["lfs"])
    if entry.get("xetHash"):
        out["xetHash"] = entry["xetHash"]
    if last_commit is not None:
        out["lastCommit"] = last_commit
        out["securityFileStatus"] = {
            "status": "safe",
            "avScan": {"virusFound": False, "virusNames": None},
            "pickleImportScan": None,
        }
    return out


def _dirs_of(tree: dict[str, dict[str, Any]]) -> set[str]:
    dirs = set()
    for path in tree:
        parts = path.split("/")
        for i in range(1, len(parts)):
            dirs.add("/".join(parts[:i]))
    return dirs


def _valid_path(path: str) -> bool:
    """A path in a commit, as the Hub checks it (422 otherwise).

    Refused: empty, absolute, a control character (U+0000-U+001F, U+007F), an empty / ``.`` / ``..`` segment (so no trailing slash), a path
    that starts by climbing out with either separator (``..\\x``), and ``.git`` as any segment in
    any case. A backslash anywhere else is an ordinary character: the Hub stores
    ``folder/..\\..\\file`` and the client's download guards deal with it.
    """
    if not path or path.startswith("/") or any(ord(c) < 32 or ord(c) == 127 for c in path):
        return False
    if path == ".." or path.startswith(("../", "..\\")):
        return False
    return all(p not in ("", ".", "..") and p.lower() != ".git" for p in path.split("/"))


class Hub:
    """The sandbox's behaviour, independent of the HTTP plumbing."""

    def __init__(
        self,
        store: Store,
        auth: Auth,
        xet: XetIndex,
        *,
        tree_page_size: int = 1000,
        tree_expand_page_size: int = 50,
        commits_page_size: int = 50,
        xet_tokens: Any = None,
        list_page_size: int = 1000,
        accounting: Accounting | None = None,
    ):
        self.store, self.auth, self.xet, self.xet_tokens = store, auth, xet, xet_tokens
        self.accounting = accounting if accounting is not None else Accounting()
        self.tree_page_size, self.tree_expand_page_size = tree_page_size, tree_expand_page_size
        self.commits_page_size = commits_page_size
        self._secret = secrets.token_bytes(32)
        self.routes: list[tuple[str, re.Pattern[str], Callable[..., Response]]] = []
        r = self._route
        r("GET", r"/api/whoami-v2", self.whoami)
        r("POST", r"/oauth/token", self.oidc_exchange)
        r("POST", r"/api/repos/create", self.create_repo)
        r("DELETE", r"/api/repos/delete", self.delete_repo)
        r("POST", r"/api/validate-yaml", self.validate_yaml)
        # Repo ids are ``ns/name`` or, for the Hub's canonical repos, one segment (``gpt2``): the
        # optional namespace is tried first, so ``/api/models/gpt2/revision/main`` is gpt2 at main.
        repo = r"(?:(?P<ns>[^/]+)/)?(?P<name>[^/]+)"
        api = r"/api/(?P<t>models|datasets|spaces)/" + repo
        r("GET", api, self.repo_info)
        r("GET", api + r"/revision/(?P<rev>[^/]+)", self.repo_info)
        r("GET", api + r"/auth-check(?P<write>/write)?", self.auth_check)
        r("PUT", api + r"/settings", self.settings)
        r("POST", api + r"/preupload/(?P<rev>[^/]+)", self.preupload)
        r("GET", api + r"/xet-(?P<kind>read|write)-token(?:/(?P<rev>[^/]+))?", self.xet_token)
        r("POST", api + r"/commit/(?P<rev>[^/]+)", self.commit)
        r("POST", api + r"/tag/(?P<rev>[^/]+)", self.create_tag)
        r("DELETE", api + r"/tag/(?P<tag>[^/]+)", self.delete_tag)
        r("POST", api + r"/branch/(?P<branch>[^/]+)", self.create_branch)
        r("DELETE", api + r"/branch/(?P<branch>[^/]+)", self.delete_branch)
        r("GET", api + r"/refs", self.list_refs)
        r("GET", api + r"/commits/(?P<rev>[^/]+)", self.list_commits)
        r("GET", api + r"/tree/(?P<rev>[^/]+)(?:/(?P<path>.*))?", self.tree)
        r("POST", api + r"/paths-info/(?P<rev>[^/]+)", self.paths_info)
        self.discussions = Discussions(self)
        self.discussions.add_routes(r, api)
        self.views = RepoViews(self, page_size=list_page_size)
        self.views.add_routes(r)
        self.orgs = Orgs(self)
        self.orgs.add_routes(r)
        self.gate = Gate(self)
        self.gate.add_routes(r, api, r"/(?:(?P<t>datasets|spaces)/)?" + repo)
        Moves(self).add_routes(r)
        r("PUT", r"/_sandbox/lfs/(?P<oid>[0-9a-f]{64})", self.lfs_put)
        git = r"/(?:(?P<t>datasets|spaces)/)?(?:(?P<ns>[^/]+)/)?(?P<name>[^/]+?)\.git/info/lfs/objects"
        r("POST", git + r"/batch", self.lfs_batch)
        r("POST", git + r"/verify", self.lfs_verify)
        resolve = r"/(?:(?P<t>datasets|spaces)/)?" + repo + r"/resolve/(?P<rev>[^/]+)/(?P<path>.+)"
        r("GET", resolve, self.resolve)
        r("HEAD", resolve, self.resolve)

    def _route(self, method: str, pattern: str, fn: Callable[..., Response]) -> None:
        self.routes.append((method, re.compile(pattern + r"\Z"), fn))

    def handle(self, req: Request) -> Response:
        """Count (and rate-limit), authenticate (a bad or expired token is 401 everywhere, as on the
        Hub), then dispatch."""
        limit_headers = self.accounting.admit(req.method, req.path)
        try:
            resp = self._authenticated(req)
        except HubError as exc:
            exc.headers = {**limit_headers, **exc.headers}
            raise
        resp.headers = {**limit_headers, **resp.headers}
        return resp

    def _authenticated(self, req: Request) -> Response:
        auth_header = req.headers.get("Authorization") or ""
        if auth_header and not req.path.startswith("/_sandbox/lfs/"):
            value = auth_header[7:].strip() if auth_header.lower().startswith("bearer ") else auth_header
            tok = self.auth.lookup(value)
            if tok is None or tok.expired:
                raise HubError(401, INVALID_TOKEN if req.path == "/api/whoami-v2" else INVALID_CREDENTIALS)
            req.token = tok
        return self.dispatch(req)

    def dispatch(self, req: Request) -> Response:
        for method, pattern, fn in self.routes:
            m = pattern.match(req.path)
            if m and method == req.method:
                args = {k: unquote(v) for k, v in m.groupdict().items() if v is not None}
                if "name" in args:
                    ns = args.pop("ns", None)
                    args["repo_id"] = f"{ns}/{args.pop('name')}" if ns is not None else args.pop("name")
                if "t" in pattern.groupindex:  # /api/{t}s/... always has it; download URLs omit "models/"
                    args["repo_type"] = _PLURAL[args.pop("t", "models")]
                return fn(req, **args)
        raise HubError(404, "Sorry, we can't find the page you are looking for.")

    # -- helpers ------------------------------------------------------------------------------
    def _repo(self, req: Request, repo_type: str, repo_id: str, need: str = "read") -> Repo:
        """The repo if the caller may ``need`` it: "read", "write", or "pr" (open or push to a pull
        request: read access, authenticated, with a token that is not read-only)."""
        repo = self.store.get(repo_type, repo_id)
        if repo is None:
            moved_to = self.store.redirect_for(repo_type, repo_id) if valid_repo_id(repo_id) else None
            if moved_to is not None:
                raise redirect(req, repo_id, moved_to)
            raise repo_not_found(req.token is None)
        access = self.auth.repo_access(req.token, repo_type, repo.repo_id, repo.private, repo.meta.get("creator"))
        if access.deny_message and (need != "read" or not access.read):
            raise HubError(403, access.deny_message)
        if not access.read:
            raise repo_not_found(req.token is None)
        if need != "read" and req.token is None:
            raise HubError(401, AUTH_REQUIRED)
        if need == "write" and not access.write:
            raise HubError(403, WRITE_DENIED)
        if need == "pr" and not access.write and not self.auth.can_push_somewhere(req.token):
            raise HubError(403, READ_TOKEN_DENIED)
        return repo

    def _resolve(self, repo: Repo, rev: str) -> tuple[str, str | None]:
        hit = self.store.resolve(repo, rev)
        if hit is None:
            raise revision_not_found(rev)
        return hit

    def _tree(self, repo: Repo, commit_id: str) -> dict[str, dict[str, Any]]:
        obj = self.store.commit(repo, commit_id)
        return obj["tree"] if obj else {}

    def _url(self, req: Request, repo: Repo) -> str:
        return f"{req.base}/{_URL_PREFIX[repo.repo_type]}{repo.repo_id}"

    def _text_at(self, repo: Repo, tree: dict[str, dict[str, Any]], path: str) -> str | None:
        entry = tree.get(path)
        if entry is None or entry.get("lfs"):
            return None
        p = self.store.read_entry(entry)
        return p.read_text(encoding="utf-8", errors="replace") if p else None

    def _last_commits(self, repo: Repo, head: str, paths: list[str]) -> dict[str, dict[str, Any]]:
        """For expand=True: the newest commit that touched each path (walks first-parent history).

        A file is touched when its entry changes, a folder when its git tree id does: one lookup
        per path and commit, whatever the size of the tree.
        """

        def state(obj: dict[str, Any] | None, path: str) -> Any:
            if obj is None:
                return None
            return obj["tree"].get(path) or obj.get("treeIds", {}).get(path)

        history = self.store.history(repo, head)
        out: dict[str, dict[str, Any]] = {}
        pending = list(paths)
        for i, obj in enumerate(history):
            older = history[i + 1] if i + 1 < len(history) else None
            still = []
            for p in pending:
                if state(obj, p) != state(older, p):
                    out[p] = {"id": obj["id"], "title": obj["title"], "date": obj["date"]}
                else:
                    still.append(p)
            pending = still
            if not pending:
                break
        return out

    # -- account ------------------------------------------------------------------------------
    def whoami(self, req: Request) -> Response:
        if req.token is None:
            raise HubError(401, INVALID_TOKEN)
        return Response.json(self.auth.whoami(req.token))

    def oidc_exchange(self, req: Request) -> Response:
        ctype = req.headers.get("Content-Type", "")
        if "json" in ctype:
            body = req.json()
        else:
            body = {k: v[0] for k, v in parse_qs(req.body.read_all().decode()).items()}

        def oauth_error(status: int, error: str, description: str) -> HubError:
            return HubError(status, f"{error}: {description}", body={"error": error, "error_description": description})

        if body.get("grant_type") != "urn:ietf:params:oauth:grant-type:token-exchange":
            raise oauth_error(400, "unsupported_grant_type", "grant_type must be token-exchange (RFC 8693)")
        if body.get("subject_token_type") != "urn:ietf:params:oauth:token-type:id_token":
            raise oauth_error(400, "invalid_request", "subject_token_type must be an id_token")
        subject = body.get("subject_token") or ""
        if not self.auth.oidc_known(subject):
            raise oauth_error(401, "invalid_grant", "The OIDC id token is not trusted by any Trusted Publisher")
        resource = str(body.get("resource") or "")
        parts = resource.split("/")
        repo_type = "model"
        if len(parts) == 3 and parts[0] in _PLURAL:
            repo_type, parts = _PLURAL[parts[0]], parts[1:]
        if len(parts) != 2:
            raise oauth_error(400, "invalid_target", f"resource {resource!r} must be a repo id (namespace/name)")
        repo = self.store.get(repo_type, "/".join(parts))
        if repo is None:
            raise oauth_error(
                400,
                "invalid_target",
                f"{repo_type} repository {resource} not found: Trusted Publishers cannot create repos",
            )
        if not self.auth.oidc_allows(subject, repo_type, repo.repo_id):
            raise oauth_error(403, "invalid_grant", f"No Trusted Publisher of {repo.repo_id} matches this id token")
        tok = self.auth.mint_oidc_token(repo_type, repo.repo_id)
        return Response.json(
            {
                "access_token": tok.value,
                "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
                "token_type": "bearer",
                "expires_in": 3600,
                "scope": f"{repo_type}:{repo.repo_id}",
            }
        )

    # -- repos --------------------------------------------------------------------------------
    def create_repo(self, req: Request) -> Response:
        body = req.json()
        repo_type = body.get("type") or "model"
        if repo_type not in REPO_TYPES:
            raise HubError(400, f"Invalid repo type: {repo_type}")
        name = str(body.get("name") or "")
        namespace = body.get("organization")
        if req.token is None:
            raise HubError(401, "You must be authenticated to create a repo")
        if namespace is None:
            namespace = req.token.user or ""
        if not _NAME_RE.match(name) or name.endswith(".git") or not valid_repo_id(f"{namespace}/{name}"):
            raise HubError(400, REPO_NAME_RULES)
        sdk = body.get("sdk")
        if repo_type == "space" and sdk not in SPACE_SDKS:
            raise HubError(400, f'"sdk" is required for a Space and {_sdk_choices()}')
        canonical = self.auth.canonical_namespace(namespace) or namespace
        denied = self.auth.can_create(req.token, repo_type, canonical)
        if denied:
            raise HubError(403, denied)
        repo_id = f"{canonical}/{name}"
        private = body.get("private")
        if "visibility" in body:
            private = body["visibility"] != "public"
        extra = {"sdk": sdk} if repo_type == "space" else {}
        files = new_space_files(name, sdk) if repo_type == "space" else None
        url = f"{req.base}/{_URL_PREFIX[repo_type]}{repo_id}"
        try:
            repo = self.store.create(
                repo_type, repo_id, private=bool(private), creator=req.token.user, extra=extra, files=files
            )
        except StoreError as exc:
            existing = self.store.get(repo_type, repo_id)
            url = f"{req.base}/{_URL_PREFIX[repo_type]}{existing.repo_id if existing else repo_id}"
            raise HubError(exc.status, exc.message, body={"error": exc.message, "url": url}) from exc
        return Response.json({"url": url, "name": repo.repo_id, "id": repo.repo_id})

    def delete_repo(self, req: Request) -> Response:
        body = req.json()
        repo_type = body.get("type") or "model"
        if repo_type not in REPO_TYPES:
            raise HubError(400, f"Invalid repo type: {repo_type}")
        namespace = body.get("organization") or (req.token.user if req.token else "") or ""
        name = str(body.get("name") or "")
        repo = self._repo(req, repo_type, f"{namespace}/{name}" if namespace else name, need="write")
        self.store.delete(repo)
        return Response.json({})

    def settings(self, req: Request, repo_type: str, repo_id: str) -> Response:
        repo = self._repo(req, repo_type, repo_id, need="write")
        body = req.json()
        changes: dict[str, Any] = {}
        if "private" in body:
            changes["private"] = bool(body["private"])
        if "visibility" in body:
            changes["private"] = body["visibility"] != "public"
        if "gated" in body:
            if body["gated"] not in (False, "auto", "manual"):
                raise HubError(400, "gated must be one of false, 'auto', 'manual'")
            changes["gated"] = body["gated"]
        self.store.update_meta(repo, **changes)
        return Response.json({"private": repo.private, "gated": repo.meta.get("gated", False)})

    def repo_info(self, req: Request, repo_type: str, repo_id: str, rev: str = "main") -> Response:
        repo = self._repo(req, repo_type, repo_id)
        expand = expand_args(req)
        self.views.check_expand(repo.repo_type, expand)
        commit_id, _ = self._resolve(repo, rev)
        info = self.views.info(repo, commit_id, blobs=req.flag("blobs"))
        if expand:  # only what was asked for (and the ids), as the Hub answers
            info = self.views.only(info, expand)
        return Response.json(info)

    def auth_check(self, req: Request, repo_type: str, repo_id: str, write: str | None = None) -> Response:
        self._repo(req, repo_type, repo_id, need="write" if write else "read")
        return Response.json({})

    def validate_yaml(self, req: Request) -> Response:
        body = req.json()
        repo_type = str(body.get("repoType") or "model")
        if repo_type not in REPO_TYPES:
            raise HubError(400, f"Invalid repo type: {repo_type}")
        found = validate_card(str(body.get("content") or ""), repo_type)
        status = 400 if found.errors else 200
        if "text/plain" in (req.headers.get("Accept") or ""):  # RepoCard.validate() asks for the plain text
            return Response(status=status, body=found.text().encode(), content_type="text/plain; charset=utf-8")
        return Response.json(
            {"errors": [{"message": e} for e in found.errors], "warnings": [{"message": w} for w in found.warnings]},
            status=status,
        )

    # -- uploads ------------------------------------------------------------------------------
    def _write_target(self, req: Request, repo_type: str, repo_id: str, rev: str | None = None) -> Repo:
        """Write access, or what opening a PR takes when the request opens one (create_pr=1) or
        pushes to a PR ref: read access and a token that can push."""
        to_pr = req.flag("create_pr") or (rev or "").startswith("refs/pr/")
        return self._repo(req, repo_type, repo_id, need="pr" if to_pr else "write")

    def preupload(self, req: Request, repo_type: str, repo_id: str, rev: str) -> Response:
        repo = self._write_target(req, repo_type, repo_id, rev)
        tree = self._tree(repo, self._resolve(repo, rev)[0])  # a missing revision is 404 before any 400
        body = req.json()
        files = body.get("files")
        if not isinstance(files, list):
            raise HubError(400, "files must be an array")
        if len(files) > 256:
            raise HubError(400, "Too many files: at most 256 files per preupload call")
        attributes = self._text_at(repo, tree, ".gitattributes") or ""
        gitignore = body.get("gitIgnore")
        if gitignore is None:
            gitignore = self._text_at(repo, tree, ".gitignore") or ""
        out = []
        for f in files:
            path = str(f.get("path") or "")
            size = int(f.get("size") or 0)
            try:
                sample = base64.b64decode(f.get("sample") or "")
            except ValueError:
                raise HubError(400, f"Invalid sample for {path}") from None
            lfs = size > 0 and (size >= LFS_THRESHOLD or b"\0" in sample or gitmatch.lfs_tracked(attributes, path))
            existing = tree.get(path)
            oid = None
            if existing is not None:
                oid = existing["lfs"]["oid"] if existing.get("lfs") else existing["oid"]
            out.append(
                {
                    "path": path,
                    "uploadMode": "lfs" if lfs else "regular",
                    "shouldIgnore": bool(gitignore) and gitmatch.ignored(gitignore, path),
                    "oid": oid,
                }
            )
        return Response.json({"files": out})

    def xet_token(self, req: Request, repo_type: str, repo_id: str, kind: str, rev: str | None = None) -> Response:
        """A short-lived token for the CAS server (``X-Xet-Cas-Url``): write tokens need push rights."""
        if kind == "write":
            self._write_target(req, repo_type, repo_id, rev)
        else:
            repo = self._repo(req, repo_type, repo_id)
            self.gate.check(req, repo)
            if rev is not None and rev != "None":
                self._resolve(repo, rev)
        token, exp = self.xet_tokens.mint(kind)
        cas_url = self._cas_url(req)
        headers = {"X-Xet-Cas-Url": cas_url, "X-Xet-Access-Token": token, "X-Xet-Token-Expiration": str(exp)}
        return Response.json({"accessToken": token, "exp": exp, "casUrl": cas_url}, headers=headers)

    def _cas_url(self, req: Request) -> str:
        """The CAS server as this client reaches the sandbox (same host it used, the CAS port)."""
        cas = urlsplit(self.xet.cas_url)
        host = urlsplit(req.base).hostname or cas.hostname or "127.0.0.1"
        host = f"[{host}]" if ":" in host else host
        return f"{cas.scheme}://{host}:{cas.port}"

    def _lfs_known(self, sha256: str) -> tuple[int, str | None] | None:
        """(size, xet hash or None) if the object is stored, in the blob store or the xet CAS."""
        size = self.store.has_lfs_blob(sha256)
        xet = self.xet.lookup(sha256)
        if xet is None:
            return None if size is None else (size, None)
        return (size if size is not None else xet[1]), xet[0]

    def _sign(self, oid: str, size: int) -> str:
        return hmac.new(self._secret, f"{oid}:{size}".encode(), hashlib.sha256).hexdigest()[:32]

    def lfs_batch(self, req: Request, repo_type: str, repo_id: str) -> Response:
        # Upload URLs go to whoever may push here or open a pull request: never to anonymous
        # clients or read-only tokens, which could otherwise park bytes in the sandbox.
        repo = self._repo(req, repo_type, repo_id, need="pr")
        body = req.json()
        if body.get("operation") != "upload":
            raise HubError(422, "Only the upload operation is supported by the sandbox")
        objects = []
        for obj in body.get("objects") or []:
            oid, size = obj.get("oid"), obj.get("size")
            if not (
                isinstance(oid, str) and re.fullmatch(r"[0-9a-f]{64}", oid) and isinstance(size, int) and size >= 0
            ):
                objects.append(
                    {
                        "oid": str(oid),
                        "size": size if isinstance(size, int) else 0,
                        "error": {"code": 422, "message": "Invalid object: oid must be a sha256, size an integer"},
                    }
                )
                continue
            known = self._lfs_known(oid)
            item: dict[str, Any] = {"oid": oid, "size": size}
            if known is None or known[0] != size:
                sig = self._sign(oid, size)
                item["authenticated"] = True
                item["actions"] = {
                    "upload": {
                        "href": f"{req.base}/_sandbox/lfs/{oid}?{urlencode({'size': size, 'sig': sig})}",
                        "header": {},
                    },
                    "verify": {"href": f"{self._url(req, repo)}.git/info/lfs/objects/verify", "header": {}},
                }
            objects.append(item)
        return Response(
            body=json.dumps({"transfer": "basic", "objects": objects}).encode(),
            content_type="application/vnd.git-lfs+json",
        )

    def lfs_put(self, req: Request, oid: str) -> Response:
        """The signed upload URL: takes exactly the signed size, hashing it on the way to disk."""
        try:
            size = int(req.arg("size") or "-1")
        except ValueError:
            size = -1
        if not hmac.compare_digest(req.arg("sig") or "", self._sign(oid, size)):
            raise HubError(403, "Invalid or expired upload URL signature")
        length = req.headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) != size:
            raise HubError(400, f"This upload URL takes exactly {size} bytes, the request announces {length}")
        tmp = self.store.tmp_path()
        digest = hashlib.sha256()
        buf = bytearray(1 << 20)
        view = memoryview(buf)
        got = 0
        try:
            with open(tmp, "wb") as f:
                while True:
                    n = req.body.readinto(buf)
                    if not n:
                        break
                    got += n
                    if got > size:
                        raise HubError(400, f"This upload URL takes exactly {size} bytes; more were sent")
                    digest.update(view[:n])
                    f.write(view[:n])
            if digest.hexdigest() != oid or got != size:
                raise HubError(
                    400,
                    f"Uploaded content does not match: expected sha256 {oid} size {size}, "
                    f"got sha256 {digest.hexdigest()} size {got}",
                )
            self.store.commit_lfs_blob(tmp, oid)
        finally:
            tmp.unlink(missing_ok=True)
        return Response(body=b"", content_type="text/plain")

    def lfs_verify(self, req: Request, repo_type: str, repo_id: str) -> Response:
        self._repo(req, repo_type, repo_id)
        body = req.json()
        known = self._lfs_known(str(body.get("oid")))
        if known is None or known[0] != body.get("size"):
            raise HubError(404, "Object not found", body={"message": "Object not found"})
        return Response.json({"message": "Object verified"})

    # -- commits ------------------------------------------------------------------------------
    def _parse_commit(
        self, req: Request, repo_type: str
    ) -> tuple[dict[str, Any], list[tuple[str, str, dict[str, Any] | None]]]:
        """Read the ndjson body one line at a time: (header, [(op, path, entry)]). Stores blobs as it goes."""
        reader = io.BufferedReader(req.body, 1 << 20)
        header: dict[str, Any] = {}
        ops: list[tuple[str, str, dict[str, Any] | None]] = []
        leaks: list[str] = []
        while raw := reader.readline(COMMIT_LINE_LIMIT + 1):
            if len(raw) > COMMIT_LINE_LIMIT:
                raise HubError(
                    413,
                    f"A commit payload line is over {COMMIT_LINE_LIMIT} bytes: regular files must "
                    "stay under 10 MiB (use LFS/xet for larger ones)",
                )
            if req.body.count > COMMIT_BODY_LIMIT:
                raise HubError(413, f"The commit payload is over {COMMIT_BODY_LIMIT} bytes")
            if not raw.strip():
                continue
            try:
                item = json.loads(raw)
                key, value = item["key"], item["value"]
            except (ValueError, KeyError, TypeError):
                raise HubError(400, "Invalid ndjson line in commit payload") from None
            if key == "header":
                header = value
                continue
            path = str(value.get("path") or "")
            if key in ("deletedFolder",):
                path = path.rstrip("/")
            if not _valid_path(path):
                raise HubError(422, f"Invalid path: {path!r}")
            if key == "file":
                try:
                    data = base64.b64decode(value.get("content") or "")
                except ValueError:
                    raise HubError(400, f"Invalid base64 content for {path}") from None
                if len(data) >= LFS_THRESHOLD:
                    raise HubError(
                        400,
                        "Your push was rejected because it contains files larger than 10 MiB. "
                        "Please use https://git-lfs.github.com/ to store large files.",
                    )
                if b"\0" in data and len(data) > BINARY_REGULAR_LIMIT:
                    raise HubError(
                        400,
                        "Your push was rejected because it contains binary files. "
                        "Please use https://huggingface.co/docs/hub/xet to store binary files.",
                    )
                if SECRET_RE.search(data):
                    leaks.append(path)
                if path == "README.md":
                    found = validate_card(data.decode("utf-8", "replace"), repo_type)
                    if found.errors:
                        raise HubError(
                            400,
                            "Sorry, your push was rejected during YAML metadata verification:\n"
                            + "\n".join(f"- Error: {e}" for e in found.errors),
                        )
                ops.append(("add", path, {"oid": self.store.put_git_blob(data), "size": len(data)}))
            elif key == "lfsFile":
                sha256 = str(value.get("oid") or "")
                known = self._lfs_known(sha256) if re.fullmatch(r"[0-9a-f]{64}", sha256) else None
                if known is None or (value.get("size") is not None and known[0] != value["size"]):
                    raise HubError(
                        400,
                        f"Your push was rejected because an LFS pointer pointed to a file that does "
                        f"not exist ({path}: sha256 {sha256}). Upload it before committing.",
                    )
                size, xet_hash = known
                pointer = lfs_pointer(sha256, size)
                entry = {
                    "oid": git_blob_sha1(pointer),
                    "size": size,
                    "lfs": {"oid": sha256, "size": size, "pointerSize": len(pointer)},
                }
                if xet_hash:
                    entry["xetHash"] = xet_hash
                blob = self.store.read_entry(entry)
                if blob is None and xet_hash and size <= LFS_THRESHOLD:  # xet lane: the bytes are in the CAS
                    dest = self.store.blob_path("lfs", sha256)
                    blob = dest if self.xet.materialize(sha256, dest) else None
                if blob is not None and size <= LFS_THRESHOLD and SECRET_RE.search(blob.read_bytes()):
                    leaks.append(path)
                ops.append(("add", path, entry))
            elif key == "deletedFile":
                ops.append(("delete", path, None))
            elif key == "deletedFolder":
                ops.append(("delete_folder", path, None))
            else:
                raise HubError(400, f"Unknown commit operation: {key}")
        if leaks:
            raise HubError(
                400,
                "Your push was rejected because one or more of your files contain valid Hugging Face "
                f"secrets (tokens): {', '.join(sorted(set(leaks)))}. Remove them and revoke the "
                "exposed tokens, then try again",
            )
        return header, ops

    @staticmethod
    def _apply(
        tree: dict[str, dict[str, Any]], ops: list[tuple[str, str, dict[str, Any] | None]]
    ) -> dict[str, dict[str, Any]]:
        """The tree after the operations. A delete names a file or a folder (its files go), either
        way: ``deletedFile`` on a folder deletes the folder's files, as on the Hub."""
        tree = dict(tree)
        for op, path, entry in ops:
            if op == "add":
                if any(p.startswith(path + "/") for p in tree):
                    raise HubError(422, f"Invalid path: {path} is a folder in the repo")
                parts = path.split("/")
                for i in range(1, len(parts)):
                    if "/".join(parts[:i]) in tree:
                        raise HubError(422, f"Invalid path: {'/'.join(parts[:i])} is a file in the repo")
                assert entry is not None  # _parse_commit gives every add its entry
                tree[path] = entry
                continue
            doomed = [p for p in tree if p == path or p.startswith(path + "/")]
            if not doomed:
                what = "file" if op == "delete" else "folder"
                raise HubError(404, f"A {what} with this name doesn't exist: {path}", "EntryNotFound")
            for p in doomed:
                del tree[p]
        return tree

    def _commit_target(self, repo: Repo, rev: str, create_pr: bool) -> tuple[str, str]:
        """(ref kind, name) a commit lands on, checked before any of its bytes are read: a pull
        request opens against a branch only (a commit id or tag is RevisionNotFound)."""
        refs = self.store.refs(repo)
        if rev.startswith("refs/pr/"):
            if create_pr or rev[len("refs/pr/") :] not in refs["pr"]:
                raise revision_not_found(rev)
            return "pr", rev[len("refs/pr/") :]
        branch = rev[len("refs/heads/") :] if rev.startswith("refs/heads/") else rev
        if branch not in refs["heads"]:
            raise revision_not_found(rev)
        return "heads", branch

    def commit(self, req: Request, repo_type: str, repo_id: str, rev: str) -> Response:
        create_pr = req.flag("create_pr")
        repo = self._write_target(req, repo_type, repo_id, rev)
        kind, branch = self._commit_target(repo, rev, create_pr)
        header, ops = self._parse_commit(req, repo.repo_type)
        title = str(header.get("summary") or "").strip()
        if not title:
            raise HubError(400, "Commit summary is required")
        parent = header.get("parentCommit")
        description = str(header.get("description") or "")
        author = (req.token.user if req.token else None) or "trusted-publisher"
        with self.store.lock(repo.key):
            if self.store.get(repo.repo_type, repo.repo_id) is None:
                raise repo_not_found(req.token is None)
            kind, branch = self._commit_target(repo, rev, create_pr)  # again: a ref may be gone meanwhile
            refs = self.store.refs(repo)
            base = refs[kind][branch]
            if create_pr:
                if parent and self.store.commit(repo, parent) is None:
                    raise revision_not_found(parent)
                base, kind, pr_base = parent or base, "pr", branch
                branch = str(self.discussions.next_number(repo))
            elif parent and parent != base:
                raise HubError(412, STALE_PARENT)
            tree = self._apply(self._tree(repo, base), ops)
            commit_id = self.store.apply_commit(
                repo,
                branch=branch,
                base=base,
                tree=tree,
                title=title,
                message=description,
                author=author,
                ref_kind=kind,
            )
            if create_pr:
                self.discussions.open_pr_record(
                    repo,
                    int(branch),
                    title=title,
                    author=author,
                    description=description or title,
                    base=f"refs/heads/{pr_base}",
                    base_commit=base,
                    status="open",
                )
            elif kind == "pr":
                self.discussions.note_commit(repo, int(branch), author, title, commit_id)
        url = self._url(req, repo)
        out = {"success": True, "commitOid": commit_id, "commitUrl": f"{url}/commit/{commit_id}", "hookOutput": ""}
        if kind == "pr":
            out["pullRequestUrl"] = f"{url}/discussions/{branch}"
        return Response.json(out)

    # -- refs ---------------------------------------------------------------------------------
    @staticmethod
    def _valid_ref_name(name: str) -> bool:
        return (
            bool(name)
            and re.fullmatch(r"[A-Za-z0-9._/-]+", name) is not None
            and ".." not in name
            and not name.startswith(("/", "refs/"))
            and not name.endswith(("/", ".lock", "."))
        )

    def create_tag(self, req: Request, repo_type: str, repo_id: str, rev: str) -> Response:
        """The revision is resolved first (a bad name on a missing revision is 404 RevisionNotFound,
        as on the Hub), then the name is checked (400), then that it is new (409)."""
        repo = self._repo(req, repo_type, repo_id, need="write")
        body = req.json()
        tag = str(body.get("tag") or "")
        with self.store.lock(repo.key):
            commit_id, _ = self._resolve(repo, rev)
            if not self._valid_ref_name(tag):
                raise HubError(400, f"Invalid tag name: {tag!r}")
            refs = self.store.refs(repo)
            if tag in refs["tags"]:
                raise HubError(409, f"Tag reference refs/tags/{tag} already exists")
            refs["tags"][tag] = commit_id
            self.store.set_refs(repo, refs)
        return Response.json({})

    def delete_tag(self, req: Request, repo_type: str, repo_id: str, tag: str) -> Response:
        repo = self._repo(req, repo_type, repo_id, need="write")
        with self.store.lock(repo.key):
            refs = self.store.refs(repo)
            if refs["tags"].pop(tag, None) is None:
                raise revision_not_found(tag)
            self.store.set_refs(repo, refs)
        return Response.json({})

    def create_branch(self, req: Request, repo_type: str, repo_id: str, branch: str) -> Response:
        """Same order as tags: the starting point, then the name, then that the branch is new."""
        repo = self._repo(req, repo_type, repo_id, need="write")
        body = req.json()
        with self.store.lock(repo.key):
            start, _ = self._resolve(repo, str(body.get("startingPoint") or "main"))
            if branch.startswith("refs/"):
                raise HubError(400, f"Invalid reference for a branch: {branch}")
            if not self._valid_ref_name(branch):
                raise HubError(400, f"Invalid branch name: {branch!r}")
            refs = self.store.refs(repo)
            if branch in refs["heads"]:
                raise HubError(409, f"Reference refs/heads/{branch} already exists")
            refs["heads"][branch] = start
            self.store.set_refs(repo, refs)
        return Response.json({})

    def delete_branch(self, req: Request, repo_type: str, repo_id: str, branch: str) -> Response:
        repo = self._repo(req, repo_type, repo_id, need="write")
        name = branch[len("refs/heads/") :] if branch.startswith("refs/heads/") else branch
        if name == "main":
            raise HubError(403, "Cannot delete refs/heads/main")
        with self.store.lock(repo.key):
            refs = self.store.refs(repo)
            if refs["heads"].pop(name, None) is None:
                raise revision_not_found(branch)
            self.store.set_refs(repo, refs)
        return Response.json({})

    def list_refs(self, req: Request, repo_type: str, repo_id: str) -> Response:
        repo = self._repo(req, repo_type, repo_id)
        refs = self.store.refs(repo)
        out: dict[str, Any] = {
            "branches": [
                {"name": b, "ref": f"refs/heads/{b}", "targetCommit": c} for b, c in sorted(refs["heads"].items())
            ],
            "tags": [{"name": t, "ref": f"refs/tags/{t}", "targetCommit": c} for t, c in sorted(refs["tags"].items())],
            "converts": [],
        }
        if req.flag("include_prs"):
            out["pullRequests"] = [
                {"name": f"refs/pr/{n}", "ref": f"refs/pr/{n}", "targetCommit": c}
                for n, c in sorted(refs["pr"].items(), key=lambda kv: int(kv[0]))
            ]
        return Response.json(out)

    def _next_link(self, req: Request, param: str, value: str) -> dict[str, str]:
        """``Link: <same URL with param=value>; rel="next"`` (the path as the client sent it)."""
        query = {k: v for k, v in req.query.items() if k != param}
        query[param] = [value]
        path = quote(req.path, safe="/%:@!$&'()*+,;=-._~")
        return {"Link": f'<{req.base}{path}?{urlencode(query, doseq=True)}>; rel="next"'}

    def _page(self, req: Request, items: list[Any], size: int) -> Response:
        """Page ``p`` (0-based) of ``size`` items and a next link while more remain (commit lists)."""
        try:
            page = max(int(req.arg("p") or "0"), 0)
        except ValueError:
            raise HubError(400, "Invalid p") from None
        offset = page * size
        headers = self._next_link(req, "p", str(page + 1)) if offset + size < len(items) else {}
        return Response.json(items[offset : offset + size], headers=headers)

    def list_commits(self, req: Request, repo_type: str, repo_id: str, rev: str) -> Response:
        repo = self._repo(req, repo_type, repo_id)
        head, _ = self._resolve(repo, rev)
        formatted = "formatted" in (req.query.get("expand[]") or [])
        items = []
        for obj in self.store.history(repo, head):
            item: dict[str, Any] = {
                "id": obj["id"],
                "title": obj["title"],
                "message": obj["message"],
                "date": obj["date"],
                "authors": [{"user": obj["author"], "avatar": ""}],
            }
            if formatted:
                item["formatted"] = {"title": obj["title"], "message": obj["message"]}
            items.append(item)
        return self._page(req, items, self.commits_page_size)

    def tree(self, req: Request, repo_type: str, repo_id: str, rev: str, path: str = "") -> Response:
        repo = self._repo(req, repo_type, repo_id)
        commit_id, _ = self._resolve(repo, rev)
        obj = self.store.commit(repo, commit_id) or {"tree": {}, "treeIds": {}}
        tree, tree_ids = obj["tree"], obj["treeIds"]
        path = path.strip("/")
        dirs = _dirs_of(tree)
        if path and path not in dirs:
            raise HubError(404, f"Path {path} not found at revision {rev}", "EntryNotFound")
        prefix = path + "/" if path else ""
        recursive = req.flag("recursive")

        def wanted(p: str) -> bool:
            return p.startswith(prefix) and (recursive or "/" not in p[len(prefix) :])

        paths = sorted([p for p in tree if wanted(p)] + [d for d in dirs if wanted(d)])
        # Pages of 1000 entries (50 with expand=True, which costs the Hub more), each ending with a
        # cursor: the last path sent, so a page never repeats or skips entries.
        expand = req.flag("expand")
        size = self.tree_expand_page_size if expand else self.tree_page_size
        cursor = req.arg("cursor")
        if cursor:
            try:
                after = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode()
            except ValueError:  # binascii.Error and UnicodeDecodeError both are
                raise HubError(400, "Invalid cursor") from None
            paths = paths[bisect.bisect_right(paths, after) :]
        page = paths[:size]
        last = self._last_commits(repo, commit_id, page) if expand else {}
        items = [
            _entry_json(p, tree[p], last_commit=last.get(p))
            if p in tree
            else {
                "type": "directory",
                "oid": tree_ids.get(p, ""),
                "size": 0,
                "path": p,
                **({"lastCommit": last[p]} if p in last else {}),
            }
            for p in page
        ]
        headers = {}
        if len(paths) > size:
            token = base64.urlsafe_b64encode(page[-1].encode()).decode().rstrip("=")
            headers = self._next_link(req, "cursor", token)
        return Response.json(items, headers=headers)

    def paths_info(self, req: Request, repo_type: str, repo_id: str, rev: str) -> Response:
        repo = self._repo(req, repo_type, repo_id)
        commit_id, _ = self._resolve(repo, rev)
        if "json" in req.headers.get("Content-Type", ""):
            form = req.json()
            paths, expand = form.get("paths") or [], form.get("expand")
            paths = [paths] if isinstance(paths, str) else paths
        else:  # what the client sends: form-encoded paths=..&paths=..&expand=false
            form = parse_qs(req.body.read_all().decode(errors="replace"), keep_blank_values=True)
            paths, expand = form.get("paths", []), (form.get("expand") or [""])[0]
        expand = str(expand).lower() in ("true", "1")
        obj = self.store.commit(repo, commit_id) or {"tree": {}, "treeIds": {}}
        dirs = _dirs_of(obj["tree"])
        wanted = [p.strip("/") for p in paths if p.strip("/") in obj["tree"] or p.strip("/") in dirs]
        last = self._last_commits(repo, commit_id, wanted) if expand else {}
        out = []
        for p in wanted:
            if p in obj["tree"]:
                out.append(_entry_json(p, obj["tree"][p], last_commit=last.get(p)))
            else:
                out.append(
                    {
                        "type": "directory",
                        "oid": obj["treeIds"].get(p, ""),
                        "size": 0,
                        "path": p,
                        **({"lastCommit": last[p]} if p in last else {}),
                    }
                )
        return Response.json(out)

    # -- downloads ----------------------------------------------------------------------------
    def resolve(self, req: Request, repo_type: str, repo_id: str, rev: str, path: str) -> Response:
        repo = self._repo(req, repo_type, repo_id)
        self.gate.check(req, repo)
        commit_id, _ = self._resolve(repo, rev)
        entry = self._tree(repo, commit_id).get(path)
        base_headers = {"X-Repo-Commit": commit_id, "Accept-Ranges": "bytes"}
        if entry is None:
            raise HubError(404, "Entry not found", "EntryNotFound", headers=base_headers)
        headers = dict(base_headers)
        if entry.get("lfs"):
            sha = entry["lfs"]["oid"]
            headers.update({"ETag": f'"{sha}"', "X-Linked-Etag": f'"{sha}"', "X-Linked-Size": str(entry["size"])})
            if entry.get("xetHash"):
                route = f"{req.base}/api/{repo.repo_type}s/{repo.repo_id}/xet-read-token/{commit_id}"
                headers.update(
                    {"X-Xet-Hash": entry["xetHash"], "X-Xet-Refresh-Route": route, "Link": f'<{route}>; rel="xet-auth"'}
                )
        else:
            headers["ETag"] = f'"{entry["oid"]}"'
        size = entry["size"]
        start, end, status = 0, size - 1, 200
        rng = req.headers.get("Range")
        if rng:
            m = re.fullmatch(r"\s*bytes=(\d*)-(\d*)\s*", rng)
            if not m or (not m.group(1) and not m.group(2)):
                raise HubError(416, "Invalid range", headers={"Content-Range": f"bytes */{size}", **base_headers})
            if m.group(1):
                start = int(m.group(1))
                end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
            else:
                start = max(size - int(m.group(2)), 0)
            if start >= size or start > end:
                raise HubError(
                    416, "Requested range not satisfiable", headers={"Content-Range": f"bytes */{size}", **base_headers}
                )
            status = 206
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        length = max(end - start + 1, 0)
        ctype = "application/octet-stream" if entry.get("lfs") else "text/plain; charset=utf-8"
        if req.method == "HEAD":
            headers["Content-Length"] = str(length)
            return Response(status=status, headers=headers, content_type=ctype)
        if entry.get("virtual"):
            raise HubError(
                501,
                f"{path} is a generated metadata-only file: the sandbox holds no bytes for it",
                headers=base_headers,
            )
        blob = self.store.read_entry(entry)
        if blob is None and entry.get("lfs"):
            dest = self.store.blob_path("lfs", entry["lfs"]["oid"])
            if self.xet.materialize(entry["lfs"]["oid"], dest):
                blob = dest
        if blob is None:
            raise HubError(500, f"Stored content of {path} is missing from the sandbox data dir")
        return Response(status=status, headers=headers, file=(blob, start, length), content_type=ctype)


class HubServer(ThreadingHTTPServer):
    """Serves one app (``Hub``, or the xet ``CasApp``): anything with ``handle(req) -> Response``.

    A connection idle for ``idle_timeout`` seconds (no request, or a body that stops arriving) is
    closed, so stalled clients cannot hold handler threads for ever.
    """

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        hub: Any,
        faults: Faults,
        log: RequestLog,
        on_crash: Callable[[Any], None] | None = None,
        idle_timeout: float | None = 60.0,
    ):
        self.hub, self.faults, self.log = hub, faults, log
        self.on_crash = on_crash
        self.idle_timeout = idle_timeout
        self.dead = False  # set by an injected crash: every request from then on is cut
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        super().__init__(address, Handler)

    def die(self, rule: Any) -> None:
        """An injected crash: answer nothing more; the owner (``Sandbox``) tears the server down."""
        if self.dead:
            return
        self.dead = True
        if self.on_crash is not None:
            self.on_crash(rule)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conns_lock:
            self._conns.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._conns_lock:
            self._conns.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Cut kept-alive client connections so no handler thread outlives ``stop()``."""
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class _Dropped(Exception):
    pass


class _Crashed(Exception):
    pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "hf-publish-sandbox"
    sys_version = ""
    server: HubServer

    def setup(self) -> None:
        # Applied to the socket by StreamRequestHandler.setup; typeshed declares `timeout` a ClassVar, but the
        # stdlib reads it through self, and each server has its own idle timeout.
        self.timeout = self.server.idle_timeout  # type: ignore[misc]
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    # BaseHTTPRequestHandler dispatches to do_<METHOD>: the names are the stdlib's, not ours to choose.
    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_GET  # noqa: N815

    def _handle(self) -> None:
        started = time.monotonic()
        raw_path, _, raw_query = self.path.partition("?")
        length = self.headers.get("Content-Length")
        chunked = "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()
        body = BodyReader(self.rfile, int(length) if length and length.isdigit() else None, chunked)
        host = self.headers.get("Host") or f"{self.server.server_address[0]!s}:{self.server.server_address[1]:d}"
        req = Request(
            method=self.command,
            path=raw_path,
            query=parse_qs(raw_query, keep_blank_values=True),
            headers=self.headers,
            body=body,
            base=f"http://{host}",
        )
        fault = False
        logged = False
        rule = None

        def record(status: int, sent: int) -> None:
            # Logged before the response is written: once a client has its answer, the log has it too.
            nonlocal logged
            if logged:
                return
            logged = True
            tok = req.token
            self.server.log.append(
                RequestRecord(
                    method=self.command,
                    path=raw_path,
                    query=raw_query,
                    status=status,
                    token_name=tok.name if tok else None,
                    bytes_in=body.count,
                    bytes_out=sent,
                    duration=time.monotonic() - started,
                    fault=fault,
                    headers={k: v for k, v in self.headers.items() if k.lower() not in ("authorization", "cookie")},
                )
            )

        try:
            if self.server.dead:
                raise _Dropped()
            rule = self.server.faults.take(self.command, raw_path)
            if rule is not None:
                fault = rule.status is not None or rule.drop or rule.crash is not None
                if rule.hold:
                    self.server.faults.gate(rule)
                if rule.delay:
                    time.sleep(rule.delay)
                if rule.hang:
                    fault = True
                    self._hang()
                    raise _Dropped()
            if rule is not None and rule.crash is not None:
                self._crash_on(req, rule)
            if rule is not None and rule.drop and (chunked or (length and length != "0")):
                body.drain(limit=max((int(length) if length and length.isdigit() else 2 * MiB) // 2, 1))
                raise _Dropped()
            if rule is not None and rule.status is not None:
                body.drain()
                headers = {"Retry-After": str(int(rule.retry_after))} if rule.retry_after is not None else {}
                resp = self._error_response(
                    HubError(rule.status, f"Sandbox injected fault ({rule.status})", headers=headers)
                )
            else:
                resp = self._run(req)
            drop = rule is not None and rule.drop
            if resp.status in (411, 413) and not body.done:
                self.close_connection = True  # an oversized body is never read: answer, then hang up
            planned = 0 if self.command == "HEAD" else (resp.file[2] if resp.file else len(resp.body))
            record(0 if drop else resp.status, planned // 2 if drop else planned)
            self._send(resp, drop=drop)
        except (_Dropped, _Crashed, Crash) as exc:
            record(0, 0)
            if not isinstance(exc, _Dropped):
                self.server.die(rule)  # first: once the client sees the cut, the server is down
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
        except (TimeoutError, ConnectionError, BrokenPipeError):
            record(0, 0)
            self.close_connection = True
        finally:
            record(500, 0)
            if not body.done and not self.close_connection:
                try:
                    if not body.drain(limit=8 * MiB):
                        self.close_connection = True
                except (ConnectionError, OSError, ValueError):
                    self.close_connection = True

    def _hang(self) -> None:
        """Answer nothing until the client closes the connection or the server goes down."""
        while not self.server.dead:
            try:
                readable, _, _ = select.select([self.connection], [], [], 0.05)
                if readable:
                    if not self.connection.recv(1, socket.MSG_PEEK):
                        return  # the client gave up and closed its end
                    time.sleep(0.05)  # unread body bytes: not an answer, keep waiting
            except (OSError, ValueError):
                return

    def _crash_on(self, req: Request, rule: Any) -> None:
        """Die before, half-way through (commit object written, ref not moved) or after the request."""
        if rule.crash == "before":
            raise _Crashed()
        store = self.server.hub.store
        if rule.crash == "commit":
            store.crash_at_ref_swap.add(threading.get_ident())
        try:
            self._run(req)
        finally:
            store.crash_at_ref_swap.discard(threading.get_ident())
        raise _Crashed()  # "after", or a request that ended before reaching its ref swap

    def _run(self, req: Request) -> Response:
        try:
            resp: Response = self.server.hub.handle(req)  # hub: Hub or CasApp
            return resp
        except HubError as exc:
            return self._error_response(exc)
        except StoreError as exc:
            return self._error_response(HubError(exc.status, exc.message, exc.code))
        except (ConnectionError, BrokenPipeError, TimeoutError):  # the client went away or went quiet
            raise
        except Exception as exc:  # a sandbox bug: answer 500 and say so on stderr
            traceback.print_exc(file=sys.stderr)
            return self._error_response(HubError(500, f"Sandbox internal error: {exc!r}"))

    @staticmethod
    def _error_response(exc: HubError) -> Response:
        headers = {
            "X-Error-Message": exc.message.splitlines()[0].encode("latin-1", "replace").decode("latin-1"),
            **exc.headers,
        }
        if exc.code:
            headers["X-Error-Code"] = exc.code
        body = exc.body if exc.body is not None else {"error": exc.message}
        return Response.json(body, status=exc.status, headers=headers)

    def _send(self, resp: Response, drop: bool = False) -> int:
        """Write the response; with ``drop`` cut the connection half-way through the body."""
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("X-Request-Id", uuid.uuid4().hex)
        for key, value in resp.headers.items():
            self.send_header(key, value)
        length = resp.file[2] if resp.file else len(resp.body)
        if "Content-Length" not in resp.headers:
            self.send_header("Content-Length", str(length if self.command != "HEAD" else len(resp.body)))
        if drop and (self.command == "HEAD" or length == 0):
            raise _Dropped()
        self.end_headers()
        if self.command == "HEAD":
            return 0
        limit = length // 2 if drop else length
        if resp.file:
            path, offset, _ = resp.file
            with open(path, "rb") as f:
                sent = self.connection.sendfile(f, offset, limit) if limit else 0
        else:
            self.wfile.write(resp.body[:limit])
            sent = limit
        if drop:
            raise _Dropped()
        return sent
