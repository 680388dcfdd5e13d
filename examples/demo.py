"""Publish the example model repo to a local Hub sandbox: no account, no network.

    python3 examples/demo.py

Copies examples/acme-models/ into a temporary git repo (with its small weights file, in git-lfs
when git-lfs is installed), starts hf-publish's in-process Hub sandbox on 127.0.0.1, and runs the
real `hf-publish publish` command three times against it, showing each step's result:

  1. first publish: checks pass, the token is judged, the private org repo is created, one commit
  2. re-publish with nothing changed: no commit at all
  3. release: `--tag v1.0.0` tags the published commit (tags are immutable)

Everything lives in a temporary folder removed at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent / "acme-models"
REPO = "acme-ai/bert-korean-sentiment-v2"
TOKEN_NAME = "alice-fg-org"  # the sandbox's org admin, with a fine-grained repo.write token on acme-ai


def tiny_weights() -> bytes:
    """A real (if tiny) safetensors file: a 2 x 64 float32 classifier head."""
    values = [((i * 7919) % 2000 - 1000) / 10000 for i in range(128)]
    data = struct.pack("<128f", *values)
    header = json.dumps({"classifier.weight": {"dtype": "F32", "shape": [2, 64], "data_offsets": [0, len(data)]},
                         "__metadata__": {"format": "pt"}}, separators=(",", ":")).encode()
    header += b" " * ((8 - len(header) % 8) % 8)
    return struct.pack("<Q", len(header)) + header + data


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Demo", "-c", "user.email=demo@acme-ai.example", *args],
                   cwd=cwd, check=True, capture_output=True)


def make_checkout(work: Path) -> Path:
    checkout = work / "acme-models"
    shutil.copytree(EXAMPLE, checkout)
    (checkout / "model.safetensors").write_bytes(tiny_weights())
    git(checkout, "init", "-q", "-b", "main")
    if shutil.which("git-lfs"):
        git(checkout, "lfs", "install", "--local")
    git(checkout, "add", "-A")
    git(checkout, "commit", "-q", "-m", "Add bert-korean-sentiment-v2")
    return checkout


def step(title: str, argv: list[str], sandbox) -> int:
    from hf_publish.cli import main

    print(f"\n=== {title}")
    shown = ["hf-publish", *argv]
    shown[shown.index("--endpoint") + 1] = "$SANDBOX"
    print("$ " + " ".join(shown), flush=True)
    sandbox.clear_log()
    code = main(argv)
    sys.stdout.flush()
    sys.stderr.flush()
    commits = [r for r in sandbox.requests if "/commit/" in r.path]
    uploads = [r for r in sandbox.requests if "/preupload/" in r.path]
    print(f"--> exit {code}; the sandbox saw {len(sandbox.requests)} requests, {len(uploads)} upload and "
          f"{len(commits)} commit request(s)", flush=True)
    return code


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="hf-publish-demo-"))
    os.environ.update({
        "HF_HOME": str(work / "hf-home"),  # no stored login, no cache outside the temp folder
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_UPDATE_CHECK": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    })
    from hf_publish.sandbox import Sandbox

    sandbox = Sandbox(data_dir=work / "hub").start()
    try:
        checkout = make_checkout(work)
        os.environ["HF_TOKEN"] = sandbox.tokens[TOKEN_NAME]
        os.environ["HF_ENDPOINT"] = sandbox.endpoint
        print(f"Example checkout: {checkout} (git, branch main)")
        print(f"Hub sandbox:      $SANDBOX = {sandbox.endpoint} (in-process, no account, no network)")
        print(f"Token:            HF_TOKEN = the sandbox's {TOKEN_NAME} (org admin, fine-grained, repo.write "
              "on acme-ai)")
        base = ["publish", "--path", str(checkout), "--endpoint", sandbox.endpoint]
        codes = [
            step("1. first publish: checks, token preflight, create the private org repo, ONE commit", base, sandbox),
            step("2. publish again, nothing changed: no upload, no commit", base, sandbox),
            step("3. release: tag the published commit", base + ["--tag", "v1.0.0"], sandbox),
        ]
        head = sandbox.head(REPO)
        print(f"\nOn the sandbox: {REPO} (private) at {head[:12] if head else '-'}, "
              f"{len(sandbox.commits(REPO))} commits on main (the Hub's initial commit + one publish), files: "
              + ", ".join(sandbox.list_files(REPO)))
        return 0 if codes == [0, 0, 0] else 1
    finally:
        sandbox.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
