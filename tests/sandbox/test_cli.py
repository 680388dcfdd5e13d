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
    return subprocess.Popen([sys.executable, "-m", "hf_publish.sandbox", "serve", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


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
        me = httpx2.get(f"{endpoint}/api/whoami-v2", headers={"authorization": f"Bearer {derive_token('bob-write')}"})
        assert me.json()["name"] == "bob"
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "sandbox stopped" in out
    assert (tmp_path / "data" / "repos").is_dir()  # an explicit data dir is kept


def test_serve_stops_on_ctrl_c(tmp_path):
    proc = _spawn()
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
