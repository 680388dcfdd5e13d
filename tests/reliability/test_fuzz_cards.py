"""Properties of the card parser and the model-card check: any input yields findings, never an
exception; valid cards round-trip to no findings; findings point at real lines."""

from __future__ import annotations

import json
import multiprocessing
import time
from importlib import resources

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hf_publish.cards.parse import decode_card, split_front_matter
from hf_publish.checks.model_card import check_card
from hf_publish.policy.model import CardPolicy

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

LICENSES = sorted(json.loads(resources.files("hf_publish.data").joinpath("licenses.json").read_text())["ids"])
SECTIONS = {
    "Overview": "Overview",
    "Usage": "Usage",
    "Performance": "Performance",
    "License": "License",
    "Contact": "Contact",
}
REPO_TYPES = st.sampled_from(["model", "dataset", "space"])


def _assert_findings_are_sane(findings, raw: bytes) -> None:
    lines = raw.count(b"\n") + 1
    for finding in findings:
        assert finding.check == "model-card" and finding.path == "README.md"
        assert finding.message and isinstance(finding.fix, str)
        assert finding.line is None or 1 <= finding.line <= lines, (finding, lines)


@FUZZ
@given(st.binary(max_size=3000), REPO_TYPES)
def test_any_bytes_give_findings_never_an_exception(raw: bytes, repo_type: str):
    _assert_findings_are_sane(check_card(raw, "README.md", repo_type), raw)


YAMLISH = st.sampled_from(
    list("ab: -[]{}&*!|>'\"\n\t#%@`,?\\")
    + [
        "license",
        "tags",
        "model-index",
        "---",
        "\n---\n",
        "  ",
        "\n- ",
        "&x ",
        "*x",
        "!!python/object ",
        "{{ x }}",
        "TODO",
        "\r\n",
        "\ufeff",
    ]
)
MARKDOWN = st.sampled_from(
    [
        "# ",
        "## ",
        "### ",
        "Overview",
        "Usage",
        "License",
        "Contact",
        "Performance",
        "개요",
        "\n",
        "```",
        "```python\n",
        "<!-- ",
        " -->",
        "| a | b |\n",
        "[More Information Needed]",
        "TODO",
        "text ",
        "**bold**",
        "    code\n",
        "---\n",
    ]
)


@FUZZ
@given(st.lists(YAMLISH, max_size=80), st.lists(MARKDOWN, max_size=60), REPO_TYPES)
def test_card_shaped_text_never_raises(front: list[str], body: list[str], repo_type: str):
    raw = ("---\n" + "".join(front) + "\n---\n" + "".join(body)).encode()
    _assert_findings_are_sane(check_card(raw, "README.md", repo_type), raw)


@FUZZ
@given(st.text(max_size=2000))
def test_split_front_matter_keeps_every_line(text: str):
    decoded, _ = decode_card(text.encode("utf-8"))
    assume(decoded is not None)
    split = split_front_matter(decoded)
    lines = decoded.split("\n")
    if split.front_matter is not None:
        fm = split.front_matter
        assert lines[fm.open_line - 1].strip() == "---" and lines[fm.close_line - 1].startswith("---")
        assert fm.yaml_text.split("\n") == lines[fm.open_line : fm.close_line - 1]
    assert lines[split.body_first_line - 1 :] == split.body_lines


# --- round trips -------------------------------------------------------------------------------------

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=10)
metadata = st.fixed_dictionaries(
    {"license": st.sampled_from([lic for lic in LICENSES if lic != "other"])},
    optional={
        "tags": st.lists(words, max_size=4),
        "language": st.sampled_from(["ko", "en", ["ko", "en"]]),
        "library_name": st.sampled_from(["transformers", "sentence-transformers", "peft"]),
        "pipeline_tag": st.sampled_from(["text-classification", "fill-mask", "token-classification"]),
        "base_model": st.sampled_from(["klue/bert-base", "google-bert/bert-base-uncased"]),
    },
)
prose = st.lists(words, min_size=1, max_size=8).map(" ".join)


def _card(data: dict, contents: dict[str, str], order: list[str], level: int) -> str:
    front = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    sections = "".join(f"{'#' * level} {SECTIONS[name]}\n\n{contents[name]}.\n\n" for name in order)
    return f"---\n{front}---\n\n# a model\n\n{sections}"


@FEW
@given(
    metadata,
    st.fixed_dictionaries(dict.fromkeys(SECTIONS, prose)),
    st.permutations(sorted(SECTIONS)),
    st.integers(2, 4),
)
def test_a_complete_card_has_no_findings_in_any_order(data, contents, order, level):
    raw = _card(data, contents, order, level).encode()
    assert check_card(raw, "README.md", "model", CardPolicy()) == []


@FEW
@given(metadata, st.fixed_dictionaries(dict.fromkeys(SECTIONS, prose)), st.sampled_from(sorted(SECTIONS)))
def test_an_emptied_section_is_reported_at_its_heading(data, contents, emptied):
    text = _card(data, contents, sorted(SECTIONS), 2)
    text = text.replace(f"## {emptied}\n\n{contents[emptied]}.\n\n", f"## {emptied}\n\n")
    raw = text.encode()
    findings = check_card(raw, "README.md", "model", CardPolicy())
    heading_line = text.split("\n").index(f"## {emptied}") + 1
    assert [f.line for f in findings] == [heading_line], findings


@FEW
@given(
    metadata,
    st.fixed_dictionaries(dict.fromkeys(SECTIONS, prose)),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=4, max_size=20),
)
def test_an_unknown_license_is_reported_at_its_line(data, contents, bad):
    assume(bad not in LICENSES)
    text = _card({**data, "license": bad}, contents, sorted(SECTIONS), 2)
    findings = check_card(text.encode(), "README.md", "model", CardPolicy())
    # YAML quotes some words (`null`, `yes`...): find the key, not the exact spelling.
    line = next(n for n, row in enumerate(text.split("\n"), 1) if row.startswith("license:"))
    assert [f.line for f in findings] == [line] and bad in findings[0].message


# --- every card rule is linear in the card's size ------------------------------------------------
# Each input is about 1 MB, crafted against one rule (a backtracking regex, a scan per heading, a
# search per opener...), and is timed against a plain 1 MB card in the same test: a ratio, not an
# absolute time. Each is checked in a forked child that is stopped well past the bound, so a
# quadratic rule fails the test instead of hanging it.

MB = 1_000_000
RATIO = 10
HEAD = """---
license: apache-2.0
language: [ko]
pipeline_tag: text-classification
---
# bert-korean-sentiment-v2

## Overview
Korean sentiment classifier.

## Usage
Load it with transformers.

## Performance
| dataset | accuracy |
|---|---|
| NSMC | 0.91 |

## License
Apache 2.0.

## Contact
ml-platform@acme-ai.example

"""
PLAIN_PARAGRAPH = (
    "The model was fine-tuned on NSMC with a learning rate of 2e-5 for three epochs; see `train.py` and "
    "[the paper](https://arxiv.org/abs/1) for details.\n\n- one item\n- another item\n\n"
    "| dataset | accuracy | F1 |\n|---|---|---|\n| NSMC | 0.912 | 0.905 |\n\n### Notes\n\n"
    "```python\nprint('hello')\n```\n\n<!-- a comment -->\n**Bold** and _emphasis_ in prose.\n\n"
)
ADVERSARIAL = {
    "a line of {": "{" * MB,
    "unclosed {{": "{{ x " * (MB // 5),
    "atx: # a, spaces, b": "# a" + " " * MB + "b",
    "atx: closing #s": "## " + "#" * MB + " x",
    "backtick runs of every length": "".join("`" * k + "a" for k in range(1, 1400)),
    "backticks and spaces": "` " * (MB // 2),
    "a line of `": "`" * MB,
    "<!-- on one line, unclosed": "<!--" * (MB // 4),
    "<!-- then lines, unclosed": "<!--\n" + "still a comment\n" * (MB // 16),
    "a line of |": "|" * MB,
    "| rows": "| a | b | c |\n" * (MB // 14),
    "[ in a heading": "## " + "[" * MB,
    "[ in prose": "[" * MB,
    "[a]( links, unclosed": "[a](" * (MB // 4),
    "< in a heading": "## " + "<" * MB,
    "<h2> unclosed": "<h2>" + "a" * MB,
    "punctuation heading": "## " + "!" * MB + "a",
    "* run": "**" + "*" * MB,
    "bold then spaces": "**a**" + " " * MB + "x",
    "_ run": "__" + "_" * MB + "a",
    "setext ===": "a\n" + "=" * MB + "x",
    "fence of `": "```" + "`" * MB,
    "digits": "1" * MB + "x",
    "spaces": " " * MB + "x",
    "TODO words": "TODO " * (MB // 5),
    "TODO lines": "TODO\n" * (MB // 5),
    "one heading many times": "## Usage\n" * (MB // 9),
    "many distinct headings": "".join(f"## heading {i}\n" for i in range(MB // 17)),
}
# With a required section missing, the bold-line and close-heading rules run over every line too.
MISSING_SECTION_ADVERSARIAL = {
    "bold then spaces, a section missing": "**a**" + " " * MB + "x",
    "bold runs, a section missing": "**" + "*" * MB + "**",
    "punctuation heading, a section missing": "## " + "!" * MB + "a",
    "many distinct headings, a section missing": "".join(f"## Contakt {i}\n" for i in range(MB // 17)),
}
FRONT_MATTER_ADVERSARIAL = {
    "metadata: a line of {": "title: '" + "{" * MB + "'",
    "metadata: [ brackets": "x: " + "[" * MB,
    "metadata: {{ in a comment": "x: 1 # " + "{{ " * (MB // 3),
}


def _plain_card() -> bytes:
    return (HEAD + PLAIN_PARAGRAPH * (MB // len(PLAIN_PARAGRAPH))).encode()


def _best_of(raw: bytes, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        check_card(raw, "README.md")
        best = min(best, time.perf_counter() - started)
    return best


def _timed_in_child(raw: bytes, deadline: float) -> float | None:
    """The check's best time on `raw`, in a forked child; None if it is still running at `deadline`."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=lambda: send.send(_best_of(raw)), daemon=True)
    child.start()
    child.join(deadline)
    if child.is_alive():
        child.kill()
        child.join()
        return None
    return receive.recv() if receive.poll() else None


@pytest.fixture(scope="module")
def plain_seconds() -> float:
    return _best_of(_plain_card())


def _adversarial_cards():
    for name, body in ADVERSARIAL.items():
        yield pytest.param((HEAD + body).encode(), id=name)
    without_contact = HEAD.replace("## Contact\nml-platform@acme-ai.example\n", "")
    for name, body in MISSING_SECTION_ADVERSARIAL.items():
        yield pytest.param((without_contact + body).encode(), id=name)
    for name, extra in FRONT_MATTER_ADVERSARIAL.items():
        yield pytest.param(HEAD.replace("---\n", f"---\n{extra}\n", 1).encode(), id=name)


@pytest.mark.parametrize("raw", list(_adversarial_cards()))
def test_every_card_rule_is_linear_in_the_cards_size(raw: bytes, plain_seconds: float):
    assert 0.9 * MB <= len(raw) <= 1.2 * MB
    seconds = _timed_in_child(raw, deadline=4 * RATIO * plain_seconds + 10)
    assert seconds is not None, f"still running after {4 * RATIO * plain_seconds + 10:.1f} s"
    for _ in range(2):  # the plain card's time is a best-of; compare like with like on a busy machine
        if seconds <= RATIO * plain_seconds:
            break
        # time the plain card again now, under the load the adversarial one just ran under
        plain_seconds = max(plain_seconds, _timed_in_child(_plain_card(), deadline=60) or plain_seconds)
        again = _timed_in_child(raw, deadline=4 * RATIO * plain_seconds + 10)
        seconds = min(seconds, again if again is not None else seconds)
    assert seconds <= RATIO * plain_seconds, f"{seconds:.3f} s against {plain_seconds:.3f} s for a plain 1 MB card"
