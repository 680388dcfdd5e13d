"""Every version a user copies from the docs is the package's own (docs/releasing.md):
`rev: vX.Y.Z` in pre-commit snippets, `org/hf-publish@vX` in `uses:`, `@vX.Y.Z` where a full version
is pinned. One place decides them (the package version); `scripts/gen-docs` writes them."""

from __future__ import annotations

import re

from tests.docs.helpers import ROOT, package_version

FILES = sorted(
    {
        *ROOT.glob("README.md"),
        *ROOT.glob("docs/*.md"),
        *ROOT.glob("hooks/*/README.md"),
        *ROOT.glob("hooks/*.md"),
        *ROOT.glob("examples/workflows/*.yml"),
    }
)


def occurrences() -> list[tuple[str, str, str]]:
    """(file, kind, version) for every versioned reference to hf-publish."""
    found = []
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(ROOT))
        for match in re.finditer(r"repo: https://github\.com/org/hf-publish\n\s*rev: (\S+)", text):
            found.append((name, "rev", match.group(1)))
        for match in re.finditer(r"org/hf-publish@(v[0-9][0-9A-Za-z.+-]*)", text):
            found.append((name, "ref", match.group(1)))
    return found


def test_every_documented_version_is_the_package_version():
    version = package_version()
    major = version.split(".")[0]
    found = occurrences()
    kinds = {kind for _, kind, _ in found}
    assert kinds == {"rev", "ref"}, found  # the README's snippet and the workflows are both seen
    assert any(name == "README.md" and kind == "rev" for name, kind, _ in found)
    wrong = [
        (name, kind, value)
        for name, kind, value in found
        if value not in (f"v{version}", f"v{major}") or (kind == "rev" and value != f"v{version}")
    ]
    assert wrong == [], f"stale versions (the package is {version}; run: python scripts/gen-docs): {wrong}"


def test_the_major_tag_series_in_the_docs_is_the_package_major():
    major = package_version().split(".")[0]
    for path in FILES:
        for series in re.findall(r"\bv([0-9]+)\.x\.y\b", path.read_text(encoding="utf-8")):
            assert series == major, f"{path.relative_to(ROOT)} speaks of v{series}.x.y"


def test_the_help_names_the_action_tag_of_this_version():
    from hf_publish.cli.main import _subcommand, build_parser

    parser = build_parser()
    texts = [parser.format_help(), _subcommand(parser, "gh-action").format_help()]
    major = package_version().split(".")[0]
    for text in texts:
        tags = set(re.findall(r"org/hf-publish@(v\d+)", text))
        assert tags == {f"v{major}"}, tags
