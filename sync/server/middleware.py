"""ASGI middleware of the city server: request bodies (gzip, size, time), paths holding U+0000 (404), and the
headers of HTML pages.

``RequestBodyMiddleware`` does not read a body until the application asks for it: the endpoints
authenticate first (a FastAPI dependency), so an unauthenticated client cannot make the server
buffer megabytes. Refusals raised while the body is read are ``HTTPException``s, which FastAPI
answers as any other (413 too large, 400 truncated or not gzip, 408 too slow).
"""

from __future__ import annotations

import asyncio
import zlib

from fastapi import HTTPException
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class RequestBodyMiddleware:
    """Accept gzip or identity bodies, bounded in size after decompression and in time per part."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, part_timeout_s: float):
        self.app, self.max_bytes, self.part_timeout_s = app, max_bytes, part_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"]:   # /join/ev/b%00: no id holds U+0000, and PostgreSQL cannot even look one up
            await JSONResponse({"detail": "no such path: it holds the character U+0000"}, status_code=404)(
                scope, receive, send)
            return
        headers = Headers(scope=scope)
        encoding = headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("identity", "gzip"):
            await JSONResponse({"detail": f"unsupported Content-Encoding {encoding!r}: send gzip or identity"},
                               status_code=415)(scope, receive, send)
            return
        declared = headers.get("content-length", "0")
        if declared.isdigit() and int(declared) > self.max_bytes:     # refused before a byte of it is read
            await _too_large(self.max_bytes)(scope, receive, send)
            return
        gzipped = encoding == "gzip"
        kept = [(k, v) for k, v in scope["headers"] if k != b"content-encoding" and not (gzipped and k == b"content-length")]
        await self.app({**scope, "headers": kept}, self._lazy_body(receive, gzipped=gzipped), send)

    def _lazy_body(self, receive: Receive, *, gzipped: bool) -> Receive:
        done = False

        async def body_once() -> Message:
            nonlocal done
            if done:
                return await receive()     # after the body: the disconnect, when it comes
            done = True
            raw = await self._read(receive)
            return {"type": "http.request", "body": _gunzip(raw, self.max_bytes) if gzipped else raw,
                    "more_body": False}

        return body_once

    async def _read(self, receive: Receive) -> bytes:
        chunks, size = [], 0
        while True:
            try:
                # asyncio.timeout, not wait_for: no task per chunk (a push arrives in dozens of them)
                async with asyncio.timeout(self.part_timeout_s):
                    message = await receive()
            except TimeoutError:
                raise HTTPException(408, f"the request body stalled for more than {self.part_timeout_s:g} s",
                                    headers={"Connection": "close"}) from None
            if message["type"] == "http.disconnect":
                raise HTTPException(400, "client went away before the body was complete")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                raise HTTPException(413, f"request body larger than {self.max_bytes} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _gunzip(raw: bytes, max_bytes: int) -> bytes:
    inflater = zlib.decompressobj(wbits=31)
    try:
        body = inflater.decompress(raw, max_bytes)
    except zlib.error as exc:
        raise HTTPException(400, f"body is not valid gzip: {exc}") from None
    if inflater.unconsumed_tail:
        raise HTTPException(413, f"request body larger than {max_bytes} bytes")
    if not inflater.eof:
        raise HTTPException(400, "gzip body is truncated")
    return body


def _too_large(max_bytes: int) -> JSONResponse:
    return JSONResponse({"detail": f"request body larger than {max_bytes} bytes"}, status_code=413)


class PageHeadersMiddleware:
    """Content-Security-Policy, X-Frame-Options, Referrer-Policy and nosniff on every HTML answer."""

    def __init__(self, app: ASGIApp, *, content_security_policy: str):
        self.app = app
        self.extra = {"Content-Security-Policy": content_security_policy, "X-Frame-Options": "DENY",
                      "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/v1/"):   # the protocol's answers are JSON
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    for name, value in self.extra.items():
                        headers.setdefault(name, value)   # a page with a policy of its own keeps it (/join)
            await send(message)

        await self.app(scope, receive, with_headers)
