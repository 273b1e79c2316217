"""What must hold, checked through the real program where exit status and stderr matter.

1. Nothing readable without the key: no case content in any file under the store, nor on stderr.
2. A wrong passphrase opens nothing, changes nothing and says so clearly (exit 3).
3. Tampering by someone holding the key is caught by ``audit verify`` (exit 1, naming the link).
4. Invalid record JSON is refused with exit 4, naming the field, before the store is opened.
5. A lost passphrase is recovered with the organisation's private key.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from desktop.domain.canonical import canonical_json
from desktop.domain.strict_json import parse_record_body
from desktop.policy import load_policy
from desktop.session import Session
from desktop.store.audit import version_hash
from desktop.store.store import Store
from tests.cli.conftest import (
    REPO,
    CliRunner,
    add,
    dns_record,
    make_store,
    record_body,
    run_cli,
    write_json,
)
from tests.conftest import PASSPHRASE, tree_digest
from tests.factories import uk_share_body, us_share_body

SQLITE_HEADER = b"SQLite format 3\x00"
SQLCIPHER_NOISE = ("hmac", "error core", "sqlcipher", "codec", "traceback")


def _encodings(text: str) -> list[bytes]:
    return [text.encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be")]


def _hits(directory: Path, markers: list[str]) -> list[str]:
    """Every (file, marker) pair where the marker appears in the file in any encoding."""
    found = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for marker in markers:
            for needle in (*_encodings(marker), *_encodings(marker.lower())):
                if needle in data:
                    found.append(f"{path.relative_to(directory)}: {marker}")
                    break
    return found


# -- 1. no plaintext ------------------------------------------------------------------------
def _marked(marker: str, base: Callable[..., dict[str, Any]] = record_body) -> dict[str, Any]:
    return base(
        notes=f"Notes {marker}",
        purpose=f"Purpose {marker}",
        recipient_name=f"Recipient {marker}",
        item=f"Item {marker}",
    )


def test_no_case_content_in_any_store_file_or_on_stderr(
    session: Session, store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    markers = [f"MARKER-{uuid.uuid4().hex}" for _ in range(24)]
    tokens = [m.removeprefix("MARKER-") for m in markers]  # what full-text search indexes
    ids = [add(session, _marked(marker)) for marker in markers[:20]]
    session.lock()
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("TMPDIR", str(scratch))

    stderrs: list[bytes] = []

    def run(*args: str | Path) -> bytes:
        done = run_cli("--store", store_dir, *args)
        stderrs.append(done.stderr)
        assert done.returncode == 0, done.stderr.decode()
        return done.stdout

    new_id = run("add", write_json(inputs / "a.json", _marked(markers[20]))).decode().strip()
    run("add", write_json(inputs / "b.json", _marked(markers[21], dns_record)))
    run("amend", ids[0], write_json(inputs / "c.json", _marked(markers[22])), "--reason", "fix")
    found = json.loads(run("search", tokens[5], "--json"))
    assert [item["id"] for item in found] == [ids[5]]
    run("backup", store_dir / "backups")
    listed = run("list", "--json")
    assert markers[7] in listed.decode()  # the user asked to see it
    run("show", new_id, "--json")
    run("audit", "verify")
    assert len(list((store_dir / "backups").iterdir())) == 1

    # One more record while the store is open: the write-ahead log holds it at this moment.
    open_session = Session.unlock(store_dir, PASSPHRASE, load_policy())
    try:
        add(open_session, _marked(markers[23]))
        assert (store_dir / "store.db-wal").exists()
        assert _hits(store_dir, markers + tokens) == []
    finally:
        open_session.lock()

    assert _hits(store_dir, markers + tokens) == []
    assert _hits(scratch, markers + tokens) == []
    for err in stderrs:
        assert not [m for m in markers + tokens if m.encode() in err], err.decode()
    for path in [store_dir / "store.db", *(store_dir / "backups").iterdir()]:
        assert SQLITE_HEADER not in path.read_bytes(), path


# -- 2. wrong passphrase --------------------------------------------------------------------
@pytest.fixture(scope="module")
def locked_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("locked") / "store"
    make_store(directory, [uk_share_body(), dns_record()])
    return directory


@pytest.mark.parametrize(
    "command",
    [
        ["status"],
        ["list", "--json"],
        ["add", "RECORD"],
        ["passwd"],
        ["backup", "BACKUPS"],
        ["audit", "verify"],
    ],
    ids=" ".join,
)
def test_a_wrong_passphrase_opens_nothing_and_changes_nothing(
    locked_store: Path, tmp_path: Path, command: list[str]
) -> None:
    record = write_json(tmp_path / "record.json", uk_share_body())
    backups = tmp_path / "backups"
    args = [{"RECORD": str(record), "BACKUPS": str(backups)}.get(a, a) for a in command]
    before = tree_digest(locked_store)
    done = run_cli(
        "--store",
        locked_store,
        *args,
        env={
            "DISCLOSURE_LOG_PASSPHRASE": "this is not the passphrase",
            "DISCLOSURE_LOG_NEW_PASSPHRASE": "an attacker's new passphrase",
        },
    )
    err = done.stderr.decode()
    assert done.returncode == 3, err
    assert "wrong passphrase" in err
    assert not [noise for noise in SQLCIPHER_NOISE if noise in err.lower()], err
    assert done.stdout == b""
    assert tree_digest(locked_store) == before
    assert not backups.exists()


def test_a_wrong_passphrase_file_is_refused_the_same_way(
    locked_store: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASSPHRASE + "x\n", encoding="utf-8")
    before = tree_digest(locked_store)
    done = run_cli("--store", locked_store, "--passphrase-file", secret, "status")
    assert done.returncode == 3
    assert "wrong passphrase" in done.stderr.decode()
    assert tree_digest(locked_store) == before


# -- 3. tampering ---------------------------------------------------------------------------
TRIGGERS = (
    "audit_append_only_u",
    "audit_append_only_d",
    "record_versions_append_only_u",
    "record_versions_append_only_d",
)


@pytest.fixture
def history(session: Session, store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Three records, the first amended; the last audit entry is the last record saved."""
    first = add(session, uk_share_body())
    session.amend_record(
        first,
        parse_record_body(json.dumps(uk_share_body(notes="Amended notes.")).encode()),
        "Corrected the notes",
    )
    second = add(session, us_share_body())
    third = add(session, dns_record())
    session.lock()
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", PASSPHRASE)
    return {"dir": store_dir, "amended": first, "second": second, "last": third}


@pytest.fixture
def attacker(history: dict[str, Any]) -> Iterator[Any]:
    """A raw keyed connection, append-only triggers dropped, as someone holding the key would.

    ``Store.open`` rather than ``Session.unlock``: the attacker does not announce themselves with
    an ``unlocked`` audit entry (and deleting one's own trailing entry proves nothing).
    """
    store = Store.open(history["dir"], PASSPHRASE)
    conn = store.conn
    for trigger in TRIGGERS:
        conn.execute(f"DROP TRIGGER {trigger}")
    try:
        yield conn
    finally:
        store.close()


def _rowid(conn: Any, record_id: str) -> int:
    return int(
        conn.execute("SELECT id FROM records WHERE record_id = ?", (record_id,)).fetchone()[0]
    )


def _verify(cli: CliRunner, directory: Path) -> tuple[dict[str, Any], str]:
    as_json = cli("--store", directory, "audit", "verify", "--json")
    assert as_json.code == 1, as_json.out + as_json.err
    result = as_json.json()
    assert result["ok"] is False
    assert isinstance(result["problem"], str)
    assert result["problem"]
    human = cli("--store", directory, "audit", "verify")
    assert human.code == 1
    assert result["problem"] in human.err
    return result, result["problem"]


def test_an_untampered_store_verifies(cli: CliRunner, history: dict[str, Any]) -> None:
    result = cli("--store", history["dir"], "audit", "verify", "--json")
    assert result.code == 0, result.err
    assert result.json()["ok"] is True
    assert result.json()["record_versions"] == 4
    assert result.json()["problem"] is None


def test_a_changed_audit_detail_is_named(
    cli: CliRunner, history: dict[str, Any], attacker: Any
) -> None:
    attacker.execute("UPDATE audit SET detail = '{\"count\":999}' WHERE seq = 3")
    _, problem = _verify(cli, history["dir"])
    assert problem.startswith("audit entry 3:")


def test_a_changed_record_body_is_named(
    cli: CliRunner, history: dict[str, Any], attacker: Any
) -> None:
    rowid = _rowid(attacker, history["second"])
    attacker.execute(
        "UPDATE record_versions SET body = replace(body, 'Intake specialist', 'Someone else')"
        " WHERE record = ? AND version = 1",
        (rowid,),
    )
    assert attacker.total_changes >= 1
    _, problem = _verify(cli, history["dir"])
    assert f"record {history['second']} version 1" in problem


@pytest.mark.parametrize("version", [1, 2])
def test_a_changed_body_with_a_recomputed_hash_is_still_caught(
    cli: CliRunner, history: dict[str, Any], attacker: Any, version: int
) -> None:
    record_id = history["amended"]
    rowid = _rowid(attacker, record_id)
    body, prev = attacker.execute(
        "SELECT body, prev_hash FROM record_versions WHERE record = ? AND version = ?",
        (rowid, version),
    ).fetchone()
    document = json.loads(body)
    document["notes"] = "Nothing happened."
    forged = canonical_json(document)
    attacker.execute(
        "UPDATE record_versions SET body = ?, hash = ? WHERE record = ? AND version = ?",
        (forged.decode("utf-8"), version_hash(bytes(prev), forged), rowid, version),
    )
    _, problem = _verify(cli, history["dir"])
    assert f"record {record_id} version" in problem


def test_deleting_the_last_audit_entry_is_caught(
    cli: CliRunner, history: dict[str, Any], attacker: Any
) -> None:
    event, object_id = attacker.execute(
        "SELECT event, object_id FROM audit ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    assert (event, object_id) == ("record_created", history["last"])
    attacker.execute("DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)")
    _, problem = _verify(cli, history["dir"])
    assert history["last"] in problem


def test_deleting_an_audit_entry_in_the_middle_is_caught(
    cli: CliRunner, history: dict[str, Any], attacker: Any
) -> None:
    attacker.execute("DELETE FROM audit WHERE seq = 2")
    _, problem = _verify(cli, history["dir"])
    assert problem.startswith("audit entry 3:")


@pytest.mark.parametrize("version", [1, 2])
def test_deleting_a_record_version_is_caught(
    cli: CliRunner, history: dict[str, Any], attacker: Any, version: int
) -> None:
    attacker.execute(
        "DELETE FROM record_versions WHERE record = ? AND version = ?",
        (_rowid(attacker, history["amended"]), version),
    )
    _verify(cli, history["dir"])


def test_swapping_two_audit_entries_is_caught(
    cli: CliRunner, history: dict[str, Any], attacker: Any
) -> None:
    columns = (
        "ts, actor, event, object_type, object_id, object_version, object_hash, detail,"
        " prev_hash, entry_hash"
    )
    seqs = [
        row[0]
        for row in attacker.execute(
            "SELECT seq FROM audit WHERE event = 'record_created' ORDER BY seq"
        ).fetchall()
    ]
    low, high = seqs[0], seqs[-1]
    rows = {
        seq: attacker.execute(f"SELECT {columns} FROM audit WHERE seq = ?", (seq,)).fetchone()
        for seq in (low, high)
    }
    assignments = ", ".join(f"{c.strip()} = ?" for c in columns.split(","))
    for seq, other in ((low, high), (high, low)):
        attacker.execute(f"UPDATE audit SET {assignments} WHERE seq = ?", (*rows[other], seq))
    _, problem = _verify(cli, history["dir"])
    assert problem.startswith(f"audit entry {low}:")


# -- 4. invalid record JSON -----------------------------------------------------------------
SECRET = "SECRET-VALUE-" + uuid.uuid4().hex


def _body() -> dict[str, Any]:
    return uk_share_body(notes=f"Notes {SECRET}")


def _dumps(document: Any) -> bytes:
    return json.dumps(document).encode("utf-8")


def _set(path: list[Any], value: Any) -> Callable[[Path], None]:
    def build(target: Path) -> None:
        document = _body()
        node = document
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value
        target.write_bytes(_dumps(document))

    return build


def _drop(path: list[Any]) -> Callable[[Path], None]:
    def build(target: Path) -> None:
        document = _body()
        node = document
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]
        target.write_bytes(_dumps(document))

    return build


def _text(change: Callable[[str], str]) -> Callable[[Path], None]:
    def build(target: Path) -> None:
        text = json.dumps(_body())
        changed = change(text)
        assert changed != text
        target.write_bytes(changed.encode("utf-8"))

    return build


def _huge_notes(target: Path) -> None:
    """100 MB of notes, streamed to disk so this process never holds it."""
    head, tail = json.dumps(uk_share_body(notes="@@NOTES@@")).split("@@NOTES@@")
    chunk = "x" * (1 << 20)
    with target.open("w", encoding="utf-8") as fh:
        fh.write(head)
        for _ in range(100):
            fh.write(chunk)
        fh.write(tail)


def _deep_notes(target: Path) -> None:
    text = json.dumps(uk_share_body(notes="@@NOTES@@"))
    target.write_text(text.replace('"@@NOTES@@"', "[" * 10_000 + "]" * 10_000), encoding="utf-8")


def _bad_utf8(target: Path) -> None:
    head, tail = json.dumps(uk_share_body(notes="@@NOTES@@")).encode().split(b"@@NOTES@@")
    target.write_bytes(head + b"caf\xc3(\xff\xfe" + tail)


RECIPIENT = ["checklist", "answers", "Q4_recipient", "recipients", 0]
Q2 = ["checklist", "answers", "Q2_purpose"]
INVALID = {
    "bool-as-string": (
        _set([*RECIPIENT, "identified"], "true"),
        "checklist.answers.Q4_recipient.recipients.0.identified",
    ),
    "top-bool-as-string": (
        _set(["minimum_necessary_attestation"], "true"),
        "minimum_necessary_attestation",
    ),
    "unknown-top-level": (_set(["colour"], "blue"), "colour"),
    "unknown-nested": (
        _set([*RECIPIENT, "nickname"], "Sam"),
        "checklist.answers.Q4_recipient.recipients.0.nickname",
    ),
    "missing-purpose-statement": (
        _drop([*Q2, "purpose_statement"]),
        "checklist.answers.Q2_purpose.purpose_statement",
    ),
    "missing-recipient-organisation": (
        _drop([*RECIPIENT, "organisation"]),
        "checklist.answers.Q4_recipient.recipients.0.organisation",
    ),
    "huge-notes": (_huge_notes, "notes"),
    "deep-notes": (_deep_notes, "notes.0.0"),
    "invalid-utf8": (_bad_utf8, "UTF-8"),
    "duplicate-key": (
        _text(lambda t: t.replace('"notes": ', '"notes": "first", "notes": ', 1)),
        "notes",
    ),
    "duplicate-nested-key": (
        _text(
            lambda t: t.replace('"legitimate": "YES"', '"legitimate": "YES", "legitimate": "NO"')
        ),
        "checklist.answers.Q2_purpose.legitimate",
    ),
    "nan": (
        _text(lambda t: t.replace('"subject_age": 14', '"subject_age": NaN')),
        "checklist.answers.Q9_who_consents.subject_age",
    ),
    "naive-datetime": (_set(["decision_at"], "2025-03-10T11:00:00"), "decision_at"),
    "not-an-object": (lambda target: target.write_bytes(b"[1, 2, 3]"), "$"),
}


@pytest.fixture(scope="module")
def quiet_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("quiet") / "store"
    make_store(directory, [us_share_body()])
    return directory


def _start(*args: str | Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "desktop.cli", *[str(a) for a in args]],
        cwd=REPO,
        env={**os.environ, "DISCLOSURE_LOG_PASSPHRASE": PASSPHRASE},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.parametrize("case", list(INVALID))
def test_invalid_record_json_is_refused_naming_the_field_and_changes_nothing(
    quiet_store: Path, tmp_path: Path, case: str
) -> None:
    build, field = INVALID[case]
    document = tmp_path / "record.json"
    build(document)
    before = tree_digest(quiet_store)

    # Both forms at once (two cores): human output, and --json for scripts.
    human = _start("--store", quiet_store, "add", document)
    scripted = _start("--store", quiet_store, "add", document, "--json")
    out, err = human.communicate(timeout=120)
    json_out, json_err = scripted.communicate(timeout=120)

    assert human.returncode == 4, err.decode(errors="replace")
    message = err.decode("utf-8")
    if field == "UTF-8":
        assert "invalid UTF-8 at byte offset" in message
    elif field == "$":
        assert "$:" in message
    else:
        assert f"  {field}" in message, message
    assert out == b""
    assert len(err) < 10_000
    assert SECRET not in message
    assert "Traceback" not in message

    assert scripted.returncode == 4, json_err.decode(errors="replace")
    error = json.loads(json_out)
    assert error["error"] == "INVALID_INPUT"
    assert error["details"]
    assert all(set(d) == {"field", "message"} for d in error["details"])
    if field not in ("UTF-8", "$"):
        assert any(d["field"].startswith(field) for d in error["details"]), error
    assert SECRET not in json_out.decode("utf-8")

    # `add` reads its file before unlocking: not even an `unlocked` audit entry was written.
    assert tree_digest(quiet_store) == before


def test_a_valid_record_is_accepted_by_the_same_path(quiet_store: Path, tmp_path: Path) -> None:
    """The control for the cases above: the unbroken document is added (exit 0)."""
    document = tmp_path / "record.json"
    document.write_bytes(_dumps(_body()))
    done = run_cli(
        "--store",
        quiet_store,
        "add",
        document,
        "--json",
        env={"DISCLOSURE_LOG_PASSPHRASE": PASSPHRASE},
    )
    assert done.returncode == 0, done.stderr.decode()
    assert uuid.UUID(json.loads(done.stdout)["id"]).version == 4


# -- 5. recovery ----------------------------------------------------------------------------
def test_a_lost_passphrase_is_recovered_with_the_organisation_key(
    cli: CliRunner, store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compact: the full set of recovery cases is in test_cli_store.py."""
    org = X25519PrivateKey.generate()
    public = org.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    policy = write_json(tmp_path / "policy.json", {"recovery_public_key": public.decode()})
    monkeypatch.setenv("DISCLOSURE_LOG_POLICY", str(policy))
    org_pem = tmp_path / "org.pem"
    org_pem.write_bytes(
        org.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", PASSPHRASE)
    init = ("init", "--name", "Sam", "--role", "SW", "--organisation", "Council")
    assert cli("--store", store_dir, *init, "--jurisdiction", "UK-ENG").code == 0
    record_id = cli("--store", store_dir, "add", write_json(tmp_path / "r.json", _body()))
    assert record_id.code == 0

    monkeypatch.delenv("DISCLOSURE_LOG_PASSPHRASE")  # lost
    done = run_cli(
        "--store",
        store_dir,
        "recover",
        "--org-key",
        org_pem,
        env={"DISCLOSURE_LOG_NEW_PASSPHRASE": "the replacement passphrase"},
    )
    assert done.returncode == 0, done.stderr.decode()
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", "the replacement passphrase")
    shown = cli("--store", store_dir, "show", record_id.out.strip(), "--json")
    assert shown.code == 0, shown.err
    assert shown.json()["notes"] == f"Notes {SECRET}"
