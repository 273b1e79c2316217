"""The sealed envelope reports and review files travel in: readable by their recipients only.

They travel on USB sticks and by email, so a lost copy must give nothing away. Layout (format
``disclosure-log-sealed/1``):

    magic "DLOG-SEALED\\n" (12 bytes) | version 1 (1 byte) | recipient count n (1 byte, 1-16)
    n recipient stanzas of 96 bytes:
        key tag (16) | ephemeral X25519 public key (32) | wrapped content key (32 + 16 tag)
    payload: chunks of up to 64 KiB of plaintext, each AES-256-GCM with a 16-byte tag

A random 256-bit content key encrypts the payload. For each recipient an ephemeral X25519
agreement and HKDF-SHA256 (desktop/key_agreement.py, context below) derive a one-time key that
wraps the content key with AES-256-GCM; being used once, it takes a zero nonce. The key tag, a
hash of the recipient's public key, says which stanza is whose, so "not for your key" and
"damaged" are told apart. Every chunk is authenticated with the whole header as associated data,
so no stanza can be added, removed or changed. Chunk i's nonce is i (11 bytes, big-endian) and
then 1 for the last chunk, 0 for the others (the STREAM construction, as in age): chunks cannot
be reordered or dropped and a truncated file is refused. There are no length fields, so nothing
is allocated on a file's say-so; the output is never larger than the input.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from desktop.key_agreement import (
    KEY_BYTES,
    PUBLIC_KEY_BYTES,
    raw_public,
    recipient_key,
    sender_key,
)
from desktop.reports.bundle_errors import BundleMalformed, BundleRejected

MAGIC = b"DLOG-SEALED\n"
VERSION = 1
MAX_RECIPIENTS = 16
CHUNK_BYTES = 64 * 1024
MAX_PLAINTEXT_BYTES = 1 << 30
TAG_BYTES = 16
KEY_TAG_BYTES = 16
STANZA_BYTES = KEY_TAG_BYTES + PUBLIC_KEY_BYTES + KEY_BYTES + TAG_BYTES
PREFIX_BYTES = len(MAGIC) + 2
MAX_SEALED_BYTES = (
    PREFIX_BYTES
    + MAX_RECIPIENTS * STANZA_BYTES
    + MAX_PLAINTEXT_BYTES
    + (MAX_PLAINTEXT_BYTES // CHUNK_BYTES + 1) * TAG_BYTES
)
_WRAP_CONTEXT = b"disclosure-log-sealed/1 content key"
_KEY_TAG_CONTEXT = b"disclosure-log-sealed/1 key tag\n"
_ZERO_NONCE = bytes(12)

NOT_SEALED = "this is not a Disclosure Log encrypted file"
NEWER_VERSION = "this file was made by a newer version of Disclosure Log; update the app to open it"
NOT_FOR_YOU = "this file is not for your key: it was encrypted for someone else"
DAMAGED = "the file is damaged or was changed"


class EnvelopeError(Exception):
    """A sealed file cannot be made or opened; the message is for people."""


def _key_tag(key: X25519PublicKey) -> bytes:
    return hashlib.sha256(_KEY_TAG_CONTEXT + raw_public(key)).digest()[:KEY_TAG_BYTES]


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def seal(plaintext: bytes, recipients: Sequence[X25519PublicKey]) -> bytes:
    """Encrypt ``plaintext`` so that each of ``recipients`` (and nobody else) can open it."""
    unique = list({raw_public(key): key for key in recipients}.values())
    if not 1 <= len(unique) <= MAX_RECIPIENTS:
        raise EnvelopeError(f"a file is encrypted for 1 to {MAX_RECIPIENTS} recipients")
    if len(plaintext) > MAX_PLAINTEXT_BYTES:
        raise EnvelopeError(f"the file is larger than {MAX_PLAINTEXT_BYTES >> 20} MiB")
    content_key = AESGCM.generate_key(bit_length=256)
    parts = [MAGIC, bytes([VERSION, len(unique)])]
    for key in unique:
        ephemeral_raw, wrapping_key = sender_key(key, _WRAP_CONTEXT)
        wrapped = AESGCM(wrapping_key).encrypt(_ZERO_NONCE, content_key, None)
        parts += [_key_tag(key), ephemeral_raw, wrapped]
    header = b"".join(parts)
    aead = AESGCM(content_key)
    view = memoryview(plaintext)
    starts = range(0, max(len(plaintext), 1), CHUNK_BYTES)
    chunks = [
        aead.encrypt(_nonce(i, i == len(starts) - 1), view[start : start + CHUNK_BYTES], header)
        for i, start in enumerate(starts)
    ]
    return b"".join([header, *chunks])


def open_sealed(data: bytes, private_key: X25519PrivateKey) -> bytes:
    """The plaintext of a sealed file, if ``private_key`` is one of its recipients'."""
    if len(data) > MAX_SEALED_BYTES:
        raise EnvelopeError(NOT_SEALED + " (it is far too large)")
    if not data.startswith(MAGIC):
        raise EnvelopeError(NOT_SEALED)
    if len(data) < PREFIX_BYTES:
        raise EnvelopeError(DAMAGED)
    version, count = data[len(MAGIC)], data[len(MAGIC) + 1]
    if version > VERSION:
        raise EnvelopeError(NEWER_VERSION)
    header_bytes = PREFIX_BYTES + count * STANZA_BYTES
    if version != VERSION or not 1 <= count <= MAX_RECIPIENTS:
        raise EnvelopeError(DAMAGED)
    if len(data) < header_bytes + TAG_BYTES:
        raise EnvelopeError(DAMAGED)
    header = data[:header_bytes]
    content_key = _unwrap(header, private_key)
    aead = AESGCM(content_key)
    payload = memoryview(data)[header_bytes:]
    step = CHUNK_BYTES + TAG_BYTES
    starts = range(0, len(payload), step)
    try:
        chunks = [
            aead.decrypt(_nonce(i, i == len(starts) - 1), payload[start : start + step], header)
            for i, start in enumerate(starts)
        ]
    except InvalidTag:
        raise EnvelopeError(DAMAGED) from None
    return b"".join(chunks)


def _unwrap(header: bytes, private_key: X25519PrivateKey) -> bytes:
    """The content key from this key's stanza."""
    tag = _key_tag(private_key.public_key())
    for start in range(PREFIX_BYTES, len(header), STANZA_BYTES):
        stanza = header[start : start + STANZA_BYTES]
        if stanza[:KEY_TAG_BYTES] != tag:
            continue
        wrapped_at = KEY_TAG_BYTES + PUBLIC_KEY_BYTES
        try:
            wrapping_key = recipient_key(
                private_key, stanza[KEY_TAG_BYTES:wrapped_at], _WRAP_CONTEXT
            )
            content_key = AESGCM(wrapping_key).decrypt(_ZERO_NONCE, stanza[wrapped_at:], None)
        except (ValueError, InvalidTag):
            raise EnvelopeError(DAMAGED) from None
        if len(content_key) != KEY_BYTES:
            raise EnvelopeError(DAMAGED)
        return content_key
    raise EnvelopeError(NOT_FOR_YOU)


def open_envelope(data: bytes, private_key: X25519PrivateKey, not_one: str, what: str) -> bytes:
    """The plaintext of a sealed file, or the bundle errors people read: ``not_one`` ("this is
    not a …") for anything else, or why ``what`` ("the report bundle") cannot be opened."""
    try:
        return open_sealed(data, private_key)
    except EnvelopeError as exc:
        reason = str(exc)
        if reason.startswith(NOT_SEALED):
            raise BundleMalformed(not_one) from None
        if reason == NEWER_VERSION:
            raise BundleMalformed(reason) from None
        raise BundleRejected(f"{what} cannot be opened: {reason}") from None
