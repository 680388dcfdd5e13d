"""Generated orgs (thousands of repos without uploads), request accounting and rate limits, and
the `hf` CLI's listings against the sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx2
import pytest
from huggingface_hub import HfApi, hf_hub_download
from huggingface_hub.errors import GatedRepoError, HfHubHTTPError

from hf_publish.sandbox import Sandbox, generate_org, generate_repos

GB = 1024**3


def test_two_thousand_repos_build_in_seconds_and_list_through_the_client(hub_sandbox):
    started = time.monotonic()
    ids = generate_org(
        hub_sandbox,
        "big-org",
        2000,
        private=lambda i: i % 4 == 0,
        gated=[False, "manual"],
        files={"model.safetensors": 10 * GB, "config.json": 300, "notes.txt": 20 * 1024 * 1024},
        last_modified=lambda i: datetime(2025, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=i),
    )
    assert time.monotonic() - started < 15  # "a few seconds" on an idle machine; shared CI gets slack
    assert len(ids) == 2000 and ids[0] == "big-org/repo-00000"
    api = HfApi(endpoint=hub_sandbox.endpoint, token=hub_sandbox.tokens["big-org-admin-write"])
    newest = list(api.list_models(author="big-org", sort="last_modified", limit=3, expand=["lastModified"]))
    assert [m.id for m in newest] == ["big-org/repo-01999", "big-org/repo-01998", "big-org/repo-01997"]
    assert len(list(api.list_models(author="big-org"))) == 2000
    assert len(list(HfApi(endpoint=hub_sandbox.endpoint, token=False).list_models(author="big-org"))) == 1500
    info = api.model_info("big-org/repo-00001", files_metadata=True)
    sizes = {s.rfilename: (s.size, s.lfs is not None) for s in info.siblings}
    assert sizes["model.safetensors"] == (10 * GB, True) and sizes["config.json"] == (300, False)
    assert sizes["notes.txt"] == (20 * 1024 * 1024, True)  # 10 MiB or more: LFS whatever the name
    assert info.gated == "manual" and info.card_data.license == "apache-2.0"
    assert api.model_info("big-org/repo-00008").card_data is None  # broken front matter
    assert "README.md" not in api.list_repo_files("big-org/repo-00009")  # no card at all
    assert sum(r.storage for r in api.list_user_repos("big-org")) > 2000 * 10 * GB
    assert not any(Path(hub_sandbox.data_dir, "blobs", "lfs").rglob("*?" * 1))  # no bytes were written
    org = api.get_organization_overview("big-org")
    assert org.num_models == 2000 and org.num_users == 1


def test_generated_files_answer_head_and_refuse_bytes(hub_sandbox, tmp_path):
    hub_sandbox.auth.add_user("gen-admin")
    (repo,) = generate_repos(
        hub_sandbox, "eve", 1, repo_type="dataset", files={"data.parquet": 5 * GB}, card="valid", creator="eve"
    )
    url = f"{hub_sandbox.endpoint}/datasets/{repo}/resolve/main/data.parquet"
    head = httpx2.head(url)
    assert head.status_code == 200 and head.headers["X-Linked-Size"] == str(5 * GB)
    r = httpx2.get(url)
    assert r.status_code == 501 and "metadata-only" in r.headers["X-Error-Message"]
    readme = hf_hub_download(repo, "README.md", repo_type="dataset", cache_dir=tmp_path / "c", token=False)
    assert Path(readme).read_text().startswith("---\nlicense: apache-2.0")


def test_request_counts_per_bucket(hub_api, hub_sandbox, tmp_path):
    api = hub_api("alice-write")
    api.create_repo("acme-ai/counted")
    api.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id="acme-ai/counted")
    hub_sandbox.reset_request_counts()
    api.model_info("acme-ai/counted")
    hf_hub_download("acme-ai/counted", "x.txt", token=hub_sandbox.tokens["alice-write"], cache_dir=tmp_path / "c")
    counts = hub_sandbox.request_counts(reset=True)
    assert counts["api"] == 1 and counts["resolver"] >= 1
    assert hub_sandbox.request_counts() == {"api": 0, "resolver": 0}


def test_rate_limit_answers_429_with_the_hubs_headers_and_the_client_waits(hub_api, hub_sandbox, tmp_path):
    api = hub_api("alice-write")
    api.create_repo("acme-ai/limited")
    hub_sandbox.limit_rate(api=2, window=1)
    ok = httpx2.get(
        f"{hub_sandbox.endpoint}/api/models/acme-ai/limited",
        headers={"Authorization": f"Bearer {hub_sandbox.tokens['alice-write']}"},
    )
    assert ok.status_code == 200 and ok.headers["RateLimit"] == '"api";r=1;t=1'
    assert ok.headers["RateLimit-Policy"] == '"fixed window";"api";q=2;w=1'
    httpx2.get(f"{hub_sandbox.endpoint}/api/models/acme-ai/limited")
    refused = httpx2.get(f"{hub_sandbox.endpoint}/api/models/acme-ai/limited")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert refused.headers["RateLimit"] == '"api";r=0;t=1'
    with pytest.raises(HfHubHTTPError, match="reached your 'api' rate limit"):  # the client reads the headers
        api.model_info("acme-ai/limited")
    started = time.monotonic()
    assert [m.id for m in api.list_models(author="acme-ai")] == ["acme-ai/limited"]  # paging waits and retries
    assert time.monotonic() - started >= 0.5
    hub_sandbox.limit_rate(resolver=0, window=60)  # downloads spent, the API still open
    head = httpx2.head(f"{hub_sandbox.endpoint}/acme-ai/limited/resolve/main/.gitattributes")
    assert head.status_code == 429 and head.headers["RateLimit"].startswith('"resolvers";r=0;t=')
    assert api.model_info("acme-ai/limited").id == "acme-ai/limited"
    hub_sandbox.limit_rate()
    assert api.model_info("acme-ai/limited").id == "acme-ai/limited"


def _hf(sandbox: Sandbox, *args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **sandbox.env(), "HF_HUB_DISABLE_XET": "1", "NO_COLOR": "1"}
    env.pop("HF_TOKEN", None)
    if token:
        env["HF_TOKEN"] = sandbox.tokens[token]
    hf = Path(sys.executable).with_name("hf")
    return subprocess.run([str(hf), *args], env=env, capture_output=True, text=True, timeout=120, check=False)


def test_hf_cli_listings_against_the_sandbox(hub_sandbox):
    generate_org(hub_sandbox, "cli-org", 5, private=[False, True], files={"model.bin": 3000})
    generate_repos(hub_sandbox, "cli-org", 2, repo_type="dataset", prefix="data", files={"train.csv": 100})
    out = _hf(hub_sandbox, "models", "ls", "--author", "cli-org", "--json", token="cli-org-admin-write")
    assert out.returncode == 0, out.stderr
    assert sorted(m["id"] for m in json.loads(out.stdout)) == [f"cli-org/repo-{i:05d}" for i in range(5)]
    out = _hf(hub_sandbox, "models", "ls", "--author", "cli-org", "--json")
    assert sorted(m["id"] for m in json.loads(out.stdout)) == [
        "cli-org/repo-00000",
        "cli-org/repo-00002",
        "cli-org/repo-00004",
    ]
    out = _hf(hub_sandbox, "datasets", "ls", "--author", "cli-org", "-q")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["cli-org/data-00000", "cli-org/data-00001"]
    out = _hf(
        hub_sandbox, "repos", "ls", "--namespace", "cli-org", "--json", "--limit", "0", token="cli-org-admin-write"
    )
    assert out.returncode == 0, out.stderr
    rows = {r["id"]: r for r in json.loads(out.stdout)}
    assert len(rows) == 7 and rows["cli-org/repo-00001"]["visibility"] == "private"
    assert rows["cli-org/data-00000"]["type"] == "dataset"
    out = _hf(hub_sandbox, "models", "ls", "cli-org/repo-00000", token="cli-org-admin-write")
    assert out.returncode == 0 and "model.bin" in out.stdout


def test_gated_generated_repo_refuses_download_to_outsiders(hub_sandbox, tmp_path):
    (repo,) = generate_repos(hub_sandbox, "acme-ai", 1, gated="manual", card="valid", files={})
    outsider = hub_sandbox.auth.add_token("eve-classic", "eve")
    with pytest.raises(GatedRepoError):
        hf_hub_download(repo, "README.md", token=outsider, cache_dir=tmp_path / "c")
    member = hf_hub_download(repo, "README.md", token=hub_sandbox.tokens["dave-fg-org"], cache_dir=tmp_path / "d")
    assert Path(member).read_text().startswith("---")
