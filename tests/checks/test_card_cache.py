"""The card result cache: a card seen before, under the same policy, rules and vocabularies, takes
its findings from the cache without importing the rules (PyYAML, the card parsers); anything that
changes the answer is a miss, and a checksum collision is never another card's result."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hf_publish.checks import model_card
from hf_publish.policy.model import CardPolicy
from tests.checks.test_model_card import COMPLETE

PROGRAM = (
    "import sys; from pathlib import Path; from hf_publish.checks.model_card import check_card; "
    "from hf_publish.policy.model import CardPolicy; "
    "sections = tuple(sys.argv[2].split(',')); "
    "found = check_card(Path(sys.argv[1]).read_bytes(), 'README.md', card=CardPolicy(required_sections=sections)); "
    "print(sorted(f.message for f in found)); "
    "print(sorted({'yaml', 'hf_publish.checks.model_card_rules'} & set(sys.modules)))"
)


def _run(card: Path, cache: Path, sections: str = "Overview,Usage") -> list[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    env.pop("HF_PUBLISH_NO_CACHE", None)
    return subprocess.run(
        [sys.executable, "-c", PROGRAM, str(card), sections], capture_output=True, text=True, env=env, check=True
    ).stdout.splitlines()


def test_a_card_seen_before_is_judged_without_importing_the_rules(tmp_path):
    card = tmp_path / "README.md"
    card.write_text(COMPLETE.replace("license: apache-2.0", "license: apache2"), encoding="utf-8")
    first, second = _run(card, tmp_path / "cache"), _run(card, tmp_path / "cache")
    assert "apache2" in first[0] and second[0] == first[0]  # the same findings, from the cache
    assert first[1] == "['hf_publish.checks.model_card_rules', 'yaml']" and second[1] == "[]"


def test_a_changed_card_or_policy_is_judged_again(tmp_path):
    card = tmp_path / "README.md"
    card.write_text(COMPLETE, encoding="utf-8")
    cache = tmp_path / "cache"
    assert _run(card, cache)[0] == "[]"
    required = _run(card, cache, "Overview,Usage,Limitations")  # another policy: not the cached answer
    assert "Limitations" in required[0] and required[1] != "[]"
    card.write_text(COMPLETE.replace("license: apache-2.0", "license: apache2"), encoding="utf-8")
    changed = _run(card, cache)
    assert "apache2" in changed[0] and changed[1] != "[]"


def test_an_entry_found_by_checksum_must_hold_the_same_card(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("HF_PUBLISH_NO_CACHE", raising=False)
    card = CardPolicy()
    clean = COMPLETE.encode()
    assert model_card.check_card(clean, "README.md", card=card) == []
    (entry,) = (tmp_path / "cache" / "hf-publish" / "card-results").iterdir()
    broken = COMPLETE.replace("license: apache-2.0", "license: apache2").encode()
    context = model_card._cache_context("model", card, None)
    os.replace(entry, model_card._cache_path(broken, context))  # as if the two collided
    found = model_card.check_card(broken, "README.md", card=card)
    assert any("apache2" in f.message for f in found)  # judged, not the clean card's empty answer
