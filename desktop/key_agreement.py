"""Sealing a symmetric key to an X25519 public key: the recovery slot and the report envelope.

The sender makes a fresh ephemeral key pair for every sealing, so each derived key is used once.
HKDF-SHA256 turns the shared secret into a key, salted with both public keys (the derived key
belongs to this exact pair) and labelled with the caller's context string, so a key derived
for one format can never be taken for another's.
"""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
PUBLIC_KEY_BYTES = 32


def raw_public(key: X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_fingerprint(key: X25519PublicKey) -> str:
    """``sha256:`` and the hex SHA-256 of the raw public key: names a key without showing it."""
    return "sha256:" + hashlib.sha256(raw_public(key)).hexdigest()


def _derive(shared: bytes, ephemeral_raw: bytes, recipient_raw: bytes, context: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_BYTES,
        salt=ephemeral_raw + recipient_raw,
        info=context,
    ).derive(shared)


def sender_key(recipient: X25519PublicKey, context: bytes) -> tuple[bytes, bytes]:
    """A key only ``recipient`` can derive again: (the ephemeral public key to send, the key)."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_raw = raw_public(ephemeral.public_key())
    shared = ephemeral.exchange(recipient)
    return ephemeral_raw, _derive(shared, ephemeral_raw, raw_public(recipient), context)


def recipient_key(private_key: X25519PrivateKey, ephemeral_raw: bytes, context: bytes) -> bytes:
    """The key ``sender_key`` derived; ``ValueError`` if the ephemeral key is malformed."""
    if len(ephemeral_raw) != PUBLIC_KEY_BYTES:
        raise ValueError("an X25519 public key has 32 bytes")
    shared = private_key.exchange(X25519PublicKey.from_public_bytes(ephemeral_raw))
    return _derive(shared, ephemeral_raw, raw_public(private_key.public_key()), context)
