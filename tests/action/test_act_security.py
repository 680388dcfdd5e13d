"""The security rules of the Action, under act with the real action.yml (issue: repository content
never runs, never steers the install, never forges workflow commands, never meets the token).

A pull request controls the checkout. Each test plants what an attacker would commit (or what an
earlier step of the job could set) and asserts the planted code never ran (it would write a marker
file and a GITHUB_ENV line), the install was not steered, and the verdict did not change.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from tests.action.test_act import pull_request, push
from tests.helpers import git

pytestmark = [pytest.mark.act, pytest.mark.slow]


def payload_code(marker: Path) -> str:
    """Python that an attacker's module runs on import: leave a marker, forge an env var."""
    return textwrap.dedent(f"""\
        import os  # only os: the planted re.py, json.py... shadow the rest
        fd = os.open({str(marker)!r}, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.write(fd, ("imported from the checkout: " + __file__ + "\\n").encode())
        os.close(fd)
        if os.environ.get("GITHUB_ENV"):
            fd = os.open(os.environ["GITHUB_ENV"], os.O_WRONLY | os.O_APPEND)
            os.write(fd, b"PWNED=1\\n")
            os.close(fd)
        """)


def plant_shadowing_modules(repo: Path, marker: Path) -> None:
    """Every shape of module shadowing a checkout can commit."""
    code = payload_code(marker)
    for relative in (
        "hf_publish/__init__.py",
        "hf_publish/__main__.py",
        "argparse.py",
        "yaml.py",
        "json.py",
        "re.py",
        "typing.py",
        "venv/__init__.py",
        "venv/__main__.py",
        "pip/__init__.py",
        "pip/__main__.py",
        "ensurepip/__init__.py",
        "ensurepip/__main__.py",
        "sitecustomize.py",
        "usercustomize.py",
        "encodings/__init__.py",
        "huggingface_hub/__init__.py",
        "regex.py",
        "model/yaml.py",
        "model/argparse.py",
    ):
        path = repo / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(code)
    # .pth files run `import` lines when they sit in a site directory: one at the top and one in a
    # folder shaped like a venv's site-packages.
    pth = f"import os; os.close(os.open({str(marker)!r}, os.O_WRONLY | os.O_CREAT, 0o644))\n"
    (repo / "evil.pth").write_text(pth)
    site = repo / ".venv" / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    (site / "evil.pth").write_text(pth)
    (repo / "pyvenv.cfg").write_text("home = /nonexistent\ninclude-system-site-packages = false\n")


def break_the_card(repo: Path) -> None:
    card = repo / "model" / "README.md"
    card.write_text(card.read_text().replace("license: apache-2.0", "license: apache-2.0-or-later"))


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_modules_in_the_checkout_never_run_and_a_failing_check_stays_failing(
    consumer, run_act, hub_sandbox, tmp_path, installer
):
    marker = tmp_path / "planted-code-ran"
    plant_shadowing_modules(consumer, marker)
    break_the_card(consumer)
    git(consumer, "add", "-A")
    git(consumer, "commit", "-q", "-m", "a pull request that shadows modules")

    run = run_act(
        consumer,
        "pull_request",
        pull_request(fork=False),
        endpoint=hub_sandbox.endpoint,
        token=hub_sandbox.tokens["bob-fg-org"],
        extra_env={"HF_PUBLISH_INSTALLER": installer},
    )

    assert not marker.exists(), marker.read_text()
    assert "PWNED=1" not in run.log
    assert run.returncode != 0 and run.outputs["OUTCOME"] == "failure", run.log[-3000:]
    errors = run.lines("::error file=model/README.md,line=4,")
    assert errors and "apache-2.0-or-later" in errors[0], run.log[-3000:]
    assert hub_sandbox.requests == []


STEERING_SCRIPT = """\
set -e
planted="$PWD/planted"
mkdir -p "$planted"
echo 'packaging==1.0' > "$planted/constraints.txt"
{
  echo "PYTHONPATH=$PWD"
  echo "PYTHONSTARTUP=$PWD/sitecustomize.py"
  echo "PYTHONHOME=/nonexistent"
  echo "PIP_INDEX_URL=http://127.0.0.1:9/simple"
  echo "PIP_EXTRA_INDEX_URL=http://127.0.0.1:9/simple"
  echo "PIP_FIND_LINKS=$planted"
  echo "PIP_CONSTRAINT=$planted/constraints.txt"
  echo "PIP_TARGET=$planted/target"
  echo "PIP_REQUIRE_HASHES=0"
  echo "PIP_CONFIG_FILE=$PWD/pip.conf"
  echo "UV_INDEX_URL=http://127.0.0.1:9/simple"
  echo "UV_DEFAULT_INDEX=http://127.0.0.1:9/simple"
  echo "UV_FIND_LINKS=$planted"
  echo "UV_CONSTRAINT=$planted/constraints.txt"
  echo "UV_OVERRIDE=$planted/constraints.txt"
  echo "UV_CONFIG_FILE=$PWD/uv.toml"
  echo "UV_PYTHON=/nonexistent/python"
  echo "VIRTUAL_ENV=$planted/venv"
} >> "$GITHUB_ENV"
"""


def test_checkout_config_and_earlier_steps_do_not_steer_the_install(consumer, run_act, hub_sandbox, tmp_path):
    marker = tmp_path / "planted-code-ran"
    plant_shadowing_modules(consumer, marker)
    wheels = consumer / "wheels"
    wheels.mkdir()
    # A "wheel" that would run code if anything installed it (a broken zip: an install attempt fails loudly).
    (wheels / "packaging-26.4-py3-none-any.whl").write_bytes(b"not a real wheel")
    (consumer / "uv.toml").write_text(
        'find-links = ["wheels"]\nno-index = true\nconstraint-dependencies = ["packaging==1.0"]\n'
    )
    (consumer / "pyproject.toml").write_text(
        '[project]\nname = "consumer"\nversion = "0"\n\n[tool.uv]\n'
        'find-links = ["wheels"]\nno-index = true\n'
        'constraint-dependencies = ["packaging==1.0"]\n'
    )
    (consumer / "pip.conf").write_text(
        "[global]\nno-index = true\nfind-links = wheels\nconstraint = wheels/constraints.txt\n"
    )
    git(consumer, "add", "-A")
    git(consumer, "commit", "-q", "-m", "installer configuration pointing at planted wheels")
    token = hub_sandbox.tokens["bob-fg-org"]

    run = run_act(
        consumer,
        "push",
        push("refs/heads/main"),
        endpoint=hub_sandbox.endpoint,
        token=token,
        before_script=STEERING_SCRIPT,
    )

    assert not marker.exists(), marker.read_text()
    assert run.returncode == 0, run.log[-4000:]
    assert run.outputs["CHANGED"] == "true" and run.outputs["COMMIT_SHA"] == hub_sandbox.head(
        "acme-ai/kor-sentiment-v1"
    )
    assert not (consumer / "planted" / "target").exists()  # PIP_TARGET was not honoured


ACT_HOSTILE_NAMES = [
    "::set-output name=changed::true",
    "::stop-commands::pwned",
    "::error file=model%2FREADME.md,line=1::forged",
    "::add-mask::kor",
    "%0A::error::percent",
    "##[error]legacy",
    "x##[set-output name=tag;]forged",
]


def test_hostile_file_names_print_inert_under_act_and_our_commands_still_work(consumer, run_act, hub_sandbox):
    for name in ACT_HOSTILE_NAMES:
        (consumer / "model" / name).write_text("plain text\n")
    git(consumer, "add", "-A")
    git(consumer, "commit", "-q", "-m", "file names that are workflow commands")

    run = run_act(
        consumer,
        "push",
        push("refs/heads/main"),
        endpoint=hub_sandbox.endpoint,
        token=hub_sandbox.tokens["bob-fg-org"],
        dry_run=True,
    )

    assert run.returncode == 0, run.log[-4000:]
    plan_lines = [line for line in run.lines("add    regular") if "B  " in line]
    assert len(plan_lines) >= len(ACT_HOSTILE_NAMES)  # the plan printed every name, as plain text
    for word in ("forged", "pwned", "legacy", "percent"):
        for line in run.lines(word):  # only where data is shown: plan lines, the plan output, the summary
            assert "add    regular" in line or "::set-output:: plan=" in line or line.lstrip().startswith('"'), line
    assert run.outputs["CHANGED"] == "false" and run.outputs["TAG"] == ""  # no output was forged
    assert len(run.lines("⚙  ***")) == 2 and "***-sentiment" not in run.log  # masks: only our two
    (result,) = json.loads(run.outputs["PLAN"])
    assert set(ACT_HOSTILE_NAMES) <= set(result["plan"]["add"]) and result["dry_run"] is True
    # commands after the names still worked: stop-commands did not switch them off
    assert run.outputs["REPO_URL"].endswith("acme-ai/kor-sentiment-v1")
    assert "Summary - ## hf-publish: publish" in run.log


def test_a_file_name_with_a_carriage_return_is_refused_before_upload_and_prints_inert(consumer, run_act, hub_sandbox):
    """A bare \r starts a new line for the runner's parser; the Hub refuses control characters in
    names, so publish stops before any upload with an annotation whose every line is data."""
    (consumer / "model" / "a\rb::warning::carriage").write_text("plain text\n")
    git(consumer, "add", "-A")
    git(consumer, "commit", "-q", "-m", "a file name with a carriage return")

    run = run_act(
        consumer,
        "push",
        push("refs/heads/main"),
        endpoint=hub_sandbox.endpoint,
        token=hub_sandbox.tokens["bob-fg-org"],
        dry_run=True,
    )

    assert run.returncode != 0
    assert run.lines("::error file=model/a%0Db%3A%3Awarning%3A%3Acarriage"), run.log[-4000:]
    for line in run.lines("carriage"):  # never a line of its own that the runner would parse
        assert not line.split("|", 1)[-1].strip().startswith("b::warning"), line
    assert run.outputs["CHANGED"] == "false" and run.outputs["COMMIT_SHA"] == ""


def git_spy(tmp_path: Path) -> tuple[str, Path, Path]:
    """A `git` first on PATH (added by an earlier step, through GITHUB_PATH) that logs its own
    environment and its parent's (the action's Python, from /proc) before running the real git."""
    spy = tmp_path / "spy"
    spy.mkdir()
    own, parent = tmp_path / "git-env.log", tmp_path / "parent-env.log"
    (spy / "git").write_text(
        "#!/bin/bash\n"
        f"env >> {own}\n"
        f"tr '\\\\0' '\\\\n' < /proc/$PPID/environ >> {parent}\n"
        f'exec {shutil.which("git")} "$@"\n'
    )
    (spy / "git").chmod(0o755)
    return f'echo "{spy}" >> "$GITHUB_PATH"\n', own, parent


@pytest.mark.parametrize(
    "event, payload, mode",
    [
        ("pull_request", pull_request(fork=False), None),
        ("pull_request", pull_request(fork=False), "publish"),
        ("pull_request_target", pull_request(fork=False), None),
    ],
)
def test_on_pull_request_events_no_process_that_reads_the_checkout_holds_the_token(
    consumer, run_act, hub_sandbox, tmp_path, event, payload, mode
):
    token = hub_sandbox.tokens["bob-fg-org"]
    script, own, parent = git_spy(tmp_path)
    run = run_act(consumer, event, payload, endpoint=hub_sandbox.endpoint, token=token, mode=mode, before_script=script)

    assert run.returncode == 0, run.log[-4000:]
    assert "GITHUB_WORKSPACE=" in own.read_text() and "GITHUB_WORKSPACE=" in parent.read_text()  # the spy ran
    assert token not in own.read_text() and token not in parent.read_text()
    assert hub_sandbox.requests == []  # nothing reached the Hub
    assert token not in run.log


def test_on_push_git_children_never_inherit_the_token(consumer, run_act, hub_sandbox, tmp_path):
    token = hub_sandbox.tokens["bob-fg-org"]
    script, own, _ = git_spy(tmp_path)
    run = run_act(
        consumer, "push", push("refs/heads/main"), endpoint=hub_sandbox.endpoint, token=token, before_script=script
    )
    assert run.returncode == 0, run.log[-4000:]
    assert "GITHUB_WORKSPACE=" in own.read_text()
    assert token not in own.read_text()
    assert hub_sandbox.head("acme-ai/kor-sentiment-v1") == run.outputs["COMMIT_SHA"]


def test_pull_request_target_with_mode_publish_is_refused_with_the_reason(consumer, run_act, hub_sandbox):
    run = run_act(
        consumer,
        "pull_request_target",
        pull_request(fork=True),
        endpoint=hub_sandbox.endpoint,
        token=hub_sandbox.tokens["bob-fg-org"],
        mode="publish",
    )
    assert run.returncode != 0 and run.outputs["OUTCOME"] == "failure"
    (error,) = [line for line in run.lines("::error title=hf-publish::") if "pull_request_target" in line]
    assert "secrets" in error and "push" in error
    assert hub_sandbox.requests == []
