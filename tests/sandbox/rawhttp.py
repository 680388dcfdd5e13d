"""A request over a plain socket, for what an HTTP client library will not send."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit


def raw_request(
    base: str, request_line: str, headers: dict[str, str], body: bytes = b"", timeout: float = 10.0
) -> tuple[int, bytes]:
    """One request over a plain socket (a client that announces more than it sends): (status, reply)."""
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port), timeout=timeout) as sock:
        head = f"{request_line} HTTP/1.1\r\nHost: {url.netloc}\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in headers.items()
        )
        sock.sendall(head.encode() + b"\r\n" + body)
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = sock.recv(65536)
            if not chunk:
                break
            reply += chunk
    return int(reply.split(b" ", 2)[1]), reply
