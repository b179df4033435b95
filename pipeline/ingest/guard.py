"""The façade's HTTP server: aiohttp's, with the edges partners and attackers reach first guarded.

:class:`GuardedRunner` runs an application like ``web.AppRunner`` but with
:class:`GuardedHandler` as the connection protocol:

- malformed HTTP (bad chunking, Transfer-Encoding with Content-Length,
  duplicate Content-Length, headers over ``facade_max_header_bytes``) gets a
  short JSON 400 (code BAD_HTTP, a request id) and one log line with the code,
  the request id and the exception's class: never the parser's message (it
  quotes the request bytes), never a traceback;
- an unhandled error is one log line (code INTERNAL, where it happened), never
  a traceback;
- a connection that starts a request must finish its headers within
  ``facade_header_timeout`` (then 408 and closed); one without a request is
  closed after ``facade_idle_timeout``;
- at most ``facade_max_connections`` are open: a new one closes the
  longest-idle one (or is refused when every one is busy);
- no ``Server`` header on any response.

:func:`read_body` receives a request body in chunks with the size cap and the
body deadline enforced while reading.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import hdrs, web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest
from aiohttp.web_server import Server

from pipeline import metrics
from pipeline.contracts import errors as perr
from pipeline.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Limits:
    """The façade's connection and body limits (from Settings; see its ``facade_*`` fields)."""

    header_timeout: float = 10.0
    idle_timeout: float = 15.0
    max_connections: int = 1024
    max_header_bytes: int = 8190
    max_body_bytes: int = 64 * 1_048_576
    body_grace: float = 30.0
    min_body_rate: int = 65_536

    @classmethod
    def from_settings(cls, s: Settings) -> Limits:
        """The limits configured in ``s``."""
        return cls(
            header_timeout=s.facade_header_timeout,
            idle_timeout=s.facade_idle_timeout,
            max_connections=s.facade_max_connections,
            max_header_bytes=s.facade_max_header_bytes,
            max_body_bytes=s.max_body_bytes,
            body_grace=s.facade_body_timeout,
            min_body_rate=s.facade_min_body_rate,
        )


def request_id() -> str:
    """A short random id naming one refused request in the answer and in the log line."""
    return secrets.token_hex(8)


def error_body(code: str, message: str, rid: str) -> bytes:
    """The JSON of a refusal: the stable code, a fixed message and the request id."""
    return orjson.dumps({"error": {"code": code, "message": message, "request_id": rid}})


def refusal(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    """A JSON refusal with a fresh request id (also in ``X-Request-Id``)."""
    rid = request_id()
    return web.Response(
        body=error_body(code, message, rid),
        status=status,
        content_type="application/json",
        headers={"X-Request-Id": rid, **(headers or {})},
    )


async def drop_server_header(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare`` hook: no ``Server`` header (it names aiohttp and its version)."""
    response.headers.popall(hdrs.SERVER, None)


class QuietResponse(web.Response):
    """A response without a ``Server`` header, for answers made outside the application."""

    async def _prepare_headers(self) -> None:
        await super()._prepare_headers()
        self.headers.popall(hdrs.SERVER, None)


def _where(exc: BaseException | None) -> str:
    """An exception's class and the innermost file:line it came from (never its message)."""
    if exc is None:
        return "unknown error"
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    at = f" at {tb.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno}" if tb else ""
    return f"{type(exc).__name__}{at}"


class GuardedHandler(RequestHandler):
    """aiohttp's connection protocol with sanitised errors, a header deadline and a connection cap."""

    def __init__(self, manager: Server, limits: Limits, **kwargs: Any) -> None:
        super().__init__(manager, **kwargs)
        self.limits = limits
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Take the connection, closing the longest-idle one when over ``max_connections``."""
        super().connection_made(transport)
        manager = self._manager
        if manager is None:
            return
        open_ = [h for h in manager.connections if not h._force_close]
        if len(open_) <= self.limits.max_connections:
            return
        for h in open_:
            if h is not self and isinstance(h, GuardedHandler) and h.idle():
                metrics.FACADE_CONNECTIONS_CLOSED.labels("evicted").inc()
                h.force_close()
                return
        metrics.FACADE_CONNECTIONS_CLOSED.labels("refused").inc()
        self.force_close()

    def idle(self) -> bool:
        """True while waiting for (the rest of) a request's headers, nothing being handled."""
        waiting = self._waiter is not None and not self._waiter.done()
        return waiting and not self._messages and not self._request_in_progress

    def data_received(self, data: bytes) -> None:
        """Parse as aiohttp does; start the header deadline when a request has begun."""
        super().data_received(data)
        if self._messages or self._request_in_progress or self._force_close:
            self._stop_head_timer()
        elif self._head_timer is None:
            self._head_timer = self._loop.call_later(self.limits.header_timeout, self._head_expired)

    async def _handle_request(self, request: BaseRequest, *args: Any) -> Any:
        """Handle as aiohttp does; a deadline started while its body came in is not a head's."""
        self._stop_head_timer()
        try:
            return await super()._handle_request(request, *args)
        finally:
            self._stop_head_timer()

    def connection_lost(self, exc: BaseException | None) -> None:
        """Forget the header deadline, then as aiohttp does."""
        self._stop_head_timer()
        super().connection_lost(exc)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_expired(self) -> None:
        """Headers still incomplete: answer 408 (code REQUEST_TIMEOUT) and close."""
        self._head_timer = None
        if self._force_close or self._request_in_progress or self._messages:
            return
        rid = request_id()
        log.warning(
            "%s request headers not complete within %.0f s; connection closed (request %s)",
            perr.REQUEST_TIMEOUT,
            self.limits.header_timeout,
            rid,
        )
        metrics.FACADE_CONNECTIONS_CLOSED.labels("header-timeout").inc()
        body = error_body(perr.REQUEST_TIMEOUT, "request headers too slow", rid)
        head = (
            "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\nX-Request-Id: {rid}\r\n\r\n"
        )
        if self.transport is not None:
            self.transport.write(head.encode() + body)
        self.force_close()

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        """A short JSON answer and one log line: code, request id, exception class; never data."""
        rid = request_id()
        if status >= 500:
            code, text = perr.INTERNAL, "internal error"
            log.error("%s answering a request failed: %s (request %s)", code, _where(exc), rid)
        else:
            code, text, status = perr.BAD_HTTP, "malformed HTTP request", 400
            log.warning(
                "%s malformed HTTP request from %s: %s (request %s)",
                code,
                request.remote,
                type(exc).__name__ if exc is not None else "refused",
                rid,
            )
        metrics.HTTP_REQUESTS.labels("protocol", str(status)).inc()
        if request.writer.output_size > 0:  # the answer has begun: nothing more can be said
            raise ConnectionError("response already started")
        resp = QuietResponse(
            status=status,
            body=error_body(code, text, rid),
            content_type="application/json",
            headers={"X-Request-Id": rid},
        )
        resp.force_close()
        return resp

    def log_exception(self, *args: Any, **kw: Any) -> None:
        """aiohttp's error log as one line without a traceback (it may quote request bytes)."""
        exc = kw.get("exc_info")
        if exc is True:
            exc = sys.exc_info()[1]
        what = str(args[0]) if args else "error"
        log.error(
            "%s %s: %s",
            perr.INTERNAL,
            what.split("%", 1)[0].strip(),
            _where(exc if isinstance(exc, BaseException) else None),
        )


class GuardedServer(Server):
    """``web.Server`` making :class:`GuardedHandler` connections."""

    def __init__(self, limits: Limits, handler: Any, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self.limits = limits

    def __call__(self) -> RequestHandler:
        """A protocol for one new connection."""
        return GuardedHandler(self, self.limits, loop=self._loop, **self._kwargs)


class GuardedRunner(web.AppRunner):
    """``web.AppRunner`` whose connections are :class:`GuardedHandler`, with the limits set."""

    def __init__(self, app: web.Application, limits: Limits) -> None:
        super().__init__(
            app,
            access_log=None,
            keepalive_timeout=limits.idle_timeout,
            max_line_size=limits.max_header_bytes,
            max_field_size=limits.max_header_bytes,
            lingering_time=2.0,  # after a refusal, read (and drop) the unread body this long
        )
        self.limits = limits
        app.on_response_prepare.append(drop_server_header)

    async def _make_server(self) -> Server:
        base = await super()._make_server()
        return GuardedServer(
            self.limits,
            base.request_handler,
            request_factory=base.request_factory,
            handler_cancellation=base.handler_cancellation,
            **base._kwargs,
        )


class BodyRefused(Exception):
    """A request body refused while it was read: the status, the code and a fixed message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


async def read_body(request: web.Request, write: Callable[[bytes], object], limits: Limits) -> int:
    """Pass the body to ``write`` chunk by chunk; return its size.

    Raises :class:`BodyRefused`: 413 as soon as it passes ``max_body_bytes``;
    408 when it has not arrived within ``body_grace`` seconds plus its size
    so far over ``min_body_rate``; 400 when its framing is broken or the
    client went away. Memory is one chunk, whatever the body's size.
    """
    loop = asyncio.get_running_loop()
    start = loop.time()
    n = 0
    while True:
        try:
            async with asyncio.timeout_at(start + limits.body_grace + n / limits.min_body_rate):
                chunk = await request.content.readany()
        except TimeoutError:
            raise BodyRefused(408, perr.REQUEST_TIMEOUT, "request body too slow") from None
        except (HttpProcessingError, ConnectionError, web.HTTPException) as exc:
            log.info("%s request body unreadable: %s", perr.BAD_HTTP, type(exc).__name__)
            raise BodyRefused(400, perr.BAD_HTTP, "malformed request body") from None
        if not chunk:
            return n
        n += len(chunk)
        if n > limits.max_body_bytes:
            raise BodyRefused(413, perr.FILE_TOO_LARGE, "body too large")
        write(chunk)
