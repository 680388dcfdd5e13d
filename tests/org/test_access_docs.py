"""docs/access.md documents every org command and every option it takes, with an example output."""

from __future__ import annotations

import re
from pathlib import Path

from hf_publish.cli.main import _subcommand, build_parser

DOC = (Path(__file__).resolve().parents[2] / "docs" / "access.md").read_text()


def section(title_start: str) -> str:
    match = re.search(rf"^## `{re.escape(title_start)}[^\n]*\n(.*?)(?=^## |\Z)", DOC, re.M | re.S)
    assert match, f"docs/access.md has no section for {title_start}"
    return match.group(0)


def options(parser) -> set[str]:
    return {s for a in parser._actions for s in a.option_strings if s.startswith("--") and s != "--help"}


def test_every_org_command_and_option_is_documented_with_an_example():
    parser = build_parser()
    access = _subcommand(parser, "access")
    members = _subcommand(parser, "members")
    subs = {
        "hf-publish access review": _subcommand(access, "review"),
        "hf-publish access grant": _subcommand(access, "grant"),
        "hf-publish members diff": _subcommand(members, "diff"),
        "hf-publish migrate": _subcommand(parser, "migrate"),
    }
    common = {"--config", "--endpoint", "--type"}  # shared by every org command, described in --help
    for title, sub in subs.items():
        text = section(title)
        assert f"```\n$ {title}" in text, f"{title}: no example output"
        for option in options(sub) - common:
            assert option in text, f"{title}: {option} is not documented"
    assert "--history" in section("hf-publish check lfs --history")


def test_the_help_of_each_org_command_teaches_with_examples_that_parse_and_its_exit_codes():
    import shlex

    parser = build_parser()
    access = _subcommand(parser, "access")
    for sub in (
        _subcommand(access, "review"),
        _subcommand(access, "grant"),
        _subcommand(_subcommand(parser, "members"), "diff"),
        _subcommand(parser, "migrate"),
    ):
        text = sub.format_help()
        assert "examples:" in text and "exit codes:" in text, sub.prog
        codes = re.findall(r"^  (\d+) ", text.split("exit codes:", 1)[1], re.M)
        assert codes[0] == "0" and codes[-1] == "130" and {"2", "3", "4"} <= set(codes), (sub.prog, codes)
        examples = [
            line.split("  ")[1] if line.startswith("  ") else line
            for line in text.split("examples:", 1)[1].split("exit codes:")[0].splitlines()
            if line.strip().startswith("hf-publish ")
        ]
        assert examples, sub.prog
        for example in examples:
            argv = shlex.split(example.strip().split("  ")[0])
            args = parser.parse_args(argv[1:])  # a typo in an example fails here
            assert sub.prog.split()[1] == args.command, example
