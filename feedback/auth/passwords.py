"""Password hashing: Argon2id for every new hash; older hashes verify until their next login.

Parameters: OWASP's Password Storage Cheat Sheet, "Argon2id with a minimum configuration of
19 MiB of memory, an iteration count of 2, and 1 degree of parallelism". Not argon2-cffi's
default, RFC 9106's second recommendation (64 MiB, t=3, p=4): that costs three times the
memory per login and spreads each hash over four threads, while this app runs in a few small
workers, where a burst of logins must not exhaust memory and one lane per login keeps
throughput predictable. RFC 9106's first recommendation (2 GiB) is for dedicated hardware.
The OWASP figures are a floor: raise them here and `needs_rehash` upgrades every account on
its next login.

Hashes made before Argon2id (werkzeug's "scrypt:..." and "pbkdf2:...") still verify, and
`needs_rehash` says to replace them. Every check that can fail costs one Argon2id
verification: `verify_dummy` stands in when there is no usable account.
"""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash

_HASHER = PasswordHasher(
    time_cost=2,
    memory_cost=19 * 1024,  # KiB: 19 MiB
    parallelism=1,
    hash_len=32,
    salt_len=16,
)
_LEGACY_PREFIXES = ("scrypt:", "pbkdf2:")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True if `password` matches `stored` (Argon2 or a werkzeug hash from before)."""
    if not stored:
        return False
    if stored.startswith("$argon2"):
        try:
            return _HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
    if stored.startswith(_LEGACY_PREFIXES):
        return check_password_hash(stored, password)
    return False


def needs_rehash(stored: str) -> bool:
    """An older algorithm, or Argon2 with other parameters than ours."""
    if not stored.startswith("$argon2"):
        return True
    try:
        return _HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


# Made once per process, at import, so that no login pays for making it.
_DUMMY_HASH = _HASHER.hash("no account has this password")


def verify_dummy(password: str) -> None:
    """The cost of a real verification, for an unknown, inactive or password-less account."""
    verify_password(_DUMMY_HASH, password)
