"""Helpers over composed YAML node trees (`yaml.compose`), shared by the policy and card parsers.

A composed tree keeps every node's line, which plain `yaml.safe_load` data loses: that is how a
JSON Schema error path becomes a `file:line`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Literal

import yaml

from hf_publish._record import Record

MERGE_TAG = "tag:yaml.org,2002:merge"


class TooManyNodes(Exception):
    """Aliases expand the tree past the node budget (a "billion laughs" document)."""


class KeyProblem(Record):
    """A mapping key PyYAML accepts but we refuse. `first_line` (0-based) is set for duplicates."""

    kind: Literal["non-scalar", "duplicate", "merge"]
    key: yaml.Node
    first_line: int | None = None


def key_problems(root: yaml.Node | None, max_nodes: int) -> Iterator[KeyProblem]:
    """Non-scalar keys, duplicate keys and merge keys, walking aliases at most `max_nodes` nodes.

    Raises TooManyNodes past the budget, so a crafted document cannot make the walk explode.
    """
    budget = max_nodes
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        budget -= 1
        if budget < 0:
            raise TooManyNodes()
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                stack.append(value)
                if not isinstance(key, yaml.ScalarNode):
                    yield KeyProblem("non-scalar", key)
                elif key.tag == MERGE_TAG:
                    yield KeyProblem("merge", key)
                elif key.value in seen:
                    yield KeyProblem("duplicate", key, seen[key.value])
                else:
                    seen[key.value] = key.start_mark.line
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def node_at(root: yaml.Node | None, path: Sequence[str | int]) -> yaml.Node | None:
    """The node at a JSON path (keys and list indexes), or None."""
    node = root
    for part in path:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
        else:
            return None
        if node is None:
            return None
    return node


def key_node_at(root: yaml.Node | None, path: Sequence[str | int]) -> yaml.Node | None:
    """The key node of the last mapping key in `path` (its line is where `key:` is written)."""
    if not path or not isinstance(path[-1], str):
        return None
    parent = node_at(root, path[:-1])
    if isinstance(parent, yaml.MappingNode):
        for key, _ in parent.value:
            if isinstance(key, yaml.ScalarNode) and key.value == path[-1]:
                return key
    return None
