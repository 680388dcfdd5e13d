"""docs/sandbox-endpoints.md agrees with the sandbox: every row of "Served" is routed, every route
has a row."""

from __future__ import annotations

import re
from pathlib import Path

from hf_publish.sandbox import Sandbox

DOC = Path(__file__).resolve().parents[2] / "docs" / "sandbox-endpoints.md"
SAMPLE = {
    "{t}s": "models",
    "{prefix}": "datasets/",
    "{repo}": "acme-ai/some-repo",
    "{rev}": "main",
    "{path}": "dir/file.bin",
    "{org}": "acme-ai",
    "{tag}": "v1",
    "{branch}": "dev",
    "{num}": "3",
    "{oid}": "a" * 64,
}


def _served_rows() -> list[tuple[str, str]]:
    text = DOC.read_text(encoding="utf-8")
    served = text.split("## Served", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (GET|HEAD|POST|PUT|DELETE|PATCH) \| (\S+) \|", served, re.MULTILINE)
    assert len(rows) > 30
    return rows


def _concrete(path: str) -> str:
    for key, value in SAMPLE.items():
        path = path.replace(key, value)
    assert "{" not in path, path
    return path


def test_every_documented_endpoint_is_routed():
    with Sandbox() as sandbox:
        routes = sandbox.hub.routes
        for method, path in _served_rows():
            concrete = _concrete(path)
            assert any(m == method and p.match(concrete) for m, p, _ in routes), f"{method} {path} is not served"


def test_every_route_is_documented():
    with Sandbox() as sandbox:
        documented = [(m, _concrete(p)) for m, p in _served_rows()]
        for method, pattern, fn in sandbox.hub.routes:
            if fn.__name__ in ("comment", "rename", "status", "merge", "edit_comment", "create"):
                continue  # the discussion actions, documented in one row
            assert any(m == method and pattern.match(p) for m, p in documented), (
                f"{method} {pattern.pattern} ({fn.__name__})"
            )
