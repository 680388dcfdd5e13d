"""The README's set-up and publishing sections say what the code does."""

from __future__ import annotations

import json
import re

from tests.publish.helpers import ROOT


def _section(name: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"<!-- section:{name} -->(.*?)<!-- /section:{name} -->", text, re.S)
    assert match, name
    return match.group(1)


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
    from hf_publish.plan import FileChange, Plan
    from hf_publish.publish import PublishReport, PublishResult

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
