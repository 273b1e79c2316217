"""``disclosure-log-cli``: the scriptable face of the app, a thin layer over ``Session``.

Exit codes (DESIGN §6): 0 ok, 1 a check failed, 2 usage, 3 wrong passphrase or locked,
4 invalid input, 5 store or I/O error. Messages never include case content.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from desktop import __version__
from desktop.domain.checklist import RulePack, evaluate_with_trace
from desktop.domain.checklist import questions as checklist_questions
from desktop.domain.enums import Jurisdiction, Outcome, Regime, WithdrawalEffect, WithdrawalHow
from desktop.domain.errors import InvalidDocument
from desktop.domain.records import ConsentWithdrawal, RecordBody
from desktop.domain.strict_json import loads_strict, parse_record_body, validate_document
from desktop.input_file import TooLarge, read_input
from desktop.org import (
    CA_PRIVATE,
    POLICY,
    RECOVERY_PRIVATE,
    REPORT_PRIVATE,
    OrgFilesExist,
    check_policy,
    organisation_files,
    write_organisation_files,
)
from desktop.policy import Policy, PolicyError, load_policy
from desktop.record_index import recipients_of
from desktop.review.statement import Action, Statement
from desktop.session import (
    MAX_BUNDLE_BYTES,
    MAX_CARD_BYTES,
    BundleError,
    BundleInfo,
    BundleRejected,
    CertificateInfo,
    Cursor,
    IdentityCard,
    IdentityError,
    IdentityRejected,
    InvalidRequest,
    PassphraseTooWeak,
    Profile,
    Recipient,
    RecordFilter,
    RecordNotFound,
    RecordRow,
    ReportScope,
    Session,
    StoreError,
    TrustEntry,
    WrongPassphrase,
    default_store_dir,
    organisation_pack,
    pack_for,
)

EXIT_OK, EXIT_CHECK_FAILED, EXIT_USAGE, EXIT_LOCKED, EXIT_INVALID, EXIT_STORE = 0, 1, 2, 3, 4, 5
PASSPHRASE_ENV = "DISCLOSURE_LOG_PASSPHRASE"  # noqa: S105 - a variable name
NEW_PASSPHRASE_ENV = "DISCLOSURE_LOG_NEW_PASSPHRASE"  # noqa: S105 - a variable name
MAX_INPUT_BYTES = 256 * 1024 * 1024
MAX_CHECKLIST_BYTES = 16 * 1024 * 1024
MAX_CERTIFICATE_BYTES = 1024 * 1024


class CliError(Exception):
    def __init__(self, code: int, message: str, details: list[dict[str, str]] | None = None):
        super().__init__(message)
        self.code = code
        self.details = details or []


# -- passphrases ----------------------------------------------------------------------------
def _read_secret_file(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(EXIT_STORE, f"cannot read the passphrase file {path}") from exc
    return text[:-1] if text.endswith("\n") else text


def _prompt(label: str, confirm: bool) -> str:
    if not sys.stdin.isatty():
        raise CliError(
            EXIT_LOCKED,
            "no passphrase given: use --passphrase-file or $DISCLOSURE_LOG_PASSPHRASE",
        )
    first = getpass.getpass(f"{label}: ")
    if confirm and getpass.getpass(f"{label} (again): ") != first:
        raise CliError(EXIT_INVALID, "the two passphrases differ")
    return first


def current_passphrase(args: argparse.Namespace, confirm: bool = False) -> str:
    if args.passphrase_file is not None:
        return _read_secret_file(args.passphrase_file)
    if PASSPHRASE_ENV in os.environ:
        return os.environ[PASSPHRASE_ENV]
    return _prompt("Passphrase", confirm)


def new_passphrase(args: argparse.Namespace) -> str:
    if args.new_passphrase_file is not None:
        return _read_secret_file(args.new_passphrase_file)
    if NEW_PASSPHRASE_ENV in os.environ:
        return os.environ[NEW_PASSPHRASE_ENV]
    return _prompt("New passphrase", confirm=True)


# -- input documents ------------------------------------------------------------------------
def read_input_file(path: Path, max_bytes: int = MAX_INPUT_BYTES) -> bytes:
    try:
        return read_input(path, max_bytes, regular_only=False)
    except TooLarge:
        raise CliError(
            EXIT_INVALID, f"{path} is too large (more than {max_bytes:,} bytes)"
        ) from None
    except OSError as exc:
        raise CliError(EXIT_INVALID, f"cannot read {path} ({exc.strerror})") from exc


def read_record(path: Path) -> RecordBody:
    try:
        return parse_record_body(read_input_file(path))
    except InvalidDocument as exc:
        raise CliError(EXIT_INVALID, f"{path} is not a valid record", exc.details) from exc


# -- opening --------------------------------------------------------------------------------
def _policy() -> Policy:
    try:
        return load_policy()
    except PolicyError as exc:
        raise CliError(EXIT_INVALID, str(exc)) from exc


def store_dir(args: argparse.Namespace) -> Path:
    return default_store_dir(args.store)


def open_session(args: argparse.Namespace) -> Session:
    session = Session.unlock(store_dir(args), current_passphrase(args), _policy())
    for warning in session.warnings:
        print(f"disclosure-log-cli: warning: {warning}", file=sys.stderr)
    return session


# -- output ---------------------------------------------------------------------------------
def emit_json(value: Any, out: TextIO | None = None) -> None:
    out = sys.stdout if out is None else out  # looked up per call: stdout may be replaced
    json.dump(value, out, indent=2, ensure_ascii=False)
    out.write("\n")


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _parse_moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date and time") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} needs a time zone offset, e.g. +00:00")
    return moment


def _day_start(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def record_filter(args: argparse.Namespace) -> RecordFilter:
    return RecordFilter(
        case_id=args.case,
        subject_id=args.subject,
        date_from=_day_start(args.date_from) if args.date_from else None,
        date_to=_day_start(args.date_to + timedelta(days=1)) if args.date_to else None,
        outcome=args.outcome,
        basis_code=args.basis,
        recipient_organisation=args.recipient_org,
        flagged_only=args.flagged,
        pending_only=args.pending,
    )


def list_item(row: RecordRow, document: dict[str, Any]) -> dict[str, Any]:
    """One element of ``list --json``: the row's columns plus what scripts usually want."""
    answers = document["checklist"]["answers"]
    record = answers.get("Q17_record") or {}
    recipients = [
        {k: r.get(k) for k in ("name", "role_title", "organisation", "kind")}
        for r in recipients_of(document)
    ]
    return {
        "id": row.record_id,
        "version": row.version,
        "case_id": row.case_id,
        "subject_id": row.subject_id,
        "status": row.status,
        "outcome": row.outcome,
        "subtype": row.subtype,
        "purpose_statement": answers["Q2_purpose"]["purpose_statement"],
        "recipient": recipients[0],
        "recipients": recipients,
        "basis_codes": (document.get("decision") or {}).get("basis_codes", []),
        "flagged": row.flagged,
        "pending": row.pending,
        "event_at": row.event_at,
        "decision_at": document["decision_at"],
        "disclosure_at": record.get("disclosure_at"),
        "created_at": document["created_at"],
    }


def _all_rows(session: Session, where: RecordFilter, limit: int | None) -> Iterator[RecordRow]:
    after, seen = None, 0
    while rows := session.list_records(where, after):
        for row in rows:
            if limit is not None and seen >= limit:
                return
            seen += 1
            yield row
        after = Cursor(rows[-1].event_at, rows[-1].rowid)


def print_rows(session: Session, rows: Iterator[RecordRow], as_json: bool) -> int:
    if as_json:
        sys.stdout.write("[")
        count = 0
        for row in rows:
            sys.stdout.write(",\n" if count else "\n")
            item = list_item(row, session.record(row.record_id))
            sys.stdout.write(json.dumps(item, ensure_ascii=False))
            count += 1
        sys.stdout.write("\n]\n" if count else "]\n")
        return count
    count = 0
    for row in rows:
        flags = ",".join(f for f, on in (("flagged", row.flagged), ("pending", row.pending)) if on)
        print(
            f"{row.event_at[:16].replace('T', ' ')}  {row.record_id}  {row.case_id:<14} "
            f"{row.outcome or row.status:<22} {row.recipient_summary}"
            + (f"  [{flags}]" if flags else "")
        )
        count += 1
    print(f"{count} record(s)", file=sys.stderr)
    return count


# -- commands -------------------------------------------------------------------------------
def cmd_init(args: argparse.Namespace) -> int:
    policy = _policy()
    jurisdiction = Jurisdiction(args.jurisdiction)
    regimes = tuple(Regime(r) for r in args.regimes) if args.regimes else None
    if regimes is None:
        regimes = tuple(policy.regimes) if policy.regimes else default_regimes(jurisdiction)
    profile = Profile(
        name=args.name,
        role=args.role,
        organisation=args.organisation,
        jurisdiction=jurisdiction,
        regimes=regimes,
        registration_number=args.registration_number,
    )
    session = Session.create(
        store_dir(args), current_passphrase(args, confirm=True), profile, policy
    )
    status = session.status()
    session.lock()
    print(f"Created a store in {status.path}")
    if not status.recovery_slot:
        print(
            "No organisation recovery key is set: if the passphrase is lost,"
            " the records cannot be opened by anyone.",
            file=sys.stderr,
        )
    return EXIT_OK


def default_regimes(jurisdiction: Jurisdiction) -> tuple[Regime, ...]:
    if jurisdiction is Jurisdiction.US:
        return (Regime.HIPAA,)
    return (Regime.UK_GDPR, Regime.CL_CONFIDENCE)


def cmd_status(args: argparse.Namespace) -> int:
    session = open_session(args)
    status = session.status().as_dict()
    session.lock()
    if args.json:
        emit_json(status)
    else:
        for key, value in status.items():
            print(f"{key.replace('_', ' '):<20} {value}")
    return EXIT_OK


def cmd_add(args: argparse.Namespace) -> int:
    body = read_record(args.file)
    session = open_session(args)
    saved = session.add_record(body)
    session.lock()
    if args.json:
        emit_json({"id": saved.record_id, "version": saved.version, "hash": saved.hash})
    else:
        print(saved.record_id)
    return EXIT_OK


def cmd_amend(args: argparse.Namespace) -> int:
    body = read_record(args.file)
    session = open_session(args)
    saved = session.amend_record(args.id, body, args.reason)
    session.lock()
    if args.json:
        emit_json({"id": saved.record_id, "version": saved.version, "hash": saved.hash})
    else:
        print(f"{saved.record_id} version {saved.version}")
    return EXIT_OK


def cmd_withdraw_consent(args: argparse.Namespace) -> int:
    try:
        withdrawal = validate_document(
            ConsentWithdrawal,
            {
                "case_id": args.case,
                "subject_id": args.subject,
                "withdrawn_at": args.at.isoformat(),
                "by_whom": args.by,
                "scope": args.scope,
                "how": args.how,
                "effect": args.effect,
                "record_ids": args.record or [],
                "notes": args.notes or "",
            },
        )
    except InvalidDocument as exc:
        raise CliError(EXIT_INVALID, "the consent withdrawal is not valid", exc.details) from exc
    session = open_session(args)
    result = session.withdraw_consent(withdrawal)
    session.lock()
    if args.json:
        emit_json(
            {
                "id": result.withdrawal_id,
                "hash": result.hash,
                "recipients_to_notify": result.recipients_to_notify,
            }
        )
        return EXIT_OK
    print(result.withdrawal_id)
    if result.recipients_to_notify:
        print("Tell these recipients that consent has been withdrawn:")
        for r in result.recipients_to_notify:
            who = ", ".join(p for p in (r.get("name"), r["role_title"], r["organisation"]) if p)
            print(f"  - {who} ({len(r['record_ids'])} record(s))")
    else:
        print("No recipient received information on the strength of this consent.")
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    session = open_session(args)
    try:
        print_rows(session, _all_rows(session, record_filter(args), args.limit), args.json)
    finally:
        session.lock()
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    session = open_session(args)
    try:
        rows = session.search(args.text, limit=args.limit)
        print_rows(session, iter(rows), args.json)
    finally:
        session.lock()
    return EXIT_OK


ACTION_WORDS = {
    Action.ACKNOWLEDGE: "acknowledged",
    Action.QUERY: "queried",
    Action.SIGN_OFF: "signed off",
}


def statement_line(statement: Statement) -> str:
    """A supervisor's review of a record, in one line."""
    line = (
        f"{statement.acted_at.date().isoformat()}  {ACTION_WORDS[statement.action]} by"
        f" {_printable(statement.reviewer.name)} ({_printable(statement.reviewer.role)})"
        f", version {statement.version}"
    )
    return line + (f": {_printable(statement.comment)}" if statement.comment else "")


def cmd_show(args: argparse.Namespace) -> int:
    session = open_session(args)
    try:
        documents = (
            session.history(args.id) if args.history else [session.record(args.id, args.version)]
        )
        reviews = session.review.outcomes(args.id)
    finally:
        session.lock()
    if args.json:
        emit_json(documents if args.history else documents[0])
        return EXIT_OK
    for document in documents:
        print(describe_record(document))
    if reviews:
        print("Supervisor's review:")
        for statement in reviews:
            print("  " + statement_line(statement))
    return EXIT_OK


def describe_record(document: dict[str, Any]) -> str:
    answers = document["checklist"]["answers"]
    decision = document.get("decision") or {}
    lines = [
        f"Record {document['id']}  version {document['version']}  ({document['status']})",
        f"  saved {document['created_at']} by {document['created_by']['name']}"
        + (
            f"; amended because: {document['amend_reason']}" if document.get("amend_reason") else ""
        ),
        f"  case {document['case']['case_id']}, person {document['subject']['subject_id']}",
        f"  purpose: {answers['Q2_purpose']['purpose_statement']}",
        f"  decision: {decision.get('outcome', 'not yet decided')}"
        + (f" ({decision['subtype']})" if decision.get("subtype") else ""),
        f"  basis: {', '.join(decision.get('basis_codes') or []) or '-'}",
    ]
    for r in recipients_of(document):
        who = ", ".join(p for p in (r.get("name"), r["role_title"], r["organisation"]) if p)
        lines.append(f"  recipient: {who}")
    for issue in (*decision.get("blocks", []), *decision.get("flags", [])):
        lines.append(f"  {issue['id']}: {issue['message']}")
    lines.append(f"  hash {document['hash']}")
    return "\n".join(lines)


def cmd_audit_verify(args: argparse.Namespace) -> int:
    session = open_session(args)
    try:
        result = session.verify_audit()
    finally:
        session.lock()
    if args.json:
        emit_json(result.as_dict())
    elif result.ok:
        print(
            f"Audit chain verified: {result.entries} entries, {result.record_versions} record"
            f" versions; head {result.head_seq} {result.head_hash}"
        )
    else:
        print(f"Audit chain BROKEN: {result.problem}", file=sys.stderr)
    return EXIT_OK if result.ok else EXIT_CHECK_FAILED


def cmd_passwd(args: argparse.Namespace) -> int:
    session = open_session(args)
    try:
        session.change_passphrase(new_passphrase(args))
    finally:
        session.lock()
    print("Passphrase changed.")
    return EXIT_OK


def cmd_recover(args: argparse.Namespace) -> int:
    pem = read_input_file(args.org_key)
    password = os.environ.get("DISCLOSURE_LOG_ORG_KEY_PASSPHRASE")
    session = Session.recover(
        store_dir(args),
        pem,
        new_passphrase(args),
        _policy(),
        password.encode("utf-8") if password else None,
    )
    session.lock()
    print("Store recovered with the organisation key; the new passphrase is set.")
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    session = open_session(args)
    try:
        info = session.backup(args.dir)
    finally:
        session.lock()
    if args.json:
        emit_json({"path": str(info.path), "sha256": info.sha256, "records": info.records})
    else:
        print(f"Backup written and verified: {info.path} ({info.records} records)")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    session = Session.restore(
        args.file, store_dir(args), current_passphrase(args), _policy(), replace=args.yes
    )
    status = session.status()
    session.lock()
    print(f"Restored {status.records} records into {status.path}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    session = open_session(args)
    interactive = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if interactive:
            print(f"\r{done:,}/{total:,} records", end="", file=sys.stderr, flush=True)

    try:
        added = session.fill_demo(args.records, progress=progress, seed=args.seed)
    finally:
        session.lock()
    if interactive:
        print(file=sys.stderr)
    print(f"Added {added:,} sample records.")
    return EXIT_OK


def cmd_checklist_evaluate(args: argparse.Namespace) -> int:
    """The contract's engine on one input document: no store, no passphrase."""
    policy = _policy()
    warnings: list[str] = []
    organisation = organisation_pack(policy, warnings)
    for warning in warnings:
        print(f"disclosure-log-cli: warning: {warning}", file=sys.stderr)
    try:
        document = loads_strict(read_input_file(args.file), max_bytes=MAX_CHECKLIST_BYTES)
        pack = _pack_of(document, organisation)
        output, trace = evaluate_with_trace(document, pack)
    except InvalidDocument as exc:
        emit_json(exc.to_error_document())
        return EXIT_INVALID
    emit_json(output)
    if args.explain:
        for step in trace:
            print(explain_line(step), file=sys.stderr)
    return EXIT_OK


def _pack_of(document: object, organisation: RulePack | None) -> RulePack | None:
    """The pack for the document's jurisdiction; None lets the engine report a bad one."""
    jurisdiction = document.get("jurisdiction") if isinstance(document, dict) else None
    if jurisdiction not in {j.value for j in Jurisdiction}:
        return None
    return pack_for(organisation, Jurisdiction(jurisdiction))


def explain_line(step: dict[str, Any]) -> str:
    head = {"rule": "", "block": "BLOCK ", "flag": "FLAG "}.get(step["kind"], "")
    line = f"{head}{step['id']} {step['title']}: {step['text']}"
    if step.get("what_to_do"):
        line += f" What to do: {step['what_to_do']}"
    if step.get("rests_on"):
        line += f" (Rests on: {'; '.join(step['rests_on'])}.)"
    return line


def cmd_checklist_questions(args: argparse.Namespace) -> int:
    try:
        listed = checklist_questions(args.jurisdiction, args.regimes)
    except InvalidDocument as exc:
        raise CliError(EXIT_INVALID, str(exc), exc.details) from exc
    if args.json:
        emit_json(listed)
        return EXIT_OK
    for number, question in enumerate(listed, start=1):
        print(f"{number}. {question['title']} [{question['id']}]")
        print(f"   {question['text']}")
        if question.get("help"):
            print(f"   Help: {question['help']}")
        for spec in question.get("fields", []):
            print("   - " + describe_field(spec))
        print()
    return EXIT_OK


def describe_field(spec: dict[str, Any]) -> str:
    text = f"{spec['name']} ({spec['type']}, {spec['required']}): {spec.get('label', '')}"
    if spec.get("allowed"):
        text += " — one of " + ", ".join(str(v) for v in spec["allowed"])
    return text


# -- identity and recipients ----------------------------------------------------------------
def certificate_lines(info: CertificateInfo) -> list[str]:
    issuer = "self-signed" if info.self_signed else info.issuer
    return [
        f"{'Certificate':<14}{info.subject}",
        f"{'Issued by':<14}{issuer}",
        f"{'Valid':<14}{info.not_before[:10]} to {info.not_after[:10]}",
        f"{'Fingerprint':<14}{info.fingerprint}  (SHA-256)",
    ]


def certificate_item(info: CertificateInfo) -> dict[str, Any]:
    return {**info.__dict__, "fingerprint": info.fingerprint}


def cmd_identity_show(args: argparse.Namespace) -> int:
    session = open_session(args)
    try:
        profile = session.profile()
        info = session.certificate()
    finally:
        session.lock()
    if args.json:
        emit_json(
            {
                "name": profile.name,
                "role": profile.role,
                "organisation": profile.organisation,
                "fingerprint": info.fingerprint,
                "certificate": certificate_item(info),
            }
        )
        return EXIT_OK
    print(f"{'Name':<14}{profile.name}")
    print(f"{'Role':<14}{profile.role}")
    print(f"{'Organisation':<14}{profile.organisation}")
    print("\n".join(certificate_lines(info)))
    return EXIT_OK


def cmd_identity_card(args: argparse.Namespace) -> int:
    session = open_session(args)
    try:
        info = session.write_identity_card(args.out)
    finally:
        session.lock()
    print(f"Identity card written to {args.out}")
    print(f"{'Fingerprint':<14}{info.fingerprint}")
    print("Whoever adds this card should check this fingerprint with you, in person or by phone.")
    return EXIT_OK


def cmd_identity_cert(args: argparse.Namespace) -> int:
    session = open_session(args)
    try:
        info = session.write_certificate(args.out)
    finally:
        session.lock()
    print(f"Certificate written to {args.out}")
    print("\n".join(certificate_lines(info)))
    return EXIT_OK


def cmd_identity_csr(args: argparse.Namespace) -> int:
    session = open_session(args)
    try:
        session.write_certificate_request(args.out)
    finally:
        session.lock()
    print(f"Certificate request written to {args.out}.")
    print("Send it to your organisation; install the certificate it returns with")
    print("  disclosure-log-cli identity install-cert FILE")
    return EXIT_OK


def cmd_identity_install_cert(args: argparse.Namespace) -> int:
    data = read_input_file(args.file, MAX_CERTIFICATE_BYTES)
    # Checked before unlocking: a certificate refused here leaves the store exactly as it was.
    Session.check_certificate(data, _policy())
    session = open_session(args)
    try:
        info = session.install_certificate(data)
    finally:
        session.lock()
    print("Certificate installed: reports are now signed under it.")
    print("\n".join(certificate_lines(info)))
    return EXIT_OK


def card_lines(card: IdentityCard) -> list[str]:
    return [
        f"{'Name':<14}{card.name}",
        f"{'Role':<14}{card.role}",
        f"{'Organisation':<14}{card.organisation}",
        f"{'Fingerprint':<14}{CertificateInfo.of(card.certificate).fingerprint}",
    ]


FINGERPRINT_QUESTION = (
    "Does this fingerprint match the one its owner read to you (in person or by phone)?"
)
FINGERPRINT_UNCONFIRMED = (
    "not confirmed: check the fingerprint with its owner, then run again with --yes"
)


def confirm(question: str, unattended: str = FINGERPRINT_UNCONFIRMED) -> bool:
    """Ask on a terminal. Without one nobody can answer: ``unattended`` says what to check
    before confirming with ``--yes`` (scripts do)."""
    if not sys.stdin.isatty():
        raise CliError(EXIT_CHECK_FAILED, unattended)
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in {"y", "yes"}


def cmd_recipients_add(args: argparse.Namespace) -> int:
    data = read_input_file(args.card, MAX_CARD_BYTES)
    card = Session.read_card(data)
    print("Identity card:")
    print("\n".join("  " + line for line in card_lines(card)))
    if not args.yes and not confirm(FINGERPRINT_QUESTION):
        raise CliError(EXIT_CHECK_FAILED, "not added: the fingerprint was not confirmed")
    session = open_session(args)
    try:
        recipient = session.add_recipient(args.name, data)
    finally:
        session.lock()
    print(f"Recipient {recipient.name!r} listed: reports can be encrypted to {card.name}.")
    return EXIT_OK


def recipient_item(recipient: Recipient) -> dict[str, Any]:
    card = recipient.card
    return {
        "name": recipient.name,
        "source": "policy" if card is None else "card",
        "holder": None
        if card is None
        else {"name": card.name, "role": card.role, "organisation": card.organisation},
        "certificate": None
        if card is None
        else certificate_item(CertificateInfo.of(card.certificate)),
        "encryption_key_fingerprint": recipient.key_fingerprint,
        "added_at": recipient.added_at,
    }


def cmd_recipients_list(args: argparse.Namespace) -> int:
    session = open_session(args)
    try:
        listed = session.recipients()
    finally:
        session.lock()
    if args.json:
        emit_json([recipient_item(r) for r in listed])
        return EXIT_OK
    for recipient in listed:
        card = recipient.card
        if card is None:
            print(f"{recipient.name:<20}the organisation's report key (from the policy)")
            print(f"{'':<20}key {recipient.key_fingerprint}")
            continue
        print(f"{recipient.name:<20}{card.name}, {card.role}, {card.organisation}")
        print(f"{'':<20}fingerprint {CertificateInfo.of(card.certificate).fingerprint}")
    if not listed:
        print(
            "No recipients yet: add a supervisor's identity card with"
            " 'recipients add CARD --name NAME'.",
            file=sys.stderr,
        )
    return EXIT_OK


# -- reports --------------------------------------------------------------------------------
ACCOUNTING_UNATTENDED = (
    "not written: the accounting is not encrypted; check it is for the person asking,"
    " then run again with --yes"
)


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def cmd_report_accounting(args: argparse.Namespace) -> int:
    """Show how much the accounting holds and write it, unencrypted, once confirmed."""
    session = open_session(args)
    try:
        accounting = session.accounting(args.subject, args.date_from)
        scope = accounting.scope
        start = "the first record" if scope.start is None else scope.start.isoformat()
        print(
            f"Accounting of disclosures ({scope.law.value}), {start} to {scope.end.isoformat()}:"
            f" {_count(accounting.entry_count, 'entry', 'entries')} covering"
            f" {_count(accounting.disclosure_count, 'disclosure', 'disclosures')}."
        )
        if accounting.not_told_for_safety:
            print(
                f"Check before handing it over: {accounting.not_told_for_safety} of these"
                " disclosures were kept from the person for someone's safety or an"
                " investigation; ask your supervisor or privacy officer whether they may be shown.",
                file=sys.stderr,
            )
        question = f"Write it to {args.out}, unencrypted, for handing to the person?"
        if not args.yes and not confirm(question, ACCOUNTING_UNATTENDED):
            raise CliError(EXIT_CHECK_FAILED, "not written: the accounting was not confirmed")
        digest = session.write_accounting(accounting, args.out)
    finally:
        session.lock()
    print(f"Accounting written to {args.out} (SHA-256 {digest}), signed by you.")
    print("It is not encrypted: give it only to the person it is about.")
    return EXIT_OK


def _report_day(text: str, option: str) -> date:
    """A day of a report's period: one that does not exist is invalid input (exit 4)."""
    try:
        return _parse_day(text)
    except argparse.ArgumentTypeError as exc:
        raise CliError(EXIT_INVALID, f"{option} {exc}") from None


def _printable(text: str) -> str:
    """Text from a report someone else made, safe to print: no control characters."""
    return "".join(c if c.isprintable() else "?" for c in text)


def _records_line(info: BundleInfo) -> str:
    figures = info.head.figures
    return (
        f"{figures.records} ({figures.final} final, {figures.shared} of them shared;"
        f" {figures.pending} not final)"
    )


def cmd_report_export(args: argparse.Namespace) -> int:
    scope = ReportScope(
        _report_day(args.date_from, "--from"), _report_day(args.date_to, "--to"), args.case
    )
    session = open_session(args)
    interactive = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if interactive:
            percent = done * 100 // total
            print(f"\rMaking the report: {percent}%", end="", file=sys.stderr, flush=True)

    try:
        exported = session.export_report(scope, args.to_recipient, args.out, progress=progress)
    finally:
        session.lock()
        if interactive:
            print(file=sys.stderr)
    info = exported.info
    print(f"Report {info.manifest.report_id} written to {exported.path}")
    print(f"{'Sequence':<14}{info.manifest.sequence}")
    print(f"{'Records':<14}{_records_line(info)}")
    print(f"{'Encrypted to':<14}{args.to_recipient.strip()} (and to you)")
    print(f"{'Signed by':<14}{info.signer_name}")
    print(f"{'Fingerprint':<14}{CertificateInfo.of(info.signed.certificate).fingerprint}")
    return EXIT_OK


def cmd_report_open(args: argparse.Namespace) -> int:
    data = read_input_file(args.file, MAX_BUNDLE_BYTES)
    session = open_session(args)
    try:
        info = session.open_report(data, args.pdf_out)
    finally:
        session.lock()
    head, manifest = info.head, info.manifest
    period = f"{head.period.start.isoformat()} to {head.period.end.isoformat()}"
    if head.case_id is not None:
        period += f", case {_printable(head.case_id)}"
    print("The report is intact and signed with the certificate below.")
    print(f"{'Signed by':<14}{_printable(info.signer_name)}")
    print(f"{'Fingerprint':<14}{CertificateInfo.of(info.signed.certificate).fingerprint}")
    print(f"{'':<14}Compare it with the one its author reads to you ('identity show').")
    print(f"{'Report':<14}{manifest.report_id}, number {manifest.sequence} from its author")
    print(f"{'Made':<14}{manifest.created_at.isoformat(timespec='minutes')}")
    print(f"{'Period':<14}{period}")
    print(f"{'Records':<14}{_records_line(info)}")
    print(f"PDF written to {args.pdf_out}")
    return EXIT_OK


def cmd_report_import(args: argparse.Namespace) -> int:
    data = read_input_file(args.file, MAX_BUNDLE_BYTES)
    session = open_session(args)
    try:
        imported = session.import_report(data)
    finally:
        session.lock()
    info, manifest = imported.info, imported.info.manifest
    if imported.already_imported:
        print(f"Report {manifest.report_id} was already imported: nothing changed.")
        return EXIT_OK
    print(f"Report {manifest.report_id} imported, number {manifest.sequence} from its author.")
    print(f"{'Signed by':<14}{_printable(info.signer_name)}")
    print(f"{'Fingerprint':<14}{CertificateInfo.of(info.signed.certificate).fingerprint}")
    print(f"{'Trusted':<14}{TRUSTED_AS[imported.trusted_as]}")
    print(f"{'Records':<14}{_records_line(info)}")
    print(
        f"{'New':<14}{_count(imported.versions_added, 'record version', 'record versions')},"
        f" {_count(imported.withdrawals_added, 'consent withdrawal', 'consent withdrawals')}"
    )
    if imported.missing:
        numbers = ", ".join(str(n) for n in imported.missing)
        print(
            f"Warning: this author's report(s) {numbers} have not been imported here; they may"
            " have gone to someone else, or still be on their way.",
            file=sys.stderr,
        )
    return EXIT_OK


# -- the supervisor's trust store -----------------------------------------------------------
TRUSTED_AS = {
    "pinned": "its certificate is pinned in your trust store",
    "organisation_ca": "its certificate was issued by your organisation's CA",
}


def cmd_trust_add(args: argparse.Namespace) -> int:
    data = read_input_file(args.cert, MAX_CERTIFICATE_BYTES)
    info = CertificateInfo.of(Session.read_signing_certificate(data))
    print("Certificate:")
    print("\n".join("  " + _printable(line) for line in certificate_lines(info)))
    if not args.yes and not confirm(FINGERPRINT_QUESTION):
        raise CliError(EXIT_CHECK_FAILED, "not trusted: the fingerprint was not confirmed")
    session = open_session(args)
    try:
        session.trust_certificate(data)
    finally:
        session.lock()
    print("Trusted: reports signed with this certificate can be imported.")
    return EXIT_OK


def trust_item(entry: TrustEntry) -> dict[str, Any]:
    return {
        "source": entry.source,
        "certificate": certificate_item(CertificateInfo.of(entry.certificate)),
        "added_at": entry.added_at,
        "revoked_at": entry.revoked_at,
    }


def _trust_state(entry: TrustEntry) -> str:
    if entry.source == "policy":
        return "organisation CA (from the policy)"
    if entry.revoked_at is not None:
        return f"REVOKED {entry.revoked_at}"
    return f"pinned {entry.added_at}"


def cmd_trust_list(args: argparse.Namespace) -> int:
    session = open_session(args)
    try:
        entries = session.trusted_certificates()
    finally:
        session.lock()
    if args.json:
        emit_json([trust_item(entry) for entry in entries])
        return EXIT_OK
    for entry in entries:
        info = CertificateInfo.of(entry.certificate)
        print(_printable(info.subject))
        print(f"  {_trust_state(entry)}")
        print(f"  fingerprint {info.fingerprint}")
    if not entries:
        print(
            "No trusted certificates yet: pin a practitioner's with 'trust add CERT'.",
            file=sys.stderr,
        )
    return EXIT_OK


def cmd_trust_revoke(args: argparse.Namespace) -> int:
    session = open_session(args)
    try:
        entry = session.revoke_trust(args.fingerprint)
    finally:
        session.lock()
    subject = _printable(entry.certificate.subject.rfc4514_string())
    print(f"Revoked {entry.revoked_at}: reports signed by {subject} are refused from now on.")
    return EXIT_OK


# -- organisation (IT) -----------------------------------------------------------------------
OFFLINE_INSTRUCTIONS = """\
Keep the private halves offline: copy {recovery}, {report} and {ca}
to encrypted removable media kept in a safe (two copies, two places), then delete them here.
  {recovery}  opens a leaver's store: disclosure-log-cli recover --org-key FILE
  {report}    opens reports sent to the organisation
  {ca}        signs practitioners' certificate requests
Edit {policy} (organisation, jurisdiction, regimes, retention), check it with
  disclosure-log-cli org policy-check {policy}
and deploy it as /etc/disclosure-log/policy.json (Linux) or
%ProgramData%\\DisclosureLog\\policy.json (Windows)."""


def cmd_org_keygen(args: argparse.Namespace) -> int:
    files = organisation_files(args.organisation)
    try:
        write_organisation_files(args.out, files)
    except OrgFilesExist as exc:
        raise CliError(EXIT_INVALID, str(exc)) from exc
    for file in files:
        kind = "PRIVATE, owner-only" if file.private else "public"
        print(f"{args.out / file.name}  ({kind})")
    print()
    print(
        OFFLINE_INSTRUCTIONS.format(
            recovery=RECOVERY_PRIVATE,
            report=REPORT_PRIVATE,
            ca=CA_PRIVATE,
            policy=args.out / POLICY,
        )
    )
    return EXIT_OK


def cmd_org_policy_check(args: argparse.Namespace) -> int:
    try:
        summary = check_policy(args.file)
    except PolicyError as exc:
        raise CliError(EXIT_INVALID, str(exc)) from exc
    if args.json:
        trusted = [certificate_item(ca) for ca in summary.trusted_cas]
        emit_json({**dataclasses.asdict(summary), "trusted_cas": trusted})
        return EXIT_OK
    print(f"{summary.path} is valid. On every laptop it is deployed to, it enforces:")
    for label, text in summary.lines():
        first, *rest = text.split("\n")
        print(f"  {label:<14}{first}")
        for line in rest:
            print(f"  {'':<14}{line}")
    return EXIT_OK


# -- parser ---------------------------------------------------------------------------------
def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--case", help="only this case")
    p.add_argument("--subject", help="only this person")
    p.add_argument("--from", dest="date_from", type=_parse_day, help="from this day (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", type=_parse_day, help="up to this day, inclusive")
    p.add_argument("--outcome", choices=[o.value for o in Outcome])
    p.add_argument("--basis", help="only records relying on this basis code")
    p.add_argument("--recipient-org", help="only records shared with this organisation")
    p.add_argument("--flagged", action="store_true", help="only records with open flags")
    p.add_argument("--pending", action="store_true", help="only drafts and records awaiting advice")
    p.add_argument("--limit", type=int, help="at most this many")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="disclosure-log-cli",
        description="Record and review disclosures of confidential case information.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--store", type=Path, help="the store directory")
    parser.add_argument("--passphrase-file", type=Path, help="read the passphrase from this file")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(
        name: str,
        handler: Callable[[argparse.Namespace], int],
        help_text: str,
        json_flag: bool = False,
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        if json_flag:
            p.add_argument("--json", action="store_true", help="print JSON")
        return p

    p = command("init", cmd_init, "create a store and your practitioner profile")
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True)
    p.add_argument("--organisation", required=True)
    p.add_argument("--jurisdiction", required=True, choices=[j.value for j in Jurisdiction])
    p.add_argument(
        "--regimes", type=_regime_list, help="comma-separated, e.g. UK_GDPR,CL_CONFIDENCE"
    )
    p.add_argument("--registration-number")

    command("status", cmd_status, "store path, schema version, counts, audit head", True)

    p = command("add", cmd_add, "add a record from a JSON file; prints its id", True)
    p.add_argument("file", type=Path)

    p = command("amend", cmd_amend, "save a new version of a record", True)
    p.add_argument("id")
    p.add_argument("file", type=Path)
    p.add_argument("--reason", required=True, help="why the record is being amended")

    p = command("withdraw-consent", cmd_withdraw_consent, "record a consent withdrawal", True)
    p.add_argument("--case", required=True)
    p.add_argument("--subject", required=True, help="the person who withdrew consent")
    p.add_argument(
        "--by", required=True, help="who withdrew it (the person or their representative)"
    )
    p.add_argument("--at", required=True, type=_parse_moment, help="when (RFC 3339, with offset)")
    p.add_argument("--scope", required=True, help="what the withdrawal covers")
    p.add_argument("--how", choices=[h.value for h in WithdrawalHow], default="WRITTEN")
    p.add_argument("--effect", choices=[e.value for e in WithdrawalEffect], default="STOP_FUTURE")
    p.add_argument("--record", action="append", help="limit to these records (repeatable)")
    p.add_argument("--notes")

    p = command("list", cmd_list, "list records, newest first", True)
    _add_filters(p)

    p = command("show", cmd_show, "show one record", True)
    p.add_argument("id")
    p.add_argument("--history", action="store_true", help="every version, oldest first")
    p.add_argument("--version", type=int, help="this version instead of the latest")

    p = command("search", cmd_search, "full-text search of recipients, purpose, items, notes", True)
    p.add_argument("text")
    p.add_argument("--limit", type=int, default=200)

    audit = sub.add_parser("audit", help="the audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True, metavar="COMMAND")
    p = audit_sub.add_parser(
        "verify", help="verify the hash chain; exit 1 naming the first bad link"
    )
    p.set_defaults(handler=cmd_audit_verify)
    p.add_argument("--json", action="store_true")

    p = command("passwd", cmd_passwd, "change the passphrase (the database is not rewritten)")
    p.add_argument("--new-passphrase-file", type=Path)

    p = command("recover", cmd_recover, "open a store whose passphrase is lost, with the org key")
    p.add_argument("--org-key", type=Path, required=True)
    p.add_argument("--new-passphrase-file", type=Path)

    p = command("backup", cmd_backup, "write a verified, encrypted backup into DIR", True)
    p.add_argument("dir", type=Path)

    p = command("restore", cmd_restore, "restore a backup into the store directory")
    p.add_argument("file", type=Path)
    p.add_argument("--yes", action="store_true", help="replace an existing store (kept aside)")

    checklist = sub.add_parser("checklist", help="the safeguarding checklist engine")
    checklist_sub = checklist.add_subparsers(
        dest="checklist_command", required=True, metavar="COMMAND"
    )
    p = checklist_sub.add_parser(
        "evaluate", help="evaluate a checklist input document and print the outcome as JSON"
    )
    p.set_defaults(handler=cmd_checklist_evaluate)
    p.add_argument("file", type=Path)
    p.add_argument("--explain", action="store_true", help="the path taken, on stderr")
    p = checklist_sub.add_parser("questions", help="the questions, in order, for a jurisdiction")
    p.set_defaults(handler=cmd_checklist_questions)
    p.add_argument("--jurisdiction", required=True, choices=[j.value for j in Jurisdiction])
    p.add_argument("--regimes", type=_regime_list, required=True)
    p.add_argument("--json", action="store_true", help="print JSON")

    p = command("demo", cmd_demo, "add realistic synthetic records (demos, benchmarks)")
    p.add_argument("--records", type=int, required=True)
    p.add_argument("--seed", type=int, default=0)

    identity = sub.add_parser("identity", help="your signing certificate and encryption key")
    identity_sub = identity.add_subparsers(
        dest="identity_command", required=True, metavar="COMMAND"
    )
    p = identity_sub.add_parser(
        "show", help="your name, certificate and its fingerprint (to read out to a supervisor)"
    )
    p.set_defaults(handler=cmd_identity_show)
    p.add_argument("--json", action="store_true", help="print JSON")
    p = identity_sub.add_parser(
        "card", help="write your identity card, for others to encrypt reports to you"
    )
    p.set_defaults(handler=cmd_identity_card)
    p.add_argument("--out", type=Path, required=True)
    p = identity_sub.add_parser("cert", help="write your signing certificate (PEM)")
    p.set_defaults(handler=cmd_identity_cert)
    p.add_argument("--out", type=Path, required=True)
    p = identity_sub.add_parser(
        "csr", help="write a certificate request (PKCS#10) for your organisation to sign"
    )
    p.set_defaults(handler=cmd_identity_csr)
    p.add_argument("--out", type=Path, required=True)
    p = identity_sub.add_parser(
        "install-cert", help="use a certificate your organisation issued for your signing key"
    )
    p.set_defaults(handler=cmd_identity_install_cert)
    p.add_argument("file", type=Path)

    recipients = sub.add_parser("recipients", help="who reports can be encrypted to")
    recipients_sub = recipients.add_subparsers(
        dest="recipients_command", required=True, metavar="COMMAND"
    )
    p = recipients_sub.add_parser(
        "add", help="add someone's identity card, after checking its fingerprint with them"
    )
    p.set_defaults(handler=cmd_recipients_add)
    p.add_argument("card", type=Path)
    p.add_argument("--name", required=True, help="the name to encrypt reports to them by")
    p.add_argument("--yes", action="store_true", help="the fingerprint is checked: do not ask")
    p = recipients_sub.add_parser("list", help="the recipients reports can be encrypted to")
    p.set_defaults(handler=cmd_recipients_list)
    p.add_argument("--json", action="store_true", help="print JSON")

    report = sub.add_parser("report", help="reports: summaries and accountings of disclosures")
    report_sub = report.add_subparsers(dest="report_command", required=True, metavar="COMMAND")
    p = report_sub.add_parser(
        "accounting",
        help="the accounting of disclosures for one person, as a signed PDF to hand to them",
    )
    p.set_defaults(handler=cmd_report_accounting)
    p.add_argument("--subject", required=True, help="the person's id, as in their records")
    p.add_argument(
        "--from",
        dest="date_from",
        type=_parse_day,
        help="from this day (YYYY-MM-DD); default: six years back (HIPAA), the whole record (UK)",
    )
    p.add_argument("--out", type=Path, required=True, help="the PDF to write")
    p.add_argument(
        "--yes", action="store_true", help="write it unencrypted without asking (scripts)"
    )
    p = report_sub.add_parser(
        "export", help="a signed report of a period, encrypted to a recipient (.dlreport)"
    )
    p.set_defaults(handler=cmd_report_export)
    p.add_argument("--from", dest="date_from", required=True, help="from this day (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", required=True, help="up to this day, inclusive")
    p.add_argument("--case", help="only this case")
    p.add_argument("--to-recipient", required=True, help="who can open it (see 'recipients list')")
    p.add_argument("--out", type=Path, required=True, help="the .dlreport file to write")
    p = report_sub.add_parser(
        "open", help="decrypt and verify a report sent to you, and write its PDF"
    )
    p.set_defaults(handler=cmd_report_open)
    p.add_argument("file", type=Path)
    p.add_argument("--pdf-out", type=Path, required=True, help="the PDF to write")
    p = report_sub.add_parser(
        "import", help="verify a report sent to you and import what it carries"
    )
    p.set_defaults(handler=cmd_report_import)
    p.add_argument("file", type=Path)

    trust = sub.add_parser("trust", help="whose reports you accept: your trust store")
    trust_sub = trust.add_subparsers(dest="trust_command", required=True, metavar="COMMAND")
    p = trust_sub.add_parser(
        "add", help="trust a practitioner's certificate, after checking its fingerprint with them"
    )
    p.set_defaults(handler=cmd_trust_add)
    p.add_argument("cert", type=Path, help="their certificate (PEM or DER; 'identity cert')")
    p.add_argument("--yes", action="store_true", help="the fingerprint is checked: do not ask")
    p = trust_sub.add_parser("list", help="the pinned certificates and the organisation's CAs")
    p.set_defaults(handler=cmd_trust_list)
    p.add_argument("--json", action="store_true", help="print JSON")
    p = trust_sub.add_parser(
        "revoke",
        help="refuse reports signed with a certificate (pinned, or of a practitioner whose"
        " reports you imported) from now on",
    )
    p.set_defaults(handler=cmd_trust_revoke)
    p.add_argument("fingerprint", help="as 'trust list' shows it (spaces are ignored)")

    from desktop.cli_review import add_review_commands  # noqa: PLC0415 - it imports this module

    add_review_commands(sub)

    org = sub.add_parser("org", help="IT: organisation keys and policy")
    org_sub = org.add_subparsers(dest="org_command", required=True, metavar="COMMAND")
    p = org_sub.add_parser(
        "keygen", help="make the organisation's recovery and report keys, a CA and a policy"
    )
    p.set_defaults(handler=cmd_org_keygen)
    p.add_argument("--out", type=Path, required=True, help="a new or empty folder")
    p.add_argument(
        "--organisation", default="Your Organisation", help="named in the CA and the policy"
    )
    p = org_sub.add_parser("policy-check", help="validate a policy and say what it enforces")
    p.set_defaults(handler=cmd_org_policy_check)
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true", help="print JSON")
    return parser


def _regime_list(text: str) -> list[str]:
    values = [v.strip() for v in text.split(",") if v.strip()]
    allowed = {r.value for r in Regime}
    unknown = [v for v in values if v not in allowed]
    if unknown or not values:
        raise argparse.ArgumentTypeError(
            f"unknown regime(s) {', '.join(unknown) or '(none)'};"
            f" choose from {', '.join(sorted(allowed))}"
        )
    return values


def main(argv: Sequence[str] | None = None) -> int:
    os.umask(0o077)
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except BrokenPipeError:
        # The reader went away (`| head`): not an error. Point stdout at nothing so the
        # interpreter's own flush at exit does not complain either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except CliError as exc:
        code, message, details = exc.code, str(exc), exc.details
    except WrongPassphrase as exc:
        code, message, details = EXIT_LOCKED, str(exc), []
    except IdentityRejected as exc:
        code, message, details = EXIT_CHECK_FAILED, str(exc), []
    except IdentityError as exc:
        code, message, details = EXIT_INVALID, str(exc), []
    except BundleRejected as exc:
        code, message, details = EXIT_CHECK_FAILED, str(exc), []
    except BundleError as exc:
        code, message, details = EXIT_INVALID, str(exc), []
    except (InvalidDocument, PassphraseTooWeak, InvalidRequest, RecordNotFound) as exc:
        code, message = EXIT_INVALID, str(exc)
        details = list(getattr(exc, "details", []))
    except StoreError as exc:
        code, message, details = EXIT_STORE, str(exc), []
    except OSError as exc:
        code, message, details = EXIT_STORE, f"{exc.strerror or exc}", []
    print(f"disclosure-log-cli: {message}", file=sys.stderr)
    for detail in details:
        print(f"  {detail.get('field', '')}: {detail.get('message', '')}", file=sys.stderr)
    if code == EXIT_INVALID and getattr(args, "json", False):
        emit_json({"error": "INVALID_INPUT", "details": details})
    return code


if __name__ == "__main__":
    sys.exit(main())
