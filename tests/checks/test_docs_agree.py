"""README's policy reference, the JSON Schema and the code's defaults must say the same thing."""

from __future__ import annotations

import re
from pathlib import Path

from hf_publish.policy import Policy, load_schema, parse_policy_text

ROOT = Path(__file__).resolve().parents[2]


def schema_keys(schema: dict, prefix: str = "", defs: dict | None = None):
    defs = defs if defs is not None else schema.get("$defs", {})
    if "$ref" in schema:
        schema = defs[schema["$ref"].split("/")[-1]]
    if schema.get("type") == "object":
        for key, sub in schema.get("properties", {}).items():
            path = f"{prefix}.{key}" if prefix else key
            yield path
            yield from schema_keys(sub, path, defs)
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        yield from schema_keys(schema["items"], prefix + "[]", defs)


def readme_policy_rows() -> dict[str, str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("<!-- section:policy -->")[1].split("<!-- /section:policy -->")[0]
    # the access, members and gated keys are documented in docs/access.md (README is moving to docs/)
    access = (ROOT / "docs" / "access.md").read_text()
    section += access.split("<!-- section:policy-access -->")[1].split("<!-- /section:policy-access -->")[0]
    return {m.group(1): m.group(2) for m in re.finditer(r"^\| `([^`]+)` \|([^|]*)\|", section, re.M)}


def test_readme_policy_table_lists_exactly_the_schema_keys():
    assert set(readme_policy_rows()) == set(schema_keys(load_schema()))


def test_readme_defaults_match_the_code():
    rows = readme_policy_rows()
    policy = Policy()
    assert rows["naming.repo.pattern"].strip().strip("`") == policy.repo_naming.pattern
    forbidden = rows["naming.repo.forbidden"].strip().strip("`[]").split(", ")
    assert tuple(forbidden) == policy.repo_naming.forbidden
    allowed = rows["naming.branch.allowed"].strip().strip("`[]").split(", ")
    assert tuple(allowed) == policy.branch_naming.allowed
    sections = rows["card.required_sections"].strip().strip("`[]").split(", ")
    assert tuple(sections) == policy.card.required_sections
    assert rows["auth.require_fine_grained"].strip() == "`true`" and policy.auth.require_fine_grained
    assert rows["repos[].private"].strip() == "`true`"


def test_readme_policy_example_is_valid():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("<!-- section:policy -->")[1]
    example = section.split("```yaml\n")[1].split("```")[0]
    findings, _ = parse_policy_text(example.encode(), "README.md")
    assert findings == []


def test_every_schema_key_has_a_description():
    def walk(schema, defs):
        if "$ref" in schema:
            schema = defs[schema["$ref"].split("/")[-1]]
        for key, sub in schema.get("properties", {}).items():
            assert sub.get("description"), key
            walk(sub, defs)
        if isinstance(schema.get("items"), dict):
            walk(schema["items"], defs)

    schema = load_schema()
    walk(schema, schema["$defs"])
