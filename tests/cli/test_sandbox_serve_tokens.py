"""`hf-publish sandbox serve` on the user's path (the CLI as a subprocess, the real `hf` CLI): the
token table names user, kind, scope and role, the token values are printed whole (they are the
sandbox's own public test tokens), and `hf models ls` works against the sandbox with one of them.
A real HF_TOKEN in the environment is still never printed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hf_publish.sandbox import derive_token

HF = shutil.which("hf", path=str(Path(sys.executable).parent)) or shutil.which("hf")
REAL = "hf_" + "RealUserTokenNeverShown" + "x" * 11


def serve(tmp_path: Path) -> tuple[subprocess.Popen, list[str]]:
    env = {**os.environ, "HF_TOKEN": REAL, "HF_HOME": str(tmp_path / "hf")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "hf_publish", "sandbox", "serve"],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    lines: list[str] = []
    deadline = time.monotonic() + 60
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if line.startswith("Press Ctrl-C"):
            return proc, lines
    proc.kill()
    raise AssertionError("\n".join(lines))


def test_serve_prints_a_usable_token_table(tmp_path: Path):
    proc, lines = serve(tmp_path)
    try:
        out = "\n".join(lines)
        header = next(line for line in lines if line.split()[:1] == ["TOKEN"])
        assert header.split() == ["TOKEN", "USER", "KIND", "SCOPE", "ROLE"]
        value = next(line.split()[1] for line in lines if line.split()[:1] == ["alice-fg-org"] and "hf_" in line)
        assert value == derive_token("alice-fg-org") and "\u2026" not in value  # whole, copyable
        assert REAL not in out
        endpoint = next(line.split("=", 1)[1] for line in lines if "export HF_ENDPOINT=" in line)
        if HF is None:
            pytest.skip("the hf CLI is not installed")
        listed = subprocess.run(
            [HF, "models", "ls", "--author", "acme-ai"],
            capture_output=True,
            text=True,
            env={**os.environ, "HF_ENDPOINT": endpoint, "HF_TOKEN": value, "HF_HOME": str(tmp_path / "hf")},
            timeout=60,
        )
        assert listed.returncode == 0, listed.stdout + listed.stderr
    finally:
        proc.terminate()
        proc.wait(timeout=30)
