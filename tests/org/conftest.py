"""A generated org on the sandbox (generate_org writes repos straight into its store)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

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
    generate.generate_org(hub_sandbox, ORG, N, private=lambda i: i % 3 != 0, files=_files,
                          last_modified=lambda i: NOW - timedelta(days=i * 3 + 1), plan="team", seats=2)
    hub_sandbox.reset_request_counts()
    return hub_sandbox


def admin_token(sandbox) -> str:
    return sandbox.tokens[f"{ORG}-admin-write"]
