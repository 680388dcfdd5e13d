"""`hf-publish refresh-vocab`: fetch the Hub's current license and pipeline_tag ids (online; the
only network use besides publish) and write them, dated, to the user's vocabulary folder
(`cards.vocab.user_dir()`), which checks read before the vendored copy. The installed package is
never written: maintainers refresh the vendored copy with `--output src/hf_publish/data`.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from hf_publish.cards import vocab
from hf_publish.errors import HubError, UsageError

if TYPE_CHECKING:
    from hf_publish.tokens import Redactor


def ids_from_model_tags(answer: object, key: str) -> list[str]:
    """The ids under `key` in `/api/models-tags-by-type`'s answer: {key: [{"id": ..., "label": ...}]}."""
    entries = answer.get(key) if isinstance(answer, dict) else None
    if not isinstance(entries, list):
        raise HubError(
            f"the Hub's model tags answer has no {key!r} list; refusing to overwrite the shipped list. Next: retry later, or against another --endpoint"
        )
    ids = [e["id"] for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str) and e["id"]]
    if not ids:
        raise HubError(
            f"the Hub's model tags answer has an empty {key!r} list; refusing to overwrite the shipped list. Next: retry later, or against another --endpoint"
        )
    return list(dict.fromkeys(ids))


def write_vocab(
    directory: Path, kind: str, ids: list[str], *, source: str, date: str
) -> tuple[Path, vocab.Vocab | None]:
    """Write one data file; returns its path and the previous vocabulary (None if there was none)."""
    filename, _ = vocab.FILES[kind]
    from hf_publish.safewrite import write_file

    path = directory / filename
    previous = None
    if path.is_file() and not path.is_symlink():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
            previous = vocab.Vocab(kind, old.get("date", "?"), old.get("source", ""), tuple(old.get("ids", ())))
        except (ValueError, OSError):
            previous = None
    payload = {"date": date, "source": source, "kind": kind, "ids": ids}
    write_file(
        path, (json.dumps(payload, indent=1, ensure_ascii=False) + "\n").encode("utf-8"), what=f"the {kind} list"
    )
    return path, previous


def default_output_dir() -> Path:
    """The user's vocabulary folder (created if missing): checks read it before the vendored copy."""
    from hf_publish.safewrite import write_problem

    folder = vocab.user_dir()
    problem = write_problem(folder)
    if problem is None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(
                f"cannot create {folder}: {exc.strerror}. Next: pass --output DIR with a folder you "
                "can write to (or set XDG_CACHE_HOME)"
            ) from None
    return folder


def command_refresh(args: argparse.Namespace, *, redactor: Redactor | None = None) -> int:
    """`hf-publish refresh-vocab [--endpoint URL] [--output DIR]`."""
    output = Path(args.output) if getattr(args, "output", None) else default_output_dir()
    if not output.is_dir() or output.is_symlink():
        raise UsageError(
            f"--output {output}: not a folder"
            + (" (a symlink: hf-publish never writes through one)" if output.is_symlink() else "")
            + ". Next: pass --output DIR with an existing, real folder"
        )
    endpoint = getattr(args, "endpoint", None)
    from hf_publish.publishing.hub import fetch_model_tags

    answer = fetch_model_tags(endpoint)
    where = (endpoint or os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")
    today = _dt.date.today().isoformat()
    lists = {kind: ids_from_model_tags(answer, key) for kind, (_, key) in vocab.FILES.items()}
    from hf_publish.errors import UnsafeWriteError
    from hf_publish.safewrite import write_problem

    for filename, _ in vocab.FILES.values():  # refuse before the first write: both lists or neither
        problem = write_problem(output / filename)
        if problem:
            raise UnsafeWriteError(
                f"refusing to write {output / filename}: {problem}; hf-publish never writes "
                "through a symlink. Nothing was written. Next: remove the link, or pass --output DIR"
            )
    for kind, ids in lists.items():
        try:
            path, previous = write_vocab(
                output, kind, ids, date=today, source=f"{where}/api/models-tags-by-type (HfApi.get_model_tags)"
            )
        except OSError as exc:
            raise UsageError(
                f"cannot write the {kind} list to {output}: {exc.strerror}; "
                "pass --output DIR with a folder you can write to"
            ) from None
        change = ""
        if previous is not None:
            added = [i for i in ids if i not in previous.ids]
            removed = [i for i in previous.ids if i not in ids]
            change = f" (+{len(added)} added, -{len(removed)} removed since {previous.date})"
            if added:
                change += f"; added: {', '.join(added[:10])}{' ...' if len(added) > 10 else ''}"
            if removed:
                change += f"; removed: {', '.join(removed[:10])}{' ...' if len(removed) > 10 else ''}"
        print(f"{kind}: {len(ids)} ids dated {today} -> {path}{change}", file=sys.stdout)
    vocab.load.cache_clear()
    return 0
