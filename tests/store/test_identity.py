"""The practitioner's identity and recipients in a real store: created with the store (or on
first use in an older one), audited, private keys never in plaintext on disk, cards checked
whenever they are used."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from desktop.identity import IdentityError, IdentityRejected, new_identity
from desktop.identity_card import make_card, read_card
from desktop.key_agreement import key_fingerprint, raw_public
from desktop.policy import Policy
from desktop.reports.envelope import open_sealed, seal
from desktop.session import (
    ORGANISATION_RECIPIENT,
    InvalidRequest,
    Session,
    StoreCorrupt,
)
from desktop.store.keyslots import MIN_MEMORY_KIB, MIN_TIME_COST, Argon2Params
from desktop.store.migrations import latest_version
from tests.conftest import PASSPHRASE, PROFILE
from tests.store.old_schema import tables_created_after

FLOOR = Argon2Params(MIN_MEMORY_KIB, MIN_TIME_COST)
SUPERVISOR = new_identity("Jo Supervisor", "Northshire Council")
SUPERVISOR_CARD = make_card(SUPERVISOR, "Jo Supervisor", "Designated lead", "Northshire Council")


@pytest.fixture
def opened(store_dir: Path) -> Iterator[Session]:
    session = Session.create(store_dir, PASSPHRASE, PROFILE, Policy(), FLOOR)
    yield session
    session.lock()


def pem(key: X25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def events(session: Session) -> list[str]:
    return [row[0] for row in session.store.conn.execute("SELECT event FROM audit ORDER BY seq")]


def test_a_new_store_has_a_signing_identity_created_with_it(opened: Session) -> None:
    identity = opened.identity()
    certificate = identity.certificate
    assert events(opened) == ["store_created", "identity_created"]
    assert isinstance(identity.signing_key.curve, ec.SECP256R1)
    assert certificate.public_key() == identity.signing_key.public_key()
    certificate.verify_directly_issued_by(certificate)  # self-signed, by this key
    names = {a.oid: a.value for a in certificate.subject}
    assert names[x509.NameOID.COMMON_NAME] == PROFILE.name
    assert names[x509.NameOID.ORGANIZATION_NAME] == PROFILE.organisation
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert usage.value.digital_signature
    assert usage.value.content_commitment  # nonRepudiation
    assert not usage.value.key_cert_sign
    assert not certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    now = datetime.now(UTC)
    assert certificate.not_valid_before_utc <= now
    assert certificate.not_valid_after_utc > now + timedelta(days=3 * 365)
    detail = opened.store.conn.execute(
        "SELECT detail FROM audit WHERE event = 'identity_created'"
    ).fetchone()[0]
    assert set(json.loads(detail)) == {"certificate_sha256", "encryption_key"}
    assert PROFILE.name not in detail
    assert opened.verify_audit().ok


def test_the_identity_is_the_same_at_every_unlock(opened: Session, store_dir: Path) -> None:
    first = opened.identity()
    opened.lock()
    again = Session.unlock(store_dir, PASSPHRASE, Policy())
    try:
        second = again.identity()
        assert second.certificate_bytes() == first.certificate_bytes()
        assert second.signing_key_bytes() == first.signing_key_bytes()
        assert second.encryption_key_bytes() == first.encryption_key_bytes()
        assert events(again).count("identity_created") == 1
    finally:
        again.lock()


def test_a_store_made_before_identities_gets_one_on_first_use(
    opened: Session, store_dir: Path
) -> None:
    conn = opened.store.conn
    for table in tables_created_after(1):  # identities came with schema 2
        conn.execute(f"DROP TABLE {table}")
    conn.execute("PRAGMA user_version = 1")
    opened.lock()

    older = Session.unlock(store_dir, PASSPHRASE, Policy())
    try:
        assert older.status().schema_version == latest_version()
        assert older.store.identity.get() is None
        identity = older.identity()
        assert older.identity().certificate_bytes() == identity.certificate_bytes()
        assert events(older).count("identity_created") == 2  # one when made, one now
        assert older.recipients() == []
        assert older.verify_audit().ok
    finally:
        older.lock()


def test_no_private_key_material_is_in_any_file_under_the_store(
    opened: Session, store_dir: Path
) -> None:
    identity = opened.identity()
    opened.add_recipient("supervisor", SUPERVISOR_CARD)
    opened.backup()
    secrets = {
        "PEM header": b"PRIVATE KEY",
        "PKCS#8 signing key": identity.signing_key_bytes(),
        "signing key scalar": identity.signing_key.private_numbers().private_value.to_bytes(
            32, "big"
        ),
        "encryption key": identity.encryption_key_bytes(),
    }

    def leaks() -> list[str]:
        return [
            f"{path.relative_to(store_dir)}: {label}"
            for path in sorted(p for p in store_dir.rglob("*") if p.is_file())
            for label, secret in secrets.items()
            if secret in path.read_bytes()
        ]

    assert (store_dir / "store.db-wal").exists()  # the open store's log is searched too
    assert leaks() == []
    opened.lock()
    assert leaks() == []


def test_a_card_is_added_once_under_its_name_and_its_key_encrypts_to_its_owner(
    opened: Session,
) -> None:
    added = opened.add_recipient("  supervisor ", SUPERVISOR_CARD)
    assert added.name == "supervisor"
    assert raw_public(added.encryption_key) == raw_public(SUPERVISOR.encryption_key.public_key())
    seq = opened.store.audit.head()[0]

    # The same key under the same name (any case) changes nothing, even from a fresh card.
    fresh = make_card(SUPERVISOR, "Jo Supervisor", "Designated lead", "Northshire Council")
    assert opened.add_recipient("Supervisor", fresh).name == "supervisor"
    assert opened.store.audit.head()[0] == seq
    assert events(opened).count("recipient_added") == 1

    other = make_card(new_identity("Someone Else", "Elsewhere"), "Someone", "Role", "Elsewhere")
    with pytest.raises(InvalidRequest, match="already listed"):
        opened.add_recipient("SUPERVISOR", other)

    [listed] = opened.recipients()
    assert listed.card is not None
    assert listed.card.name == "Jo Supervisor"
    assert listed.key_fingerprint == key_fingerprint(SUPERVISOR.encryption_key.public_key())
    report = b"report bytes"
    assert open_sealed(seal(report, [listed.encryption_key]), SUPERVISOR.encryption_key) == report
    assert opened.verify_audit().ok


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "Organisation", "evil\x1b[2Jname"])
def test_a_bad_recipient_name_is_refused(opened: Session, name: str) -> None:
    with pytest.raises(InvalidRequest):
        opened.add_recipient(name, SUPERVISOR_CARD)
    assert opened.recipients() == []


def test_the_organisation_report_key_from_the_policy_is_a_recipient(
    store_dir: Path,
) -> None:
    org = new_identity("Organisation", "Northshire Council").encryption_key
    policy = Policy(report_public_key=pem(org.public_key()))
    session = Session.create(store_dir, PASSPHRASE, PROFILE, policy, FLOOR)
    try:
        session.add_recipient("supervisor", SUPERVISOR_CARD)
        names = [r.name for r in session.recipients()]
        assert names == [ORGANISATION_RECIPIENT, "supervisor"]
        organisation = session.recipient("Organisation")
        assert organisation is not None
        assert organisation.card is None
        assert organisation.key_fingerprint == key_fingerprint(org.public_key())
    finally:
        session.lock()


def test_a_stored_card_that_no_longer_verifies_is_refused_when_used(opened: Session) -> None:
    opened.add_recipient("supervisor", SUPERVISOR_CARD)
    document = json.loads(SUPERVISOR_CARD)
    document["card"] = document["card"].replace("Designated lead", "Designated leaf")
    opened.store.conn.execute("UPDATE recipients SET card = ?", (json.dumps(document).encode(),))
    with pytest.raises(StoreCorrupt, match="supervisor"):
        opened.recipients()
    with pytest.raises(StoreCorrupt):
        opened.recipient("supervisor")


# -- the card format ------------------------------------------------------------------------
def test_a_card_round_trips_and_any_change_to_what_it_says_is_detected() -> None:
    card = read_card(SUPERVISOR_CARD)
    assert (card.name, card.role, card.organisation) == (
        "Jo Supervisor",
        "Designated lead",
        "Northshire Council",
    )
    assert card.certificate == SUPERVISOR.certificate
    document = json.loads(SUPERVISOR_CARD)
    body = json.loads(document["card"])
    substitutes = {
        "name": "Mallory",
        "encryption_public_key": pem(new_identity("M", "O").encryption_key.public_key()),
    }
    for field, value in substitutes.items():
        changed = dict(body, **{field: value})
        tampered = dict(document, card=json.dumps(changed, sort_keys=True, separators=(",", ":")))
        with pytest.raises(IdentityRejected, match="changed"):
            read_card(json.dumps(tampered).encode())


@pytest.mark.parametrize(
    "card",
    [
        b"",
        b"not json",
        b"[]",
        json.dumps({"format": "disclosure-log-identity-card/2", "card": "{}", "signature": ""}),
        make_card(SUPERVISOR, "Jo \x1b[31mSupervisor", "Lead", "Northshire"),
        b" " * (64 * 1024 + 1),
    ],
)
def test_what_is_not_a_card_is_invalid_input(card: bytes | str) -> None:
    data = card.encode() if isinstance(card, str) else card
    with pytest.raises(IdentityError) as caught:
        read_card(data)
    assert not isinstance(caught.value, IdentityRejected)
