"""A partner's ``fragments`` setting: one document per claim (837 loop 2300), worker and broker.

The processor (pure) cuts an 837 of many claims per 2300 for a partner with
``fragments = {"837" = "2300"}`` and routes one record per claim; end to end,
real ingest and worker processes on the session's broker put one document per
claim on ``agents.claims`` with the claim ids.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import orjson
import pytest

from pipeline.partners.profiles import Partner, PartnersFileError
from pipeline.settings import Settings
from tests.pipeline.worker.test_processor import msg, processor
from tests.pipeline.worker.test_state_e2e import docs
from tests.procs import running, start_ingest, start_worker, wait_until

SIMPLE837 = "x12/pyx12/test/files/simple_837p.txt"  # ISA06 AAAAAAAA, 2 claims


def many_claims(corpus: Path, n: int) -> bytes:
    """simple_837p.txt with its second claim repeated to ``n`` claims, CLM01 = C00001..."""
    segs = [s.strip() for s in (corpus / SIMPLE837).read_text("latin-1").split("~") if s.strip()]
    st = next(i for i, s in enumerate(segs) if s.startswith("ST*"))
    se = next(i for i, s in enumerate(segs) if s.startswith("SE*"))
    clm = [i for i, s in enumerate(segs) if s.startswith("CLM*")]
    head, claim = segs[: clm[0]], segs[clm[1] : se]
    body = list(head)
    for k in range(1, n + 1):
        first = claim[0].split("*")
        first[1] = f"C{k:05d}"
        body += ["*".join(first), *claim[1:]]
    body.append(f"SE*{len(body) - st + 1}*{segs[se].split('*')[2]}")
    return ("~\n".join(body + segs[se + 1 :]) + "~\n").encode("latin-1")


def test_processor_routes_one_document_per_claim(corpus: Path) -> None:
    p = processor()
    acme = p.partners.get("acme")
    assert acme is not None
    p.partners.put(replace(acme, senders=("ZZ:AAAAAAAA",), fragments={"837": "2300"}))
    out = p.process(msg(many_claims(corpus, 40)))
    claims = [o for o in out.outputs if o.topic == "agents.claims"]
    assert out.documents == len(claims) == 40
    values = [orjson.loads(o.value) for o in claims]
    assert [d["keys"]["claim_ids"] for d in values] == [[f"C{k:05d}"] for k in range(1, 41)]
    assert {o.key for o in claims} == {b"acme"}
    assert len({d["id"] for d in values}) == 40
    assert all(d["fragment"]["count"] == 40 and d["fragment"]["loop"] == "2300" for d in values)


def test_profile_fragments_are_checked() -> None:
    base = {"id": "x", "senders": ["ZZ:X"]}
    assert Partner.from_json({**base, "fragments": {"837": "2300"}}).fragments == {"837": "2300"}
    assert Partner.from_json(base).fragments == {}
    assert Partner.from_json({**base, "fragments": {"834": "2000"}}).to_json()["fragments"] == {
        "834": "2000"
    }
    for bad, says in [({"837": "9999"}, "unknown loop"), ("837=2300", "must be a table")]:
        with pytest.raises(PartnersFileError, match=says):
            Partner.from_json({**base, "fragments": bad})


PARTNERS = """
[[partners]]
id = "claims"
name = "Claims Clearinghouse"
senders = ["ZZ:AAAAAAAA"]
acks = []
fragments = {"837" = "2300"}
"""


@pytest.mark.slow
def test_one_document_per_claim_on_agents_claims(
    make_settings: Callable[..., Settings], corpus: Path, tmp_path: Path
) -> None:
    partners = tmp_path / "partners.toml"
    partners.write_text(PARTNERS)
    s = make_settings(partners=partners)
    with running(start_ingest(s, tmp_path)), running(start_worker(s, tmp_path)):
        (s.inbox / "claims").mkdir(parents=True, exist_ok=True)
        (s.inbox / "claims" / "claims.837").write_bytes(many_claims(corpus, 25))

        def claims() -> list[dict[str, object]]:
            return [d for d in docs(s, "agents.claims") if d["partner"]["id"] == "claims"]

        wait_until(lambda: len(claims()) >= 25, 60, "25 claim documents on agents.claims")
        got = claims()
        assert sorted(d["keys"]["claim_ids"][0] for d in got) == [f"C{k:05d}" for k in range(1, 26)]
        assert {d["fragment"]["of_id"] for d in got} == {got[0]["fragment"]["of_id"]}
