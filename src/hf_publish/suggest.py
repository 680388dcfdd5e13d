"""The one "did you mean" helper: the closest of the known names (difflib), for unknown keys, check
ids, headings, licenses and tags."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, known: Iterable[str], *, n: int = 1, cutoff: float = 0.6) -> list[str]:
    """Up to `n` names of `known` closest to `word` (best first), none below `cutoff` similarity."""
    return difflib.get_close_matches(word, list(known), n=n, cutoff=cutoff)
