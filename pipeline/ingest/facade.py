"""The HTTP façade partners (and their gateways) post interchanges to.

``POST /v1/interchanges`` with the raw EDI body and ``Authorization: Bearer
<api key>`` (or ``X-API-Key``); ``GET /v1/interchanges/{ingest_id}`` for what
became of it; ``POST /v1/outbound`` with an ``edi.outbound`` request (JSON) to
send the partner an interchange; ``/healthz`` and ``/readyz`` for load balancers. ``/metrics``
is served on the operators' listener only (:meth:`Facade.ops_app`).
Answers never reveal anything about other partners: an unknown ingest id and
another partner's ingest id both give 404.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
from aiohttp import web

from parsers.outbound import decode_request
from parsers.outbound_envelope import BAD_FIELD, request_error
from pipeline import metrics
from pipeline.contracts import errors as perr
from pipeline.contracts import records
from pipeline.contracts.headers import Provenance
from pipeline.contracts.names import bad_name, safe_name
from pipeline.contracts.topics import OUTBOUND, TRACKING
from pipeline.ingest.guard import BodyRefused, Limits, read_body, refusal
from pipeline.ingest.limits import RateLimiter, UploadSlots
from pipeline.ingest.producer import Ingestor
from pipeline.ingest.results import Accepted, BrokerUnavailable, Rejected, new_ingest_id
from pipeline.kafka import clients
from pipeline.kafka.producing import Record
from pipeline.partners.profiles import Partner
from pipeline.settings import Settings

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


def _raw_copy(path: Path) -> tuple[bytes, int]:
    """The bytes of a refused body for its dead letter: all of a small one, none of a big one."""
    size = path.stat().st_size
    if size > records.RAW_INLINE_LIMIT:
        return b"", size
    return path.read_bytes(), size


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        body=orjson.dumps(data), status=status, content_type="application/json", headers=headers
    )


MAX_EVENTS_PER_ID = 64  # a 1 GB file is ~1,000 messages: keep the first events, count the rest
_BULKY = ("documents", "interchanges", "transactions", "acks", "warnings", "summary")


def _compact(event: dict[str, Any]) -> dict[str, Any]:
    """An event without its bulky lists (document ids, per-set details): counts instead."""
    out: dict[str, Any] = {}
    for k, v in event.items():
        if k in ("partner", "ingest_id"):
            continue
        if k in _BULKY and isinstance(v, list):
            out[k] = len(v)
        else:
            out[k] = v
    return out


class TrackingIndex:
    """The latest lifecycle of recent ingest ids, fed by a group-less reader of ``edi.tracking``.

    Memory is bounded: at most ``capacity`` ingest ids (oldest dropped), at most
    MAX_EVENTS_PER_ID events each, and events keep counts instead of long lists.
    """

    def __init__(self, settings: Settings, capacity: int = 100_000) -> None:
        self.settings = settings
        self.capacity = capacity
        self.by_id: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.ready = False

    def apply(self, event: dict[str, Any]) -> None:
        """Fold one tracking event into the index."""
        iid = event.get("ingest_id")
        if not iid:
            return
        entry = self.by_id.get(iid)
        if entry is None:
            entry = {"ingest_id": iid, "partner": event.get("partner"), "events": []}
            self.by_id[iid] = entry
            if len(self.by_id) > self.capacity:
                self.by_id.popitem(last=False)
        kind = str(event.get("event"))
        if kind == "acknowledged" and event.get("direction") == "inbound":
            kind = "acknowledged-inbound"  # the partner's ack, reconciled: not about this input
        counts = entry.setdefault("counts", {})
        counts[kind] = counts.get(kind, 0) + 1
        if len(entry["events"]) < MAX_EVENTS_PER_ID:
            entry["events"].append(_compact(event))
        entry["status"] = _status(counts, kind)

    async def run(self, stop: asyncio.Event) -> None:
        """Follow ``edi.tracking`` from the beginning until ``stop``; reconnect on errors."""
        while not stop.is_set():
            consumer = clients.consumer(self.settings, clients.topic(self.settings, TRACKING))
            try:
                await consumer.start()
                self.ready = True
                while not stop.is_set():
                    batch = await consumer.getmany(timeout_ms=500)
                    for msgs in batch.values():
                        for m in msgs:
                            try:
                                self.apply(orjson.loads(m.value or b"{}"))
                            except orjson.JSONDecodeError:
                                continue
            except Exception as exc:
                self.ready = False
                log.warning("tracking reader: %s; reconnecting", exc)
                await asyncio.sleep(1.0)
            finally:
                await consumer.stop()


def _status(counts: dict[str, int], last: str) -> str:
    """One word for an input's lifecycle, from how many events of each kind it has.

    ``acknowledged`` counts only acknowledgements we sent the partner; an inbound
    one (the partner's 997 we reconciled) is counted as ``acknowledged-inbound``.
    """
    kinds = set(counts)
    if "duplicate" in kinds and "routed" not in kinds:
        return "duplicate"
    if "rejected" in kinds and "routed" in kinds:
        return "partially rejected"
    if "rejected" in kinds:
        return "rejected"
    if "acknowledged" in kinds:
        return "acknowledged"
    if "routed" in kinds:
        return "routed"
    if "parsed" in kinds:
        return "parsed"
    return last or "received"


class Facade:
    """The aiohttp application of the façade."""

    def __init__(self, settings: Settings, ingestor: Ingestor, tracking: TrackingIndex) -> None:
        self.settings = settings
        self.ingestor = ingestor
        self.tracking = tracking
        self.limits = Limits.from_settings(settings)
        self.slots = UploadSlots.from_settings(settings)
        self.limiter = RateLimiter.from_settings(settings)
        self.uploads = settings.data_dir / "state" / "uploads"  # bodies being received
        self.uploads.mkdir(parents=True, exist_ok=True)
        for stale in self.uploads.glob("*.body"):  # a previous run's: never answered 202
            stale.unlink(missing_ok=True)

    def app(self) -> web.Application:
        """The aiohttp application with every route."""
        app = web.Application(client_max_size=self.settings.max_body_bytes)
        app.router.add_post("/v1/interchanges", self.post_interchange)
        app.router.add_get("/v1/interchanges/{ingest_id}", self.get_interchange)
        app.router.add_post("/v1/outbound", self.post_outbound)
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/readyz", self.readyz)
        return app

    def ops_app(self) -> web.Application:
        """The operators' listener (``ops_host:ops_port``, loopback by default): metrics and health.

        Kept off the partner-facing port: ``/metrics`` names every partner with
        its volumes.
        """
        app = web.Application()
        app.router.add_get("/metrics", self.metrics)
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/readyz", self.readyz)
        return app

    def authenticate(self, request: web.Request) -> Partner | None:
        """The partner whose API key was presented, compared in constant time against every hash."""
        key = request.headers.get("X-API-Key", "")
        auth = request.headers.get("Authorization", "")
        if not key and auth.lower().startswith("bearer "):
            key = auth[7:].strip()
        if not key:
            return None
        digest = hashlib.sha256(key.encode()).hexdigest()
        found: Partner | None = None
        for p in self.ingestor.partners.all():  # no early exit: same work whoever matches
            if p.api_key_sha256 and hmac.compare_digest(digest, p.api_key_sha256.lower()):
                found = p
        return found

    async def post_interchange(self, request: web.Request) -> web.Response:
        """Accept one posted interchange (or file of interchanges).

        401 without a known key; 429 (Retry-After) over the partner's request
        rate; 413 over the body cap (also while a chunked body streams in);
        503 (Retry-After) while the broker cannot store it or too many uploads
        run; 408 for a body too slow; 400 / 403 / 413 with the coded error when
        the envelope is refused; 202 once the broker acknowledged every part.
        """
        route = "post"
        partner = self.authenticate(request)
        if partner is None:
            return self._unauthorized(route)
        limited = self._rate_limited(route, partner)
        if limited is not None:
            return limited
        if (
            request.content_length is not None
            and request.content_length > self.settings.max_body_bytes
        ):
            return self._too_large(route)
        if not self.ingestor.available():
            return self._unavailable(route)
        with self.slots.hold(partner.id) as got:
            if not got:
                return self._busy(route, partner)
            ingest_id = new_ingest_id()
            path = self.uploads / f"{ingest_id}.body"
            try:
                with open(path, "wb") as f:
                    await read_body(request, f.write, self.limits)
                return await self._submit(request, partner, path, ingest_id)
            except BodyRefused as ref:
                return self._body_refused(route, partner, ref)
            finally:
                path.unlink(missing_ok=True)

    async def _submit(
        self, request: web.Request, partner: Partner, path: Path, ingest_id: str
    ) -> web.Response:
        """Produce a received body (spooled at ``path``); the answer to the partner."""
        route = "post"
        filename = request.headers.get("X-Filename", "") or f"{ingest_id}.edi"
        why = bad_name(filename)  # the file drop's rule: one rule for every channel
        try:
            if why:
                filename = safe_name(filename)
                raise Rejected([perr.error(perr.BAD_NAME, f"X-Filename refused: {why}")])
            acc = await self.ingestor.submit_file(
                partner, path, channel="http", filename=filename, ingest_id=ingest_id, timeout=15.0
            )
            assert isinstance(acc, Accepted)
        except Rejected as rej:
            source = Provenance("http", filename, ingest_id=ingest_id).source(known_only=True)
            raw, size = _raw_copy(path)
            await self.ingestor.deadletter(partner.id, rej.errors, raw, source, size=size)
            metrics.QUARANTINED.labels(rej.errors[0].code).inc()
            return self._answer(
                route,
                rej.status,
                {
                    "ingest_id": ingest_id,
                    "status": "rejected",
                    "error": rej.errors[0].to_dict(),
                    "errors": [e.to_dict() for e in rej.errors],
                },
            )
        except BrokerUnavailable:
            return self._unavailable(route)
        return self._answer(
            route,
            202,
            {
                "ingest_id": acc.ingest_id,
                "status": "received",
                "sha256": acc.sha256,
                "bytes": acc.bytes,
                "messages": acc.messages,
                "interchange_count": acc.interchange_count,
                "transaction_count": acc.transaction_count,
                "interchanges": acc.interchanges,
                "status_url": f"/v1/interchanges/{acc.ingest_id}",
            },
        )

    async def post_outbound(self, request: web.Request) -> web.Response:
        """Publish an outbound request of the authenticated partner to edi.outbound.

        401 without a known key; 429 over the partner's rate; 400 with the
        coded error (EDI3xx, naming the field) when the request's shape is
        wrong; 403 when it names another partner; 202 once stored (or spooled
        while the broker is away).
        """
        route = "outbound"
        partner = self.authenticate(request)
        if partner is None:
            return self._unauthorized(route)
        limited = self._rate_limited(route, partner)
        if limited is not None:
            return limited
        buf = bytearray()
        cap = min(self.settings.max_body_bytes, self.ingestor.record_limit)
        with self.slots.hold(partner.id) as got:
            if not got:
                return self._busy(route, partner)
            try:
                await read_body(request, buf.extend, replace(self.limits, max_body_bytes=cap))
            except BodyRefused as ref:
                return self._body_refused(route, partner, ref)
        data = bytes(buf)
        req = decode_request(data)
        if isinstance(req, list):
            errors = [e.to_dict() for e in req]
            return self._answer(
                route, 400, {"status": "rejected", "error": errors[0], "errors": errors}
            )
        if req.partner != partner.id:
            err = request_error(BAD_FIELD, "/partner", "is not the authenticated partner")
            return self._answer(route, 403, {"status": "rejected", "error": err.to_dict()})
        stored = await self.ingestor.emit(
            [Record(OUTBOUND, partner.id.encode(), data)], name=f"outbound-{new_ingest_id()}"
        )
        body = {
            "status": "accepted" if stored else "spooled",
            "partner": partner.id,
            "idempotency_key": req.idempotency_key,
        }
        return self._answer(route, 202, body)

    async def get_interchange(self, request: web.Request) -> web.Response:
        """What happened to one ingest id of the authenticated partner."""
        route = "get"
        partner = self.authenticate(request)
        if partner is None:
            return self._unauthorized(route)
        limited = self._rate_limited(route, partner)
        if limited is not None:
            return limited
        entry = self.tracking.by_id.get(request.match_info["ingest_id"])
        if entry is None or entry.get("partner") != partner.id:
            return self._answer(
                route, 404, {"error": {"code": "not_found", "message": "no such ingest id"}}
            )
        return self._answer(route, 200, entry)

    async def healthz(self, request: web.Request) -> web.Response:
        """Liveness: the process answers."""
        return _json({"ok": True})

    async def readyz(self, request: web.Request) -> web.Response:
        """Readiness: connected, the broker answers its probe, and no produce failed just now."""
        ok = self.ingestor.available()
        body = {
            "ready": ok,
            "connected": self.ingestor.producer is not None,
            "broker": self.ingestor.broker_ok,
            "tracking": self.tracking.ready,
        }
        headers = None if ok else {"Retry-After": str(RETRY_AFTER_SECONDS)}
        return _json(body, status=200 if ok else 503, headers=headers)

    async def metrics(self, request: web.Request) -> web.Response:
        """Prometheus exposition of the ingest process."""
        body, ctype = metrics.exposition()
        return web.Response(body=body, headers={"Content-Type": ctype})

    def _answer(
        self, route: str, status: int, body: Any, headers: dict[str, str] | None = None
    ) -> web.Response:
        metrics.HTTP_REQUESTS.labels(route, str(status)).inc()
        return _json(body, status, headers)

    def _unauthorized(self, route: str) -> web.Response:
        return self._answer(
            route,
            401,
            {"error": {"code": "unauthorized", "message": "missing or unknown API key"}},
            {"WWW-Authenticate": "Bearer"},
        )

    def _too_large(self, route: str) -> web.Response:
        resp = self._answer(
            route,
            413,
            {
                "error": {
                    "code": "too_large",
                    "message": f"body larger than {self.settings.max_body_bytes} bytes",
                }
            },
        )
        resp.force_close()  # the rest of the body is not read
        return resp

    def _rate_limited(self, route: str, partner: Partner) -> web.Response | None:
        """429 with Retry-After when ``partner`` is over its request rate (None: go ahead)."""
        wait = self.limiter.take(partner.id)
        if not wait:
            return None
        retry = {"Retry-After": RateLimiter.retry_after(wait)}
        msg = "request rate over the partner's limit; retry later"
        return self._refuse(route, partner, 429, perr.RATE_LIMITED, msg, retry)

    def _busy(self, route: str, partner: Partner) -> web.Response:
        """503 with Retry-After: too many uploads at once (this partner's, or everyone's)."""
        retry = {"Retry-After": "1"}
        msg = "too many uploads at once; retry later"
        return self._refuse(route, partner, 503, perr.TOO_MANY_UPLOADS, msg, retry)

    def _body_refused(self, route: str, partner: Partner, ref: BodyRefused) -> web.Response:
        """The answer to a body refused while it was read; the connection is closed."""
        if ref.status == 413:
            return self._too_large(route)
        resp = self._refuse(route, partner, ref.status, ref.code, ref.message)
        resp.force_close()
        return resp

    def _refuse(
        self,
        route: str,
        partner: Partner,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
    ) -> web.Response:
        """A coded refusal with a request id, counted, and one log line naming both."""
        resp = refusal(status, code, message, headers)
        metrics.HTTP_REQUESTS.labels(route, str(status)).inc()
        metrics.FACADE_LIMITED.labels(partner.id, code).inc()
        level = logging.INFO if status in (429, 503) else logging.WARNING
        rid = resp.headers["X-Request-Id"]
        log.log(
            level,
            "%s %s of partner %s refused: %d (request %s)",
            code,
            route,
            partner.id,
            status,
            rid,
        )
        return resp

    def _unavailable(self, route: str) -> web.Response:
        return self._answer(
            route,
            503,
            {
                "error": {
                    "code": "unavailable",
                    "message": "the broker is unavailable; retry later",
                    "at": records.now_rfc3339(),
                }
            },
            {"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
