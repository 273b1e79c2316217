"""Collecting a report: the right records, counted independently of the report's own code."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from desktop.domain.canonical import canonical_json
from desktop.reports.collect import ReportContent, ReportScope, collect
from desktop.reports.pdf_report import render_pdf
from desktop.store.audit import ZERO_HASH, version_hash
from desktop.store.errors import Stopped
from tests.reports.conftest import (
    AMEND_REASON,
    EVERYTHING,
    GENERATED_AT,
    REPORT_ID,
    Report,
    Store,
    latest_documents,
    make_report,
)

SHARING = ("SHARE_WITH_CONSENT", "SHARE_WITHOUT_CONSENT", "SHARE_ANONYMISED")


def expected_figures(documents: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The figures, worked out here from the stored documents."""
    final = [d for d in documents.values() if d["status"] == "FINAL"]
    shared = [d for d in final if d["decision"]["outcome"] in SHARING]
    return {
        "records": len(documents),
        "final": len(final),
        "shared": len(shared),
        "pending": len(documents) - len(final),
        "by_status": Counter(d["status"] for d in documents.values()),
        "by_outcome": Counter(d["decision"]["outcome"] for d in final),
        "by_subtype": Counter(
            d["decision"]["subtype"] for d in final if d["decision"].get("subtype")
        ),
        "by_basis_code": Counter(code for d in shared for code in d["decision"]["basis_codes"]),
        "by_recipient_type": Counter(
            recipient.get("kind", "OTHER")
            for d in shared
            for recipient in d["checklist"]["answers"]["Q4_recipient"]["recipients"]
        ),
    }


def figures_of(content: ReportContent) -> dict[str, Any]:
    return content.head.figures.model_dump(mode="json")


def busiest_case(store: Store) -> str:
    case_id: str = store.session.store.conn.execute(
        "SELECT case_id FROM records GROUP BY case_id ORDER BY count(*) DESC, case_id LIMIT 1"
    ).fetchone()[0]
    return case_id


def middle_year(store: Store) -> ReportScope:
    first, last = store.session.store.conn.execute(
        "SELECT min(event_at), max(event_at) FROM records"
    ).fetchone()
    year = (int(first[:4]) + int(last[:4])) // 2
    return ReportScope(date(year, 1, 1), date(year, 12, 31))


def test_figures_equal_those_counted_from_the_store(store: Store, report: Report) -> None:
    documents = latest_documents(store.session, EVERYTHING)
    expected = expected_figures(documents)
    assert figures_of(report.content) == {
        key: dict(value) if isinstance(value, Counter) else value for key, value in expected.items()
    }
    assert expected["by_outcome"]["SHARE_WITHOUT_CONSENT"] > 0  # the demo covers every outcome
    assert len(expected["by_recipient_type"]) > 1


@pytest.mark.parametrize("narrowed", ["period", "case"])
def test_a_narrower_scope_holds_exactly_its_records(store: Store, narrowed: str) -> None:
    scope = (
        middle_year(store)
        if narrowed == "period"
        else ReportScope(EVERYTHING.start, EVERYTHING.end, busiest_case(store))
    )
    documents = latest_documents(store.session, scope)
    content = make_report(store.session, scope)
    assert 0 < len(content.records) < len(latest_documents(store.session, EVERYTHING))
    assert {record.record_id for record in content.records} == set(documents)
    expected = expected_figures(documents)
    assert figures_of(content)["by_outcome"] == dict(expected["by_outcome"])
    assert figures_of(content)["by_basis_code"] == dict(expected["by_basis_code"])


def test_only_final_records_count_and_the_rest_are_listed_as_pending(
    store: Store, report: Report
) -> None:
    documents = latest_documents(store.session, EVERYTHING)
    not_final = {rid for rid, d in documents.items() if d["status"] != "FINAL"}
    pending = {item.record_id: item for item in report.content.head.pending}
    assert set(pending) == not_final
    assert store.draft_id in pending
    assert {item.status.value for item in pending.values()} == {
        "DRAFT",
        "PENDING_ADVICE",
        "DISCLOSURE_WITHOUT_ESTABLISHED_BASIS",
    }
    seek_advice = {rid for rid, d in documents.items() if d["decision"]["outcome"] == "SEEK_ADVICE"}
    assert seek_advice
    assert seek_advice <= set(pending)
    figures = report.content.head.figures
    assert "SEEK_ADVICE" not in figures_of(report.content)["by_outcome"]
    assert figures.final + figures.pending == figures.records


def test_every_version_is_carried_with_a_hash_a_reader_can_recompute(
    store: Store, report: Report
) -> None:
    record = next(r for r in report.content.records if r.record_id == store.amended_id)
    versions = record.versions()
    assert versions == store.session.history(store.amended_id)
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["amend_reason"] == AMEND_REASON
    previous = ZERO_HASH
    for version in versions:
        body = {k: v for k, v in version.items() if k not in ("hash", "prev_hash")}
        assert version["prev_hash"] == previous.hex()
        assert version_hash(previous, canonical_json(body)).hex() == version["hash"]
        previous = bytes.fromhex(version["hash"])


def test_withdrawals_in_the_period_come_with_their_hash(store: Store, report: Report) -> None:
    (withdrawal,) = report.content.withdrawals
    assert withdrawal == store.withdrawal
    assert withdrawal["recipients_to_notify"]
    body = {k: v for k, v in withdrawal.items() if k != "hash"}
    assert version_hash(ZERO_HASH, canonical_json(body)).hex() == withdrawal["hash"]
    assert make_report(store.session, middle_year(store)).withdrawals == ()


def test_rule_packs_and_audit_checkpoint_are_those_of_the_store(
    store: Store, report: Report
) -> None:
    packs = {
        (d["rule_pack"]["id"], d["rule_pack"]["version"])
        for record in report.content.records
        for d in record.versions()
    }
    head = report.content.head
    assert [(ref.id, ref.version) for ref in head.rule_packs] == sorted(packs)
    seq, entry_hash = store.session.store.conn.execute(
        "SELECT seq, entry_hash FROM audit ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    assert (head.audit_checkpoint.seq, head.audit_checkpoint.head) == (seq, entry_hash.hex())
    assert head.organisation == "Northshire Council"
    assert head.practitioner.name == "Sam Practitioner"


def test_records_are_in_the_order_they_happened(store: Store, report: Report) -> None:
    order = [
        row[0]
        for row in store.session.store.conn.execute(
            "SELECT record_id FROM records ORDER BY event_at, id"
        )
    ]
    assert [record.record_id for record in report.content.records] == order


def test_progress_is_reported_to_the_end(store: Store, report: Report) -> None:
    collected: list[tuple[int, int]] = []
    drawn: list[tuple[int, int]] = []
    content = collect(
        store.session,
        EVERYTHING,
        report_id=REPORT_ID,
        generated_at=GENERATED_AT,
        progress=lambda done, total: collected.append((done, total)),
    )
    render_pdf(content, footer_hash="0" * 64, progress=lambda d, t: drawn.append((d, t)))
    records = len(report.content.records)
    for calls, total in ((collected, records), (drawn, 2 * records)):
        dones = [done for done, _ in calls]
        assert dones == sorted(dones)
        assert calls[-1] == (total, total)
        assert {t for _, t in calls} == {total}


@pytest.mark.parametrize("stage", ["collect", "pdf"])
def test_cancelling_stops_cleanly(store: Store, report: Report, stage: str) -> None:
    asked: list[int] = []

    def cancel() -> bool:
        asked.append(1)
        return True

    stages: dict[str, Callable[[], object]] = {
        "collect": lambda: collect(
            store.session,
            EVERYTHING,
            report_id=REPORT_ID,
            generated_at=GENERATED_AT,
            should_cancel=cancel,
        ),
        "pdf": lambda: render_pdf(report.content, footer_hash="0" * 64, should_cancel=cancel),
    }
    with pytest.raises(Stopped, match="cancelled"):
        stages[stage]()
    assert asked == [1]


def test_collecting_and_writing_json_do_not_load_reportlab_or_pyhanko() -> None:
    """Both cost most of a second to import: only drawing and signing may pay for it."""
    code = (
        "import sys, desktop.reports.collect, desktop.reports.report_json;"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'reportlab', 'pyhanko'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
