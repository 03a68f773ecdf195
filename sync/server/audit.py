"""The admin audit log: one JSON line per admin call or admin command, never a personal field.

Admin calls are where personal data leaves the server opened (the member export), so each one is
kept: when, who (``admin:`` and the first 12 hex digits of the SHA-256 of the token used, or the
operating-system user of a command), what (method and path, or the command), the answer's status and
how many members or records it carried. Lines are appended with ``O_APPEND`` in one write each, so
several server processes can share the file; the file is created readable by its owner only.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

from booth_common.records import format_utc

_lock = threading.Lock()


def token_fingerprint(token: str) -> str:
    """Who used a token, without the token: enough to tell two admins' tokens apart."""
    return "admin:" + hashlib.sha256(token.encode()).hexdigest()[:12]


def command_user() -> str:
    try:
        return "cli:" + getpass.getuser()
    except (OSError, KeyError):
        return "cli:unknown"


def write_entry(path: Path | None, **fields: Any) -> None:
    """Append one line ``{"at": ..., **fields}``; nothing when the log is off (``path`` None)."""
    if path is None:
        return
    line = json.dumps({"at": format_utc(dt.datetime.now(dt.timezone.utc)), **fields}, ensure_ascii=False,
                      sort_keys=True, separators=(",", ":")) + "\n"
    with _lock:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)


COUNT_HEADERS = {b"x-members": "members", b"x-member-problems": "left_out", b"x-records": "records"}


class AdminAuditMiddleware:
    """Writes an audit line for every request under ``/v1/admin/``, refused ones included."""

    def __init__(self, app: Any, *, path: Path | None):
        self.app, self.path = app, path

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/admin/") or self.path is None:
            await self.app(scope, receive, send)
            return
        seen: dict[str, Any] = {"status": 500}

        async def noting(message: Any) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() in COUNT_HEADERS:
                        seen[COUNT_HEADERS[name.lower()]] = int(value)
            await send(message)

        try:
            await self.app(scope, receive, noting)
        finally:
            write_entry(self.path, who=_who(scope), client=(scope.get("client") or ["?"])[0],
                        what=f"{scope['method']} {scope['path']}", **seen)


def _who(scope: Any) -> str:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token_fingerprint(token.strip()) if scheme.lower() == "bearer" and token.strip() else "malformed"
    return "none"
