"""The org audit's cost at scale, beside the naive loop, on the sandbox with a generated org.

    PYTHONPATH=src python benchmarks/org_audit.py [--repos 2000] [--jobs 8] [--no-worst-case]

The org (generate_org: repos written straight into the sandbox's store, no uploads) is shaped like
a real one: models, datasets and Spaces, a third public, one card in ten broken and one in ten
missing, and most repos small (configs and tokenizers, small CSV datasets, Spaces' code: each
under 1 MB) with a few holding weights (one model in 250 holds 0.5-4 GB of safetensors, one
dataset 50 MiB of parquet: 8 of 2,000). Dates are spread over a year, 4 repos changed in the last
7 days. Rows, each on a fresh request count (the sandbox's own per-bucket counters):
- naive loop: the guide's approach, `list_models` then per repo `model_info` (dataset_info /
  space_info) and `hf_hub_download("README.md")` (HEAD + GET through the resolver);
- first audit, second audit (nothing changed: the sha cache answers);
- the same two with --no-file-metadata (no per-repo repo_info: the large repos' LFS rules are
  not checked);
- worst case, no target: a first audit of a second org where every repo holds weights
  (generate_org's default files), where every repo's file metadata must be read.
Targets (issue 15): a first audit <= 20 API requests plus one resolver request per card; a
second audit <= 20 API requests and 0 downloads. A row that misses its target is marked MISS.
The API column is split into the listings (whoami, the three paged listings, the storage listing)
and the per-repo requests the Hub's API leaves no bulk way around: file metadata of the repos
whose storage could hold an over-limit file (the listings give names without sizes; a repo
under 1 MB is judged from its storage) and the last commit of each repo changed within --since;
both are cached by sha, so they recur only for repos that changed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ORG = "bench-org"
WORST = "bench-weights"
LARGE_MODEL_EVERY = 250  # one model in 250 holds weights
ACTIVE = 4  # repos changed within the 7-day activity window
LAST: dict[str, int] = {}  # the per-repo API requests of the last audit: file metadata, last commits


def build(sandbox, n: int) -> dict[str, int]:
    """The realistic org; its shape (large repos, active repos, repos under 1 MB)."""
    from hf_publish.sandbox.generate import generate_org, generate_repos

    now = datetime.now(timezone.utc)
    datasets, spaces = n // 10, n // 20
    models = n - datasets - spaces
    active = {(i * 1_009) % models for i in range(1, ACTIVE)}  # models 1009, 2018 % models, ...
    active_dataset = 7

    def spread(i: int) -> datetime:  # 8 days to a year ago
        return now - timedelta(days=8 + (i * 7) % 357, hours=i % 24)

    def model_date(i: int) -> datetime:
        return now - timedelta(days=1, hours=i % 24) if i in active else spread(i)

    def model_files(i: int) -> dict[str, int]:
        if i % LARGE_MODEL_EVERY == 0:
            return {"config.json": 2_048, "model.safetensors": (1 + i // LARGE_MODEL_EVERY % 8) * 500 * 2**20}
        return {"config.json": 2_048, "tokenizer.json": 40_000 + (i * 7_919) % 600_000}

    generate_org(sandbox, ORG, models, private=lambda i: i % 3 != 0, last_modified=model_date, files=model_files)
    generate_repos(
        sandbox,
        ORG,
        datasets,
        repo_type="dataset",
        prefix="data",
        private=True,
        last_modified=lambda i: now - timedelta(days=2) if i == active_dataset else spread(i),
        files=lambda i: {"data/train.parquet": 50 * 2**20} if i == 0 else {"data/train.csv": 20_000 + 900 * i},
    )
    generate_repos(
        sandbox,
        ORG,
        spaces,
        repo_type="space",
        prefix="app",
        private=False,
        last_modified=spread,
        files={"app.py": 4_000, "requirements.txt": 200},
    )
    large = len(range(0, models, LARGE_MODEL_EVERY)) + 1
    return {"large": large, "active": len(active) + 1, "small": n - large}


def build_worst(sandbox, n: int) -> None:
    """Every repo holds weights (generate_org's default: 500 MiB of safetensors each)."""
    from hf_publish.sandbox.generate import generate_org

    now = datetime.now(timezone.utc)
    generate_org(
        sandbox, WORST, n, private=lambda i: i % 3 != 0, last_modified=lambda i: now - timedelta(days=8 + (i * 7) % 357)
    )


def naive(sandbox, token: str) -> tuple[int, int]:
    """The guide's loop: list, then per repo its info and its README."""
    from huggingface_hub import HfApi, hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError

    api = HfApi(endpoint=sandbox.endpoint, token=token)
    cards = repos = 0
    for repo_type, lister, info in (
        ("model", api.list_models, api.model_info),
        ("dataset", api.list_datasets, api.dataset_info),
        ("space", api.list_spaces, api.space_info),
    ):
        for item in lister(author=ORG):
            repos += 1
            info(item.id, files_metadata=True)
            try:
                hf_hub_download(item.id, "README.md", repo_type=repo_type, token=token, endpoint=sandbox.endpoint)
                cards += 1
            except EntryNotFoundError:
                pass
    return repos, cards


def audit(sandbox, token: str, jobs: int, file_metadata: bool, org: str = ORG) -> tuple[int, int]:
    from huggingface_hub import HfApi

    from hf_publish.org.audit import AuditOptions, run_audit
    from hf_publish.policy.model import Policy

    api = HfApi(endpoint=sandbox.endpoint, token=token)
    result = run_audit(
        Policy(organization=org),
        AuditOptions(organization=org, token=token, jobs=jobs, file_metadata=file_metadata),
        api,
    )
    LAST["files"], LAST["commits"] = result.requests.files_fetched, result.requests.commits_fetched
    lfs = result.lfs_counts()
    LAST["inferred"], LAST["read"] = lfs["storage"], lfs["read"]
    return len(result.repos), sum(r.card is not None for r in result.repos)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repos", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--no-worst-case", action="store_true", help="skip the org where every repo holds weights")
    args = parser.parse_args(argv)

    import os

    from huggingface_hub.utils import disable_progress_bars

    from hf_publish.sandbox import Sandbox

    disable_progress_bars()
    rows = []
    with tempfile.TemporaryDirectory() as work:
        os.environ["XDG_CACHE_HOME"] = str(Path(work) / "cache")
        os.environ["HF_HOME"] = str(Path(work) / "hf")
        with Sandbox(data_dir=Path(work) / "hub") as sandbox:
            started = time.perf_counter()
            shape = build(sandbox, args.repos)
            print(
                f"generated {args.repos} repos in {time.perf_counter() - started:.1f} s: {shape['small']} under "
                f"1 MB, {shape['large']} holding weights, {shape['active']} changed in the last 7 days",
                file=sys.stderr,
            )
            token = sandbox.tokens[f"{ORG}-admin-write"]

            def measure(name: str, run, target_api: int | None, downloads_zero: bool) -> None:
                sandbox.reset_request_counts()
                LAST.clear()
                began = time.perf_counter()
                repos, cards = run()
                wall = time.perf_counter() - began
                counts = sandbox.request_counts()
                misses = []
                per_repo = LAST.get("files", 0) + LAST.get("commits", 0)
                if target_api is not None and counts["api"] > target_api:
                    misses.append(f"API > {target_api}")
                if downloads_zero and counts["resolver"] != 0:
                    misses.append("downloads > 0")
                if not downloads_zero and target_api is not None and counts["resolver"] > cards:
                    misses.append("resolver > 1 per card")
                split = (
                    f"{counts['api'] - per_repo} + {LAST.get('files', 0)} files + {LAST.get('commits', 0)} commits"
                    if LAST
                    else ""
                )
                lfs = f"{LAST['read']} read, {LAST['inferred']} from storage" if LAST else ""
                rows.append(
                    (
                        name,
                        repos,
                        cards,
                        counts["api"],
                        split,
                        lfs,
                        counts["resolver"],
                        wall,
                        "MISS: " + ", ".join(misses) if misses else ("ok" if target_api is not None else ""),
                    )
                )

            measure("naive loop (info + download per repo)", lambda: naive(sandbox, token), None, False)
            measure("first audit", lambda: audit(sandbox, token, args.jobs, True), 20, False)
            measure("second audit (unchanged)", lambda: audit(sandbox, token, args.jobs, True), 20, True)
            import shutil

            shutil.rmtree(Path(work) / "cache", ignore_errors=True)
            measure("first audit, --no-file-metadata", lambda: audit(sandbox, token, args.jobs, False), 20, False)
            measure("second audit, --no-file-metadata", lambda: audit(sandbox, token, args.jobs, False), 20, True)
            if not args.no_worst_case:
                build_worst(sandbox, args.repos)
                worst = sandbox.tokens[f"{WORST}-admin-write"]
                measure(
                    "worst case: first audit, every repo holds weights",
                    lambda: audit(sandbox, worst, args.jobs, True, WORST),
                    None,
                    False,
                )

    header = (
        "run",
        "repos",
        "cards",
        "API requests",
        "of which: listings + per repo",
        "LFS rules",
        "resolver requests",
        "wall s",
        "target",
    )
    table = [header] + [
        (r[0], str(r[1]), str(r[2]), str(r[3]), r[4], r[5], str(r[6]), f"{r[7]:.2f}", r[8]) for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    print("| " + " | ".join(h.ljust(widths[i]) for i, h in enumerate(header)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in table[1:]:
        print("| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
