"""The checklist engine: the contract's input document in, its output document out.

Pure: the same document and pack always give the same answer, and nothing is read but the rule
pack (chosen by the document's jurisdiction unless one is given). Bad input is an
InvalidDocument whose details name every field at fault: the contract's INVALID_INPUT.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from desktop.domain.checklist.inputs import invalid_input, value_problems
from desktop.domain.checklist.procedure import Decision, MissingAnswers, decide
from desktop.domain.checklist.record import Review, review
from desktop.domain.checklist.rule_pack import (
    AllowedFrom,
    PackField,
    Problem,
    RulePack,
    builtin_pack,
)
from desktop.domain.checklist_input import ChecklistInput
from desktop.domain.enums import Jurisdiction, Regime
from desktop.domain.errors import InvalidDocument
from desktop.domain.regimes import regime_problems
from desktop.domain.strict_json import validate_document

Output = dict[str, Any]
TraceStep = dict[str, Any]


def evaluate(document: object, pack: RulePack | None = None) -> Output:
    """The §3 output document for a §2 input document, JSON-ready."""
    return _output(*_evaluate(document, pack))


def evaluate_with_trace(
    document: object, pack: RulePack | None = None
) -> tuple[Output, list[TraceStep]]:
    """The output, and the steps that led to it in plain words (``checklist evaluate --explain``).

    One step for each rule that fired, question by question (§4.1, then the informing rule of
    §4.3), then one for each block or flag raised, in V order. Each step says what happened and
    the guidance it rests on, so a practitioner sees why, not just what.
    """
    used, decision, result = _evaluate(document, pack)
    return _output(used, decision, result), _trace(used, decision, result)


def _evaluate(document: object, pack: RulePack | None) -> tuple[RulePack, Decision, Review]:
    checked = validate_document(ChecklistInput, document)
    used = pack if pack is not None else builtin_pack(checked.jurisdiction)
    problems: list[Problem] = list(value_problems(checked, used))
    try:
        decision = decide(checked, used)
    except MissingAnswers as missing:
        # Reported with the value problems: every field at fault in one answer.
        raise invalid_input([*problems, *missing.problems]) from None
    if problems:
        raise invalid_input(problems)
    return used, decision, review(checked, used, decision)


def _output(pack: RulePack, decision: Decision, result: Review) -> Output:
    def issues(ids: Sequence[str]) -> list[dict[str, str]]:
        return [{"id": vid, "message": pack.validation_by_id[vid].message} for vid in ids]

    accounting = result.accounting
    return {
        "outcome": decision.outcome.value,
        "subtype": decision.subtype.value if decision.subtype else None,
        "decided_at": decision.decided_at,
        "reason_codes": [decision.reason.value] if decision.reason else [],
        "basis_codes": list(decision.basis),
        "blocks": issues(result.blocks),
        "flags": issues(result.flags),
        "inform_subject": {
            "decision": result.inform.value,
            "timing": result.inform_timing.value if result.inform_timing else None,
        },
        "requires_supervisor_signoff": result.signoff,
        "accounting": {
            "hipaa_accountable": accounting.hipaa_accountable,
            "part2_accountable": accounting.part2_accountable,
            "ferpa_record_required": accounting.ferpa_record_required,
            "privacy_act_accountable": accounting.privacy_act_accountable,
        },
    }


def _trace(pack: RulePack, decision: Decision, result: Review) -> list[TraceStep]:
    steps: list[TraceStep] = []
    for rule in (*decision.rules, result.inform_rule):
        question = pack.question_by_id[rule.question]
        steps.append(
            {
                "kind": "rule",
                "id": question.id,
                "title": question.title,
                "rule": rule.local_id,
                "text": pack.rule_texts[rule.value],
                "what_to_do": None,
                "rests_on": pack.citations(question.rests_on),
            }
        )
    raised = set(result.blocks) | set(result.flags)
    for validation in pack.validations:
        if validation.id in raised:
            steps.append(
                {
                    "kind": validation.severity,
                    "id": validation.id,
                    "title": validation.message,
                    "rule": None,
                    "text": validation.when,
                    "what_to_do": validation.what_to_do,
                    "rests_on": pack.citations(validation.rests_on),
                }
            )
    return steps


def questions(
    jurisdiction: str, regimes: Sequence[str], pack: RulePack | None = None
) -> list[dict[str, Any]]:
    """The questions of a jurisdiction's pack, in order, as the form shows them.

    Allowed values that depend on the jurisdiction (regimes, claimable codes, instrument types,
    consent forms) are filled in from the pack. The regimes are checked as the input would be;
    the contract restricts no other value by regime, so they filter nothing further. ``pack``
    is the organisation's pack when it has one, so the form asks what the engine will read.
    """
    chosen = _jurisdiction(jurisdiction)
    pack = pack if pack is not None else builtin_pack(chosen)
    _check_regimes(chosen, pack, regimes)
    allowed = {
        AllowedFrom.REGIMES: [regime.value for regime in pack.regimes],
        AllowedFrom.CLAIMABLE_BASIS_CODES: [c.code for c in pack.basis_codes if c.claimable],
        AllowedFrom.INSTRUMENTS: [instrument.type.value for instrument in pack.instruments],
        AllowedFrom.CONSENT_FORMS: [entry.form.value for entry in pack.consent_forms],
    }

    def field(spec: PackField) -> dict[str, Any]:
        return {
            "name": spec.name,
            "type": spec.type.value,
            "required": spec.required,
            "label": spec.label,
            "help": spec.help,
            "allowed": allowed[spec.allowed_from] if spec.allowed_from else list(spec.allowed),
            "fields": [field(sub) for sub in spec.fields],
        }

    return [
        {
            "id": question.id,
            "title": question.title,
            "text": question.text,
            "help": question.help,
            "required": question.required.value,
            "rests_on": [
                pack.source_by_id[source].model_dump(mode="json") for source in question.rests_on
            ],
            "fields": [field(spec) for spec in question.fields],
        }
        for question in pack.questions
    ]


def _jurisdiction(value: str) -> Jurisdiction:
    try:
        return Jurisdiction(value)
    except ValueError:
        choices = ", ".join(j.value for j in Jurisdiction)
        raise InvalidDocument(
            f"not a jurisdiction: choose one of {choices}", "jurisdiction"
        ) from None


def _check_regimes(jurisdiction: Jurisdiction, pack: RulePack, values: Sequence[str]) -> None:
    """The same rules as the input's regimes (§2.1), named by index as INVALID_INPUT would."""
    known = {regime.value for regime in Regime}
    problems: list[Problem] = [
        (("regimes", index), "not a regime")
        for index, value in enumerate(values)
        if value not in known
    ]
    if problems:
        raise invalid_input(problems)
    regimes = [Regime(value) for value in values]
    problems.extend(
        (("regimes",) if index is None else ("regimes", index), message)
        for index, message in regime_problems(jurisdiction, regimes)
    )
    problems.extend(
        (("regimes", index), f"not a regime of the {pack.id} rule pack")
        for index, regime in enumerate(regimes)
        if regime not in pack.regimes
    )
    if problems:
        raise invalid_input(problems)
