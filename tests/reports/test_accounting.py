"""The accounting of disclosures for one person, from a real store to a signed PDF.

A US (HIPAA) store holds, for one person, disclosures the accounting must list, ones the law
leaves out (authorization, to the person, people involved in care, treatment/payment/operations,
older than six years, under an agency's suspension, a draft), a (b)(3) series and someone else's
records. What the accounting should hold is worked out here from what was put in; the PDF is
read back with poppler and qpdf and its signature checked by pyHanko. A UK store gives the
subject access list, with protected third parties and staff names left out.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from desktop.domain.records import RecordBody
from desktop.domain.strict_json import validate_document
from desktop.policy import Policy
from desktop.reports.accounting import Accounting
from desktop.reports.labels import INFORMATION_KINDS, PURPOSES
from desktop.reports.pades import validate
from desktop.session import InvalidRequest, Session
from desktop.store.keyslots import MIN_MEMORY_KIB, MIN_TIME_COST, Argon2Params
from tests.conftest import PASSPHRASE, PROFILE, US_PROFILE
from tests.factories import dns_body, uk_share_body, us_share_body
from tests.reports.test_pades import pyhanko_validate

FLOOR = Argon2Params(MIN_MEMORY_KIB, MIN_TIME_COST)
PERSON = "MRN-7001"
NOW = datetime.now(UTC).replace(microsecond=0)
PROTECTED = "Mrs Quillfeather"
"""A neighbour whose identity needs protecting: named in the practitioner's own words."""


@dataclass(frozen=True)
class Put:
    """A record put into the store, and whether the accounting must list it (and why not)."""

    organisation: str
    purpose: str
    days_ago: int
    kind: str = "accountable"
    subject: str = PERSON
    series: str | None = None
    address: str | None = None
    listed: bool = True

    @property
    def when(self) -> datetime:
        return NOW - timedelta(days=self.days_ago)


US_PUTS = (
    Put(
        "Texas DFPS Statewide Intake",
        "Report of suspected abuse required by state law.",
        400,
        address="PO Box 149030, Austin, TX 78714",
    ),
    Put("Metro Police Special Victims Unit", "Answer a court-ordered warrant.", 250),
    # (b)(3): weekly reports to one recipient for one purpose.
    *(
        Put(
            "County TB Control Program",
            "Weekly tuberculosis follow-up required by state law.",
            days_ago,
            series="TB-2025",
            address="12 Health Plaza, Springfield",
        )
        for days_ago in (60, 53, 46)
    ),
    Put("State Vital Records Office", "One report in a series of its own.", 30, series="SOLO"),
    # (a)(2)(ii): an oral statement suspends for 30 days at most, unless a written one follows.
    Put("Harbor County Sheriff", "Follow-up to a sheriff's enquiry.", 50, kind="oral-lapsed"),
    Put("Protected Neighbour Agency", f"Follow up what {PROTECTED} saw.", 20, kind="protected"),
    # Sent without an established basis (no claim): still a disclosure the person is told of.
    Put("Unplanned Disclosure Agency", "Sent before a basis was checked.", 25, kind="no-basis"),
    # Left out, and why (45 CFR 164.528(a)):
    Put(
        "Authorized Clinic",
        "Shared under a signed authorization.",
        200,
        kind="authorization",
        listed=False,
    ),
    Put("Own Copy Desk", "A copy for the person themselves.", 150, kind="to-self", listed=False),
    Put(
        "Sister Caregiver Household",
        "Discharge care by his sister.",
        120,
        kind="care",
        listed=False,
    ),
    Put("Treating Cardiology Team", "Referral for treatment.", 90, kind="tpo", listed=False),
    Put("Long Ago Agency", "Older than the six years.", 7 * 366, listed=False),
    Put(
        "Written Suspension Agency", "Under a written suspension.", 20, kind="written", listed=False
    ),
    Put(
        "Oral Suspension Agency",
        "Under a fresh oral suspension.",
        10,
        kind="oral-fresh",
        listed=False,
    ),
    Put("Draft Only Agency", "Not final.", 15, kind="draft", listed=False),
    Put("Other Person Agency", "About someone else.", 40, subject="MRN-9999", listed=False),
)


def _consent(answers: dict[str, Any], form: str, purpose_code: str) -> None:
    """Consent given in ``form``: the engine's basis is then the form's (not an A code)."""
    answers["Q2_purpose"]["purpose_code"] = purpose_code
    answers["Q7_compelled"] = {"instrument_type": "NONE"}
    answers["Q8_protection_concern"] = {"protection_concern": False}
    answers["Q9_who_consents"] = {
        "subject_age": 40,
        "capacity_test": "NOT_NEEDED",
        "capacity_outcome": "HAS_CAPACITY",
        "decision_maker_role": "SUBJECT",
    }
    answers["Q10_seek_consent"] = {
        "consent_sought": True,
        "consent_result": "GIVEN",
        "consent_forms": [form],
        "views": "Agreed.",
    }
    answers["Q14_inform"] = {"status": "BEFORE"}


def _treatment(answers: dict[str, Any]) -> None:
    """A treatment claim at the override question (45 CFR 164.506: not accountable)."""
    _consent(answers, "HIPAA_AUTHORIZATION", "DIRECT_CARE")
    answers["Q10_seek_consent"] = {
        "consent_sought": False,
        "not_sought_reason": "NOT_GENUINE_CHOICE",
        "views": "Not asked: referral for treatment.",
    }
    answers["Q11_override_basis"] = {
        "claims": [{"code": "US-HIPAA-TPO-506", "conditions_met": "YES"}],
        "override_screen": {
            "who_at_risk": ["SUBJECT"],
            "coercion_suspected": False,
            "serious_crime": False,
            "staff_implicated": False,
            "vital_interest_emergency": False,
        },
    }
    answers["Q15_advice"] = {"consultations": [{"role": "PRIVACY_OFFICER", "timing": "BEFORE"}]}


def us_body(put: Put) -> dict[str, Any]:
    """A mandated report (accountable), changed as ``put.kind`` says."""
    body = copy.deepcopy(us_share_body())
    body["subject"]["subject_id"] = put.subject
    answers = body["checklist"]["answers"]
    recipient = answers["Q4_recipient"]["recipients"][0]
    recipient.update(name=f"Officer at {put.organisation}", organisation=put.organisation)
    recipient.pop("address")
    if put.address:
        recipient["address"] = put.address
    answers["Q2_purpose"]["purpose_statement"] = put.purpose
    answers["Q12_minimum_necessary"]["items"][0]["description"] = f"Notes for {put.organisation}"
    when = put.when.isoformat()
    answers["Q17_record"] = {"disclosure_at": when, "record_created_at": when}
    body["decision_at"] = when
    if put.series:
        answers["Q17_record"]["series_id"] = put.series
    suspensions = {
        "written": {"statement_type": "WRITTEN", "received_at": when},
        "oral-fresh": {"statement_type": "ORAL", "received_at": when},
        "oral-lapsed": {"statement_type": "ORAL", "received_at": when},
    }
    if put.kind in suspensions:
        answers["Q17_record"]["accounting_suspension"] = suspensions[put.kind]
    if put.kind == "authorization":
        _consent(answers, "HIPAA_AUTHORIZATION", "OTHER")
    if put.kind == "care":
        _consent(answers, "HIPAA_AGREEMENT_NO_OBJECTION", "FAMILY_INVOLVEMENT")
    if put.kind == "tpo":
        _treatment(answers)
    if put.kind == "to-self":
        recipient["kind"] = "SUBJECT"
    if put.kind == "draft":
        body["status"] = "DRAFT"
    if put.kind == "no-basis":  # the order turned out not to be valid: no basis at all
        answers["Q7_compelled"].update(instrument_valid="NO", claims=[])
        body["not_sharing"] = {"reasoning_narrative": "The order was not valid."}
        body["status"] = "DISCLOSURE_WITHOUT_ESTABLISHED_BASIS"
    if put.kind == "protected":
        body["other_individuals"] = [
            {
                "description": f"{PROTECTED}, the neighbour who raised the concern",
                "identity_protection_needed": True,
                "reason": "Fears retaliation",
            }
        ]
        answers["Q12_minimum_necessary"]["items"][0]["description"] = f"What {PROTECTED} saw"
    return body


def add(session: Session, document: dict[str, Any]) -> str:
    body = session.decide(validate_document(RecordBody, document))
    return session.add_record(body).record_id


@dataclass(frozen=True)
class UsStore:
    session: Session
    ids: dict[Put, str]
    accounting: Accounting
    pdf: Path


@pytest.fixture(scope="module")
def us_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UsStore]:
    folder = tmp_path_factory.mktemp("accounting")
    session = Session.create(folder / "store", PASSPHRASE, US_PROFILE, Policy(), params=FLOOR)
    ids = {put: add(session, us_body(put)) for put in US_PUTS}
    accounting = session.accounting(PERSON)
    pdf = folder / "accounting.pdf"
    session.write_accounting(accounting, pdf)
    yield UsStore(session, ids, accounting, pdf)
    session.lock()


def text_of(pdf: Path) -> str:
    """The PDF's text as pdftotext reads it, each run of white space one space."""
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, text=True
    )
    return " ".join(done.stdout.split())


def day(moment: datetime) -> str:
    return moment.astimezone(UTC).date().isoformat()


def expected_entries() -> tuple[list[Put], dict[str, list[Put]]]:
    """Single entries (oldest first) and the (b)(3) series with more than one disclosure."""
    listed = sorted((put for put in US_PUTS if put.listed), key=lambda put: put.when)
    series: dict[str, list[Put]] = {}
    for put in listed:
        if put.series:
            series.setdefault(put.series, []).append(put)
    grouped = {name: puts for name, puts in series.items() if len(puts) > 1}
    singles = [put for put in listed if put.series not in grouped]
    return singles, grouped


def test_the_accounting_lists_exactly_the_accountable_disclosures(us_store: UsStore) -> None:
    singles, grouped = expected_entries()
    accounting = us_store.accounting
    assert [entry.record_id for entry in accounting.entries] == [
        us_store.ids[put] for put in singles
    ]
    assert [(s.first.record_id, s.count, day(s.last_at)) for s in accounting.series] == [
        (us_store.ids[puts[0]], len(puts), day(puts[-1].when)) for puts in grouped.values()
    ]
    assert accounting.disclosure_count == sum(put.listed for put in US_PUTS)
    # Every one listed is a report the parent, the suspected abuser, was not told of.
    assert accounting.not_told_for_safety == accounting.disclosure_count
    today = datetime.now(UTC).date()
    leap_day = (today.month, today.day) == (2, 29)
    six_years_back = date(today.year - 6, today.month, 28 if leap_day else today.day)
    assert (accounting.scope.start, accounting.scope.end) == (six_years_back, today)


def test_the_pdf_shows_each_entry_and_nothing_left_out(us_store: UsStore) -> None:
    text = text_of(us_store.pdf)
    assert "Disclosures of your information" in text
    assert "Riverside General Hospital" in text
    singles, grouped = expected_entries()
    for put in singles:
        assert f"When: {day(put.when)}" in text
        assert f"Officer at {put.organisation}" in text
        if put.kind != "protected":
            assert put.purpose in text
    for puts in grouped.values():
        first, last = puts[0], puts[-1]
        assert f"First time: {day(first.when)}" in text
        assert f"How many times: {len(puts)} times in this period" in text
        assert f"Last time: {day(last.when)}" in text
        assert first.purpose in text
        assert f"Address: {first.address}" in text
    for put in US_PUTS:
        if not put.listed:
            assert put.organisation not in text
            assert put.purpose not in text
    assert "suspen" not in text.lower()  # not a hint that anything was held back


def test_a_protected_third_party_is_not_named(us_store: UsStore) -> None:
    text = text_of(us_store.pdf)
    assert PROTECTED not in text
    assert "Quillfeather" not in text
    assert "Some details are left out because they are about other people." in text
    assert f"Why: {PURPOSES['SAFEGUARDING_CHILD']}" in text
    assert f"What was shared: {INFORMATION_KINDS['CONFIDENTIAL']}" in text


def test_every_page_is_numbered_and_qpdf_finds_no_fault(us_store: UsStore) -> None:
    pages = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(us_store.pdf), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout.split("\f")[:-1]
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
    checked = subprocess.run(
        ["qpdf", "--check", str(us_store.pdf)], capture_output=True, check=True, text=True
    )
    assert "No syntax or stream encoding errors found" in checked.stdout
    info = subprocess.run(
        ["pdfinfo", str(us_store.pdf)], capture_output=True, check=True, text=True
    ).stdout
    assert PERSON not in info


def test_the_signature_validates_with_pyhanko(us_store: UsStore, tmp_path: Path) -> None:
    certificate = us_store.session.identity().certificate
    signed = us_store.pdf.read_bytes()
    assert validate(signed, certificate).ok
    trust = tmp_path / "practitioner.pem"
    trust.write_bytes(certificate.public_bytes(Encoding.PEM))
    done = pyhanko_validate(us_store.pdf, trust)
    assert done.returncode == 0, done.stderr


def test_the_file_is_owner_only_and_its_writing_audited_without_case_content(
    us_store: UsStore,
) -> None:
    if os.name != "nt":
        assert stat.S_IMODE(us_store.pdf.stat().st_mode) == 0o600
    rows = us_store.session.store.conn.execute(
        "SELECT detail FROM audit WHERE event = 'accounting_written'"
    ).fetchall()
    assert len(rows) == 1
    detail = json.loads(rows[0][0])
    accounting = us_store.accounting
    assert detail == {
        "entries": accounting.entry_count,
        "disclosures": accounting.disclosure_count,
        "sha256": hashlib.sha256(us_store.pdf.read_bytes()).hexdigest(),
    }
    assert us_store.session.verify_audit().ok


def test_a_shorter_period_can_be_asked_for_but_not_a_longer_one(us_store: UsStore) -> None:
    since = (NOW - timedelta(days=100)).date()
    shorter = us_store.session.accounting(PERSON, since)
    assert shorter.scope.start == since
    assert all(entry.shared_at.date() >= since for entry in shorter.entries)
    assert shorter.disclosure_count == sum(
        put.listed and put.when.date() >= since for put in US_PUTS
    )
    with pytest.raises(InvalidRequest, match="six years"):
        us_store.session.accounting(PERSON, date(2000, 1, 1))


# -- UK: the list for a subject access request ----------------------------------------------
UK_PERSON = "SUBJ-4242"
STAFF_NAME = "Alex Dutyworker"


def uk_body(
    days_ago: int, organisation: str, purpose: str, *, protected: bool = False
) -> dict[str, Any]:
    body = copy.deepcopy(uk_share_body())
    body["subject"]["subject_id"] = UK_PERSON
    answers = body["checklist"]["answers"]
    recipient = answers["Q4_recipient"]["recipients"][0]
    recipient.update(name=STAFF_NAME, organisation=organisation)
    answers["Q2_purpose"]["purpose_statement"] = purpose
    when = (NOW - timedelta(days=days_ago)).isoformat()
    answers["Q17_record"] = {"disclosure_at": when, "record_created_at": when}
    body["decision_at"] = when
    if protected:
        body["other_individuals"] = [
            {"description": f"{PROTECTED}, who reported it", "identity_protection_needed": True}
        ]
        answers["Q12_minimum_necessary"]["items"][0]["description"] = f"{PROTECTED}'s account"
    return body


def test_the_uk_list_names_recipients_and_purposes_but_not_protected_people(
    tmp_path: Path,
) -> None:
    session = Session.create(tmp_path / "store", PASSPHRASE, PROFILE, Policy(), params=FLOOR)
    try:
        old = add(session, uk_body(10 * 366, "Northshire Police", "Report a crime long ago."))
        recent = add(session, uk_body(30, "Children's MASH", "Refer for a section 47 enquiry."))
        shielded = add(
            session, uk_body(10, "Youth Offending Team", "Share what was seen.", protected=True)
        )
        not_shared = dns_body()
        not_shared["subject"]["subject_id"] = UK_PERSON
        add(session, not_shared)
        someone_else = uk_body(5, "Unrelated Agency", "About another child.")
        someone_else["subject"]["subject_id"] = "SUBJ-0001"
        add(session, someone_else)
        accounting = session.accounting(UK_PERSON)
        assert accounting.scope.start is None  # the whole record
        assert [entry.record_id for entry in accounting.entries] == [old, recent, shielded]
        assert accounting.series == ()
        pdf = tmp_path / "sar.pdf"
        session.write_accounting(accounting, pdf)
        certificate = session.identity().certificate
        since = (NOW - timedelta(days=60)).date()
        assert [e.record_id for e in session.accounting(UK_PERSON, since).entries] == [
            recent,
            shielded,
        ]
    finally:
        session.lock()
    text = text_of(pdf)
    assert "Article 15 of the UK GDPR" in text
    assert "Duty social worker, Children's MASH" in text
    assert "Refer for a section 47 enquiry." in text
    assert "Youth Offending Team" in text
    assert f"Why: {PURPOSES['SAFEGUARDING_CHILD']}" in text
    for absent in (PROTECTED, "Share what was seen.", STAFF_NAME, "Unrelated Agency"):
        assert absent not in text
    assert "Continue sharing the family assessment" not in text  # the decision not to share
    assert validate(pdf.read_bytes(), certificate).ok
