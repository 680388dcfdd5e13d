"""Refusal links follow the endpoint: a publish refused by the sandbox (the CLI as a subprocess,
the real client) points at the sandbox's own pages, never at huggingface.co."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from hf_publish.publishing.hub import ERROR_TABLE


def test_a_refused_sandbox_publish_links_to_the_sandbox(checkout, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "HF_ENDPOINT", "HF_TOKEN"))}
    env.update(
        HF_HOME=str(tmp_path / "hf"), HF_HUB_DISABLE_PROGRESS_BARS="1", HF_PUBLISH_SANDBOX_TOKEN="alice-write"
    )  # classic: refused by policy
    proc = subprocess.run(
        [sys.executable, "-m", "hf_publish", "publish", "--sandbox"],
        cwd=checkout.path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 4, out
    assert "auth.require_fine_grained" in out and "/settings/tokens/new?tokenType=fineGrained" in out, out
    links = re.findall(r"https?://[^\s)]+/settings/tokens[^\s)]*", out)
    assert links and all(link.startswith("http://127.0.0.1:") for link in links), links
    assert "huggingface.co" not in out


def test_the_error_tables_links_follow_the_endpoint():
    sandbox = "http://127.0.0.1:8123"
    for rule in ERROR_TABLE.values():
        assert "huggingface.co" not in rule.next_for(sandbox), rule.name
    assert "http://127.0.0.1:8123/settings/tokens" in ERROR_TABLE["invalid-token"].next_for(sandbox)
    assert "check that http://127.0.0.1:8123 is up" in ERROR_TABLE["server"].next_for(sandbox)
    assert "https://huggingface.co/settings/tokens" in ERROR_TABLE["invalid-token"].next_for(None)
    assert "status.huggingface.co" in ERROR_TABLE["server"].next_for("https://huggingface.co/")
