"""What the docs tests share: the repo's files, and the installed `hf-publish` run as a user runs it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def hf_publish(*args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    exe = shutil.which("hf-publish")
    command = [exe] if exe else [sys.executable, "-m", "hf_publish"]
    result = subprocess.run([*command, *args], capture_output=True, text=True, timeout=120, **kwargs)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def script(name: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / name), *args], capture_output=True, text=True, timeout=300, **kwargs
    )


def section(path: Path, name: str) -> str:
    match = re.search(rf"<!-- section:{name} -->(.*?)<!-- /section:{name} -->", path.read_text(encoding="utf-8"), re.S)
    assert match, f"{path.relative_to(ROOT)} has no section {name}"
    return match.group(1)


def heading_section(text: str, heading: str) -> str:
    """The text under `## heading` up to the next `## ` heading."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert match, f"no '## {heading}' section"
    return match.group(1)


def package_version() -> str:
    return hf_publish("--version").stdout.split()[-1]
