"""docs/ and `--help` agree with the code: every flag, environment variable, policy key, exit code,
action input and output is documented, and the generated parts of the docs are current.

Everything here reads files and runs the installed CLI as a subprocess, so it holds whatever module
the code lives in.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml

from tests.docs.helpers import DOCS, ROOT, heading_section, hf_publish, script, section

CLI_DOC = DOCS / "cli.md"


def commands() -> list[str]:
    """The commands `hf-publish --help` lists."""
    top = hf_publish("--help").stdout
    block = top.split("\n  COMMAND\n", 1)[1].split("\noptions:")[0]
    return re.findall(r"^    ([a-z][a-z-]+)", block, re.M)


def flags(*command: str) -> set[str]:
    """The long options `hf-publish COMMAND --help` prints (not --help itself)."""
    options = hf_publish(*command, "--help").stdout.split("options:", 1)[1].split("\n\n")[0]
    heads = re.findall(r"^ {2}(-.*?)(?: {2,}|$)", options, re.M)  # "--org ORG, --organization ORG"
    return {flag for head in heads for flag in re.findall(r"--[a-z][a-z-]+", head)} - {"--help"}


def test_every_command_and_flag_of_help_is_in_cli_md():
    doc = CLI_DOC.read_text()
    names = commands()
    assert {"check", "publish", "init", "matrix", "schema", "refresh-vocab", "sandbox", "gh-action"} <= set(names)
    for name in names:
        sub = ("sandbox", "serve") if name == "sandbox" else (name,)
        part = heading_section(doc, " ".join(sub))
        for flag in flags(*sub):
            assert f"`{flag}" in part, f"docs/cli.md, section {' '.join(sub)}: {flag} is not documented"
    assert "--version" in doc


def undocumented_options(*command: str) -> list[str]:
    """The options of `hf-publish COMMAND --help` printed without any help text."""
    options = hf_publish(*command, "--help").stdout.split("options:", 1)[1].split("\n\n")[0].splitlines()
    missing = []
    for number, line in enumerate(options):
        head = re.match(r"^ {2}(-\S.*?)(?: {2,}(\S.*))?$", line)
        if head and not head.group(2):
            following = options[number + 1] if number + 1 < len(options) else ""
            if not re.match(r"^ {6,}\S", following):
                missing.append(head.group(1))
    return missing


@pytest.mark.parametrize(
    "command",
    [(name,) for name in ("check", "publish", "init", "matrix", "schema", "gh-action")] + [("sandbox", "serve")],
)
def test_every_command_says_what_it_does_and_every_option_has_help(command):
    text = hf_publish(*command, "--help").stdout
    assert text.startswith(f"usage: hf-publish {' '.join(command)}")
    description = text.split("\n\n", 2)[1]
    assert len(description.split()) >= 5 and not description.startswith(("options:", "positional")), description
    assert undocumented_options(*command) == []


def test_refresh_vocab_options_have_help():
    assert undocumented_options("refresh-vocab") == []


def test_a_flag_missing_from_the_docs_would_be_found():
    part = heading_section(CLI_DOC.read_text(), "publish").replace("`--retry-budget", "`--budget")
    assert not all(f"`{flag}" in part for flag in flags("publish"))


def code_environment_variables() -> set[str]:
    """Environment variable names in the package's source: quoted names with a known prefix
    (`b"..."` literals are byte patterns the secrets check searches for, not variables)."""
    names: set[str] = set()
    pattern = re.compile(
        r'(?<![bB\w])["\']((?:HF|HUGGING_FACE|GITHUB|RUNNER|XDG|ACTIONS|INPUT|PRE_COMMIT)_[A-Z0-9_]*[A-Z0-9])["\']'
    )
    for path in (ROOT / "src").rglob("*.py"):
        names |= set(pattern.findall(path.read_text(encoding="utf-8")))
    return names


def test_every_environment_variable_the_code_reads_is_in_cli_md():
    documented = section(CLI_DOC, "environment")
    used = code_environment_variables()
    assert {"HF_TOKEN", "HF_PUBLISH_DEBUG", "HF_PUBLISH_TIMEOUT", "HF_PUBLISH_SANDBOX_TOKEN", "XDG_CACHE_HOME"} <= used
    missing = sorted(name for name in used if not re.search(rf"`{name}`", documented))
    assert missing == [], f"docs/cli.md's environment section lacks {missing}"
    # and those action.yml reads from the step's environment
    for name in set(re.findall(r"\$\{?(HF_PUBLISH_[A-Z_]+)", (ROOT / "action.yml").read_text())) - {
        "HF_PUBLISH_INPUT_PYTHON",
        "HF_PUBLISH_SETUP_PYTHON",
        "HF_PUBLISH_PY",
        "HF_PUBLISH_HOME",
    }:
        assert f"`{name}`" in documented, name


def test_every_variable_of_top_level_help_is_in_cli_md():
    top = hf_publish("--help").stdout
    environment = top.split("environment:", 1)[1]
    documented = section(CLI_DOC, "environment")
    for name in re.findall(r"^\s+([A-Z][A-Z0-9_]+)", environment, re.M):
        assert f"`{name}`" in documented, name


def test_exit_codes_of_help_are_in_cli_md_and_the_readme():
    codes = re.findall(r"^\s+(\d+)\s", hf_publish("--help").stdout.split("exit codes:", 1)[1].split("\n\n")[0], re.M)
    assert codes == ["0", "1", "2", "3", "4", "130"]
    for text in (section(CLI_DOC, "exit-codes"), (ROOT / "README.md").read_text()):
        documented = re.findall(r"^\| (\d+) \|", text, re.M)
        assert documented == codes


def schema_keys(schema: dict) -> set[str]:
    defs = schema.get("$defs", {})
    keys: set[str] = set()

    def walk(node: dict, prefix: str) -> None:
        if "$ref" in node:
            node = defs[node["$ref"].split("/")[-1]]
        for key, sub in node.get("properties", {}).items():
            path = f"{prefix}.{key}" if prefix else key
            keys.add(path)
            walk(sub, path)
        if isinstance(node.get("items"), dict):
            walk(node["items"], prefix + "[]")

    walk(schema, "")
    return keys


def test_every_policy_key_of_the_schema_is_in_policy_md():
    schema = json.loads(hf_publish("schema").stdout)
    table = (DOCS / "policy.md").read_text().split("<!-- generated:policy-keys -->")[1].split("<!-- /generated")[0]
    documented = set(re.findall(r"^\| `([^`]+)` \|", table, re.M))
    assert documented == schema_keys(schema)


def test_the_generated_docs_are_current():
    result = script("gen-docs", "--check")
    assert result.returncode == 0, result.stderr


def test_gen_docs_finds_a_stale_table(tmp_path):
    policy_doc = DOCS / "policy.md"
    original = policy_doc.read_text()
    try:
        policy_doc.write_text(original.replace("| `lfs.max_text_size` |", "| `lfs.max_size` |"))
        result = script("gen-docs", "--check")
        assert result.returncode == 1 and "docs/policy.md: stale" in result.stderr
    finally:
        policy_doc.write_text(original)


def test_the_documented_defaults_are_a_valid_policy(tmp_path):
    block = (DOCS / "policy.md").read_text().split("<!-- defaults -->")[1].split("<!-- /defaults -->")[0]
    defaults = yaml.safe_load(block.split("```yaml\n")[1].split("```")[0])
    # null stands for "no default": give those keys a value, as a user would
    defaults["organization"] = "acme-ai"
    defaults["repos"] = [{**{k: v for k, v in defaults["repos"][0].items() if v is not None}, "name": "bert-base-v1"}]
    (tmp_path / ".hf-publish.yaml").write_text(yaml.safe_dump(defaults, allow_unicode=True))
    result = hf_publish("check", "config", "--all-files", check=False, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_action_input_and_output_is_in_action_md():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    doc = section(DOCS / "action.md", "action")
    inputs = heading_section(doc.replace("### ", "## "), "Inputs")
    outputs = heading_section(doc.replace("### ", "## "), "Outputs")
    for name in action["inputs"]:
        assert re.search(rf"^\| `{re.escape(name)}` \|", inputs, re.M), f"input {name}"
    for name in action["outputs"]:
        assert re.search(rf"^\| `{re.escape(name)}` \|", outputs, re.M), f"output {name}"
    documented = set(re.findall(r"^\| `([a-z-]+)` \|", inputs, re.M))
    assert documented == set(action["inputs"]), "docs/action.md documents an input action.yml does not have"


def test_every_doc_page_is_in_the_index_and_every_relative_link_resolves():
    index = (DOCS / "README.md").read_text()
    for page in DOCS.glob("*.md"):
        if page.name != "README.md" and page.name != "sandbox-endpoints.md":
            assert f"]({page.name})" in index, f"docs/README.md does not list {page.name}"
    for page in [ROOT / "README.md", ROOT / "benchmarks" / "README.md", *DOCS.glob("*.md")]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text()):
            if "://" in target or target == "sandbox-endpoints.md":
                continue  # sandbox-endpoints.md is written by the sandbox work
            assert (page.parent / target).exists(), f"{page.relative_to(ROOT)} links to a missing {target}"


def test_the_readme_is_a_front_page():
    readme = (ROOT / "README.md").read_text()
    assert 6_000 <= len(readme.encode()) <= 8_500, len(readme.encode())
    for part in ("## Set up", "## pre-commit hooks", "## GitHub Action", "## Exit codes", "docs/README.md"):
        assert part in readme, part
