"""The record phase (contract §4.2-§4.5): validations V1-V20, informing, sign-off, accounting.

Each validation is a small function of the facts below, registered under its id; which outcomes
it runs for is §4.2's rule, and its severity, message and trigger codes come from the pack.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from typing import Final

from desktop.domain.checklist.contract import VALIDATION_IDS, Rule
from desktop.domain.checklist.procedure import SPECIAL_CATEGORIES, Decision
from desktop.domain.checklist.rule_pack import ART9, SCH1, RulePack
from desktop.domain.checklist_input import (
    ATTEST_KEY_CODES,
    ChecklistInput,
    Q9WhoConsents,
    Q10SeekConsent,
    Q12MinimumNecessary,
    Q13Objections,
    Q15Advice,
    Q16Method,
    Q17Record,
)
from desktop.domain.enums import (
    CapacityOutcome,
    CapacityTest,
    ConsentForm,
    DecisionMakerRole,
    InformDecision,
    InformStatus,
    InformTiming,
    InfoType,
    NotInformedReason,
    ObjectionBy,
    Origin,
    Outcome,
    RecipientKind,
    RedisclosureNotice,
    Regime,
    StatementType,
    Subtype,
)

SHARES: Final = frozenset({Outcome.SHARE_WITH_CONSENT, Outcome.SHARE_WITHOUT_CONSENT})
SIGNOFF_QUESTIONS: Final = frozenset({"Q3_emergency", "Q11_override_basis"})
"""§4.4: a share decided here always needs a supervisor's sign-off."""
COMPELLED: Final = "Q7_compelled"
OVERRIDE: Final = "Q11_override_basis"

_NO_ITEMS = Q12MinimumNecessary()
_NO_OBJECTIONS = Q13Objections()
_NO_ADVICE = Q15Advice()
_NO_METHOD = Q16Method()
_NO_RECORD = Q17Record()
_NO_CONSENT = Q10SeekConsent()
_NO_CAPACITY = Q9WhoConsents()


@dataclass(frozen=True)
class Accounting:
    hipaa_accountable: bool
    part2_accountable: bool
    ferpa_record_required: bool
    privacy_act_accountable: bool


@dataclass(frozen=True)
class Review:
    blocks: tuple[str, ...]
    flags: tuple[str, ...]
    inform: InformDecision
    inform_timing: InformTiming | None
    inform_rule: Rule
    signoff: bool
    accounting: Accounting


def review(document: ChecklistInput, pack: RulePack, decision: Decision) -> Review:
    """Run §4.2-§4.5 on a decided checklist."""
    facts = _Facts(document, pack, decision)
    raised = [
        vid for vid in VALIDATION_IDS if _runs_for(vid, decision.outcome) and _CHECKS[vid](facts)
    ]
    blocks = tuple(v for v in raised if pack.validation_by_id[v].severity == "block")
    flags = tuple(v for v in raised if pack.validation_by_id[v].severity == "flag")
    inform, timing, rule = _inform(facts)
    share = decision.outcome in SHARES
    signoff = bool(flags) or (
        share
        and (
            decision.decided_at in SIGNOFF_QUESTIONS
            or facts.items.whole_record_disclosed
            or facts.overruled
        )
    )
    return Review(blocks, flags, inform, timing, rule, signoff, facts.accounting)


def _runs_for(vid: str, outcome: Outcome) -> bool:
    """§4.2: V9 for every outcome but SHARE_ANONYMISED, V20 always, the rest for shares only."""
    if vid == "V20":
        return True
    if vid == "V9":
        return outcome is not Outcome.SHARE_ANONYMISED
    return outcome in SHARES


class _Facts:
    """The answers and the decision, with the defaults of omitted optional answers applied."""

    def __init__(self, document: ChecklistInput, pack: RulePack, decision: Decision) -> None:
        answers = document.answers
        self.document = document
        self.pack = pack
        self.decision = decision
        self.uk = document.jurisdiction.is_uk
        self.regimes = frozenset(document.regimes)
        self.info = frozenset(answers.q6_information_type.info_types)
        self.basis = frozenset(decision.basis)
        self.share = decision.outcome in SHARES
        self.recipients = answers.q4_recipient.recipients
        self.items = answers.q12_minimum_necessary or _NO_ITEMS
        self.objections = (answers.q13_objections or _NO_OBJECTIONS).objections
        self.inform = answers.q14_inform
        self.consultations = (answers.q15_advice or _NO_ADVICE).consultations
        self.method = answers.q16_method or _NO_METHOD
        self.record = answers.q17_record or _NO_RECORD
        # Q9 and Q10 only matter when §4.1 reached them (a consent share); unreached answers
        # never affect the output (§8.5).
        self.consent = answers.q10_seek_consent or _NO_CONSENT
        self.capacity = answers.q9_who_consents or _NO_CAPACITY
        self.attests: dict[str, object] = {}
        for claim in decision.claims:
            self.attests.update(claim.attest.model_dump(exclude_none=True))

    def triggered(self, vid: str) -> bool:
        """The basis holds one of the codes the pack lists for this validation."""
        return not self.basis.isdisjoint(self.pack.validation_by_id[vid].codes)

    def has_group(self, group: str) -> bool:
        return not self.basis.isdisjoint(self.pack.groups.get(group, ()))

    @cached_property
    def overruled(self) -> bool:
        """An objection was overruled; a refusal that ends in SWC counts as one (§8.8)."""
        refusal_overruled = (
            self.decision.refusal and self.decision.outcome is Outcome.SHARE_WITHOUT_CONSENT
        )
        return refusal_overruled or any(o.overruled for o in self.objections)

    @cached_property
    def subject_status(self) -> tuple[InformStatus, NotInformedReason | None]:
        """An omitted Q14 counts as NOT_INFORMED without a reason (V2, §4.3 rule 2)."""
        if self.inform is None:
            return InformStatus.NOT_INFORMED, None
        return self.inform.status, self.inform.not_informed_reason

    @cached_property
    def accounting(self) -> Accounting:
        """§4.5."""
        outcome = self.decision.outcome
        forms = self.pack.consent_code_by_form
        hipaa = (
            Regime.HIPAA in self.regimes
            and self.share
            and not self.basis.isdisjoint(self.pack.accountable_codes)
            and any(r.kind is not RecipientKind.SUBJECT for r in self.recipients)
        )
        part2 = (
            Regime.PART2 in self.regimes
            and self.share
            and forms.get(ConsentForm.PART2_CONSENT) in self.basis
        )
        ferpa = (
            Regime.FERPA in self.regimes
            and InfoType.EDUCATION_RECORD in self.info
            and outcome is not Outcome.SHARE_ANONYMISED
            and (self.share or self.document.answers.q2_purpose.origin is Origin.REQUEST)
            and forms.get(ConsentForm.FERPA_WRITTEN) not in self.basis
            and any(r.kind is RecipientKind.OTHER for r in self.recipients)
        )
        privacy_act = Regime.PRIVACY_ACT in self.regimes and self.share
        return Accounting(hipaa, part2, ferpa, privacy_act)


def _v1(f: _Facts) -> bool:
    """A share whose basis lacks a layer that applies (or is empty)."""
    if not f.basis:
        return True
    return any(
        layer.applies(f.regimes, f.info) and not f.has_group(layer.group) for layer in f.pack.layers
    )


def _not_validly_informed(
    status: InformStatus, reason: NotInformedReason | None, narrative: str | None, *, uk: bool
) -> bool:
    """V2 for one person; NO_DUTY_TO_INFORM is no reason in the UK [decision]."""
    return status is InformStatus.NOT_INFORMED and (
        reason is None
        or (reason is NotInformedReason.OTHER and not narrative)
        or (uk and reason is NotInformedReason.NO_DUTY_TO_INFORM)
    )


def _v2(f: _Facts) -> bool:
    status, reason = f.subject_status
    narrative = f.inform.narrative if f.inform else None
    if _not_validly_informed(status, reason, narrative, uk=f.uk):
        return True
    others = f.inform.others if f.inform else []
    return any(
        _not_validly_informed(o.status, o.not_informed_reason, o.narrative, uk=f.uk) for o in others
    )


def _v3(f: _Facts) -> bool:
    status, reason = f.subject_status
    return (
        f.triggered("V3")
        and status is InformStatus.NOT_INFORMED
        and reason
        not in (NotInformedReason.INCREASE_RISK, NotInformedReason.PR_IS_SUSPECTED_ABUSER)
    )


def _v4(f: _Facts) -> bool:
    items = f.items.items
    return not items or any(not item.justification for item in items)


def _v5(f: _Facts) -> bool:
    return f.items.whole_record_disclosed


def _v6(f: _Facts) -> bool:
    """An item not marked within the instrument's scope; empty counts as out [decision]."""
    return f.decision.decided_at == COMPELLED and any(
        item.within_instrument_scope is not True for item in f.items.items
    )


def _v7(f: _Facts) -> bool:
    if not (f.uk and Regime.UK_GDPR in f.regimes and f.info & SPECIAL_CATEGORIES):
        return False
    if not f.has_group(ART9):
        return True
    para18 = ATTEST_KEY_CODES["para18_reason"]
    sch1 = any(
        code != para18 or f.attests.get("para18_reason") is not None
        for code in f.basis & f.pack.groups.get(SCH1, frozenset())
    )
    if f.triggered("V7") and not sch1:
        return True
    incapable = ATTEST_KEY_CODES["subject_incapable_of_consent"]
    return incapable in f.basis and f.attests.get("subject_incapable_of_consent") is not True


def _v8(f: _Facts) -> bool:
    if any(o.overruled and not o.explanation for o in f.objections):
        return True
    return (
        f.decision.outcome is Outcome.SHARE_WITHOUT_CONSENT
        and f.decision.refusal
        and not any(o.overruled and o.explanation for o in f.objections)
    )


def _v9(f: _Facts) -> bool:
    """No advice recorded where it is needed; advice taken afterwards counts [decision]."""
    if f.consultations:
        return False
    decision = f.decision
    return (
        (decision.outcome is Outcome.SHARE_WITHOUT_CONSENT and decision.decided_at == OVERRIDE)
        or f.overruled
        or decision.police_request
        or f.triggered("V9")
        or f.items.whole_record_disclosed
        or decision.subtype is Subtype.EMERGENCY
    )


def _v10(f: _Facts) -> bool:
    instrument = f.decision.instrument
    q7 = f.document.answers.q7_compelled
    return (
        Regime.PART2 in f.regimes
        and InfoType.PART2_SUD_RECORD in f.info
        and instrument is not None
        and not instrument.statutory
        and not (q7 is not None and q7.part2_court_order)
    )


def _v11(f: _Facts) -> bool:
    notices = set(f.method.redisclosure_notices)
    statement = notices & {
        RedisclosureNotice.PART2_STATEMENT_1,
        RedisclosureNotice.PART2_STATEMENT_2,
    }
    return f.triggered("V11") and (not statement or not f.method.consent_copy_or_scope_attached)


def _v12(f: _Facts) -> bool:
    return f.triggered("V12") and (
        not f.attests.get("threat_description") or not any(r.name for r in f.recipients)
    )


def _v13(f: _Facts) -> bool:
    return f.triggered("V13") and not (
        f.attests.get("serious_and_imminent") is True
        and f.attests.get("recipient_able_to_prevent_or_lessen") is True
    )


def _v14(f: _Facts) -> bool:
    return f.accounting.hipaa_accountable and (
        f.record.disclosure_at is None
        or any(not r.name for r in f.recipients)
        or not any(item.description for item in f.items.items)
    )


def _v15(f: _Facts) -> bool:
    consent = f.consent
    withdrawn = consent.withdrawn_at
    if f.decision.outcome is not Outcome.SHARE_WITH_CONSENT or withdrawn is None:
        return False
    given = consent.consent_given_at
    disclosed = f.record.disclosure_at
    return (
        consent.withdrawal_covers_scope
        and (given is None or given < withdrawn)
        and (disclosed is None or not disclosed < withdrawn)
    )


def _v16(f: _Facts) -> bool:
    if not (f.uk and f.decision.outcome is Outcome.SHARE_WITH_CONSENT):
        return False
    q9 = f.capacity
    age = q9.subject_age
    child_age = f.pack.thresholds.child_consent_age
    # A null age never qualifies as a child (§8.7).
    child_alone = (
        q9.decision_maker_role is DecisionMakerRole.SUBJECT
        and age is not None
        and child_age is not None
        and age < child_age
        and (
            q9.capacity_test in (CapacityTest.NOT_NEEDED, CapacityTest.SCOTLAND_12PLUS_PRESUMPTION)
            or q9.capacity_outcome is not CapacityOutcome.HAS_CAPACITY
        )
    )
    parent_over_child = (
        q9.decision_maker_role is DecisionMakerRole.PARENTAL_RESPONSIBILITY_HOLDER
        and q9.capacity_outcome is CapacityOutcome.HAS_CAPACITY
        and any(o.by_role is ObjectionBy.SUBJECT for o in f.objections)
    )
    return child_alone or parent_over_child


def _v17(f: _Facts) -> bool:
    created, disclosed = f.record.record_created_at, f.record.disclosure_at
    if f.decision.subtype is not Subtype.EMERGENCY or created is None or disclosed is None:
        return False
    return created - disclosed > timedelta(hours=f.pack.thresholds.emergency_recording_lag_hours)


def _v18(f: _Facts) -> bool:
    attempted = f.inform is not None and f.inform.ferpa_advance_notice_attempted
    exception = f.inform.ferpa_notice_exception if f.inform else None
    return f.triggered("V18") and not attempted and exception is None


def _v19(f: _Facts) -> bool:
    return f.triggered("V19") and not (f.inform is not None and f.inform.pa_b8_notice_sent)


def _v20(f: _Facts) -> bool:
    suspension = f.record.accounting_suspension
    as_of = f.record.as_of
    if (
        suspension is None
        or suspension.statement_type is not StatementType.ORAL
        or suspension.written_statement_received
        or as_of is None
    ):
        return False
    return as_of - suspension.received_at > timedelta(days=f.pack.thresholds.oral_suspension_days)


_CHECKS: Final[dict[str, Callable[[_Facts], bool]]] = {
    "V1": _v1,
    "V2": _v2,
    "V3": _v3,
    "V4": _v4,
    "V5": _v5,
    "V6": _v6,
    "V7": _v7,
    "V8": _v8,
    "V9": _v9,
    "V10": _v10,
    "V11": _v11,
    "V12": _v12,
    "V13": _v13,
    "V14": _v14,
    "V15": _v15,
    "V16": _v16,
    "V17": _v17,
    "V18": _v18,
    "V19": _v19,
    "V20": _v20,
}


def _inform(f: _Facts) -> tuple[InformDecision, InformTiming | None, Rule]:
    """§4.3, first match; rules 3 and 4 apply to every outcome once Q14 is given."""
    outcome = f.decision.outcome
    if outcome is Outcome.SHARE_ANONYMISED:
        return InformDecision.NOT_APPLICABLE, None, Rule.Q14_ANONYMISED
    if f.inform is None:
        if outcome is Outcome.SEEK_ADVICE:
            return InformDecision.CONDITIONAL, None, Rule.Q14_OMITTED_PENDING
        if outcome is Outcome.DO_NOT_SHARE:
            return InformDecision.NOT_APPLICABLE, None, Rule.Q14_OMITTED_NOT_SHARED
        return InformDecision.NO, None, Rule.Q14_OMITTED_SHARED
    status = f.inform.status
    if status is InformStatus.BEFORE:
        return InformDecision.YES, InformTiming.BEFORE, Rule.Q14_BEFORE
    if status is not InformStatus.NOT_INFORMED:
        # V3's codes carry HIPAA 164.512(c)(2)'s duty to inform promptly.
        if f.triggered("V3"):
            return InformDecision.YES, InformTiming.PROMPTLY, Rule.Q14_PROMPTLY
        return InformDecision.YES, InformTiming.AFTER, Rule.Q14_AFTER
    reason = f.inform.not_informed_reason
    if reason is NotInformedReason.NO_DUTY_TO_INFORM:
        return InformDecision.NOT_REQUIRED, None, Rule.Q14_NO_DUTY
    if reason is NotInformedReason.SUBJECT_CANNOT_UNDERSTAND:
        return InformDecision.NOT_APPLICABLE, None, Rule.Q14_CANNOT_UNDERSTAND
    return InformDecision.NO, None, Rule.Q14_NOT_INFORMED
