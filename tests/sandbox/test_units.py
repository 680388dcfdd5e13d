"""Pieces of the sandbox tested without HTTP: pattern matching, shard parsing, ids, rules."""

from __future__ import annotations

import hashlib

import pytest

from hf_publish.sandbox import gitmatch
from hf_publish.sandbox.auth import Auth
from hf_publish.sandbox.store import LFS_PATTERNS, default_gitattributes, git_blob_sha1, lfs_pointer
from hf_publish.sandbox.xet import XetIndex, chunk_offsets, lz4_frame_decompress, parse_shard

DEFAULT = default_gitattributes("model").decode()


@pytest.mark.parametrize(
    "path, tracked",
    [
        ("model.safetensors", True),
        ("sub/dir/model.bin", True),
        ("model.7z.001", False),
        ("x.tar.gz", True),
        ("saved_model/variables/v.data", True),
        ("other/saved_model/x", False),
        ("events.out.tfevents.1", True),
        ("weights.lfs.bin", True),
        ("config.json", False),
        ("README.md", False),
        ("model.gguf", False),
    ],
)
def test_default_gitattributes_matching(path, tracked):
    assert gitmatch.lfs_tracked(DEFAULT, path) is tracked


def test_default_gitattributes_has_35_patterns():
    assert len(LFS_PATTERNS) == 35
    assert [line.split()[0] for line in DEFAULT.splitlines()] == LFS_PATTERNS


def test_gitattributes_last_match_wins_and_unset():
    attrs = "*.json filter=lfs diff=lfs merge=lfs -text\nconfig.json -filter\n/root.txt filter=lfs\n"
    assert gitmatch.lfs_tracked(attrs, "a/tokenizer.json")
    assert not gitmatch.lfs_tracked(attrs, "a/config.json")
    assert gitmatch.lfs_tracked(attrs, "root.txt") and not gitmatch.lfs_tracked(attrs, "a/root.txt")


@pytest.mark.parametrize(
    "path, ignored",
    [
        ("train.log", True),
        ("logs/a/train.log", True),
        ("keep.log", False),
        ("checkpoints/step/1.bin", True),
        ("a/checkpoints/x", True),
        ("checkpoints", False),
        ("build/out.txt", True),
        ("src/build/out.txt", False),
        ("data/file[1].txt", True),
        ("notes.txt", False),
    ],
)
def test_gitignore(path, ignored):
    rules = "# comment\n*.log\n!keep.log\ncheckpoints/\n/build\ndata/file?1?.txt\n"
    assert gitmatch.ignored(rules, path) is ignored


def test_git_blob_ids_match_git():
    assert git_blob_sha1(b"") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
    assert git_blob_sha1(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"
    pointer = lfs_pointer("a" * 64, 12)
    assert pointer.startswith(b"version https://git-lfs.github.com/spec/v1\noid sha256:") and len(pointer) < 200


def test_xet_reader_rebuilds_every_chunk_scheme_without_hf_xet(tmp_path):
    """hf-xet writes the bytes (a local:// CAS, the layout older sandboxes used); the sandbox's own
    shard parser and LZ4 decoder read them back: stored, LZ4 and byte-grouped LZ4 chunks alike."""
    import random
    import struct

    hf_xet = pytest.importorskip("hf_xet")
    rng = random.Random(1)
    files = {
        "random.bin": rng.randbytes(300_000),  # incompressible: stored chunks
        "zeros.bin": bytes(2_500_000),  # LZ4, long overlapping matches, repeated chunks (dedup)
        "floats.bin": struct.pack("<400000f", *[rng.gauss(0, 0.02) for _ in range(400_000)]),  # byte-grouped
        "text.txt": b"".join(b"line %d: the quick brown fox jumps over the lazy dog\n" % i for i in range(60_000)),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    cas = tmp_path / "cas"
    with hf_xet.XetSession().new_upload_commit(endpoint=f"local://{cas}", token="t", token_expiry_unix_secs=2**40) as c:
        handles = {name: c.start_upload_file(str(tmp_path / name), sha256=hf_xet.COMPUTE_SHA256) for name in files}
    schemes = set()
    for xorb in (cas / "xet" / "xorbs" / "xorbs").glob("default.*"):
        if xorb.suffix == ".tagset":
            continue
        data = xorb.read_bytes()
        offsets = chunk_offsets(lambda pos, n, data=data: data[pos : pos + n], len(data))
        schemes |= {data[o + 4] for o in offsets[:-1]}
    assert schemes == {0, 1, 2}
    parsed = {
        f.sha256: f
        for shard in (cas / "xet" / "xorbs" / "shards").glob("*.mdb")
        for f in parse_shard(shard.read_bytes())
    }
    index = XetIndex(cas)
    for name, data in files.items():
        sha = hashlib.sha256(data).hexdigest()
        assert parsed[sha].xet_hash == handles[name].result().xet_info.hash and parsed[sha].size == len(data)
        assert index.lookup(sha) == (parsed[sha].xet_hash, len(data))
        out = tmp_path / f"rebuilt-{name}"
        assert index.materialize(sha, out) and out.read_bytes() == data, name
    assert index.lookup("0" * 64) is None and not index.materialize("0" * 64, tmp_path / "none")


def test_lz4_and_shard_parsers_refuse_damaged_input():
    with pytest.raises(ValueError):
        lz4_frame_decompress(b"not a frame")
    frame = b"\x04\x22\x4d\x18\x40\x40\xc0" + struct_u32(5) + b"\x10abc"  # block cut short
    with pytest.raises((ValueError, IndexError)):
        lz4_frame_decompress(frame)
    with pytest.raises(ValueError, match="bookend"):
        parse_shard(b"\0" * 48 + b"\x01" * 32 + (1).to_bytes(4, "little") + (5).to_bytes(4, "little") + b"\0" * 8)


def struct_u32(n: int) -> bytes:
    return n.to_bytes(4, "little")


def test_rules_matrix():
    auth = Auth()
    tok = auth.tokens
    repo = ("model", "acme-ai/bert-korean-sentiment-v2")
    assert auth.repo_access(tok["alice-fg-repo"], *repo, private=True, creator="bob").write
    assert not auth.repo_access(tok["alice-fg-repo"], "model", "acme-ai/other-v1", private=True, creator="bob").read
    assert auth.repo_access(tok["alice-fg-repo"], "model", "acme-ai/other-v1", private=False, creator="bob").read
    assert not auth.repo_access(tok["alice-fg-repo"], "dataset", repo[1], private=False, creator="bob").write
    assert not auth.repo_access(tok["carol-fg-org"], *repo, private=True, creator="bob").write
    assert auth.repo_access(tok["carol-fg-org"], *repo, private=True, creator="carol").write
    assert not auth.repo_access(tok["dave-fg-org"], *repo, private=True, creator="dave").write
    assert not auth.repo_access(tok["eve-fg-user"], *repo, private=True, creator="bob").read
    assert auth.repo_access(tok["eve-fg-user"], "model", "eve/x", private=True, creator="eve").write
    assert auth.can_create(tok["carol-fg-org"], "model", "acme-ai") is None
    assert auth.can_create(tok["dave-fg-org"], "model", "acme-ai")
    assert auth.can_create(tok["alice-fg-repo"], "model", "acme-ai")
    assert auth.can_create(tok["eve-fg-user"], "dataset", "eve") is None
    assert "token policy" in auth.can_create(tok["alice-revoked"], "model", "acme-ai")
    assert auth.can_create(tok["alice-revoked"], "model", "alice") is None


def test_users_file_errors(tmp_path):
    bad = tmp_path / "u.yaml"
    bad.write_text("orgs: {x: {members: {a: owner}}}\n")
    with pytest.raises(ValueError, match="role 'owner'"):
        Auth(bad)
    bad.write_text("tokens: {t: {user: ghost}}\n")
    with pytest.raises(ValueError, match="unknown user 'ghost'"):
        Auth(bad)
