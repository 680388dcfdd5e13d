"""``hf-publish sandbox serve``: run the sandbox in the foreground until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import ipaddress
import signal
import sys
import textwrap
import threading
from collections.abc import Sequence


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build_parser(prog: str = "hf-publish sandbox serve") -> argparse.ArgumentParser:
    from .auth import USERS_FILE_HELP

    parser = argparse.ArgumentParser(
        prog=prog,
        description="Serve a local Hugging Face Hub compatible sandbox.",
        epilog=USERS_FILE_HELP + "\nWhat the sandbox serves: docs/sandbox-endpoints.md",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind (default: a free port)")
    parser.add_argument("--data-dir", default=None, help="keep repos here across restarts (default: a temp dir)")
    parser.add_argument("--users", default=None, help="YAML file of users, orgs, tokens (default: built-in acme-ai)")
    parser.add_argument("--allow-remote", action="store_true", help="allow binding a non-loopback address")
    return parser


def serve_command(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not _is_loopback(args.host) and not args.allow_remote:
        print(
            f"error: refusing to bind non-loopback host {args.host!r}: the sandbox has no real security; "
            "pass --allow-remote to do it anyway",
            file=sys.stderr,
        )
        return 2
    from .api import Sandbox
    from .orgs import format_table

    try:
        sandbox = Sandbox(data_dir=args.data_dir, users=args.users, host=args.host, port=args.port).start()
    except (OSError, ValueError) as exc:
        print(f"error: cannot start the sandbox: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        print(f"Hub sandbox serving at {sandbox.endpoint}")
        print(f"xet CAS server at {sandbox.cas_endpoint} (handed to clients by the xet token endpoints)")
        print(f"data dir: {sandbox.data_dir}" + ("" if args.data_dir else " (temporary, removed on exit)"))
        print("\nUse it with:")
        print(f"  export HF_ENDPOINT={sandbox.endpoint}")
        print("  export HF_HUB_DISABLE_TELEMETRY=1")
        print("  export HF_TOKEN=<one of the tokens below>")
        print("\nTokens:")
        print(textwrap.indent(format_table(sandbox.token_table()), "  "))
        print("\nToken values:")
        width = max((len(n) for n in sandbox.tokens), default=0)
        for name, value in sandbox.tokens.items():
            print(f"  {name:<{width}}  {value}")
        if sandbox.oidc_id_tokens:
            print("\nOIDC id tokens accepted at /oauth/token (set HF_OIDC_ID_TOKEN and HF_OIDC_RESOURCE):")
            for value in sandbox.oidc_id_tokens:
                print(f"  {value}")
        print("\nPress Ctrl-C to stop.", flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        sandbox.stop()
        print("sandbox stopped", flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m hf_publish.sandbox serve ...``"""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] != "serve":
        print(
            "usage: python -m hf_publish.sandbox serve [--host H] [--port N] [--data-dir DIR] [--users FILE] "
            "[--allow-remote]",
            file=sys.stderr,
        )
        return 2
    return serve_command(argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
