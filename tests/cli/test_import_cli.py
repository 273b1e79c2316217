"""``trust add|list|revoke`` and ``report import`` (DESIGN §6, issue 6), between real stores.

Practitioners export real bundles to a supervisor. Bundles an insider could make are built the
way the practitioner could: from a genuine bundle's members, changed, the manifest signed again
with the practitioner's own key and sealed to the supervisor. Whatever is refused must leave
every table of the supervisor's store as it was; only the audit log gains the refusal.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop.domain.canonical import canonical_json, sha256_hex
from desktop.domain.strict_json import parse_record_body
from desktop.identity import Identity, certificate_fingerprint, new_identity
from desktop.policy import Policy
from desktop.reports.container import MAX_MANIFEST_BYTES, Members, pack, unpack
from desktop.reports.envelope import open_sealed, seal
from desktop.reports.manifest import MemberDigest, sign_manifest
from desktop.session import ReportScope
from tests.cli.conftest import make_store, record_body, run_cli, write_json
from tests.cli.test_identity_cli import ORG_CA, OTHER_CA
from tests.cli.test_report_cli import ENV, SCOPE, audit_rows, identity, opened, session_card
from tests.conftest import tables_but_audit
from tests.reports.test_bundle import raw_container

Forge = Callable[..., bytes]


@dataclass(frozen=True)
class Practitioner:
    store: Path
    certificate: Path
    identity: Identity

    def export(self, out: Path, scope: ReportScope = SCOPE) -> Path:
        with opened(self.store) as session:
            session.export_report(scope, "supervisor", out)
        return out


def practitioner(
    tmp_path: Path, name: str, card: bytes, records: list[dict[str, Any]]
) -> Practitioner:
    store = tmp_path / name
    make_store(store, records)
    with opened(store) as session:
        session.add_recipient("supervisor", card)
        session.write_certificate(tmp_path / f"{name}.pem")
    return Practitioner(store, tmp_path / f"{name}.pem", identity(store))


@pytest.fixture
def supervisor(tmp_path: Path) -> Path:
    store = tmp_path / "supervisor"
    with opened(store, create=True):
        pass
    return store


@pytest.fixture
def card(supervisor: Path, tmp_path: Path) -> bytes:
    with opened(supervisor) as session:
        return session_card(session, tmp_path / "jo.card")


def cli(store: Path, *args: str | Path) -> Any:
    return run_cli("--store", store, *args, env=ENV)


def trust(store: Path, who: Practitioner) -> None:
    done = cli(store, "trust", "add", who.certificate, "--yes")
    assert done.returncode == 0, done.stderr


def imported(store: Path, bundle: Path) -> Any:
    return cli(store, "report", "import", bundle)


def tables(store: Path) -> dict[str, list[str]]:
    with opened(store) as session:
        return tables_but_audit(session.store.conn)


def events(store: Path, since: int = 0) -> list[tuple[str, dict[str, Any]]]:
    """The audit entries after the first ``since``, less the unlocking every command does."""
    return [
        (event, json.loads(detail))
        for event, detail in audit_rows(store)[since:]
        if event != "unlocked"
    ]


def store_files(store: Path) -> dict[str, str]:
    names = ("store.db", "store.db-wal", "keyslots.json")
    return {n: hashlib.sha256((store / n).read_bytes()).hexdigest() for n in names}


# -- the trust store ----------------------------------------------------------------------------
def test_trust_is_added_after_confirming_listed_revoked_and_audited(
    supervisor: Path, card: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sam = practitioner(tmp_path, "sam", card, [record_body()])
    policy = write_json(tmp_path / "policy.json", {"trusted_ca_certificates": [ORG_CA.pem]})
    monkeypatch.setenv("DISCLOSURE_LOG_POLICY", str(policy))
    before = len(audit_rows(supervisor))

    done = cli(supervisor, "trust", "add", sam.certificate)  # no terminal, no --yes
    assert done.returncode == 1, done.stderr
    assert b"--yes" in done.stderr
    with opened(sam.store) as session:
        fingerprint = session.certificate().fingerprint
    done = cli(supervisor, "trust", "add", sam.certificate, "--yes")
    assert done.returncode == 0, done.stderr
    assert f"Fingerprint   {fingerprint}  (SHA-256)".encode() in done.stdout
    again = cli(supervisor, "trust", "add", sam.certificate, "--yes")
    assert again.returncode == 0, again.stderr

    listed = json.loads(cli(supervisor, "trust", "list", "--json").stdout)
    assert [(e["source"], e["revoked_at"]) for e in listed] == [("pinned", None), ("policy", None)]
    assert listed[0]["certificate"]["fingerprint"] == fingerprint
    assert listed[1]["certificate"]["subject"] == "CN=Northshire Council Issuing CA"

    done = cli(supervisor, "trust", "revoke", fingerprint.lower())  # as read out, grouped
    assert done.returncode == 0, done.stderr
    listed = json.loads(cli(supervisor, "trust", "list", "--json").stdout)
    assert listed[0]["revoked_at"] is not None
    assert cli(supervisor, "trust", "add", sam.certificate, "--yes").returncode == 1
    assert cli(supervisor, "trust", "revoke", "00" * 32).returncode == 4
    assert cli(supervisor, "trust", "revoke", "not a fingerprint").returncode == 4

    digits = fingerprint.replace(" ", "").lower()
    assert events(supervisor, before) == [
        ("trust_added", {"certificate_sha256": digits}),
        ("trust_revoked", {"certificate_sha256": digits}),
    ]


# -- importing ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class World:
    """A supervisor who trusts Sam and imported Sam's first report; Sam's second is waiting."""

    supervisor: Path
    sam: Practitioner
    first: Path
    second: Path


@pytest.fixture
def world(supervisor: Path, card: bytes, tmp_path: Path) -> World:
    sam = practitioner(tmp_path, "sam", card, [record_body(), record_body(consent=True)])
    first = sam.export(tmp_path / "first.dlreport")
    second = sam.export(tmp_path / "second.dlreport")
    trust(supervisor, sam)
    done = imported(supervisor, first)
    assert done.returncode == 0, done.stderr
    return World(supervisor, sam, first, second)


def members_of(bundle: Path, who: Practitioner) -> Members:
    """A bundle's members, as its author can read them (every bundle is sealed to them too)."""
    return unpack(open_sealed(bundle.read_bytes(), who.identity.encryption_key))


def forger(world: World) -> Forge:
    """Sam's second report with ``manifest`` and ``head`` changes and ``records`` rewritten,
    signed by Sam and sealed to the supervisor."""
    genuine = members_of(world.second, world.sam)
    supervisor_key = identity(world.supervisor).encryption_key.public_key()

    def make(
        *,
        manifest: dict[str, Any] | None = None,
        document: bytes | None = None,
        edit: Callable[[dict[str, Any]], None] | None = None,
    ) -> bytes:
        fields = json.loads(genuine.manifest)
        report = json.loads(genuine.report_json)
        for key, value in (manifest or {}).items():
            fields[key] = value
            if key in report:
                report[key] = value
        if edit is not None:
            edit(report)
        body = document if document is not None else canonical_json(report)
        fields["report_json"] = MemberDigest.of(body).model_dump()
        signed = canonical_json(fields)
        members = replace(
            genuine,
            manifest=signed,
            signature=sign_manifest(signed, world.sam.identity.signing_key),
            report_json=body,
        )
        return seal(pack(members), [supervisor_key])

    return make


def _first_version(report: dict[str, Any]) -> dict[str, Any]:
    version: dict[str, Any] = report["records"][0]["versions"][0]
    return version


def _json_fault(old: bytes, new: bytes) -> Callable[[bytes], bytes]:
    return lambda document: document.replace(old, new, 1)


JSON_FAULTS: dict[str, Callable[[bytes], bytes]] = {
    "a duplicate key": lambda d: d[:-1] + b',"format":"disclosure-log-report/1"}',
    "NaN": _json_fault(b'"records":', b'"x":NaN,"records":'),
    "a lone surrogate": _json_fault(b'"organisation":"', b'"organisation":"\\ud800'),
    "deep nesting": lambda d: d[:-1] + b',"z":' + b"[" * 10_000 + b"]" * 10_000 + b"}",
}
EDITS: dict[str, tuple[Callable[[dict[str, Any]], None], int, str]] = {
    "an unknown field in a record": (
        lambda r: _first_version(r).update(unexpected=1),
        4,
        "invalid_record",
    ),
    "a wrong type in a record": (
        lambda r: _first_version(r).update(version="1"),
        4,
        "invalid_record",
    ),
    "a record listed twice": (
        lambda r: r.update(records=[r["records"][0], *r["records"][:-1]]),
        4,
        "invalid_record",
    ),
    "a record changed under its hash": (
        lambda r: _first_version(r).update(notes="Rewritten afterwards."),
        1,
        "record_chain_broken",
    ),
}


def container_faults(members: Members) -> dict[str, bytes]:
    """Containers laid out otherwise than the one layout the reader accepts. Members are never
    compressed (the container stores them as they are), so no member can expand: the nearest
    thing to a decompression bomb is a size claimed beyond the bytes that follow it."""
    names = ("manifest.json", "manifest.sig", "report.json", "report.pdf")
    parts = list(zip(names, members.in_order(), strict=True))
    layouts = {
        "a container with an extra member": [*parts, ("extra.txt", b"hello")],
        "a container with a member missing": parts[:3],
        "a container with a member twice": [*parts, parts[3]],
        "a container with a path-traversing member": [*parts[:3], ("../report.pdf", parts[3][1])],
        "a container with an oversized member": [
            ("manifest.json", b" " * (MAX_MANIFEST_BYTES + 1)),
            *parts[1:],
        ],
    }
    faults = {name: raw_container(layout) for name, layout in layouts.items()}
    faults["a container claiming a 1 GB member"] = (
        raw_container(parts[:3]) + bytes([10]) + b"report.pdf" + (2**30).to_bytes(8, "big")
    )
    return faults


def bad_inputs(world: World, card: bytes, tmp_path: Path) -> dict[str, tuple[bytes, int, str]]:
    """Each bad input: its bytes, the exit code and the audited reason code."""
    forge = forger(world)
    genuine = world.second.read_bytes()
    first_id = json.loads(members_of(world.first, world.sam).manifest)["report_id"]
    flipped = bytearray(genuine)
    flipped[len(genuine) // 2] ^= 0x01
    carol = new_identity("Carol Elsewhere", "Another Council")
    container = pack(members_of(world.second, world.sam))
    alex = practitioner(tmp_path, "alex", card, [record_body()])
    kim = practitioner(tmp_path, "kim", card, [record_body()])
    later = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    trust(world.supervisor, kim)
    done = cli(
        world.supervisor, "trust", "revoke", certificate_fingerprint(kim.identity.certificate)
    )
    assert done.returncode == 0, done.stderr
    cases: dict[str, tuple[bytes, int, str]] = {
        "not a bundle": (b"\x00garbage" * 100, 4, "malformed"),
        "a wrong recipient": (
            seal(container, [carol.encryption_key.public_key()]),
            1,
            "verification_failed",
        ),
        "an untrusted signer": (
            alex.export(tmp_path / "alex.dlreport").read_bytes(),
            1,
            "untrusted_signer",
        ),
        "a revoked signer": (
            kim.export(tmp_path / "kim.dlreport").read_bytes(),
            1,
            "revoked_signer",
        ),
        "a flipped byte": (bytes(flipped), 1, "verification_failed"),
        "a truncated file": (genuine[:-100], 1, "verification_failed"),
        "a replayed sequence number": (forge(manifest={"sequence": 1}), 1, "sequence_reused"),
        "a reused report id": (forge(manifest={"report_id": first_id}), 1, "report_id_reused"),
        "a forked series": (
            forge(manifest={"previous_bundle_sha256": "0" * 64}),
            1,
            "series_forked",
        ),
        "a report from the day after tomorrow": (
            forge(manifest={"created_at": later}, edit=lambda r: r.update(generated_at=later)),
            1,
            "from_the_future",
        ),
        "an audit checkpoint going backwards": (
            forge(manifest={"audit_checkpoint": {"seq": 1, "head": "0" * 64}}),
            1,
            "checkpoint_backwards",
        ),
    }
    supervisor_key = identity(world.supervisor).encryption_key.public_key()
    for name, container in container_faults(members_of(world.second, world.sam)).items():
        cases[name] = (seal(container, [supervisor_key]), 4, "malformed")
    document = members_of(world.second, world.sam).report_json
    for name, fault in JSON_FAULTS.items():
        changed = fault(document)
        assert changed != document, name
        cases[name] = (forge(document=changed), 4, "malformed")
    for name, (edit, code, reason) in EDITS.items():
        cases[name] = (forge(edit=edit), code, reason)
    return cases


ALERTS = {"sequence_reused", "report_id_reused", "series_forked"}


def test_every_bad_input_is_refused_and_changes_nothing_but_the_audit_log(
    world: World, card: bytes, tmp_path: Path
) -> None:
    cases = bad_inputs(world, card, tmp_path)
    for name, (data, code, reason) in cases.items():
        path = tmp_path / "inbox.dlreport"
        path.write_bytes(data)
        before, audited = tables(world.supervisor), len(audit_rows(world.supervisor))
        done = imported(world.supervisor, path)
        assert done.returncode == code, (name, done.stderr)
        assert done.stderr.startswith(b"disclosure-log-cli: "), name
        assert b"Traceback" not in done.stderr, name
        assert b"Sam Practitioner" not in done.stderr, name
        assert tables(world.supervisor) == before, name
        event = "report_import_alert" if reason in ALERTS else "report_import_refused"
        assert events(world.supervisor, audited) == [
            (event, {"reason": reason, "file_sha256": sha256_hex(data)})
        ], name
    done = imported(world.supervisor, world.second)  # the control: the genuine one imports
    assert done.returncode == 0, done.stderr
    assert cli(world.supervisor, "audit", "verify").returncode == 0


def test_the_same_report_twice_changes_nothing(world: World, tmp_path: Path) -> None:
    before, audited = tables(world.supervisor), len(audit_rows(world.supervisor))
    resealed = tmp_path / "resealed.dlreport"  # another sealing: another file, the same report
    supervisor_key = identity(world.supervisor).encryption_key.public_key()
    resealed.write_bytes(seal(pack(members_of(world.first, world.sam)), [supervisor_key]))
    for copy in (world.first, resealed):
        done = imported(world.supervisor, copy)
        assert done.returncode == 0, done.stderr
        assert b"already imported" in done.stdout
    assert tables(world.supervisor) == before
    assert events(world.supervisor, audited) == []
    with opened(world.supervisor) as session:
        files = store_files(world.supervisor)
        assert session.import_report(world.first.read_bytes()).already_imported
        assert store_files(world.supervisor) == files


def test_reports_of_three_practitioners_give_exactly_the_union_of_their_records(
    supervisor: Path, card: bytes, tmp_path: Path
) -> None:
    team = [
        practitioner(
            tmp_path, name, card, [record_body(when=f"2025-0{n}-01T10:00:00Z") for n in months]
        )
        for name, months in (("ann", (1, 2, 3)), ("bea", (2, 3)), ("cat", (3, 4, 5)))
    ]
    bundles = []
    for number, member in enumerate(team):
        trust(supervisor, member)
        bundles.append(member.export(tmp_path / f"{number}-all.dlreport"))
        march = ReportScope(date(2025, 3, 1), date(2025, 3, 31))  # inside the one before
        bundles.append(member.export(tmp_path / f"{number}-march.dlreport", march))
    for bundle in bundles:
        done = imported(supervisor, bundle)
        assert done.returncode == 0, (bundle.name, done.stderr)
    expected = set()
    for member in team:
        signer = certificate_fingerprint(member.identity.certificate)
        with opened(member.store) as session:
            rows = session.store.conn.execute("SELECT record_id, latest_version FROM records")
            expected |= {(signer, str(record_id), int(version)) for record_id, version in rows}
    with opened(supervisor) as session:
        conn = session.store.conn
        held = set(
            conn.execute("SELECT signer_sha256, record_id, latest_version FROM imported_records")
        )
        versions = conn.execute("SELECT count(*) FROM imported_record_versions").fetchone()[0]
        own = conn.execute("SELECT count(*) FROM records").fetchone()[0]
    assert held == expected
    assert len(expected) == 8
    assert versions == 8
    assert own == 0  # the supervisor's own records stay their own


def test_a_signer_certified_by_the_policy_ca_is_trusted_without_pinning(
    supervisor: Path, card: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = write_json(tmp_path / "policy.json", {"trusted_ca_certificates": [ORG_CA.pem]})
    monkeypatch.setenv("DISCLOSURE_LOG_POLICY", str(policy))
    bundles = {}
    for name, authority in (("sam", ORG_CA), ("ann", OTHER_CA)):
        who = practitioner(tmp_path, name, card, [record_body()])
        issued = tmp_path / f"{name}-issued.pem"
        issued.write_bytes(authority.issue(who.identity.signing_key.public_key()))
        if authority is ORG_CA:
            done = cli(who.store, "identity", "install-cert", issued)
            assert done.returncode == 0, done.stderr
        else:  # installed as the organisation of another policy would have allowed
            with opened(who.store, policy=Policy(trusted_ca_certificates=[OTHER_CA.pem])) as s:
                s.install_certificate(issued.read_bytes())
        bundles[name] = who.export(tmp_path / f"{name}.dlreport")

    before = tables(supervisor)
    done = imported(supervisor, bundles["ann"])  # a CA the policy does not name, not pinned
    assert done.returncode == 1
    assert tables(supervisor) == before
    done = imported(supervisor, bundles["sam"])  # nobody pinned Sam: the policy's CA vouches
    assert done.returncode == 0, done.stderr
    assert tables(supervisor) != before
    assert [event for event, _ in events(supervisor)][-2:] == [
        "report_import_refused",
        "report_imported",
    ]

    # Revoking Sam, whom nobody pinned, keeps the certificate their report carried, revoked,
    # and their next report is refused although the policy's CA still vouches for it.
    sam_store = tmp_path / "sam"
    with opened(sam_store) as session:
        fingerprint = certificate_fingerprint(session.identity().certificate)
    assert cli(supervisor, "trust", "revoke", "aa" * 32).returncode == 4  # nobody known
    done = cli(supervisor, "trust", "revoke", fingerprint)
    assert done.returncode == 0, done.stderr
    listed = json.loads(cli(supervisor, "trust", "list", "--json").stdout)
    revoked = [e for e in listed if e["source"] == "pinned"]
    assert [e["certificate"]["fingerprint"].replace(" ", "").lower() for e in revoked] == [
        fingerprint
    ]
    assert revoked[0]["revoked_at"] is not None
    with opened(sam_store) as session:
        session.add_record(parse_record_body(json.dumps(record_body()).encode()))
        session.export_report(SCOPE, "supervisor", tmp_path / "sam-2.dlreport")
    done = imported(supervisor, tmp_path / "sam-2.dlreport")
    assert done.returncode == 1
    assert b"revoked" in done.stderr
