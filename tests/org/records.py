"""Built audit records for the pure tests (no Hub): a small org with one of each problem."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hf_publish.org.audit import AuditOptions, judge
from hf_publish.org.model import Access, AuditResult, Commit, RepoFile, RepoRecord, Requests
from hf_publish.policy.model import Policy

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
GOOD_CARD = b"""---
license: apache-2.0
---
# Sentiment

## Overview
A Korean sentiment classifier fine-tuned from BERT.

## Usage
```python
AutoModel.from_pretrained("acme/bert-sentiment-v1")
```

## Performance
| dataset | accuracy |
|---|---|
| nsmc | 0.91 |

## License
Apache-2.0.

## Contact
ml@acme.example
"""
GITATTRIBUTES = RepoFile(".gitattributes", 1519, False)
HOSTILE = '<img src=x onerror="window.__pwned=1">'


def record(
    repo_id: str,
    repo_type: str = "model",
    *,
    private: bool = True,
    days: float = 3,
    storage: int = 10**6,
    files: tuple[RepoFile, ...] | str | None = "default",
    card: bytes | None = GOOD_CARD,
    **kw,
) -> RepoRecord:
    if files == "default":
        files = (
            (GITATTRIBUTES, RepoFile("README.md", len(card or b""), False)) if card is not None else (GITATTRIBUTES,)
        )
    return RepoRecord(
        id=repo_id,
        type=repo_type,
        private=private,
        sha=f"{abs(hash(repo_id)):040x}"[:40],  # type: ignore[arg-type]
        last_modified=NOW - timedelta(days=days),
        storage=storage,
        files=files,
        card=card,
        **kw,
    )


def result_of(
    repos: list[RepoRecord],
    policy: Policy | None = None,
    *,
    since_days: float = 7,
    access: Access | None = None,
    storage_source: str = "settings",
    endpoint: str = "https://huggingface.co",
) -> AuditResult:
    options = AuditOptions(organization="acme", since=timedelta(days=since_days), now=NOW)
    return judge(
        policy or Policy(organization="acme"),
        options,
        repos,
        access=access or Access("write", "alice", True, "admin", True),
        storage_source=storage_source,
        requests=Requests(),
        endpoint=endpoint,
    )


def sample_org() -> list[RepoRecord]:
    """Clean repos, and one of each problem."""
    return [
        record(
            "acme/bert-sentiment-v1",
            storage=3 * 10**9,
            files=(GITATTRIBUTES, RepoFile("README.md", 500, False), RepoFile("model.safetensors", 3 * 10**9, True)),
            last_commit=Commit("c" * 40, "Upload model.safetensors", ("alice",), NOW - timedelta(days=3)),
        ),
        record(
            "acme/Test123",
            private=False,
            storage=2 * 10**9,
            days=1,
            files=(RepoFile("README.md", 10, False), RepoFile("pytorch_model.bin", 4 * 10**9, False)),
            card=b"# todo\n",
            last_commit=Commit("d" * 40, HOSTILE, ("mallory",), NOW - timedelta(days=1)),
        ),
        record("acme/old-corpus-v1", "dataset", days=400, storage=60 * 10**9, card=None),
        record(
            "acme/demo-space-v1",
            "space",
            private=False,
            days=30,
            storage=10**7,
            card=b"---\nlicense: mit\nsdk: gradio\n---\n## Overview\n" + HOSTILE.encode() + b"\n",
        ),
    ]
