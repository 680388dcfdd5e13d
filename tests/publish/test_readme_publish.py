"""The README's set-up section and the docs' publishing section say what the code does."""

from __future__ import annotations

import json
import re

from tests.publish.helpers import ROOT


def _section(name: str) -> str:
    """A `<!-- section:NAME -->` of README.md or of a page in docs/ (each section lives in one file)."""
    found = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        found += re.findall(rf"<!-- section:{name} -->(.*?)<!-- /section:{name} -->", text, re.S)
    assert len(found) == 1, f"section {name}: found {len(found)} times"
    return found[0]


def test_setup_shows_the_demo_and_the_test_command():
    setup = _section("setup")
    demo = "python3 -m venv .venv && . .venv/bin/activate && python -m pip install . && python examples/demo.py"
    tests = 'python3 -m venv .venv && . .venv/bin/activate && python -m pip install -e ".[test]" && python -m pytest'
    assert demo in setup
    assert tests in setup
    # .ci/run runs the first line of the section that installs the test extra: it must be this one.
    assert [line for line in setup.splitlines() if '-e ".[test]"' in line] == [tests]
    assert (ROOT / "examples" / "demo.py").is_file()


def test_documented_json_shape_is_the_one_printed(tmp_path):
    from hf_publish.publishing.plan import FileChange, Plan
    from hf_publish.publishing.run import PublishReport, PublishResult

    block = re.search(r"```json\n(.*?)```", _section("publish"), re.S).group(1)
    documented = json.loads(block)
    plan = Plan(changes=[FileChange("model.safetensors", "add", True, 632)])
    actual = PublishReport(results=[PublishResult("acme-ai/x-v1", "model", "u", plan)]).to_dict()
    assert set(documented) == set(actual)
    assert set(documented["results"][0]) == set(actual["results"][0])
    assert set(documented["results"][0]["plan"]) == set(actual["results"][0]["plan"])
    assert set(documented["results"][0]["plan"]["totals"]) == set(actual["results"][0]["plan"]["totals"])
    assert documented["results"][0]["plan"]["files"][0] == actual["results"][0]["plan"]["files"][0]


def test_every_publish_flag_is_documented():
    from hf_publish.cli import build_parser

    publish = _section("publish")
    sub = build_parser()._subparsers._group_actions[0].choices["publish"]
    for action in sub._actions:
        for flag in action.option_strings:
            if flag.startswith("--") and flag != "--help":
                assert flag in publish, flag


def test_timeout_and_retry_budget_are_documented_with_their_defaults():
    from hf_publish.cli import build_parser
    from hf_publish.publishing.hub import DEFAULT_RETRY_BUDGET, DEFAULT_TIMEOUT
    from hf_publish.publishing.run import RETRY_BUDGET_ENV, TIMEOUT_ENV

    parser = build_parser()
    top_help = parser.format_help()
    publish_help = parser._subparsers._group_actions[0].choices["publish"].format_help()
    readme = _section("publish") + _section("reliability")
    for env, default in ((TIMEOUT_ENV, DEFAULT_TIMEOUT), (RETRY_BUDGET_ENV, DEFAULT_RETRY_BUDGET)):
        assert env in top_help and env in publish_help and env in readme
        assert f"default {default:g}" in top_help
        assert f"else {default:g}" in publish_help
        assert f"default {default:g} s" in readme
    assert DEFAULT_RETRY_BUDGET <= 120


def test_the_guarantees_and_edge_cases_are_stated():
    publish = _section("publish")
    for case in (
        "force-push",
        "shallow clone",
        "renamed or moved",
        "`ignore` globs changed",
        "`.gitattributes` changed",
        "`--revision BRANCH`",
        "`--create-pr`",
        "a folder outside git",
        "says so before it deletes",
    ):
        assert case in publish, case
