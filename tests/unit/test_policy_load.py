"""policy/load.py: one locate sequence, typed policy from YAML, every problem at its line, a
validity cache keyed by the file's content."""

from __future__ import annotations

import pytest

from hf_publish.errors import PolicyError
from hf_publish.policy.load import locate, parse_policy_text
from hf_publish.policy.model import DEFAULT_REPO_PATTERN
from tests.helpers import init_repo, write

POLICY = """organization: acme
repos:
  - name: bert-sentiment-v1
    path: model
    gated: manual
"""


def test_locate_finds_the_root_and_the_policy_from_a_subfolder(tmp_path):
    repo = init_repo(tmp_path / "repo", lfs=False)
    write(repo / ".hf-publish.yaml", POLICY)
    (repo / "model" / "sub").mkdir(parents=True)
    located = locate(repo / "model" / "sub")
    assert located.root == repo.resolve() and located.in_git and located.shown == ".hf-publish.yaml"
    spec = located.policy.repo("bert-sentiment-v1")
    assert (spec.path, spec.line, spec.path_line) == ("model", 3, 4)
    assert located.policy.gated_for(spec) == "manual"
    assert located.policy.repo_naming.pattern == DEFAULT_REPO_PATTERN  # absent keys take the defaults


def test_without_a_policy_file_the_defaults_apply_and_outside_git_the_folder_is_the_root(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    located = locate(plain)
    assert not located.in_git and located.policy_path is None and located.policy.repos == ()
    with pytest.raises(Exception, match="not a git"):
        locate(plain, outside_git="not a git work tree. Next: run it in the clone")


def test_every_problem_is_a_finding_at_its_line():
    findings, _ = parse_policy_text(b"organization: acme\nrepos:\n  - name: x\n    colour: red\n", ".hf-publish.yaml")
    assert findings and all(f.path == ".hf-publish.yaml" for f in findings)
    assert any(f.line == 4 and "colour" in f.message for f in findings)
    findings, _ = parse_policy_text(b"repos: [\n", ".hf-publish.yaml")
    assert findings and findings[0].line is not None


def test_an_invalid_policy_raises_with_its_findings(tmp_path):
    repo = init_repo(tmp_path / "repo", lfs=False)
    write(repo / ".hf-publish.yaml", "organization: [not, a, name]\n")
    with pytest.raises(PolicyError) as caught:
        locate(repo)
    assert "1 problem" in str(caught.value)
    (finding,) = caught.value.findings
    assert finding.line == 1 and "organization" in finding.message and finding.fix


def test_the_validity_cache_is_keyed_by_content(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("HF_PUBLISH_NO_CACHE", raising=False)
    repo = init_repo(tmp_path / "repo", lfs=False)
    write(repo / ".hf-publish.yaml", POLICY)
    locate(repo)
    cache = tmp_path / "cache" / "hf-publish" / "valid-policies"
    entries = set(cache.iterdir())
    assert len(entries) == 1
    locate(repo)
    assert set(cache.iterdir()) == entries  # same content: the same entry
    write(repo / ".hf-publish.yaml", POLICY.replace("manual", "auto"))
    locate(repo)
    assert len(set(cache.iterdir())) == 2


def test_a_policy_seen_before_loads_from_the_cache_without_yaml_and_with_its_lines(tmp_path):
    import os
    import subprocess
    import sys

    repo = init_repo(tmp_path / "repo", lfs=False)
    write(repo / ".hf-publish.yaml", "# the org's policy\n\n" + POLICY)
    program = (
        "import sys; from pathlib import Path; from hf_publish.policy.load import locate; "
        "spec = locate(Path(sys.argv[1])).policy.repos[0]; "
        "print(spec.name, spec.line, spec.path_line, spec.gated, 'yaml' in sys.modules)"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("HF_PUBLISH_NO_CACHE", None)
    runs = [
        subprocess.run(
            [sys.executable, "-c", program, str(repo)], capture_output=True, text=True, env=env, check=True
        ).stdout.split()
        for _ in range(2)
    ]
    assert runs[0] == ["bert-sentiment-v1", "5", "6", "manual", "True"]
    assert runs[1] == ["bert-sentiment-v1", "5", "6", "manual", "False"]  # same policy, no YAML parse
    write(repo / ".hf-publish.yaml", "# the org's policy\n\n" + POLICY + "  - name: [broken\n")
    broken = subprocess.run([sys.executable, "-c", program, str(repo)], capture_output=True, text=True, env=env)
    assert broken.returncode != 0 and "PolicyError" in broken.stderr  # changed bytes: parsed and refused


def test_a_cache_entry_found_by_checksum_must_hold_the_same_text(tmp_path, monkeypatch):
    # The entry's file name is a checksum, which a crafted policy could collide with: an entry is
    # used only when the text it holds is the file's, so a collision is parsed like a new policy.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("HF_PUBLISH_NO_CACHE", raising=False)
    from hf_publish.policy import load

    lenient = tmp_path / "lenient.yaml"
    write(lenient, POLICY)
    load.load_policy(lenient)
    (entry,) = (tmp_path / "cache" / "hf-publish" / "valid-policies").iterdir()
    broken = POLICY + "  - name: [broken\n"
    entry.rename(entry.with_name(load._cache_name(load._schema_stamp(), broken)))  # a "collision"
    crafted = tmp_path / "crafted.yaml"
    write(crafted, broken)
    with pytest.raises(PolicyError):
        load.load_policy(crafted)


def test_a_policy_saved_with_a_byte_order_mark_loads_and_is_served_from_the_cache(tmp_path, monkeypatch):
    # Windows editors write a UTF-8 BOM; the policy reads as the "utf-8-sig" codec would read it.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("HF_PUBLISH_NO_CACHE", raising=False)
    raw = b"\xef\xbb\xbf" + POLICY.encode()
    for _ in range(2):  # parsed, then from the cache
        findings, data = parse_policy_text(raw, ".hf-publish.yaml")
        assert findings == [] and data["organization"] == "acme"
    assert len(list((tmp_path / "cache" / "hf-publish" / "valid-policies").iterdir())) == 1


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_policy_that_is_not_utf8_is_refused_at_the_line_of_the_bad_byte(bom):
    findings, _ = parse_policy_text(bom + b"organization: acme\n# caf\xe9\n", ".hf-publish.yaml")
    assert [(f.line, f.message) for f in findings] == [(2, "policy file is not valid UTF-8")]


def test_cache_names_tell_apart_contents_of_one_length_and_do_not_vary_between_processes():
    import subprocess
    import sys

    from hf_publish.paths import content_key

    samples = [b"", b"\0", b"\0\0", b"ab", b"ba", b"organization: acme\n", b"organization: acmf\n"]
    keys = [content_key(s) for s in samples]
    assert len(set(keys)) == len(samples)
    program = "import sys; from hf_publish.paths import content_key; print(content_key(sys.argv[1].encode()))"
    again = subprocess.run([sys.executable, "-c", program, "ab"], capture_output=True, text=True, check=True)
    assert again.stdout.strip() == content_key(b"ab")
