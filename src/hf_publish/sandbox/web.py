"""The HTTP vocabulary shared by the sandbox's two servers (the Hub API and the xet CAS).

``HubError`` is an error answer (status, ``X-Error-Message``, optional ``X-Error-Code``), ``Response``
a success, ``Request`` the parsed request with its streamed ``BodyReader`` (bounded by
Content-Length or chunked encoding).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .auth import Token

MiB = 1024 * 1024
JSON_BODY_LIMIT = 16 * MiB  # preupload of 256 files, a 2 MiB card in validate-yaml: far below


class HubError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        headers: dict[str, str] | None = None,
        body: Any = None,
    ):
        super().__init__(message)
        self.status, self.message, self.code = status, message, code
        self.headers = headers or {}
        self.body = body


def repo_not_found(anonymous: bool) -> HubError:
    return HubError(401 if anonymous else 404, "Repository not found", "RepoNotFound")


def revision_not_found(rev: str) -> HubError:
    return HubError(404, f"Invalid rev id: {rev}", "RevisionNotFound")


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    file: tuple[Path, int, int] | None = None  # (path, offset, length) streamed instead of body
    content_type: str = "application/json; charset=utf-8"

    @classmethod
    def json(cls, obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        return cls(status=status, body=json.dumps(obj).encode(), headers=headers or {})


class BodyReader(io.RawIOBase):
    """The request body, bounded by Content-Length or decoded from chunked transfer encoding."""

    def __init__(self, rfile: Any, length: int | None, chunked: bool):
        self.rfile, self.remaining, self.chunked = rfile, (length or 0), chunked
        self.done = not chunked and not length
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buf: Any) -> int:
        if self.done:
            return 0
        if self.chunked and self.remaining == 0:
            line = self.rfile.readline(65537)
            size = int(line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                self.done = True
                return 0
            self.remaining = size
        n: int = self.rfile.readinto(memoryview(buf)[: min(len(buf), self.remaining)])
        if not n:
            raise ConnectionError("client closed the connection mid-body")
        self.remaining -= n
        self.count += n
        if self.remaining == 0:
            if self.chunked:
                self.rfile.readline(65537)
            else:
                self.done = True
        return n

    def read_all(self, limit: int = JSON_BODY_LIMIT) -> bytes:
        """The whole body, refused with 413 (and never buffered further) once it passes ``limit``."""
        out = bytearray()
        buf = bytearray(1 << 20)
        while True:
            n = self.readinto(buf)
            if not n:
                return bytes(out)
            out += buf[:n]
            if len(out) > limit:
                raise HubError(413, f"Payload Too Large: this endpoint accepts at most {limit} bytes")

    def drain(self, limit: int | None = None) -> bool:
        """Read and discard the rest (at most ``limit`` bytes); True if the body is finished."""
        buf = bytearray(1 << 20)
        seen = 0
        while not self.done:
            n = self.readinto(buf)
            if not n:
                break
            seen += n
            if limit is not None and seen >= limit:
                return self.done
        return True


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Any
    body: BodyReader
    base: str  # "http://host:port" as the client addressed us
    token: Token | None = None

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def flag(self, name: str) -> bool:
        return (self.arg(name) or "").lower() in ("1", "true", "yes")

    def json(self) -> Any:
        raw = self.body.read_all()
        if not raw.strip():
            return {}
        try:
            return json.loads(raw)
        except ValueError:
            raise HubError(400, "Invalid JSON body") from None
