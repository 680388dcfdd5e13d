"""Per-route fault injection and the request log tests assert on."""

from __future__ import annotations

import random
import re
import threading
from collections import deque
from dataclasses import dataclass, field


@dataclass
class FaultRule:
    method: str | None
    path: re.Pattern[str]
    status: int | None = None
    retry_after: float | None = None
    drop: bool = False
    delay: float = 0.0
    times: int | None = 1  # None = forever
    hits: int = 0
    # The server process "dies" on this request: "before" it is applied, "commit" half-way (the commit
    # object written, the branch not yet moved) or "after" it is applied but before the answer is sent.
    # It comes back from its data dir `restart_after` seconds later (None: only on Sandbox.restart()).
    crash: str | None = None
    restart_after: float | None = None
    # Hold each matching request until `hold` of them have arrived (then all go on at once): makes
    # races deterministic, e.g. 8 publishers all planning against the same head.
    hold: int = 0
    arrived: int = 0
    rate: float = 1.0  # the share of matching requests that get the fault (seeded: see Faults.seed)
    # Accept the request and never answer: the handler waits until the client gives up (closes the
    # connection) or the server stops, then cuts the connection without a byte of response.
    hang: bool = False

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method.upper() == method) and bool(self.path.search(path))


class Faults:
    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()
        self._arrivals = threading.Condition()
        self._random = random.Random(0)

    def seed(self, value: int) -> None:
        with self._lock:
            self._random.seed(value)

    def gate(self, rule: FaultRule, timeout: float = 60.0) -> bool:
        """Wait until `rule.hold` requests reached the gate (False: timed out, go on anyway)."""
        with self._arrivals:
            rule.arrived += 1
            self._arrivals.notify_all()
            return self._arrivals.wait_for(lambda: rule.arrived >= rule.hold, timeout)

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def take(self, method: str, path: str) -> FaultRule | None:
        """The first live rule matching this request, counting the hit."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path) and (rule.times is None or rule.hits < rule.times):
                    if rule.rate < 1.0 and self._random.random() >= rule.rate:
                        continue
                    rule.hits += 1
                    return rule
        return None


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it. Authorization header values are never kept."""

    method: str
    path: str
    query: str
    status: int
    token_name: str | None = None  # which named token authenticated it (None = anonymous/unknown)
    bytes_in: int = 0
    bytes_out: int = 0
    duration: float = 0.0
    fault: bool = False  # an injected fault answered (or dropped) it
    headers: dict[str, str] = field(default_factory=dict, compare=False)


class RequestLog:
    """The newest ``limit`` requests (older ones are forgotten: a long-running server stays bounded)."""

    def __init__(self, limit: int = 100_000) -> None:
        self._records: deque[RequestRecord] = deque(maxlen=limit)
        self._lock = threading.Lock()

    def append(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def snapshot(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
