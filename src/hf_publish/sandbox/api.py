"""``Sandbox``: start the Hub-compatible server in a thread, inject faults, read the store."""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from .accounting import Accounting
from .auth import Auth
from .cas import CasApp, XetTokens
from .faults import FaultRule, Faults, RequestLog, RequestRecord
from .orgs import TokenRow, token_table
from .server import Hub, HubServer
from .store import REPO_TYPES, Repo, Store
from .xet import XetIndex


class Sandbox:
    """A loopback Hugging Face Hub for tests and rehearsals.

    ``data_dir=None`` uses a temporary directory removed by ``stop()``. ``users`` is a YAML path,
    a dict in the same shape, or None for the built-in org ``acme-ai`` and its users and tokens.
    Two servers run: the Hub API on ``port`` and, as on the Hub, a separate xet CAS server
    (``cas_endpoint``, its own request log ``cas_requests`` and faults ``cas_faults``) storing into
    ``cas_dir`` (default ``<data_dir>/cas``). A connection idle for ``idle_timeout`` s is closed.
    """

    def __init__(
        self,
        data_dir: str | Path | None = None,
        users: str | Path | dict[str, Any] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        cas_dir: str | Path | None = None,
        tree_page_size: int = 1000,
        tree_expand_page_size: int = 50,
        commits_page_size: int = 50,
        list_page_size: int = 1000,
        idle_timeout: float | None = 60.0,
    ):
        self._tmp: str | None = None
        if data_dir is not None:
            self.data_dir = Path(data_dir)
        else:
            self._tmp = tempfile.mkdtemp(prefix="hf-sandbox-")
            self.data_dir = Path(self._tmp)
        self.cas_dir = Path(cas_dir) if cas_dir is not None else self.data_dir / "cas"
        self.cas_dir.mkdir(parents=True, exist_ok=True)
        self.auth = Auth(users)
        self.faults = Faults()
        self.log = RequestLog()
        self.cas_faults = Faults()  # the CAS server's own: faults on the Hub API never touch xet storage
        self.cas_log = RequestLog()
        self.xet_tokens = XetTokens()  # kept across restarts: clients keep their xet tokens
        self.accounting = Accounting()  # request counts and rate limits, kept across restarts
        self._page_sizes = (tree_page_size, tree_expand_page_size, commits_page_size, list_page_size)
        self.idle_timeout = idle_timeout
        self.host, self.port, self.cas_port = host, port, 0
        self._load()
        self._server: HubServer | None = None
        self._cas_server: HubServer | None = None
        self._thread: threading.Thread | None = None
        self._cas_thread: threading.Thread | None = None
        self._lifecycle = threading.RLock()
        self._stopped = False
        self.crashes = 0  # injected crashes so far

    def _load(self) -> None:
        """The server's in-memory state, built from the data and CAS dirs (what a new process reads)."""
        self.store = Store(self.data_dir)
        self.xet = XetIndex(self.cas_dir)
        self.hub = Hub(
            self.store,
            self.auth,
            self.xet,
            tree_page_size=self._page_sizes[0],
            tree_expand_page_size=self._page_sizes[1],
            commits_page_size=self._page_sizes[2],
            list_page_size=self._page_sizes[3],
            xet_tokens=self.xet_tokens,
            accounting=self.accounting,
        )
        self.cas = CasApp(self.xet, self.xet_tokens)

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> Sandbox:
        with self._lifecycle:
            if self._server is not None:
                return self
            self._stopped = False
            self._cas_server = HubServer(
                (self.host, self.cas_port), self.cas, self.cas_faults, self.cas_log, idle_timeout=self.idle_timeout
            )
            self.cas_port = self._cas_server.server_address[1]
            self.xet.cas_url = self.cas_endpoint
            self._server = HubServer(
                (self.host, self.port),
                self.hub,
                self.faults,
                self.log,
                on_crash=self._crashed,
                idle_timeout=self.idle_timeout,
            )
            self.port = self._server.server_address[1]
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"hf-sandbox-{self.port}",
                daemon=True,
            )
            self._cas_thread = threading.Thread(
                target=self._cas_server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"hf-sandbox-cas-{self.cas_port}",
                daemon=True,
            )
            self._thread.start()
            self._cas_thread.start()
            return self

    def _halt(self) -> None:
        with self._lifecycle:
            for server, thread in ((self._server, self._thread), (self._cas_server, self._cas_thread)):
                if server is not None:
                    server.dead = True
                    server.shutdown()
                    server.close_connections()
                    server.server_close()
                    if thread is not None:
                        thread.join(timeout=10)
            self._server = self._thread = self._cas_server = self._cas_thread = None

    def stop(self) -> None:
        with self._lifecycle:
            self._stopped = True
            self._halt()
            if self._tmp is not None:
                shutil.rmtree(self._tmp, ignore_errors=True)

    @property
    def running(self) -> bool:
        server = self._server
        return server is not None and not server.dead

    def restart(self) -> Sandbox:
        """Stop the server as a dying process would (in-flight requests are cut), rebuild its state
        from the data dir and start it again on the same port."""
        with self._lifecycle:
            self._halt()
            self._load()
            return self.start()

    def _crashed(self, rule: FaultRule) -> None:
        """An injected crash fired (in a handler thread): go down now, come back later."""
        self.crashes += 1
        threading.Thread(
            target=self._die_and_revive, args=(rule.restart_after,), name="hf-sandbox-crash", daemon=True
        ).start()

    def _die_and_revive(self, restart_after: float | None) -> None:
        with self._lifecycle:
            self._halt()
            self._load()
        if restart_after is None:
            return
        time.sleep(restart_after)
        with self._lifecycle:
            if not self._stopped:
                self.start()

    def wait_until_running(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while not self.running:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def endpoint(self) -> str:
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{self.port}"

    @property
    def cas_endpoint(self) -> str:
        """The xet CAS server (what ``X-Xet-Cas-Url`` answers)."""
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{self.cas_port}"

    @property
    def tokens(self) -> dict[str, str]:
        """Token name -> token value (deterministic for the built-in users)."""
        return self.auth.token_values()

    @property
    def oidc_id_tokens(self) -> list[str]:
        """The OIDC subject (id) tokens ``/oauth/token`` accepts."""
        return [t["id_token"] for t in self.auth.oidc_trust if t.get("id_token")]

    def env(self) -> dict[str, str]:
        """Environment for a client process pointed at this sandbox."""
        return {"HF_ENDPOINT": self.endpoint, "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_DISABLE_UPDATE_CHECK": "1"}

    # -- request log and faults ---------------------------------------------------------------
    @property
    def requests(self) -> list[RequestRecord]:
        return self.log.snapshot()

    @property
    def cas_requests(self) -> list[RequestRecord]:
        """The xet CAS server's request log (uploads and downloads of xet bytes)."""
        return self.cas_log.snapshot()

    def clear_log(self) -> None:
        self.log.clear()

    def inject(
        self,
        method: str | None = None,
        path: str = ".*",
        status: int | None = None,
        retry_after: float | None = None,
        drop: bool = False,
        delay: float = 0.0,
        times: int | None = 1,
        crash: str | None = None,
        restart_after: float | None = None,
        hold: int = 0,
        rate: float = 1.0,
        hang: bool = False,
    ) -> FaultRule:
        """Make the next ``times`` requests matching ``method`` and ``path`` (re.search) misbehave.

        ``crash``: the server dies on the request, as a killed process would: "before" it is applied,
        "commit" half-way (commit object written, branch not moved) or "after" it is applied but
        before the answer; it restarts from its data dir ``restart_after`` seconds later (None: only
        on ``restart()``). Every connection is cut meanwhile.

        ``hold=N``: each matching request waits until N of them have arrived, then all go on (use
        ``times=N``): N clients racing from exactly the same state.

        ``rate``: only that share of matching requests gets the fault, drawn from a seeded generator
        (``faults.seed(n)``), e.g. ``inject(status=503, times=None, rate=0.05)`` for a 5% error rate.

        ``hang=True``: accept the request and never answer (until the client closes the connection
        or the server stops): a Hub that holds a connection open forever.
        """
        if status is None and not drop and not delay and crash is None and not hold and not hang:
            raise ValueError("inject() needs a status, drop=True, a delay, a crash, a hold or hang=True")
        if crash not in (None, "before", "commit", "after"):
            raise ValueError("crash must be 'before', 'commit' or 'after'")
        return self.faults.add(
            FaultRule(
                method=method,
                path=re.compile(path),
                status=status,
                retry_after=retry_after,
                drop=drop,
                delay=delay,
                times=times,
                crash=crash,
                restart_after=restart_after,
                hold=hold,
                rate=rate,
                hang=hang,
            )
        )

    def request_counts(self, reset: bool = False) -> dict[str, int]:
        """Requests that reached the Hub API so far, per bucket: {"api": n, "resolver": m} (file
        downloads are "resolver"); ``reset=True`` starts the counts again from zero."""
        return self.accounting.counts(reset=reset)

    def reset_request_counts(self) -> None:
        self.accounting.counts(reset=True)

    def limit_rate(self, api: int | None = None, resolver: int | None = None, window: float = 300.0) -> None:
        """Answer 429 (``Retry-After``, ``RateLimit``, ``RateLimit-Policy``) once ``api`` API or
        ``resolver`` download requests were made in a fixed ``window`` of seconds; None: no limit
        for that bucket (``limit_rate()`` lifts every limit). The Hub's free plan is
        ``limit_rate(api=1000, resolver=5000, window=300)``."""
        self.accounting.limit(api=api, resolver=resolver, window=window)

    def clear_faults(self) -> None:
        self.faults.clear()
        self.cas_faults.clear()

    def reset(self) -> None:
        """Wipe every repo, stored blob and the request log; users and tokens stay."""
        self.store.wipe()
        for kind in ("git", "lfs"):
            shutil.rmtree(self.data_dir / "blobs" / kind, ignore_errors=True)
            (self.data_dir / "blobs" / kind).mkdir(parents=True, exist_ok=True)
        self.clear_log()
        self.cas_log.clear()
        self.clear_faults()

    # -- direct store access for assertions ---------------------------------------------------
    def _repo(self, repo_id: str, repo_type: str) -> Repo:
        repo = self.store.get(repo_type, repo_id)
        if repo is None:
            raise KeyError(f"no {repo_type} repo {repo_id} in the sandbox")
        return repo

    def head(self, repo_id: str, repo_type: str = "model", revision: str = "main") -> str | None:
        repo = self.store.get(repo_type, repo_id)
        hit = self.store.resolve(repo, revision) if repo else None
        return hit[0] if hit else None

    def _tree(self, repo_id: str, repo_type: str, revision: str) -> tuple[Repo, dict[str, Any]]:
        repo = self._repo(repo_id, repo_type)
        hit = self.store.resolve(repo, revision)
        if hit is None:
            raise KeyError(f"no revision {revision} in {repo_id}")
        return repo, (self.store.commit(repo, hit[0]) or {"tree": {}})["tree"]

    def read_file(self, repo_id: str, path: str, repo_type: str = "model", revision: str = "main") -> bytes:
        _, tree = self._tree(repo_id, repo_type, revision)
        entry = tree[path]
        blob = self.store.read_entry(entry)
        if blob is None and entry.get("lfs"):
            blob = self.store.blob_path("lfs", entry["lfs"]["oid"])
            self.xet.materialize(entry["lfs"]["oid"], blob)
        # blob is None for a file whose bytes were never stored (generated repos write trees without them):
        # Path(None) raises the TypeError this helper has always raised there.
        return Path(blob).read_bytes()  # type: ignore[arg-type]

    def list_files(self, repo_id: str, repo_type: str = "model", revision: str = "main") -> dict[str, int]:
        _, tree = self._tree(repo_id, repo_type, revision)
        return {path: entry["size"] for path, entry in sorted(tree.items())}

    def commits(self, repo_id: str, repo_type: str = "model", revision: str = "main") -> list[str]:
        repo = self._repo(repo_id, repo_type)
        hit = self.store.resolve(repo, revision)
        return [c["id"] for c in self.store.history(repo, hit[0])] if hit else []

    def create_repo_as(self, user_or_token: str, repo_id: str, repo_type: str = "model", private: bool = True) -> str:
        """Setup helper: create a repo as this user (or token name/value's user), no HTTP, no rights check."""
        if repo_type not in REPO_TYPES:
            raise ValueError(f"repo_type must be one of {REPO_TYPES}")
        tok = self.auth.tokens.get(user_or_token) or self.auth.lookup(user_or_token)
        user = tok.user if tok is not None else user_or_token
        if user not in self.auth.users:
            raise KeyError(f"unknown user or token {user_or_token!r}")
        return self.store.create(repo_type, repo_id, private=private, creator=user).repo_id

    def request_access(
        self,
        repo_id: str,
        user: str,
        *,
        repo_type: str = "model",
        timestamp: datetime | str | float | None = None,
        fields: dict[str, Any] | None = None,
    ) -> str:
        """Setup helper: ``user`` asks for access to a gated repo (as the website's form does), at
        ``timestamp`` (datetime, ISO text, epoch seconds; default now). Returns the request's status:
        "accepted" on an ``auto``-gated repo, else "pending" (or the status of an earlier request)."""
        if user not in self.auth.users:
            raise KeyError(f"unknown user {user!r}")
        return self.hub.gate.request(self._repo(repo_id, repo_type), user, fields=fields, timestamp=timestamp)

    def token_table(self) -> list[TokenRow]:
        """(token name, user, kind classic/fine-grained/oidc, scope, role) for every token and trusted publisher."""
        return token_table(self.auth)
