"""``report.json`` (``disclosure-log-report/1``): the machine-readable half of a summary report.

The models are the format: ``resources/schemas/report.schema.json`` is generated from them
(``make schemas``) and the JSON is their canonical form (RFC 8785). Each record version is
carried exactly as the store holds it, so a reader can recompute its hash; only FINAL records
are counted in the figures, every other record in scope is listed under ``pending``.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from pydantic import Field

from desktop.domain.base import (
    DomainModel,
    IsoDate,
    NonEmptyStr,
    Sha256Hex,
    ShortId,
    Timestamp,
    Uuid4Str,
)
from desktop.domain.enums import Outcome, RecipientKind, RecordStatus, Subtype
from desktop.domain.records import (
    ConsentWithdrawal,
    Practitioner,
    RecordBody,
    RecordVersionHeader,
    RulePackRef,
)

REPORT_FORMAT: Final = "disclosure-log-report/1"

Count = Annotated[int, Field(ge=0)]


class RecordVersion(RecordVersionHeader, RecordBody):
    """One saved version as the store holds it (and ``show --json`` prints it).

    ``hash`` is SHA-256 over a prefix, ``prev_hash`` and the canonical JSON of the rest of the
    version (``desktop.store.audit.version_hash``).
    """


class ReportRecord(DomainModel):
    """A record in scope with every version saved so far, oldest first."""

    record_id: Uuid4Str
    versions: Annotated[list[RecordVersion], Field(min_length=1)]


class RecipientToNotify(DomainModel):
    """Who received information on the strength of a withdrawn consent, and in which records."""

    name: str | None = None
    role_title: NonEmptyStr
    organisation: NonEmptyStr
    address: str | None = None
    record_ids: list[Uuid4Str]


class WithdrawalVersion(ConsentWithdrawal):
    """A consent withdrawal as the store holds it, with its hash."""

    id: Uuid4Str
    created_at: Timestamp
    created_by: Practitioner
    recipients_to_notify: list[RecipientToNotify]
    hash: Sha256Hex


class PendingItem(DomainModel):
    """A record in scope that is not final (draft, awaiting advice, or shared without an
    established basis): listed, never counted as shared."""

    record_id: Uuid4Str
    status: RecordStatus
    outcome: Outcome | None = None


class Period(DomainModel):
    """The days covered, both inclusive, by the date each disclosure (or decision) happened."""

    start: IsoDate = Field(alias="from")
    end: IsoDate = Field(alias="to")


class AuditCheckpoint(DomainModel):
    """The head of the practitioner's audit chain when the report was made."""

    seq: Count
    head: Sha256Hex


class Figures(DomainModel):
    """Counts over the records in scope.

    ``by_status`` counts every record; ``by_outcome`` and ``by_subtype`` count final records;
    ``by_basis_code`` and ``by_recipient_type`` count the final records that shared information
    (a record with three basis codes or two recipients counts once under each).
    """

    records: Count
    final: Count
    shared: Count
    pending: Count
    by_status: dict[RecordStatus, Count]
    by_outcome: dict[Outcome, Count]
    by_subtype: dict[Subtype, Count]
    by_basis_code: dict[NonEmptyStr, Count]
    by_recipient_type: dict[RecipientKind, Count]


class ReportHead(DomainModel):
    """What a report works out: everything but the documents it carries from the store."""

    format: Literal["disclosure-log-report/1"]
    report_id: Uuid4Str
    generated_at: Timestamp
    app_version: NonEmptyStr
    organisation: NonEmptyStr
    practitioner: Practitioner
    period: Period
    case_id: ShortId | None
    rule_packs: list[RulePackRef]
    audit_checkpoint: AuditCheckpoint
    figures: Figures
    pending: list[PendingItem]


class ReportDocument(ReportHead):
    """The whole ``report.json``: the head, and the withdrawals and records of the period as
    the store holds them (records in the order they happened)."""

    withdrawals: list[WithdrawalVersion]
    records: list[ReportRecord]


def report_json_schema() -> dict[str, Any]:
    """The JSON Schema of ``report.json``, generated from the model (published in resources)."""
    schema = ReportDocument.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = REPORT_FORMAT
    return schema
