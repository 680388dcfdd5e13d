"""The soak: N consecutive publish cycles (change, publish, verify by download) on one sandbox while
a seeded share of all requests fails. Shared by tests/reliability/test_soak.py and
benchmarks/reliability.py.

Each cycle changes the checkout (config.json always; sometimes a new file, a deleted file, new LFS
weights), commits it to git, and publishes. A publish that fails (cleanly) is re-run, as a CI
re-run would, up to `MAX_RUNS` times. Then the cycle is verified by downloading every changed file
through the real client (`hf_hub_download`) and listing the repo: a change that is not there is
LOST; a cycle that made more than one Hub commit is DUPLICATED; a failed run that left the repo
neither as it was nor complete is PARTIAL. RSS is sampled every `sample_every` cycles.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.reliability.helpers import REPO, HubState, local_files
from tests.reliability.scenarios import client_backoff_recorded

MAX_RUNS = 5  # publish runs per cycle before the cycle counts as lost
DOWNLOAD_TRIES = 8


@dataclass
class SoakResult:
    cycles: int = 0
    commits: int = 0
    lost: int = 0
    duplicated: int = 0
    partial: int = 0
    publish_runs: int = 0
    failed_runs: int = 0
    faults_hit: int = 0
    requests: int = 0
    downloads: int = 0
    download_retries: int = 0
    seconds: float = 0.0
    rss_mb: list[tuple[int, float]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def rss_growth_mb(self) -> float:
        """RSS at the end minus RSS after warm-up (the first quarter of the run)."""
        if len(self.rss_mb) < 2:
            return 0.0
        warm = [mb for cycle, mb in self.rss_mb if cycle >= self.cycles // 4] or [self.rss_mb[0][1]]
        return self.rss_mb[-1][1] - warm[0]


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def inject_random_faults(sandbox, rate: float, seed: int) -> list[Any]:
    """`rate` of all requests fail, spread over 5xx, 429 with Retry-After, dropped connections and
    (rarely) a server that dies on a commit and restarts from its data dir."""
    sandbox.faults.seed(seed)
    share = rate / 4
    rules = [
        sandbox.inject(path=".*", status=500, times=None, rate=share),
        sandbox.inject(path=".*", status=503, times=None, rate=share / (1 - share)),
        sandbox.inject(path=".*", status=429, retry_after=1, times=None, rate=share / (1 - 2 * share)),
        sandbox.inject(path=".*", drop=True, times=None, rate=share / (1 - 3 * share)),
        sandbox.inject(method="POST", path=r"/commit/", crash="after", restart_after=0.2, times=None, rate=0.01),
    ]
    return rules


def _change(checkout, rng: random.Random, cycle: int, added: list[str]) -> None:
    from tests.publish.helpers import weights

    checkout.write("config.json", '{"cycle": %d}\n' % cycle)
    roll = rng.random()
    if roll < 0.3:
        name = f"data/file-{cycle}.txt"
        checkout.write(name, f"added in cycle {cycle}\n" * rng.randint(1, 50))
        added.append(name)
    elif roll < 0.5 and added:
        checkout.remove(added.pop(rng.randrange(len(added))))
    elif roll < 0.6:
        checkout.write("model.safetensors", weights(4096 + 64 * rng.randint(0, 64), seed=cycle))
    checkout.commit(f"cycle {cycle}")


def _download(sandbox, token: str, path: str, revision: str, cache: Path, result: SoakResult) -> bytes | None:
    from huggingface_hub import hf_hub_download

    for attempt in range(DOWNLOAD_TRIES):
        try:
            result.downloads += 1
            local = hf_hub_download(
                REPO, path, revision=revision, endpoint=sandbox.endpoint, token=sandbox.tokens[token], cache_dir=cache
            )
            return Path(local).read_bytes()
        except Exception:  # a fault on the download: try again (the client gave up on it)
            result.download_retries += 1
            sandbox.wait_until_running(timeout=5)
    return None


def soak(
    sandbox,
    checkout,
    run: Callable[..., Any],
    *,
    cycles: int,
    rate: float = 0.05,
    seed: int = 2024,
    cache: Path,
    sample_every: int = 10,
    token: str = "alice-fg-org",
    progress: Callable[[int, SoakResult], None] | None = None,
) -> SoakResult:
    """Run the soak; `run(checkout, sleep=...)` publishes (raising HubError on a failure)."""
    from hf_publish.errors import HubError

    rng = random.Random(seed)
    result = SoakResult()
    added: list[str] = []
    run(checkout, sleep=lambda s: None)  # the starting point, without faults
    rules = inject_random_faults(sandbox, rate, seed)
    started = time.perf_counter()
    waits: list[float] = []
    with client_backoff_recorded(waits):
        for cycle in range(1, cycles + 1):
            _change(checkout, rng, cycle, added)
            before = HubState.of(sandbox)
            intended = local_files(checkout)
            landed = False
            for _ in range(MAX_RUNS):
                result.publish_runs += 1
                try:
                    run(checkout, sleep=lambda s: None)
                    landed = True
                    break
                except HubError:
                    result.failed_runs += 1
                    sandbox.wait_until_running(timeout=5)
                    after = HubState.of(sandbox)
                    if after != before and _files(after) != intended:
                        result.partial += 1
                        result.problems.append(f"cycle {cycle}: a failed run left a partial state")
            now = HubState.of(sandbox)
            new_commits = now.commits - before.commits
            result.commits += new_commits
            if new_commits > 1:
                result.duplicated += 1
                result.problems.append(f"cycle {cycle}: {new_commits} commits for one change")
            why = [] if landed and new_commits == 1 else [f"landed: {landed}, {new_commits} new commit(s)"]
            # Verify by download, through the client and the (faulty) sandbox.
            listed = sorted(_files(now))
            if listed != sorted(intended):
                why.append(f"the Hub lists {sorted(set(listed) ^ set(intended))} differently")
            for path in sorted(p for p in intended if before.files.get(p) != intended[p]):
                if _download(sandbox, token, path, now.head, cache, result) != intended[path]:
                    why.append(f"{path} downloads different bytes")
            if why:
                result.lost += 1
                result.problems.append(f"cycle {cycle}: the change is not on the Hub as published: {'; '.join(why)}")
            result.cycles = cycle
            result.requests += len(sandbox.requests)
            sandbox.clear_log()  # the request log is test instrumentation: keep it from growing
            if cycle % sample_every == 0 or cycle == 1:
                result.rss_mb.append((cycle, rss_mb()))
            if progress is not None:
                progress(cycle, result)
    result.seconds = time.perf_counter() - started
    result.faults_hit = sum(rule.hits for rule in rules)
    sandbox.clear_faults()
    return result


def _files(state: HubState) -> dict[str, bytes]:
    return dict(state.files)
