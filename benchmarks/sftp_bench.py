"""SFTP upload throughput over loopback: MB/s for one large file, files/s for many small ones.

``python -m benchmarks.sftp_bench`` starts a real ``SftpServer`` on 127.0.0.1
(its submit callback only removes the file, so the number is the SFTP
channel's own cost), uploads with asyncssh's client and, when installed,
with OpenSSH's ``sftp``, and prints one JSON report.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import asyncssh

from benchmarks.common import machine_info
from pipeline.ingest.sftp import SftpConfig, SftpServer
from pipeline.partners.profiles import Partner


class _Count:
    """A submit callback that counts files and bytes and drops them."""

    def __init__(self) -> None:
        self.files = 0
        self.bytes = 0

    async def __call__(
        self, partner_id: str, filename: str, local_path: Path, remote_addr: str, user: str
    ) -> None:
        self.files += 1
        self.bytes += local_path.stat().st_size


async def _large(port: int, key: asyncssh.SSHKey, src: Path, runs: int) -> list[float]:
    """Seconds per upload of ``src`` with ``SFTPClient.put`` (one connection per run)."""
    times = []
    for n in range(runs):
        async with (
            asyncssh.connect(
                "127.0.0.1",
                port,
                username="bench",
                client_keys=[key],
                known_hosts=None,
                config=None,
            ) as conn,
            conn.start_sftp_client() as sftp,
        ):
            start = time.perf_counter()
            await sftp.put(str(src), f"/inbox/large-{n}.edi")
            times.append(time.perf_counter() - start)
    return times


async def _small(port: int, key: asyncssh.SSHKey, count: int, size: int, parallel: int) -> float:
    """Seconds to upload ``count`` files of ``size`` bytes over one connection, ``parallel`` at a time."""
    body = b"ISA" + b"x" * (size - 3)
    async with (
        asyncssh.connect(
            "127.0.0.1", port, username="bench", client_keys=[key], known_hosts=None, config=None
        ) as conn,
        conn.start_sftp_client() as sftp,
    ):
        queue = iter(range(count))

        async def worker() -> None:
            for i in queue:
                async with sftp.open(f"/inbox/small-{i:05d}.edi", "wb") as f:
                    await f.write(body)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(parallel)))
        return time.perf_counter() - start


def _openssh(port: int, key_file: Path, src: Path, known_hosts: Path) -> float | None:
    """Seconds for OpenSSH's ``sftp`` to upload ``src`` (None when it is not installed)."""
    if shutil.which("sftp") is None:
        return None
    batch = src.parent / "batch"
    batch.write_text(f"put {src} /inbox/openssh.edi\n")
    cmd = ["sftp", "-q", "-b", str(batch), "-P", str(port), "-i", str(key_file)]
    cmd += ["-o", f"UserKnownHostsFile={known_hosts}", "-o", "IdentitiesOnly=yes"]
    start = time.perf_counter()
    subprocess.run([*cmd, "bench@127.0.0.1"], check=True, capture_output=True, timeout=300)
    return time.perf_counter() - start


async def run(mb: int, runs: int, small: int, small_size: int) -> dict[str, Any]:
    """Start a server, measure, and return the report."""
    with tempfile.TemporaryDirectory(prefix="sftp-bench-") as tmp:
        root = Path(tmp)
        key = asyncssh.generate_private_key("ssh-ed25519")
        key_file = root / "key"
        key.write_private_key(key_file)
        key_file.chmod(0o600)
        line = key.export_public_key().decode().strip()
        bench = Partner.from_json({"id": "bench", "senders": ["*"], "sftp_public_keys": [line]})
        count = _Count()
        config = SftpConfig(port=0, data_dir=root / "data", max_file_bytes=4 * 1024**3)
        server = SftpServer(config, {"bench": bench}.get, count, root / "outbox")
        src = root / "large.edi"
        with open(src, "wb") as f:
            for _ in range(mb):
                f.write(os.urandom(1 << 20))
        known = root / "known_hosts"
        async with server:
            known.write_text(f"[127.0.0.1]:{server.port} {server.public_host_key}\n")
            large = await _large(server.port, key, src, runs)
            seq = await _small(server.port, key, small, small_size, 1)
            par = await _small(server.port, key, small, small_size, 8)
            openssh = await asyncio.to_thread(_openssh, server.port, key_file, src, known)
        size = src.stat().st_size
    return {
        "benchmark": "sftp",
        "large_file_mb": mb,
        "large_runs_s": [round(t, 3) for t in large],
        "large_upload_mb_per_s": round(size / 1e6 / statistics.median(large), 1),
        "large_upload_mib_per_s": round(size / 2**20 / statistics.median(large), 1),
        "openssh_sftp_large_upload_mb_per_s": round(size / 1e6 / openssh, 1) if openssh else None,
        "small_files": small,
        "small_file_bytes": small_size,
        "small_files_per_s_sequential": round(small / seq, 1),
        "small_files_per_s_8_parallel": round(small / par, 1),
        "submitted_files": count.files,
        "machine": machine_info(("edi-mesh", "asyncssh", "cryptography")),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Parse options, run, print JSON."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.sftp_bench", description=__doc__)
    p.add_argument("--mb", type=int, default=50, help="size of the large file (MiB)")
    p.add_argument("--runs", type=int, default=3, help="uploads of the large file (median used)")
    p.add_argument("--small", type=int, default=1000, help="number of small files")
    p.add_argument("--small-bytes", type=int, default=2048, help="size of each small file")
    p.add_argument(
        "--uvloop", action="store_true", help="run on uvloop (as the ingest process does)"
    )
    args = p.parse_args(argv)
    if args.uvloop:
        import uvloop

        uvloop.install()
    report = asyncio.run(run(args.mb, args.runs, args.small, args.small_bytes))
    report["loop"] = "uvloop" if args.uvloop else "asyncio"
    sys.stdout.write(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
