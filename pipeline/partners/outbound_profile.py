"""What a partner profile says about the interchanges we send it, and its one mapping to an Envelope.

The fields are flat keys of the partner's ``[[partners]]`` table (all optional,
see ``pipeline/config/partners.toml``); :func:`envelope_for` is the only place
they become a :class:`parsers.outbound.Envelope`, so the worker, the CLI and the
tests envelope alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from parsers.model import Standard
from parsers.outbound import Envelope

DELIMITER_NAMES = ("element", "component", "repetition", "segment", "release", "decimal")
FIELDS = (
    "envelope_id",
    "our_id",
    "outbound_version",
    "delimiters",
    "line_break",
    "gs_application_sender",
    "gs_application_receiver",
    "test_indicator",
    "request_ta1",
    "request_contrl",
    "edifact_syntax",
    "edifact_syntax_version",
    "outbound_batch_seconds",
    "ack_timeout",
)


class OutboundProfileError(ValueError):
    """An outbound field of a profile has a wrong type (the message names it)."""


@dataclass(frozen=True, slots=True)
class OutboundProfile:
    """The outbound fields of one profile (defaults: the standard's, the first sender, no batching)."""

    envelope_id: str = ""  # the partner's envelope id; "" = its first `senders` entry
    our_id: str = ""  # ours; "" = the setting our_id (X12) / our_edifact_id (EDIFACT)
    version: str = ""  # GS08 / UNH S009 default ("" = 004010 / D96A)
    delimiters: Mapping[str, str] = field(default_factory=dict)  # DELIMITER_NAMES -> character
    line_break: str = ""  # "", "\n" or "\r\n" after each segment
    gs_application_sender: str = ""  # GS02; "" = our id
    gs_application_receiver: str = ""  # GS03; "" = the partner's envelope id
    test_indicator: bool = False  # ISA15 T / UNB11 1 on everything we send
    request_ta1: bool = False  # ISA14 = 1
    request_contrl: bool = False  # UNB09 = 1
    edifact_syntax: str = "UNOC"  # UNB01-1
    edifact_syntax_version: str = "3"  # UNB01-2
    batch_seconds: float = 0.0  # > 0: same-type requests of one worker batch share an interchange
    ack_timeout: float = 0.0  # seconds to wait for the partner's 997/999/TA1/CONTRL (0 = never due)

    @classmethod
    def from_json(cls, pid: str, data: Mapping[str, Any]) -> OutboundProfile:
        """The outbound fields of a profile table, checked."""
        delims = data.get("delimiters", {})
        if not isinstance(delims, Mapping) or not all(
            k in DELIMITER_NAMES and isinstance(v, str) for k, v in delims.items()
        ):
            raise OutboundProfileError(
                f"partner {pid}: delimiters must be a table of {list(DELIMITER_NAMES)} -> string"
            )
        out: dict[str, Any] = {"delimiters": dict(delims)}
        for name, key in (
            ("envelope_id", "envelope_id"),
            ("our_id", "our_id"),
            ("version", "outbound_version"),
            ("line_break", "line_break"),
            ("gs_application_sender", "gs_application_sender"),
            ("gs_application_receiver", "gs_application_receiver"),
            ("edifact_syntax", "edifact_syntax"),
            ("edifact_syntax_version", "edifact_syntax_version"),
        ):
            if key in data:
                out[name] = _typed(pid, key, data[key], str)
        for key in ("test_indicator", "request_ta1", "request_contrl"):
            if key in data:
                out[key] = _typed(pid, key, data[key], bool)
        for name, key in (
            ("batch_seconds", "outbound_batch_seconds"),
            ("ack_timeout", "ack_timeout"),
        ):
            if key in data:
                value = data[key]
                if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                    raise OutboundProfileError(f"partner {pid}: {key} must be seconds >= 0")
                out[name] = float(value)
        return cls(**out)

    def to_json(self) -> dict[str, Any]:
        """The fields as profile keys (only those that differ from the defaults)."""
        default = OutboundProfile().to_json_all()
        return {k: v for k, v in self.to_json_all().items() if v != default[k]}

    def to_json_all(self) -> dict[str, Any]:
        """Every field as a profile key (defaults included)."""
        return {
            "envelope_id": self.envelope_id,
            "our_id": self.our_id,
            "outbound_version": self.version,
            "delimiters": dict(self.delimiters),
            "line_break": self.line_break,
            "gs_application_sender": self.gs_application_sender,
            "gs_application_receiver": self.gs_application_receiver,
            "test_indicator": self.test_indicator,
            "request_ta1": self.request_ta1,
            "request_contrl": self.request_contrl,
            "edifact_syntax": self.edifact_syntax,
            "edifact_syntax_version": self.edifact_syntax_version,
            "outbound_batch_seconds": self.batch_seconds,
            "ack_timeout": self.ack_timeout,
        }


def _typed(pid: str, key: str, value: Any, kind: type) -> Any:
    """``value`` when it is a ``kind``, else a profile error naming ``key``."""
    if not isinstance(value, kind):
        raise OutboundProfileError(f"partner {pid}: {key} must be a {kind.__name__}")
    return value


def _party(key: str, standard: Standard) -> tuple[str, str]:
    """(qualifier, id) of a ``senders``-form key: X12 ``QUAL:ID``, EDIFACT ``ID:QUAL`` or ``ID``."""
    if standard is Standard.X12:
        q, _, i = key.rpartition(":")
        return (q or "ZZ"), i
    i, _, q = key.partition(":")
    return q, i


def envelope_for(
    profile: OutboundProfile,
    senders: tuple[str, ...],
    standard: Standard,
    our_x12: str,
    our_edifact: str,
) -> Envelope:
    """The Envelope of interchanges to a partner in ``standard`` (the one profile -> Envelope map)."""
    theirs = profile.envelope_id or next((s for s in senders if s != "*"), "")
    ours = profile.our_id or (our_x12 if standard is Standard.X12 else our_edifact)
    sq, sid = _party(ours, standard)
    rq, rid = _party(theirs, standard)
    d = profile.delimiters
    return Envelope(
        sender_id=sid,
        receiver_id=rid,
        sender_qualifier=sq,
        receiver_qualifier=rq,
        version=profile.version,
        element_separator=d.get("element", ""),
        component_separator=d.get("component", ""),
        repetition_separator=d.get("repetition", ""),
        segment_terminator=d.get("segment", ""),
        release_character=d.get("release", ""),
        decimal_mark=d.get("decimal", ""),
        line_break=profile.line_break,
        application_sender=profile.gs_application_sender,
        application_receiver=profile.gs_application_receiver,
        test=profile.test_indicator,
        ta1_requested=profile.request_ta1,
        contrl_requested=profile.request_contrl,
        syntax=profile.edifact_syntax,
        syntax_version=profile.edifact_syntax_version,
    )
