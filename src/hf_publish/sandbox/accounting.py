"""Request accounting for benchmarks, and the Hub's rate limits.

Every request that reaches the Hub API counts in one bucket: ``resolver`` for file downloads
(``GET``/``HEAD`` of ``.../resolve/...``), ``api`` for everything else (the sandbox's own LFS
upload URL and the xet CAS server are storage, not the Hub: not counted). Injected faults answer
before a request is counted.

``limit(api=N, resolver=M, window=s)`` sets fixed windows as the Hub's (e.g. 1,000 API requests
per 5 minutes on the free plan): once a bucket's window is spent, requests answer ``429`` with
``Retry-After`` and the IETF draft headers the Hub sends and huggingface_hub reads::

    RateLimit: "api";r=0;t=55
    RateLimit-Policy: "fixed window";"api";q=1000;w=300

Every answer carries them while a limit is set.
"""

from __future__ import annotations

import math
import threading
import time

from .web import HubError

BUCKETS = ("api", "resolver")
_HEADER_NAME = {"api": "api", "resolver": "resolvers"}  # the Hub's names for them


def bucket_of(method: str, path: str) -> str | None:
    if path.startswith("/_sandbox/"):
        return None
    if method in ("GET", "HEAD") and "/resolve/" in path:
        return "resolver"
    return "api"


class Accounting:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts = dict.fromkeys(BUCKETS, 0)
        self._limits: dict[str, tuple[int, float]] = {}
        self._windows: dict[str, tuple[float, int]] = {}  # bucket -> (window start, used)

    def counts(self, reset: bool = False) -> dict[str, int]:
        with self._lock:
            out = dict(self._counts)
            if reset:
                self._counts = dict.fromkeys(BUCKETS, 0)
            return out

    def limit(self, api: int | None = None, resolver: int | None = None, window: float = 300.0) -> None:
        if window <= 0:
            raise ValueError("window must be a positive number of seconds")
        with self._lock:
            self._limits = {b: (n, window) for b, n in (("api", api), ("resolver", resolver)) if n is not None}
            self._windows.clear()

    def admit(self, method: str, path: str) -> dict[str, str]:
        """Count the request; its RateLimit headers, or raise the 429 once the window is spent."""
        bucket = bucket_of(method, path)
        if bucket is None:
            return {}
        with self._lock:
            self._counts[bucket] += 1
            if bucket not in self._limits:
                return {}
            quota, window = self._limits[bucket]
            now = time.monotonic()
            start, used = self._windows.get(bucket, (now, 0))
            if now - start >= window:
                start, used = now, 0
            reset = max(math.ceil(window - (now - start)), 1)
            name = _HEADER_NAME[bucket]
            policy = f'"fixed window";"{name}";q={quota};w={math.ceil(window)}'
            if used >= quota:
                self._windows[bucket] = (start, used)
                raise HubError(
                    429,
                    f"You have exceeded the rate limit for {name} requests ({quota} per "
                    f"{math.ceil(window)} s). Retry in {reset} seconds.",
                    headers={
                        "Retry-After": str(reset),
                        "RateLimit": f'"{name}";r=0;t={reset}',
                        "RateLimit-Policy": policy,
                    },
                )
            self._windows[bucket] = (start, used + 1)
            return {"RateLimit": f'"{name}";r={quota - used - 1};t={reset}', "RateLimit-Policy": policy}
