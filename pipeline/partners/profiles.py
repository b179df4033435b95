"""Trading-partner profiles: the partners file, sender checks and what documents carry.

The partners file is TOML, one ``[[partners]]`` table per partner (see
``pipeline/config/partners.toml``). The same profile JSON travels on the
compacted ``edi.partners`` topic, so workers learn changes without restart.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parsers.bare import synthesised
from parsers.errors import ISA_UNREADABLE, SYNTAX_ID_UNKNOWN, UNA_INVALID, UNB_INCOMPLETE
from parsers.fragments import FragmentError, parse_fragments
from parsers.model import Interchange, Party, Standard
from parsers.tolerance import Tolerance, ToleranceError
from pipeline.partners.outbound_profile import FIELDS as OUTBOUND_FIELDS
from pipeline.partners.outbound_profile import OutboundProfile, OutboundProfileError
from pipeline.settings import Settings, read_tables

ACK_TYPES = ("TA1", "997", "999", "CONTRL")
VALIDATION_LEVELS = ("envelope", "standard", "hipaa")
ANY_SENDER = "*"


DEFAULT_TOLERANCE = Tolerance.of("standard")  # what a profile without `tolerance` gets


class PartnersFileError(ValueError):
    """The partners file cannot be used (the message says which partner and field)."""


# a header these errors broke names no real sender (random bytes hold "UNB" or "ISA")
UNREADABLE_HEADER = frozenset({ISA_UNREADABLE, UNA_INVALID, UNB_INCOMPLETE, SYNTAX_ID_UNKNOWN})


def header_unreadable(ic: Interchange) -> bool:
    """True when the interchange header is too broken to name its sender."""
    return any(e.rejects and e.code in UNREADABLE_HEADER for e in ic.errors)


def sender_key(standard: Standard | str, party: Party) -> str:
    """The ``senders`` form of an envelope party.

    X12: ``ISA05:ISA06`` (``ZZ:ACMEFOODS``); EDIFACT: ``id:qualifier`` as written
    in UNB (``5400110000009:14``), or the bare id when UNB has no qualifier.
    Padding is stripped and the comparison is case-sensitive, like the envelope.
    """
    q, i = party.qualifier.strip(), party.id.strip()
    if str(standard) == Standard.X12:
        return f"{q}:{i}"
    return f"{i}:{q}" if q else i


PRIVATE_PREFIXES = ("sftp_", "outbound_")  # transport settings and credentials


@dataclass(frozen=True, slots=True)
class Partner:
    """One trading partner's profile."""

    id: str
    name: str
    senders: tuple[str, ...]
    api_key_sha256: str = ""
    acks: tuple[str, ...] = ()  # acknowledgements we send: TA1, 997, 999, CONTRL
    # "standard" adds content validation from the dictionary (parsers.content), "hipaa"
    # pyx12 implementation-guide validation
    validation: str = "envelope"
    # documents carry the named `data` tree; off by default: documents grow about 4x, and
    # rendering costs 15-50% more with the compiled core, 3-7x in pure Python (data_bench)
    data: bool = False
    # type -> loop id: one document per loop instance (parsers.fragments), e.g. {"837": "2300"}
    fragments: Mapping[str, str] = field(default_factory=dict)
    duplicates: str = "suppress"  # or "route" (re-sent interchanges routed again, marked)
    routes: tuple[dict[str, Any], ...] = ()  # per-partner routing rules, tried before the file's
    outbound: OutboundProfile = field(default_factory=OutboundProfile)  # what we send it
    tolerance: Tolerance = DEFAULT_TOLERANCE  # which deviations reject (parsers.tolerance)
    test: bool = False  # every interchange is a test one (default for any-sender sandboxes)
    attributes: Mapping[str, Any] = field(
        default_factory=dict
    )  # anything else, passed to documents

    def accepts_sender(self, key: str) -> bool:
        """True when an envelope sender (``sender_key`` form) may submit as this partner."""
        return ANY_SENDER in self.senders or key in self.senders

    def admits(self, ic: Interchange) -> bool:
        """False only when the interchange names a sender that is not one of this partner's.

        A bare message (synthesised envelope) names none, and a header too broken
        to read names no real one: those are judged by their own errors, never
        reported as another partner's sender (ingest and the worker alike).
        """
        if synthesised(ic) or header_unreadable(ic):
            return True
        return self.accepts_sender(sender_key(ic.standard, ic.sender))

    def check_api_key(self, presented: str) -> bool:
        """Constant-time check of a façade API key against the stored sha256."""
        if not self.api_key_sha256:
            return False
        digest = hashlib.sha256(presented.encode()).hexdigest()
        return hmac.compare_digest(digest, self.api_key_sha256.lower())

    def public(self) -> dict[str, Any]:
        """What documents carry in their ``partner`` field: never credentials.

        Transport fields (``sftp_public_keys``, ``sftp_password_hash``,
        ``outbound_sftp`` and any other ``sftp_*`` / ``outbound_*``) are how we
        talk to the partner, not facts about them: they never reach documents.
        """
        shown = {k: v for k, v in self.attributes.items() if not k.startswith(PRIVATE_PREFIXES)}
        return {"id": self.id, "name": self.name, **shown}

    def to_json(self) -> dict[str, Any]:
        """The full profile, as published on ``edi.partners``."""
        return {
            "id": self.id,
            "name": self.name,
            "senders": list(self.senders),
            "api_key_sha256": self.api_key_sha256,
            "acks": list(self.acks),
            "validation": self.validation,
            "data": self.data,
            "fragments": dict(self.fragments),
            "duplicates": self.duplicates,
            "routes": [dict(r) for r in self.routes],
            **self.outbound.to_json(),
            "test": self.test,
            "tolerance": str(self.tolerance.level),
            "accept": sorted(self.tolerance.accept),
            "reject": sorted(self.tolerance.reject),
            **dict(self.attributes),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Partner:
        """Build and check a profile from its TOML table or ``edi.partners`` JSON."""
        known = {
            "id",
            "name",
            "senders",
            "api_key_sha256",
            "acks",
            "validation",
            "data",
            "fragments",
            "duplicates",
            "routes",
            *OUTBOUND_FIELDS,
            "tolerance",
            "test",
            "accept",
            "reject",
        }
        pid = data.get("id")
        if not isinstance(pid, str) or not pid or "/" in pid or pid.startswith("."):
            raise PartnersFileError(f"partner id {pid!r} must be a non-empty folder name")
        senders = data.get("senders", [])
        if not isinstance(senders, list) or not all(isinstance(s, str) for s in senders):
            raise PartnersFileError(f"partner {pid}: senders must be a list of strings")
        acks = tuple(str(a).upper() for a in data.get("acks", []))
        bad = [a for a in acks if a not in ACK_TYPES]
        if bad:
            raise PartnersFileError(f"partner {pid}: unknown acks {bad} (use {list(ACK_TYPES)})")
        validation = str(data.get("validation", "envelope"))
        if validation not in VALIDATION_LEVELS:
            raise PartnersFileError(f"partner {pid}: validation must be one of {VALIDATION_LEVELS}")
        with_data = data.get("data", False)
        if not isinstance(with_data, bool):
            raise PartnersFileError(f"partner {pid}: data must be true or false")
        duplicates = str(data.get("duplicates", "suppress"))
        if duplicates not in ("suppress", "route"):
            raise PartnersFileError(f"partner {pid}: duplicates must be 'suppress' or 'route'")
        routes = data.get("routes", [])
        if not isinstance(routes, list) or not all(isinstance(r, dict) for r in routes):
            raise PartnersFileError(f"partner {pid}: routes must be a list of tables")
        try:
            outbound = OutboundProfile.from_json(pid, data)
        except OutboundProfileError as exc:
            raise PartnersFileError(str(exc)) from None
        return cls(
            id=pid,
            name=str(data.get("name", pid)),
            senders=tuple(senders),
            api_key_sha256=str(data.get("api_key_sha256", "")),
            acks=acks,
            validation=validation,
            data=with_data,
            fragments=fragments_of(pid, data),
            duplicates=duplicates,
            routes=tuple(routes),
            outbound=outbound,
            tolerance=tolerance_of(pid, data),
            test=test_of(pid, data, senders),
            attributes={k: v for k, v in data.items() if k not in known},
        )


def fragments_of(pid: str, data: Mapping[str, Any]) -> dict[str, str]:
    """``fragments``: a table of transaction type -> loop id, each loop known to a dictionary."""
    value = data.get("fragments", {})
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise PartnersFileError(f'partner {pid}: fragments must be a table of TYPE = "LOOP"')
    try:
        return parse_fragments(f"{k}={v}" for k, v in value.items())
    except FragmentError as exc:
        raise PartnersFileError(f"partner {pid}: fragments: {exc}") from None


def test_of(pid: str, data: Mapping[str, Any], senders: list[str]) -> bool:
    """``test``: given, or true for a sandbox that takes any sender (its data is never real)."""
    value = data.get("test", ANY_SENDER in senders)
    if not isinstance(value, bool):
        raise PartnersFileError(f"partner {pid}: test must be true or false")
    return value


def tolerance_of(pid: str, data: Mapping[str, Any]) -> Tolerance:
    """The partner's ``tolerance`` level and ``accept`` / ``reject`` code lists, checked."""
    accept, reject = data.get("accept", []), data.get("reject", [])
    for name, codes in (("accept", accept), ("reject", reject)):
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise PartnersFileError(f"partner {pid}: {name} must be a list of error codes")
    try:
        return Tolerance.of(str(data.get("tolerance", DEFAULT_TOLERANCE.level)), accept, reject)
    except ToleranceError as exc:
        raise PartnersFileError(f"partner {pid}: {exc}") from None


def load_partners(path: Path) -> list[Partner]:
    """Read and check a partners file; raise PartnersFileError with a one-line reason."""
    tables = read_tables(path, "partners", "partners", PartnersFileError)
    partners = [Partner.from_json(t) for t in tables]
    ids = [p.id for p in partners]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise PartnersFileError(f"partners file {path}: duplicate ids {sorted(dup)}")
    return partners


class PartnerRegistry:
    """Partner profiles by id, updated in place when ``edi.partners`` changes."""

    def __init__(self, partners: Iterable[Partner] = ()) -> None:
        self._by_id: dict[str, Partner] = {p.id: p for p in partners}

    def get(self, partner_id: str) -> Partner | None:
        """The profile of ``partner_id``, or None when unknown."""
        return self._by_id.get(partner_id)

    def put(self, partner: Partner) -> None:
        """Add or replace one profile."""
        self._by_id[partner.id] = partner

    def delete(self, partner_id: str) -> None:
        """Forget one profile (tombstone on ``edi.partners``)."""
        self._by_id.pop(partner_id, None)

    def all(self) -> list[Partner]:
        """Every profile, by id."""
        return [self._by_id[k] for k in sorted(self._by_id)]

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, partner_id: object) -> bool:
        return partner_id in self._by_id


def load_registry(settings: Settings) -> PartnerRegistry:
    """The partners file as a registry."""
    return PartnerRegistry(load_partners(settings.partners))
