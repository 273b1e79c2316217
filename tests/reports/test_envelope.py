"""The sealed envelope: only its recipients can open it, and any change or cut is refused.

Real keys and real AES-GCM; every failure must be the one ``EnvelopeError``, with a message
for people.
"""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.reports.envelope import (
    CHUNK_BYTES,
    DAMAGED,
    MAGIC,
    MAX_RECIPIENTS,
    NEWER_VERSION,
    NOT_FOR_YOU,
    NOT_SEALED,
    PREFIX_BYTES,
    STANZA_BYTES,
    TAG_BYTES,
    EnvelopeError,
    open_sealed,
    seal,
)

MARKER = b"MARKER-case-content-4f1d9a"
ALICE, BOB, CAROL, MALLORY = (X25519PrivateKey.generate() for _ in range(4))
SMALL = b"A small report about " + MARKER
SMALL_SEALED = seal(SMALL, [ALICE.public_key(), BOB.public_key()])
LARGE = os.urandom(3 * CHUNK_BYTES + 1234) + MARKER
LARGE_SEALED = seal(LARGE, [ALICE.public_key()])


@pytest.mark.parametrize("count", [1, 3])
def test_every_recipient_opens_it_and_nobody_else(count: int) -> None:
    recipients = [ALICE, BOB, CAROL][:count]
    sealed = seal(SMALL, [key.public_key() for key in recipients])
    assert len(sealed) == PREFIX_BYTES + count * STANZA_BYTES + len(SMALL) + TAG_BYTES
    for key in recipients:
        assert open_sealed(sealed, key) == SMALL
    with pytest.raises(EnvelopeError, match=NOT_FOR_YOU):
        open_sealed(sealed, MALLORY)


@pytest.mark.parametrize(
    "size", [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 2 * CHUNK_BYTES]
)
def test_round_trip_at_chunk_boundaries(size: int) -> None:
    plaintext = os.urandom(size)
    assert open_sealed(seal(plaintext, [BOB.public_key()]), BOB) == plaintext


def test_sealing_twice_gives_unrelated_bytes() -> None:
    again = seal(SMALL, [ALICE.public_key(), BOB.public_key()])
    assert again != SMALL_SEALED
    assert again[PREFIX_BYTES:] != SMALL_SEALED[PREFIX_BYTES:]


def test_the_plaintext_appears_nowhere_in_the_sealed_bytes() -> None:
    for sealed in (SMALL_SEALED, LARGE_SEALED):
        assert MARKER not in sealed
        assert MARKER.decode().encode("utf-16-le") not in sealed
    assert LARGE[:64] not in LARGE_SEALED


def test_flipping_any_single_byte_of_a_small_file_is_refused() -> None:
    for position in range(len(SMALL_SEALED)):
        changed = bytearray(SMALL_SEALED)
        changed[position] ^= 0xFF
        with pytest.raises(EnvelopeError):
            open_sealed(bytes(changed), ALICE)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_changing_any_byte_of_a_large_file_is_refused(data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(LARGE_SEALED) - 1), label="position")
    xor = data.draw(st.integers(1, 255), label="xor")
    changed = bytearray(LARGE_SEALED)
    changed[position] ^= xor
    with pytest.raises(EnvelopeError):
        open_sealed(bytes(changed), ALICE)


def test_a_change_after_the_header_says_damaged() -> None:
    changed = bytearray(LARGE_SEALED)
    changed[-1] ^= 1
    with pytest.raises(EnvelopeError, match=DAMAGED):
        open_sealed(bytes(changed), ALICE)


def test_truncation_at_every_length_is_refused() -> None:
    for length in range(len(SMALL_SEALED)):
        with pytest.raises(EnvelopeError):
            open_sealed(SMALL_SEALED[:length], BOB)


def test_dropping_whole_chunks_or_adding_bytes_is_refused() -> None:
    header = PREFIX_BYTES + STANZA_BYTES
    step = CHUNK_BYTES + TAG_BYTES
    for chunks in range(4):
        with pytest.raises(EnvelopeError, match=DAMAGED):
            open_sealed(LARGE_SEALED[: header + chunks * step], ALICE)
    without_second = LARGE_SEALED[: header + step] + LARGE_SEALED[header + 2 * step :]
    with pytest.raises(EnvelopeError, match=DAMAGED):
        open_sealed(without_second, ALICE)
    with pytest.raises(EnvelopeError, match=DAMAGED):
        open_sealed(LARGE_SEALED + b"\x00", ALICE)


def test_a_recipient_stanza_cannot_be_removed() -> None:
    """Bob's stanza taken out and the count lowered: Alice's key still unwraps, but the header
    the payload was sealed with has changed."""
    stripped = bytearray(SMALL_SEALED[: PREFIX_BYTES + STANZA_BYTES])
    stripped[PREFIX_BYTES - 1] = 1
    stripped += SMALL_SEALED[PREFIX_BYTES + 2 * STANZA_BYTES :]
    with pytest.raises(EnvelopeError, match=DAMAGED):
        open_sealed(bytes(stripped), ALICE)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", NOT_SEALED),
        (b"%PDF-1.7\n", NOT_SEALED),
        (b"PK\x03\x04" + os.urandom(200), NOT_SEALED),
        (MAGIC, DAMAGED),
        (MAGIC + b"\x02\x01" + os.urandom(200), NEWER_VERSION),
        (MAGIC + b"\x00\x01" + os.urandom(200), DAMAGED),
        (MAGIC + b"\x01\x00" + os.urandom(200), DAMAGED),
        (MAGIC + bytes([1, MAX_RECIPIENTS + 1]) + os.urandom(4000), DAMAGED),
        (MAGIC + bytes([1, MAX_RECIPIENTS]) + os.urandom(200), DAMAGED),
        (MAGIC + b"\x01\xff", DAMAGED),
    ],
)
def test_what_is_not_a_sealed_file_says_so(data: bytes, message: str) -> None:
    with pytest.raises(EnvelopeError, match=message):
        open_sealed(data, ALICE)


def test_sealing_needs_one_to_sixteen_distinct_recipients() -> None:
    with pytest.raises(EnvelopeError):
        seal(SMALL, [])
    with pytest.raises(EnvelopeError):
        seal(SMALL, [X25519PrivateKey.generate().public_key() for _ in range(MAX_RECIPIENTS + 1)])
    twice = seal(SMALL, [ALICE.public_key(), ALICE.public_key()])
    assert len(twice) == len(seal(SMALL, [ALICE.public_key()]))
    assert open_sealed(twice, ALICE) == SMALL
