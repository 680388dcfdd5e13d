"""``python -m hf_publish.sandbox serve``: prints what to use, stops cleanly, refuses remote binds."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx2

from hf_publish.sandbox import derive_token
from hf_publish.sandbox.cli import serve_command

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _spawn(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen(
        [sys.executable, "-m", "hf_publish.sandbox", "serve", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_serve_prints_endpoint_and_tokens_and_stops_on_sigterm(tmp_path):
    proc = _spawn("--port", "0", "--data-dir", str(tmp_path / "data"))
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        text = "".join(lines)
        endpoint = re.search(r"export HF_ENDPOINT=(http://127\.0\.0\.1:\d+)", text).group(1)
        assert "alice-write" in text and derive_token("alice-write") in text
        assert re.search(r"alice-write\s+alice\s+classic\s+write\s+acme-ai=admin", text)  # the token table
        assert re.search(r"dave-fg-org\s+dave\s+fine-grained\s+org:acme-ai\S*\s+acme-ai=read", text)
        me = httpx2.get(f"{endpoint}/api/whoami-v2", headers={"authorization": f"Bearer {derive_token('bob-write')}"})
        assert me.json()["name"] == "bob"
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "sandbox stopped" in out
    assert (tmp_path / "data" / "repos").is_dir()  # an explicit data dir is kept


def test_serve_stops_on_ctrl_c(tmp_path):
    # A free port and a private data dir: the default port may be taken by another sandbox.
    proc = _spawn("--port", "0", "--data-dir", str(tmp_path / "data"))
    try:
        for line in proc.stdout:
            if line.startswith("Press Ctrl-C"):
                break
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)
    assert proc.returncode == 0


def test_non_loopback_host_is_refused_without_allow_remote(capsys):
    assert serve_command(["--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--allow-remote" in err


def test_serve_help_documents_the_users_file(capsys):
    import pytest

    with pytest.raises(SystemExit):
        serve_command(["--help"])
    out = capsys.readouterr().out
    for key in (
        "orgs:",
        "plan: free|pro|team|enterprise|enterprise-plus",
        "seats: N",
        "email: ADDRESS",
        "read|contributor|write|admin",
        "can_read_gated_repos",
        "oidc:",
    ):
        assert key in out
    from hf_publish.sandbox.auth import PLANS, ROLES

    assert "|".join(PLANS) in out and "|".join(ROLES) in out


def test_the_sandbox_imports_nothing_else_from_hf_publish():
    import ast

    root = Path(__file__).resolve().parents[2] / "src" / "hf_publish" / "sandbox"
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                assert not (
                    node.module.startswith("hf_publish") and not node.module.startswith("hf_publish.sandbox")
                ), path
            if isinstance(node, ast.ImportFrom) and node.level > 1:
                raise AssertionError(f"{path.name} imports from outside the sandbox package")
            if isinstance(node, ast.Import):
                assert not any(
                    a.name.startswith("hf_publish") and not a.name.startswith("hf_publish.sandbox") for a in node.names
                ), path
