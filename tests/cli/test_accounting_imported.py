"""The accounting of disclosures over everything a supervisor imported (issue 6).

Three practitioners, each with their own name, record disclosures about one person (and about
someone else) and send the supervisor reports with overlapping periods, so the same record
arrives in two reports; one of them amends a record and sends it again. The supervisor holds
a record of their own about the person too. The supervisor's accounting must list exactly the
union of what each practitioner's own store would list, each record once, in its latest state,
naming who made each disclosure: through the session and through ``report accounting``.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from desktop.domain.strict_json import parse_record_body
from desktop.policy import Policy
from desktop.reports.accounting import Entry
from desktop.session import ReportScope, Session
from tests.cli.conftest import FLOOR, CliRunner, add, dns_record, record_body
from tests.cli.test_report_cli import SCOPE, opened, session_card
from tests.conftest import PASSPHRASE, PROFILE

PERSON = "SUBJ-7300"
SOMEONE_ELSE = "SUBJ-7399"
MARCH = ReportScope(date(2025, 3, 1), date(2025, 3, 31))
"""A period inside the whole one: a record of March arrives in two reports."""
AMENDED = "Bea Practitioner: the March referral, its purpose corrected."


def first_name(name: str) -> str:
    return name.split(maxsplit=1)[0]


def about(who: str, subject: str, month: int) -> dict[str, Any]:
    """A UK share (listed in a subject access list) whose purpose and recipient say whose and
    when, so that each record can be told apart in the PDF."""
    return record_body(
        subject_id=subject,
        when=f"2025-{month:02d}-01T10:00:00Z",
        organisation=f"{first_name(who)}'s agency {month} for {subject}",
        purpose=f"{who}: referral of month {month} about {subject}.",
    )


@dataclass
class Member:
    """A practitioner: their store, their certificate, and the ids of what they recorded."""

    name: str
    store: Path
    certificate: Path
    about_person: list[str]
    about_someone_else: list[str]
    not_shared: str
    """A decision not to share, about the person: imported, but not a disclosure."""

    def export(self, out: Path, scope: ReportScope = SCOPE) -> Path:
        with opened(self.store) as session:
            session.export_report(scope, "supervisor", out)
        return out


def member(folder: Path, name: str, card: bytes, months: tuple[int, ...], others: int) -> Member:
    """A practitioner named ``name`` with a disclosure about the person in each of ``months``,
    ``others`` about someone else and a decision not to share about the person (not listed)."""
    store = folder / first_name(name).lower()
    session = Session.create(store, PASSPHRASE, replace(PROFILE, name=name), Policy(), FLOOR)
    try:
        mine = [add(session, about(name, PERSON, month)) for month in months]
        theirs = [add(session, about(name, SOMEONE_ELSE, 6 + n)) for n in range(others)]
        not_shared = add(session, dns_record(subject_id=PERSON, when="2025-03-15T10:00:00Z"))
        session.add_recipient("supervisor", card)
        session.write_certificate(folder / f"{store.name}.pem")
    finally:
        session.lock()
    return Member(name, store, folder / f"{store.name}.pem", mine, theirs, not_shared)


def amend(who: Member, record_id: str, purpose: str) -> None:
    """A new version of ``record_id`` with another purpose (the store keeps the old one)."""
    with opened(who.store) as session:
        document = copy.deepcopy(session.record(record_id))
        document["checklist"]["answers"]["Q2_purpose"]["purpose_statement"] = purpose
        body = parse_record_body(json.dumps(document).encode())  # less what the store assigns
        session.amend_record(record_id, body, "The purpose was mistyped.")


def own_entries(store: Path, subject: str = PERSON) -> list[Entry]:
    with opened(store) as session:
        return list(session.accounting(subject).entries)


def ordered(entries: list[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda entry: (entry.shared_at, entry.record_id))


@dataclass(frozen=True)
class Office:
    supervisor: Path
    team: list[Member]
    own: list[str]
    """The supervisor's own records about the person."""
    own_entries: dict[str, list[Entry]]
    """What the supervisor's store listed for each person before importing anything."""
    amended: str


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    folder = tmp_path_factory.mktemp("office")
    supervisor = folder / "supervisor"
    with opened(supervisor, create=True) as session:
        card = session_card(session, folder / "jo.card")
        own = [add(session, about("Jo Supervisor", PERSON, 6))]
        add(session, about("Jo Supervisor", SOMEONE_ELSE, 6))
    team = [
        member(folder, "Ann Practitioner", card, (1, 2, 3), 1),
        member(folder, "Bea Practitioner", card, (2, 3), 0),
        member(folder, "Cat Practitioner", card, (3, 4, 5), 2),
    ]
    before = {subject: own_entries(supervisor, subject) for subject in (PERSON, SOMEONE_ELSE)}
    assert [entry.record_id for entry in before[PERSON]] == own
    bundles = []
    for number, who in enumerate(team):
        bundles.append(who.export(folder / f"{number}-all.dlreport"))
        bundles.append(who.export(folder / f"{number}-march.dlreport", MARCH))
    bea = team[1]
    march_record = bea.about_person[1]  # in both of Bea's reports, then amended
    amend(bea, march_record, AMENDED)
    bundles.append(bea.export(folder / "1-amended.dlreport"))
    with opened(supervisor) as session:
        for who in team:
            session.trust_certificate(who.certificate.read_bytes())
        for bundle in bundles:
            assert not session.import_report(bundle.read_bytes()).already_imported, bundle.name
    return Office(supervisor, team, own, before, march_record)


def expected(office: Office, subject: str = PERSON) -> list[Entry]:
    """The union of what each store lists for ``subject`` on its own (the supervisor's: before
    importing anything)."""
    entries = list(office.own_entries[subject])
    for who in office.team:
        entries += own_entries(who.store, subject)
    return ordered(entries)


def test_the_supervisor_lists_the_union_of_every_practitioners_disclosures_once(
    office: Office,
) -> None:
    with opened(office.supervisor) as session:
        accounting = session.accounting(PERSON)
        held = session.store.conn.execute(
            "SELECT count(*) FROM imported_record_versions WHERE record_id = ?",
            (office.amended,),
        ).fetchone()[0]
    union = expected(office)
    assert ordered(list(accounting.entries)) == union
    assert accounting.series == ()
    # Worked out from what was put in, not only from the practitioners' own accountings:
    ids = [entry.record_id for entry in accounting.entries]
    assert len(ids) == len(set(ids)) == 1 + 3 + 2 + 3
    whose = {record_id: who.name for who in office.team for record_id in who.about_person}
    whose |= dict.fromkeys(office.own, "Jo Supervisor")
    assert {entry.record_id: entry.practitioner for entry in accounting.entries} == whose
    elsewhere = {record_id for who in office.team for record_id in who.about_someone_else}
    assert not elsewhere & set(ids)
    # The amended record: once, as it now stands, both of its versions held.
    (amended,) = [entry for entry in accounting.entries if entry.record_id == office.amended]
    assert amended.why == AMENDED
    assert held == 2
    assert [entry.shared_at for entry in accounting.entries] == sorted(
        entry.shared_at for entry in accounting.entries
    )
    assert accounting.subject_name == "Child A"


def test_someone_elses_accounting_lists_only_their_records(office: Office) -> None:
    with opened(office.supervisor) as session:
        accounting = session.accounting(SOMEONE_ELSE)
    assert ordered(list(accounting.entries)) == expected(office, SOMEONE_ELSE)
    assert len(accounting.entries) == 1 + 1 + 0 + 2


def test_the_store_finds_a_persons_imported_records_through_its_index(office: Office) -> None:
    with opened(office.supervisor) as session:
        found = session.store.imported.latest_of_subject(PERSON)
        plan = " ".join(
            str(row[-1])
            for row in session.store.conn.execute(
                "EXPLAIN QUERY PLAN SELECT 1 FROM imported_records WHERE subject_id = ?",
                (PERSON,),
            )
        )
    assert "imported_records_by_subject" in plan
    assert sorted(record.record_id for record in found) == sorted(
        record_id for who in office.team for record_id in [*who.about_person, who.not_shared]
    )
    assert {record.record_id: record.version for record in found}[office.amended] == 2


def text_of(pdf: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, text=True
    )
    return " ".join(done.stdout.split())


def test_report_accounting_writes_every_entry_once_with_who_shared_it(
    office: Office, cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCLOSURE_LOG_PASSPHRASE", PASSPHRASE)
    pdf = tmp_path / "accounting.pdf"
    done = cli(
        "--store", office.supervisor, "report", "accounting", "--subject", PERSON,
        "--out", pdf, "--yes",
    )  # fmt: skip
    assert done.code == 0, done.err
    assert "9 entries covering 9 disclosures" in done.out
    text = text_of(pdf)
    for entry in expected(office):
        assert text.count(entry.why) == 1, entry.why
        assert text.count(entry.receivers[0].name) == 1
    for who in office.team:
        assert text.count(f"Shared by: {who.name}") == len(who.about_person)
    assert text.count("Shared by: Jo Supervisor") == len(office.own)
    assert "Bea Practitioner: referral of month 3" not in text  # the amended-away purpose
    assert SOMEONE_ELSE not in text


# -- a record held both as the store's own and as imported ---------------------------------
@pytest.fixture
def twin(tmp_path: Path) -> tuple[Member, Path, list[str]]:
    """A practitioner, and a copy of their store taken before they amended a record: the copy
    imports the practitioner's report and so holds the same records as its own and imported."""
    with opened(tmp_path / "elsewhere", create=True) as session:
        card = session_card(session, tmp_path / "elsewhere.card")
    dee = member(tmp_path, "Dee Practitioner", card, (1, 2), 0)
    copied = tmp_path / "copy"
    shutil.copytree(dee.store, copied)
    amend(dee, dee.about_person[1], "Dee Practitioner: corrected afterwards.")
    with opened(copied) as session:
        session.trust_certificate(dee.certificate.read_bytes())
        session.import_report(dee.export(tmp_path / "dee.dlreport").read_bytes())
    return dee, copied, dee.about_person


def test_a_record_held_as_own_and_imported_is_listed_once_in_its_latest_state(
    twin: tuple[Member, Path, list[str]],
) -> None:
    dee, copied, (unchanged, amended) = twin
    with opened(copied) as session:
        entries = session.accounting(PERSON).entries
        imported = {r.record_id for r in session.store.imported.latest_of_subject(PERSON)}
    assert imported == {unchanged, amended, dee.not_shared}  # each held twice over
    assert [entry.record_id for entry in entries] == [unchanged, amended]
    assert entries[1].why == "Dee Practitioner: corrected afterwards."
    assert ordered(list(entries)) == ordered(own_entries(dee.store))
