"""How a supervisor and a practitioner come to trust each other, and a supervisor who trusts Sam
with Sam's genuine report of three records sent to them (what the importer's fuzzing, its cancel
tests and the fuzz harness start from)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from desktop.domain.records import RecordBody
from desktop.identity import Identity
from desktop.policy import Policy
from desktop.session import ReportScope, Session
from desktop.store.keyslots import MIN_MEMORY_KIB, MIN_TIME_COST, Argon2Params
from tests.conftest import PASSPHRASE, PROFILE
from tests.factories import uk_share_body


@dataclass(frozen=True)
class SentReport:
    supervisor: Session
    """Unlocked; the caller locks it."""
    bundle: Path
    sam: Identity


def introduce(
    supervisor: Session, practitioner: Session, folder: Path, as_recipient: str = "supervisor"
) -> None:
    """What the two do once, after checking fingerprints: the practitioner adds the
    supervisor's card as a recipient; the supervisor pins the practitioner's certificate."""
    card = folder / "supervisor.card"
    supervisor.write_identity_card(card)
    practitioner.add_recipient(as_recipient, card.read_bytes())
    supervisor.trust_certificate(practitioner.identity().certificate_pem())


def sent_report(folder: Path) -> SentReport:
    params = Argon2Params(MIN_MEMORY_KIB, MIN_TIME_COST)
    supervisor = Session.create(folder / "jo", PASSPHRASE, PROFILE, Policy(), params=params)
    sam = Session.create(folder / "sam", PASSPHRASE, PROFILE, Policy(), params=params)
    try:
        introduce(supervisor, sam, folder)
        for notes in ("First visit.", "Strategy discussion.", "Follow-up call."):
            sam.add_record(RecordBody.model_validate(uk_share_body(notes=notes)))
        bundle = folder / "report.dlreport"
        sam.export_report(ReportScope(date(2000, 1, 1), date(2099, 12, 31)), "supervisor", bundle)
        return SentReport(supervisor, bundle, sam.identity())
    finally:
        sam.lock()
