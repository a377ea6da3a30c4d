"""Sealing: authenticated encryption for what the database alone must not be able to read.

Two kinds of key, both outside the database (SECURITY.md):

- The instance seal key seals submitted answers until their round closes, the draft key of
  each invitation (so a reminder's new link can read a draft saved with an earlier one) and
  a mail's personal link until the mail is delivered. It comes from `SEAL_KEYS` (one or more
  base64url keys of 32 bytes, comma-separated: the first seals, every one opens, so a key
  can be rotated) or else from the file `instance/seal_key` (mode 0600), which is created
  on first use on a laptop. It is independent of SECRET_KEY: rotating that one loses
  nothing.
- A key derived from a rater's own link token opens their draft key; the database holds
  only the token's hash, so without the link the draft stays closed.

Every sealed value is AES-256-GCM with a random nonce and a context string as associated
data ("response:<round id>", "draft:<invitation id>"...): a sealed value moved to another
row or round does not open. Sealed values carry no time (unlike Fernet tokens, which
would stamp when an answer was submitted).
"""

import base64
import hashlib
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from feedback.files import create_private_once, make_private

VERSION = b"\x01"
KEY_BYTES = 32
NONCE_BYTES = 12
KEY_ID_BYTES = 8
KEY_FILE = "seal_key"


class SealError(RuntimeError):
    """A sealed value that cannot be opened, or no usable key: the message says what to do."""


# --- the instance key ---------------------------------------------------------------------


def decode_key(text: str) -> bytes:
    text = text.strip()
    try:
        key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError as error:
        raise SealError("A seal key is not valid base64url.") from error
    if len(key) != KEY_BYTES:
        raise SealError(f"A seal key must be {KEY_BYTES} bytes (base64url), not {len(key)}.")
    return key


def encode_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode().rstrip("=")


def new_key() -> str:
    return encode_key(secrets.token_bytes(KEY_BYTES))


def key_id(key: bytes) -> bytes:
    return hashlib.sha256(b"feedback seal key id" + key).digest()[:KEY_ID_BYTES]


def load_keys(env_value: str | None, instance_path: Path, create: bool = True) -> list[bytes]:
    """The seal keys: from SEAL_KEYS when set, else instance/seal_key (created when allowed)."""
    if env_value and env_value.strip():
        return [decode_key(part) for part in env_value.split(",") if part.strip()]
    path = instance_path / KEY_FILE
    if not path.exists():
        if not create:
            raise SealError(
                f"No seal key: set SEAL_KEYS or restore the file {KEY_FILE} in the instance "
                "folder. Without it, sealed answers cannot be opened."
            )
        instance_path.mkdir(parents=True, exist_ok=True)
        # Two workers starting at once end up with the same key (the first one's).
        create_private_once(path, new_key() + "\n")
    make_private(path)
    return [decode_key(line) for line in path.read_text().splitlines() if line.strip()]


def _keys() -> list[bytes]:
    keys = current_app.config.get("SEAL_KEY_LIST")
    if not keys:
        raise SealError("No seal key is configured (SEAL_KEYS or instance/seal_key).")
    return keys


# --- sealing with the instance key --------------------------------------------------------


def _encrypt(key: bytes, data: bytes, context: str) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, data, context.encode())


def _decrypt(key: bytes, blob: bytes, context: str) -> bytes:
    nonce, body = blob[:NONCE_BYTES], blob[NONCE_BYTES:]
    return AESGCM(key).decrypt(nonce, body, context.encode())


def seal(data: bytes, context: str) -> bytes:
    """Seal `data` with the current instance key; opens only with `context` again."""
    key = _keys()[0]
    return VERSION + key_id(key) + _encrypt(key, data, context)


def unseal(blob: bytes, context: str) -> bytes:
    """Open a value sealed by `seal`, with whichever configured key sealed it."""
    blob = bytes(blob)
    if blob[:1] != VERSION:
        raise SealError("This sealed value has an unknown format.")
    wanted = blob[1 : 1 + KEY_ID_BYTES]
    for key in _keys():
        if key_id(key) == wanted:
            try:
                return _decrypt(key, blob[1 + KEY_ID_BYTES :], context)
            except InvalidTag as error:
                raise SealError(f"A sealed value for {context!r} is damaged.") from error
    raise SealError(
        f"A sealed value was sealed with the key {wanted.hex()}, which is not configured: "
        "restore that key (SEAL_KEYS or instance/seal_key); a new key cannot open it."
    )


def seal_text(text: str, context: str) -> bytes:
    return seal(text.encode(), context)


def unseal_text(blob: bytes, context: str) -> str:
    return unseal(blob, context).decode()


# --- keys derived from a rater's link -----------------------------------------------------


def new_draft_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def token_key(token: str) -> bytes:
    """A key that only the holder of the link token can produce (the token has 256 random
    bits, so one HKDF step is enough; a slow password hash would add nothing)."""
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=b"feedback draft key v1"
    ).derive(token.encode())


def wrap(key: bytes, secret: bytes, context: str) -> bytes:
    """Encrypt `secret` (a draft, a draft key) with a key that is not the instance key."""
    return _encrypt(key, secret, context)


def unwrap(key: bytes, blob: bytes, context: str) -> bytes | None:
    """The value `wrap` sealed, or None when this key does not open it."""
    try:
        return _decrypt(key, bytes(blob), context)
    except (InvalidTag, ValueError):
        return None
