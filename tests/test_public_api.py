"""The package's public names: importable from `hf_publish`, loaded only when used."""

from __future__ import annotations

import subprocess
import sys

import pytest

import hf_publish


@pytest.mark.parametrize("name", [n for n in hf_publish.__all__ if n != "__version__"])
def test_every_public_name_resolves_to_the_object_of_its_module(name):
    submodule = hf_publish._ATTR_TO_SUBMOD[name]
    module = __import__(f"hf_publish.{submodule}", fromlist=[name])
    assert getattr(hf_publish, name) is getattr(module, name)
    assert name in dir(hf_publish)


def test_all_lists_exactly_the_lazy_names():
    assert set(hf_publish.__all__) == set(hf_publish._ATTR_TO_SUBMOD) | {"__version__"}


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nosuch'"):
        hf_publish.nosuch  # noqa: B018


def test_importing_the_package_loads_nothing_heavy():
    """Every hook run imports the package: it must not pay for YAML, jsonschema or the Hub client."""
    program = "import sys, hf_publish; print(sorted(m for m in ('yaml', 'jsonschema', 'huggingface_hub', "
    program += "'hf_publish.policy.load', 'hf_publish.publishing.run') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-I", "-c", program], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_typing_block_names_exactly_the_public_names():
    import ast
    from pathlib import Path

    tree = ast.parse(Path(hf_publish.__file__).read_text(encoding="utf-8"))
    block = next(n for n in tree.body if isinstance(n, ast.If) and getattr(n.test, "id", "") == "TYPE_CHECKING")
    typed = {alias.name for node in block.body if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert typed == set(hf_publish._ATTR_TO_SUBMOD)
