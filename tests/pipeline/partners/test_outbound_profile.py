"""The outbound fields of a partner profile and their one mapping to an Envelope."""

from __future__ import annotations

import pytest

from parsers.model import Standard
from pipeline.contracts.schemas import validator
from pipeline.partners.outbound_profile import envelope_for
from pipeline.partners.profiles import Partner, PartnersFileError


def test_defaults_come_from_the_first_sender_and_the_settings() -> None:
    p = Partner.from_json({"id": "acme", "senders": ["ZZ:ACMEFOODS", "ZZ:OTHER"]})
    env = envelope_for(p.outbound, p.senders, Standard.X12, "ZZ:EDIMESH", "EDIMESH")
    assert (env.sender_qualifier, env.sender_id) == ("ZZ", "EDIMESH")
    assert (env.receiver_qualifier, env.receiver_id) == ("ZZ", "ACMEFOODS")
    assert not env.test and not env.ta1_requested and p.outbound.ack_timeout == 0


def test_every_field_maps_and_round_trips_through_the_profile_json() -> None:
    data = {
        "id": "globex",
        "senders": ["5400110000009:14"],
        "envelope_id": "4000000000001:14",
        "our_id": "4099999999999:14",
        "outbound_version": "D:01B:UN:EAN010",
        "delimiters": {"element": "|", "component": "^", "segment": "!", "release": "\\"},
        "test_indicator": True,
        "request_contrl": True,
        "edifact_syntax": "UNOB",
        "outbound_batch_seconds": 5,
        "ack_timeout": 2,
    }
    p = Partner.from_json(data)
    env = envelope_for(p.outbound, p.senders, Standard.EDIFACT, "ZZ:X", "X")
    assert (env.sender_id, env.sender_qualifier) == ("4099999999999", "14")
    assert (env.receiver_id, env.receiver_qualifier) == ("4000000000001", "14")
    assert (env.element_separator, env.component_separator, env.segment_terminator) == (
        "|",
        "^",
        "!",
    )
    assert env.release_character == "\\" and env.test and env.contrl_requested
    assert env.syntax == "UNOB" and env.version == "D:01B:UN:EAN010"
    assert p.outbound.batch_seconds == 5.0 and p.outbound.ack_timeout == 2.0
    assert Partner.from_json(p.to_json()) == p
    assert "outbound" not in p.public() and "ack_timeout" not in p.attributes
    validator("partner.schema.json").validate(p.to_json())


@pytest.mark.parametrize(
    "bad",
    [{"ack_timeout": -1}, {"delimiters": {"tab": "\t"}}, {"test_indicator": "yes"}],
)
def test_bad_outbound_fields_name_the_field(bad: dict[str, object]) -> None:
    with pytest.raises(PartnersFileError, match=next(iter(bad))):
        Partner.from_json({"id": "p", "senders": ["ZZ:P"], **bad})
