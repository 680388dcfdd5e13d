"""The JSON report: a stable, versioned shape, valid against the JSON Schema the package ships."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

from hf_publish.org import report_json
from tests.org.records import HOSTILE, result_of, sample_org


def schema() -> dict:
    return json.loads(resources.files("hf_publish.data").joinpath("org-audit.schema.json").read_text())


def validate(data: dict) -> None:
    jsonschema.Draft202012Validator(schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).validate(
        data
    )


def test_the_report_is_valid_against_the_shipped_schema_and_has_a_version():
    data = json.loads(report_json.render(result_of(sample_org())))
    validate(data)
    assert data["version"] == 1
    assert data["summary"]["repos"] == 4
    assert data["storage"]["stale_bytes"] == 60 * 10**9
    assert data["storage"]["largest"][0]["id"] == "acme/old-corpus-v1"
    repo = {r["id"]: r for r in data["repos"]}
    assert repo["acme/old-corpus-v1"]["url"] == "https://huggingface.co/datasets/acme/old-corpus-v1"
    assert repo["acme/old-corpus-v1"]["stale"] and not repo["acme/old-corpus-v1"]["has_card"]
    assert data["activity"][0]["commit"]["title"] == HOSTILE


def test_an_empty_org_is_valid_too():
    validate(json.loads(report_json.render(result_of([]))))


def test_the_schema_refuses_what_the_shape_does_not_have():
    data = json.loads(report_json.render(result_of(sample_org())))
    data["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        validate(data)
    data.pop("surprise")
    data["findings"][0]["severity"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        validate(data)


def test_the_json_text_holds_no_workflow_command_even_with_hostile_text():
    result = result_of(sample_org())
    text = report_json.render(result)
    assert not any(line.lstrip().startswith("::") for line in text.splitlines())
    assert json.loads(text)["activity"][0]["commit"]["title"] == HOSTILE
