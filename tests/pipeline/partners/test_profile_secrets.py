"""Transport credentials in a partner profile never reach documents (issue 14)."""

from __future__ import annotations

from typing import Any

import orjson

from parsers.documents import public_partner
from pipeline.partners.profiles import Partner

PROFILE: dict[str, Any] = {
    "id": "acme",
    "name": "Acme Foods",
    "senders": ["ZZ:ACMEFOODS"],
    "region": "emea",
    "sftp_public_keys": ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBogus acme"],
    "sftp_password_hash": "scrypt$16384$8$1$c2FsdA==$aGFzaA==",
    "outbound_sftp": {
        "host": "sftp.acme.example",
        "port": 22,
        "user": "edi",
        "key_file": "/run/secrets/acme_push_key",
        "path": "/in",
        "known_host_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHost",
    },
}


def test_public_profile_drops_sftp_fields_and_keeps_the_rest() -> None:
    partner = Partner.from_json(PROFILE)
    public = partner.public()
    assert public == {"id": "acme", "name": "Acme Foods", "region": "emea"}
    assert partner.attributes["sftp_public_keys"]  # still there for the server


def test_documents_never_carry_sftp_fields_even_from_a_raw_table() -> None:
    shown = public_partner(PROFILE)
    assert shown is not None
    text = orjson.dumps(shown).decode()
    for needle in ("sftp", "scrypt", "key_file", "acme_push_key", "known_host_key", "AAAA"):
        assert needle not in text
    assert shown["region"] == "emea"


def test_the_partner_schema_documents_and_accepts_the_sftp_fields() -> None:
    from pipeline.contracts import schemas

    validator = schemas.validator("partner.schema.json")
    validator.validate(Partner.from_json(PROFILE).to_json())
    bad = {**Partner.from_json(PROFILE).to_json(), "sftp_password_hash": "sha256$abc"}
    assert list(validator.iter_errors(bad)), "a non-scrypt hash must not validate"
