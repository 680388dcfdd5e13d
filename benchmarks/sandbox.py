"""Upload and download throughput of the Hub sandbox, in both lanes, beside a plain file copy.

    PYTHONPATH=src python benchmarks/sandbox.py [--size-mb 1024] [--lanes xet,lfs] [--dir DIR]

The point: the sandbox must never be what a publish benchmark measures. Each lane gets a fresh
sandbox and client cache; the file is random bytes (no xet dedup shortcut), written once. The xet
lane talks to the sandbox's CAS server; its extra row is a client without xet downloading the same
file over plain HTTP, which the server rebuilds from its CAS itself.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import httpx2

REPO = "acme-ai/benchmark-weights-v1"


def make_file(path: Path, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "wb") as f:
        left = size
        while left:
            block = os.urandom(min(left, 8 << 20))
            digest.update(block)
            f.write(block)
            left -= len(block)
    return digest.hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(8 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run_lane(lane: str, src: Path, expected: str, work: Path) -> list[tuple[str, float, float]]:
    from huggingface_hub import HfApi, constants, hf_hub_download
    from huggingface_hub.utils import _xet

    from hf_publish.sandbox import Sandbox

    constants.HF_HUB_DISABLE_XET = lane == "lfs"  # read at import time: switch the module value
    _xet.XET_CONNECTION_INFO_CACHE.clear()
    with Sandbox(data_dir=work / f"hub-{lane}") as sb:
        api = HfApi(endpoint=sb.endpoint, token=sb.tokens["alice-write"])
        api.create_repo(REPO, private=True)
        started = time.perf_counter()
        api.upload_file(path_or_fileobj=str(src), path_in_repo="model.safetensors", repo_id=REPO)
        upload = time.perf_counter() - started
        started = time.perf_counter()
        out = hf_hub_download(
            REPO,
            "model.safetensors",
            endpoint=sb.endpoint,
            token=sb.tokens["alice-write"],
            cache_dir=work / f"cache-{lane}",
        )
        download = time.perf_counter() - started
        if sha256_file(Path(out)) != expected:
            raise SystemExit(f"{lane}: downloaded bytes differ from the uploaded ones")
        rows = [(f"sandbox, {lane} lane", upload, download)]
        if lane == "xet":  # a client without xet: the server rebuilds the file from its CAS itself
            started = time.perf_counter()
            plain = work / "plain.bin"
            with (
                httpx2.stream(
                    "GET",
                    f"{sb.endpoint}/{REPO}/resolve/main/model.safetensors",
                    timeout=600,
                    headers={"authorization": f"Bearer {sb.tokens['alice-write']}"},
                ) as r,
                open(plain, "wb") as f,
            ):
                r.raise_for_status()
                for block in r.iter_bytes(8 << 20):
                    f.write(block)
            rebuilt = time.perf_counter() - started
            if sha256_file(plain) != expected:
                raise SystemExit("xet lane: the plain-HTTP download differs from the uploaded bytes")
            plain.unlink()
            rows.append(("  same, plain HTTP GET", upload, rebuilt))
    shutil.rmtree(work / f"hub-{lane}", ignore_errors=True)
    shutil.rmtree(work / f"cache-{lane}", ignore_errors=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--lanes", default="xet,lfs")
    parser.add_argument("--dir", default=None, help="scratch directory (default: a temp dir, removed)")
    args = parser.parse_args(argv)
    for key, value in {"HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1"}.items():
        os.environ.setdefault(key, value)
    work = Path(args.dir or tempfile.mkdtemp(prefix="hf-sandbox-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ["HF_HOME"] = str(work / "hf_home")
    try:
        size = args.size_mb * 1024 * 1024
        src = work / "model.safetensors"
        expected = make_file(src, size)
        started = time.perf_counter()
        shutil.copyfile(src, work / "copy.bin")
        copy = time.perf_counter() - started
        (work / "copy.bin").unlink()
        mb = size / 1e6
        rows = [("plain file copy", copy, copy)]
        for lane in args.lanes.split(","):
            rows += run_lane(lane.strip(), src, expected, work)
        print(
            f"{args.size_mb} MiB ({mb:.0f} MB) of random bytes, {os.cpu_count()} CPUs, python {sys.version.split()[0]}"
        )
        print(f"{'path':<22} {'upload MB/s':>12} {'download MB/s':>14} {'upload s':>9} {'download s':>11}")
        for name, up, down in rows:
            print(f"{name:<22} {mb / up:>12.0f} {mb / down:>14.0f} {up:>9.2f} {down:>11.2f}")
    finally:
        if args.dir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
