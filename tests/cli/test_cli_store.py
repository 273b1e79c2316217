"""The store through the command line (DESIGN §6): init, status, add/show/amend, list filters,
search, consent withdrawal, backup/restore, passphrase change and organisation recovery.

Most commands run in-process (``desktop.cli.main``); the exit codes are the contract's:
0 ok, 1 check failed, 2 usage, 3 wrong passphrase or locked, 4 invalid input, 5 store or I/O.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tarfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from desktop import __version__
from desktop.domain.records import STORE_ASSIGNED_FIELDS, RecordBody
from desktop.domain.strict_json import parse_record_body
from desktop.policy import Policy, load_policy
from desktop.session import Session
from desktop.store.audit import ZERO_HASH
from desktop.store.migrations import latest_version
from tests.cli.conftest import CliRunner, add, dns_record, make_store, record_body, write_json
from tests.conftest import PASSPHRASE, tree_digest
from tests.factories import uk_share_body, us_share_body

NEW_PASSPHRASE = "a brand new passphrase for the store"
INIT = ("init", "--name", "Sam", "--role", "Social worker", "--organisation", "Northshire")
INIT_UK = (*INIT, "--jurisdiction", "UK-ENG")


def body_fields(document: dict[str, Any]) -> dict[str, Any]:
    """A stored document less what the store assigns: what a practitioner wrote."""
    return {k: v for k, v in document.items() if k in RecordBody.model_fields}


def audit_events(store_dir: Path, passphrase: str = PASSPHRASE) -> list[str]:
    session = Session.unlock(store_dir, passphrase, load_policy())
    try:
        return [row[0] for row in session.store.conn.execute("SELECT event FROM audit")]
    finally:
        session.lock()


# -- init and status ------------------------------------------------------------------------
def test_init_creates_a_store_and_refuses_to_overwrite_it(
    cli: CliRunner, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", PASSPHRASE)
    first = cli("--store", store_dir, *INIT_UK)
    assert first.code == 0, first.err
    assert (store_dir / "store.db").is_file()
    assert (store_dir / "keyslots.json").is_file()
    before = tree_digest(store_dir)

    second = cli("--store", store_dir, *INIT, "--jurisdiction", "US")
    assert second.code == 5
    assert "already exists" in second.err
    assert tree_digest(store_dir) == before


def test_init_with_a_short_passphrase_is_invalid_input_and_creates_nothing(
    cli: CliRunner, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", "short")
    result = cli("--store", store_dir, *INIT_UK)
    assert result.code == 4
    assert "passphrase" in result.err
    assert not (store_dir / "keyslots.json").exists()


def test_status_json_reports_path_schema_counts_and_audit_head(cli: CliRunner, store: Path) -> None:
    empty = cli("--store", store, "status", "--json")
    assert empty.code == 0, empty.err
    status = empty.json()
    assert status["path"] == str(store)
    assert status["schema_version"] == latest_version()
    assert status["records"] == 0
    assert status["versions"] == 0
    assert status["cases"] == 0
    assert status["recovery_slot"] is False
    assert len(status["audit_head"]) == 64
    int(status["audit_head"], 16)

    reopened = Session.unlock(store, PASSPHRASE, load_policy())
    add(reopened, uk_share_body())
    add(reopened, us_share_body())
    reopened.lock()
    after = cli("--store", store, "status", "--json").json()
    assert after["records"] == 2
    assert after["versions"] == 2
    assert after["cases"] == 2
    assert after["store_id"] == status["store_id"]
    assert after["audit_head_seq"] > status["audit_head_seq"]
    assert after["audit_head"] != status["audit_head"]
    # No case content in the status.
    text = json.dumps(after)
    assert "CASE-2025-0142" not in text
    assert "Child A" not in text


# -- add, show, amend -----------------------------------------------------------------------
def test_add_prints_an_id_and_show_json_returns_the_document(
    cli: CliRunner, store: Path, tmp_path: Path
) -> None:
    document = uk_share_body(notes="Seen at home visit.")
    added = cli("--store", store, "add", write_json(tmp_path / "r.json", document))
    assert added.code == 0, added.err
    record_id = added.out.strip()
    assert str(uuid.UUID(record_id, version=4)) == record_id

    shown = cli("--store", store, "show", record_id, "--json")
    assert shown.code == 0, shown.err
    doc = shown.json()
    assert doc["id"] == record_id
    assert doc["version"] == 1
    assert doc["prev_hash"] == ZERO_HASH.hex()
    assert len(doc["hash"]) == 64
    assert doc["amend_reason"] is None
    assert doc["created_by"]["name"] == "Sam Practitioner"
    assert doc["notes"] == "Seen at home visit."
    assert doc["case"] == document["case"]
    assert doc["subject"] == document["subject"]
    assert (
        doc["checklist"]["answers"]["Q2_purpose"] == document["checklist"]["answers"]["Q2_purpose"]
    )
    assert doc["decision"]["basis_codes"] == document["decision"]["basis_codes"]
    # The decision is the engine's, made under the built-in UK-ENG pack...
    assert doc["decision"] == document["decision"]
    assert doc["rule_pack"] == {"id": "UK-ENG", "version": "1.0.0"}
    # ...and the rest is what was written: the same model once those and the header are aside.
    written = {k: v for k, v in body_fields(doc).items() if k not in ("decision", "rule_pack")}
    assert RecordBody.model_validate(written, by_name=False) == parse_record_body(
        json.dumps(document).encode()
    )

    human = cli("--store", store, "show", record_id)
    assert human.code == 0
    assert record_id in human.out
    assert doc["hash"] in human.out


@pytest.mark.parametrize("strip", [True, False], ids=["less-ids-and-hashes", "unmodified"])
def test_show_json_output_is_accepted_by_add(
    cli: CliRunner,
    session: Session,
    store_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    strip: bool,
) -> None:
    """DESIGN §6: the JSON that ``show --json`` prints, less ids and hashes, is accepted."""
    record_id = add(session, uk_share_body())
    session.lock()
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", PASSPHRASE)
    store = store_dir
    original = cli("--store", store, "show", record_id, "--json").json()
    shown = dict(original)
    if strip:
        for key in ("id", "version", "hash", "prev_hash"):
            del shown[key]

    again = cli("--store", store, "add", write_json(tmp_path / "shown.json", shown))
    assert again.code == 0, again.err
    new_id = again.out.strip()
    assert new_id != original["id"]
    copy = cli("--store", store, "show", new_id, "--json").json()
    assert body_fields(copy) == body_fields(original)
    assert copy["version"] == 1


def test_amend_saves_version_2_and_keeps_version_1_unchanged(
    cli: CliRunner,
    session: Session,
    store_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record_id = add(session, uk_share_body())
    v1 = session.record(record_id)  # what `show --json` prints for version 1
    session.lock()
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", PASSPHRASE)
    store = store_dir

    changed = uk_share_body(notes="Corrected: strategy discussion held on 12 March.")
    amended = cli(
        "--store",
        store,
        "amend",
        record_id,
        write_json(tmp_path / "v2.json", changed),
        "--reason",
        "Date of the strategy discussion",
    )
    assert amended.code == 0, amended.err
    assert "version 2" in amended.out

    history = cli("--store", store, "show", record_id, "--history", "--json")
    assert history.code == 0, history.err
    versions = history.json()
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0] == v1  # the old version is untouched, hash included
    assert versions[1]["prev_hash"] == v1["hash"]
    assert versions[1]["hash"] != v1["hash"]
    assert versions[1]["id"] == record_id
    assert versions[1]["amend_reason"] == "Date of the strategy discussion"
    assert versions[1]["notes"] == changed["notes"]
    assert cli("--store", store, "show", record_id, "--version", "1", "--json").json() == v1

    verify = cli("--store", store, "audit", "verify", "--json")
    assert verify.code == 0, verify.err
    assert verify.json()["record_versions"] == 2


def test_amend_without_a_reason_is_a_usage_error_and_changes_nothing(
    cli: CliRunner,
    session: Session,
    store_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record_id = add(session, uk_share_body())
    session.lock()
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", PASSPHRASE)
    store = store_dir
    before = tree_digest(store)
    result = cli(
        "--store", store, "amend", record_id, write_json(tmp_path / "v2.json", dns_record())
    )
    assert result.code == 2
    assert "--reason" in result.err
    assert tree_digest(store) == before

    blank = cli("--store", store, "amend", record_id, tmp_path / "v2.json", "--reason", "  ")
    assert blank.code == 4
    assert "reason" in blank.err
    assert len(cli("--store", store, "show", record_id, "--history", "--json").json()) == 1


def test_amend_of_an_unknown_record_fails_clearly(
    cli: CliRunner, store: Path, tmp_path: Path
) -> None:
    missing = str(uuid.uuid4())
    result = cli(
        "--store",
        store,
        "amend",
        missing,
        write_json(tmp_path / "r.json", uk_share_body()),
        "--reason",
        "typo",
    )
    assert result.code != 0
    assert missing in result.err
    assert "no record" in result.err
    status = cli("--store", store, "status", "--json").json()
    assert (status["records"], status["versions"]) == (0, 0)


# -- list filters ---------------------------------------------------------------------------
UK, DNS = "uk", "dns"
# key, kind, case, event time (UTC), recipient organisation, basis codes
LISTED = [
    ("r01", UK, "CASE-A", "2025-01-05T10:00:00Z", "Northshire MASH", ["UK-GDPR-6-1-E"]),
    ("r02", UK, "CASE-A", "2025-01-31T23:30:00Z", "City Police", ["UK-GDPR-6-1-C"]),
    ("r03", DNS, "CASE-A", "2025-02-01T00:00:00Z", "Family charity", []),
    ("r04", UK, "CASE-B", "2025-02-14T12:00:00Z", "Northshire MASH", ["UK-GDPR-6-1-E"]),
    ("r05", DNS, "CASE-B", "2025-03-01T08:00:00Z", "Northshire MASH", []),
    ("r06", UK, "CASE-B", "2025-03-31T23:59:59Z", "City Police", ["UK-CL-PUBLIC-INTEREST"]),
    ("r07", UK, "CASE-C", "2025-04-01T00:00:00Z", "City Police", ["UK-GDPR-6-1-C"]),
    ("r08", DNS, "CASE-C", "2025-05-20T09:00:00Z", "Family charity", []),
    ("r09", UK, "CASE-C", "2025-06-30T16:00:00Z", "Northshire MASH", ["UK-CL-PUBLIC-INTEREST"]),
    ("r10", UK, "CASE-A", "2025-08-10T10:00:00Z", "Family charity", ["UK-GDPR-6-1-E"]),
    ("r11", DNS, "CASE-B", "2025-10-02T10:00:00Z", "City Police", []),
    ("r12", UK, "CASE-C", "2025-12-31T23:59:59Z", "Northshire MASH", ["UK-GDPR-6-1-E"]),
]
OUTCOME = {UK: "SHARE_WITHOUT_CONSENT", DNS: "DO_NOT_SHARE"}


def _listed_body(key: str, kind: str, case: str, when: str, org: str, basis: list[str]) -> Any:
    changes: dict[str, Any] = {
        "case_id": case,
        "when": when,
        "organisation": org,
        "purpose": f"Purpose of {key}",
    }
    if kind == UK:
        return record_body(basis_codes=basis, **changes)
    return dns_record(**changes)


@pytest.fixture(scope="module")
def listed_store(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    directory = tmp_path_factory.mktemp("listed") / "store"
    ids = make_store(directory, [_listed_body(*row) for row in LISTED])
    return {"dir": directory, "ids": dict(zip([row[0] for row in LISTED], ids, strict=True))}


def _expected(predicate: Callable[[tuple[Any, ...]], bool], limit: int | None = None) -> list[str]:
    chosen = sorted((row for row in LISTED if predicate(row)), key=lambda r: r[3], reverse=True)
    return [row[0] for row in chosen][:limit]


LIST_CASES: list[tuple[list[str], Callable[[tuple[Any, ...]], bool], int | None]] = [
    ([], lambda r: True, None),
    (["--case", "CASE-B"], lambda r: r[2] == "CASE-B", None),
    (
        ["--from", "2025-02-01", "--to", "2025-03-31"],
        lambda r: "2025-02-01" <= r[3][:10] <= "2025-03-31",
        None,
    ),
    (["--from", "2025-06-30"], lambda r: r[3][:10] >= "2025-06-30", None),
    (["--to", "2025-01-31"], lambda r: r[3][:10] <= "2025-01-31", None),
    (["--outcome", "DO_NOT_SHARE"], lambda r: r[1] == DNS, None),
    (["--outcome", "SHARE_WITH_CONSENT"], lambda r: False, None),
    (["--basis", "UK-GDPR-6-1-C"], lambda r: "UK-GDPR-6-1-C" in r[5], None),
    (["--basis", "UK-CL-PUBLIC-INTEREST"], lambda r: "UK-CL-PUBLIC-INTEREST" in r[5], None),
    (["--recipient-org", "City Police"], lambda r: r[4] == "City Police", None),
    (["--limit", "3"], lambda r: True, 3),
    (
        ["--case", "CASE-A", "--outcome", "SHARE_WITHOUT_CONSENT", "--from", "2025-01-06"],
        lambda r: r[2] == "CASE-A" and r[1] == UK and r[3][:10] >= "2025-01-06",
        None,
    ),
    (
        ["--recipient-org", "Northshire MASH", "--to", "2025-06-30", "--limit", "2"],
        lambda r: r[4] == "Northshire MASH" and r[3][:10] <= "2025-06-30",
        2,
    ),
]


@pytest.mark.parametrize(
    ("args", "predicate", "limit"), LIST_CASES, ids=[" ".join(c[0]) or "all" for c in LIST_CASES]
)
def test_list_json_filters_return_exactly_the_matching_records_newest_first(
    cli: CliRunner,
    listed_store: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    predicate: Callable[[tuple[Any, ...]], bool],
    limit: int | None,
) -> None:
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", PASSPHRASE)
    result = cli("--store", listed_store["dir"], "list", *args, "--json")
    assert result.code == 0, result.err
    items = result.json()
    by_id = {v: k for k, v in listed_store["ids"].items()}
    assert [by_id[item["id"]] for item in items] == _expected(predicate, limit)


def test_list_json_items_carry_id_case_outcome_purpose_recipients_and_dates(
    cli: CliRunner, listed_store: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", PASSPHRASE)
    items = cli("--store", listed_store["dir"], "list", "--json").json()
    assert len(items) == len(LISTED)
    spec = {listed_store["ids"][row[0]]: row for row in LISTED}
    for item in items:
        key, kind, case, when, org, basis = spec[item["id"]]
        assert item["case_id"] == case
        assert item["outcome"] == OUTCOME[kind]
        assert item["purpose_statement"] == f"Purpose of {key}"
        assert item["recipient"]["organisation"] == org
        assert [r["organisation"] for r in item["recipients"]] == [org]
        assert item["event_at"] == when
        assert set(basis) <= set(item["basis_codes"])  # the claims the row was made with
        assert item["decision_at"]
        assert item["created_at"]
        assert item["version"] == 1
        if kind == UK:
            assert item["disclosure_at"] == when


def test_list_rejects_a_bad_date_and_a_bad_outcome_as_usage_errors(
    cli: CliRunner, listed_store: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", PASSPHRASE)
    assert cli("--store", listed_store["dir"], "list", "--from", "2025-13-01").code == 2
    assert cli("--store", listed_store["dir"], "list", "--outcome", "MAYBE").code == 2


# -- search ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def searchable_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    documents = {
        "org": record_body(organisation="Pemberton Hospice Trust"),
        "purpose": record_body(purpose="Arrange a xylophone therapy referral."),
        "item": record_body(item="Radiographs of the left wrist"),
        "notes": dns_record(notes="Mentioned a quokka sanctuary visit."),
        "plain": us_share_body(),
    }
    directory = tmp_path_factory.mktemp("search") / "store"
    ids = make_store(directory, list(documents.values()))
    return directory, dict(zip(documents, ids, strict=True))


@pytest.fixture
def searchable(
    searchable_store: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, dict[str, str]]:
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", PASSPHRASE)
    return searchable_store


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pemberton", ["org"]),
        ("hospice trust", ["org"]),
        ("Pember", ["org"]),
        ("xylophone", ["purpose"]),
        ("xylo", ["purpose"]),
        ("RADIOGRAPHS", ["item"]),
        ("quokka", ["notes"]),
        ("quok sanct", ["notes"]),
        ("zzyzx-unmatched", []),
        ("quokka Pemberton", []),
    ],
)
def test_search_finds_words_in_recipients_purpose_items_and_notes(
    cli: CliRunner, searchable: Any, text: str, expected: list[str]
) -> None:
    directory, ids = searchable
    result = cli("--store", directory, "search", text, "--json")
    assert result.code == 0, result.err
    assert sorted(item["id"] for item in result.json()) == sorted(ids[k] for k in expected)


@pytest.mark.parametrize(
    "text", ['"', "*", "AND (", "NEAR", "NEAR(quokka sanctuary)", '"quokka', "quokka OR ^:"]
)
def test_search_with_fts_syntax_characters_does_not_crash(
    cli: CliRunner, searchable: Any, text: str
) -> None:
    directory, _ = searchable
    result = cli("--store", directory, "search", text, "--json")
    assert result.code == 0, result.err
    assert isinstance(result.json(), list)
    assert "Traceback" not in result.err


# -- consent withdrawal ---------------------------------------------------------------------
def test_withdraw_consent_lists_recipients_who_had_information_on_that_consent(
    cli: CliRunner, session: Session, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def consent(**changes: Any) -> str:
        changes = {"case_id": "CASE-W", "subject_id": "SUBJ-W", **changes}
        return add(session, record_body(consent=True, **changes))

    c1 = consent(when="2025-03-01T10:00:00Z", organisation="Org One", recipient_name="Ann")
    c2 = consent(when="2025-04-01T10:00:00Z", organisation="Org Two", recipient_name="Bob")
    c3 = consent(when="2025-05-31T23:00:00Z", organisation="Org One", recipient_name="Ann")
    consent(when="2025-06-02T10:00:00Z", organisation="Org Late")  # after the withdrawal
    consent(subject_id="SUBJ-OTHER", when="2025-03-01T10:00:00Z", organisation="Org Other")
    consent(case_id="CASE-X", when="2025-03-01T10:00:00Z", organisation="Org Case X")
    add(  # shared without consent: the withdrawal does not touch it
        session,
        record_body(
            case_id="CASE-W",
            subject_id="SUBJ-W",
            when="2025-03-15T10:00:00Z",
            organisation="Org Override",
        ),
    )
    session.lock()
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", PASSPHRASE)

    base = ["--store", store_dir, "withdraw-consent", "--case", "CASE-W", "--subject", "SUBJ-W"]
    base += ["--by", "The young person", "--scope", "All sharing with partner agencies"]
    result = cli(*base, "--at", "2025-06-01T09:00:00+01:00", "--json")
    assert result.code == 0, result.err
    notify = result.json()["recipients_to_notify"]
    assert sorted((r["organisation"], r["name"], sorted(r["record_ids"])) for r in notify) == [
        ("Org One", "Ann", sorted([c1, c3])),
        ("Org Two", "Bob", [c2]),
    ]

    only_c2 = cli(*base, "--at", "2025-06-01T09:00:00Z", "--record", c2, "--json")
    assert only_c2.code == 0, only_c2.err
    assert [r["organisation"] for r in only_c2.json()["recipients_to_notify"]] == ["Org Two"]

    status = cli("--store", store_dir, "status", "--json").json()
    assert status["consent_withdrawals"] == 2
    assert cli("--store", store_dir, "audit", "verify").code == 0


@pytest.mark.parametrize("moment", ["2025-06-01T09:00:00", "2025-06-01", "yesterday"])
def test_withdraw_consent_needs_a_time_with_an_offset(
    cli: CliRunner, listed_store: dict[str, Any], monkeypatch: pytest.MonkeyPatch, moment: str
) -> None:
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", PASSPHRASE)
    store = listed_store["dir"]
    before = tree_digest(store)
    result = cli(
        "--store",
        store,
        "withdraw-consent",
        "--case",
        "CASE-W",
        "--subject",
        "SUBJ-W",
        "--by",
        "The young person",
        "--scope",
        "All",
        "--at",
        moment,
    )
    assert result.code == 2
    assert "--at" in result.err
    assert tree_digest(store) == before


# -- backup and restore ---------------------------------------------------------------------
@pytest.fixture
def three_records(session: Session, store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    add(session, uk_share_body())
    add(session, us_share_body())
    add(session, dns_record())
    session.lock()
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", PASSPHRASE)
    return store_dir


def _backup(cli: CliRunner, store: Path, into: Path) -> Path:
    result = cli("--store", store, "backup", into, "--json")
    assert result.code == 0, result.err
    info = result.json()
    path = Path(info["path"])
    assert path.parent == into
    assert hashlib.sha256(path.read_bytes()).hexdigest() == info["sha256"]
    return path


def test_backup_is_owner_only_and_restores_into_a_new_store(
    cli: CliRunner, three_records: Path, tmp_path: Path
) -> None:
    backup = _backup(cli, three_records, tmp_path / "backups")
    assert backup.is_file()
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert not [p for p in (tmp_path / "backups").iterdir() if p != backup]  # no leftovers

    target = tmp_path / "restored"
    restored = cli("--store", target, "restore", backup)
    assert restored.code == 0, restored.err
    assert "3 records" in restored.out
    original = cli("--store", three_records, "list", "--json").json()
    assert len(original) == 3
    assert cli("--store", target, "list", "--json").json() == original
    verify = cli("--store", target, "audit", "verify", "--json")
    assert verify.code == 0, verify.err
    assert verify.json()["ok"] is True
    assert verify.json()["record_versions"] == 3


@pytest.fixture(scope="module")
def good_backup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A store of three records and a backup of it, shared by tests that change neither."""
    directory = tmp_path_factory.mktemp("backed-up") / "store"
    make_store(directory, [uk_share_body(), us_share_body(), dns_record()])
    session = Session.unlock(directory, PASSPHRASE, Policy())
    try:
        backup = session.backup(directory.parent / "backups").path
    finally:
        session.lock()
    return directory, backup


def test_restore_with_a_wrong_passphrase_leaves_no_store(
    cli: CliRunner,
    good_backup: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    backup = good_backup[1]
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", "not the passphrase at all")
    target = tmp_path / "restored"
    result = cli("--store", target, "restore", backup)
    assert result.code == 3
    assert "passphrase" in result.err
    assert not (target / "keyslots.json").exists()
    assert not (target / "store.db").exists()
    assert not target.exists() or list(target.rglob("*")) == []


def test_restore_over_an_existing_store_needs_yes_and_keeps_the_old_store_aside(
    cli: CliRunner, three_records: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = _backup(cli, three_records, tmp_path / "backups")
    other = tmp_path / "other"
    assert cli("--store", other, *INIT_UK).code == 0
    assert cli("--store", other, "add", write_json(tmp_path / "o.json", dns_record())).code == 0
    other_items = cli("--store", other, "list", "--json").json()
    before = tree_digest(other)

    refused = cli("--store", other, "restore", backup)
    assert refused.code == 5
    assert "--yes" in refused.err
    assert tree_digest(other) == before

    replaced = cli("--store", other, "restore", backup, "--yes")
    assert replaced.code == 0, replaced.err
    assert (
        cli("--store", other, "list", "--json").json()
        == cli("--store", three_records, "list", "--json").json()
    )
    aside = [p for p in other.iterdir() if p.name.startswith("replaced-")]
    assert len(aside) == 1
    assert (aside[0] / "keyslots.json").is_file()
    assert (aside[0] / "store.db").is_file()
    assert cli("--store", aside[0], "list", "--json").json() == other_items
    assert cli("--store", other, "audit", "verify").code == 0


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _flipped(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _flipped_header(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[10] ^= 0x20  # inside the first member's name: the tar checksum no longer matches
    path.write_bytes(bytes(data))


def _not_tar(path: Path) -> None:
    path.write_bytes(b"this is a text file, not a backup\n" * 100)


@pytest.mark.parametrize("damage", [_truncated, _flipped, _flipped_header, _not_tar])
def test_restore_of_a_damaged_backup_fails_and_writes_nothing(
    cli: CliRunner,
    good_backup: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    damage: Callable[[Path], None],
) -> None:
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", PASSPHRASE)
    existing, good = good_backup
    backup = tmp_path / good.name
    shutil.copyfile(good, backup)
    damage(backup)
    before = tree_digest(existing)

    over = cli("--store", existing, "restore", backup, "--yes")
    assert over.code == 5
    assert "backup" in over.err
    assert "Traceback" not in over.err
    assert tree_digest(existing) == before

    fresh = tmp_path / "fresh"
    into_new = cli("--store", fresh, "restore", backup)
    assert into_new.code == 5
    assert not fresh.exists() or [p for p in fresh.rglob("*") if p.is_file()] == []


# -- passwd ---------------------------------------------------------------------------------
def _pages(db: Path) -> list[bytes]:
    data = db.read_bytes()
    return [hashlib.sha256(data[i : i + 4096]).digest() for i in range(0, len(data), 4096)]


def test_passwd_rewraps_the_key_without_rewriting_the_database(
    cli: CliRunner, session: Session, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(40):
        add(session, record_body(notes=f"Visit {i}: " + "long note " * 300))
    session.lock()
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", PASSPHRASE)
    listed = cli("--store", store_dir, "list", "--json").json()
    assert not (store_dir / "store.db-wal").exists()  # checkpointed on close
    pages_before = _pages(store_dir / "store.db")
    assert len(pages_before) >= 100
    keyslots_before = (store_dir / "keyslots.json").read_bytes()
    assert "passphrase_changed" not in audit_events(store_dir)

    monkeypatch.setenv("DISCLOSURE_LOG_NEW_PASSPHRASE", NEW_PASSPHRASE)
    changed = cli("--store", store_dir, "passwd")
    assert changed.code == 0, changed.err

    assert (store_dir / "keyslots.json").read_bytes() != keyslots_before
    pages_after = _pages(store_dir / "store.db")
    differing = sum(a != b for a, b in zip(pages_before, pages_after, strict=False))
    # Re-encrypting the database would change every page; appending two audit rows changes few.
    assert differing <= len(pages_before) // 10, f"{differing} of {len(pages_before)} pages"

    old = cli("--store", store_dir, "status")
    assert old.code == 3
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", NEW_PASSPHRASE)
    assert cli("--store", store_dir, "list", "--json").json() == listed
    verify = cli("--store", store_dir, "audit", "verify", "--json")
    assert verify.code == 0, verify.err
    assert verify.json()["ok"] is True
    assert audit_events(store_dir, NEW_PASSPHRASE).count("passphrase_changed") == 1


def test_passwd_refuses_a_weak_new_passphrase_and_keeps_the_old_one(
    cli: CliRunner, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyslots = (store / "keyslots.json").read_bytes()
    monkeypatch.setenv("DISCLOSURE_LOG_NEW_PASSPHRASE", "short")
    result = cli("--store", store, "passwd")
    assert result.code == 4
    assert (store / "keyslots.json").read_bytes() == keyslots
    assert cli("--store", store, "status").code == 0


# -- organisation recovery ------------------------------------------------------------------
def _pem_public(key: X25519PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


def _pem_private(key: X25519PrivateKey, path: Path) -> Path:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


@pytest.fixture
def org_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An organisation recovery key pair: the public half in the policy, the private on disk."""
    key = X25519PrivateKey.generate()
    policy = tmp_path / "policy.json"
    write_json(policy, {"recovery_public_key": _pem_public(key)})
    monkeypatch.setenv("DISCLOSURE_LOG_POLICY", str(policy))
    return _pem_private(key, tmp_path / "org.pem")


def test_recover_with_the_org_key_sets_a_new_passphrase_and_keeps_the_records(
    cli: CliRunner,
    org_key: Path,
    store_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", PASSPHRASE)
    created = cli("--store", store_dir, *INIT_UK)
    assert created.code == 0, created.err
    assert "No organisation recovery key" not in created.err
    assert cli("--store", store_dir, "status", "--json").json()["recovery_slot"] is True
    assert cli("--store", store_dir, "add", write_json(tmp_path / "r.json", dns_record())).code == 0
    listed = cli("--store", store_dir, "list", "--json").json()

    # The passphrase is lost: nothing opens without it or the key.
    monkeypatch.delenv("DISCLOSURE_LOG_PASSPHRASE")
    assert cli("--store", store_dir, "list", "--json").code == 3
    monkeypatch.setenv("DISCLOSURE_LOG_NEW_PASSPHRASE", NEW_PASSPHRASE)
    keyslots = (store_dir / "keyslots.json").read_bytes()

    stranger = _pem_private(X25519PrivateKey.generate(), tmp_path / "stranger.pem")
    wrong = cli("--store", store_dir, "recover", "--org-key", stranger)
    assert wrong.code == 3
    assert (store_dir / "keyslots.json").read_bytes() == keyslots
    not_a_key = cli("--store", store_dir, "recover", "--org-key", write_json(tmp_path / "x", {}))
    assert not_a_key.code == 3

    recovered = cli("--store", store_dir, "recover", "--org-key", org_key)
    assert recovered.code == 0, recovered.err

    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", PASSPHRASE)
    assert cli("--store", store_dir, "status").code == 3  # the old passphrase is gone
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", NEW_PASSPHRASE)
    assert cli("--store", store_dir, "list", "--json").json() == listed
    status = cli("--store", store_dir, "status", "--json").json()
    assert status["recovery_slot"] is True  # still recoverable next time
    assert cli("--store", store_dir, "audit", "verify").code == 0
    assert "recovered_with_organisation_key" in audit_events(store_dir, NEW_PASSPHRASE)


def test_recover_fails_for_a_store_created_without_a_recovery_key(
    cli: CliRunner, store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = _pem_private(X25519PrivateKey.generate(), tmp_path / "org.pem")
    monkeypatch.setenv("DISCLOSURE_LOG_NEW_PASSPHRASE", NEW_PASSPHRASE)
    before = tree_digest(store)
    result = cli("--store", store, "recover", "--org-key", key)
    assert result.code == 3
    assert "recovery" in result.err
    assert tree_digest(store) == before


# -- version, usage, policy -----------------------------------------------------------------
def test_version_and_unknown_command(cli: CliRunner) -> None:
    version = cli("--version")
    assert version.code == 0
    assert __version__ in version.out
    unknown = cli("frobnicate")
    assert unknown.code == 2
    assert "frobnicate" in unknown.err
    assert cli().code == 2


def _ed25519_pem() -> str:
    return (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


@pytest.mark.parametrize(
    ("policy", "field"),
    [
        ({"colour": "blue"}, "colour"),
        ({"jurisdiction": "NARNIA"}, "jurisdiction"),
        ({"recovery_public_key": "not a key"}, "recovery_public_key"),
        ({"recovery_public_key": "ed25519"}, "recovery_public_key"),
        ({"idle_lock_minutes": "5"}, "idle_lock_minutes"),
    ],
)
def test_an_invalid_policy_is_invalid_input_naming_the_field(
    cli: CliRunner,
    store_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    policy: dict[str, Any],
    field: str,
) -> None:
    if policy.get("recovery_public_key") == "ed25519":
        policy = {"recovery_public_key": _ed25519_pem()}
    path = write_json(tmp_path / "bad-policy.json", policy)
    monkeypatch.setenv("DISCLOSURE_LOG_POLICY", str(path))
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", PASSPHRASE)
    result = cli("--store", store_dir, *INIT_UK)
    assert result.code == 4
    assert field in result.err
    assert str(path) in result.err
    assert not (store_dir / "keyslots.json").exists()


def test_a_store_has_owner_only_files(cli: CliRunner, store: Path) -> None:
    assert cli("--store", store, "status").code == 0
    if os.name != "nt":
        assert stat.S_IMODE(store.stat().st_mode) == 0o700
        for name in ("store.db", "keyslots.json"):
            assert stat.S_IMODE((store / name).stat().st_mode) == 0o600


def test_store_assigned_fields_cover_every_header_field_show_prints(
    cli: CliRunner, store: Path, tmp_path: Path
) -> None:
    """Every key ``show --json`` adds beyond the body must be one ``add`` ignores."""
    record_id = cli("--store", store, "add", write_json(tmp_path / "r.json", uk_share_body()))
    shown = cli("--store", store, "show", record_id.out.strip(), "--json").json()
    extra = set(shown) - set(RecordBody.model_fields)
    assert extra <= STORE_ASSIGNED_FIELDS, sorted(extra - STORE_ASSIGNED_FIELDS)


def _tar_names(path: Path) -> list[str]:
    with tarfile.open(path) as tar:
        return sorted(tar.getnames())


def test_backup_into_the_store_folder_holds_only_the_three_members(
    cli: CliRunner, three_records: Path
) -> None:
    backup = _backup(cli, three_records, three_records / "backups")
    assert _tar_names(backup) == ["keyslots.json", "manifest.json", "store.db"]
    assert "backup_made" in audit_events(three_records)
