"""docs/org-audit.md, `org audit --help`, the JSON Schema and the code say the same thing."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

from hf_publish.cli import build_parser
from hf_publish.policy.load import parse_policy_text

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "org-audit.md").read_text()


def audit_parser():
    parser = build_parser()
    org = parser._subparsers._group_actions[0].choices["org"]
    return org._subparsers._group_actions[0].choices["audit"]


def test_every_option_of_the_help_is_documented_and_no_other():
    options = {s for action in audit_parser()._actions for s in action.option_strings if s.startswith("--")} - {
        "--help"
    }
    documented = set(re.findall(r"^\| `(--[a-z-]+)", DOC, re.MULTILINE))
    assert documented == options


def test_choices_and_defaults_in_the_docs_match_the_parser():
    actions = {a.dest: a for a in audit_parser()._actions}
    assert tuple(actions["format"].choices) == ("text", "json", "github", "html")
    assert "`--format text\\|json\\|github\\|html`" in DOC
    assert actions["fail_on"].default == "error" and "| `--fail-on error\\|warning\\|never` | `error` |" in DOC
    assert actions["since"].default == "7d" and "| `--since AGE` | `7d` |" in DOC
    assert actions["jobs"].default == 8 and "| `--jobs N` | `8` |" in DOC


def test_every_top_level_json_field_is_documented():
    schema = json.loads(resources.files("hf_publish.data").joinpath("org-audit.schema.json").read_text())
    listed = DOC.split("Top-level fields:")[1].split(".")[0]
    assert set(re.findall(r"`([a-z_]+)`", listed)) == set(schema["properties"]) == set(schema["required"])


def test_the_policy_example_is_valid():
    example = DOC.split("```yaml\n")[1].split("```")[0]
    findings, data = parse_policy_text(example.encode(), "docs/org-audit.md")
    assert findings == [] and data["org"]["plan"] == "team"


def test_the_json_example_has_every_field_of_the_schema():
    schema = json.loads(resources.files("hf_publish.data").joinpath("org-audit.schema.json").read_text())
    example = json.loads(DOC.split("```json\n")[1].split("```")[0])
    assert set(example) == set(schema["properties"])
    for key in ("policy", "access", "summary", "storage"):
        assert set(example[key]) == set(schema["properties"][key]["properties"]), key


def test_the_org_keys_table_is_the_schemas_org_section():
    from hf_publish.policy.load import load_schema
    from tests.checks.test_docs_agree import schema_keys

    keys = {k for k in schema_keys(load_schema()) if k == "org" or k.startswith("org.")}
    table = DOC.split("<!-- section:policy -->")[1].split("<!-- /section:policy -->")[0]
    assert set(re.findall(r"^\| `([^`]+)` \|", table, re.MULTILINE)) == keys
