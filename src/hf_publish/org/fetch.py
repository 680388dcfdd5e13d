"""The one module of the org audit that calls the Hub.

Cost model (the Hub rate-limits API and resolver requests per 5 minutes, hub-api.md):
- repos come from the paged listings (`list_models` / `list_datasets` / `list_spaces` with `author`
  and `expand`: privacy, gating, sha, last-modified, siblings, usedStorage): one API request per
  page, a few for thousands of repos;
- storage per repo from ONE paged listing (`list_user_repos(namespace=ORG)`, the org's storage
  settings page); a token that may not read it falls back to the listing's usedStorage;
- READMEs are downloaded through the resolver, one GET each (`resolve/<sha>/README.md`: a HEAD +
  GET pair through `hf_hub_download` would cost two), by a bounded pool of threads, and only for
  repos whose listing names a README.md;
- the listings name a repo's files without sizes or LFS flags (the Hub's do not give them); a
  repo's storage bounds its largest file, so only a repo that stores at least the smallest
  regular-file limit (1 MB), or names a file of a required LFS pattern, gets one
  `repo_info(files_metadata=True)` for the LFS rules (`rules.needs_file_metadata`; skipped with
  `--no-file-metadata`); the others' LFS state is inferred from their storage, and said so;
- the listings come sorted by lastModified, newest first; only a repo changed within `--since`
  gets one page of its commits (the activity's title and author);
- everything read per repo is cached by the repo's commit sha (`AuditCache`): a second audit of an
  unchanged org makes no download and no per-repo request.
429 answers are honoured: the listings and downloads go through huggingface_hub's `http_backoff`
(which waits the `Retry-After` the Hub sends), and the per-repo API calls through `_retrying`,
which does the same. Every wait draws on one retry budget (`hub.bounded_http`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from hf_publish._record import Record, replace
from hf_publish.cards.parse import MAX_CARD_BYTES
from hf_publish.errors import HubError
from hf_publish.org.model import Access, Commit, RepoFile, RepoRecord, RepoType
from hf_publish.paths import cache_home

T = TypeVar("T")

CARD_FILE = "README.md"
DEFAULT_JOBS = 8  # downloads in flight at once: well under the Hub's resolver limits
MAX_RETRIES = 5
MAX_WAIT = 120.0  # seconds: a longer Retry-After is honoured up to this, per wait
CACHE_VERSION = 1

EXPAND: dict[str, list[str]] = {
    "model": ["sha", "private", "gated", "disabled", "lastModified", "createdAt", "siblings", "usedStorage"],
    "dataset": ["sha", "private", "gated", "disabled", "lastModified", "createdAt", "siblings", "usedStorage"],
    "space": ["sha", "private", "disabled", "lastModified", "createdAt", "siblings", "usedStorage"],
}


# --- the cache -----------------------------------------------------------------------------------


def cache_dir() -> Path:
    """`$XDG_CACHE_HOME/hf-publish/org-audit` (default ~/.cache/hf-publish/org-audit)."""
    return Path(cache_home("org-audit"))


class AuditCache:
    """What was read per repo, keyed by the repo's commit sha: the README (or that there is none),
    the file metadata, the last commit. One JSON file per (endpoint, org), written atomically.
    A sha names one commit, so an entry never goes stale; entries of repos gone are dropped on save."""

    def __init__(self, path: Path | None, *, enabled: bool = True) -> None:
        self.path = path
        self.enabled = enabled and path is not None
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, Any]] = {}
        self._used: set[str] = set()
        if self.enabled:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))  # type: ignore[union-attr]
                if data.get("version") == CACHE_VERSION and isinstance(data.get("repos"), dict):
                    self._entries = data["repos"]
            except (OSError, ValueError, AttributeError):
                self._entries = {}

    @classmethod
    def for_org(cls, endpoint: str, organization: str, *, enabled: bool = True) -> AuditCache:
        digest = hashlib.sha256(f"{endpoint.rstrip('/')}\0{organization}".encode()).hexdigest()[:24]
        return cls(cache_dir() / f"{digest}.json", enabled=enabled and not os.environ.get("HF_PUBLISH_NO_CACHE"))

    @staticmethod
    def _key(repo: RepoRecord) -> str:
        return f"{repo.type}:{repo.id}"

    def get(self, repo: RepoRecord, what: str) -> Any:
        """The cached `what` ("card", "files", "commit") for this repo at its sha, or KeyError."""
        if not self.enabled or not repo.sha:
            raise KeyError(what)
        with self._lock:
            entry = self._entries.get(self._key(repo))
            if not entry or entry.get("sha") != repo.sha or what not in entry:
                raise KeyError(what)
            self._used.add(self._key(repo))
            return entry[what]

    def put(self, repo: RepoRecord, what: str, value: Any) -> None:
        if not self.enabled or not repo.sha:
            return
        with self._lock:
            key = self._key(repo)
            entry = self._entries.get(key)
            if not entry or entry.get("sha") != repo.sha:
                entry = self._entries[key] = {"sha": repo.sha}
            entry[what] = value
            self._used.add(key)

    def save(self) -> None:
        if not self.enabled or self.path is None:
            return
        with self._lock:
            data = {"version": CACHE_VERSION, "repos": {k: v for k, v in self._entries.items() if k in self._used}}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass  # a read-only home only costs speed


# --- progress ---------------------------------------------------------------------------------------


class Progress:
    """`reading cards 120/2000` on one terminal line, redrawn in place; silent when stderr is not a
    terminal (CI logs, pipes), so no `\\r` ever reaches a log."""

    def __init__(self, label: str, total: int, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = total > 0 and bool(getattr(self.stream, "isatty", lambda: False)())
        self.label, self.total, self.done = label, total, 0
        self._lock = threading.Lock()
        self._last = 0.0

    def step(self) -> None:
        with self._lock:
            self.done += 1
            now = time.monotonic()
            if self.enabled and (now - self._last > 0.1 or self.done == self.total):
                self._last = now
                width = 30
                filled = int(width * self.done / self.total)
                self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}")
                self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.done:
            self.stream.write("\n")
            self.stream.flush()


# --- the fetcher -----------------------------------------------------------------------------------


class Counters(Record, frozen=False):
    cards_downloaded: int = 0
    cards_cached: int = 0
    files_fetched: int = 0
    commits_fetched: int = 0
    commits_cached: int = 0


class Fetcher:
    """Reads an org from the Hub through one `publishing.hub.Hub`. `sleep` is injectable for tests."""

    def __init__(
        self,
        hub: Any,
        *,
        cache: AuditCache,
        jobs: int = DEFAULT_JOBS,
        sleep: Callable[[float], None] = time.sleep,
        progress_stream: Any = None,
    ) -> None:
        self.hub = hub
        self.endpoint = hub.endpoint.rstrip("/")
        self.cache = cache
        self.jobs = max(1, jobs)
        self.sleep = sleep
        self.progress_stream = progress_stream
        self.counters = Counters()
        self._count_lock = threading.Lock()

    # -- helpers --------------------------------------------------------------------------------

    def _count(self, name: str) -> None:
        with self._count_lock:
            setattr(self.counters, name, getattr(self.counters, name) + 1)

    def _translate(self, exc: BaseException, doing: str, repo: str = "the repo") -> HubError:
        from hf_publish.publishing.hub import translate

        error = translate(exc, doing=doing, repo=repo, endpoint=self.endpoint)
        if error is None:
            raise exc
        return error

    def _retrying(self, call: Callable[[], T]) -> T:
        """`call()`, waiting out 429 answers as the Hub's Retry-After says (at most MAX_RETRIES times)."""
        from huggingface_hub.errors import HfHubHTTPError

        from hf_publish.publishing.hub import _retry_after

        for attempt in range(MAX_RETRIES + 1):
            try:
                return call()
            except HfHubHTTPError as exc:
                status = getattr(exc.response, "status_code", None)
                if status != 429 or attempt == MAX_RETRIES:
                    raise
                wait = _retry_after(exc)
                self.sleep(min(MAX_WAIT, (wait if wait is not None else 2.0**attempt) + 0.1))
        raise AssertionError("unreachable")  # pragma: no cover

    def _pool(self, label: str, items: list[T], work: Callable[[T], Any]) -> list[Any]:
        progress = Progress(label, len(items), self.progress_stream)

        def run(item: T) -> Any:
            try:
                return work(item)
            finally:
                progress.step()

        try:
            if len(items) <= 1:
                return [run(item) for item in items]
            with ThreadPoolExecutor(
                max_workers=min(self.jobs, len(items)), thread_name_prefix="hf-publish-audit"
            ) as pool:
                return list(pool.map(run, items))
        finally:
            progress.close()

    # -- who is asking ------------------------------------------------------------------------------

    def access(self, organization: str, token: str | None) -> Access:
        """What this token can see of the org (one whoami request; none without a token)."""
        if not token:
            return Access(
                "none",
                None,
                False,
                None,
                False,
                (
                    (
                        "no token: the audit sees public repos only (set HF_TOKEN to a token of an org member to "
                        "include private repos)"
                    ),
                ),
            )
        try:
            info = self._retrying(lambda: self.hub.raw_whoami())
        except Exception as exc:
            raise self._translate(exc, "reading the token's identity (whoami)") from None
        user = info.get("name")
        orgs = {str(o.get("name", "")).lower(): o for o in info.get("orgs") or []}
        membership = orgs.get(organization.lower())
        token_info = (info.get("auth") or {}).get("accessToken") or {}
        kind = token_info.get("role") or "unknown"
        notes = []
        member = membership is not None or (user or "").lower() == organization.lower()
        role = (membership or {}).get("roleInOrg") or ("owner" if member else None)
        sees_private = member
        if kind == "fineGrained" and member:
            scoped = ((token_info.get("fineGrained") or {}).get("scoped")) or []
            sees_private = any(
                (entry.get("entity") or {}).get("type") in ("org", "user")
                and str((entry.get("entity") or {}).get("name", "")).lower() == organization.lower()
                and any(p in ("repo.content.read", "repo.write") for p in entry.get("permissions") or [])
                for entry in scoped
            )
            if not sees_private:
                notes.append(
                    f"this fine-grained token has no repo read permission on {organization}: "
                    "the audit sees public repos only"
                )
        if not member:
            notes.append(
                f"the token's user {user!r} is not a member of {organization}: the audit sees public "
                "repos only (use a token of an org member to include private repos)"
            )
        return Access(kind, user, member, role, sees_private, tuple(notes))

    # -- the listings ---------------------------------------------------------------------------------

    def list_repos(self, organization: str, types: Iterable[str]) -> list[RepoRecord]:
        """Every repo of the org of the given types, from the paged listings (a few requests), each
        type newest first (sorted by lastModified: the activity window is their head)."""
        records: list[RepoRecord] = []
        for repo_type in types:
            try:
                infos = list(
                    self.hub.raw_list_repos(
                        repo_type, author=organization, sort="last_modified", expand=EXPAND[repo_type]
                    )
                )
            except Exception as exc:
                raise self._translate(exc, f"listing the {repo_type}s of {organization}") from None
            records.extend(record_from_info(info, repo_type) for info in infos)  # type: ignore[arg-type]
        return records

    def storage(self, organization: str) -> tuple[dict[tuple[str, str], tuple[int, bool]] | None, str | None]:
        """Bytes and privacy per (type, id) from the org's storage listing, or (None, why not)."""
        from huggingface_hub.errors import HfHubHTTPError

        try:
            rows = self.hub.raw_list_user_repos(organization)
        except HfHubHTTPError as exc:
            status = getattr(exc.response, "status_code", None)
            if status in (401, 403, 404):
                return None, (
                    f"the org's storage listing answered HTTP {status} (it needs a token of an org "
                    "admin): storage per repo is the repo listing's usedStorage"
                )
            raise self._translate(exc, f"reading the storage of {organization}") from None
        except Exception as exc:
            raise self._translate(exc, f"reading the storage of {organization}") from None
        out = {}
        for row in rows:
            out[(row.type, row.id)] = (int(row.storage or 0), row.visibility != "public")
        return out, None

    # -- per repo, cached by sha ----------------------------------------------------------------------

    def _cached_else_pool(
        self,
        label: str,
        repos: list[RepoRecord],
        what: str,
        from_cache: Callable[[RepoRecord, Any], RepoRecord],
        fetch: Callable[[RepoRecord], RepoRecord],
        cached_counter: str | None = None,
    ) -> list[RepoRecord]:
        """Each repo with its `what`: from the sha cache when its sha was seen (`from_cache(repo,
        value)`), else by `fetch(repo)` on the bounded pool (which caches what it read)."""
        out: dict[tuple[str, str], RepoRecord] = {}
        todo = []
        for repo in repos:
            try:
                cached = self.cache.get(repo, what)
            except KeyError:
                todo.append(repo)
                continue
            if cached_counter:
                self._count(cached_counter)
            out[repo.key] = from_cache(repo, cached)
        for record in self._pool(label, todo, fetch):
            out[record.key] = record
        return [out[r.key] for r in repos]

    def complete_files(
        self, repos: list[RepoRecord], needed: Callable[[RepoRecord], bool] | None = None
    ) -> list[RepoRecord]:
        """The repos `needed` names get their file sizes and LFS flags from `repo_info(files_metadata=True)`
        (the listings give names only), cached by sha; the others are returned as they are."""
        if needed is None:  # every repo whose listing lacks sizes or LFS flags

            def needed(r: RepoRecord) -> bool:
                return r.files is None or any(f.lfs is None for f in r.files)

        todo = [r for r in repos if needed(r)]

        def from_cache(repo: RepoRecord, cached: Any) -> RepoRecord:
            return replace(repo, files=tuple(RepoFile(*f) for f in cached))

        def work(repo: RepoRecord) -> RepoRecord:
            try:
                info = self._retrying(
                    lambda: self.hub.raw_repo_info(repo.id, repo.type, revision=repo.sha, files_metadata=True)
                )
            except Exception as exc:
                raise self._translate(exc, f"reading the files of {repo.id}", repo.id) from None
            self._count("files_fetched")
            files = files_of(getattr(info, "siblings", None))
            if files is not None:
                self.cache.put(repo, "files", [[f.path, f.size, f.lfs] for f in files])
            return replace(repo, files=files)

        done = {r.key: r for r in self._cached_else_pool("reading file metadata", todo, "files", from_cache, work)}
        return [done.get(r.key, r) for r in repos]

    def cards(self, repos: list[RepoRecord]) -> list[RepoRecord]:
        """Each repo with its README's bytes: from the cache when its sha was seen, else one GET."""
        out: dict[tuple[str, str], RepoRecord] = {}
        todo = []
        for repo in repos:
            names = None if repo.files is None else {f.path: f for f in repo.files}
            if names is not None and CARD_FILE not in names:
                out[repo.key] = repo  # no README: nothing to download
                continue
            size = names[CARD_FILE].size if names is not None else None
            if size is not None and size > MAX_CARD_BYTES:
                out[repo.key] = replace(repo, card_size=size)
                continue
            todo.append(repo)

        def from_cache(repo: RepoRecord, cached: Any) -> RepoRecord:
            return replace(repo, card=None if cached is None else base64.b64decode(cached))

        for record in self._cached_else_pool(
            "reading cards", todo, "card", from_cache, self._download_card, "cards_cached"
        ):
            out[record.key] = record
        return [out[r.key] for r in repos]

    def _download_card(self, repo: RepoRecord) -> RepoRecord:
        from huggingface_hub.errors import GatedRepoError, HfHubHTTPError
        from huggingface_hub.utils import hf_raise_for_status  # type: ignore[attr-defined]

        url = self.hub.file_url(repo.id, CARD_FILE, repo.type, repo.sha or "main")
        try:
            response = self.hub.raw_get(url, MAX_RETRIES)
            self._count("cards_downloaded")
            if response.status_code == 404:
                self.cache.put(repo, "card", None)
                return replace(repo, card=None)
            hf_raise_for_status(response)
        except GatedRepoError:
            return replace(repo, card_error="the repo is gated and this token has not been granted access")
        except HfHubHTTPError as exc:
            status = getattr(exc.response, "status_code", None)
            if status in (401, 403):
                return replace(repo, card_error=f"HTTP {status}: this token may not download it")
            raise self._translate(exc, f"downloading the card of {repo.id}", repo.id) from None
        except Exception as exc:
            raise self._translate(exc, f"downloading the card of {repo.id}", repo.id) from None
        body = response.content[: MAX_CARD_BYTES + 1]
        if len(body) > MAX_CARD_BYTES:
            return replace(repo, card_size=len(response.content))
        self.cache.put(repo, "card", base64.b64encode(body).decode("ascii"))
        return replace(repo, card=body)

    def last_commits(self, repos: list[RepoRecord]) -> list[RepoRecord]:
        """Each repo with its last commit (title, authors): one page of its commits, cached by sha."""
        return self._cached_else_pool(
            "reading last commits",
            repos,
            "commit",
            lambda repo, cached: replace(repo, last_commit=_commit_from_cache(cached)),
            self._last_commit,
            "commits_cached",
        )

    def _last_commit(self, repo: RepoRecord) -> RepoRecord:
        from huggingface_hub.utils import hf_raise_for_status  # type: ignore[attr-defined]

        revision = repo.sha or "main"
        url = f"{self.endpoint}/api/{repo.type}s/{repo.id}/commits/{revision}"
        try:
            response = self.hub.raw_get(url, MAX_RETRIES)
            hf_raise_for_status(response)
            items = response.json()
        except Exception as exc:
            raise self._translate(exc, f"reading the last commit of {repo.id}", repo.id) from None
        self._count("commits_fetched")
        commit = None
        if isinstance(items, list) and items and isinstance(items[0], dict):
            item = items[0]
            commit = Commit(
                id=str(item.get("id", "")),
                title=str(item.get("title", "")),
                authors=tuple(str(a.get("user", "")) for a in item.get("authors") or [] if isinstance(a, dict)),
                date=_parse_date(item.get("date")),
            )
        self.cache.put(repo, "commit", _commit_to_cache(commit))
        return replace(repo, last_commit=commit)


# --- client objects -> records ------------------------------------------------------------------------


def files_of(siblings: Any) -> tuple[RepoFile, ...] | None:
    """The files of a listing or info: without `size` (the listings give names only), whether a file
    is in LFS is unknown too (None), never guessed."""
    if siblings is None:
        return None
    out = []
    for s in siblings:
        if s.lfs is not None:
            out.append(RepoFile(s.rfilename, s.lfs.size if s.size is None else s.size, True))
        elif s.size is not None:
            out.append(RepoFile(s.rfilename, s.size, False))
        else:
            out.append(RepoFile(s.rfilename, None, None))
    return tuple(out)


def record_from_info(info: Any, repo_type: RepoType) -> RepoRecord:
    """A RepoRecord from a ModelInfo / DatasetInfo / SpaceInfo of the listing."""
    gated = getattr(info, "gated", None)
    return RepoRecord(
        id=info.id,
        type=repo_type,
        private=bool(getattr(info, "private", False)),
        gated=gated if isinstance(gated, str) and gated else None,
        sha=getattr(info, "sha", None),
        last_modified=_aware(getattr(info, "last_modified", None)),
        created_at=_aware(getattr(info, "created_at", None)),
        disabled=bool(getattr(info, "disabled", False)),
        storage=getattr(info, "used_storage", None),
        files=files_of(getattr(info, "siblings", None)),
    )


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _parse_date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return _aware(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None


def _commit_to_cache(commit: Commit | None) -> dict[str, Any] | None:
    if commit is None:
        return None
    return {
        "id": commit.id,
        "title": commit.title,
        "authors": list(commit.authors),
        "date": commit.date.isoformat() if commit.date else None,
    }


def _commit_from_cache(data: dict[str, Any] | None) -> Commit | None:
    if not data:
        return None
    return Commit(data["id"], data["title"], tuple(data.get("authors") or ()), _parse_date(data.get("date")))
