"""How the server meets the network: uvicorn configured from the settings, and request heads bounded.

uvicorn limits idle keep-alive connections and concurrency, but not the time a client may take to
send a request's head, nor (with httptools) its size: a slow client sending a header a minute
(slowloris) would hold a connection for ever. ``BoundedHeadProtocol`` closes such a connection with
408 after ``header_timeout_s`` and refuses a head larger than ``max_header_bytes`` with 431. Bodies
are bounded in time and size by the request middleware (``sync/server/app.py``).
"""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from booth_common.validation import load_county_list
from sync.server.settings import ServerSettings

HEAD_TIMEOUT = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
HEAD_TOO_LARGE = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


def uvicorn_config(app: Any, settings: ServerSettings, **options: Any) -> uvicorn.Config:
    """uvicorn's configuration for ``app`` under ``settings`` (``options``: host, port, sockets, TLS...)."""
    config = uvicorn.Config(
        # ws: the server has no WebSocket route, and importing a WebSocket library cost every start ~20 ms of CPU.
        app, http=BoundedHeadProtocol, ws="none", log_level="warning", server_header=False,
        limit_concurrency=settings.limit_concurrency, timeout_keep_alive=settings.timeout_keep_alive_s,
        h11_max_incomplete_event_size=settings.max_header_bytes,
        # Only the reverse proxies named may set the client address (X-Forwarded-For): the enrolment
        # rate limit counts per address, and uvicorn's default trusts any process on the host.
        proxy_headers=bool(settings.forwarded_allow_ips), forwarded_allow_ips=settings.forwarded_allow_ips or None,
        **options)
    # Kept on the config, which uvicorn hands (pickled) to each worker process's protocol.
    config.header_timeout_s = settings.header_timeout_s  # type: ignore[attr-defined]
    return config


class AnnouncingServer(uvicorn.Server):
    """uvicorn's server, printing ``start_line`` once it listens (an address it could not take prints nothing:
    uvicorn exits with its own message), then reading stdnum's county list in the background."""

    def __init__(self, config: uvicorn.Config, *, start_line: str | None = None):
        super().__init__(config)
        self._start_line = start_line

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self._start_line is not None and not self.should_exit:
            print(self._start_line, flush=True)
        # Read now rather than in the middle of the first push holding an ID number, but not before the server
        # answers: the first page does not need it (~30 ms of CPU).
        threading.Thread(target=load_county_list, name="county-list", daemon=True).start()


class BoundedHeadProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, with a deadline and a size limit on every request's head."""

    def __init__(self, config: uvicorn.Config, *args: Any, **kwargs: Any):
        super().__init__(config, *args, **kwargs)
        self._head_deadline_s = float(getattr(config, "header_timeout_s", 10.0))
        self._max_head = config.h11_max_incomplete_event_size or 65536
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_done()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._head_timer is not None:        # the head is still incomplete: all of this was head
            self._head_bytes += len(data)
            if self._head_bytes > self._max_head:
                self._refuse(HEAD_TOO_LARGE)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._head_timer is None:            # the next request on a kept-alive connection
            self._await_head()

    def on_headers_complete(self) -> None:
        self._head_done()
        super().on_headers_complete()

    def _await_head(self) -> None:
        self._head_bytes = 0
        self._head_timer = self.loop.call_later(self._head_deadline_s, self._refuse, HEAD_TIMEOUT)

    def _head_done(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _refuse(self, answer: bytes) -> None:
        self._head_done()
        if not self.transport.is_closing():
            self.transport.write(answer)
            self.transport.close()
