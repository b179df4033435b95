"""Partner authentication for the SFTP server: scrypt password hashes, public keys, throttling.

Passwords are stored only as ``scrypt$n$r$p$salt_b64$hash_b64`` (salted, slow);
every refusal looks the same to the client whatever part was wrong.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import secrets
import sys
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any

import asyncssh

from pipeline.partners.profiles import Partner

SCRYPT_N = 1 << 14  # 16 MiB of memory per check with r=8: slow for guessers, fine for logins
SCRYPT_R = 8
SCRYPT_P = 1
_MAX_N = 1 << 20  # a hash asking for more memory than this is refused, not computed
_DKLEN = 32
PUBLIC_KEYS_FIELD = "sftp_public_keys"
PASSWORD_FIELD = "sftp_password_hash"


def _b64(data: bytes) -> str:
    """Standard base64 text (the hash format's salt and digest fields)."""
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """The ``sftp_password_hash`` value for ``password`` (fresh 16-byte salt)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_maxmem(n, r), dklen=_DKLEN
    )
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def _maxmem(n: int, r: int) -> int:
    """OpenSSL's memory cap for one scrypt call: what ``n`` and ``r`` need, plus slack."""
    return 128 * n * r * 2 + 1_048_576


def _parse(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    """The parameters of a stored hash, or None when it is malformed or too costly."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return None
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt = base64.b64decode(parts[4], validate=True)
        digest = base64.b64decode(parts[5], validate=True)
    except ValueError:
        return None
    if not (2 <= n <= _MAX_N and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16):
        return None
    if len(salt) < 8 or not digest:
        return None
    return n, r, p, salt, digest


_DUMMY = hash_password("not a password", n=SCRYPT_N)


def verify_password(password: str, stored: str | None) -> bool:
    """Constant-time check of ``password`` against a stored hash.

    With no (or a malformed) stored hash the same scrypt work is done against
    a dummy, so the answer takes as long for unknown users as for known ones.
    """
    parsed = _parse(stored) if stored else None
    ok = parsed is not None
    n, r, p, salt, digest = parsed or _parse(_DUMMY) or (SCRYPT_N, SCRYPT_R, SCRYPT_P, b"", b"")
    try:
        got = hashlib.scrypt(
            password.encode("utf-8", "surrogatepass"),
            salt=salt,
            n=n,
            r=r,
            p=p,
            maxmem=_maxmem(n, r),
            dklen=len(digest),
        )
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(got, digest) and ok


def partner_keys(partner: Partner | None) -> list[asyncssh.SSHKey]:
    """The public keys a partner may log in with (``sftp_public_keys``); bad lines skipped."""
    if partner is None:
        return []
    lines = partner.attributes.get(PUBLIC_KEYS_FIELD) or []
    if isinstance(lines, str):
        lines = [lines]
    keys: list[asyncssh.SSHKey] = []
    for line in lines if isinstance(lines, Sequence) else []:
        try:
            keys.append(asyncssh.import_public_key(str(line).strip()))
        except (asyncssh.KeyImportError, ValueError):
            continue
    return keys


def key_matches(offered: asyncssh.SSHKey, allowed: Iterable[asyncssh.SSHKey]) -> bool:
    """True when ``offered`` is one of ``allowed`` (compared by public key bytes)."""
    blob = offered.public_data
    return any(hmac.compare_digest(blob, k.public_data) for k in allowed)


def password_hash(partner: Partner | None) -> str | None:
    """The partner's stored ``sftp_password_hash``, or None."""
    if partner is None:
        return None
    value: Any = partner.attributes.get(PASSWORD_FIELD)
    return value if isinstance(value, str) and value else None


class Throttle:
    """Failed attempts per source address, and how long the next attempt must wait.

    The delay doubles with each failure (``base * 2**(n-1)``, capped); an address
    is forgotten after ``forget`` seconds without failures. At most ``size``
    addresses are kept (the oldest dropped), so a flood cannot grow memory.
    """

    def __init__(
        self, base: float = 0.25, cap: float = 10.0, forget: float = 900.0, size: int = 10_000
    ) -> None:
        self.base, self.cap, self.forget, self.size = base, cap, forget, size
        self._fails: OrderedDict[str, tuple[int, float]] = OrderedDict()

    def failures(self, addr: str) -> int:
        """Failures counted for ``addr`` (0 once forgotten)."""
        entry = self._fails.get(addr)
        if entry is None:
            return 0
        if time.monotonic() - entry[1] > self.forget:
            del self._fails[addr]
            return 0
        return entry[0]

    def delay(self, addr: str) -> float:
        """Seconds an attempt from ``addr`` is held before it is answered."""
        n = self.failures(addr)
        return 0.0 if n == 0 else min(self.cap, self.base * 2 ** min(n - 1, 30))

    def fail(self, addr: str) -> int:
        """Count one failure for ``addr``; return the new count."""
        n = self.failures(addr) + 1
        self._fails[addr] = (n, time.monotonic())
        self._fails.move_to_end(addr)
        while len(self._fails) > self.size:
            self._fails.popitem(last=False)
        return n


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m pipeline.ingest.sftp.auth``: print an ``sftp_password_hash`` for a password.

    The password is read from the terminal (or one line of standard input), never
    from the command line, so it stays out of shell history and process lists.
    """
    del argv
    if sys.stdin.isatty():
        password = getpass.getpass("SFTP password: ")
        if getpass.getpass("again: ") != password:
            sys.stderr.write("passwords differ\n")
            return 2
    else:
        password = sys.stdin.readline().rstrip("\n")
    if not password:
        sys.stderr.write("empty password refused\n")
        return 2
    sys.stdout.write(f'sftp_password_hash = "{hash_password(password)}"\n')
    return 0


if __name__ == "__main__":  # pragma: no cover - a maintenance entry point
    raise SystemExit(main())
