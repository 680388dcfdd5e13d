"""The security rules of the Action, under act with the real action.yml (issue: repository content
never runs, never steers the install, never forges workflow commands, never meets the token).

A pull request controls the checkout. Each test plants what an attacker would commit (or what an
earlier step of the job could set) and asserts the planted code never ran (it would write a marker
file and a GITHUB_ENV line), the install was not steered, and the verdict did not change.
"""

from __future__ import annotations

import json
import os
import shutil
import textwrap
from pathlib import Path

import pytest

from tests.action.test_act import REPOSITORY, pull_request, push
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
    for relative in ("hf_publish/__init__.py", "hf_publish/__main__.py", "argparse.py", "yaml.py", "json.py",
                     "re.py", "typing.py", "venv/__init__.py", "venv/__main__.py", "pip/__init__.py",
                     "pip/__main__.py", "ensurepip/__init__.py", "ensurepip/__main__.py", "sitecustomize.py",
                     "usercustomize.py", "encodings/__init__.py", "huggingface_hub/__init__.py", "regex.py",
                     "model/yaml.py", "model/argparse.py"):
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
        consumer, run_act, hub_sandbox, tmp_path, installer):
    marker = tmp_path / "planted-code-ran"
    plant_shadowing_modules(consumer, marker)
    break_the_card(consumer)
    git(consumer, "add", "-A")
    git(consumer, "commit", "-q", "-m", "a pull request that shadows modules")

    run = run_act(consumer, "pull_request", pull_request(fork=False), endpoint=hub_sandbox.endpoint,
                  token=hub_sandbox.tokens["bob-fg-org"], extra_env={"HF_PUBLISH_INSTALLER": installer})

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
    (consumer / "uv.toml").write_text('find-links = ["wheels"]\nno-index = true\n'
                                      'constraint-dependencies = ["packaging==1.0"]\n')
    (consumer / "pyproject.toml").write_text('[project]\nname = "consumer"\nversion = "0"\n\n[tool.uv]\n'
                                             'find-links = ["wheels"]\nno-index = true\n'
                                             'constraint-dependencies = ["packaging==1.0"]\n')
    (consumer / "pip.conf").write_text("[global]\nno-index = true\nfind-links = wheels\n"
                                       "constraint = wheels/constraints.txt\n")
    git(consumer, "add", "-A")
    git(consumer, "commit", "-q", "-m", "installer configuration pointing at planted wheels")
    token = hub_sandbox.tokens["bob-fg-org"]

    run = run_act(consumer, "push", push("refs/heads/main"), endpoint=hub_sandbox.endpoint, token=token,
                  before_script=STEERING_SCRIPT)

    assert not marker.exists(), marker.read_text()
    assert run.returncode == 0, run.log[-4000:]
    assert run.outputs["CHANGED"] == "true" and run.outputs["COMMIT_SHA"] == hub_sandbox.head("acme-ai/kor-sentiment-v1")
    assert not (consumer / "planted" / "target").exists()  # PIP_TARGET was not honoured
