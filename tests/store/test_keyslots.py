"""Key slots: the data key is recoverable by the passphrase or the org key, and by nothing else."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from desktop.policy import EMPTY_POLICY
from desktop.session import Session
from desktop.store.errors import StoreCorrupt, WrongPassphrase
from desktop.store.keyslots import (
    MIN_MEMORY_KIB,
    MIN_TIME_COST,
    Argon2Params,
    KeySlots,
    calibrate,
)
from tests.conftest import PASSPHRASE

FLOOR = Argon2Params(MIN_MEMORY_KIB, MIN_TIME_COST)
DATA_KEY = bytes(range(32))


def _slots() -> KeySlots:
    slots = KeySlots.new("store-1")
    slots.set_passphrase(DATA_KEY, "a long enough passphrase", FLOOR)
    return slots


def test_passphrase_unwraps_the_data_key_and_a_wrong_one_does_not() -> None:
    slots = KeySlots.from_bytes(_slots().to_bytes())
    assert bytes(slots.unwrap_with_passphrase("a long enough passphrase")) == DATA_KEY
    for wrong in ("a long enough passphrase ", "", "A long enough passphrase", "x" * 10_000):
        with pytest.raises(WrongPassphrase):
            slots.unwrap_with_passphrase(wrong)


def test_passphrase_is_unicode_normalised() -> None:
    slots = KeySlots.new("store-1")
    slots.set_passphrase(DATA_KEY, "caf\u00e9 au lait tous les jours", FLOOR)
    assert bytes(slots.unwrap_with_passphrase("cafe\u0301 au lait tous les jours")) == DATA_KEY


def test_recovery_slot_opens_only_with_the_matching_org_key() -> None:
    org = X25519PrivateKey.generate()
    slots = _slots()
    slots.set_recovery(DATA_KEY, org.public_key())
    reloaded = KeySlots.from_bytes(slots.to_bytes())
    assert bytes(reloaded.unwrap_with_recovery_key(org)) == DATA_KEY
    with pytest.raises(WrongPassphrase):
        reloaded.unwrap_with_recovery_key(X25519PrivateKey.generate())


def test_file_holds_no_key_material_in_clear() -> None:
    raw = _slots().to_bytes()
    assert DATA_KEY not in raw
    assert DATA_KEY.hex().encode() not in raw


def test_slot_bound_to_its_store() -> None:
    doc = json.loads(_slots().to_bytes())
    doc["store_id"] = "another-store"
    moved = KeySlots.from_bytes(json.dumps(doc).encode())
    with pytest.raises(WrongPassphrase):
        moved.unwrap_with_passphrase("a long enough passphrase")


def test_weakened_parameters_are_refused() -> None:
    doc = json.loads(_slots().to_bytes())
    doc["slots"]["passphrase"]["argon2"]["memory_kib"] = 1024
    with pytest.raises(StoreCorrupt):
        KeySlots.from_bytes(json.dumps(doc).encode()).unwrap_with_passphrase("x" * 12)


@pytest.mark.parametrize("damage", [b"", b"{", b"[]", b'{"format": "other"}', b"\xff\xfe"])
def test_damaged_file_is_reported_not_crashed(damage: bytes) -> None:
    with pytest.raises(StoreCorrupt):
        KeySlots.from_bytes(damage)


def test_save_is_owner_only_and_bumps_generation(tmp_path: Path) -> None:
    slots = _slots()
    (tmp_path / "k").mkdir()
    target = tmp_path / "k" / "keyslots.json"
    slots.save(target)
    slots.save(target)
    assert KeySlots.load(target).generation == 2
    if os.name != "nt":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert list(target.parent.iterdir()) == [target]  # no temporary left behind


def test_calibration_never_goes_below_the_floor() -> None:
    params = calibrate(0.0)
    assert params.memory_kib >= MIN_MEMORY_KIB
    assert params.time_cost >= MIN_TIME_COST


def test_the_page_mac_is_recorded_and_used(session: Session, store_dir: Path) -> None:
    recorded = json.loads((store_dir / "keyslots.json").read_bytes())["cipher"]["hmac_algorithm"]
    used = session.store.conn.execute("PRAGMA cipher_hmac_algorithm").fetchone()[0]
    assert recorded == used == "HMAC_SHA256"


def test_an_unknown_page_mac_is_refused(session: Session, store_dir: Path) -> None:
    session.lock()
    path = store_dir / "keyslots.json"
    doc = json.loads(path.read_bytes())
    doc["cipher"]["hmac_algorithm"] = "HMAC_MD5"
    path.write_text(json.dumps(doc))
    with pytest.raises(StoreCorrupt):
        Session.unlock(store_dir, PASSPHRASE, EMPTY_POLICY)
