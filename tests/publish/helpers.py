"""Helpers for publish tests: a real git + git-lfs checkout of the shipped example."""

from __future__ import annotations

import shutil
import struct
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import git

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "acme-models"
REPO = "acme-ai/bert-korean-sentiment-v2"
# Requests that write to the Hub (or start an upload): none may happen before the preflight passes.
WRITE_PATHS = (
    "/preupload/",
    "/xet-write-token/",
    "/info/lfs/objects/",
    "/_sandbox/lfs/",
    "/commit/",
    "/repos/create",
    "/tag/",
    "/branch/",
)


def weights(size: int = 4096, seed: int = 1) -> bytes:
    """A small but real safetensors file (binary, so the Hub would put it in LFS anyway)."""
    import hashlib
    import json

    body = b""
    counter = 0
    while len(body) < size:
        body += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    body = body[: size - size % 4]
    header = json.dumps({"w": {"dtype": "F32", "shape": [len(body) // 4], "data_offsets": [0, len(body)]}}).encode()
    header += b" " * ((8 - len(header) % 8) % 8)
    return struct.pack("<Q", len(header)) + header + body


@dataclass
class Checkout:
    """A git checkout (git-lfs installed locally) holding the example model repo at its root."""

    path: Path

    def write(self, rel: str, data: str | bytes) -> Path:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode() if isinstance(data, str) else data)
        return target

    def remove(self, rel: str) -> None:
        (self.path / rel).unlink()

    def commit(self, message: str = "change") -> str:
        git(self.path, "add", "-A")
        git(self.path, "commit", "-q", "--allow-empty", "-m", message)
        return git(self.path, "rev-parse", "HEAD").strip()

    def head(self) -> str:
        return git(self.path, "rev-parse", "HEAD").strip()


def make_checkout(path: Path) -> Checkout:
    shutil.copytree(EXAMPLE, path)
    (path / "model.safetensors").write_bytes(weights())
    git(path, "init", "-q", "-b", "main")
    git(path, "lfs", "install", "--local")
    checkout = Checkout(path)
    checkout.commit("initial")
    return checkout


def write_requests(sandbox) -> list:
    return [r for r in sandbox.requests if any(p in r.path for p in WRITE_PATHS)]
