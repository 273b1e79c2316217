"""The detail pane: one record in full, read-only, in sections a practitioner reads top to bottom.

Sections: the decision in a sentence and the record's header; the supervisor's review, once
their ``.dlreview`` file was imported (who signed off, acknowledged or queried which version, when,
and their comment; and whether the record has changed since); case and person; recipients;
purpose; information shared; consent and any override; whether the person was told; the checklist
output with its reasons (outcome in plain words, basis codes with their labels, each block or flag
with what to do); notes; every checklist answer; the version history; the audit events.

Everything is said in words (never by colour alone), every value is escaped, and the text is
selectable with the keyboard and the mouse. What the pane needs is fetched in one worker job
(``load_detail``): the record, its history, its audit events, the supervisor's reviews (each
verified again) and the rule pack's labels, so the GUI thread never touches the session.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTextBrowser, QWidget

from desktop.domain.enums import Jurisdiction
from desktop.session import BundleError, Session
from desktop.ui.wording import (
    SUBTYPES,
    fill_in,
    humanise_key,
    jurisdiction_label,
    local_time,
    outcome_label,
    regime_label,
    render_document,
    status_label,
    translate,
)


@dataclass(frozen=True)
class ReviewOutcome:
    """One of the supervisor's reviews of the record, as plain data."""

    action: str
    """``sign_off``, ``acknowledge`` or ``query``."""
    reviewer: str
    role: str
    acted_at: str
    """UTC, ``2026-11-21T14:30:00Z``."""
    version: int
    comment: str | None


@dataclass(frozen=True)
class RecordDetail:
    """All the pane shows about one record; plain data, made on the worker thread."""

    record_id: str
    document: dict[str, Any]
    history: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    basis_labels: dict[str, str] = field(default_factory=dict)
    reason_labels: dict[str, str] = field(default_factory=dict)
    what_to_do: dict[str, str] = field(default_factory=dict)
    reviews: list[ReviewOutcome] = field(default_factory=list)
    reviews_problem: str | None = None
    """Why the supervisor's reviews could not be shown (one no longer verifies), if so."""


def load_reviews(session: Session, record_id: str) -> tuple[list[ReviewOutcome], str | None]:
    try:
        statements = session.review.outcomes(record_id)
    except BundleError as exc:
        return [], str(exc)
    return [
        ReviewOutcome(
            action=statement.action.value,
            reviewer=statement.reviewer.name,
            role=statement.reviewer.role,
            acted_at=statement.acted_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            version=statement.version,
            comment=statement.comment,
        )
        for statement in statements
    ], None


def pack_labels(
    session: Session, document: dict[str, Any]
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """The rule pack's words for a record's basis codes, reason codes and checks (by code);
    empty for a jurisdiction this version does not know: codes are then shown as they are."""
    jurisdiction = (document.get("checklist") or {}).get("jurisdiction")
    try:
        pack = session.rule_pack(Jurisdiction(str(jurisdiction)))
    except ValueError:
        return {}, {}, {}
    return (
        {code.code: code.label for code in pack.basis_codes},
        {str(reason.code): reason.label for reason in pack.reason_codes},
        {check.id: check.what_to_do for check in pack.validations},
    )


def load_detail(record_id: str) -> Callable[[Session], RecordDetail]:
    """The worker job for the pane: it captures only the id."""

    def job(session: Session) -> RecordDetail:
        document = session.record(record_id)
        basis, reasons, what = pack_labels(session, document)
        reviews, reviews_problem = load_reviews(session, record_id)
        return RecordDetail(
            record_id=record_id,
            document=document,
            history=session.history(record_id),
            events=session.audit_events(record_id),
            basis_labels=basis,
            reason_labels=reasons,
            what_to_do=what,
            reviews=reviews,
            reviews_problem=reviews_problem,
        )

    return job


def _code_words(code: Any) -> str:
    """``NOT_INFORMED`` → ``Not informed``: a code nobody has labelled yet, at least readable."""
    return humanise_key(str(code).lower())


class DetailView(QTextBrowser):
    """Read-only rich text; Tab moves focus on, arrows and selection work as in any text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recordDetail")
        self.setReadOnly(True)
        self.setOpenLinks(False)
        self.setAccessibleName(self.tr("Record detail"))
        self.setAccessibleDescription(
            self.tr("The selected record in full: decision, reasons, versions and audit events")
        )
        self.setPlaceholderText(self.tr("Select a record to read it here."))
        self.setTabChangesFocus(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByKeyboard
            | Qt.TextInteractionFlag.TextSelectableByMouse
        )

    # -- what the browser calls ---------------------------------------------------------------
    def show_detail(self, detail: RecordDetail) -> None:
        self.setHtml(self.to_html(detail))

    def show_problem(self, text: str) -> None:
        self.setPlainText(text)

    # -- building blocks ----------------------------------------------------------------------
    @staticmethod
    def _heading(text: str) -> str:
        return f"<h3>{html.escape(text)}</h3>"

    @staticmethod
    def _line(label: str, value: Any, indent: int = 0) -> str:
        if value is None or value in ("", []):
            return ""
        style = f"margin-top:0; margin-bottom:0; margin-left:{indent * 16}px"
        return f'<p style="{style}"><b>{html.escape(label)}:</b> {html.escape(str(value))}</p>'

    @staticmethod
    def _text(value: str, indent: int = 0) -> str:
        style = f"margin-top:0; margin-bottom:0; margin-left:{indent * 16}px"
        return f'<p style="{style}">{html.escape(value)}</p>'

    def _yes_no(self, value: Any) -> str | None:
        if value is None:
            return None
        return self.tr("Yes") if value else self.tr("No")

    # -- the record ---------------------------------------------------------------------------
    def to_html(self, detail: RecordDetail) -> str:
        doc = detail.document
        decision = doc.get("decision") or {}
        answers = (doc.get("checklist") or {}).get("answers") or {}
        parts: list[str] = []
        parts += self._header(doc, decision)
        parts += self._reviews(doc, detail)
        parts += self._case_and_person(doc)
        parts += self._recipients(answers)
        parts += self._purpose(answers)
        parts += self._information(answers)
        parts += self._consent(answers, detail)
        parts += self._informed(answers)
        parts += self._checklist_output(doc, decision, detail)
        parts += self._notes(doc)
        parts += self._all_answers(answers)
        parts += self._history(detail.history)
        parts += self._events(detail.events)
        return "".join(part for part in parts if part)

    def _header(self, doc: dict[str, Any], decision: dict[str, Any]) -> list[str]:
        by = doc.get("created_by") or {}
        return [
            f"<h2>{html.escape(outcome_label(decision.get('outcome'), decision.get('subtype')))}"
            "</h2>",
            self._line(self.tr("Status"), status_label(str(doc.get("status", "")))),
            self._line(self.tr("Id"), doc.get("id")),
            self._line(self.tr("Version"), doc.get("version")),
            self._line(
                self.tr("Decided"),
                local_time(doc["decision_at"]) if doc.get("decision_at") else None,
            ),
            self._line(
                self.tr("Recorded"),
                local_time(doc["created_at"]) if doc.get("created_at") else None,
            ),
            self._line(self.tr("Recorded by"), self._person(by)),
            self._line(self.tr("Amendment reason"), doc.get("amend_reason")),
        ]

    def _reviews(self, doc: dict[str, Any], detail: RecordDetail) -> list[str]:
        """What the supervisor made of the record, oldest first, and whether it changed since."""
        if not detail.reviews and detail.reviews_problem is None:
            return []
        parts = [self._heading(self.tr("Supervisor's review"))]
        if detail.reviews_problem is not None:
            parts.append(
                self._text(
                    fill_in(
                        self.tr("Your supervisor's reviews cannot be shown: %1"),
                        detail.reviews_problem,
                    )
                )
            )
        for review in detail.reviews:
            parts.append(self._text(self.review_line(review)))
        if detail.reviews:
            reviewed = max(review.version for review in detail.reviews)
            current = doc.get("version")
            if current is not None and current != reviewed:
                parts.append(
                    self._text(
                        fill_in(
                            self.tr(
                                "Reviewed version %1; this record is now at version %2, which"
                                " your supervisor has not reviewed yet."
                            ),
                            reviewed,
                            current,
                        )
                    )
                )
        return parts

    def review_line(self, review: ReviewOutcome) -> str:
        """``Signed off by Jo Supervisor (Team manager) on 2026-11-21 14:30, version 1: …``"""
        templates = {
            "sign_off": self.tr("Signed off by %1 (%2) on %3, version %4"),
            "acknowledge": self.tr("Acknowledged by %1 (%2) on %3, version %4"),
            "query": self.tr("Queried by %1 (%2) on %3, version %4"),
        }
        line = fill_in(
            templates[review.action],
            review.reviewer,
            review.role,
            local_time(review.acted_at),
            review.version,
        )
        return fill_in(self.tr("%1: %2"), line, review.comment) if review.comment else line

    def _person(self, who: dict[str, Any]) -> str | None:
        if not who:
            return None
        name = who.get("name") or ""
        extra = ", ".join(str(who[key]) for key in ("role", "organisation") if who.get(key))
        return f"{name} ({extra})" if extra else name

    def _case_and_person(self, doc: dict[str, Any]) -> list[str]:
        case = doc.get("case") or {}
        subject = doc.get("subject") or {}
        checklist = doc.get("checklist") or {}
        regimes = ", ".join(regime_label(str(code)) for code in checklist.get("regimes") or [])
        return [
            self._heading(self.tr("Case and person")),
            self._line(self.tr("Case"), case.get("case_id")),
            self._line(self.tr("Case reference"), case.get("reference")),
            self._line(self.tr("Person"), subject.get("name")),
            self._line(self.tr("Person id"), subject.get("subject_id")),
            self._line(self.tr("Date of birth"), subject.get("date_of_birth")),
            self._line(
                self.tr("Role"), _code_words(subject["role"]) if subject.get("role") else None
            ),
            self._line(
                self.tr("Jurisdiction"),
                jurisdiction_label(str(checklist["jurisdiction"]))
                if checklist.get("jurisdiction")
                else None,
            ),
            self._line(self.tr("Regimes"), regimes),
        ]

    def _recipients(self, answers: dict[str, Any]) -> list[str]:
        recipients = (answers.get("Q4_recipient") or {}).get("recipients") or []
        parts = [self._heading(self.tr("Recipients"))]
        if not recipients:
            parts.append(self._text(self.tr("No recipient recorded.")))
        for number, recipient in enumerate(recipients, start=1):
            title = ", ".join(
                str(recipient[key])
                for key in ("name", "role_title", "organisation")
                if recipient.get(key)
            )
            parts.append(self._text(f"{number}. {title}"))
            parts.append(self._line(self.tr("Address"), recipient.get("address"), 1))
            parts.append(
                self._line(
                    self.tr("Identity checked how"), recipient.get("identity_verified_how"), 1
                )
            )
        return parts

    def _purpose(self, answers: dict[str, Any]) -> list[str]:
        purpose = answers.get("Q2_purpose") or {}
        return [
            self._heading(self.tr("Purpose")),
            self._text(str(purpose.get("purpose_statement") or self.tr("Not recorded."))),
            self._line(
                self.tr("Kind of purpose"),
                _code_words(purpose["purpose_code"]) if purpose.get("purpose_code") else None,
            ),
        ]

    def _information(self, answers: dict[str, Any]) -> list[str]:
        kinds = (answers.get("Q6_information_type") or {}).get("info_types") or []
        items = (answers.get("Q12_minimum_necessary") or {}).get("items") or []
        parts = [
            self._heading(self.tr("Information shared")),
            self._line(self.tr("Kinds of information"), ", ".join(map(_code_words, kinds))),
        ]
        if not items:
            parts.append(self._text(self.tr("No information items recorded.")))
        for number, item in enumerate(items, start=1):
            parts.append(self._text(f"{number}. {item.get('description') or ''}"))
            parts.append(
                self._line(
                    self.tr("Fact or opinion"),
                    _code_words(item["fact_or_opinion"]) if item.get("fact_or_opinion") else None,
                    1,
                )
            )
            parts.append(self._line(self.tr("Why needed"), item.get("justification"), 1))
        return parts

    def _consent(self, answers: dict[str, Any], detail: RecordDetail) -> list[str]:
        consent = answers.get("Q10_seek_consent") or {}
        override = answers.get("Q11_override_basis") or {}
        objections = (answers.get("Q13_objections") or {}).get("objections") or []
        parts = [
            self._heading(self.tr("Consent and override")),
            self._line(self.tr("Consent sought"), self._yes_no(consent.get("consent_sought"))),
            self._line(
                self.tr("Consent"),
                _code_words(consent["consent_result"]) if consent.get("consent_result") else None,
            ),
            self._line(
                self.tr("Why not sought"),
                _code_words(consent["not_sought_reason"])
                if consent.get("not_sought_reason")
                else None,
            ),
            self._line(self.tr("Their views"), consent.get("views")),
        ]
        for claim in override.get("claims") or []:
            code = str(claim.get("code") or "")
            label = detail.basis_labels.get(code, "")
            parts.append(
                self._line(
                    self.tr("Override basis claimed"),
                    f"{code} — {label}" if label else code,
                )
            )
        parts.append(self._line(self.tr("Risk"), override.get("risk_description")))
        parts.append(
            self._line(
                self.tr("Necessary and proportionate"),
                override.get("necessity_and_proportionality"),
            )
        )
        for objection in objections:
            overruled = self.tr("overruled") if objection.get("overruled") else self.tr("upheld")
            who = _code_words(objection.get("by_role") or "")
            parts.append(
                self._line(
                    self.tr("Objection"),
                    f"{who} ({overruled}): {objection.get('explanation') or ''}",
                )
            )
        return parts

    def _informed(self, answers: dict[str, Any]) -> list[str]:
        inform = answers.get("Q14_inform") or {}
        return [
            self._heading(self.tr("Was the person told")),
            self._line(
                self.tr("Told"),
                _code_words(inform["status"]) if inform.get("status") else self.tr("Not recorded"),
            ),
            self._line(self.tr("What they were told"), inform.get("narrative")),
        ]

    def _checklist_output(
        self, doc: dict[str, Any], decision: dict[str, Any], detail: RecordDetail
    ) -> list[str]:
        pack = doc.get("rule_pack") or {}
        parts = [
            self._heading(self.tr("Checklist decision and reasons")),
            self._line(self.tr("Outcome"), outcome_label(decision.get("outcome"))),
            self._line(
                self.tr("Subtype"),
                translate(str(SUBTYPES.get(decision["subtype"], decision["subtype"])))
                if decision.get("subtype")
                else None,
            ),
            self._line(
                self.tr("Rule pack"),
                f"{pack.get('id')} {pack.get('version')}" if pack else None,
            ),
        ]
        basis = decision.get("basis_codes") or []
        if basis:
            parts.append(self._text(self.tr("Basis:")))
            for code in basis:
                label = detail.basis_labels.get(code)
                parts.append(self._text(f"{code} — {label}" if label else code, 1))
        else:
            parts.append(self._line(self.tr("Basis"), self.tr("None")))
        for code in decision.get("reason_codes") or []:
            parts.append(
                self._line(self.tr("Reason"), detail.reason_labels.get(code) or _code_words(code))
            )
        for kind, title in (
            ("blocks", self.tr("Block (stops a final save)")),
            ("flags", self.tr("Flag for review")),
        ):
            for item in decision.get(kind) or []:
                parts.append(self._line(title, f"{item.get('id')}: {item.get('message')}"))
                parts.append(
                    self._line(self.tr("What to do"), detail.what_to_do.get(str(item.get("id"))), 1)
                )
        if not decision.get("blocks") and not decision.get("flags"):
            parts.append(self._text(self.tr("No blocks or flags.")))
        inform = decision.get("inform_subject") or {}
        if inform:
            told = _code_words(inform.get("decision") or "")
            timing = inform.get("timing")
            parts.append(
                self._line(
                    self.tr("Tell the person"),
                    f"{told} ({_code_words(timing).lower()})" if timing else told,
                )
            )
        parts.append(
            self._line(
                self.tr("Supervisor sign-off required"),
                self._yes_no(decision.get("requires_supervisor_signoff")),
            )
        )
        return parts

    def _notes(self, doc: dict[str, Any]) -> list[str]:
        not_sharing = doc.get("not_sharing") or {}
        return [
            self._heading(self.tr("Notes")) if doc.get("notes") or not_sharing else "",
            self._line(self.tr("Notes"), doc.get("notes")),
            self._line(self.tr("Why not shared"), not_sharing.get("reasoning_narrative")),
            self._line(self.tr("Review if"), not_sharing.get("review_trigger")),
        ]

    def _all_answers(self, answers: dict[str, Any]) -> list[str]:
        if not answers:
            return []
        parts = [self._heading(self.tr("Every checklist answer"))]
        for line in render_document(answers).splitlines():
            stripped = line.lstrip(" ")
            parts.append(self._text(stripped, (len(line) - len(stripped)) // 4))
        return parts

    def _history(self, history: Iterable[dict[str, Any]]) -> list[str]:
        versions = list(history)
        parts = [self._heading(self.tr("Version history (%n versions)", "", len(versions)))]
        for version in versions:
            when = local_time(version["created_at"]) if version.get("created_at") else ""
            parts.append(
                self._text(
                    self.tr("Version %1, %2, by %3")
                    .replace("%1", str(version.get("version", "")))
                    .replace("%2", when)
                    .replace("%3", self._person(version.get("created_by") or {}) or "")
                )
            )
            parts.append(self._line(self.tr("Amendment reason"), version.get("amend_reason"), 1))
            parts.append(self._line(self.tr("Outcome"), self._version_outcome(version), 1))
            parts.append(self._line(self.tr("Hash"), version.get("hash"), 1))
        return parts

    @staticmethod
    def _version_outcome(version: dict[str, Any]) -> str | None:
        decision = version.get("decision") or {}
        if not decision:
            return None
        return outcome_label(decision.get("outcome"), decision.get("subtype"))

    def _events(self, events: Iterable[dict[str, Any]]) -> list[str]:
        rows = list(events)
        parts = [self._heading(self.tr("Audit events (%n)", "", len(rows)))]
        for event in rows:
            parts.append(
                self._text(
                    self.tr("#%1 %2: %3 version %4 by %5")
                    .replace("%1", str(event.get("seq", "")))
                    .replace("%2", local_time(str(event.get("ts", ""))))
                    .replace("%3", _code_words(event.get("event", "")))
                    .replace("%4", str(event.get("version", "")))
                    .replace("%5", str(event.get("actor", "")))
                )
            )
            parts.append(self._line(self.tr("Hash"), event.get("hash"), 1))
        return parts
