"""Writing ``report.json``: canonical JSON (RFC 8785), so the same content gives the same bytes."""

from __future__ import annotations

from desktop.domain.canonical import canonical_json_with_array
from desktop.reports.collect import ReportContent


def report_json(content: ReportContent) -> bytes:
    """The ``ReportDocument`` of ``content``; its records are spliced in as already serialised."""
    fields: dict[str, object] = content.head.model_dump(mode="json")
    fields["withdrawals"] = list(content.withdrawals)
    return canonical_json_with_array(
        fields, "records", (record.entry for record in content.records)
    )
