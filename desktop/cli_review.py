"""``disclosure-log-cli review …``: the supervisor's review of imported records (issue 6), and
the practitioner's import of the outcome.

Kept apart from ``desktop.cli`` (which registers these commands) because it is one capability
with its own words; it uses that module's helpers for stores, input files and output.
"""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path
from typing import Any, Final

from desktop.cli import (
    ACTION_WORDS,
    EXIT_OK,
    _count,
    _day_start,
    _parse_day,
    _printable,
    describe_record,
    emit_json,
    open_session,
    read_input_file,
    statement_line,
)
from desktop.review.attention import Reason
from desktop.review.service import waits
from desktop.review.statement import MAX_FILE_BYTES, Action, Statement
from desktop.session import InvalidRequest, Session, fingerprint_hex
from desktop.store.review import ReviewFilter, ReviewRow

#: Each reason in plain words, and the name the command line takes for it.
REASON_WORDS: Final = {
    Reason.WITHOUT_CONSENT: ("without-consent", "shared without consent"),
    Reason.NO_ESTABLISHED_BASIS: ("no-basis", "disclosed without an established basis"),
    Reason.OBJECTION_OVERRULED: ("objection-overruled", "an objection was overruled"),
    Reason.NOT_INFORMED: ("not-informed", "the person was not informed"),
    Reason.EMERGENCY_RECORDED_LATE: ("emergency-late", "emergency recorded over 24 h later"),
    Reason.WHOLE_RECORD: ("whole-record", "the whole record was disclosed"),
    Reason.OPEN_FLAGS: ("flags", "the checklist raised flags"),
    Reason.SIGN_OFF_REQUIRED: ("sign-off-required", "needs your sign-off"),
    Reason.RECIPIENTS_TO_NOTIFY: (
        "recipients-to-notify",
        "consent withdrawn: recipients still to be told",
    ),
}
REASON_NAMES: Final = {name: reason for reason, (name, _) in REASON_WORDS.items()}
STATES: Final = ("open", "acknowledged", "queried", "signed_off")


def reasons_of(bits: int) -> list[Reason]:
    return [reason for reason in REASON_WORDS if bits & reason]


def _signer(session: Session, text: str | None) -> str | None:
    """A practitioner as typed: their fingerprint, or a name that matches exactly one."""
    if text is None:
        return None
    try:
        return fingerprint_hex(text)
    except InvalidRequest:
        pass
    matches = [
        p.fingerprint
        for p in session.review.practitioners()
        if p.name.casefold() == text.casefold() or p.name.casefold().startswith(text.casefold())
    ]
    if len(matches) != 1:
        raise InvalidRequest(
            f"{'no' if not matches else 'more than one'} practitioner matches {text!r}:"
            " give their fingerprint (see 'review practitioners')"
        )
    return matches[0]


def review_item(row: ReviewRow) -> dict[str, Any]:
    item = row.item
    return {
        "practitioner": row.practitioner,
        "practitioner_sha256": item.signer_sha256,
        "id": item.record_id,
        "version": item.version,
        "record_hash": item.record_hash,
        "case_id": item.case_id,
        "subject_id": item.subject_id,
        "event_at": item.event_at,
        "status": item.status,
        "outcome": item.outcome,
        "recipient": item.recipient_summary,
        "reasons": [REASON_WORDS[r][0] for r in reasons_of(item.reasons)],
        "state": row.state,
        "needs_attention": row.attention,
    }


def statement_item(statement: Statement) -> dict[str, Any]:
    return {
        "action": statement.action.value,
        "record_id": statement.record_id,
        "version": statement.version,
        "record_hash": statement.record_hash,
        "comment": statement.comment,
        "acted_at": statement.acted_at.isoformat(),
        "reviewer": statement.reviewer.name,
        "reviewer_role": statement.reviewer.role,
    }


def cmd_review_practitioners(args: argparse.Namespace) -> int:
    session = open_session(args)
    try:
        found = session.review.practitioners()
    finally:
        session.lock()
    if args.json:
        emit_json(
            [
                {"name": p.name, "fingerprint": p.fingerprint, "records": p.records}
                | {"waiting": p.waiting}
                for p in found
            ]
        )
        return EXIT_OK
    for p in found:
        print(f"{_printable(p.name) or '(no name)'}")
        print(f"  {_count(p.records, 'record', 'records')}, {p.waiting} waiting for review")
        print(f"  fingerprint {p.fingerprint}")
    if not found:
        print("No imported records yet: 'report import FILE.dlreport' brings them in.")
    return EXIT_OK


def cmd_review_queue(args: argparse.Namespace) -> int:
    session = open_session(args)
    try:
        where = ReviewFilter(
            signer_sha256=_signer(session, args.practitioner),
            start=_day_start(args.from_day) if args.from_day else None,
            end=_day_start(args.to_day + timedelta(days=1)) if args.to_day else None,
            outcome=args.outcome,
            reason=int(REASON_NAMES[args.reason]) if args.reason else None,
            state=args.state,
            attention_only=not args.all,
        )
        rows = session.review.rows(where, args.limit)
    finally:
        session.lock()
    if args.json:
        emit_json([review_item(row) for row in rows])
        return EXIT_OK
    for row in rows:
        item = row.item
        print(
            f"{item.event_at[:16].replace('T', ' ')}  {_printable(row.practitioner)}"
            f"  {item.outcome or item.status}  {row.state.replace('_', ' ')}"
        )
        print(
            f"  {item.record_id}  case {_printable(item.case_id)}"
            f"  to {_printable(item.recipient_summary)}"
        )
        words = [REASON_WORDS[r][1] for r in reasons_of(item.reasons)]
        if words:
            print(f"  {'; '.join(words)}")
    if not rows:
        print("Nothing waits for review." if not args.all else "No imported record matches.")
    return EXIT_OK


def cmd_review_show(args: argparse.Namespace) -> int:
    session = open_session(args)
    try:
        row = session.review.find(args.id, _signer(session, args.practitioner))
        versions = session.review.history(row.item.signer_sha256, row.item.record_id)
        actions = session.review.actions(row.item.signer_sha256, row.item.record_id)
    finally:
        session.lock()
    if args.json:
        emit_json(
            review_item(row)
            | {"versions": versions, "actions": [statement_item(a) for a in actions]}
        )
        return EXIT_OK
    print(f"From {_printable(row.practitioner)} ({row.item.signer_sha256})")
    print(describe_record(versions[-1]))
    words = [REASON_WORDS[r][1] for r in reasons_of(row.item.reasons)]
    print(f"Review: {row.state.replace('_', ' ')}" + (f" ({'; '.join(words)})" if words else ""))
    for action in actions:
        print("  " + statement_line(action))
    return EXIT_OK


def cmd_review_act(args: argparse.Namespace) -> int:
    action = Action(args.review_command.replace("-", "_"))
    session = open_session(args)
    try:
        signer = _signer(session, args.practitioner)
        statement = session.review.act(signer, args.id, action, args.comment)
        row = session.review.find(args.id, statement.practitioner_sha256)
    finally:
        session.lock()
    print(f"Record {statement.record_id}, version {statement.version}: {ACTION_WORDS[action]}.")
    if waits(row.item.reasons, row.state):
        print("It stays in the queue: what it holds needs your sign-off.")
    return EXIT_OK


def cmd_review_export(args: argparse.Namespace) -> int:
    session = open_session(args)
    try:
        signer = _signer(session, args.practitioner)
        assert signer is not None  # the option is required
        count = session.review.export(signer, args.out)
    finally:
        session.lock()
    print(f"{_count(count, 'review', 'reviews')} written to {args.out}, encrypted to them.")
    return EXIT_OK


def cmd_review_import(args: argparse.Namespace) -> int:
    data = read_input_file(args.file, MAX_FILE_BYTES)
    session = open_session(args)
    try:
        imported = session.review.import_file(data)
    finally:
        session.lock()
    if not imported.added:
        print(
            f"These reviews by {_printable(imported.reviewer)} were imported before:"
            " nothing changed."
        )
        return EXIT_OK
    print(
        f"{_count(imported.added, 'review', 'reviews')} by {_printable(imported.reviewer)}"
        " imported: 'show ID' lists them with each record."
    )
    return EXIT_OK


def add_review_commands(sub: Any) -> None:
    review = sub.add_parser(
        "review", help="supervisors: review imported records; practitioners: import the outcome"
    )
    review_sub = review.add_subparsers(dest="review_command", required=True, metavar="COMMAND")
    p = review_sub.add_parser("practitioners", help="whose records you imported, and what waits")
    p.set_defaults(handler=cmd_review_practitioners)
    p.add_argument("--json", action="store_true", help="print JSON")
    p = review_sub.add_parser(
        "queue", help="imported records that need your attention (--all: every imported record)"
    )
    p.set_defaults(handler=cmd_review_queue)
    p.add_argument("--practitioner", help="a fingerprint, or a name")
    p.add_argument("--from", dest="from_day", type=_parse_day, help="on or after YYYY-MM-DD")
    p.add_argument("--to", dest="to_day", type=_parse_day, help="on or before YYYY-MM-DD")
    p.add_argument("--outcome", help="e.g. SHARE_WITHOUT_CONSENT")
    p.add_argument("--reason", choices=sorted(REASON_NAMES), help="why it needs attention")
    p.add_argument("--state", choices=STATES, help="where its review stands")
    p.add_argument("--all", action="store_true", help="every imported record, not only the queue")
    p.add_argument("--limit", type=int, help="at most this many")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = review_sub.add_parser("show", help="an imported record, its versions and its review")
    p.set_defaults(handler=cmd_review_show)
    p.add_argument("id", help="the record's id")
    p.add_argument("--practitioner", help="whose, if more than one sent this id")
    p.add_argument("--json", action="store_true", help="print JSON")
    for name, help_text in (
        ("acknowledge", "you have seen it and have no concerns"),
        ("query", "ask the practitioner about it (--comment says what)"),
        ("sign-off", "sign off the record's latest version"),
    ):
        p = review_sub.add_parser(name, help=help_text)
        p.set_defaults(handler=cmd_review_act)
        p.add_argument("id", help="the record's id")
        p.add_argument("--practitioner", help="whose, if more than one sent this id")
        p.add_argument("--comment", required=name == "query", help="for the practitioner to read")
    p = review_sub.add_parser(
        "export", help="write your reviews of a practitioner's records for them (.dlreview)"
    )
    p.set_defaults(handler=cmd_review_export)
    p.add_argument("--practitioner", required=True, help="a fingerprint, or a name")
    p.add_argument("--out", type=Path, required=True, help="FILE.dlreview")
    p = review_sub.add_parser(
        "import", help="practitioners: import your supervisor's reviews of your records"
    )
    p.set_defaults(handler=cmd_review_import)
    p.add_argument("file", type=Path, help="FILE.dlreview")
