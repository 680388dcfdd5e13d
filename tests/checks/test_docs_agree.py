"""docs/policy.md, the JSON Schema and the code's defaults must say the same thing."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from hf_publish.policy.load import load_schema, parse_policy_text
from hf_publish.policy.model import Policy, parse_size

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


POLICY_DOC = ROOT / "docs" / "policy.md"


def readme_policy_rows() -> dict[str, str]:
    """docs/policy.md's generated key table: key -> its default column."""
    text = POLICY_DOC.read_text()
    table = text.split("<!-- generated:policy-keys -->")[1].split("<!-- /generated:policy-keys -->")[0]
    rows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) == 4 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = " " + cells[2] + " "
    return rows


def documented_defaults() -> dict:
    block = POLICY_DOC.read_text().split("<!-- defaults -->")[1].split("<!-- /defaults -->")[0]
    return yaml.safe_load(block.split("```yaml\n")[1].split("```")[0])


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


def test_the_defaults_block_is_the_code_defaults():
    block = documented_defaults()
    policy = Policy()
    assert block["organization"] is None and policy.organization is None
    repo = block["repos"][0]
    assert (repo["type"], repo["path"], repo["private"], repo["ignore"], repo["sdk"]) == ("model", ".", True, [], None)
    assert block["naming"]["repo"]["pattern"] == policy.repo_naming.pattern
    assert tuple(block["naming"]["repo"]["forbidden"]) == policy.repo_naming.forbidden
    assert tuple(block["naming"]["branch"]["allowed"]) == policy.branch_naming.allowed
    assert tuple(block["naming"]["branch"]["protected"]) == policy.branch_naming.protected
    card = block["card"]
    assert tuple(card["required_metadata"]) == policy.card.required_metadata
    assert tuple(card["required_sections"]) == policy.card.required_sections
    assert (card["allow_placeholders"], card["strict"], card["severity"]) == (
        policy.card.allow_placeholders,
        policy.card.strict,
        dict(policy.card.severity),
    )
    assert tuple(block["lfs"]["required_patterns"]) == policy.lfs.required_patterns
    assert tuple(block["secrets"]["exclude"]) == policy.secrets.exclude
    assert block["auth"]["require_fine_grained"] is policy.auth.require_fine_grained
    assert block["release"]["tag_pattern"] == policy.release.tag_pattern
    assert block["release"]["require_on_default_branch"] is policy.release.require_on_default_branch
    # gated and access.expire_after_days are unset by default: the block shows them commented out
    assert "gated" not in block and policy.gated is None and block["repos"][0]["gated"] is None
    access = block["access"]
    assert (
        tuple(access["auto_accept"]["email_domains"]),
        tuple(access["reject"]["email_domains"]),
        access.get("expire_after_days"),
    ) == (policy.access.auto_accept_domains, policy.access.reject_domains, policy.access.expire_after_days)
    assert (block["members"]["file"], tuple(block["members"]["email_domains"])) == (
        policy.members.file,
        policy.members.email_domains,
    )
    # the sizes, as the policy parses them
    assert parse_size(block["lfs"]["max_text_size"]) == policy.lfs.max_text_size
    assert parse_size(block["lfs"]["max_binary_size"]) == policy.lfs.max_binary_size


def test_readme_policy_example_is_valid():
    section = POLICY_DOC.read_text().split("<!-- section:policy -->")[1]
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
