"""Key slots: the random data key of a store, wrapped by a passphrase and by the organisation.

The database is opened with a random 256-bit data key (never with the passphrase itself). That
key is stored only wrapped, in ``keyslots.json``:

* a passphrase slot: Argon2id (>= 64 MiB, time cost tuned to about half a second) derives a key
  that wraps the data key with AES-256-GCM;
* optionally a recovery slot: the data key sealed to the organisation's X25519 public key
  (ephemeral X25519, HKDF-SHA256, AES-256-GCM), opened only with the organisation's private key.

Changing the passphrase rewrites this small file atomically and never touches the database, so a
crash leaves either the old passphrase or the new one working.
"""

from __future__ import annotations

import base64
import json
import os
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from desktop.key_agreement import key_fingerprint, recipient_key, sender_key
from desktop.store.atomic import write_atomic
from desktop.store.connection import DEFAULT_HMAC
from desktop.store.errors import StoreCorrupt, WrongPassphrase

FORMAT = "disclosure-log-keyslots/1"
PASSPHRASE_SLOT = "passphrase"  # noqa: S105 - a slot name
RECOVERY_SLOT = "org-recovery"
DATA_KEY_BYTES = 32

# Floors below which a slot is refused (RFC 9106's second recommendation).
MIN_MEMORY_KIB = 64 * 1024
MIN_TIME_COST = 3
PARALLELISM = 4
DEFAULT_TARGET_SECONDS = 0.5
MAX_TIME_COST = 64
_RECOVERY_INFO = b"disclosure-log recovery slot/1"


@dataclass(frozen=True)
class Argon2Params:
    memory_kib: int
    time_cost: int
    parallelism: int = PARALLELISM

    def check_floor(self) -> None:
        if self.memory_kib < MIN_MEMORY_KIB or self.time_cost < MIN_TIME_COST:
            raise StoreCorrupt("the key file asks for a weaker key derivation than allowed")


def normalise_passphrase(passphrase: str) -> bytes:
    """NFC-normalise so the same passphrase typed on another keyboard layout still unlocks."""
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def calibrate(target_seconds: float = DEFAULT_TARGET_SECONDS) -> Argon2Params:
    """Choose a time cost taking about ``target_seconds`` here (never below the floor)."""
    probe = Argon2Params(MIN_MEMORY_KIB, MIN_TIME_COST)
    timings = []
    for _ in range(2):  # the first run also pays for faulting in 64 MiB: trust the faster one
        started = time.perf_counter()
        _derive(b"calibration", os.urandom(16), probe)
        timings.append(time.perf_counter() - started)
    elapsed = max(min(timings), 1e-3)
    time_cost = round(MIN_TIME_COST * target_seconds / elapsed)
    return Argon2Params(MIN_MEMORY_KIB, min(max(time_cost, MIN_TIME_COST), MAX_TIME_COST))


def _derive(secret: bytes, salt: bytes, params: Argon2Params) -> bytes:
    return hash_secret_raw(
        secret,
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any, what: str) -> bytes:
    if not isinstance(text, str):
        raise StoreCorrupt(f"the key file is damaged ({what})")
    try:
        return base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise StoreCorrupt(f"the key file is damaged ({what})") from exc


@dataclass
class KeySlots:
    """The parsed ``keyslots.json``; every slot wraps the same data key.

    ``hmac_algorithm`` is the database's page MAC: a setting the key alone does not tell.
    """

    store_id: str
    generation: int
    slots: dict[str, dict[str, Any]]
    hmac_algorithm: str = DEFAULT_HMAC

    def _aad(self, slot_id: str) -> bytes:
        return f"{FORMAT}\n{self.store_id}\n{slot_id}".encode()

    # -- building -----------------------------------------------------------------------
    @classmethod
    def new(cls, store_id: str) -> KeySlots:
        return cls(store_id=store_id, generation=0, slots={})

    def copy(self) -> KeySlots:
        return KeySlots(self.store_id, self.generation, dict(self.slots), self.hmac_algorithm)

    def set_passphrase(self, data_key: bytes, passphrase: str, params: Argon2Params) -> None:
        params.check_floor()
        salt, nonce = os.urandom(16), os.urandom(12)
        kek = _derive(normalise_passphrase(passphrase), salt, params)
        wrapped = AESGCM(kek).encrypt(nonce, data_key, self._aad(PASSPHRASE_SLOT))
        self.slots[PASSPHRASE_SLOT] = {
            "type": "argon2id/aes-256-gcm",
            "argon2": {
                "memory_kib": params.memory_kib,
                "time_cost": params.time_cost,
                "parallelism": params.parallelism,
            },
            "salt": _b64(salt),
            "nonce": _b64(nonce),
            "wrapped": _b64(wrapped),
        }

    def set_recovery(self, data_key: bytes, org_public_key: X25519PublicKey) -> None:
        ephemeral_raw, key = sender_key(org_public_key, _RECOVERY_INFO)
        nonce = os.urandom(12)
        wrapped = AESGCM(key).encrypt(nonce, data_key, self._aad(RECOVERY_SLOT))
        self.slots[RECOVERY_SLOT] = {
            "type": "x25519-hkdf-sha256/aes-256-gcm",
            "recipient_fingerprint": key_fingerprint(org_public_key),
            "ephemeral": _b64(ephemeral_raw),
            "nonce": _b64(nonce),
            "wrapped": _b64(wrapped),
        }

    # -- opening ------------------------------------------------------------------------
    def unwrap_with_passphrase(self, passphrase: str) -> bytearray:
        slot = self._slot(PASSPHRASE_SLOT)
        argon = slot.get("argon2")
        if not isinstance(argon, dict):
            raise StoreCorrupt("the key file is damaged (argon2)")
        try:
            params = Argon2Params(
                int(argon["memory_kib"]), int(argon["time_cost"]), int(argon["parallelism"])
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise StoreCorrupt("the key file is damaged (argon2)") from exc
        params.check_floor()
        kek = _derive(normalise_passphrase(passphrase), _unb64(slot.get("salt"), "salt"), params)
        return self._open(PASSPHRASE_SLOT, kek, slot)

    def unwrap_with_recovery_key(self, org_private_key: X25519PrivateKey) -> bytearray:
        slot = self._slot(RECOVERY_SLOT)
        if slot.get("recipient_fingerprint") != key_fingerprint(org_private_key.public_key()):
            raise WrongPassphrase("this organisation key is not the one this store was sealed to")
        ephemeral_raw = _unb64(slot.get("ephemeral"), "ephemeral key")
        try:
            key = recipient_key(org_private_key, ephemeral_raw, _RECOVERY_INFO)
        except ValueError as exc:
            raise StoreCorrupt("the key file is damaged (ephemeral key)") from exc
        return self._open(RECOVERY_SLOT, key, slot)

    def has_recovery(self) -> bool:
        return RECOVERY_SLOT in self.slots

    def _slot(self, slot_id: str) -> dict[str, Any]:
        slot = self.slots.get(slot_id)
        if slot is None:
            if slot_id == RECOVERY_SLOT:
                raise WrongPassphrase("this store has no organisation recovery slot")
            raise StoreCorrupt(f"the key file has no {slot_id} slot")
        return slot

    def _open(self, slot_id: str, key: bytes, slot: dict[str, Any]) -> bytearray:
        try:
            data_key = AESGCM(key).decrypt(
                _unb64(slot.get("nonce"), "nonce"),
                _unb64(slot.get("wrapped"), "wrapped key"),
                self._aad(slot_id),
            )
        except InvalidTag as exc:
            raise WrongPassphrase("wrong passphrase") from exc
        if len(data_key) != DATA_KEY_BYTES:
            raise StoreCorrupt("the key file is damaged (data key length)")
        return bytearray(data_key)

    # -- file ---------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        doc = {
            "format": FORMAT,
            "store_id": self.store_id,
            "generation": self.generation,
            "cipher": {"hmac_algorithm": self.hmac_algorithm},
            "slots": self.slots,
        }
        return json.dumps(doc, indent=2, sort_keys=True).encode("utf-8") + b"\n"

    @classmethod
    def from_bytes(cls, raw: bytes) -> KeySlots:
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise StoreCorrupt("the key file (keyslots.json) is damaged") from exc
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise StoreCorrupt("the key file (keyslots.json) is not in a format this version reads")
        slots, store_id, generation = doc.get("slots"), doc.get("store_id"), doc.get("generation")
        if not isinstance(slots, dict) or not isinstance(store_id, str):
            raise StoreCorrupt("the key file (keyslots.json) is damaged")
        cipher = doc.get("cipher")
        if not isinstance(generation, int) or not isinstance(cipher, dict):
            raise StoreCorrupt("the key file (keyslots.json) is damaged")
        hmac_algorithm = cipher.get("hmac_algorithm")
        if not isinstance(hmac_algorithm, str):
            raise StoreCorrupt("the key file (keyslots.json) is damaged")
        return cls(store_id, generation, slots, hmac_algorithm)

    @classmethod
    def load(cls, path: Path) -> KeySlots:
        return cls.from_bytes(path.read_bytes())

    def save(self, path: Path) -> None:
        self.generation += 1
        write_atomic(path, self.to_bytes())
