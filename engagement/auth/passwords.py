"""Argon2id password hashing (pwdlib), at a cost chosen for a county's server.

The cost: m=19 MiB, t=2, p=1, OWASP's Password Storage Cheat Sheet minimum for argon2id. pwdlib's
default (RFC 9106's second recommendation, m=64 MiB, t=3, p=4) took 0.45-0.5 s of CPU a check on
the 2-core test server, most of the 0.5-0.6 s a sign-in took; this cost takes ~0.07 s. Both stop
offline guessing of a stolen database well; online guessing is stopped by the lockout throttle
(engagement.auth.throttle), not by the hash. A county's few dozen staff sign in mostly at the start
of the working day, when 64 MiB and four lanes a check would queue on two cores. Hashes made with
other parameters keep working and are rewritten at this cost on the next sign-in
(`verify_and_update`).
"""

from __future__ import annotations

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

TIME_COST = 2
MEMORY_KIB = 19 * 1024
PARALLELISM = 1
MIN_LENGTH = 8


def hasher() -> PasswordHash:
    """The production hasher (tests swap `_hasher` for a cheaper one)."""
    return PasswordHash(
        (Argon2Hasher(time_cost=TIME_COST, memory_cost=MEMORY_KIB, parallelism=PARALLELISM),)
    )


_hasher = hasher()

# Verified against when the username is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    return verify_and_update(password, password_hash)[0]


def verify_and_update(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """Whether `password` matches, and a new hash at today's cost when the stored one has another
    (None when it is current or the password is wrong)."""
    if password_hash is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False, None
    return _hasher.verify_and_update(password, password_hash)
