"""Agent documents (parsers.documents) built from the corpus: shape, schema, ids, fragments."""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest

import parsers
from parsers.documents import (
    DEFAULT_MAX_SEGMENTS,
    build_document,
    build_documents,
    build_transaction_documents,
    document_id,
    fragment_bounds,
    render_documents,
    render_transaction,
    split_segments,
)
from parsers.errors import EdiError
from parsers.segments import split_segment
from tests.parsers._docfixtures import CORPUS, interchanges, manifest, valid_files

SCHEMA_PATH = Path(parsers.__file__).parent / "document.schema.json"
PARTNER = {"id": "acme", "name": "ACME Foods", "senders": ["ZZ:ACME"], "api_key_sha256": "ab" * 32}
SOURCE = {
    "channel": "file",
    "filename": "in.edi",
    "sha256": "cd" * 32,
    "ingest_id": "ing-1",
    "received_at": "2025-01-02T03:04:05Z",
}
DUAL = "x12/staedi/src/test/resources/x12/invoice810_po850_dual.edi"
HUGE = "edifact/pydifact/tests/data/huge_file2.edi"


@cache
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def docs_of(path: str | Path, data: bytes | None = None, **kw: Any) -> list[dict[str, Any]]:
    """Documents of every transaction of a corpus file, accepted or not by the validator.

    Several fixture files of the corpus carry wrong SE/UNT counts or lack a UNZ,
    which the parser rightly rejects; document building does not depend on that.
    """
    kw.setdefault("partner", PARTNER)
    kw.setdefault("source", SOURCE)
    kw.setdefault("only_accepted", False)
    return [orjson.loads(b) for ic in interchanges(path, data) for b in render_documents(ic, **kw)]


def ids(docs: list[dict[str, Any]]) -> list[str]:
    return [d["id"] for d in docs]


# ---------------------------------------------------------------------------
# schema


@pytest.mark.parametrize("path", valid_files(), ids=lambda p: str(p.relative_to(CORPUS)))
def test_every_corpus_document_matches_the_schema(path: Path) -> None:
    passes = [docs_of(path), docs_of(path, only_accepted=True)]
    if path.stat().st_size < 20_000:  # small files: fragments, no partner, no source as well
        passes.append(docs_of(path, max_segments=9, partner=None, source={}))
    for docs in passes:
        for doc in docs:
            errors = sorted(validator().iter_errors(doc), key=str)
            assert not errors, f"{errors[0].message} at {list(errors[0].absolute_path)}"


def test_corpus_yields_documents_for_every_accepted_transaction() -> None:
    total = accepted_total = 0
    for path in valid_files():
        for ic in interchanges(path):
            every = build_documents(ic, partner=PARTNER, source=SOURCE, only_accepted=False)
            whole = [d for d in every if d["fragment"] is None or d["fragment"]["index"] == 1]
            assert len(whole) == len(ic.transactions)
            docs = build_documents(ic, partner=PARTNER, source=SOURCE)
            accepted = [
                tx
                for g in ic.groups
                for tx in g.transactions
                if ic.accepted and tx.accepted and not any(e.rejects for e in g.errors)
            ]
            firsts = [d for d in docs if d["fragment"] is None or d["fragment"]["index"] == 1]
            assert [d["control"]["transaction"] for d in firsts] == [tx.control for tx in accepted]
            assert all(not e["rejects"] for d in docs for e in d["errors"])
            total += len(whole)
            accepted_total += len(firsts)
    assert total > 500 and accepted_total > 100


def test_schema_is_precise_about_segments() -> None:
    doc = docs_of(DUAL)[0]
    v = validator()
    assert v.is_valid(doc)
    for bad in (
        [[1, "x"]],  # tag not a string
        [["N1", {"a": "b"}]],  # object element
        [["N1", [["a", 1]]]],  # number inside a repetition
        [["N1", [[["a"]]]]],  # three levels deep
        [],  # no segments
    ):
        broken = copy.deepcopy(doc)
        broken["segments"] = bad
        assert not v.is_valid(broken), bad
    broken = copy.deepcopy(doc)
    broken["standard"] = "tradacoms"
    assert not v.is_valid(broken)
    broken = copy.deepcopy(doc)
    del broken["source"]["sha256"]
    assert not v.is_valid(broken)


# ---------------------------------------------------------------------------
# fields


def test_fields_of_an_x12_document() -> None:
    inv, _, po = docs_of(DUAL)
    assert (inv["standard"], inv["type"], inv["name"], inv["version"]) == (
        "x12",
        "810",
        "Invoice",
        "004010",
    )
    assert po["type"] == "850" and po["version"] == "003010" and po["name"] == "Purchase Order"
    assert inv["sender"] == {"qualifier": "ZZ", "id": "SENDERISA"}
    assert inv["receiver"] == {"qualifier": "ZZ", "id": "RECEIVERISA"}
    assert inv["control"] == {"interchange": "000000020", "group": "1", "transaction": "000000001"}
    assert po["control"] == {"interchange": "000000020", "group": "165", "transaction": "000191240"}
    assert inv["test"] is True  # ISA15 = T
    assert (inv["date"], inv["time"]) == ("960807", "1548")
    assert inv["functional_group"] == {
        "id": "IN",
        "sender": "SENDERDEPT",
        "receiver": "007326879",
        "date": "19960807",
        "time": "1548",
        "version": "004010",
    }
    assert po["functional_group"]["id"] == "PO"
    assert inv["keys"]["invoice_number"] == "00001" and po["keys"]["po_number"] == "S115921858"
    assert inv["guide"] is None and inv["hl"] is None and inv["fragment"] is None
    assert inv["errors"] == []
    assert inv["source"] == SOURCE
    # the segments, ST to SE, with elements split
    assert inv["segments"][0] == ["ST", "810", "000000001"]
    assert inv["segments"][1] == ["BIG", "19971211", "00001", "", "A99999-01"]
    assert inv["segments"][-1] == ["SE", "32", "000000001"]
    assert len(inv["segments"]) == 32


def test_fields_of_a_hipaa_document() -> None:
    (doc,) = docs_of("x12/linuxforhealth-x12/demo-file/demo.276")
    assert doc["name"] == "Health Care Claim Status Request"
    assert doc["guide"] == {
        "code": "X212",
        "short": "276 Claim Status Request",
        "name": "Health Care Claim Status Request",
    }
    assert doc["hl"]["roots"][0]["level"] == "information source"
    assert doc["test"] is True
    # composites are lists: SVC*HC:99203*150
    svc = next(s for s in doc["segments"] if s[0] == "SVC")
    assert svc[1] == ["HC", "99203"]


def test_repetitions_are_lists_of_composites() -> None:
    (doc,) = docs_of("x12/linuxforhealth-x12/demo-file/demo.271")
    eb = [s for s in doc["segments"] if s[0] == "EB"]
    # EB*1**1^33^35^47^86^88^98^AL^MH^UC
    assert eb[2][3] == [
        ["1"],
        ["33"],
        ["35"],
        ["47"],
        ["86"],
        ["88"],
        ["98"],
        ["AL"],
        ["MH"],
        ["UC"],
    ]


def test_fields_of_an_edifact_document() -> None:
    (doc,) = docs_of("edifact/pydifact/tests/data/order.edi")
    assert (doc["standard"], doc["type"], doc["name"]) == (
        "edifact",
        "ORDERS",
        "Purchase order message",
    )
    assert doc["sender"]["id"] == "12345678" and doc["receiver"]["id"] == "WBDZDD"
    assert doc["control"]["group"] == "" and doc["functional_group"] is None
    assert doc["control"]["transaction"] == "1"
    assert doc["segments"][1] == ["BGM", ["220", "", "9"], "801715918011", "9", "NA"]
    (grouped,) = docs_of("edifact/staedi/src/test/resources/EDIFACT/orders-with-group.edi")
    assert grouped["functional_group"]["id"] == "ORDERS"
    assert grouped["control"]["group"] == "1"
    assert grouped["test"] is True  # UNB11 = 1
    assert doc["test"] is False


def test_release_characters_are_unescaped() -> None:
    # UNA:+.\ ' : the release character is a backslash, used as "14\:30" in free text
    path = "edifact/staedi/src/test/resources/EDIFACT/pnrgov.edi"
    assert "14\\:30" in (CORPUS / path).read_text()
    (doc,) = docs_of(path)
    strings = [
        c
        for seg in doc["segments"]
        for el in seg
        for c in (el if isinstance(el, list) else [el])
        for c in (c if isinstance(c, list) else [c])
    ]
    assert any("14:30" in s for s in strings)
    assert not any("\\" in s for s in strings)


def test_segments_equal_split_segment_everywhere() -> None:
    checked = 0
    for path in valid_files():
        for ic in interchanges(path):
            for tx in ic.transactions:
                split, tags = split_segments(tx.segments, ic.delimiters)
                assert split == [split_segment(s, ic.delimiters) for s in tx.segments], path
                assert tags == [s[0] for s in split]
                checked += len(split)
    assert checked > 100_000


def test_partner_credentials_never_reach_documents() -> None:
    doc = docs_of(DUAL)[0]
    assert doc["partner"] == {"id": "acme", "name": "ACME Foods", "senders": ["ZZ:ACME"]}
    assert "api_key" not in orjson.dumps(doc).decode()
    assert docs_of(DUAL, partner=None)[0]["partner"] is None


def test_source_keeps_the_five_fields() -> None:
    doc = docs_of(DUAL, source={"channel": "http", "extra": "dropped"})[0]
    assert doc["source"] == {
        "channel": "http",
        "filename": None,
        "sha256": None,
        "ingest_id": None,
        "received_at": None,
    }


def test_render_is_build_encoded() -> None:
    ic = interchanges(DUAL)[0]
    built = build_documents(ic, partner=PARTNER, source=SOURCE)
    rendered = render_documents(ic, partner=PARTNER, source=SOURCE)
    assert [orjson.loads(b) for b in rendered] == built
    pairs = [
        p
        for g in ic.groups
        for tx in g.transactions
        for p in render_transaction(ic, g, tx, partner=PARTNER, source=SOURCE)
    ]
    assert pairs == [(d["id"], b) for d, b in zip(built, rendered, strict=True)]
    assert (
        build_document(
            ic, ic.groups[1], ic.groups[1].transactions[0], partner=PARTNER, source=SOURCE
        )
        == built[2]
    )


# ---------------------------------------------------------------------------
# errors and rejected transactions


def test_warnings_travel_and_rejected_transactions_stay_out() -> None:
    ic = interchanges(DUAL)[0]
    first, second = ic.groups[0].transactions
    warning = EdiError("EDI061", "empty segment ignored")
    rejection = EdiError("EDI050", "transaction set trailer (SE/UNT) missing")
    assert not warning.rejects and rejection.rejects
    first.errors.append(warning)
    second.errors.append(rejection)
    docs = build_documents(ic, partner=PARTNER, source=SOURCE)
    assert [d["control"]["transaction"] for d in docs] == ["000000001", "000191240"]
    assert docs[0]["errors"] == [warning.to_dict()]
    assert docs[1]["errors"] == []
    everything = build_documents(ic, partner=PARTNER, source=SOURCE, only_accepted=False)
    assert len(everything) == 3 and everything[1]["errors"] == [rejection.to_dict()]
    ic.errors.append(EdiError("EDI031", "interchange trailer (IEA/UNZ) missing"))
    assert build_documents(ic, partner=PARTNER, source=SOURCE) == []


# ---------------------------------------------------------------------------
# ids


def test_id_follows_the_documented_recipe() -> None:
    ic = interchanges(DUAL)[0]
    group = ic.groups[0]
    tx = group.transactions[1]
    content = hashlib.sha256("\n".join(tx.segments).encode()).hexdigest()
    material = "\x1f".join(
        [
            "edi-mesh/document/1",
            "acme",
            "x12",
            "ZZ",
            "SENDERISA",
            "ZZ",
            "RECEIVERISA",
            "000000020",
            "1",
            "000000002",
            "810",
            content,
        ]
    )
    expected = hashlib.sha256(material.encode()).hexdigest()[:32]
    assert document_id(ic, group, tx, partner_id="acme") == expected
    assert build_documents(ic, partner=PARTNER, source=SOURCE)[1]["id"] == expected


def test_same_bytes_same_ids() -> None:
    for path in (DUAL, "x12/imsweb-x12-parser/src/test/resources/837_5010/x12_multiple_isa.txt",
                 "edifact/staedi/src/test/resources/EDIFACT/orders-with-group.edi"):  # fmt: skip
        first = ids(docs_of(path))
        again = ids(docs_of(path, source={**SOURCE, "filename": "other.edi", "ingest_id": "ing-2"}))
        assert first == again
        assert len(set(first)) == len(first)  # distinct transactions, distinct ids


def test_line_breaks_do_not_change_ids() -> None:
    raw = (CORPUS / DUAL).read_bytes()
    assert b"~\n" in raw
    assert ids(docs_of(DUAL, raw.replace(b"~\n", b"~"))) == ids(docs_of(DUAL))
    assert ids(docs_of(DUAL, raw.replace(b"~\n", b"~\r\n"))) == ids(docs_of(DUAL))


def test_one_changed_byte_changes_only_its_transaction() -> None:
    raw = (CORPUS / DUAL).read_bytes()
    changed = raw.replace(b"BIG*19971215*00001**A99999-04", b"BIG*19971215*00001**A99999-05")
    assert len(changed) == len(raw) and changed != raw
    before, after = ids(docs_of(DUAL)), ids(docs_of(DUAL, changed))
    assert before[0] == after[0] and before[2] == after[2]
    assert before[1] != after[1]


def test_partner_and_envelope_scope_the_ids() -> None:
    base = ids(docs_of(DUAL))
    assert ids(docs_of(DUAL, partner={"id": "other"})) != base
    # same transactions under another interchange control number: new ids
    raw = (CORPUS / DUAL).read_bytes().replace(b"000000020", b"000000021")
    assert set(ids(docs_of(DUAL, raw))).isdisjoint(base)


# ---------------------------------------------------------------------------
# fragments


def test_huge_message_is_fragmented() -> None:
    (ic,) = interchanges(HUGE)
    (tx,) = ic.transactions
    n = len(tx.segments)
    assert n > 100_000
    whole = build_document(ic, ic.groups[0], tx, partner=PARTNER, source=SOURCE)
    docs = docs_of(HUGE)
    count = len(docs)
    assert count == -(-n // DEFAULT_MAX_SEGMENTS) or count == -(-n // DEFAULT_MAX_SEGMENTS) + 1
    assert [d["fragment"]["index"] for d in docs] == list(range(1, count + 1))
    assert {d["fragment"]["count"] for d in docs} == {count}
    assert {d["fragment"]["of_id"] for d in docs} == {whole["id"]}
    assert len(set(ids(docs))) == count and whole["id"] not in ids(docs)
    # contiguous slices that put the whole transaction back together
    assert [s for d in docs for s in d["segments"]] == whole["segments"]
    bounds = [tuple(d["fragment"]["segments"]) for d in docs]
    assert bounds[0][0] == 0 and bounds[-1][1] == n
    assert all(a[1] == b[0] for a, b in itertools.pairwise(bounds))
    assert all(len(d["segments"]) <= DEFAULT_MAX_SEGMENTS for d in docs)
    # cuts land before a loop start (LIN) when one is near
    assert all(d["segments"][0][0] == "LIN" for d in docs[1:])
    # the whole transaction's keys on the first fragment; its scalar keys on the others
    assert docs[0]["keys"] == whole["keys"]
    scalars = {k: v for k, v in whole["keys"].items() if not isinstance(v, list)}
    assert all(d["keys"] == scalars for d in docs[1:])
    assert ids(docs_of(HUGE)) == ids(docs)


def test_fragment_hl_tree_only_on_the_first() -> None:
    path = "x12/linuxforhealth-x12/demo-file/demo.276"
    docs = docs_of(path, max_segments=10)
    assert len(docs) >= 3
    assert docs[0]["hl"] is not None and all(d["hl"] is None for d in docs[1:])
    (whole,) = docs_of(path)
    assert docs[0]["hl"] == whole["hl"]
    # list keys (trace numbers, member and claim ids) only on the first fragment
    assert docs[0]["keys"] == whole["keys"]
    lists = {k for k, v in whole["keys"].items() if isinstance(v, list)}
    assert lists and all(not lists & d["keys"].keys() for d in docs[1:])
    assert all(d["keys"]["reference_id"] == whole["keys"]["reference_id"] for d in docs)
    # fragments prefer to start at an HL
    assert all(d["segments"][0][0] == "HL" for d in docs[1:])
    ic = interchanges(path)[0]
    grp = ic.groups[0]
    frags = build_transaction_documents(
        ic, grp, grp.transactions[0], partner=PARTNER, source=SOURCE, max_segments=10
    )
    assert ids(frags) == ids(docs)


def test_fragment_size_is_honoured_without_loop_starts() -> None:
    path = "edifact/pydifact/tests/data/patient2.edi"  # FTX after FTX: no loop start to cut at
    docs = docs_of(path, max_segments=5)
    assert len(docs) > 2
    assert all(len(d["segments"]) <= 5 for d in docs)
    assert [len(d["segments"]) for d in docs[:-1]] == [5] * (len(docs) - 1)


def test_manifest_counts_match_documents() -> None:
    # MANIFEST notes give ST=/UNH= counts: one document per set for these files
    by_path = {e.path: e for e in manifest()}
    for rel, expected in (
        (DUAL, 3),
        ("x12/imsweb-x12-parser/src/test/resources/837_5010/x12_multiple_isa.txt", None),
    ):
        entry = by_path[CORPUS / rel]
        st = int(entry.notes.split("ST=")[1].split()[0])
        assert len(docs_of(rel)) == (expected if expected is not None else st)


@pytest.mark.parametrize("max_segments", [1, 2, 3, 7, 50, 10_000])
def test_fragment_bounds_cover_every_segment_once(max_segments: int) -> None:
    ic = interchanges(
        "x12/linuxforhealth-x12/src/tests/resources/837_005010X222A2/demo.example1.837"
    )[0]
    tx = ic.transactions[0]
    split = [split_segment(s, ic.delimiters) for s in tx.segments]
    bounds = fragment_bounds(split, max_segments)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(split)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(bounds))
    assert all(0 < end - start <= max_segments for start, end in bounds)
    with pytest.raises(ValueError):
        fragment_bounds(split, 0)
