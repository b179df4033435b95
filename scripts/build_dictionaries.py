"""Generate edi-mesh's own dictionary files under ``parsers/dictionaries/``.

Why: documents carry a named, loop-nested ``data`` tree and content validation
needs structures, types, lengths and codes; those facts come from three
permissively licensed sources, converted once into compact gzip JSON that the
package ships, so nothing outside the repository is read at run time:

- ``../shared/dictionaries/x12-004010`` (MIT, from olmelabs/EdiEngine): the
  004010 structure of 293 transaction sets, segments, elements, codes;
- the HIPAA implementation-guide maps inside the installed pyx12 package
  (``pyx12/map/*.xml``, BSD-3-Clause): loops, names, usage, codes;
- ``../shared/dictionaries/edifact-d21a`` (MIT, from nerdocs/pydifact): the
  UN/EDIFACT D21A directory (names, code lists, message structures);
- hand-written tables in ``scripts/dictionary_sources/`` (names of X12
  elements, segments and a few code values: facts of the standard).

Every file records its sources. Output is deterministic (sorted keys, gzip
mtime 0): ``tests/parsers/test_dictionaries.py`` checks a rebuild is
byte-identical. Run: ``.venv/bin/python scripts/build_dictionaries.py``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# ../shared next to the repository, or EDI_MESH_SHARED (a clone elsewhere); never needed at run time.
SHARED = Path(os.environ.get("EDI_MESH_SHARED", ROOT.parent / "shared")) / "dictionaries"
SOURCES = Path(__file__).resolve().parent / "dictionary_sources"
OUT = ROOT / "parsers" / "dictionaries"
FORMAT = 1
UNBOUNDED = 999999

X12_SRC = "x12-004010 (olmelabs/EdiEngine via ../shared/dictionaries/x12-004010, MIT)"
PYX12_SRC = "pyx12 {version} pyx12/map/{file} (BSD-3-Clause)"
PYX12_ELEMS = "pyx12 {version} pyx12/map/dataele.xml (BSD-3-Clause): element names, types, lengths"
HAND = "edi-mesh hand-written tables, scripts/dictionary_sources/{file} (facts of the standard)"
EDIFACT_SRC = "UN/EDIFACT D21A (nerdocs/pydifact via ../shared/dictionaries/edifact-d21a, MIT)"
ISO9735 = "edi-mesh hand-written service segments UNH/UNT/UNS (ISO 9735 names)"

# HIPAA maps of the pyx12 package: (file, version/guide as in GS08, ST01, variant).
HIPAA_MAPS: list[tuple[str, str, str, str]] = [
    ("270.4010.X092.A1.xml", "004010X092A1", "270", ""),
    ("271.4010.X092.A1.xml", "004010X092A1", "271", ""),
    ("276.4010.X093.A1.xml", "004010X093A1", "276", ""),
    ("277.4010.X093.A1.xml", "004010X093A1", "277", ""),
    ("277.5010.X212.xml", "005010X212", "277", ""),
    ("277.5010.X214.xml", "005010X214", "277", ""),
    ("278.4010.X094.A1.xml", "004010X094A1", "278", ""),
    ("820.4010.X061.A1.xml", "004010X061A1", "820", ""),
    ("820.5010.X218.xml", "005010X218", "820", ""),
    ("834.4010.X095.A1.xml", "004010X095A1", "834", ""),
    ("834.5010.X220.A1.xml", "005010X220A1", "834", ""),
    ("835.4010.X091.A1.xml", "004010X091A1", "835", ""),
    ("835.5010.X221.A1.xml", "005010X221A1", "835", ""),
    ("837.4010.X096.A1.xml", "004010X096A1", "837", "I"),
    ("837.4010.X097.A1.xml", "004010X097A1", "837", "D"),
    ("837.4010.X098.A1.xml", "004010X098A1", "837", "P"),
    ("837.5010.X222.A1.xml", "005010X222A1", "837", "P"),
    ("837Q3.I.5010.X223.A1.xml", "005010X223A2", "837", "I"),
    ("999.5010.xml", "005010X231", "999", ""),
    ("999.5010X231.A1.xml", "005010X231A1", "999", ""),
]

# UN/EDIFACT service segments used inside messages (not in the D21A segment directory).
SERVICE_SEGMENTS: dict[str, Any] = {
    "UNH": {
        "name": "Message header",
        "elements": [
            {
                "ref": "0062",
                "name": "Message reference number",
                "req": "M",
                "type": "an",
                "min": 1,
                "max": 14,
            },
            {
                "ref": "S009",
                "name": "Message identifier",
                "req": "M",
                "components": [
                    {
                        "ref": "0065",
                        "name": "Message type",
                        "req": "M",
                        "type": "an",
                        "min": 1,
                        "max": 6,
                    },
                    {
                        "ref": "0052",
                        "name": "Message version number",
                        "req": "M",
                        "type": "an",
                        "min": 1,
                        "max": 3,
                    },
                    {
                        "ref": "0054",
                        "name": "Message release number",
                        "req": "M",
                        "type": "an",
                        "min": 1,
                        "max": 3,
                    },
                    {
                        "ref": "0051",
                        "name": "Controlling agency",
                        "req": "M",
                        "type": "an",
                        "min": 1,
                        "max": 3,
                    },
                    {
                        "ref": "0057",
                        "name": "Association assigned code",
                        "req": "O",
                        "type": "an",
                        "min": 1,
                        "max": 6,
                    },
                ],
            },
            {
                "ref": "0068",
                "name": "Common access reference",
                "req": "O",
                "type": "an",
                "min": 1,
                "max": 35,
            },
            {
                "ref": "S010",
                "name": "Status of the transfer",
                "req": "O",
                "components": [
                    {
                        "ref": "0070",
                        "name": "Sequence of transfers",
                        "req": "M",
                        "type": "n",
                        "min": 1,
                        "max": 2,
                    },
                    {
                        "ref": "0073",
                        "name": "First and last transfer",
                        "req": "O",
                        "type": "a",
                        "min": 1,
                        "max": 1,
                    },
                ],
            },
        ],
    },
    "UNT": {
        "name": "Message trailer",
        "elements": [
            {
                "ref": "0074",
                "name": "Number of segments in the message",
                "req": "M",
                "type": "n",
                "min": 1,
                "max": 10,
            },
            {
                "ref": "0062",
                "name": "Message reference number",
                "req": "M",
                "type": "an",
                "min": 1,
                "max": 14,
            },
        ],
    },
    "UNS": {
        "name": "Section control",
        "elements": [
            {
                "ref": "0081",
                "name": "Section identification",
                "req": "M",
                "type": "a",
                "min": 1,
                "max": 1,
            },
        ],
    },
}


def _count(text: str | None) -> int:
    """A max-use/repeat count; the standards' ``>1`` is unbounded."""
    if text is None or not text.strip() or text.strip() == ">1":
        return UNBOUNDED
    return int(text.strip())


def x12_ref(ref: str) -> str:
    """An X12 element id in the 004010 source's form (4 digits, ``I01`` kept)."""
    return ref.zfill(4) if ref.isdigit() else ref


def _tsv(name: str) -> list[list[str]]:
    """Rows of a hand-written table (comments and blank lines skipped)."""
    rows = []
    for line in (SOURCES / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


def _pyx12_dir() -> tuple[Path, str]:
    """Where the installed pyx12 keeps its maps, and its version."""
    from importlib.metadata import version

    import pyx12

    return Path(pyx12.__file__).parent / "map", version("pyx12")


def pyx12_elements(map_dir: Path) -> dict[str, dict[str, Any]]:
    """pyx12's data element table: id -> name, type, min, max."""
    out: dict[str, dict[str, Any]] = {}
    for e in ET.parse(map_dir / "dataele.xml").getroot():
        out[x12_ref(e.get("ele_num", ""))] = {
            "name": e.get("name", ""),
            "type": e.get("data_type", "AN"),
            "min": int(e.get("min_len", "1")),
            "max": int(e.get("max_len", "1")),
        }
    return out


def _load_json(path: Path) -> Any:
    """A JSON source file."""
    return json.loads(path.read_text(encoding="utf-8"))


def build_x12_shared(pyx12_els: dict[str, dict[str, Any]], pyx12_version: str) -> dict[str, Any]:
    """The 004010 element/composite/segment/code tables with names and code descriptions."""
    src = SHARED / "x12-004010"
    elements = _load_json(src / "elements.json")
    codes = _load_json(src / "codes.json")
    hand = {k: v for k, v in _tsv("x12_element_names.tsv")}
    named_by: dict[str, str] = {}
    for ref, spec in elements.items():
        name = hand.get(ref) or pyx12_els.get(ref, {}).get("name")
        if name:
            spec["name"] = name
            named_by[ref] = "hand" if ref in hand else "pyx12"
        if ref in codes:
            spec["codes"] = codes[ref]
    descriptions: dict[str, dict[str, str]] = {}
    for ref, code, desc in _tsv("x12_code_descriptions.tsv"):
        descriptions.setdefault(ref, {})[code] = desc
    segments = _load_json(src / "segments.json")
    for tag, name in _tsv("x12_segment_names.tsv"):
        if tag in segments:
            segments[tag]["name"] = name
    return {
        "format": FORMAT,
        "dictionary": "x12-004010",
        "sources": [
            X12_SRC + ": structure, types, lengths, code values",
            PYX12_ELEMS.format(version=pyx12_version),
            HAND.format(file="x12_element_names.tsv") + ": element names (win over pyx12)",
            HAND.format(file="x12_segment_names.tsv") + ": segment names",
            HAND.format(file="x12_code_descriptions.tsv") + ": code descriptions",
        ],
        "element_names_from": named_by,
        "elements": elements,
        "composites": _load_json(src / "composites.json"),
        "segments": segments,
        "descriptions": descriptions,
    }


def _x12_content(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A 004010 structure as the common node form (segments reference the shared table)."""
    out: list[dict[str, Any]] = []
    for n in nodes:
        if "segment" in n:
            out.append({"seg": n["segment"], "req": n["req"], "max": n["max"]})
        else:
            content = _x12_content(n["content"])
            out.append({"loop": n["loop"], "req": n["req"], "max": n["max"], "content": content})
    return out


def build_x12_sets() -> dict[str, dict[str, Any]]:
    """One structure file per 004010 transaction set, ST first and SE last."""
    out = {}
    notes = _load_json(SHARED / "x12-004010" / "source_notes.json")
    for path in sorted((SHARED / "x12-004010" / "transactions").glob("*.json")):
        t = _load_json(path)
        content = [{"seg": "ST", "req": "M", "max": 1}, *_x12_content(t["content"])]
        content.append({"seg": "SE", "req": "M", "max": 1})
        doc: dict[str, Any] = {
            "format": FORMAT,
            "dictionary": "x12-004010",
            "id": t["id"],
            "sources": [X12_SRC + f": transactions/{path.name}"],
            "content": content,
        }
        for key in ("repaired_loop_references", "suspect_transaction_sets"):
            if t["id"] in notes.get(key, {}):
                doc.setdefault("source_notes", {})[key] = notes[key][t["id"]]
        out[t["id"]] = doc
    return out


def _text(node: ET.Element, tag: str, default: str = "") -> str:
    """The stripped text of a child element."""
    child = node.find(tag)
    return (child.text or "").strip() if child is not None and child.text else default


def _req(usage: str) -> str:
    """HIPAA usage (R required, S situational, N not used) as M/O."""
    return "M" if usage == "R" else "O"


def _pyx12_element(node: ET.Element, els: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One pyx12 map element or composite in the common element form."""
    ref = x12_ref(_text(node, "data_ele"))
    spec: dict[str, Any] = {
        "ref": ref,
        "name": _text(node, "name"),
        "req": _req(_text(node, "usage")),
    }
    if _text(node, "usage") == "N":
        spec["unused"] = True
    rep = node.find("repeat")
    if rep is not None and _count(rep.text) != 1:
        spec["repeat"] = _count(rep.text)
    if node.tag == "composite":
        spec["components"] = [_pyx12_element(c, els) for c in node if c.tag == "element"]
        return spec
    base = els.get(ref, {})
    spec.update({k: base[k] for k in ("type", "min", "max") if k in base})
    codes = node.find("valid_codes")
    if codes is not None and codes.get("external") is None:
        values = [(c.text or "").strip() for c in codes.findall("code")]
        if values:
            spec["codes"] = values
    return spec


def _pyx12_segment(node: ET.Element, els: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One pyx12 map segment as a structure node with its definition inline."""
    elements = [_pyx12_element(c, els) for c in node if c.tag in ("element", "composite")]
    seg: dict[str, Any] = {
        "seg": node.get("xid", ""),
        "name": _text(node, "name"),
        "req": _req(_text(node, "usage")),
        "max": _count(_text(node, "max_use", "1")),
        "elements": elements,
        "syntax": [(s.text or "").strip() for s in node.findall("syntax")],
        "pos": int(_text(node, "pos", "0")),
    }
    if _text(node, "usage") == "N":
        seg["unused"] = True
    return seg


def _pyx12_content(node: ET.Element, els: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """A pyx12 loop's children; wrapper loops (HEADER, DETAIL, ...) are flattened."""
    out: list[dict[str, Any]] = []
    for child in node:
        if child.tag == "segment":
            out.append(_pyx12_segment(child, els))
        elif child.tag == "loop" and child.get("type") == "wrapper":
            out.extend(_pyx12_content(child, els))
        elif child.tag == "loop":
            out.append(
                {
                    "loop": child.get("xid", ""),
                    "name": _text(child, "name"),
                    "req": _req(_text(child, "usage")),
                    "max": _count(_text(child, "repeat", ">1")),
                    "pos": int(_text(child, "pos", "0")),
                    "content": _pyx12_content(child, els),
                }
            )
    return out


def build_hipaa(map_dir: Path, version: str) -> dict[str, dict[str, Any]]:
    """One self-contained structure file per pyx12 HIPAA map (the ST loop's content)."""
    els = pyx12_elements(map_dir)
    out = {}
    for file, guide, st01, variant in HIPAA_MAPS:
        root = ET.parse(map_dir / file).getroot()
        st_loop = next(n for n in root.iter("loop") if n.get("xid") == "ST_LOOP")
        content = _pyx12_content(st_loop, els)
        if content[-1].get("seg") != "SE":  # some maps close ST_LOOP before SE
            se = next(n for n in root.iter("segment") if n.get("xid") == "SE")
            content.append(_pyx12_segment(se, els))
        doc = {
            "format": FORMAT,
            "dictionary": f"hipaa-{guide}",
            "id": st01,
            "guide": guide,
            "variant": variant,
            "name": _text(root, "name"),
            "sources": [
                PYX12_SRC.format(version=version, file=file),
                PYX12_ELEMS.format(version=version),
            ],
            "content": content,
        }
        out[f"{guide}-{st01}"] = doc
    return out


def _snake_from_camel(name: str) -> str:
    """``DocumentNameCode`` -> ``Document name code`` (pydifact names are CamelCase)."""
    words = re.findall(r"[A-Z]+(?=[A-Z][a-z]|\d|\b)|[A-Z]?[a-z]+|\d+|[A-Z]+", name)
    return " ".join(words).capitalize() if words else name


def _edifact_element(node: ET.Element) -> dict[str, Any]:
    """One D21A data element reference in a segment or composite."""
    spec: dict[str, Any] = {
        "ref": node.get("id", ""),
        "name": _snake_from_camel(node.get("name", "")),
        "req": "M" if node.get("required") == "true" else "O",
    }
    if node.get("repeat") not in (None, "1"):
        spec["repeat"] = int(node.get("repeat", "1"))
    if node.tag == "composite_data_element":
        spec["components"] = [_edifact_element(c) for c in node if c.tag == "data_element"]
    else:
        spec.update(
            {"type": node.get("type", "an"), "min": 1, "max": int(node.get("maxlength", "35"))}
        )
    return spec


def build_edifact_shared() -> dict[str, Any]:
    """D21A segments (with element specs), element names and code lists with titles."""
    src = SHARED / "edifact-d21a"
    segments: dict[str, Any] = {}
    for seg in ET.parse(src / "segments.xml").getroot():
        elements = [_edifact_element(c) for c in seg]
        name = _snake_from_camel(seg.get("name", ""))
        segments[seg.get("id", "")] = {"name": name, "elements": elements}
    segments.update(SERVICE_SEGMENTS)
    codes: dict[str, dict[str, str]] = {}
    for el in ET.parse(src / "data_elements.xml").getroot():
        values = {c.get("id", ""): c.get("title", "") for c in el.findall("code")}
        if values:
            codes[el.get("id", "")] = values
    return {
        "format": FORMAT,
        "dictionary": "edifact-d21a",
        "sources": [
            EDIFACT_SRC
            + ": segments.xml, data_elements.xml (names, types, max lengths, code titles)",
            ISO9735,
        ],
        "segments": segments,
        "codes": codes,
    }


def _edifact_content(node: ET.Element) -> list[dict[str, Any]]:
    """A D21A message's segments and nested groups in the common node form."""
    out: list[dict[str, Any]] = []
    for child in node:
        req = "M" if child.get("required") == "true" else "O"
        maxr = int(child.get("maxrepeat", "1"))
        if child.tag == "segment":
            out.append({"seg": child.get("id", ""), "req": req, "max": maxr})
        elif child.tag == "group":
            content = _edifact_content(child)
            out.append({"loop": child.get("id", ""), "req": req, "max": maxr, "content": content})
    return out


def build_edifact_messages() -> dict[str, dict[str, Any]]:
    """One structure file per D21A message."""
    out = {}
    for path in sorted((SHARED / "edifact-d21a" / "messages").glob("*.xml")):
        msg = path.stem.upper()
        out[msg] = {
            "format": FORMAT,
            "dictionary": "edifact-d21a",
            "id": msg,
            "sources": [EDIFACT_SRC + f": messages/{path.name}"],
            "content": _edifact_content(ET.parse(path).getroot()),
        }
    return out


def dump(obj: Any) -> bytes:
    """Deterministic gzip JSON (sorted keys, compact, mtime 0, no file name)."""
    raw = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return gzip.compress(raw, compresslevel=9, mtime=0)


def build_all() -> dict[str, bytes]:
    """Every output file, relative path -> bytes."""
    map_dir, version = _pyx12_dir()
    files: dict[str, bytes] = {}
    x12_sets = build_x12_sets()
    hipaa = build_hipaa(map_dir, version)
    edifact = build_edifact_messages()
    files["x12-004010/_shared.json.gz"] = dump(build_x12_shared(pyx12_elements(map_dir), version))
    files.update({f"x12-004010/{k}.json.gz": dump(v) for k, v in x12_sets.items()})
    files.update({f"hipaa/{k}.json.gz": dump(v) for k, v in hipaa.items()})
    files["edifact-d21a/_shared.json.gz"] = dump(build_edifact_shared())
    files.update({f"edifact-d21a/{k}.json.gz": dump(v) for k, v in edifact.items()})
    index = {
        "format": FORMAT,
        "x12-004010": sorted(x12_sets),
        "hipaa": {
            k: {"id": v["id"], "guide": v["guide"], "variant": v["variant"]}
            for k, v in hipaa.items()
        },
        "edifact-d21a": sorted(edifact),
        "pyx12": version,
    }
    files["index.json"] = (json.dumps(index, sort_keys=True, indent=1) + "\n").encode()
    files["NOTICE"] = notice(version).encode()
    return files


def notice(pyx12_version: str) -> str:
    """The NOTICE: each source, what was taken, and its license text."""
    parts = [
        "edi-mesh dictionaries (parsers/dictionaries/)\n",
        "Generated by scripts/build_dictionaries.py from the sources below. Each file's\n"
        '"sources" field names the source of its facts.\n',
        "1. ASC X12 004010 structures: olmelabs/EdiEngine (EdiStandards/X12_004010),\n"
        "   converted to JSON in ../shared/dictionaries/x12-004010. MIT License:\n",
        (SHARED / "x12-004010" / "LICENSE").read_text(encoding="utf-8"),
        f"2. HIPAA implementation-guide maps and data element table: pyx12 {pyx12_version}\n"
        "   (pyx12/map/*.xml, azoner/pyx12). BSD-3-Clause License:\n",
        _pyx12_license(),
        "3. UN/EDIFACT D21A directory: nerdocs/pydifact (pydifact/syntax/d21a/data),\n"
        "   copied in ../shared/dictionaries/edifact-d21a. MIT License:\n",
        (SHARED / "edifact-d21a" / "LICENSE").read_text(encoding="utf-8"),
        "4. scripts/dictionary_sources/*.tsv and the EDIFACT service segments in\n"
        "   scripts/build_dictionaries.py: names of X12 elements and segments, a few X12\n"
        "   code descriptions and the ISO 9735 UNH/UNT/UNS names, written by the edi-mesh\n"
        "   engineers; names and code meanings are facts of the standards. Apache-2.0\n"
        "   like the rest of edi-mesh.\n",
    ]
    return "\n".join(p.rstrip("\n") + "\n" for p in parts)


def _pyx12_license() -> str:
    """pyx12's license text from its installed distribution metadata."""
    from importlib.metadata import distribution

    dist = distribution("pyx12")
    for f in dist.files or []:
        if f.name.upper().startswith(("LICENSE", "COPYING")):
            return Path(str(dist.locate_file(f))).read_text(encoding="utf-8")
    text = dist.metadata.get("License-Expression") or dist.metadata.get("License") or ""
    return text or "BSD-3-Clause (see https://github.com/azoner/pyx12/blob/master/LICENSE.txt)"


def main(argv: list[str] | None = None) -> int:
    """Write the files (or, with --check, compare them with the committed ones)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--check", action="store_true", help="exit 1 if the files would change")
    args = ap.parse_args(argv)
    files = build_all()
    if args.check:
        stale = [
            p
            for p, b in files.items()
            if not (args.out / p).is_file() or (args.out / p).read_bytes() != b
        ]
        print("\n".join(stale) or "up to date")
        return 1 if stale else 0
    for sub in ("x12-004010", "hipaa", "edifact-d21a"):
        shutil.rmtree(args.out / sub, ignore_errors=True)
    for rel, data in files.items():
        (args.out / rel).parent.mkdir(parents=True, exist_ok=True)
        (args.out / rel).write_bytes(data)
    total = sum(len(b) for b in files.values())
    print(json.dumps({"files": len(files), "bytes": total, "out": str(args.out)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
