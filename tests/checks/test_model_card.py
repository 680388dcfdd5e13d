"""model-card: cards rendered by huggingface_hub, bad cards at their lines, real git repos, the CLI."""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hf_publish.cards.schema import CardSchema, card_schema, load_card_schema
from hf_publish.checks._inputs import CheckContext
from hf_publish.checks.model_card import check_card, run
from hf_publish.checks.model_card_rules import repo_id_error
from hf_publish.cli import main
from hf_publish.policy.load import parse_policy_text, policy_from_data
from hf_publish.policy.model import CardPolicy, Policy, RepoSpec
from tests.helpers import git, init_repo, write

EXAMPLES = Path(__file__).resolve().parents[2] / "hooks" / "model-card" / "examples"
DATA = Path(__file__).resolve().parents[1] / "data" / "hub-docs"

FRONT_MATTER = """\
---
language:
- ko
license: apache-2.0
pipeline_tag: text-classification
base_model: klue/bert-base
datasets:
- e9t/nsmc
model-index:
- name: bert-korean-sentiment-v2
  results:
  - task:
      type: text-classification
    dataset:
      type: e9t/nsmc
      name: NSMC
    metrics:
    - type: accuracy
      value: 0.912
---
"""  # 20 lines
BODY = """
# bert-korean-sentiment-v2

## Overview
Korean sentiment classifier fine-tuned from klue/bert-base on NSMC.

## Usage
```python
model = AutoModel.from_pretrained("acme-ai/bert-korean-sentiment-v2")
```

## Performance
| dataset | accuracy | F1 |
|---|---|---|
| NSMC | 0.912 | 0.905 |

## License
Apache 2.0.

## Contact
ml-platform@acme-ai.example
"""
COMPLETE = FRONT_MATTER + BODY
BODY_KO = (
    BODY.replace("## Overview", "## 개요")
    .replace("## Usage", "## 사용법")
    .replace("## Performance", "## 성능 지표")
    .replace("## License", "## 라이선스")
    .replace("## Contact", "## 연락처")
)


def problems(text: str | bytes, repo_type: str = "model", card: CardPolicy | None = None, repo=None):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return check_card(raw, "README.md", repo_type, card, repo)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), 1) if needle in line)


def only(findings, fragment: str):
    matching = [f for f in findings if fragment in f.message]
    assert len(matching) == 1, [f"{f.line}: {f.message}" for f in findings]
    return matching[0]


# --- huggingface_hub's own templates ------------------------------------------------------------


def _prose_lines_with(text: str, needle: str) -> set[int]:
    """Lines holding `needle` outside HTML comments (an independent reading of the template)."""
    without_comments = re.sub(r"<!--.*?-->", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return {i for i, line in enumerate(without_comments.split("\n"), 1) if needle in line}


def test_model_card_from_hub_template_fails_at_every_placeholder_line():
    from huggingface_hub import ModelCard, ModelCardData

    text = str(ModelCard.from_template(ModelCardData(license="apache-2.0", language="ko")))
    findings = problems(text)
    placeholder_lines = {f.line for f in findings if "template placeholder" in f.message}
    assert placeholder_lines == _prose_lines_with(text, "[More Information Needed]")
    assert len(placeholder_lines) > 30
    assert all(f.fix for f in findings)
    # the template's Contact section holds only a placeholder, and it has no License heading
    contact = only(findings, "required section 'Contact'")
    assert "empty" in contact.message and contact.line == line_of(text, "## Model Card Contact")
    assert only(findings, "required section 'License' is missing").line is None


def test_dataset_card_from_hub_template_fails_at_every_placeholder_line():
    from huggingface_hub import DatasetCard, DatasetCardData

    text = str(DatasetCard.from_template(DatasetCardData(license="cc-by-4.0", language="ko", pretty_name="NSMC")))
    findings = problems(text, "dataset")
    placeholder_lines = {f.line for f in findings if "template placeholder" in f.message}
    assert placeholder_lines == _prose_lines_with(text, "[More Information Needed]")
    assert placeholder_lines
    assert not [f for f in findings if "metadata" in f.message]  # its metadata is valid


def test_shipped_raw_template_reports_unrendered_variables():
    import huggingface_hub

    raw = (Path(huggingface_hub.__file__).parent / "templates" / "modelcard_template.md").read_text()
    findings = problems(raw)
    braces = {f.line for f in findings if "template placeholder" in f.message and "{{" in f.message}
    assert braces == _prose_lines_with(raw, "{{")
    assert any(f.line == line_of(raw, "{{ card_data }}") for f in findings)


def test_complete_card_passes_and_huggingface_hub_reads_it():
    from huggingface_hub import ModelCard

    assert problems(COMPLETE) == []
    card = ModelCard(COMPLETE)
    assert card.data.license == "apache-2.0"
    assert card.data.eval_results[0].metric_value == 0.912  # the model-index we accept parses


def test_complete_card_with_korean_headings_passes():
    assert problems(FRONT_MATTER + BODY_KO) == []


# --- bad cards, each at its line ---------------------------------------------------------------


def fm_with(old: str, new: str) -> str:
    assert old in COMPLETE
    return COMPLETE.replace(old, new, 1)


BAD_METADATA = [
    # (case, card text, expected line, fragment of the message, fragment of the fix): each an error
    (
        "yaml syntax",
        fm_with("license: apache-2.0", "license: apache-2.0\ntitle: BERT: Korean"),
        5,
        "metadata YAML error",
        "quote a value",
    ),
    ("tab indentation", fm_with("- ko", "\t- ko"), 3, "metadata YAML error", "not tabs"),
    (
        "unknown license",
        fm_with("license: apache-2.0", "license: Apache 2.0"),
        4,
        "'Apache 2.0' is not a license id",
        "`license: apache-2.0`",
    ),
    (
        "base_model id",
        fm_with("base_model: klue/bert-base", "base_model: klue/bert base"),
        6,
        "base_model: 'klue/bert base' is not a valid Hub repo id",
        "namespace/name",
    ),
    (
        "datasets id",
        fm_with("- e9t/nsmc", "- e9t/nsmc\n- org/a--b"),
        9,
        "datasets[1]: 'org/a--b' is not a valid Hub repo id: Cannot have -- or ..",
        "namespace/name",
    ),
    (
        "tags not a list",
        fm_with("pipeline_tag: text-classification", "tags: sentiment"),
        5,
        "tags: 'sentiment' is not a list of strings",
        "list of strings",
    ),
    ("language code", fm_with("- ko", "- korean"), 3, "language[0]: 'korean' is not a language code", "ISO 639"),
    (
        "license: no",
        fm_with("license: apache-2.0", "license: no"),
        4,
        "license: 'no' is not a license id the Hub knows",
        "license: other",
    ),
    (
        "base_model_relation",
        fm_with("base_model: klue/bert-base", "base_model: klue/bert-base\nbase_model_relation: finetuned"),
        7,
        "base_model_relation: 'finetuned' is not one of",
        "'finetune'",
    ),
    (
        "missing license",
        fm_with("license: apache-2.0\n", ""),
        1,
        "required metadata 'license' is missing",
        "license: apache-2.0",
    ),
    (
        "misspelled license key",
        fm_with("license: apache-2.0", "licence: apache-2.0"),
        4,
        "required metadata 'license' is missing; 'licence' at this line",
        "rename 'licence' to 'license'",
    ),
    ("metadata is a list", "---\n- license\n---\n" + BODY, 2, "the metadata must be a mapping", "key: value"),
    (
        "placeholder in metadata",
        fm_with("pipeline_tag: text-classification", "pipeline_tag: text-classification\nmodel_name: '{{ model_id }}'"),
        6,
        "template placeholder left in metadata: {{ model_id }}",
        "template variable",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "message", "fix"), [c[1:] for c in BAD_METADATA], ids=[c[0] for c in BAD_METADATA]
)
def test_bad_metadata_is_reported_at_its_readme_line(text, line, message, fix):
    finding = only(problems(text), message)
    assert finding.line == line
    assert fix in finding.fix
    assert finding.check == "model-card" and finding.path == "README.md" and finding.severity == "error"


SPACE_BODY = BODY.replace("from_pretrained", "Client")


@pytest.mark.parametrize(
    ("metadata", "line", "message", "fix"),
    [
        (
            "title: Demo\nsdk: streamlit-app\nlicense: mit",
            3,
            "sdk: 'streamlit-app' is not one of: gradio, docker, static, streamlit",
            "'streamlit'",
        ),
        (
            "title: Demo\nsdk: gradio\nlicense: mit\npinned: yes",
            5,
            "pinned: 'yes' is not true or false: the Hub reads YAML 1.2",
            "pinned: true",
        ),
        (
            "title: Demo\nsdk: gradio\nlicense: mit\nshort_description: " + "x" * 61,
            5,
            "short_description is 61 characters; at most 60 are allowed",
            "60 characters or fewer",
        ),
        ("title: Demo\nlicense: mit", 1, "space card metadata is missing 'sdk'", "sdk: gradio"),
        (
            "sdk: docker\nlicense: mit\nmodels:\n- acme-ai/bert-korean-sentiment-v2\n- bad..id",
            6,
            "models[1]: 'bad..id' is not a valid Hub repo id",
            "namespace/name",
        ),
        ("sdk: docker\nlicense: mit\napp_port: http", 4, "app_port: 'http' is not an integer", "integer"),
    ],
)
def test_space_metadata(metadata, line, message, fix):
    finding = only(problems(f"---\n{metadata}\n---\n{SPACE_BODY}", "space"), message)
    assert (finding.line, fix in finding.fix) == (line, True)


def test_space_sdk_must_match_the_policy():
    repo = RepoSpec("demo-space-v1", "space", path="spaces/demo", sdk="gradio")
    finding = only(
        problems(f"---\nsdk: docker\nlicense: mit\n---\n{SPACE_BODY}", "space", repo=repo), "policy configures"
    )
    assert finding.line == 2 and finding.fix.startswith("set `sdk: gradio`")


def test_dataset_metadata_by_its_own_schema():
    body = BODY.replace("## Performance", "## Results")
    good = (
        "---\nlicense: [cc-by-4.0, mit]\nsize_categories: [10K<n<100K]\ntask_categories: [text-classification]\n---\n"
    )
    assert problems(good + body, "dataset") == []
    bad = problems("---\nlicense: [cc-by-4.0, cc-by-5.0]\nsize_categories: lots\n---\n" + body, "dataset")
    assert "cc-by-4.0" not in only(bad, "license[1]: 'cc-by-5.0'").fix  # never another license as the fix
    assert only(bad, "size_categories: 'lots' is not").line == 3


# --- cards the Hub accepts: no error, and a warning only with its exact reason -------------------
# Shapes drawn from what tools write (transformers' Trainer, Keras callbacks, spaCy, huggingface_hub's
# templates) and from the Hub's metadata docs; every claim a message makes about huggingface_hub or
# PyYAML is checked against the installed library here.


def errors_of(findings):
    return [f"{f.line}: {f.message}" for f in findings if f.severity == "error"]


def warning(findings, rule: str):
    matching = [f for f in findings if f.rule == rule]
    assert len(matching) == 1 and matching[0].severity == "warning", [(f.rule, f.severity, f.message) for f in findings]
    return matching[0]


TRAINER_CARD = (
    """\
---
library_name: transformers
license: apache-2.0
base_model: klue/bert-base
tags:
- generated_from_trainer
metrics:
- accuracy
model-index:
- name: bert-korean-sentiment-v2
  results: []
---
"""
    + BODY
)
KERAS_CARD = (
    """\
---
license: mit
tags:
- generated_from_keras_callback
model-index:
- name: kobert-tf-v1
  results: []
---
"""
    + BODY
)
SPACY_CARD = (
    """\
---
tags:
- spacy
- token-classification
language:
- ko
license: cc-by-sa-4.0
model-index:
- name: ko_core_news_sm
  results:
  - task:
      name: NER
      type: token-classification
    metrics:
    - name: NER Precision
      type: precision
      value: 0.84
---
"""
    + BODY
)


@pytest.mark.parametrize(
    "card",
    [
        fm_with("license: apache-2.0", "license: openrail++"),
        fm_with("license: apache-2.0", "license: bigscience-openrail-m"),
        fm_with("license: apache-2.0", "license: llama3.1"),
        fm_with("license: apache-2.0", "license:\n- apache-2.0\n- cc-by-4.0"),
        fm_with("license: apache-2.0", "license: [other, mit]\nlicense_name: acme-research\nlicense_link: LICENSE"),
        fm_with("pipeline_tag: text-classification", "pipeline_tag: text-classification\nthumbnail: null"),
        fm_with("pipeline_tag: text-classification", "pipeline_tag: text-classification\nthumbnail:"),
        fm_with("pipeline_tag: text-classification", "pipeline_tag: text-classification\nthumbnail: ''"),
        fm_with(
            "pipeline_tag: text-classification",
            "pipeline_tag: any-to-any\ninference: false\nnew_version: acme-ai/bert-v3",
        ),
        fm_with("language:\n- ko", 'language: "no"'),
        TRAINER_CARD,
        KERAS_CARD,
    ],
    ids=[
        "openrail++",
        "bigscience-openrail-m",
        "llama3.1",
        "license list",
        "license list with other",
        "thumbnail null",
        "thumbnail empty",
        "thumbnail ''",
        "any-to-any",
        "quoted no",
        "trainer results []",
        "keras results []",
    ],
)
def test_cards_the_hub_accepts_pass_cleanly(card):
    assert problems(card) == []


def _client_sees_no_metadata(text: str) -> bool:
    from huggingface_hub import ModelCard

    return ModelCard(text).data.to_dict() == {}


def _client_raises(text: str, match: str) -> bool:
    from huggingface_hub import ModelCard

    with pytest.raises((ValueError, yaml.YAMLError), match=match):
        ModelCard(text)
    return True


@pytest.mark.parametrize(
    ("text", "rule", "claim", "holds"),
    [
        (
            "--- \nlicense: mit\n---\n" + BODY,
            "metadata-open-spaces",
            "huggingface_hub then does not see the metadata",
            _client_sees_no_metadata,
        ),
        ("---\nlicense: mit\n" + BODY, "metadata-unclosed", "the Hub reads no metadata", _client_sees_no_metadata),
        (
            "---\n? [a, b]\n: c\nlicense: mit\n---\n" + BODY,
            "yaml-complex-key",
            "PyYAML cannot build the metadata (unhashable key)",
            lambda text: _client_raises(text, "unhashable"),
        ),
        (
            "---\n- license\n---\n" + BODY,
            "metadata-not-mapping",
            "ModelCard raises ValueError on it",
            lambda text: _client_raises(text, "should be a dict"),
        ),
        (
            "---\nlicense: mit\ntitle: BERT: Korean\n---\n" + BODY,
            "yaml-syntax",
            "metadata YAML error: mapping values are not allowed",
            lambda text: _client_raises(text, "mapping values are not allowed here"),
        ),
        (
            "---\nlicense: !!python/object:os.system echo\n---\n" + BODY,
            "yaml-unsafe-tag",
            "metadata YAML error",
            lambda text: _client_raises(text, "could not determine a constructor"),
        ),
    ],
)
def test_what_an_error_says_about_huggingface_hub_is_what_huggingface_hub_does(text, rule, claim, holds):
    finding = next(f for f in problems(text) if f.rule == rule)
    assert finding.severity == "error" and claim in finding.message
    assert holds(text)


def test_a_yaml_11_boolean_where_the_hub_wants_one_says_both_readings_truly():
    from ruamel.yaml import YAML

    finding = only(problems(f"---\nsdk: gradio\nlicense: mit\npinned: yes\n---\n{SPACE_BODY}", "space"), "pinned")
    assert (
        "the Hub reads YAML 1.2, where yes is text; only YAML 1.1 readers such as PyYAML read it as true"
        in finding.message
    )
    assert yaml.safe_load("pinned: yes") == {"pinned": True}
    assert YAML(typ="safe", pure=True).load("pinned: yes") == {"pinned": "yes"}


def test_model_index_results_empty_loads_in_huggingface_hub():
    from huggingface_hub import ModelCard

    for card in (TRAINER_CARD, KERAS_CARD):
        assert ModelCard(card).data.eval_results == []  # the client reads what the check accepts


def test_bom_is_a_warning_and_every_claim_it_makes_holds(tmp_path: Path):
    from huggingface_hub import ModelCard, RepoCard

    text = "\ufeff" + fm_with("pipeline_tag: text-classification", "pipeline_tag: text-clasification")
    findings = problems(text)
    bom = warning(findings, "card-bom")
    assert bom.line == 1 and "without BOM" in bom.fix and not errors_of(findings)
    assert only(findings, "pipeline_tag").line == 5  # the rest is still checked, at the right lines
    # "ModelCard.load() reads it (utf-8-sig)":
    path = tmp_path / "README.md"
    path.write_bytes(text.encode("utf-8"))
    assert "reads it (utf-8-sig)" in bom.message and ModelCard.load(path).data.license == "apache-2.0"
    # "a tool that reads the file as plain UTF-8 and passes the text to RepoCard(...) finds no metadata block":
    assert RepoCard(path.read_text(encoding="utf-8")).data.to_dict() == {}


def test_streamlit_space_is_a_warning_that_says_exactly_why():
    findings = problems(
        f"---\ntitle: Demo\nsdk: streamlit\nsdk_version: 1.32.0\napp_file: app.py\nlicense: mit\n---\n{SPACE_BODY}",
        "space",
    )
    finding = warning(findings, "space-sdk-streamlit")
    assert finding.line == 3 and not errors_of(findings)
    assert (
        "still serves existing streamlit Spaces" in finding.message
        and "no longer offers streamlit for new" in finding.message
    )
    assert "sdk: docker" in finding.fix


@pytest.mark.parametrize(
    ("extra", "missing"),
    [
        ("", "license_name and license_link"),
        ("license_name: acme-research\n", "license_link"),
        ("license_link: LICENSE\n", "license_name"),
    ],
)
def test_license_other_without_name_or_link_is_a_warning_the_org_can_make_an_error(extra, missing):
    text = (
        fm_with("license: apache-2.0", "license: other\n" + extra.rstrip("\n"))
        if extra
        else fm_with("license: apache-2.0", "license: other")
    )
    finding = warning(problems(text), "license-other-unnamed")
    assert finding.line == 4 and f"license: other without {missing}: the Hub accepts the card" in finding.message
    assert "apache" not in finding.fix  # never a different license as the fix
    strict = CardPolicy(severity={"license-other-unnamed": "error"})
    assert [f.severity for f in problems(text, card=strict)] == ["error"]


def test_language_no_names_both_readers_and_both_readings_are_true():
    from huggingface_hub import ModelCard
    from ruamel.yaml import YAML

    text = fm_with("language:\n- ko", "language: no")
    finding = warning(problems(text), "yaml-readers-disagree")
    assert finding.line == 2 and finding.fix == 'quote it, so both read the text: `"no"`'
    assert "the Hub's YAML (1.2) reads no as the text 'no'" in finding.message
    assert "PyYAML, and so huggingface_hub's ModelCard.load() (YAML 1.1), reads it as false" in finding.message
    assert ModelCard(text).data.language is False  # PyYAML's reading
    assert YAML(typ="safe", pure=True).load("language: no") == {"language": "no"}  # a YAML 1.2 reader's
    # Both readings fail: the Hub's reading decides, and it is an error.
    [error] = problems(fm_with("license: apache-2.0", "license: on"))  # no readers-disagree warning beside it
    assert error.severity == "error" and "'on' is not a license id" in error.message


@pytest.mark.parametrize(("value", "shown"), [("[ko, no]", "language[1]"), ("\n- 'no'\n- yes", "language[1]")])
def test_yaml_11_booleans_inside_lists_are_named_at_their_item(value, shown):
    text = fm_with("language:\n- ko", f"language: {value}" if value.startswith("[") else f"language:{value}")
    finding = warning(problems(text), "yaml-readers-disagree")
    assert finding.message.startswith(shown + ":")


def test_duplicate_key_is_a_warning_and_pyyaml_keeps_the_later_value():
    from huggingface_hub import ModelCard

    text = fm_with("pipeline_tag: text-classification", "license: mit")
    finding = warning(problems(text), "yaml-duplicate-key")
    assert finding.line == 5 and "duplicate metadata key 'license' (first at line 4)" in finding.message
    assert "keeps this later one" in finding.message and ModelCard(text).data.license == "mit"


@pytest.mark.parametrize("blank", ["\t", "  \t  ", "\t\t"])
def test_tab_on_a_blank_line_is_a_warning_with_pyyamls_exact_failure(blank):
    from huggingface_hub import ModelCard

    text = fm_with("license: apache-2.0\n", f"license: apache-2.0\n{blank}\n")
    findings = problems(text)
    finding = warning(findings, "yaml-tab-blank-line")
    assert finding.line == 5 and "found character '\\t' that cannot start any token" in finding.message
    assert not errors_of(findings)  # and the rest of the metadata is still checked:
    assert only(problems(text.replace("pipeline_tag: text-classification", "pipeline_tag: x-y-z")), "x-y-z").line == 6
    with pytest.raises(yaml.YAMLError, match="cannot start any token"):
        ModelCard(text)  # the claim: PyYAML, and so ModelCard, fails on it


def test_model_index_off_the_spec_is_a_warning_that_says_what_the_page_and_the_client_do():
    from huggingface_hub import ModelCard

    nameless = fm_with("- name: bert-korean-sentiment-v2", "- name: ''")
    finding = warning(problems(nameless), "model-index-shape")
    assert finding.line == 10 and "model-index[0].name is empty" in finding.message
    assert "shows a metadata notice on the page" in finding.message and "raises" not in finding.message
    assert ModelCard(nameless).data.model_name == ""  # it loads, as the message implies

    findings = problems(SPACY_CARD)
    finding = warning(findings, "model-index-shape")
    assert "model-index[0].results[0]: missing 'dataset'" in finding.message and not errors_of(findings)
    assert "huggingface_hub's ModelCard.load() raises ValueError on it" in finding.message
    with pytest.raises(ValueError, match="Invalid `model_index`"):
        ModelCard(SPACY_CARD)  # the claim holds
    assert "ignore_metadata_errors=True" in finding.message
    assert ModelCard(SPACY_CARD, ignore_metadata_errors=True).data.eval_results is None


@pytest.mark.parametrize(
    "old, new",
    [
        ("      value: 0.912\n", ""),
        ("  - task:\n      type: text-classification\n", "  - task: {}\n"),
        ("  results:\n", "  results: nothing\n  old_results:\n"),
    ],
)
def test_every_model_index_shape_problem_is_a_warning(old, new):
    findings = problems(fm_with(old, new))
    assert [f.rule for f in findings] == ["model-index-shape"] and not errors_of(findings)


def test_no_metadata_is_a_warning_unless_the_policy_requires_a_key():
    card = CardPolicy(required_metadata=())
    [finding] = problems(BODY.lstrip("\n"), card=card)
    assert (finding.rule, finding.severity, finding.line) == ("metadata-missing", "warning", 1)
    assert "the Hub accepts it" in finding.message
    [empty] = problems("---\n---\n" + BODY, card=card)
    assert (empty.rule, empty.severity) == ("metadata-missing", "warning")
    [required] = problems(BODY.lstrip("\n"))
    assert (required.rule, required.severity) == ("required-metadata", "error")


def test_unknown_pipeline_tag_is_a_warning_with_the_closest_tag():
    findings = problems(fm_with("pipeline_tag: text-classification", "pipeline_tag: text-clasification"))
    finding = warning(findings, "pipeline-tag-unknown")
    assert finding.line == 5 and "`pipeline_tag: text-classification`" in finding.fix


@pytest.mark.parametrize(
    "value", ["openrail+", "cc-by-5.0", "llama5", "apache-3.0", "gpl-4.0", "openrail-m++", "mit-0", "bsd-4-clause"]
)
def test_an_unknown_license_never_gets_another_license_as_its_fix(value):
    from hf_publish.cards import vocab

    [finding] = problems(fm_with("license: apache-2.0", f"license: {value}"))
    assert finding.severity == "error" and f"license: {value!r} is not a license id" in finding.message
    named = {i for i in vocab.licenses().ids if f"license: {i}`" in finding.fix}
    assert named == {"other"}, finding.fix


@pytest.mark.parametrize(
    ("written", "same"),
    [
        ("Apache 2.0", "apache-2.0"),
        ("Apache License 2.0", "apache-2.0"),
        ("apache-2", "apache-2.0"),
        ("MIT License", "mit"),
        ("CC BY 4.0", "cc-by-4.0"),
        ("CC-BY-NC-SA-4.0", "cc-by-nc-sa-4.0"),
        ("GPL v3", "gpl-3.0"),
        ("Llama 3.1", "llama3.1"),
        ("OpenRAIL++", "openrail++"),
        ("BSD_3_Clause", "bsd-3-clause"),
    ],
)
def test_a_license_spelled_otherwise_gets_its_own_id(written, same):
    [finding] = problems(fm_with("license: apache-2.0", f"license: {written}"))
    assert finding.fix.startswith(f"use `license: {same}` (the Hub's id for this license)")


def _vendored_ids(name: str) -> list[str]:
    return [line for line in (DATA / name).read_text(encoding="utf-8").split("\n") if line and not line.startswith("#")]


def test_shipped_licenses_hold_every_id_of_the_hub_licenses_page():
    from hf_publish.cards import vocab

    page = (DATA / "repositories-licenses.md").read_text(encoding="utf-8")
    assert re.search(r"retrieved: \d{4}-\d{2}-\d{2}", page)  # the vendored text carries its date
    table = page.split("<!-- region licenses -->")[1].split("<!-- endregion -->")[0]
    ids = re.findall(r"^\|[^|]+\|\s*`([^`]+)`\s*\|$", table, re.M)
    assert len(ids) == 69 and "openrail++" in ids
    assert [i for i in ids if i not in vocab.licenses()] == []
    for license_id in ids:  # and the check accepts each of them
        assert (
            problems(
                fm_with(
                    "license: apache-2.0",
                    f"license: {license_id}"
                    if license_id != "other"
                    else "license: other\nlicense_name: x\nlicense_link: LICENSE",
                )
            )
            == []
        ), license_id


def test_shipped_pipeline_tags_are_the_hub_task_list():
    from hf_publish.cards import vocab

    listed = _vendored_ids("pipeline-tags.txt")
    assert re.search(r"retrieved: \d{4}-\d{2}-\d{2}", (DATA / "pipeline-tags.txt").read_text())
    assert sorted(listed) == sorted(vocab.pipeline_tags().ids)


# --- the file itself ---------------------------------------------------------------------------


def test_crlf_is_accepted_and_lines_stay_right():
    text = COMPLETE.replace("Apache 2.0.", "Apache 2.0. TODO: link the text")
    crlf = text.replace("\n", "\r\n").encode()
    [finding] = problems(crlf)
    assert finding.line == line_of(text, "TODO: link") and "TODO" in finding.message
    assert problems(COMPLETE.replace("\n", "\r\n")) == []


def test_no_front_matter_and_unclosed_front_matter():
    [missing] = problems(BODY.lstrip("\n"))  # the default policy requires `license`: an org-policy error
    assert missing.line == 1 and "no metadata block" in missing.message and "license: apache-2.0" in missing.fix
    assert missing.severity == "error" and missing.rule == "required-metadata"
    [unclosed] = problems("---\nlicense: mit\n" + BODY)
    assert unclosed.line == 1 and "never closed" in unclosed.message


def test_non_utf8_is_reported_at_the_first_bad_byte_with_the_iconv_fix():
    text = COMPLETE.replace("Apache 2.0.", "아파치 2.0")
    [finding] = problems(text.encode("cp949"))
    assert finding.line == line_of(text, "아파치")
    assert "not valid UTF-8" in finding.message and "iconv -f cp949 -t utf-8" in finding.fix


def test_binary_and_lfs_pointer_readmes_get_a_finding_not_a_traceback():
    [binary] = problems(b"# title\n\n\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert binary.line == 5 and "binary" in binary.message
    pointer = b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"a" * 64 + b"\nsize 12345\n"
    [lfs] = problems(pointer)
    assert "Git LFS pointer" in lfs.message and "!filter" in lfs.fix


def test_huge_card_is_refused_without_parsing_it():
    started = time.perf_counter()
    [finding] = problems(b"---\nlicense: mit\n---\n" + b"TODO lorem ipsum\n" * (20 * 1024 * 1024 // 17))
    assert (finding.rule, finding.severity) == ("card-over-hub-limit", "error")
    assert "the Hub refuses a regular file of 10 MiB or more" in finding.message
    assert time.perf_counter() - started < 5  # a guard against hanging, not a speed target


def test_a_card_between_2_and_10_mib_is_not_checked_and_says_so():
    [finding] = problems(b"---\nlicense: mit\n---\n" + b"TODO lorem ipsum\n" * (3 * 1024 * 1024 // 17))
    assert (finding.rule, finding.severity) == ("card-too-large", "warning")
    assert "cards over 2 MiB are not checked" in finding.message


@pytest.mark.parametrize(
    "metadata",
    [
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e]",
        "license: !!python/object:os.system echo",
        "{{ card_data }}",
        "license: [unclosed",
        "? [a, b]\n: c",
    ],
)
def test_hostile_metadata_gives_findings_not_tracebacks(metadata):
    findings = problems(f"---\n{metadata}\n---\n{BODY}")
    assert findings and all(f.line and f.fix for f in findings)


# --- placeholders ------------------------------------------------------------------------------


def test_placeholders_in_code_comments_and_prose_words_are_not_findings():
    body = BODY.replace(
        "## Performance",
        (
            "The chat template:\n\n```jinja\n{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}\n# TODO\n```\n\n"
            "Inline `{{ eos_token }}` and ``TODO`` are code. Our todo list is done; tbd is a word too.\n\n"
            "<!-- TODO: guidance from the template,\nspanning lines [More Information Needed] -->\n\n## Performance"
        ),
    )
    assert problems(FRONT_MATTER + body) == []


def test_each_placeholder_kind_is_reported_at_its_line():
    body = BODY.replace("Apache 2.0.", "TBD").replace("## Overview\n", "## Overview\nWritten by {{ author }}.\n")
    body = body.replace("ml-platform@acme-ai.example", "[More Information Needed]\nTODO: add the on-call rota")
    text = FRONT_MATTER + body
    findings = [f for f in problems(text) if "template placeholder" in f.message]
    assert {f.line: f.message.split(": ", 1)[1] for f in findings} == {
        line_of(text, "{{ author }}"): "{{ author }}",
        line_of(text, "TBD"): "TBD",
        line_of(text, "[More Information Needed]"): "[More Information Needed]",
        line_of(text, "TODO: add"): "TODO",
    }


def test_allow_placeholders_still_treats_placeholder_only_sections_as_empty():
    text = COMPLETE.replace("ml-platform@acme-ai.example", "[More Information Needed]")
    [finding] = problems(text, card=CardPolicy(allow_placeholders=True))
    assert "required section 'Contact' ('Contact') is empty (it holds only placeholders)" in finding.message


# --- sections ----------------------------------------------------------------------------------


def test_missing_section_and_level_one_heading():
    text = COMPLETE.replace("## Contact\nml-platform@acme-ai.example\n", "").replace("## License", "# License")
    findings = problems(text)
    assert only(findings, "required section 'Contact' is missing").line is None
    level1 = only(findings, "is a level-1 heading")
    assert level1.line == line_of(text, "# License") and level1.fix == "make it `## License`"


def test_section_with_only_empty_subsections_is_empty_but_one_with_content_is_not():
    empty = COMPLETE.replace("ml-platform@acme-ai.example\n", "<!-- who to ask -->\n\n### Email\n\n#### Slack\n\n")
    finding = only(problems(empty), "required section 'Contact'")
    assert finding.line == line_of(empty, "## Contact") and "its sub-sections are empty" in finding.message
    filled = empty.replace("#### Slack\n", "#### Slack\n#ml-platform\n")
    assert problems(filled) == []


def test_setext_and_html_headings_and_loose_heading_text_match():
    body = (
        BODY.replace("## Overview", "Overview\n--------")
        .replace("## Usage", "<h2>Usage</h2>")
        .replace("## Performance", "## 📊 3. **Performance**:")
    )
    assert problems(FRONT_MATTER + body) == []


def test_bold_text_is_not_a_heading_and_the_fix_says_so():
    text = COMPLETE.replace("## License", "**License**")
    finding = only(problems(text), "required section 'License' is missing")
    assert finding.line == line_of(text, "**License**") and finding.fix == "make it a heading: `## License`"


def test_decomposed_korean_headings_match():
    import unicodedata

    assert problems(FRONT_MATTER + unicodedata.normalize("NFD", BODY_KO)) == []


def test_fences_indented_in_list_items_are_code():
    text = COMPLETE.replace("```python\nmodel", "1. Load it:\n    ```python\n    # TODO: {{ x }}\n    model").replace(
        'v2")\n```', 'v2")\n    ```'
    )
    assert "    # TODO: {{ x }}" in text and problems(text) == []


def test_close_heading_gets_a_rename_or_configure_fix():
    text = COMPLETE.replace("## License", "## Licence")
    finding = only(problems(text), "required section 'License' is missing")
    assert finding.line == line_of(text, "## Licence")
    assert "rename it to `## License`" in finding.fix and "section_headings" in finding.fix


def test_policy_section_headings_and_custom_sections():
    policy = policy_from_data(
        {
            "card": {
                "required_sections": ["Overview", "Usage", "Limitations"],
                "section_headings": {"Usage": ["Quickstart", "빠른 시작"], "Limitations": ["한계"]},
            }
        }
    )
    body = BODY.replace("## Usage", "## 빠른 시작") + "\n## 한계\n짧은 리뷰는 덜 정확합니다.\n"
    assert problems(FRONT_MATTER + body, card=policy.card) == []
    finding = only(problems(COMPLETE, card=policy.card), "required section 'Limitations' is missing")
    assert "accepted headings: Limitations, 한계" in finding.message


# --- the worded errors say what jsonschema says, and the cache remembers them -----------------


def test_card_schemas_are_valid_json_schemas():
    for repo_type in ("model", "dataset", "space"):
        jsonschema.Draft202012Validator.check_schema(load_card_schema(repo_type))


def test_a_keyword_without_its_own_words_keeps_jsonschemas_message():
    errors = CardSchema({"type": "object", "properties": {"n": {"multipleOf": 2}}}).errors({"n": 3})
    assert [(e.path, e.keyword, e.message) for e in errors] == [(("n",), "multipleOf", "3 is not a multiple of 2")]


def test_errors_come_in_the_cards_order_one_per_missing_or_unknown_key():
    schema = CardSchema(
        {
            "type": "object",
            "required": ["a", "b"],
            "additionalProperties": False,
            "properties": {"z": {"type": "string"}, "y": {"enum": ["x"]}, "a": {}, "b": {}},
        }
    )
    errors = schema.errors({"y": "q", "extra": 1, "z": 2, "more": 2})
    assert [(e.path, e.message) for e in errors] == [
        ((), "missing 'a'"),
        ((), "missing 'b'"),
        (("y",), "'q' is not one of: x"),
        (("extra",), "unknown key 'extra'"),
        (("z",), "2 is not a string"),
        (("more",), "unknown key 'more'"),
    ]


def test_an_anyof_names_the_branch_the_value_was_meant_for():
    schema = CardSchema({"anyOf": [{"type": "string", "maxLength": 3}, {"type": "array", "items": {"type": "string"}}]})
    assert [e.message for e in schema.errors("abcd")] == ["is 4 characters; at most 3 are allowed"]
    assert [(e.path, e.message) for e in schema.errors(["a", 1])] == [((1,), "1 is not a string")]
    assert [e.message for e in schema.errors(5)] == ["5 is not a string or a list of strings"]


def test_the_cache_remembers_worded_errors_so_an_unchanged_card_skips_jsonschema(tmp_path, monkeypatch):
    """Importing jsonschema is most of a hook's time: a second run over the same card must not."""
    card = tmp_path / "README.md"
    card.write_text(COMPLETE.replace("license: apache-2.0", "license: apache2"), encoding="utf-8")
    program = (
        "import sys; from pathlib import Path; from hf_publish.checks.model_card import check_card; "
        "from hf_publish.policy.model import CardPolicy; "
        "found = check_card(Path(sys.argv[1]).read_bytes(), 'README.md', card=CardPolicy()); "
        "print(sorted(f.message for f in found)); print('jsonschema' in sys.modules)"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("HF_PUBLISH_NO_CACHE", None)
    runs = [
        subprocess.run(
            [sys.executable, "-c", program, str(card)], capture_output=True, text=True, env=env, check=True
        ).stdout.splitlines()
        for _ in range(2)
    ]
    assert runs[0][0] == runs[1][0] and "apache2" in runs[0][0]  # the same findings from the cache
    assert runs[0][1] == "True" and runs[1][1] == "False"
    assert list((tmp_path / "cache" / "hf-publish" / "card-metadata").glob("*.json"))
    no_cache = subprocess.run(
        [sys.executable, "-c", program, str(card)],
        capture_output=True,
        text=True,
        check=True,
        env={**env, "HF_PUBLISH_NO_CACHE": "1"},
    ).stdout.splitlines()
    assert no_cache == runs[0]


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 70000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        [
            "",
            "ko",
            "en-US",
            "korean",
            "gradio",
            "streamlit",
            "mit",
            "adapter",
            "n<1K",
            "x" * 61,
            "org/name",
            "text-classification",
        ]
    ),
)
_json = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(
                ["name", "type", "value", "results", "task", "dataset", "metrics", "config_name", "data_files", "split"]
            ),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=12,
)


def _from_schema(schema: dict, root: dict):
    """Instances valid under `schema` (the keyword subset the card schemas use)."""
    if "$ref" in schema:
        schema = root["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "anyOf" in schema:
        return st.one_of([_from_schema(s, root) for s in schema["anyOf"]])
    types = schema.get("type")
    if isinstance(types, list):
        return st.one_of([_from_schema({**schema, "type": t}, root) for t in types])
    if types == "string":
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True)
        return st.text(min_size=schema.get("minLength", 0), max_size=schema.get("maxLength", 70))
    if types == "integer":
        return st.integers(schema.get("minimum", -10), schema.get("maximum", 70000))
    if types == "number":
        return st.one_of(st.integers(-5, 5), st.floats(allow_nan=False, allow_infinity=False))
    if types == "boolean":
        return st.booleans()
    if types == "null":
        return st.none()
    if types == "array":
        items = _from_schema(schema["items"], root) if "items" in schema else _json
        return st.lists(items, min_size=schema.get("minItems", 0), max_size=3)
    if types == "object":
        props = schema.get("properties", {})
        required = {k: _from_schema(props.get(k, {}), root) for k in schema.get("required", ())}
        optional = {k: _from_schema(v, root) for k, v in props.items() if k not in required}
        return st.fixed_dictionaries(required, optional=optional)
    return _json


@st.composite
def _metadata(draw, schema: dict):
    """A valid card metadata mapping, sometimes with a value replaced by an arbitrary one."""
    instance = draw(_from_schema({**schema, "required": []}, schema))
    for key in draw(st.lists(st.sampled_from(sorted(schema["properties"])), max_size=2)):
        instance[key] = draw(_json)
    return instance


_KINDS = [None, True, False, 0, 3, 2.5, "s", [], {}]


def _minimal(schema: dict, root: dict):
    """The smallest valid value of `schema`."""
    if "$ref" in schema:
        schema = root["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    if "examples" in schema:
        return schema["examples"][0]
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        return _minimal(schema["anyOf"][0], root)
    kind = schema.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    if kind == "object":
        return {k: _minimal(schema["properties"].get(k, {}), root) for k in schema.get("required", ())}
    if kind == "array":
        return [_minimal(schema.get("items", {}), root)] * schema.get("minItems", 0)
    if kind == "integer":
        return schema.get("minimum", 1)
    return {"string": "x" * max(1, schema.get("minLength", 1)), "number": 1.5, "boolean": True, "null": None}.get(
        kind, "x"
    )


def _near_misses(schema: dict, root: dict):
    """Values on both sides of every constraint of `schema`, at every depth: wrong JSON types (true
    where a number goes), lengths and bounds at and past the limit, values outside an enum, a
    missing required key, and each of those one level down."""
    if "$ref" in schema:
        schema = root["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    yield from _KINDS
    for value in schema.get("examples", ()):
        yield value
    for value in schema.get("enum", ()):
        yield value
        yield str(value).upper()
    for branch in schema.get("anyOf", ()):
        yield from _near_misses(branch, root)
    if "maxLength" in schema:
        yield from ("x" * schema["maxLength"], "x" * (schema["maxLength"] + 1))
    if "minLength" in schema:
        yield ""
    if "pattern" in schema:
        yield from ("not a code", "EN", "en-", "zh-Hans-")
    if "minimum" in schema:
        yield from (schema["minimum"] - 1, schema["minimum"], float(schema["minimum"]))
    if "maximum" in schema:
        yield from (schema["maximum"], schema["maximum"] + 1)
    kind = schema.get("type")
    if kind == "array":
        item = _minimal(schema.get("items", {}), root)
        count = schema.get("minItems", 0)
        yield from ([item] * max(0, count - 1), [item] * count, [item] * (count + 1))
        for value in _near_misses(schema.get("items", {}), root):
            yield [value]
    if kind == "object":
        base = _minimal(schema, root)
        for key in schema.get("required", ()):
            yield {k: v for k, v in base.items() if k != key}
        for key, sub in schema.get("properties", {}).items():
            for value in _near_misses(sub, root):
                yield {**base, key: value}


@pytest.mark.parametrize("repo_type", ["model", "dataset", "space"])
def test_worded_errors_exist_exactly_when_jsonschema_finds_one_on_every_boundary(repo_type):
    schema = load_card_schema(repo_type)
    base = {"sdk": "gradio"} if repo_type == "space" else {}
    checked = valid = 0
    for key, sub in schema["properties"].items():
        for value in _near_misses(sub, schema):
            instance = {**base, key: value}
            expected = _reference_validator(repo_type).is_valid(instance)
            assert CardSchema(load_card_schema(repo_type)).is_valid(instance) == expected, instance
            checked, valid = checked + 1, valid + expected
    assert checked > 300 and 0.1 < valid / checked < 0.9  # both outcomes well represented


@functools.cache
def _reference_validator(repo_type: str):
    return jsonschema.Draft202012Validator(load_card_schema(repo_type))


@pytest.mark.parametrize("repo_type", ["model", "dataset", "space"])
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_worded_errors_exist_exactly_when_jsonschema_finds_one(repo_type, data):
    schema = load_card_schema(repo_type)
    instance = data.draw(_metadata(schema))
    if repo_type == "space" and data.draw(st.booleans()):
        instance.setdefault("sdk", "gradio")
    reference = _reference_validator(repo_type).is_valid(instance)
    assert card_schema(repo_type).is_valid(instance) == reference


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="aZ09-_./ é", max_size=14) | st.sampled_from(["a" * 96, "a" * 97, "x/" + "a" * 96, "a.git"]))
def test_repo_id_fast_path_agrees_with_validate_repo_id(value):
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    try:
        validate_repo_id(value)
        expected = True
    except HFValidationError:
        expected = False
    assert (repo_id_error(value) is None) == expected


def test_valid_card_hook_run_imports_neither_jsonschema_nor_huggingface_hub(tmp_path: Path):
    write(tmp_path / "README.md", COMPLETE)
    code = (
        "import sys; from pathlib import Path; from hf_publish.checks._inputs import CheckContext; "
        "from hf_publish.policy.model import Policy; from hf_publish.checks import model_card; "
        f"ctx = CheckContext(root=Path({str(tmp_path)!r}), policy=Policy(), files=('README.md',), in_git=False); "
        "assert model_card.run(ctx) == []; "
        "print(sorted(m for m in ('jsonschema', 'huggingface_hub', 'git') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --- real git repos ----------------------------------------------------------------------------


def ctx_for(repo: Path, policy: Policy = Policy(), files=None, source="index", in_git=True) -> CheckContext:
    return CheckContext(root=repo, policy=policy, files=files, source=source, in_git=in_git)


def test_the_staged_card_is_checked_not_the_working_tree(tmp_path: Path):
    repo = init_repo(tmp_path / "r", lfs=False)
    bad = COMPLETE.replace("Apache 2.0.", "Apache 2.0. TODO: link the text")
    write(repo / "README.md", bad)
    git(repo, "add", "README.md")
    write(repo / "README.md", COMPLETE)  # fixed, but not staged
    [finding] = run(ctx_for(repo, files=("README.md",)))
    assert finding.line == line_of(bad, "TODO")
    assert run(ctx_for(repo, files=("README.md",), source="worktree")) == []
    git(repo, "add", "README.md")
    assert run(ctx_for(repo)) == []  # no files given: the staged README is found


def test_untracked_card_falls_back_to_the_working_tree(tmp_path: Path):
    repo = init_repo(tmp_path / "r", lfs=False)
    write(repo / "docs" / "readme.md", COMPLETE.replace("license: apache-2.0", "license: apache"))
    docs_cards = Policy(card=CardPolicy(paths=("docs/*",)))  # docs/ holds cards only when card.paths says so
    assert run(ctx_for(repo, files=("docs/readme.md",))) == []
    [finding] = run(ctx_for(repo, docs_cards, files=("docs/readme.md",)))
    assert finding.path == "docs/readme.md" and finding.line == 4 and "'apache'" in finding.message


def test_configured_repos_are_checked_by_their_type(tmp_path: Path):
    repo = init_repo(tmp_path / "r", lfs=False)
    policy = Policy(
        organization="acme-ai",
        repos=(
            RepoSpec("bert-korean-sentiment-v2", "model", path="models/bert"),
            RepoSpec("nsmc-reviews-v1", "dataset", path="data/nsmc"),
            RepoSpec("sentiment-demo-v1", "space", path="spaces/demo", sdk="gradio"),
            RepoSpec("kobart-summary-v1", "model", path="models/kobart"),
            RepoSpec("electra-ner-v1", "model", path="models/electra"),
        ),
    )
    write(repo / "models/bert/README.md", COMPLETE)
    write(repo / "data/nsmc/README.md", "---\nlicense: [cc-by-4.0, mit]\n---\n" + BODY)
    write(repo / "spaces/demo/README.md", "---\nlicense: mit\n---\n" + BODY)
    write(repo / "models/electra/readme.md", COMPLETE)
    write(repo / "data/nsmc/raw/README.md", "---\nlicense: [cc-by-4.0]\npipeline_tag: nope\n---\n" + BODY)
    git(repo, "add", "-A")
    findings = run(ctx_for(repo, policy, files=None))  # no named files: every configured card
    by_path = {}
    for f in findings:
        by_path.setdefault(f.path, []).append(f.message)
    assert by_path == {
        "spaces/demo/README.md": ["space card metadata is missing 'sdk'"],
        "models/kobart/README.md": [
            "model repo 'kobart-summary-v1' has no card: models/kobart/README.md does not exist"
        ],
        "models/electra/readme.md": [
            "the card of model repo 'electra-ner-v1' is named readme.md: the Hub only reads a card named README.md"
        ],
    }  # the dataset cards (license lists, no pipeline_tag rule) and the model card pass
    # Named files (a pre-commit run) are checked alone, so split runs do not repeat findings:
    # the missing kobart card is not reported again when only another README is named.
    assert run(ctx_for(repo, policy, files=("data/nsmc/raw/README.md",))) == []


def test_publishing_some_repos_checks_only_their_cards(tmp_path: Path):
    repo = init_repo(tmp_path / "r", lfs=False)
    policy = Policy(
        organization="acme-ai",
        repos=(RepoSpec("bert-ko-v1", path="models/bert"), RepoSpec("t5-ko-v1", path="models/t5")),
        card=CardPolicy(paths=("models/*/docs/README.md",)),
    )
    write(repo / "models/bert/README.md", COMPLETE)
    write(repo / "models/bert/docs/README.md", COMPLETE.replace("Apache 2.0.", "TBD, see TODO"))
    write(repo / "models/t5/README.md", "no card yet")
    git(repo, "add", "-A")
    ctx = CheckContext(root=repo, policy=policy, source="worktree", repos=("bert-ko-v1",))
    assert {f.path for f in run(ctx)} == {"models/bert/docs/README.md"}
    ctx = CheckContext(root=repo, policy=policy, source="worktree")
    assert {f.path for f in run(ctx)} == {"models/bert/docs/README.md", "models/t5/README.md"}


OUTSIDE_SECRET = "TODO: this text lives outside the checkout and must never be echoed"


def _outside_card(tmp_path: Path) -> Path:
    """A perfectly valid card outside the checkout (so following the link would pass the check),
    plus a line that would surface in a finding if its text were ever read."""
    return write(tmp_path / "elsewhere" / "card.md", COMPLETE.replace("Apache 2.0.", f"Apache 2.0.\n{OUTSIDE_SECRET}"))


@pytest.mark.parametrize("source", ["index", "worktree"])
def test_a_staged_symlinked_card_is_a_finding_and_is_never_read(tmp_path: Path, source):
    repo = init_repo(tmp_path / "r", lfs=False)
    (repo / "README.md").symlink_to(_outside_card(tmp_path))
    git(repo, "add", "README.md")
    assert git(repo, "ls-files", "-s", "README.md").startswith("120000 ")  # git stores the link itself
    # Without named files, publish time looks at what a publish of the configured repos uploads.
    policy = Policy(repos=(RepoSpec("bert-korean-sentiment-v2", "model", path="."),))
    for files in (("README.md",), None):
        [finding] = run(ctx_for(repo, policy, files=files, source=source))
        assert (finding.path, finding.rule, finding.severity) == ("README.md", "card-symlink", "error")
        assert "symbolic link" in finding.message and "the repo gets no card" in finding.message
        assert "outside the checkout" not in finding.message + finding.fix and "TODO" not in finding.message


def test_a_symlinked_card_in_the_index_is_a_finding_even_when_checked_out_as_a_file(tmp_path: Path):
    # core.symlinks=false (Windows): the working tree holds the link text, the index says 120000.
    repo = init_repo(tmp_path / "r", lfs=False)
    git(repo, "config", "core.symlinks", "false")
    blob = (
        subprocess.run(
            ["git", "-C", str(repo), "hash-object", "-w", "--stdin"],
            input=b"../elsewhere/card.md",
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .strip()
    )
    git(repo, "update-index", "--add", "--cacheinfo", f"120000,{blob},README.md")
    write(repo / "README.md", COMPLETE)
    [finding] = run(ctx_for(repo, files=("README.md",)))
    assert finding.rule == "card-symlink" and "staged as a symbolic link (git mode 120000)" in finding.message


def test_an_untracked_symlinked_card_and_a_card_in_a_linked_folder_are_findings(tmp_path: Path):
    repo = init_repo(tmp_path / "r", lfs=False)
    outside = _outside_card(tmp_path)
    (repo / "docs").mkdir()
    (repo / "docs" / "README.md").symlink_to(outside)
    (repo / "models").mkdir()
    (repo / "models" / "bert").symlink_to(outside.parent, target_is_directory=True)
    (outside.parent / "README.md").write_text(outside.read_text())
    policy = Policy(repos=(RepoSpec("bert-ko-v1", path="models/bert"),), card=CardPolicy(paths=("docs/README.md",)))
    findings = run(ctx_for(repo, policy, files=("docs/README.md", "models/bert/README.md")))
    assert {(f.path, f.rule) for f in findings} == {
        ("docs/README.md", "card-symlink"),
        ("models/bert/README.md", "card-symlink"),
    }
    linked = next(f for f in findings if f.path == "models/bert/README.md")
    assert "inside models/bert/, which is a symbolic link" in linked.message
    assert all(OUTSIDE_SECRET not in f.message for f in findings)


def test_a_configured_repo_whose_card_is_a_symlink_fails_at_publish_time(tmp_path: Path):
    repo = init_repo(tmp_path / "r", lfs=False)
    policy = Policy(organization="acme-ai", repos=(RepoSpec("bert-ko-v1", path="models/bert"),))
    (repo / "models" / "bert").mkdir(parents=True)
    (repo / "models" / "bert" / "README.md").symlink_to(_outside_card(tmp_path))
    git(repo, "add", "-A")
    [finding] = run(CheckContext(root=repo, policy=policy, source="worktree"))
    assert (finding.path, finding.rule) == ("models/bert/README.md", "card-symlink")


def test_huge_staged_card_is_refused_by_size(tmp_path: Path):
    repo = init_repo(tmp_path / "r", lfs=False)
    with open(repo / "README.md", "wb") as handle:
        handle.write(b"---\nlicense: mit\n---\n")
        handle.write(b"lorem ipsum TODO\n" * (20 * 1024 * 1024 // 17))
    git(repo, "add", "README.md")
    [finding] = run(ctx_for(repo, files=("README.md",)))
    assert finding.rule == "card-over-hub-limit" and "card is 20,971,5" in finding.message


def test_cli_reports_path_line_and_check_id(tmp_path: Path, monkeypatch, capsys):
    repo = init_repo(tmp_path / "r", lfs=False)
    write(repo / "models" / "bert" / "README.md", fm_with("license: apache-2.0", "license: Apache 2"))
    write(repo / ".hf-publish.yaml", "repos:\n  - name: bert-ko-v1\n    path: models/bert\n")
    git(repo, "add", "-A")
    monkeypatch.chdir(repo / "models")
    assert main(["check", "model-card", "bert/README.md"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("models/bert/README.md:4: [model-card] license: 'Apache 2' is not a license id the Hub knows")
    assert "use `license: apache-2.0` (the Hub's id for this license)" in out
    write(repo / "models" / "bert" / "README.md", COMPLETE)
    git(repo, "add", "-A")
    assert main(["check", "model-card", "bert/README.md"]) == 0


def test_warnings_print_and_pass_unless_strict(tmp_path: Path, monkeypatch, capsys):
    repo = init_repo(tmp_path / "r", lfs=False)
    write(repo / "README.md", fm_with("pipeline_tag: text-classification", "pipeline_tag: sentiment"))
    git(repo, "add", "-A")
    monkeypatch.chdir(repo)
    assert main(["check", "model-card", "README.md"]) == 0
    captured = capsys.readouterr()
    assert (
        "README.md:5: [model-card] warning: pipeline_tag: 'sentiment' is not a pipeline_tag the Hub knows"
        in captured.out
    )
    assert main(["check", "model-card", "--strict", "README.md"]) == 1
    assert "--strict: 1 warning(s) fail this run" in capsys.readouterr().err
    assert main(["check", "model-card", "--format", "github", "README.md"]) == 0
    assert capsys.readouterr().out.startswith("::warning file=README.md,line=5,title=hf-publish model-card::")
    assert main(["check", "model-card", "--format", "json", "README.md"]) == 0
    [finding] = json.loads(capsys.readouterr().out)["findings"]
    assert (finding["severity"], finding["rule"]) == ("warning", "pipeline-tag-unknown")


@pytest.mark.parametrize(
    ("policy", "severity"),
    [
        ("card:\n  strict: true\n", "error"),
        ("card:\n  severity:\n    pipeline-tag-unknown: error\n", "error"),
        ("card:\n  strict: true\n  severity:\n    pipeline-tag-unknown: warning\n", "warning"),
    ],
)
def test_policy_makes_a_warning_an_error(tmp_path: Path, monkeypatch, capsys, policy, severity):
    repo = init_repo(tmp_path / "r", lfs=False)
    write(repo / ".hf-publish.yaml", policy)
    write(repo / "README.md", fm_with("pipeline_tag: text-classification", "pipeline_tag: sentiment"))
    git(repo, "add", "-A")
    monkeypatch.chdir(repo)
    assert main(["check", "model-card", "--format", "json", "README.md"]) == (1 if severity == "error" else 0)
    [finding] = json.loads(capsys.readouterr().out)["findings"]
    assert finding["severity"] == severity


def test_policy_cannot_lower_a_rule_the_hub_enforces():
    findings, _ = parse_policy_text(b"card:\n  severity:\n    license-unknown: warning\n", ".hf-publish.yaml")
    [finding] = findings
    assert finding.line == 3 and "card.severity: 'license-unknown' is not one of" in finding.message


# --- the hook's examples -----------------------------------------------------------------------


def _examples(kind: str) -> list[Path]:
    return sorted(p.parent for p in (EXAMPLES / kind).glob("*/README.md"))


@pytest.mark.parametrize("case", _examples("pass"), ids=lambda p: p.name)
def test_pass_examples_pass_with_exactly_the_warning_they_announce(case: Path):
    raw = (case / "README.md").read_bytes()
    findings = check_card(raw, "README.md")
    announced = re.search(rb"warn: line (\d+): (.*?) -->", raw)
    assert not errors_of(findings)
    if announced is None:
        assert findings == []
    else:
        [finding] = findings
        assert (finding.severity, finding.line) == ("warning", int(announced.group(1)))
        assert announced.group(2).decode() in finding.message


@pytest.mark.parametrize("case", _examples("fail"), ids=lambda p: p.name)
def test_fail_examples_fail_with_the_finding_they_announce(case: Path, tmp_path: Path, monkeypatch, capsys):
    raw = (case / "README.md").read_bytes()
    expect = re.search(rb"expect: line (\d+|-): (.*?) -->", raw)
    assert expect, f"{case.name}: the example's comment must say `expect: line N: text`"
    line = expect.group(1).decode()
    repo = init_repo(tmp_path / "consumer", lfs=False)
    (repo / "README.md").write_bytes(raw)
    git(repo, "add", "README.md")
    monkeypatch.chdir(repo)
    assert main(["check", "model-card", "README.md"]) == 1
    out = capsys.readouterr().out
    place = "README.md:" + line if line != "-" else "README.md"
    assert f"{place}: [model-card] " in out and expect.group(2).decode() in out, out


def test_examples_cover_both_outcomes():
    assert len(_examples("pass")) >= 15 and len(_examples("fail")) >= 13
    assert len([case for case in _examples("pass") if case.name.startswith("warns-")]) >= 7


# --- refresh-vocab -----------------------------------------------------------------------------


def _serve(answer: dict):
    body = json.dumps(answer).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != "/api/models-tags-by-type":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_refresh_vocab_writes_dated_files_from_get_model_tags(tmp_path: Path, capsys):
    # The sandbox does not serve /api/models-tags-by-type: a loopback server answers as the Hub does.
    answer = {
        "license": [
            {"id": "apache-2.0", "label": "Apache 2.0", "type": "license"},
            {"id": "new-license-1.0", "label": "New", "type": "license"},
        ],
        "pipeline_tag": [
            {"id": "text-classification", "label": "Text Classification", "type": "pipeline_tag", "subType": "nlp"}
        ],
        "library": [{"id": "transformers", "label": "Transformers", "type": "library"}],
    }
    server = _serve(answer)
    try:
        write(tmp_path / "licenses.json", json.dumps({"date": "2020-01-01", "ids": ["apache-2.0", "mit"]}))
        endpoint = f"http://127.0.0.1:{server.server_port}"
        assert main(["refresh-vocab", "--endpoint", endpoint, "--output", str(tmp_path)]) == 0
    finally:
        server.shutdown()
    licenses = json.loads((tmp_path / "licenses.json").read_text())
    tags = json.loads((tmp_path / "pipeline_tags.json").read_text())
    assert licenses["ids"] == ["apache-2.0", "new-license-1.0"] and tags["ids"] == ["text-classification"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", licenses["date"]) and licenses["date"] != "2020-01-01"
    assert endpoint in licenses["source"]
    out = capsys.readouterr().out
    assert "+1 added, -1 removed since 2020-01-01" in out and "new-license-1.0" in out


def test_refresh_vocab_fails_cleanly_and_writes_nothing_when_the_hub_does_not_answer(
    hub_sandbox, tmp_path: Path, capsys
):
    assert main(["refresh-vocab", "--endpoint", hub_sandbox.endpoint, "--output", str(tmp_path)]) == 4
    assert "cannot fetch the model tags" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_shipped_vocabularies_are_dated_and_hold_the_hub_lists():
    from hf_publish.cards import vocab

    licenses, tags = vocab.licenses(), vocab.pipeline_tags()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", licenses.date) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", tags.date)
    assert {"apache-2.0", "mit", "llama3.1", "other"} <= set(licenses.ids)
    assert {"text-classification", "text-generation", "any-to-any"} <= set(tags.ids)
    assert licenses.same_license("Apache 2.0") == "apache-2.0" and licenses.same_license("MIT License") == "mit"


# --- the rule table: code, README, policy schema and --help agree --------------------------------


def test_readme_rule_table_is_the_one_the_code_generates():
    from hf_publish.cards.rules import severity_table

    checks_doc = (Path(__file__).resolve().parents[2] / "docs" / "checks.md").read_text(encoding="utf-8")
    shipped = checks_doc.split("<!-- generated:card-rules -->\n")[1].split("\n<!-- /generated:card-rules -->")[0]
    assert shipped == severity_table(), "docs/checks.md's rule table is stale: paste `python -m hf_publish.cards.rules`"


def test_policy_schema_lets_exactly_the_adjustable_rules_change_severity():
    from hf_publish.cards.rules import ADJUSTABLE_RULE_IDS, RULES
    from hf_publish.policy.load import load_schema

    severity = load_schema()["properties"]["card"]["properties"]["severity"]
    assert severity["propertyNames"]["enum"] == list(ADJUSTABLE_RULE_IDS)
    assert all(RULES[r].severity == "warning" or RULES[r].kind == "org-policy" for r in ADJUSTABLE_RULE_IDS)
    assert {"license-unknown", "metadata-schema", "yaml-syntax", "card-symlink"}.isdisjoint(ADJUSTABLE_RULE_IDS)


def test_check_help_documents_strict(capsys):
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    out = capsys.readouterr().out
    assert "--strict" in out and "card.strict" in out and "Warnings" in out
