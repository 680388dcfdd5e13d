"""What a publish uploads is decided once (the plan layer), and the publish-time checks run over
exactly that list: a secret in any file the plan uploads is always found, a file the plan leaves out
is never scanned for it. One glob matcher (`hf_publish.paths.matches`) for every policy glob. File
names the Hub refuses are findings before any upload."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hf_publish.checks._inputs import CheckContext
from hf_publish.errors import ChecksFailed
from hf_publish.paths import hub_path_problem, matches
from hf_publish.policy.load import load_policy
from hf_publish.publishing.run import publish
from tests.publish.helpers import REPO, Checkout, git, make_checkout

# Shaped like a user access token (hf_ + 34 letters); not a real one.
TOKEN = "hf_" + "ZxCvBnMaSdFgHjKlQwErTyUiOp" + "MnBvCxZa"


def with_ignore(checkout: Checkout, ignore: list[str]) -> None:
    policy = (checkout.path / ".hf-publish.yaml").read_text()
    start = policy.index("    ignore:\n")
    end = policy.index("release:")
    checkout.write(".hf-publish.yaml", policy[:start] + f"    ignore: {json.dumps(ignore)}\n" + policy[end:])


def dry_run_plan(checkout: Checkout) -> set[str]:
    """The files a publish uploads (no token: planned against an empty remote, no network)."""
    report = publish(checkout.path, dry_run=True, env={}, log=lambda line: None)
    return set(report.results[0].plan.to_dict()["add"])


def secret_paths(checkout: Checkout) -> set[str]:
    try:
        publish(checkout.path, dry_run=True, env={}, log=lambda line: None)
    except ChecksFailed as exc:
        return {f.path for f in exc.findings if f.check == "secrets"}
    return set()


def leak(checkout: Checkout, path: str) -> None:
    checkout.write(path, f'HfApi(token="{TOKEN}")\n')


@pytest.mark.parametrize(
    ("ignore", "left_out", "uploaded"),
    [
        (["upload.py"], ["upload.py"], ["scripts/upload.py"]),  # no `/`: the top only (as upload_folder)
        (["runs/"], ["runs/a.py", "runs/1/b.py"], ["sub/runs/c.py", "runs.py"]),
        (["**/x.py"], ["x.py", "a/x.py", "a/b/x.py"], ["ax.py"]),  # `**/` matches at the top too
        (["/build/"], ["build/gen.py"], ["src/build/gen.py"]),  # a leading `/` anchors at the top
        (["*.tmp.py"], ["a.tmp.py", "deep/b.tmp.py"], ["a.py"]),  # `*` crosses `/`
    ],
)
def test_a_file_is_either_uploaded_and_scanned_or_neither(tmp_path, ignore, left_out, uploaded):
    checkout = make_checkout(tmp_path / "w")
    with_ignore(checkout, ignore)
    checkout.commit("policy")
    for path in left_out + uploaded:
        leak(checkout, path)

    assert secret_paths(checkout) == set(uploaded)
    for path in left_out + uploaded:
        checkout.write(path, "print('no secret')\n")
    planned = dry_run_plan(checkout)
    assert set(uploaded) <= planned and not set(left_out) & planned


FILES = [
    "upload.py",
    "scripts/upload.py",
    "runs/a.py",
    "sub/runs/b.py",
    "x.tmp",
    "a/x.tmp",
    "build/gen.py",
    "notes/readme.txt",
    "weird name.py",
    "[x].py",
]
GLOBS = ["upload.py", "runs/", "*.tmp", "/build/", "**/readme.txt", "sub/*", "[[]x].py", "*/upload.py", "notes/**"]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ignore=st.lists(st.sampled_from(GLOBS), max_size=3, unique=True),
    files=st.lists(st.sampled_from(FILES), min_size=1, max_size=5, unique=True),
)
def test_every_file_the_plan_uploads_is_scanned_and_no_other(tmp_path_factory, ignore, files):
    checkout = make_checkout(tmp_path_factory.mktemp("p") / "w")
    with_ignore(checkout, ignore)
    for path in files:
        leak(checkout, path)

    expected = {p for p in files if not matches(p, ignore)}
    assert secret_paths(checkout) == expected
    # ... and the checks' own selection at publish time is the plan's list, file for file.
    policy = load_policy(checkout.path / ".hf-publish.yaml")
    ctx = CheckContext(
        root=checkout.path, policy=policy, policy_path=checkout.path / ".hf-publish.yaml", source="worktree"
    )
    for path in files:
        checkout.write(path, "ok\n")
    assert set(ctx.target_paths()) == dry_run_plan(checkout)


def test_commit_time_secrets_exclude_uses_the_same_matcher(tmp_path, monkeypatch, capsys):
    from hf_publish.cli import main

    checkout = make_checkout(tmp_path / "w")
    policy = (checkout.path / ".hf-publish.yaml").read_text()
    checkout.write(".hf-publish.yaml", policy + 'secrets:\n  exclude: ["fixtures.py", "tests/data/"]\n')
    for path in ("fixtures.py", "tests/fixtures.py", "tests/data/tok.py"):
        leak(checkout, path)
    git(checkout.path, "add", "-A")
    monkeypatch.chdir(checkout.path)

    code = main(["check", "secrets"])

    out = capsys.readouterr().out
    assert code == 1 and "tests/fixtures.py:1:" in out
    assert "tests/data/tok.py" not in out and "\nfixtures.py" not in "\n" + out


# --- the one matcher --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "patterns"),
    [
        ("a/b/c.txt", ["*.txt"]),
        ("runs/1/log", ["runs/"]),
        ("a", ["a"]),
        ("dir/x", ["dir/*"]),
        ("model.bin", ["*.bin", "x"]),
        ("docs/a.md", ["docs/**"]),
        ("a.py", ["[ab].py"]),
    ],
)
def test_the_matcher_agrees_with_upload_folders_ignore_patterns(path, patterns):
    from huggingface_hub.utils import filter_repo_objects

    ignored_by_hub = not list(filter_repo_objects([path], ignore_patterns=patterns))
    assert matches(path, patterns) is ignored_by_hub is True


# --- file names the Hub refuses ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "a\x01b.txt",
        "tab\there.txt",
        "line\nbreak.md",
        "del\x7f.txt",
        "Sub/.GIT/config",
        ".Git",
        "x/.gIt/y",
        "n" * 256 + ".txt",
        "/".join(["d" * 200] * 30),
        "a/../b",
        "./a",
        "a//b",
        ".cache/x",
        "b\udcff.bin",
    ],
)
def test_names_the_hub_or_the_client_refuse_are_errors(path):
    problem = hub_path_problem(path)
    assert problem is not None and problem.severity == "error", path


def test_every_path_huggingface_hubs_validation_refuses_is_an_error():
    from huggingface_hub._commit_api import _validate_path_in_repo

    for path in ["a/../b", "..", ".", "a/.git/b", ".git", "x/.cache/y", "a/..", "../x"]:
        with pytest.raises(ValueError):
            _validate_path_in_repo(path)
        assert hub_path_problem(path).severity == "error", path


@pytest.mark.parametrize(
    "path",
    [
        "README.md",
        "모델/설명서.md",
        "café ñ.txt",
        " a.txt",
        ".gitattributes",
        ".github/x.yml",
        "a.git/b",
        "n" * 255,
        "comma,colon:%.txt",
    ],
)
def test_ordinary_names_pass(path):
    assert hub_path_problem(path) is None


def test_a_backslash_is_a_warning_that_says_what_happens(tmp_path):
    problem = hub_path_problem("configs\\base.json")
    assert problem.severity == "warning"
    assert "Windows" in problem.message and "refuse" not in problem.message

    checkout = make_checkout(tmp_path / "w")
    checkout.write("configs\\base.json", "{}\n")
    report = publish(checkout.path, dry_run=True, env={}, log=lambda line: None)
    assert [(f.check, f.path, f.severity) for f in report.findings] == [("lfs", "configs\\base.json", "warning")]
    assert "configs\\base.json" in report.results[0].plan.to_dict()["add"]


def test_a_refused_name_stops_the_publish_before_any_request(tmp_path, publish_with, hub_sandbox):
    checkout = make_checkout(tmp_path / "w")
    checkout.write("notes\x1b[31m.md", "colour\n")
    checkout.commit("bad names")
    checkout.write("Data/.GIT/HEAD", "ref\n")  # git refuses to track it; untracked, a publish would send it

    with pytest.raises(ChecksFailed) as caught:
        publish_with("alice-fg-org", checkout)

    assert sorted((f.check, f.path) for f in caught.value.findings) == [
        ("lfs", "Data/.GIT/HEAD"),
        ("lfs", "notes\x1b[31m.md"),
    ]
    assert all("rename the file" in f.fix for f in caught.value.findings)
    assert hub_sandbox.requests == []


# --- folders outside git ----------------------------------------------------------------------------------


def plain_folder(path: Path) -> Path:
    """A training job's output folder: the example's files, no git anywhere above it."""
    from tests.publish.helpers import EXAMPLE, weights

    path.mkdir(parents=True)
    for name in ("README.md", "config.json", ".hf-publish.yaml"):
        (path / name).write_bytes((EXAMPLE / name).read_bytes())
    (path / "model.safetensors").write_bytes(weights())
    return path


@pytest.fixture
def outside_git(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    return plain_folder(tmp_path / "outputs")


def test_a_folder_outside_git_is_published_and_mirrors_saying_so(
    outside_git, publish_with, hub_sandbox, hub_api, upload_lane
):
    folder = Checkout(outside_git)
    first = publish_with("alice-fg-org", folder).results[0]
    assert first.created and set(first.plan.to_dict()["add"]) == {"README.md", "config.json", "model.safetensors"}
    assert hub_sandbox.read_file(REPO, "model.safetensors") == (outside_git / "model.safetensors").read_bytes()
    assert "model.safetensors" in {c.path for c in first.plan.changes if c.lfs}
    (latest, *_) = hub_api("alice-fg-org").list_repo_commits(REPO)
    assert "Git commit:" not in latest.message
    hub_sandbox.clear_log()

    again = publish_with("alice-fg-org", folder).results[0]
    assert not again.changed and [r for r in hub_sandbox.requests if "/commit/" in r.path] == []

    hub_api("bob-fg-org").upload_file(path_or_fileobj=b"x\n", path_in_repo="web.md", repo_id=REPO)
    (outside_git / "config.json").write_text('{"epoch": 2}\n')
    lines: list[str] = []
    result = publish_with("alice-fg-org", folder, log=lines.append).results[0]

    assert [(c.path, c.action) for c in result.plan.changes] == [("config.json", "update"), ("web.md", "delete")]
    said = next(i for i, line in enumerate(lines) if "mirror:" in line and "not in git" in line)
    assert said < next(i for i, line in enumerate(lines) if "committing" in line)
    assert set(hub_sandbox.list_files(REPO)) == {".gitattributes", "README.md", "config.json", "model.safetensors"}


def test_outside_git_the_folders_gitattributes_and_the_hub_size_rule_decide_lfs(outside_git):
    from hf_publish.selection import list_folder

    (outside_git / ".gitattributes").write_text("*.dat filter=lfs diff=lfs merge=lfs -text\n")
    (outside_git / "table.dat").write_text("text, but LFS by the folder's rule\n")
    (outside_git / "notes.txt").write_text("plain text\n")
    with open(outside_git / "big.txt", "wb") as handle:
        handle.truncate(10 * 1024 * 1024)  # 10 MiB of NUL: LFS by size (and content)

    files = list_folder(outside_git)

    assert files["table.dat"].predicted_lfs() and files["big.txt"].predicted_lfs()
    assert files["model.safetensors"].predicted_lfs() and not files["notes.txt"].predicted_lfs()
    assert not (outside_git / ".git").exists()  # the folder was not turned into a repo to ask git


def test_outside_git_the_publish_time_checks_still_run(outside_git, publish_with, hub_sandbox):
    (outside_git / "push.py").write_text(f'HfApi(token="{TOKEN}")\n')
    pointer = (
        "version https://git-lfs.github.com/spec/v1\noid sha256:"
        + hashlib.sha256(b"w").hexdigest()
        + "\nsize 123456789\n"
    )
    (outside_git / "model.safetensors").write_text(pointer)

    with pytest.raises(ChecksFailed) as caught:
        publish_with("alice-fg-org", Checkout(outside_git))

    assert sorted((f.check, f.path) for f in caught.value.findings) == [
        ("lfs", "model.safetensors"),
        ("secrets", "push.py"),
    ]
    assert hub_sandbox.requests == []
