"""Hugging Face token shapes, and the `Redactor` that keeps every secret out of output.

There is no module-level state: a command creates one `Redactor` (seeded with HF_TOKEN's value)
and hands it to whatever writes output: the output layer (`report.runner_safe_output`), the
Action's `Runner`, and `publish()`, whose Hub client registers the token it resolves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# A user access token is `hf_` followed by 34 ASCII letters (hub-rules.md).
HF_TOKEN_RE = re.compile(r"(?<![A-Za-z0-9_])hf_[A-Za-z]{34}(?![A-Za-z0-9])")
MIN_SECRET_LENGTH = 8  # shorter values are not hidden: they would blank ordinary words


def mask(token: str) -> str:
    """`hf_abcd…` with the rest hidden: enough to recognise, useless to steal."""
    return token[:7] + "…" if len(token) > 7 else "…"


class Redactor:
    """Hides the secrets it was given, and every token-shaped string, in text about to be written.

    `add` registers one more (the resolved token, a Trusted Publishing token the moment it exists);
    tokens of other shapes (OAuth, OIDC exchange results) are hidden because they were added.
    """

    def __init__(self, secrets: Iterable[str | None] = (), *, shapes: bool = True) -> None:
        self._secrets: set[str] = set()
        self._shapes = shapes  # False: only the registered secrets are hidden (see `registered_only`)
        for secret in secrets:
            self.add(secret)

    def registered_only(self) -> Redactor:
        """A redactor hiding only the registered secrets, for output whose token-shaped strings are
        public by design (the sandbox's own test tokens, which a user must be able to copy)."""
        copy = Redactor(shapes=False)
        copy._secrets = set(self._secrets)
        return copy

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Redactor:
        """A redactor that already knows the token variables' values."""
        return cls(env.get(name) for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "INPUT_TOKEN"))

    def add(self, value: str | None) -> None:
        if value and len(value) >= MIN_SECRET_LENGTH:
            self._secrets.add(value)

    def redact(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, mask(secret))
        return redact(text) if self._shapes else text

    __call__ = redact


def redact(text: str) -> str:
    """Every token-shaped string in `text` masked (no registered secrets: see `Redactor`)."""
    return HF_TOKEN_RE.sub(lambda m: mask(m.group(0)), text)
