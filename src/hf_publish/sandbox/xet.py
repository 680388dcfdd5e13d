"""The xet side of the sandbox: a ``local://`` CAS directory written by hf-xet itself.

The sandbox answers the xet token endpoints with ``X-Xet-Cas-Url: local://<cas dir>``; hf-xet has a
built-in filesystem CAS backend for that scheme (an undocumented simulation backend: hf-xet is
pinned in the test extra). The server never speaks the CAS protocol: it only reads the MDB shard
files hf-xet uploads into ``<cas>/xet/xorbs/shards`` to learn which sha256 maps to which xet file
hash, and asks hf-xet to reconstruct a file when someone downloads it over plain HTTP.
"""

from __future__ import annotations

import hashlib
import os
import struct
import threading
from pathlib import Path

_HEADER_SIZE = 48
_ENTRY_SIZE = 48
_FLAG_VERIFICATION = 0x80000000
_FLAG_METADATA_EXT = 0x40000000
_BOOKEND = b"\xff" * 32


def _hash_hex(raw: bytes) -> str:
    """A MerkleHash as hf-xet prints it: 4 little-endian u64 words, 16 hex digits each."""
    return "".join("%016x" % w for w in struct.unpack("<4Q", raw))


def parse_shard(data: bytes) -> dict[str, tuple[str, int]]:
    """sha256 -> (xet file hash, size) for every file entry of one MDB shard that carries a sha256."""
    out: dict[str, tuple[str, int]] = {}
    off = _HEADER_SIZE
    while off + _ENTRY_SIZE <= len(data):
        file_hash = data[off : off + 32]
        flags, n = struct.unpack_from("<II", data, off + 32)
        if file_hash == _BOOKEND:
            return out
        off += _ENTRY_SIZE
        size = 0
        for i in range(n):
            size += struct.unpack_from("<I", data, off + i * _ENTRY_SIZE + 36)[0]
        off += n * _ENTRY_SIZE
        if flags & _FLAG_VERIFICATION:
            off += n * _ENTRY_SIZE
        if flags & _FLAG_METADATA_EXT:
            out[_hash_hex(data[off : off + 32])] = (_hash_hex(file_hash), size)
            off += _ENTRY_SIZE
    raise ValueError("MDB shard ends before its file info bookend (incomplete write?)")


class XetIndex:
    """Maps sha256 -> xet hash by reading (once each) the shards hf-xet wrote into the CAS dir."""

    def __init__(self, cas_dir: Path):
        self.cas_dir = Path(cas_dir)
        self._seen: set[str] = set()
        self._map: dict[str, tuple[str, int]] = {}
        self._lock = threading.Lock()
        self._materialize_locks: dict[str, threading.Lock] = {}

    @property
    def cas_url(self) -> str:
        return "local://" + str(self.cas_dir.resolve())

    def _refresh(self) -> None:
        shard_dir = self.cas_dir / "xet" / "xorbs" / "shards"
        if not shard_dir.is_dir():
            return
        for entry in os.scandir(shard_dir):
            if not entry.name.endswith(".mdb") or entry.name in self._seen:
                continue
            try:
                self._map.update(parse_shard(Path(entry.path).read_bytes()))
            except (OSError, ValueError, struct.error):
                continue  # a shard still being written: read it next time
            self._seen.add(entry.name)

    def lookup(self, sha256: str) -> tuple[str, int] | None:
        with self._lock:
            hit = self._map.get(sha256)
            if hit is None:
                self._refresh()
                hit = self._map.get(sha256)
            return hit

    def reset(self) -> None:
        with self._lock:
            self._seen.clear()
            self._map.clear()

    def materialize(self, sha256: str, dest: Path) -> bool:
        """Reconstruct the file with this sha256 from the CAS into ``dest`` (atomic); False if unknown."""
        hit = self.lookup(sha256)
        if hit is None:
            return False
        with self._lock:
            lock = self._materialize_locks.setdefault(sha256, threading.Lock())
        with lock:
            if dest.exists():
                return True
            import hf_xet

            xet_hash, size = hit
            tmp = dest.with_name(dest.name + f".xet-{threading.get_ident()}.tmp")
            dest.parent.mkdir(parents=True, exist_ok=True)
            session = hf_xet.XetSession()
            with session.new_file_download_group(
                endpoint=self.cas_url, token="sandbox", token_expiry_unix_secs=2**40
            ) as group:
                group.start_download_file(hf_xet.XetFileInfo(xet_hash, size), str(tmp))
            digest = hashlib.sha256()
            with open(tmp, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
            if digest.hexdigest() != sha256:
                tmp.unlink(missing_ok=True)
                raise OSError(f"xet reconstruction of {sha256} gave {digest.hexdigest()}")
            os.replace(tmp, dest)
            return True
