"""One real store and one report made from it, shared by the report tests (they only read).

The store holds demo records (UK and US, every outcome and status), a record about a person
whose name the PDF standard fonts cannot write, amended once, a draft and a consent withdrawal.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from desktop.domain.canonical import sha256_hex
from desktop.domain.records import ConsentWithdrawal, RecordBody
from desktop.domain.strict_json import validate_document
from desktop.policy import Policy
from desktop.reports.collect import ReportContent, ReportScope, collect
from desktop.reports.pades import sign_pdf
from desktop.reports.pdf_report import render_pdf
from desktop.reports.report_json import report_json
from desktop.session import Session
from desktop.store.keyslots import MIN_MEMORY_KIB, MIN_TIME_COST, Argon2Params
from tests.conftest import PASSPHRASE, PROFILE
from tests.factories import signing_identity, uk_share_body

DEMO_RECORDS = 240
EVERYTHING = ReportScope(date(2000, 1, 1), date(2099, 12, 31))
REPORT_ID = "0b6f7c1e-5d2a-4c3b-9e8f-1a2b3c4d5e6f"
GENERATED_AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
NAMED = {"subject_id": "SUBJ-CYM-1", "name": "Siân Ŵyn Łukasiewicz", "role": "CHILD"}
"""Welsh and Polish letters: outside the character set of the PDF standard fonts."""
AMEND_REASON = "Added what the strategy discussion decided"
WITHDRAWN_AT = "2098-06-01T09:00:00+00:00"
"""After every demo record, so the recipients of all the case's consented records are listed."""


@dataclass(frozen=True)
class Store:
    session: Session
    amended_id: str
    draft_id: str
    withdrawal: dict[str, Any]


@dataclass(frozen=True)
class Report:
    content: ReportContent
    document: bytes
    pdf: bytes
    signed: bytes
    footer_hash: str
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate


def make_report(session: Session, scope: ReportScope = EVERYTHING) -> ReportContent:
    return collect(session, scope, report_id=REPORT_ID, generated_at=GENERATED_AT)


def _body(document: dict[str, Any]) -> RecordBody:
    return validate_document(RecordBody, document)


def _withdraw_from_a_consented_record(session: Session) -> dict[str, Any]:
    case_id, subject_id = session.store.conn.execute(
        "SELECT case_id, subject_id FROM records"
        " WHERE status = 'FINAL' AND outcome = 'SHARE_WITH_CONSENT' ORDER BY id LIMIT 1"
    ).fetchone()
    withdrawal = validate_document(
        ConsentWithdrawal,
        {
            "case_id": case_id,
            "subject_id": subject_id,
            "withdrawn_at": WITHDRAWN_AT,
            "by_whom": "The person, in writing",
            "scope": "All sharing with the school",
            "how": "WRITTEN",
            "recipients_notified": [
                {"organisation": "Millbridge High School", "notified_at": WITHDRAWN_AT}
            ],
        },
    )
    result = session.withdraw_consent(withdrawal)
    return next(d for d in session.consent_withdrawals() if d["id"] == result.withdrawal_id)


@pytest.fixture(scope="package")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    directory = tmp_path_factory.mktemp("reports") / "store"
    params = Argon2Params(MIN_MEMORY_KIB, MIN_TIME_COST)
    session = Session.create(directory, PASSPHRASE, PROFILE, Policy(), params=params)
    session.fill_demo(DEMO_RECORDS, seed=7)
    amended = session.add_record(_body(uk_share_body(subject=NAMED)))
    session.amend_record(
        amended.record_id,
        _body(uk_share_body(subject=NAMED, notes="Strategy discussion: section 47 enquiry.")),
        AMEND_REASON,
    )
    draft = session.add_record(_body(uk_share_body(status="DRAFT")))
    withdrawal = _withdraw_from_a_consented_record(session)
    yield Store(session, amended.record_id, draft.record_id, withdrawal)
    session.lock()


@pytest.fixture(scope="package")
def report(store: Store) -> Report:
    content = make_report(store.session)
    document = report_json(content)
    footer_hash = sha256_hex(document)
    pdf = render_pdf(content, footer_hash=footer_hash)
    key, certificate = signing_identity()
    return Report(
        content=content,
        document=document,
        pdf=pdf,
        signed=sign_pdf(pdf, key, certificate),
        footer_hash=footer_hash,
        key=key,
        certificate=certificate,
    )


def latest_documents(session: Session, scope: ReportScope) -> dict[str, dict[str, Any]]:
    """The latest version of each record in scope, read with SQL of the test's own."""
    date_from = f"{scope.start.isoformat()}T00:00:00Z"
    date_to = f"{(scope.end + timedelta(days=1)).isoformat()}T00:00:00Z"
    sql = (
        "SELECT r.record_id, v.body FROM records r JOIN record_versions v"
        " ON v.record = r.id AND v.version = r.latest_version"
        " WHERE r.event_at >= ? AND r.event_at < ?"
    )
    params: list[str] = [date_from, date_to]
    if scope.case_id is not None:
        sql += " AND r.case_id = ?"
        params.append(scope.case_id)
    rows = session.store.conn.execute(sql, params).fetchall()
    return {record_id: json.loads(body) for record_id, body in rows}


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
