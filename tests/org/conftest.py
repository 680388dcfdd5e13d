"""The publish fixtures (a real git checkout of the example, publish on the sandbox) for org tests."""

from tests.publish.conftest import checkout, publish_with  # noqa: F401

import copy
import os
import subprocess
from pathlib import Path

import pytest

from hf_publish.sandbox import Sandbox
from tests.helpers import commit_all, init_repo, write

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
    users["tokens"]["alice-fg-both"] = {"user": "alice", "scoped": [
        {"entity": {"type": "user", "name": "alice"}, "permissions": ["repo.write", "repo.content.read"]},
        {"entity": {"type": "org", "name": "acme-ai"}, "permissions": ["repo.write", "repo.content.read"]}]}
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
        env.update(HF_ENDPOINT=org_sandbox.endpoint, HF_HOME=str(tmp_path / "cli_hf_home"),
                   HF_HUB_DISABLE_TELEMETRY="1")
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
