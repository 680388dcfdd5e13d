"""The README's first command: the shipped example published on the sandbox, step by step."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.publish.helpers import ROOT


def test_demo_publishes_the_example_creates_then_no_op_then_release(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}
    env["HOME"] = str(tmp_path)  # a fresh user: no stored login, no git identity
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    steps = proc.stdout.split("\n=== ")[1:]
    assert len(steps) == 3
    assert "created, committed" in steps[0] and "1 upload and 1 commit request(s)" in steps[0]
    assert "no change" in steps[1] and "0 upload and 0 commit request(s)" in steps[1]
    assert re.search(r"no change\s+[0-9a-f]{12}\s+0 0 0\s+0 B\s+v1\.0\.0", steps[2])
    assert "may create it: yes" in proc.stderr and "tagged v1.0.0" in proc.stderr
    assert "checks: passed" in proc.stderr
    assert "hf_" not in proc.stdout + proc.stderr.replace("hf_publish", "")  # no token, masked or not
