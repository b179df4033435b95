"""Per-loop fragments (parsers.fragments): one document per claim, member, claim payment.

Real corpus files: named values per fragment (837 CLM01, 834 member, 835 CLP01),
the header context each carries, deterministic ids, ``data`` that renders back to
the fragment's ``segments``, the document schema, every segment in some fragment,
the streamed path (``TransactionPart``) giving the same documents as the held one,
and the usage errors of ``--fragment``.
"""

from __future__ import annotations

import io
from functools import cache
from typing import Any

import jsonschema
import orjson
import pytest
from click.testing import CliRunner

import parsers
from parsers.data import segments_from_data
from parsers.documents import build_documents, document_id
from parsers.fragments import FragmentError, parse_fragments
from parsers.run import stream_documents
from parsers.schema import document_schema
from pipeline.tools.cli import cli
from tests.parsers.conftest import manifest

P837 = "x12/pyx12/test/files/simple_837p.txt"
M834 = "x12/pyx12/pyx12/tests/834_deident_family.txt"
S835 = "x12/pyx12/test/files/835_simple.txt"
I837 = "837_005010X223A3/two-claims-single-provider.837i"


def _read(path: str) -> bytes:
    return next(f for f in manifest() if f.path.endswith(path)).read()


def _docs(path: str, fragments: dict[str, str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for ic in parsers.parse(_read(path)).interchanges:
        out.extend(build_documents(ic, partner={"id": "p1"}, source={}, fragments=fragments))
    return out


def _loop(obj: dict[str, Any], loop: str) -> list[dict[str, Any]]:
    """The instances of loop ``loop`` in a data object (key names vary with the guide)."""
    return next(v for k, v in obj.items() if k.endswith(f"_{loop}_loop"))


@cache
def _validator(version: str, type: str) -> Any:
    return jsonschema.Draft202012Validator(document_schema("x12", version, type))


def test_837_one_document_per_claim_with_its_context() -> None:
    docs = _docs(P837, {"837": "2300"})
    assert [d["keys"]["claim_ids"] for d in docs] == [["3215338"], ["5555"]]
    for d in docs:
        data = d["data"]
        assert _loop(data, "1000A") and _loop(data, "1000B")
        billing = _loop(data, "2000A")
        assert len(billing) == 1 and _loop(billing[0], "2010AA")
        subscriber = _loop(billing[0], "2000B")
        assert len(subscriber) == 1 and _loop(subscriber[0], "2010BA")
        claims = _loop(subscriber[0], "2300")
        assert len(claims) == 1  # the other claim is never copied in
        clm = claims[0]["claim_information_CLM"]  # 004010X098A1 calls CLM01 the account number
        assert clm["patient_account_number_01"] == d["keys"]["claim_ids"][0]
        frag = d["fragment"]
        assert frag["loop"] == "2300" and frag["count"] == 2
        assert d["segments"][frag["context"]][0] == "CLM"


def test_5010_837i_claim_ids_under_their_names() -> None:
    docs = _docs(I837, {"837": "2300"})
    ids = []
    for d in docs:
        subscriber = _loop(_loop(d["data"], "2000A")[0], "2000B")
        assert len(subscriber) == 1  # its own subscriber only
        clm = _loop(subscriber[0], "2300")[0]["claim_information_CLM"]
        ids.append(clm["patient_control_number_01"])
    assert ids == ["756048Q", "756049Q"] == [d["keys"]["claim_ids"][0] for d in docs]


def test_834_member_and_835_claim_payment() -> None:
    members = _docs(M834, {"834": "2000"})
    # each member's own keys, not the whole transaction's member list (issue 16's bulky keys)
    assert [d["keys"]["member_ids"] for d in members] == [["M000002"], ["M000003"], ["M000004"]]
    for d in members:
        loop = _loop(d["data"], "2000")
        assert len(loop) == 1 and _loop(loop[0], "2100A")
        assert _loop(d["data"], "1000A") and _loop(d["data"], "1000B")
    payments = _docs(S835, {"835": "2100"})
    assert len(payments) == 3
    for d in payments:
        clp = _loop(_loop(d["data"], "2000")[0], "2100")
        assert len(clp) == 1
        clp01 = next(v for k, v in clp[0].items() if k.endswith("_CLP"))[
            "patient_control_number_01"
        ]
        assert clp01 == next(s for s in d["segments"] if s[0] == "CLP")[1]
        assert _loop(d["data"], "1000A")


@pytest.mark.parametrize(
    ("path", "fragments"),
    [
        (P837, {"837": "2300"}),
        (I837, {"837": "2300"}),
        (M834, {"834": "2000"}),
        (S835, {"835": "2100"}),
    ],
)
def test_fragments_round_trip_validate_and_cover_the_transaction(
    path: str, fragments: dict[str, str]
) -> None:
    docs = _docs(path, fragments)
    assert docs == _docs(path, fragments)  # deterministic, ids included
    assert len({d["id"] for d in docs}) == len(docs)
    ic = parsers.parse(_read(path)).interchanges[0]
    for d in docs:
        assert segments_from_data(d["data"]) == d["segments"]
        errors = list(_validator(d["version"], d["type"]).iter_errors(d))
        assert errors == [], (errors[0].message, list(errors[0].absolute_path))
    by_tx: dict[str, list[dict[str, Any]]] = {}
    for d in docs:
        by_tx.setdefault(d["fragment"]["of_id"], []).append(d)
    for group in ic.groups:
        for tx in group.transactions:
            whole = build_documents(ic, partner={"id": "p1"}, source={})
            segs = next(w for w in whole if w["control"]["transaction"] == tx.control)["segments"]
            frags = next(f for f in by_tx.values() if f[0]["control"]["transaction"] == tx.control)
            seen = {orjson.dumps(s) for f in frags for s in f["segments"]}
            assert all(orjson.dumps(s) in seen for s in segs)  # every segment is in a fragment
            assert [f["fragment"]["index"] for f in frags] == list(range(1, len(frags) + 1))
            assert frags[0]["fragment"]["of_id"] != document_id(ic, group, tx, partner_id="p1")


def test_types_not_asked_for_and_loops_absent_stay_whole() -> None:
    docs = _docs(P837, {"834": "2000"})
    assert all(d["fragment"] is None for d in docs)
    assert all(d["fragment"] is None for d in _docs(M834, {"834": "2200"}))  # no DSB loop here


def _repeat_837_claims(times: int) -> bytes:
    """simple_837p with its second claim repeated (a transaction longer than one read block)."""
    text = _read(P837).decode("latin-1")
    term = "~"
    segs = [s for s in text.split(term) if s.strip()]
    st = next(i for i, s in enumerate(segs) if s.strip().startswith("ST*"))
    se = next(i for i, s in enumerate(segs) if s.strip().startswith("SE*"))
    clm = [i for i, s in enumerate(segs) if s.strip().startswith("CLM*")]
    claim = segs[clm[1] : se]
    body = segs[:se] + claim * times
    n = len(body) - st + 1
    tail = [f"\nSE*{n}*{segs[se].strip().split('*')[2]}", *segs[se + 1 :]]
    return (term.join(body + tail) + term).encode("latin-1")


def test_streamed_fragments_match_the_held_ones_but_count_comes_last() -> None:
    data = _repeat_837_claims(4500)
    assert len(data) > 1 << 20  # more than one block: the transaction comes in parts
    fragments = {"837": "2300"}
    held = [
        d
        for ic in parsers.parse(data).interchanges
        for d in build_documents(ic, partner=None, source={"channel": "file"}, fragments=fragments)
    ]
    out = list(stream_documents(io.BytesIO(data), source={"channel": "file"}, fragments=fragments))
    assert not [e for e in out if isinstance(e, parsers.EdiError)]
    streamed = [orjson.loads(b) for b in out if isinstance(b, bytes)]
    assert len(streamed) == len(held) == 4502
    assert [d["id"] for d in streamed] == [d["id"] for d in held]
    assert streamed[-1]["fragment"]["count"] == 4502
    assert any(d["fragment"]["count"] is None for d in streamed)  # streamed, not held
    for a, b in zip(streamed, held, strict=True):
        a["fragment"].pop("count"), b["fragment"].pop("count")
        assert a == b


def test_parse_fragments_checks_syntax_and_loops() -> None:
    assert parse_fragments(["837=2300", "834 = 2000", "856=HL"]) == {
        "837": "2300",
        "834": "2000",
        "856": "HL",
    }
    for bad, says in [
        ("837", "expected TYPE=LOOP"),
        ("837=", "expected TYPE=LOOP"),
        ("837=9999", "unknown loop '9999'"),
        ("ZZZ=1", "no dictionary"),
    ]:
        with pytest.raises(FragmentError, match=says):
            parse_fragments([bad])
    with pytest.raises(FragmentError, match="two loops"):
        parse_fragments(["837=2300", "837=2400"])


def test_cli_fragment_usage_errors_exit_2(tmp_path: Any) -> None:
    f = tmp_path / "a.edi"
    f.write_bytes(_read(P837))
    runner = CliRunner()
    bad = runner.invoke(cli, ["parse", "--fragment", "837=9999", str(f)])
    assert bad.exit_code == 2 and "unknown loop '9999'" in bad.output
    ok = runner.invoke(cli, ["parse", "--fragment", "837=2300", str(f)])
    assert ok.exit_code == 0, ok.output
    docs = [orjson.loads(line) for line in ok.stdout_bytes.splitlines()]
    assert [d["keys"]["claim_ids"] for d in docs] == [["3215338"], ["5555"]]


ISA = "ISA*00*          *00*          *ZZ*PARTNER004     *ZZ*EDIMESH        *240404*2343*U*00401*031939073*1*P*:~"
SHIPMENTS = [
    "BSN*00*SHIP1*20240404*2343",
    "HL*1**S",
    "REF*BM*BOL1",
    "HL*2*1*O",
    "PRF*PO1",
    "HL*3*2*I",
    "LIN**BP*A1",
    "SN1**5*EA",
    "HL*4**S",
    "REF*BM*BOL2",
    "HL*5*4*O",
    "PRF*PO2",
    "HL*6*5*I",
    "LIN**BP*B1",
    "SN1**3*EA",
    "CTT*6",
]


def test_856_per_top_level_hl_keeps_its_orders_and_items() -> None:
    body = ["ST*856*0001", *SHIPMENTS, f"SE*{len(SHIPMENTS) + 2}*0001"]
    text = "~".join([ISA + "GS*SH*PARTNER004*EDIMESH*20240404*2343*1*X*004010", *body])
    ic = parsers.parse((text + "~GE*1*1~IEA*1*031939073~").encode()).interchanges[0]
    assert ic.accepted
    docs = build_documents(ic, partner=None, source={}, fragments={"856": "HL"})
    assert len(docs) == 2
    hls = [[s[1] for s in d["segments"] if s[0] == "HL"] for d in docs]
    assert hls == [["1", "2", "3"], ["4", "5", "6"]]
    assert [s[0] for s in docs[1]["segments"][-2:]] == ["CTT", "SE"]  # after the last shipment
    assert docs[0]["segments"][:2] == [
        ["ST", "856", "0001"],
        ["BSN", "00", "SHIP1", "20240404", "2343"],
    ]
    assert all(segments_from_data(d["data"]) == d["segments"] for d in docs)
