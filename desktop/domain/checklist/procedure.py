"""The outcome phase (contract §4.1): Q1 to Q11 in order; the first terminating rule wins.

The structure of the procedure is code; every code it adds (instrument table, consent forms,
anonymisation) and every threshold it compares against come from the rule pack.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final, NoReturn, TypeVar

from desktop.domain.checklist.contract import Rule
from desktop.domain.checklist.inputs import (
    REACHED,
    q3_problems,
    q5_problems,
    q7_problems,
    q8_problems,
    q9_problems,
    q10_problems,
    q11_problems,
)
from desktop.domain.checklist.rule_pack import (
    NOT_LEGAL_INSTRUMENTS,
    Instrument,
    InstrumentCondition,
    Problem,
    RulePack,
)
from desktop.domain.checklist_input import (
    ChecklistInput,
    Claim,
    OverrideScreen,
    Q7Compelled,
    Q9WhoConsents,
)
from desktop.domain.enums import (
    CapacityOutcome,
    ConsentResult,
    DecisionMakerRole,
    InfoType,
    InstrumentType,
    Judgement,
    Outcome,
    PurposeCode,
    ReasonCode,
    Subtype,
    WhoAtRisk,
)

T = TypeVar("T")

SPECIAL_CATEGORIES: Final = frozenset(
    {
        InfoType.SPECIAL_CATEGORY_HEALTH,
        InfoType.SPECIAL_CATEGORY_SEX_LIFE,
        InfoType.SPECIAL_CATEGORY_OTHER,
    }
)
SAFEGUARDING_PURPOSES: Final = frozenset(
    {PurposeCode.SAFEGUARDING_CHILD, PurposeCode.SAFEGUARDING_ADULT}
)


@dataclass(frozen=True)
class Decision:
    """Where §4.1 ended, and what the record phase needs to know about the way there."""

    outcome: Outcome
    decided_at: str
    rules: tuple[Rule, ...]
    """Every rule that fired, in order; the last one ended the procedure."""
    subtype: Subtype | None = None
    reason: ReasonCode | None = None
    basis: tuple[str, ...] = ()
    claims: tuple[Claim, ...] = ()
    """The claims whose codes are in the basis (their attests feed V7, V12 and V13)."""
    refusal: bool = False
    """Q10 was reached with consent REFUSED or WITHDRAWN (an implied objection, V8)."""
    police_request: bool = False
    """Q7 was a police request without an order (V9(c))."""
    instrument: Instrument | None = None
    """The legal instrument a Q7 decision rests on (V10)."""


class MissingAnswers(Exception):
    """A reached question lacks required fields: the procedure cannot go on."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems


def decide(document: ChecklistInput, pack: RulePack) -> Decision:
    """Run §4.1. Raises MissingAnswers when a question it reaches is incomplete."""
    return _Walk(document, pack).run()


def _yes(claims: Iterable[Claim]) -> list[Claim]:
    """§4 "YES claims": NO claims are always dropped, UNSURE ones except where a rule keeps them."""
    return [claim for claim in claims if claim.conditions_met is Judgement.YES]


def _yes_or_unsure(claims: Iterable[Claim]) -> list[Claim]:
    return [claim for claim in claims if claim.conditions_met is not Judgement.NO]


class _Walk:
    """One run of the outcome phase, noting each rule as it fires."""

    def __init__(self, document: ChecklistInput, pack: RulePack) -> None:
        self.document = document
        self.answers = document.answers
        self.pack = pack
        self.regimes = frozenset(document.regimes)
        self.info = frozenset(self.answers.q6_information_type.info_types)
        self.rules: list[Rule] = [Rule.Q1_PACK]
        self.refusal = False
        self.police_request = False

    def run(self) -> Decision:
        answers = self.answers
        q2 = answers.q2_purpose
        if q2.legitimate is Judgement.NO:
            return self._end(
                Rule.Q2_NOT_LEGITIMATE, Outcome.DO_NOT_SHARE, ReasonCode.NO_LEGITIMATE_PURPOSE
            )
        if q2.legitimate is Judgement.UNSURE:
            return self._end(Rule.Q2_UNSURE, Outcome.SEEK_ADVICE)
        self.rules.append(Rule.Q2_LEGITIMATE)

        q3 = answers.q3_emergency
        self._require(q3_problems(q3))
        recipients = answers.q4_recipient.recipients
        if q3.immediate_risk:
            # Q3 ends §4.1 before Q4 looks at identity: an unidentified recipient who has a role
            # in the emergency does not stop it (contract "Easy to get wrong").
            if all(r.has_role_in_purpose is Judgement.YES for r in recipients):
                return self._end(
                    Rule.Q3_EMERGENCY,
                    Outcome.SHARE_WITHOUT_CONSENT,
                    subtype=Subtype.EMERGENCY,
                    claims=_yes(q3.claims),
                )
            self.rules.append(Rule.Q3_ROLE_NOT_CONFIRMED)
        else:
            self.rules.append(Rule.Q3_NO_EMERGENCY)

        if any(r.has_role_in_purpose is Judgement.NO for r in recipients):
            return self._end(Rule.Q4_NO_ROLE, Outcome.DO_NOT_SHARE, ReasonCode.RECIPIENT_NO_ROLE)
        if any(r.has_role_in_purpose is Judgement.UNSURE or not r.identified for r in recipients):
            return self._end(Rule.Q4_NOT_CONFIRMED, Outcome.SEEK_ADVICE)
        self.rules.append(Rule.Q4_CONFIRMED)

        q5 = self._reached("Q5_identifiable", answers.q5_identifiable)
        self._require(q5_problems(q5))
        if q5.anonymised_sufficient:
            codes = [
                entry.code
                for entry in self.pack.anonymisation
                if entry.regime is None or entry.regime in self.regimes
            ]
            return self._end(Rule.Q5_ANONYMISED, Outcome.SHARE_ANONYMISED, engine_codes=codes)
        self.rules.append(Rule.Q5_IDENTIFIABLE)
        self.rules.append(Rule.Q6_LAYERS)
        return self._q7()

    def _q7(self) -> Decision:
        q7 = self._reached("Q7_compelled", self.answers.q7_compelled)
        self._require(q7_problems(q7))
        instrument = self.pack.instrument_by_type.get(q7.instrument_type or InstrumentType.NONE)
        if instrument is None:  # not allowed in this jurisdiction: value_problems names it
            self._stop([])
        if instrument.type is InstrumentType.POLICE_REQUEST_NO_ORDER:
            # Not compulsion: Q8-Q10 are not reached (§4.1 Q7).
            self.police_request = True
            self.rules.append(Rule.Q7_POLICE_REQUEST)
            return self._q11(None)
        if instrument.type in NOT_LEGAL_INSTRUMENTS:
            self.rules.append(Rule.Q7_NONE)
            return self._q8_to_q10()
        if q7.instrument_valid is Judgement.NO:
            return self._end(Rule.Q7_INVALID, Outcome.DO_NOT_SHARE, ReasonCode.INSUFFICIENT_REQUEST)
        codes = self._instrument_codes(instrument, q7)
        if q7.instrument_valid is Judgement.UNSURE:
            return self._end(
                Rule.Q7_UNSURE,
                Outcome.SEEK_ADVICE,
                engine_codes=codes,
                claims=_yes_or_unsure(q7.claims),
            )
        return self._end(
            Rule.Q7_VALID,
            Outcome.SHARE_WITHOUT_CONSENT,
            subtype=instrument.subtype,
            engine_codes=codes,
            claims=_yes(q7.claims),
            instrument=instrument,
        )

    def _instrument_codes(self, instrument: Instrument, q7: Q7Compelled) -> list[str]:
        """The §4.1 Q7 table (with §8.1): the instrument's codes whose conditions hold."""
        law_enforcement = (
            self.answers.q2_purpose.purpose_code is PurposeCode.CRIME_PREVENTION_DETECTION
        )
        holds = {
            None: True,
            InstrumentCondition.LAW_ENFORCEMENT: law_enforcement,
            InstrumentCondition.NOT_LAW_ENFORCEMENT: not law_enforcement,
            InstrumentCondition.FERPA_PARENT_IS_PARTY: q7.ferpa_parent_is_party,
            InstrumentCondition.NOT_FERPA_PARENT_IS_PARTY: not q7.ferpa_parent_is_party,
            InstrumentCondition.SPECIAL_CATEGORY: bool(self.info & SPECIAL_CATEGORIES),
            InstrumentCondition.PART2_COURT_ORDER: q7.part2_court_order,
        }
        return [
            entry.code
            for entry in instrument.codes
            if (entry.regime is None or entry.regime in self.regimes)
            and (entry.info is None or entry.info in self.info)
            and holds[entry.condition]
        ]

    def _q8_to_q10(self) -> Decision:
        answers = self.answers
        # Q8, Q9 and Q10 are always reached together, so all three are checked at once.
        q8, q9, q10 = (
            answers.q8_protection_concern,
            answers.q9_who_consents,
            answers.q10_seek_consent,
        )
        if q8 is None or q9 is None or q10 is None:
            self._stop(
                _absent(
                    ("Q8_protection_concern", q8),
                    ("Q9_who_consents", q9),
                    ("Q10_seek_consent", q10),
                )
            )
        self._require([*q8_problems(q8), *q9_problems(q9), *q10_problems(q10)])

        # In the UK a protection concern means consent cannot be the basis; in the US it has
        # no effect (§4.1 Q8). Either way Q9 is reached, so the capacity record is kept.
        concern = bool(q8.protection_concern)
        self.rules.append(Rule.Q8_CONCERN if concern else Rule.Q8_NO_CONCERN)
        self.rules.append(Rule.Q9_RECORDED)
        sought = bool(q10.consent_sought)
        self.refusal = sought and q10.consent_result in (
            ConsentResult.REFUSED,
            ConsentResult.WITHDRAWN,
        )
        if concern and self.document.jurisdiction.is_uk:
            self.rules.append(Rule.Q10_CONSENT_NOT_BASIS)
        elif not sought:
            self.rules.append(Rule.Q10_NOT_SOUGHT)
        elif q10.consent_result is ConsentResult.GIVEN:
            by_form = self.pack.consent_code_by_form
            forms = q10.consent_forms or []
            if any(form not in by_form for form in forms):
                self._stop([])  # not used in this jurisdiction: value_problems names it
            return self._end(
                Rule.Q10_GIVEN,
                Outcome.SHARE_WITH_CONSENT,
                engine_codes=[by_form[form] for form in forms],
                claims=_yes(q10.claims),
            )
        else:
            self.rules.append(Rule.Q10_REFUSED)
        return self._q11(q9)

    def _q11(self, q9: Q9WhoConsents | None) -> Decision:
        q11 = self._reached("Q11_override_basis", self.answers.q11_override_basis)
        self._require(q11_problems(q11))
        screen = q11.override_screen
        assert screen is not None  # q11_problems refuses a missing screen
        if q9 is not None and self._capacitous_refusal(q9, screen):
            return self._end(
                Rule.Q11_CAPACITOUS_REFUSAL,
                Outcome.DO_NOT_SHARE,
                ReasonCode.CONSENT_REFUSED_NO_OVERRIDE,
            )
        if any(claim.conditions_met is Judgement.UNSURE for claim in q11.claims):
            return self._end(
                Rule.Q11_CLAIM_UNSURE, Outcome.SEEK_ADVICE, claims=_yes_or_unsure(q11.claims)
            )
        claims = _yes(q11.claims)
        if not claims:
            prohibited = any(
                layer.prohibits_sharing_without_basis and layer.applies(self.regimes, self.info)
                for layer in self.pack.layers
            )
            if prohibited:
                return self._end(
                    Rule.Q11_LEGAL_PROHIBITION, Outcome.DO_NOT_SHARE, ReasonCode.LEGAL_PROHIBITION
                )
            return self._end(
                Rule.Q11_NO_LAWFUL_BASIS, Outcome.DO_NOT_SHARE, ReasonCode.NO_LAWFUL_BASIS
            )
        if self.answers.q2_purpose.purpose_code in SAFEGUARDING_PURPOSES:
            subtype = Subtype.SAFEGUARDING_OVERRIDE
        elif any(
            # .get: an unknown code is INVALID_INPUT, already found by value_problems.
            known.public_interest
            for claim in claims
            if claim.code is not None and (known := self.pack.codes.get(claim.code)) is not None
        ):
            subtype = Subtype.PUBLIC_INTEREST
        else:
            subtype = Subtype.PERMITTED_DISCLOSURE
        return self._end(
            Rule.Q11_OVERRIDE, Outcome.SHARE_WITHOUT_CONSENT, subtype=subtype, claims=claims
        )

    def _capacitous_refusal(self, q9: Q9WhoConsents, screen: OverrideScreen) -> bool:
        """§4.1 Q11(a): an adult with capacity refused and nothing in the screen overrides it."""
        age = q9.subject_age
        return (
            self.refusal
            and q9.decision_maker_role is DecisionMakerRole.SUBJECT
            and age is not None
            and age >= self.pack.thresholds.adult_age
            and q9.capacity_outcome is CapacityOutcome.HAS_CAPACITY
            and set(screen.who_at_risk or ()) <= {WhoAtRisk.SUBJECT}
            and not (
                screen.coercion_suspected
                or screen.serious_crime
                or screen.staff_implicated
                or screen.vital_interest_emergency
            )
        )

    def _end(
        self,
        rule: Rule,
        outcome: Outcome,
        reason: ReasonCode | None = None,
        *,
        subtype: Subtype | None = None,
        engine_codes: Sequence[str] = (),
        claims: Sequence[Claim] = (),
        instrument: Instrument | None = None,
    ) -> Decision:
        """§3 basis: engine codes first, then claims in input order, no duplicates; [] for DNS."""
        self.rules.append(rule)
        if outcome is Outcome.DO_NOT_SHARE:
            engine_codes, claims = (), ()
        # A reached question's claims all have codes (checked before the procedure uses them).
        codes = [claim.code for claim in claims if claim.code is not None]
        basis = tuple(dict.fromkeys([*engine_codes, *codes]))
        return Decision(
            outcome=outcome,
            decided_at=rule.question,
            rules=tuple(self.rules),
            subtype=subtype,
            reason=reason,
            basis=basis,
            claims=tuple(claims),
            refusal=self.refusal,
            police_request=self.police_request,
            instrument=instrument,
        )

    def _reached(self, question: str, answer: T | None) -> T:
        """A question §4.1 reached must be answered (§1 "Required answers")."""
        if answer is None:
            self._stop(_absent((question, answer)))
        return answer

    def _require(self, problems: Iterable[Problem]) -> None:
        found = list(problems)
        if found:
            self._stop(found)

    def _stop(self, problems: Iterable[Problem]) -> NoReturn:
        raise MissingAnswers(list(problems))


def _absent(*answers: tuple[str, object]) -> Iterator[Problem]:
    for question, answer in answers:
        if answer is None:
            yield ("answers", question), f"required field is missing ({REACHED})"
