"""``python -m pipeline.sftp``: the SFTP server on its own, handing uploads to the file-drop inbox.

Until the ingest process mounts ``SftpServer`` itself, this runs it in front
of ``<data-dir>/inbox/<partner>/``: a complete upload is renamed into the inbox
in one step, so the file drop never sees half a file. Also makes password hashes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import secrets
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from pipeline.partners import Partner, PartnersFileError, load_partners
from pipeline.sftp import auth
from pipeline.sftp.fs import Submit
from pipeline.sftp.server import SftpConfig, SftpServer

log = logging.getLogger("pipeline.sftp")


class ReloadingPartners:
    """Partner lookup from a partners file, re-read whenever its mtime changes.

    A file that no longer parses keeps the last good table (and says so once).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._mtime = -1
        self._by_id: dict[str, Partner] = {}

    def __call__(self, user: str) -> Partner | None:
        try:
            mtime = self.path.stat().st_mtime_ns
        except OSError:
            return self._by_id.get(user)
        if mtime != self._mtime:
            self._mtime = mtime
            try:
                self._by_id = {p.id: p for p in load_partners(self.path)}
            except PartnersFileError as exc:
                log.warning("sftp: partners file not reloaded: %s", exc)
        return self._by_id.get(user)


def filedrop_submit(inbox: Path) -> Submit:
    """A submit callback that renames each upload into ``inbox/<partner>/`` atomically."""

    async def submit(
        partner_id: str, filename: str, local_path: Path, remote_addr: str, user: str
    ) -> None:
        """Rename into the inbox (same file system: one atomic step), never over a file."""
        folder = inbox / partner_id
        folder.mkdir(parents=True, exist_ok=True)
        dest = folder / filename
        if dest.exists():
            dest = folder / f"{secrets.token_hex(4)}-{filename}"
        os.rename(local_path, dest)

    return submit


def _args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(prog="python -m pipeline.sftp", description=__doc__)
    p.add_argument("--partners", type=Path, help="partners file (TOML)")
    p.add_argument("--data-dir", type=Path, default=Path("var"))
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=2222)
    p.add_argument("--max-file-bytes", type=int, default=2 * 1024**3)
    p.add_argument("--max-sessions", type=int, default=4)
    p.add_argument("--idle-timeout", type=float, default=300.0)
    p.add_argument(
        "--hash-password", action="store_true", help="print an sftp_password_hash and exit"
    )
    return p.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    """Run the server until SIGINT or SIGTERM."""
    config = SftpConfig(
        host=args.host,
        port=args.port,
        data_dir=args.data_dir,
        max_file_bytes=args.max_file_bytes,
        max_sessions=args.max_sessions,
        idle_timeout=args.idle_timeout,
    )
    partners = ReloadingPartners(args.partners)
    server = SftpServer(
        config, partners, filedrop_submit(args.data_dir / "inbox"), args.data_dir / "outbox"
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with server:
        sys.stdout.write(
            f"edi-mesh SFTP on {config.host}:{server.port}\n"
            f"  host key {server.fingerprint}\n"
            f"  connect: sftp -P {server.port} -i KEY PARTNER@{config.host}\n"
        )
        sys.stdout.flush()
        await stop.wait()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: serve, or ``--hash-password``."""
    args = _args(argv)
    if args.hash_password:
        return auth.main()
    if args.partners is None:
        sys.stderr.write("--partners is required\n")
        return 2
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("asyncssh").setLevel(logging.WARNING)  # its INFO lines name users and paths
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
