"""The org audit's cost at scale, beside the naive loop, on the sandbox with a generated org.

    PYTHONPATH=src python benchmarks/org_audit.py [--repos 2000] [--jobs 8]

The org (generate_org: repos written straight into the sandbox's store, no uploads) has models,
datasets and Spaces, a third public, one card in ten broken and one in ten missing, dates over a
year. Rows, each on a fresh request count (the sandbox's own per-bucket counters):
- naive loop: the guide's approach, `list_models` then per repo `model_info` (dataset_info /
  space_info) and `hf_hub_download("README.md")` (HEAD + GET through the resolver);
- first audit, second audit (nothing changed: the sha cache answers);
- the same two with --no-file-metadata (no per-repo repo_info: the LFS rules are not checked).
Targets (issue 15): a first audit <= 20 API requests plus one resolver request per card; a
second audit <= 20 API requests and 0 downloads. A row that misses its target is marked MISS.
The API column is split into the listings (whoami, the three paged listings, the storage listing)
and the per-repo requests the Hub's API leaves no bulk way around: file metadata (the listings
give names without sizes) and the last commit of each repo changed within --since; both are
cached by sha, so they recur only for repos that changed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ORG = "bench-org"
LAST: dict[str, int] = {}  # the per-repo API requests of the last audit: file metadata, last commits


def build(sandbox, n: int) -> None:
    from hf_publish.sandbox.generate import generate_org, generate_repos

    now = datetime.now(timezone.utc)
    datasets, spaces = n // 10, n // 20
    models = n - datasets - spaces

    def spread(i: int) -> datetime:
        return now - timedelta(days=(i * 7) % 400 + 1, hours=i % 24)

    generate_org(sandbox, ORG, models, private=lambda i: i % 3 != 0, last_modified=spread)
    generate_repos(sandbox, ORG, datasets, repo_type="dataset", prefix="data", private=True, last_modified=spread,
                   files={"data/train.parquet": 50 * 2**20})
    generate_repos(sandbox, ORG, spaces, repo_type="space", prefix="app", private=False, last_modified=spread,
                   files={"app.py": 4_000})


def naive(sandbox, token: str) -> tuple[int, int]:
    """The guide's loop: list, then per repo its info and its README."""
    from huggingface_hub import HfApi, hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError

    api = HfApi(endpoint=sandbox.endpoint, token=token)
    cards = repos = 0
    for repo_type, lister, info in (("model", api.list_models, api.model_info),
                                    ("dataset", api.list_datasets, api.dataset_info),
                                    ("space", api.list_spaces, api.space_info)):
        for item in lister(author=ORG):
            repos += 1
            info(item.id, files_metadata=True)
            try:
                hf_hub_download(item.id, "README.md", repo_type=repo_type, token=token, endpoint=sandbox.endpoint)
                cards += 1
            except EntryNotFoundError:
                pass
    return repos, cards


def audit(sandbox, token: str, jobs: int, file_metadata: bool) -> tuple[int, int]:
    from huggingface_hub import HfApi

    from hf_publish.org.audit import AuditOptions, run_audit
    from hf_publish.policy.model import Policy

    api = HfApi(endpoint=sandbox.endpoint, token=token)
    result = run_audit(Policy(organization=ORG), AuditOptions(organization=ORG, token=token, jobs=jobs,
                                                              file_metadata=file_metadata), api)
    LAST["files"], LAST["commits"] = result.requests.files_fetched, result.requests.commits_fetched
    return len(result.repos), sum(r.card is not None for r in result.repos)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repos", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=8)
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
            build(sandbox, args.repos)
            print(f"generated {args.repos} repos in {time.perf_counter() - started:.1f} s", file=sys.stderr)
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
                split = (f"{counts['api'] - per_repo} + {LAST.get('files', 0)} files + {LAST.get('commits', 0)} commits"
                         if LAST else "")
                rows.append((name, repos, cards, counts["api"], split, counts["resolver"], wall,
                             "MISS: " + ", ".join(misses) if misses else ("ok" if target_api is not None else "")))

            measure("naive loop (info + download per repo)", lambda: naive(sandbox, token), None, False)
            measure("first audit", lambda: audit(sandbox, token, args.jobs, True), 20, False)
            measure("second audit (unchanged)", lambda: audit(sandbox, token, args.jobs, True), 20, True)
            import shutil

            shutil.rmtree(Path(work) / "cache", ignore_errors=True)
            measure("first audit, --no-file-metadata", lambda: audit(sandbox, token, args.jobs, False), 20, False)
            measure("second audit, --no-file-metadata", lambda: audit(sandbox, token, args.jobs, False), 20, True)

    header = ("run", "repos", "cards", "API requests", "of which: listings + per repo", "resolver requests",
              "wall s", "target")
    table = [header] + [(r[0], str(r[1]), str(r[2]), str(r[3]), r[4], str(r[5]), f"{r[6]:.2f}", r[7]) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    print("| " + " | ".join(h.ljust(widths[i]) for i, h in enumerate(header)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in table[1:]:
        print("| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
