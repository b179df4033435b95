"""Partner profiles: the tolerance fields are checked at load and survive the edi.partners round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from parsers.tolerance import Level
from pipeline.partners.profiles import Partner, PartnersFileError, load_partners


def write(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "partners.toml"
    path.write_text(f'[[partners]]\nid = "p"\nsenders = ["*"]\n{extra}\n')
    return path


def test_tolerance_defaults_to_standard_and_round_trips(tmp_path: Path) -> None:
    (plain,) = load_partners(write(tmp_path, ""))
    assert plain.tolerance.level is Level.STANDARD
    (p,) = load_partners(write(tmp_path, 'tolerance = "lenient"\nreject = ["EDI052"]'))
    assert p.tolerance.level is Level.LENIENT and p.tolerance.rejects("EDI052")
    assert not p.tolerance.rejects("EDI031")
    again = Partner.from_json(p.to_json())
    assert again.tolerance == p.tolerance
    assert "tolerance" not in p.public() and "reject" not in p.public()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('tolerance = "relaxed"', "not one of strict, standard, lenient"),
        ('accept = ["EDI999"]', "'EDI999' is not a parser error code"),
        ('accept = ["EDI102"]', "'EDI102' is not a parser error code"),
        ('accept = ["EDI057"]', "EDI057 is never tolerated"),
        ('accept = "EDI052"', "accept must be a list of error codes"),
        ('accept = ["EDI052"]\nreject = ["EDI052"]', "both accepted and rejected"),
    ],
)
def test_bad_tolerance_settings_are_a_clear_startup_error(
    tmp_path: Path, extra: str, message: str
) -> None:
    with pytest.raises(PartnersFileError, match=message) as err:
        load_partners(write(tmp_path, extra))
    assert str(err.value).startswith("partner p: ")
