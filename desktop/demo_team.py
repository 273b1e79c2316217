"""A demo supervisor's inbox: reports from three sample practitioners, imported for real.

``make demo`` opens a throwaway store; with this, its Review view has something to review. Each
practitioner gets a throwaway store of sample records in ``folder`` (deleted with the demo), adds
the supervisor's identity card, exports a report to them and is trusted by them, exactly as
people do it (README, "Reports for supervisors"); the supervisor then imports each report.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Final

from desktop.progress import CancelCheck
from desktop.session import ReportScope, Session

TEAM: Final = (
    ("Sam Patel", "Social worker"),
    ("Priya Shah", "Family support worker"),
    ("Alex Rivera", "School nurse"),
)
EVERYTHING: Final = ReportScope(date(1900, 1, 1), date(2100, 1, 1))


def import_team_reports(
    supervisor: Session,
    folder: Path,
    records_each: int,
    should_cancel: CancelCheck | None = None,
) -> int:
    """Import one report from each sample practitioner; return the records imported."""
    folder.mkdir(parents=True, exist_ok=True)
    card = folder / "supervisor.card"
    supervisor.write_identity_card(card)
    profile = supervisor.profile()
    imported = 0
    for number, (name, role) in enumerate(TEAM, start=1):
        if should_cancel is not None and should_cancel():
            break
        practitioner = Session.create(
            folder / f"practitioner-{number}",
            secrets.token_urlsafe(24),  # nobody opens these stores again
            replace(profile, name=name, role=role),
            supervisor.policy,
        )
        try:
            practitioner.fill_demo(records_each, seed=number)
            practitioner.add_recipient("supervisor", card.read_bytes())
            supervisor.trust_certificate(practitioner.identity().certificate_pem())
            report = folder / f"practitioner-{number}.dlreport"
            practitioner.export_report(EVERYTHING, "supervisor", report)
        finally:
            practitioner.lock()
        imported += supervisor.import_report(report.read_bytes()).versions_added
    return imported
