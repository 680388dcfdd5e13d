"""Org test fixtures: a generated org for the audit (generate_org writes repos straight into the
sandbox's store), and the sandbox with outsiders of known email domains for access and members."""

from __future__ import annotations

import copy
import os
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from hf_publish.sandbox import Sandbox
from tests.helpers import commit_all, init_repo, write
from tests.publish.conftest import checkout, publish_with  # noqa: F401

ORG = "audit-org"
N = 120
NOW = datetime.now(timezone.utc)


def _files(i: int) -> dict[str, int]:
    files = {"config.json": 2_048, "model.safetensors": 500 * 2**20}
    if i % 40 == 7:
        files["tokenizer.model"] = 500_000  # a *.model stored in git: .gitattributes covers it, so LFS
    return files


@pytest.fixture
def audit_org(hub_sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """120 repos: a third public, one in ten with a broken card and one in ten with none, dates
    spread over a year (so a few are active within 7 days and the old private ones are stale)."""
    generate = pytest.importorskip("hf_publish.sandbox.generate", reason="this sandbox cannot generate orgs")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    generate.generate_org(
        hub_sandbox,
        ORG,
        N,
        private=lambda i: i % 3 != 0,
        files=_files,
        last_modified=lambda i: NOW - timedelta(days=i * 3 + 1),
        plan="team",
        seats=2,
    )
    hub_sandbox.reset_request_counts()
    return hub_sandbox


def admin_token(sandbox) -> str:
    return sandbox.tokens[f"{ORG}-admin-write"]


OUTSIDERS = {
    "frank": {"fullname": "Frank Partner", "email": "frank@partner.example"},
    "grace": {"fullname": "Grace Partner", "email": "grace@partner.example"},
    "mallory": {"fullname": "Mallory", "email": "mallory@spam.example"},
}


@pytest.fixture
def org_sandbox(tmp_path_factory, monkeypatch):
    """The sandbox with the default org and users, plus outsiders of known email domains."""
    from hf_publish.sandbox.auth import DEFAULT_CONFIG

    users = copy.deepcopy(DEFAULT_CONFIG)
    users["users"].update(copy.deepcopy(OUTSIDERS))
    # alice's token for a move out of her own namespace into the org: write on both, nothing else
    users["tokens"]["alice-fg-both"] = {
        "user": "alice",
        "scoped": [
            {"entity": {"type": "user", "name": "alice"}, "permissions": ["repo.write", "repo.content.read"]},
            {"entity": {"type": "org", "name": "acme-ai"}, "permissions": ["repo.write", "repo.content.read"]},
        ],
    }
    for outsider in OUTSIDERS:  # what the requesters themselves download with
        users["tokens"][f"{outsider}-read"] = {"user": outsider, "role": "read"}
    root = tmp_path_factory.mktemp("org_sandbox")
    sandbox = Sandbox(users=users, data_dir=root / "data", cas_dir=root / "cas").start()
    monkeypatch.setenv("HF_ENDPOINT", sandbox.endpoint)
    try:
        yield sandbox
    finally:
        sandbox.stop()


@pytest.fixture
def cli(org_sandbox, tmp_path):
    """`cli("alice-fg-org", "access", "review", cwd=repo)`: the real hf-publish as a subprocess on the sandbox."""

    def run(token: str | None, *args: str, cwd: Path) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_TOKEN", "HF_PUBLISH_DEBUG"))}
        env.update(
            HF_ENDPOINT=org_sandbox.endpoint, HF_HOME=str(tmp_path / "cli_hf_home"), HF_HUB_DISABLE_TELEMETRY="1"
        )
        if token:
            env["HF_TOKEN"] = org_sandbox.tokens[token]
        return subprocess.run(["hf-publish", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)

    return run


@pytest.fixture
def policy_repo(tmp_path):
    """`policy_repo(text)`: a git repo holding .hf-publish.yaml (and more files)."""

    def make(policy: str, **files: str) -> Path:
        repo = init_repo(tmp_path / "policy-repo", branch="main", lfs=False)
        write(repo / ".hf-publish.yaml", policy)
        for name, text in files.items():
            write(repo / name.replace("__", "."), text)
        commit_all(repo, "policy")
        return repo

    return make
