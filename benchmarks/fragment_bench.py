"""Peak RSS of ``edi-mesh parse --fragment 834=2000`` on one huge 834 (one transaction).

Writes (streaming, deterministic) a single 834 005010X220A1 transaction of about
``--size`` bytes, one member loop 2000 per ~350 bytes, then runs ``edi-mesh parse
--fragment 834=2000`` on it with stdout discarded, sampling the child's resident
set size with psutil every 0.2 s. Prints one JSON line: bytes, members,
wall seconds, documents (members)/s, peak RSS MB against the 256 MB goal.
The benchmark generator (``edi-mesh bench generate``) builds a transaction in
memory, so it cannot write a 1 GB one: this one does.

    python -m benchmarks.fragment_bench --size 100M --file /tmp/big834.edi
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import psutil

from benchmarks.generate import parse_size

GOAL_MB = 256.0
_HEAD = (
    "ISA*00*          *00*          *ZZ*SPONSOR        *ZZ*EDIMESH        *240215*2310*^*00501*000000001*0*P*:~\n"
    "GS*BE*SPONSOR*EDIMESH*20240215*2310*1*X*005010X220A1~\n"
    "ST*834*0001*005010X220A1~\nBGN*00*18447362*20240215*2310****2~\nREF*38*POL8521885~\n"
    "DTP*007*D8*20240228~\nN1*P5*NORTHWIND TRADERS*FI*101895448~\nN1*IN*UNITED HEALTH PLAN*FI*749386029~\n"
)
_HEAD_SEGMENTS = 6  # ST..N1 (the ISA and GS are not counted in SE01)
_MEMBER = (
    "INS*Y*18*021*28*A***FT~\nREF*0F*{n:09d}~\nREF*1L*GRP305885~\nDTP*356*D8*20240302~\n"
    "NM1*IL*1*JOHNSON*DONNA*E***34*{n:09d}~\nN3*2195 SUNSET BLVD~\nN4*SAN DIEGO*CA*921013077~\n"
    "DMG*D8*19570628*M~\nHD*021**VIS*SILVER PPO*EMP~\nDTP*348*D8*20240215~\n"
)
_MEMBER_SEGMENTS = 10


def write_834(path: Path, size: int) -> int:
    """Write one 834 of about ``size`` bytes; return its member count."""
    members = 0
    with path.open("w", encoding="ascii") as f:
        f.write(_HEAD)
        written = len(_HEAD)
        while written < size:
            part = "".join(_MEMBER.format(n=members + i) for i in range(1, 1001))
            f.write(part)
            written += len(part)
            members += 1000
        count = _HEAD_SEGMENTS + members * _MEMBER_SEGMENTS + 1
        f.write(f"SE*{count}*0001~\nGE*1*1~\nIEA*1*000000001~\n")
    return members


def measure(path: Path, extra: list[str]) -> dict[str, object]:
    """Run ``edi-mesh parse --fragment 834=2000`` on ``path`` (stdout discarded), sample RSS."""
    cmd = [sys.executable, "-m", "pipeline.tools.cli", "parse", "--fragment", "834=2000", *extra]
    t0 = time.monotonic()
    proc = subprocess.Popen([*cmd, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ps = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            peak = max(peak, ps.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.2)
    wall = time.monotonic() - t0
    return {
        "wall_s": round(wall, 1),
        "peak_rss_mb": round(peak / 2**20, 1),
        "goal_mb": GOAL_MB,
        "exit": proc.returncode,
    }


def main(argv: list[str] | None = None) -> int:
    """Generate (unless the file exists) and measure; print one JSON line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="100M")
    ap.add_argument("--file", default="/tmp/edi-mesh-834-fragment-bench.edi")
    ap.add_argument("--no-data", action="store_true", help="pass --no-data to edi-mesh parse")
    args = ap.parse_args(argv)
    path = Path(args.file)
    size = parse_size(args.size)
    members = write_834(path, size) if not path.exists() else None
    row: dict[str, object] = {"file": str(path), "bytes": path.stat().st_size, "members": members}
    row.update(measure(path, ["--no-data"] if args.no_data else []))
    if members is not None:
        row["documents_per_s"] = round(members / float(str(row["wall_s"])))
    print(json.dumps(row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
