"""Hugging Face token shapes, and masking so a token never reaches any output."""

from __future__ import annotations

import os
import re

# A user access token is `hf_` followed by 34 ASCII letters (hub-rules.md).
HF_TOKEN_RE = re.compile(r"(?<![A-Za-z0-9_])hf_[A-Za-z]{34}(?![A-Za-z0-9])")

_extra_secrets: set[str] = set()


def mask(token: str) -> str:
    """`hf_abcd…` with the rest hidden: enough to recognise, useless to steal."""
    return token[:7] + "…" if len(token) > 7 else "…"


def register_secret(value: str | None) -> None:
    """Remember a secret (e.g. the resolved token) so `redact` hides it wherever it appears."""
    if value and len(value) >= 8:
        _extra_secrets.add(value)


def redact(text: str) -> str:
    """Hide every registered secret, HF_TOKEN's value and every token-shaped string in `text`.

    Registered secrets cover tokens of other shapes (OAuth, OIDC exchange results)."""
    for secret in sorted(_extra_secrets | {os.environ.get("HF_TOKEN") or ""}, key=len, reverse=True):
        if secret and len(secret) >= 8:
            text = text.replace(secret, mask(secret))
    return HF_TOKEN_RE.sub(lambda m: mask(m.group(0)), text)
