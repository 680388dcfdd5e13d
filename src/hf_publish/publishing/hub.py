"""The one module that talks to the Hugging Face Hub.

Everything goes through one injected `huggingface_hub.HfApi` (built by `make_api`, or handed in by a
caller or a test), and every exception the client raises is turned into a `HubError` whose message
says what failed and ends with the next step to take, through ONE table: `ERROR_TABLE`.

Bounded waits live here too: `bounded_http` gives huggingface_hub's shared client API timeouts
and one `RetryBudget` for a run, through the client's own `set_client_factory` hook.

Nothing here decides policy: `preflight` judges the token, `plan` compares trees, `publish`
orchestrates. huggingface_hub is imported lazily (this module is never imported by a hook).
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar, cast

from hf_publish import __version__
from hf_publish._record import Record
from hf_publish.errors import (
    AuthError,
    ConflictError,
    HubError,
    NotFoundError,
    RetryBudgetError,
    RetryBudgetExhausted,
    StaleHeadError,
    TransientHubError,
)
from hf_publish.publishing.preflight import DEFAULT_ENDPOINT, hub_page
from hf_publish.tokens import Redactor, redact

T = TypeVar("T")

LIBRARY_NAME = "hf-publish"
TOKENS_URL = "https://huggingface.co/settings/tokens"  # the default endpoint's; messages use ErrorRule.next_for
STATUS_URL = "https://status.huggingface.co"


class ErrorRule(Record):
    """One row of the table: which failure, what it means, what to do next."""

    name: str
    error: type[HubError]
    message: str  # formatted with: doing, repo, endpoint, server, status, retry_after
    next_step: str  # may name {tokens_url} and {status}: pages of the Hub the run talks to

    def next_for(self, endpoint: str | None) -> str:
        """The next step, its links on `endpoint` (a sandbox or a private Hub is not huggingface.co)."""
        return self.next_step.format(tokens_url=hub_page(endpoint, "/settings/tokens"), status=status_hint(endpoint))


def status_hint(endpoint: str | None) -> str:
    """Where to see whether the Hub is up: its status page, or the server itself for another endpoint."""
    base = (endpoint or DEFAULT_ENDPOINT).rstrip("/")
    return f"see {STATUS_URL}" if base == DEFAULT_ENDPOINT else f"check that {base} is up"


# THE table. `_classify` picks the row; `translate` formats it. Every message ends with the next step.
ERROR_TABLE: dict[str, ErrorRule] = {
    rule.name: rule
    for rule in (
        ErrorRule(
            "no-token",
            AuthError,
            "{doing}: no Hugging Face token found",
            "set HF_TOKEN to a fine-grained token with repo.write on the target org ({tokens_url}), "
            "or run `hf auth login`",
        ),
        ErrorRule(
            "oidc",
            AuthError,
            "{doing}: the Trusted Publishing (OIDC) token exchange failed: {server}",
            "check the job has `permissions: id-token: write`, that HF_OIDC_RESOURCE names an EXISTING "
            "repo (OIDC tokens cannot create repos: create it once with a fine-grained token) and that "
            "the repo trusts this workflow",
        ),
        ErrorRule(
            "offline",
            HubError,
            "{doing}: HF_HUB_OFFLINE is set, so the Hub cannot be reached",
            "unset HF_HUB_OFFLINE, or use --dry-run",
        ),
        ErrorRule(
            "invalid-token",
            AuthError,
            "{doing}: the Hub rejected the token (invalid, expired or revoked)",
            "create a new token at {tokens_url} and set HF_TOKEN to it",
        ),
        ErrorRule(
            "repo-not-found",
            NotFoundError,
            "{doing}: {repo} not found, or this token cannot see it",
            "check the repo name and type in .hf-publish.yaml, and that the token can read the repo",
        ),
        ErrorRule(
            "revision-not-found",
            NotFoundError,
            "{doing}: revision not found on {repo}: {server}",
            "check --revision names an existing branch of the Hub repo",
        ),
        ErrorRule(
            "entry-not-found",
            NotFoundError,
            "{doing}: a file is missing on {repo}: {server}",
            "re-run: the plan is re-read from the Hub each time",
        ),
        ErrorRule(
            "gated",
            AuthError,
            "{doing}: {repo} is gated and this token has not been granted access",
            "request access on the repo page, or use a token of an org member",
        ),
        ErrorRule(
            "disabled", HubError, "{doing}: {repo} is disabled on the Hub", "contact the Hub support or an org admin"
        ),
        ErrorRule(
            "bad-request",
            HubError,
            "{doing}: the Hub rejected the request: {server}",
            "fix what the message names (e.g. the model card metadata in README.md) and re-run",
        ),
        ErrorRule(
            "forbidden",
            AuthError,
            "{doing}: forbidden: {server}",
            "use a token with repo.write on the repo's org (a fine-grained token scoped to it), "
            "or ask an org admin for the needed role",
        ),
        ErrorRule(
            "conflict",
            ConflictError,
            "{doing}: already exists: {server}",
            "re-run: hf-publish re-reads the Hub state each time",
        ),
        ErrorRule(
            "stale",
            StaleHeadError,
            "{doing}: the branch moved while publishing (another commit landed)",
            "re-run: hf-publish re-reads the head and re-plans",
        ),
        ErrorRule(
            "unprocessable",
            HubError,
            "{doing}: the Hub refused the commit: {server}",
            "check the paths named in the message (the Hub refuses some names) and re-run",
        ),
        ErrorRule(
            "too-large",
            HubError,
            "{doing}: the request is too large for the Hub: {server}",
            "make sure big files are tracked by LFS (the lfs check) and re-run",
        ),
        ErrorRule(
            "rate-limited",
            TransientHubError,
            "{doing}: rate-limited by the Hub (HTTP 429){retry_after}",
            "wait and re-run; the Hub limits repo creation and API calls per token",
        ),
        ErrorRule(
            "server",
            TransientHubError,
            "{doing}: the Hub failed (HTTP {status}): {server}",
            "re-run in a few minutes; {status}",
        ),
        ErrorRule(
            "network",
            TransientHubError,
            "{doing}: could not reach {endpoint}{request}: {server}",
            "check the network (and --endpoint / HF_ENDPOINT), then re-run",
        ),
        ErrorRule(
            "retry-budget",
            RetryBudgetError,
            "{doing}: gave up: {server}",
            "re-run later ({status}), or allow longer with --retry-budget SECONDS (HF_PUBLISH_RETRY_BUDGET)",
        ),
        ErrorRule(
            "http",
            HubError,
            "{doing}: the Hub answered HTTP {status}: {server}",
            "re-run with HF_PUBLISH_DEBUG=1 and report the message if it persists",
        ),
    )
}


_STATUS_KINDS = {
    400: "bad-request",
    401: "invalid-token",
    403: "forbidden",
    408: "server",
    409: "conflict",
    412: "stale",
    413: "too-large",
    422: "unprocessable",
    429: "rate-limited",
}


def _classify(exc: BaseException) -> tuple[str, int | None]:
    """Which table row an exception of huggingface_hub / httpx2 / hf_xet belongs to."""
    from huggingface_hub import errors as hf_errors

    status = None
    response = getattr(exc, "response", None)
    if response is not None:
        status = getattr(response, "status_code", None)
    if isinstance(exc, RetryBudgetExhausted):
        return "retry-budget", exc.status
    if isinstance(exc, hf_errors.LocalTokenNotFoundError):
        return "no-token", status
    if isinstance(exc, hf_errors.OIDCError):
        return "oidc", status
    if isinstance(exc, hf_errors.OfflineModeIsEnabled):
        return "offline", status
    if isinstance(exc, hf_errors.GatedRepoError):
        return "gated", status
    if isinstance(exc, hf_errors.DisabledRepoError):
        return "disabled", status
    if isinstance(exc, hf_errors.RepositoryNotFoundError):
        return ("invalid-token" if _says_invalid_token(exc) else "repo-not-found"), status
    if isinstance(exc, hf_errors.RevisionNotFoundError):
        return "revision-not-found", status
    if isinstance(exc, hf_errors.RemoteEntryNotFoundError):
        return "entry-not-found", status
    if isinstance(exc, hf_errors.HfHubHTTPError) and status is not None:
        if status in _STATUS_KINDS:
            return _STATUS_KINDS[status], status
        return ("server" if status >= 500 else "http"), status
    import httpx2

    if isinstance(exc, (httpx2.TransportError, ConnectionError, TimeoutError)):
        return "network", status
    if _is_xet_error(exc):
        return "network", status
    return "", status


def _is_xet_error(exc: BaseException) -> bool:
    # hf_xet raises builtins (ConnectionError, RuntimeError) or its own classes from Rust.
    module = type(exc).__module__ or ""
    return module.startswith("hf_xet") or "xet" in type(exc).__name__.lower()


def _says_invalid_token(exc: BaseException) -> bool:
    text = str(getattr(exc, "server_message", "") or "") + str(exc)
    return "Invalid user token" in text or "Invalid credentials" in text


def _server_message(exc: BaseException, hide: Callable[[str], str] = redact) -> str:
    text = getattr(exc, "server_message", None) or ""
    if not text:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return hide(" ".join(str(text).split()))[:500]


def _request_line(exc: BaseException) -> str:
    """ " (POST /api/models/x/y/preupload/main)" for a transport error that knows its request."""
    try:
        request = exc.request  # type: ignore[attr-defined]  # httpx raises RuntimeError when unset
    except Exception:
        return ""
    method, url = getattr(request, "method", None), getattr(request, "url", None)
    return f" ({method} {url.path})" if method and url is not None else ""


def _retry_after(exc: BaseException) -> float | None:
    """The server's Retry-After (or rate-limit reset) of an HTTP error or a response, in seconds."""
    response = getattr(exc, "response", None) if not hasattr(exc, "status_code") else exc
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    value = headers.get("Retry-After") or headers.get("retry-after")
    if value is not None:
        try:
            return max(0.0, float(value))
        except ValueError:
            return None
    try:
        from huggingface_hub.utils._http import parse_ratelimit_headers

        info = parse_ratelimit_headers(headers)
        if info is not None and info.remaining == 0:
            return float(info.reset_in_seconds)
    except Exception:  # headers we cannot parse are simply not honoured
        return None
    return None


def translate(
    exc: BaseException,
    *,
    doing: str,
    repo: str = "the repo",
    endpoint: str = "the Hub",
    ambiguous: bool = False,
    rule: str | None = None,
    redactor: Redactor | None = None,
) -> HubError | None:
    """The HubError (message ending with the next step) for an exception the client raised, or None
    when the exception is not a Hub failure (a bug: let it surface as an unexpected error).
    `rule` forces a row of the table for any Hub failure (e.g. "oidc" during the token exchange).
    `redactor` hides the run's secrets in the message (token-shaped strings are hidden regardless)."""
    hide = redactor.redact if redactor is not None else redact
    url = endpoint if endpoint.startswith(("http://", "https://")) else None
    name, status = _classify(exc)
    cause = exc
    while not name and cause.__cause__ is not None and cause.__cause__ is not cause:
        # e.g. the client's RuntimeError("Error while uploading ...") raised from the HTTP error
        cause = cause.__cause__
        name, status = _classify(cause)
    if not name:
        return None
    exc = cause
    if rule is not None and name not in ("network", "offline"):
        name = rule
    if isinstance(exc, RetryBudgetExhausted) and exc.status is not None:
        # What the Hub answered, then why it is not retried.
        kind = _STATUS_KINDS.get(exc.status) or ("server" if exc.status >= 500 else "http")
        answered = ERROR_TABLE[kind].message.format(
            doing=doing,
            repo=repo,
            endpoint=endpoint,
            server=hide(" ".join(exc.server.split()))[:500],
            status=exc.status,
            request="",
            retry_after=f"; retry after {exc.retry_after:g} s" if exc.retry_after is not None else "",
        )
        return RetryBudgetError(hide(f"{answered}; {exc}. Next: {ERROR_TABLE[name].next_for(url)}"))
    row = ERROR_TABLE[name]
    retry_after = _retry_after(exc) if name in ("rate-limited", "server") else None
    message = row.message.format(
        doing=doing,
        repo=repo,
        endpoint=endpoint,
        server=_server_message(exc, hide),
        status=status,
        retry_after=f"; retry after {retry_after:g} s" if retry_after is not None else "",
        request=_request_line(exc),
    )
    text = hide(f"{message}. Next: {row.next_for(url)}")
    if row.error is TransientHubError:
        return TransientHubError(
            text, status=status, retry_after=retry_after, ambiguous=ambiguous and name in ("network", "server")
        )
    return row.error(text, status=status)


# --- bounded waits ---------------------------------------------------------------------------
# huggingface_hub's shared HTTP client has no timeout at all: a Hub that accepts a connection and
# never answers would hold a publish until the CI job's own limit. And retries stack (hf_xet, then
# the client's http_backoff, then publish's own loop). `bounded_http` gives the client, through
# huggingface_hub's own hook (`set_client_factory`), a connect and read timeout for API calls and
# ONE retry budget that every retry of the run draws from.

DEFAULT_TIMEOUT = 60.0  # seconds an API call may wait for the Hub's answer (read timeout)
CONNECT_TIMEOUT = 10.0  # seconds to open a connection
UPLOAD_READ_TIMEOUT = 300.0  # an upload PUT: the storage may take a while to answer after the body
DEFAULT_RETRY_BUDGET = 120.0  # seconds a publish may spend retrying, in total
CLIENT_MAX_WAIT = 8.0  # huggingface_hub's http_backoff waits 1, 2, 4, then at most 8 s between retries
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class RetryBudget:
    """The total time one publish may spend retrying: counted from a failure (a retryable status,
    or a request that got no answer) until the next answer that is not a failure.

    `clock` is monotonic time plus whatever `advance` added (waits a test records instead of sleeping).
    """

    def __init__(self, seconds: float = DEFAULT_RETRY_BUDGET) -> None:
        self.seconds = float(seconds)
        self._now = time.monotonic
        self._offset = 0.0
        self._spent = 0.0
        self._since: float | None = None
        self._looking = False
        self._lock = threading.Lock()

    def clock(self) -> float:
        return self._now() + self._offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += max(0.0, seconds)

    def failed(self, at: float | None = None) -> None:
        with self._lock:
            if self._since is None:
                self._since = self.clock() if at is None else min(at, self.clock())

    def succeeded(self) -> None:
        with self._lock:
            if self._since is not None:
                self._spent += self.clock() - self._since
                self._since = None

    def spent(self) -> float:
        with self._lock:
            return self._spent + (self.clock() - self._since if self._since is not None else 0.0)

    def remaining(self) -> float:
        return self.seconds - self.spent()

    def allows(self, wait: float) -> bool:
        """May the run wait `wait` seconds and retry?"""
        return wait < self.remaining()

    def refuses(self) -> bool:
        """Is the budget spent, so that no further request may start? (not during `final_look`)"""
        return not self._looking and self.remaining() <= 0

    @contextlib.contextmanager
    def final_look(self) -> Iterator[None]:
        """Let requests through although the budget is spent: one last read of the Hub, so that a
        failed run can say whether a commit whose answer was lost landed."""
        self._looking = True
        try:
            yield
        finally:
            self._looking = False


class Timeouts(Record):
    read: float = DEFAULT_TIMEOUT
    connect: float = CONNECT_TIMEOUT

    def for_api(self) -> Any:
        import httpx2

        return httpx2.Timeout(
            connect=min(self.connect, self.read), read=self.read, write=self.read, pool=min(self.connect, self.read)
        )


_BUDGET: contextvars.ContextVar[RetryBudget | None] = contextvars.ContextVar("hf_publish_budget", default=None)
_INSTALL_LOCK = threading.Lock()
_installed: dict[str, Any] = {"count": 0, "previous": None, "budgets": [], "timeouts": None}
_pending = threading.local()  # per thread: when its last request started, until an answer came


def _budget() -> RetryBudget | None:
    """The budget of the publish this request belongs to: the thread's own, else the one publish
    running (the client uploads from worker threads that do not inherit the context)."""
    budget = _BUDGET.get()
    if budget is None:
        budgets = _installed["budgets"]
        budget = budgets[0] if len(budgets) == 1 else None
    return budget


def _on_request(request: Any) -> None:
    timeout = dict(request.extensions.get("timeout") or {})
    if not any(timeout.get(name) is not None for name in ("connect", "read", "write", "pool")):
        # huggingface_hub passes `timeout=None` explicitly on some calls (the tree listing's paging),
        # which overrides any client default: such a call gets the API timeouts here.
        timeout = _installed["timeouts"].for_api().as_dict() if _installed["timeouts"] else timeout
    if request.method == "PUT" and timeout.get("read") is not None:
        # An upload: its body is bounded by the write timeout (no progress for that long), and the
        # storage gets longer to answer once it has all the bytes.
        timeout["read"] = max(timeout["read"], UPLOAD_READ_TIMEOUT)
    if timeout:
        request.extensions = {**request.extensions, "timeout": timeout}
    budget = _budget()
    if budget is None:
        return
    started = getattr(_pending, "started", None)
    if started is not None:  # the previous request of this thread got no answer: a failure
        budget.failed(at=started)
    if budget.refuses():
        _pending.started = None
        raise RetryBudgetExhausted(
            f"{request.method} {request.url.path}: the retry budget ({budget.seconds:g} s) "
            f"is spent ({budget.spent():.0f} s of failures)"
        )
    _pending.started = budget.clock()


def _on_response(response: Any) -> None:
    _pending.started = None
    budget = _budget()
    if budget is None:
        return
    if response.status_code not in RETRYABLE_STATUSES:
        _pending.streak = (None, 0)
        budget.succeeded()
        return
    budget.failed()
    # The wait http_backoff is about to make: Retry-After + 1, else 1, 2, 4, 8, 8 s for the
    # successive failures of one request.
    request = response.request
    key = (request.method, str(request.url))
    streak = getattr(_pending, "streak", (None, 0))
    count = streak[1] + 1 if streak[0] == key else 1
    _pending.streak = (key, count)
    retry_after = _retry_after(response)
    wait = retry_after + 1 if retry_after is not None else min(CLIENT_MAX_WAIT, 2.0 ** (count - 1))
    if not budget.allows(wait) and not budget._looking:
        raise RetryBudgetExhausted(
            f"{request.method} {request.url.path}: retrying would go past the retry budget "
            f"({budget.seconds:g} s, {budget.spent():.0f} s spent)",
            status=response.status_code,
            retry_after=retry_after,
            server=response.headers.get("X-Error-Message") or response.reason_phrase or "",
        )


def _bounded_factory(previous: Callable[[], Any], timeouts: Timeouts) -> Callable[[], Any]:
    def factory() -> Any:
        client = previous()
        current = client.timeout
        if all(getattr(current, name) is None for name in ("connect", "read", "write", "pool")):
            client.timeout = timeouts.for_api()  # a factory that set its own timeout keeps it
        hooks = client.event_hooks
        client.event_hooks = {
            "request": [*hooks.get("request", []), _on_request],
            "response": [*hooks.get("response", []), _on_response],
        }
        return client

    factory.hf_publish = True  # type: ignore[attr-defined]
    return factory


@contextlib.contextmanager
def bounded_http(timeouts: Timeouts, budget: RetryBudget) -> Iterator[RetryBudget]:
    """Within the block, huggingface_hub's shared client has `timeouts` (unless the factory in
    place set its own) and every request draws on `budget`. Nested and concurrent publishes share
    one installation; the previous factory is put back when the last one ends."""
    from huggingface_hub.utils import _http
    from huggingface_hub.utils._http import set_client_factory

    with _INSTALL_LOCK:
        if _installed["count"] == 0:
            previous = getattr(_http, "_GLOBAL_CLIENT_FACTORY", None) or _http.default_client_factory
            _installed["previous"] = previous
            _installed["timeouts"] = timeouts
            set_client_factory(_bounded_factory(previous, timeouts))
        _installed["count"] += 1
        _installed["budgets"].append(budget)
    token = _BUDGET.set(budget)
    _pending.started = None
    try:
        yield budget
    finally:
        _BUDGET.reset(token)
        with _INSTALL_LOCK:
            _installed["budgets"].remove(budget)
            _installed["count"] -= 1
            if _installed["count"] == 0:
                set_client_factory(_installed["previous"])
                _installed["previous"] = _installed["timeouts"] = None


XET_RETRY_ENV = "HF_XET_CLIENT_RETRY_MAX_DURATION"


@contextlib.contextmanager
def client_settings(*, progress: bool, xet_retry: str) -> Iterator[None]:
    """Within the block: huggingface_hub's progress bars are off unless `progress`, and hf_xet's own
    retry cap is `xet_retry` unless the environment already sets one. Both are put back when the
    block ends, so the rest of the process (and its child processes) sees them as they were.

    hf_xet reads its cap from the environment, once per process, when its first upload starts:
    hence a variable, present while a publish runs. A later publish in the same process keeps the
    cap the first one gave hf_xet."""
    from huggingface_hub.utils.tqdm import are_progress_bars_disabled, disable_progress_bars, enable_progress_bars

    set_cap = XET_RETRY_ENV not in os.environ
    if set_cap:
        os.environ[XET_RETRY_ENV] = xet_retry
    quiet = not progress and not are_progress_bars_disabled()
    if quiet:
        disable_progress_bars()
    try:
        yield
    finally:
        if quiet:
            enable_progress_bars()
        if set_cap:
            os.environ.pop(XET_RETRY_ENV, None)


# --- token resolution ------------------------------------------------------------------------


class ResolvedToken(Record):
    value: str | None
    source: str  # "HF_TOKEN", "Trusted Publishing (OIDC)", "stored login", "given", "none"

    @property
    def oidc(self) -> bool:
        return self.source.startswith("Trusted Publishing")


def resolve_token(env: Mapping[str, str] | None = None, redactor: Redactor | None = None) -> ResolvedToken:
    """The token huggingface_hub itself would use: OIDC (HF_OIDC_RESOURCE) > HF_TOKEN > stored login.

    The value is added to `redactor`, so whatever writes through it hides the token.
    """
    env = os.environ if env is None else env
    from huggingface_hub import get_token

    try:
        value = get_token()
    except Exception as exc:
        error = translate(
            exc, doing="resolving the token", rule="oidc" if env.get("HF_OIDC_RESOURCE") else None, redactor=redactor
        )
        if error is None:
            raise
        raise error from None
    if redactor is not None:
        redactor.add(value)
    if value is None:
        return ResolvedToken(None, "none")
    if env.get("HF_OIDC_RESOURCE"):
        return ResolvedToken(value, "Trusted Publishing (OIDC)")
    if value in (env.get("HF_TOKEN"), env.get("HUGGING_FACE_HUB_TOKEN")):
        return ResolvedToken(value, "HF_TOKEN")
    return ResolvedToken(value, "stored login")


def make_api(endpoint: str | None, token: str | None) -> Any:
    """The one HfApi this run uses, identified as hf-publish in the user agent."""
    from huggingface_hub import HfApi

    return HfApi(endpoint=endpoint, token=token, library_name=LIBRARY_NAME, library_version=__version__)


# --- remote state ----------------------------------------------------------------------------


class RemoteFile(Record):
    """A file in the Hub repo's tree: `oid` is its git blob id; `sha256` is set for LFS/xet files."""

    path: str
    size: int
    oid: str
    sha256: str | None = None

    @property
    def lfs(self) -> bool:
        return self.sha256 is not None


class RemoteState(Record):
    """A branch's head commit and the files at exactly that commit (None head: nothing there)."""

    head: str | None
    files: dict[str, RemoteFile]


class CommitResult(Record):
    sha: str
    url: str
    pr_url: str | None


def repo_url(endpoint: str, repo_id: str, repo_type: str) -> str:
    prefix = {"model": "", "dataset": "datasets/", "space": "spaces/"}[repo_type]
    return f"{endpoint.rstrip('/')}/{prefix}{repo_id}"


def settings_url(endpoint: str, repo_id: str, repo_type: str) -> str:
    return f"{repo_url(endpoint, repo_id, repo_type)}/settings"


class Hub:
    """Thin wrapper over one HfApi: each method is one Hub operation, each failure a HubError."""

    def __init__(self, api: Any, redactor: Redactor | None = None) -> None:
        self.api = api
        self.redactor = redactor if redactor is not None else Redactor()
        self.redactor.add(api.token if isinstance(getattr(api, "token", None), str) else None)

    @property
    def endpoint(self) -> str:
        return cast(str, self.api.endpoint)

    def _call(self, fn: Callable[[], T], doing: str, repo: str = "the repo", ambiguous: bool = False) -> T:
        budget = _budget()
        started = budget.clock() if budget is not None else 0.0
        try:
            return fn()
        except HubError:
            raise
        except Exception as exc:
            error = translate(
                exc, doing=doing, repo=repo, endpoint=self.endpoint, ambiguous=ambiguous, redactor=self.redactor
            )
            if error is None:
                raise
            if budget is not None and isinstance(error, TransientHubError):
                # Failures the HTTP hooks cannot see (hf_xet retries in Rust) count from the call's start.
                budget.failed(at=started)
            raise error from None

    # identity and rights
    def whoami(self) -> dict[str, Any]:
        """The token's owner, orgs, roles and scope (`whoami-v2`, cached: it is rate-limited)."""
        return self._call(lambda: self.api.whoami(cache=True), "checking the token (whoami)")

    def can_write(self, repo_id: str, repo_type: str) -> tuple[bool, str]:
        """The Hub's own answer for an existing repo (`auth_check(write=True)`): (allowed, why not)."""
        from huggingface_hub.errors import HfHubHTTPError

        def check() -> tuple[bool, str]:
            try:
                self.api.auth_check(repo_id, repo_type=repo_type, write=True)
                return True, ""
            except HfHubHTTPError as exc:
                status = getattr(exc.response, "status_code", None)
                if status in (403, 404) or (status == 401 and not _says_invalid_token(exc)):
                    return False, _server_message(exc)
                raise

        return self._call(check, f"checking write access to {repo_id}", repo_id)

    # repos
    def repo_exists(self, repo_id: str, repo_type: str) -> bool:
        return self._call(
            lambda: cast(bool, self.api.repo_exists(repo_id, repo_type=repo_type)), f"looking up {repo_id}", repo_id
        )

    def create_repo(self, repo_id: str, repo_type: str, *, private: bool, space_sdk: str | None) -> str:
        """Create the repo (it must not exist: 409 raises ConflictError). Returns its URL."""

        def create() -> Any:
            return self.api.create_repo(
                repo_id,
                repo_type=repo_type,
                private=private,
                exist_ok=False,
                space_sdk=space_sdk if repo_type == "space" else None,
            )

        return str(self._call(create, f"creating {repo_type} repo {repo_id}", repo_id))

    def create_branch(self, repo_id: str, repo_type: str, branch: str) -> None:
        self._call(
            lambda: self.api.create_branch(repo_id, repo_type=repo_type, branch=branch, exist_ok=True),
            f"creating branch {branch} on {repo_id}",
            repo_id,
        )

    def gated(self, repo_id: str, repo_type: str) -> bool | str:
        """The repo's gated setting on the Hub: False, "auto" or "manual"."""
        info = self._call(
            lambda: self.api.repo_info(repo_id, repo_type=repo_type), f"reading the settings of {repo_id}", repo_id
        )
        value = getattr(info, "gated", False)
        return value if value in ("auto", "manual") else False

    def set_gated(self, repo_id: str, repo_type: str, gated: bool | str) -> None:
        self._call(
            lambda: self.api.update_repo_settings(repo_id, repo_type=repo_type, gated=gated),
            f"setting gated={gated} on {repo_id}",
            repo_id,
        )

    # --- the org's repos, people and access (org/: audit, access, members, migrate) ----------------

    def repo_info(self, repo_id: str, repo_type: str, doing: str | None = None) -> Any:
        """The repo's info (id as the Hub answers it: a moved repo answers with its new id)."""
        return self._call(
            lambda: self.api.repo_info(repo_id, repo_type=repo_type), doing or f"reading {repo_id}", repo_id
        )

    def download(self, repo_id: str, filename: str, repo_type: str, revision: str, folder: str) -> str:
        """One file of the repo into `folder`; returns its local path."""
        return self._call(
            lambda: str(
                self.api.hf_hub_download(repo_id, filename, repo_type=repo_type, revision=revision, local_dir=folder)
            ),
            f"downloading {filename} of {repo_id}",
            repo_id,
        )

    def move_repo(self, src: str, dst: str, repo_type: str) -> None:
        self._call(lambda: self.api.move_repo(src, dst, repo_type=repo_type), f"moving {src} to {dst}", src)

    def access_requests(self, repo_id: str, repo_type: str, status: str) -> list[Any]:
        """The `pending`, `accepted` or `rejected` access requests of a gated repo."""
        method = getattr(self.api, f"list_{status}_access_requests")
        return self._call(
            lambda: list(method(repo_id, repo_type=repo_type)),
            f"listing the {status} access requests of {repo_id}",
            repo_id,
        )

    def handle_access_request(
        self, action: str, repo_id: str, repo_type: str, who: dict[str, str], doing: str, **extra: str
    ) -> None:
        """`accept`, `reject` or `cancel` one access request (`who`: user=... or request_id=...)."""
        method = getattr(self.api, f"{action}_access_request")
        self._call(lambda: method(repo_id, repo_type=repo_type, **who, **extra), doing, repo_id)

    def grant_access(self, repo_id: str, user: str, repo_type: str) -> None:
        self._call(
            lambda: self.api.grant_access(repo_id, user, repo_type=repo_type),
            f"granting {user} access to {repo_id}",
            repo_id,
        )

    def organization_members(self, org: str) -> list[Any]:
        return self._call(lambda: list(self.api.list_organization_members(org)), f"listing the members of {org}", org)

    # The audit's reads: the client's own results and errors, because the audit's fetch layer
    # counts, retries (429 Retry-After) and translates them itself.
    @property
    def token(self) -> str | None:
        token = getattr(self.api, "token", None)
        return token if isinstance(token, str) else None

    def raw_whoami(self) -> Any:
        return self.api.whoami()

    def raw_list_repos(self, repo_type: str, **params: Any) -> Any:
        lister = {"model": self.api.list_models, "dataset": self.api.list_datasets, "space": self.api.list_spaces}
        return lister[repo_type](**params)

    def raw_list_user_repos(self, namespace: str) -> list[Any]:
        return list(self.api.list_user_repos(namespace=namespace))

    def raw_repo_info(self, repo_id: str, repo_type: str, **params: Any) -> Any:
        return self.api.repo_info(repo_id, repo_type=repo_type, **params)

    def raw_get(self, url: str, max_retries: int) -> Any:
        """GET `url` with this token, waiting out 429 answers (huggingface_hub's http_backoff)."""
        from huggingface_hub.utils import build_hf_headers, http_backoff  # type: ignore[attr-defined]

        headers = build_hf_headers(token=self.token, library_name="hf-publish")
        return http_backoff("GET", url, headers=headers, max_retries=max_retries)

    def file_url(self, repo_id: str, filename: str, repo_type: str, revision: str) -> str:
        from huggingface_hub import hf_hub_url

        return str(hf_hub_url(repo_id, filename, repo_type=repo_type, revision=revision, endpoint=self.endpoint))

    def head(self, repo_id: str, repo_type: str, revision: str) -> str | None:
        """The commit a branch points at; None when the branch does not exist."""
        from huggingface_hub.errors import RevisionNotFoundError

        def read() -> str | None:
            try:
                return cast("str | None", self.api.repo_info(repo_id, repo_type=repo_type, revision=revision).sha)
            except RevisionNotFoundError:
                return None

        return self._call(read, f"reading the head of {repo_id}@{revision}", repo_id)

    def read_state(self, repo_id: str, repo_type: str, revision: str) -> RemoteState:
        """Head of `revision`, then the recursive tree AT that commit: a consistent pair."""
        head = self.head(repo_id, repo_type, revision)
        if head is None:
            return RemoteState(None, {})
        return RemoteState(head, self.tree(repo_id, repo_type, head))

    def tree(self, repo_id: str, repo_type: str, commit: str) -> dict[str, RemoteFile]:
        """Every file at one commit, with its ids (recursive tree listing)."""

        def listing() -> dict[str, RemoteFile]:
            files: dict[str, RemoteFile] = {}
            for entry in self.api.list_repo_tree(repo_id, repo_type=repo_type, revision=commit, recursive=True):
                if getattr(entry, "blob_id", None) is None:
                    continue  # a folder
                lfs = getattr(entry, "lfs", None)
                files[entry.path] = RemoteFile(
                    entry.path, int(entry.size or 0), entry.blob_id, lfs.sha256 if lfs is not None else None
                )
            return files

        return self._call(listing, f"listing the files of {repo_id}", repo_id)

    def history(self, repo_id: str, repo_type: str, revision: str) -> list[tuple[str, str]]:
        """(commit id, description) of the branch's commits, newest first."""
        commits = self._call(
            lambda: self.api.list_repo_commits(repo_id, repo_type=repo_type, revision=revision),
            f"reading the history of {repo_id}",
            repo_id,
        )
        return [(c.commit_id, c.message or "") for c in commits]

    def commit(
        self,
        repo_id: str,
        repo_type: str,
        operations: Iterable[Any],
        *,
        title: str,
        description: str,
        revision: str,
        parent_commit: str | None,
        create_pr: bool,
    ) -> CommitResult:
        """ONE atomic commit. 412 -> StaleHeadError; 429/5xx/network -> TransientHubError (ambiguous:
        the commit may have landed)."""

        def send() -> Any:
            return self.api.create_commit(
                repo_id,
                list(operations),
                commit_message=title,
                commit_description=description,
                repo_type=repo_type,
                revision=revision,
                parent_commit=parent_commit,
                create_pr=create_pr or None,
            )

        info = self._call(send, f"committing to {repo_id}", repo_id, ambiguous=True)
        return CommitResult(info.oid, info.commit_url, getattr(info, "pr_url", None))

    # tags
    def tag_target(self, repo_id: str, repo_type: str, tag: str) -> str | None:
        """The commit a tag points at, or None when the tag does not exist."""
        refs = self._call(
            lambda: self.api.list_repo_refs(repo_id, repo_type=repo_type), f"reading the tags of {repo_id}", repo_id
        )
        for ref in refs.tags:
            if ref.name == tag:
                return cast(str, ref.target_commit)
        return None

    def create_tag(self, repo_id: str, repo_type: str, tag: str, commit: str, message: str) -> None:
        self._call(
            lambda: self.api.create_tag(repo_id, repo_type=repo_type, tag=tag, revision=commit, tag_message=message),
            f"tagging {repo_id} {tag}",
            repo_id,
        )


def exchange_oidc_token(resource: str, subject_token: str | None, endpoint: str | None, redactor: Redactor) -> str:
    """The Trusted Publishing token for one repo: the exchange huggingface_hub's get_token() makes
    for HF_OIDC_RESOURCE. The token is added to `redactor` the moment it exists."""
    from huggingface_hub._oidc import oidc_login  # the runtime is pinned by the hash lock

    try:
        answer = oidc_login(resource=resource, subject_token=subject_token or None, endpoint=endpoint or None)
    except Exception as exc:
        error = translate(exc, doing=f"exchanging the job's OIDC token for {resource}", rule="oidc", redactor=redactor)
        if error is None:
            raise
        raise error from None
    token = str(answer.get("access_token") or "")
    redactor.add(token)
    if not token:
        raise AuthError(
            f"the Trusted Publishing exchange for {resource} returned no token. Next: check the "
            "repo's Trusted Publishing settings on the Hub, or publish with a token"
        )
    return token


def fetch_model_tags(endpoint: str | None) -> dict[str, Any]:
    """`HfApi.get_model_tags()`; no token is sent (the list is public)."""
    from huggingface_hub import HfApi

    api = HfApi(endpoint=endpoint, token=False, library_name="hf-publish")
    try:
        return api.get_model_tags()
    except Exception as exc:  # network, HTTP status, bad JSON: all "the Hub did not answer"
        where = endpoint or os.environ.get("HF_ENDPOINT") or "https://huggingface.co"
        raise HubError(
            f"cannot fetch the model tags from {where}: {redact(f'{type(exc).__name__}: {exc}')}; "
            "check the network or pass --endpoint URL"
        ) from None
