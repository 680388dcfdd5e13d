"""action.yml and the example workflows under the real linters, and the docs contract.

actionlint checks workflow syntax, expressions and, for `uses: ./`, every input and output against
our action.yml; check-jsonschema validates action.yml against GitHub's metadata schema; zizmor
looks for template injection, unpinned actions and excessive permissions. Each linter is also fed
one broken copy, so a test that cannot fail would show.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from hf_publish.action.summary import outputs_for
from tests.action.conftest import ACTION_YML, FIXTURES, ROOT

EXAMPLES = sorted((ROOT / "examples" / "workflows").glob("*.yml"))
ZIZMOR_CONFIG = Path(__file__).resolve().parent / "zizmor.yml"


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return path


def run(*command: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=120)


def action() -> dict:
    return yaml.safe_load(ACTION_YML.read_text())


@pytest.fixture
def self_test_repo(tmp_path: Path) -> Path:
    """A repo holding our action.yml and a workflow that runs it with `uses: ./`."""
    (tmp_path / ".git").mkdir()  # actionlint finds the project root by its .git
    shutil.copy(ACTION_YML, tmp_path / "action.yml")
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    shutil.copy(FIXTURES / "self-test.yml", workflows / "self-test.yml")
    return tmp_path


def test_examples_exist_for_every_documented_use():
    names = {p.name for p in EXAMPLES}
    assert names == {
        "pr-checks.yml",
        "publish-on-merge.yml",
        "release-on-tag.yml",
        "monorepo-matrix.yml",
        "oidc-publish.yml",
        "org-audit.yml",
        "access-review.yml",
    }


def test_actionlint_passes_the_examples_and_the_test_workflows():
    result = run(tool("actionlint"), "-no-color", *map(str, EXAMPLES), str(FIXTURES / "act-workflow.yml"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_checks_inputs_and_outputs_of_uses_dot(self_test_repo: Path):
    workflow = self_test_repo / ".github" / "workflows" / "self-test.yml"
    result = run(tool("actionlint"), "-no-color", str(workflow), cwd=self_test_repo)
    assert result.returncode == 0, result.stdout + result.stderr
    # The same workflow with a misspelt input and an undeclared output must fail.
    broken = workflow.read_text().replace("dry-run:", "dryrun:").replace("outputs.commit-url", "outputs.commit-link")
    workflow.write_text(broken)
    result = run(tool("actionlint"), "-no-color", str(workflow), cwd=self_test_repo)
    assert result.returncode == 1
    assert '"dryrun"' in result.stdout and '"commit-link"' in result.stdout


def test_action_yml_matches_github_metadata_schema(tmp_path: Path):
    ok = run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", str(ACTION_YML))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    broken = tmp_path / "action.yml"
    broken.write_text(ACTION_YML.read_text().replace("using: composite", "using: compost"))
    assert run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", str(broken)).returncode == 1


def test_zizmor_finds_nothing_in_the_action_and_examples():
    result = run(
        tool("zizmor"),
        "--offline",
        "--no-progress",
        "--config",
        str(ZIZMOR_CONFIG),
        str(ACTION_YML),
        *map(str, EXAMPLES),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings" in result.stdout + result.stderr
    # and the repo as zizmor collects it by itself (action.yml, workflows, pre-commit files)
    result = run(tool("zizmor"), "--offline", "--no-progress", ".", cwd=ROOT)
    assert result.returncode == 0 and "action.yml" in result.stderr, result.stdout + result.stderr


def test_zizmor_would_catch_an_input_spliced_into_a_script(tmp_path: Path):
    spliced = ACTION_YML.read_text().replace(
        '"$HF_PUBLISH_PY" -I -m hf_publish gh-action',
        '"$HF_PUBLISH_PY" -I -m hf_publish gh-action --mode ${{ inputs.mode }}',
    )
    assert spliced != ACTION_YML.read_text()
    (tmp_path / "action.yml").write_text(spliced)
    result = run(tool("zizmor"), "--offline", "--no-progress", str(tmp_path / "action.yml"))
    assert result.returncode != 0 and "template-injection" in result.stdout


def test_no_expression_is_spliced_into_a_run_script():
    for step in action()["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step.get("name")
        if "run" in step:
            assert step["shell"] == "bash", step.get("name")


def test_setup_python_is_pinned_by_sha_leaves_the_job_python_alone_and_is_skippable():
    (setup,) = [s for s in action()["runs"]["steps"] if str(s.get("uses", "")).startswith("actions/setup-python@")]
    assert re.fullmatch(r"actions/setup-python@[0-9a-f]{40}", setup["uses"])
    assert re.search(r"setup-python@[0-9a-f]{40} # v\d+\.\d+\.\d+", ACTION_YML.read_text())  # version noted
    assert setup["with"]["update-environment"] is False
    assert setup["if"] == "inputs.python == ''"


def test_example_permissions_are_minimal():
    for path in EXAMPLES:
        workflow = yaml.safe_load(path.read_text())
        assert workflow["permissions"] == {"contents": "read"}, path.name
        for name, job in workflow["jobs"].items():
            allowed = {"contents": "read", "id-token": "write"} if path.name == "oidc-publish.yml" else {}
            extra = {k: v for k, v in (job.get("permissions") or {}).items() if (k, v) != ("contents", "read")}
            assert extra.items() <= allowed.items(), f"{path.name}:{name} asks for {extra}"


# --- the contract: documented, declared, used --------------------------------------------------


def readme_action_section() -> str:
    """The action's reference: docs/action.md."""
    text = (ROOT / "docs" / "action.md").read_text()
    match = re.search(r"<!-- section:action -->(.*?)<!-- /section:action -->", text, re.S)
    assert match, "docs/action.md lacks the action section"
    return match.group(1)


def package_major() -> str:
    version = subprocess.run(["hf-publish", "--version"], capture_output=True, text=True, check=True).stdout
    return version.split()[-1].split(".")[0]


def test_every_input_and_output_is_documented_in_the_readme():
    section = readme_action_section()
    meta = action()
    for name, spec in meta["inputs"].items():
        row = re.search(rf"^\| `{re.escape(name)}` \| (.*)$", section, re.M)
        assert row, f"input {name} is not in README's inputs table"
        default = str(spec.get("default", ""))
        assert (f"`{default}`" if default else '`""`') in row.group(1).split("|")[0], f"input {name}: default"
        assert spec.get("description"), f"input {name} has no description"
    for name, spec in meta["outputs"].items():
        assert re.search(rf"^\| `{re.escape(name)}` \|", section, re.M), f"output {name} is not in README"
        assert spec.get("description"), f"output {name} has no description"
    major = package_major()
    assert f"uses: org/hf-publish@v{major}" in section and f"v{major}.x.y" in section
    access_doc = (ROOT / "docs" / "access.md").read_text()  # the org workflows are documented there
    for example in EXAMPLES:
        assert f"examples/workflows/{example.name}" in section + access_doc, example.name


def test_every_input_is_used_and_every_output_is_set():
    meta = action()
    steps_text = yaml.safe_dump(meta["runs"]["steps"])
    action_py = (
        "".join(path.read_text() for path in sorted((ROOT / "src" / "hf_publish" / "action").glob("*.py")))
        + (ROOT / "src" / "hf_publish" / "org" / "action.py").read_text()
    )
    run_env = next(s for s in meta["runs"]["steps"] if s.get("id") == "run")["env"]
    for name in meta["inputs"]:
        assert f"inputs.{name}" in steps_text, f"input {name} is never used"
        if name not in ("python", "working-directory"):  # used by the steps themselves
            variable = "INPUT_" + name.upper().replace("-", "_")
            if name == "token":  # withheld on pull-request events (the step reads the pull request's files)
                expected = "${{ !startsWith(github.event_name, 'pull_request') && inputs.token || '' }}"
                assert run_env.get(variable) == expected
                assert run_env.get("HF_TOKEN") == expected.replace("inputs.token", "env.HF_TOKEN")
            else:
                assert run_env.get(variable) == f"${{{{ inputs.{name} }}}}", f"{name} does not reach the script"
            assert f'"{variable}"' in action_py, f"hf_publish/action/ never reads {variable}"
    for name, spec in meta["outputs"].items():
        assert spec["value"] == f"${{{{ steps.run.outputs.{name} }}}}", name
    assert set(outputs_for([])) == set(meta["outputs"])  # what the action writes is what is declared


def test_kebab_case_and_branding():
    meta = action()
    for name in [*meta["inputs"], *meta["outputs"]]:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", name), name
    assert meta["runs"]["using"] == "composite"
    assert meta["branding"]["icon"] and meta["branding"]["color"]


# --- the security shape of the workflows we hand out ---------------------------------------------


def documented_workflows(tmp_path: Path) -> list[Path]:
    """Every workflow shown in README.md and docs/*.md (a ```yaml block with `jobs:`), as files."""
    found = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for number, block in enumerate(re.findall(r"```yaml\n(.*?)```", doc.read_text(), re.S)):
            if re.search(r"^jobs:", block, re.M):
                path = tmp_path / f"{doc.stem}-{number}.yml"
                path.write_text(block)
                found.append(path)
    return found


def readme_workflow(tmp_path: Path) -> Path:
    """The one-workflow example of README's front page, as a file (docs/action.md shows the same one)."""
    [path] = [p for p in documented_workflows(tmp_path) if p.name.startswith("README-")]
    return path


def test_zizmor_pedantic_reports_nothing_of_medium_or_higher(tmp_path: Path):
    files = [
        str(ACTION_YML),
        *map(str, EXAMPLES),
        *map(str, documented_workflows(tmp_path)),
        str(ROOT / ".github" / "workflows" / "release.yml"),
    ]
    result = run(
        tool("zizmor"),
        "--offline",
        "--no-progress",
        "--persona",
        "pedantic",
        "--min-severity",
        "medium",
        "--config",
        str(ZIZMOR_CONFIG),
        *files,
    )
    assert result.returncode == 0 and "No findings" in result.stdout + result.stderr, result.stdout + result.stderr


def secret_problems(workflow: dict, name: str) -> list[str]:
    """What makes a workflow hand a secret to pull requests, or leave a job without a time limit."""
    problems = []
    events = workflow.get(True, workflow.get("on"))
    on_prs = any(str(e).startswith("pull_request") for e in (events if isinstance(events, (list, dict)) else [events]))
    for job_name, job in workflow["jobs"].items():
        where = f"{name}:{job_name}"
        if not isinstance(job.get("timeout-minutes"), int):
            problems.append(f"{where} sets no timeout-minutes")
        if "secrets." in yaml.safe_dump(job):
            if not job.get("environment"):
                problems.append(f"{where} holds a secret outside a deployment environment")
            if on_prs and "github.event_name == 'push'" not in str(job.get("if")):
                problems.append(f"{where} hands a secret to pull_request runs")
    return problems


def test_every_workflow_keeps_secrets_out_of_pull_requests(tmp_path: Path):
    for path in [*EXAMPLES, *documented_workflows(tmp_path)]:
        assert secret_problems(yaml.safe_load(path.read_text()), path.name) == []
    readme = yaml.safe_load(readme_workflow(tmp_path).read_text())
    assert set(readme["jobs"]) == {"check", "publish"}
    assert "secrets." not in yaml.safe_dump(readme["jobs"]["check"])
    # the one-job shape the README used to show fails all three rules
    leaky = yaml.safe_load(
        "on: [pull_request, push]\njobs:\n  hub:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: org/hf-publish@v1\n        with:\n          token: ${{ secrets.HF_TOKEN }}\n"
    )
    assert len(secret_problems(leaky, "leaky")) == 3


def test_every_variable_a_user_can_set_for_the_action_is_documented():
    internal = {"HF_PUBLISH_INPUT_PYTHON", "HF_PUBLISH_SETUP_PYTHON", "HF_PUBLISH_PY", "HF_PUBLISH_HOME"}
    used = set(re.findall(r"\bHF_PUBLISH_[A-Z_]+\b", ACTION_YML.read_text())) - internal
    assert used == {"HF_PUBLISH_INSTALLER", "HF_PUBLISH_WHEELHOUSE"}
    section = readme_action_section()
    for name in used:
        assert f"`{name}" in section, name


def publishing_checkouts(workflow: dict) -> list[tuple[str, dict]]:
    """The `actions/checkout` steps of jobs that can publish (a deployment environment or OIDC)."""
    found = []
    for job_name, job in workflow["jobs"].items():
        can_publish = bool(job.get("environment")) or (job.get("permissions") or {}).get("id-token") == "write"
        steps = job.get("steps", [])
        ours = [s for s in steps if str(s.get("uses", "")).startswith("org/hf-publish@")]
        if not can_publish or not ours or all((s.get("with") or {}).get("mode") == "audit" for s in ours):
            continue  # mode audit reads the Hub only: no weights, no history
        found += [
            (job_name, s.get("with") or {}) for s in steps if str(s.get("uses", "")).startswith("actions/checkout@")
        ]
    return found


def checkout_problems(workflow: dict, name: str) -> list[str]:
    """A publishing job that checks out LFS pointers (every weights file fails) or one commit (no base)."""
    problems = []
    for job_name, options in publishing_checkouts(workflow):
        if options.get("lfs") is not True:
            problems.append(f"{name}:{job_name} checks out LFS pointer files (set lfs: true)")
        if options.get("fetch-depth") != 0:
            problems.append(f"{name}:{job_name} checks out one commit (set fetch-depth: 0)")
    return problems


def test_every_documented_publishing_job_checks_out_lfs_content_and_history(tmp_path: Path):
    workflows = [*EXAMPLES, *documented_workflows(tmp_path)]
    publishing = [path.name for path in workflows if publishing_checkouts(yaml.safe_load(path.read_text()))]
    # every example but pr-checks publishes, and so do README's and docs/action.md's
    assert len(publishing) >= 6 and any(name.startswith("README-") for name in publishing), publishing
    for path in workflows:
        assert checkout_problems(yaml.safe_load(path.read_text()), path.name) == []
    # actions/checkout's defaults (no LFS, depth 1) are what the rule exists for
    bare = yaml.safe_load(
        "jobs:\n  publish:\n    environment: hub\n    steps:\n      - uses: actions/checkout@v4\n"
        "      - uses: org/hf-publish@v1\n"
    )
    assert len(checkout_problems(bare, "bare")) == 2
