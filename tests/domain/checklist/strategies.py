"""Hypothesis strategies for contract-valid checklist inputs, UK and US.

Every answer the procedure could reach is present and complete, so any draw is valid input;
the optional record answers (Q12-Q17) are sometimes left out. Choices are weighted towards the
common path (a legitimate purpose, an identified recipient, no instrument) so that every
question, not only the early exits, is exercised.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

from desktop.domain.checklist import builtin_pack
from desktop.domain.checklist.rule_pack import NOT_LEGAL_INSTRUMENTS
from desktop.domain.checklist_input import ATTEST_KEY_CODES
from desktop.domain.enums import (
    AdviceRole,
    AdviceTiming,
    CapacityOutcome,
    CapacityTest,
    DecisionMakerRole,
    FactOrOpinion,
    FerpaNoticeException,
    InformStatus,
    InfoType,
    Jurisdiction,
    Method,
    NotInformedReason,
    NotSoughtReason,
    ObjectionBy,
    Origin,
    Para18Reason,
    PurposeCode,
    RecipientKind,
    RedisclosureNotice,
    StatementType,
    WhoAtRisk,
)

Draw = Any
TEXT = st.sampled_from(["Seen at home visit.", "Told to the school nurse.", "Per GP letter."])
MAYBE_TEXT = st.none() | st.just("") | TEXT
TIMES = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2025, 3, 1), timezones=st.just(UTC)
).map(lambda moment: moment.isoformat())
MAYBE_TIME = st.none() | TIMES
MOSTLY_YES = st.sampled_from(["YES"] * 6 + ["NO", "UNSURE"])
MOSTLY_FALSE = st.sampled_from([False] * 3 + [True])
RARELY = st.sampled_from([False] * 7 + [True])


def values(enum: Any) -> st.SearchStrategy[str]:
    return st.sampled_from([member.value for member in enum])


def some(enum: Any, max_size: int = 3) -> st.SearchStrategy[list[str]]:
    return st.lists(values(enum), max_size=max_size, unique=True)


def _optional(draw: Draw, target: dict[str, Any], name: str, strategy: Any) -> None:
    """Sets a field only sometimes: an omitted optional field takes its default."""
    value = draw(st.none() | strategy)
    if value is not None:
        target[name] = value


_ATTESTS: dict[str, st.SearchStrategy[Any]] = {
    "subject_incapable_of_consent": st.booleans(),
    "para18_reason": values(Para18Reason),
    "serious_and_imminent": st.booleans(),
    "recipient_able_to_prevent_or_lessen": st.booleans(),
    "threat_description": MAYBE_TEXT.filter(lambda text: text is not None),
}


@st.composite
def claims(draw: Draw, codes: list[str]) -> list[dict[str, Any]]:
    made = []
    for code in draw(st.lists(st.sampled_from(codes), max_size=4)):
        claim: dict[str, Any] = {"code": code, "conditions_met": draw(MOSTLY_YES)}
        _optional(draw, claim, "justification", TEXT)
        attest = {
            key: draw(strategy)
            for key, strategy in _ATTESTS.items()
            if ATTEST_KEY_CODES[key] == code and draw(st.booleans())
        }
        if attest:
            claim["attest"] = attest
        made.append(claim)
    return made


@st.composite
def checklist_inputs(draw: Draw) -> dict[str, Any]:
    """A complete, valid contract input document."""
    jurisdiction = draw(values(Jurisdiction))
    pack = builtin_pack(Jurisdiction(jurisdiction))
    if jurisdiction == "US":
        federal = st.lists(
            st.sampled_from(["HIPAA", "PART2", "FERPA", "PRIVACY_ACT"]), min_size=1, unique=True
        )
        regimes = draw(st.just(["STATE_ONLY"]) | federal)
    else:
        regimes = draw(
            st.lists(st.sampled_from(["UK_GDPR", "CL_CONFIDENCE"]), min_size=1, unique=True)
        )
    codes = [code.code for code in pack.basis_codes if code.claimable]
    info = draw(st.lists(values(InfoType), max_size=4, unique=True))
    answers: dict[str, Any] = {
        "Q2_purpose": {
            "purpose_code": draw(values(PurposeCode)),
            "purpose_statement": draw(TEXT),
            "legitimate": draw(MOSTLY_YES),
            "origin": draw(values(Origin)),
        },
        "Q3_emergency": draw(_q3(codes)),
        "Q4_recipient": {"recipients": draw(st.lists(_recipient(), min_size=1, max_size=2))},
        "Q5_identifiable": draw(_q5()),
        "Q6_information_type": {"info_types": info},
        "Q7_compelled": draw(_q7(codes, [i.type.value for i in pack.instruments])),
        "Q8_protection_concern": {"protection_concern": draw(st.booleans())},
        "Q9_who_consents": draw(_q9()),
        "Q10_seek_consent": draw(_q10(codes, [f.form.value for f in pack.consent_forms])),
        "Q11_override_basis": draw(_q11(codes)),
    }
    for question, strategy in (
        ("Q12_minimum_necessary", _q12()),
        ("Q13_objections", _q13()),
        ("Q14_inform", _q14()),
        ("Q15_advice", _q15()),
        ("Q16_method", _q16()),
        ("Q17_record", _q17()),
    ):
        _optional(draw, answers, question, strategy)
    return {"jurisdiction": jurisdiction, "regimes": regimes, "answers": answers}


@st.composite
def _q3(draw: Draw, codes: list[str]) -> dict[str, Any]:
    q3: dict[str, Any] = {"immediate_risk": draw(RARELY)}
    if q3["immediate_risk"]:
        q3["nature_of_emergency"] = draw(TEXT)
        q3["why_no_time"] = draw(TEXT)
    _optional(draw, q3, "claims", claims(codes))
    return q3


@st.composite
def _recipient(draw: Draw) -> dict[str, Any]:
    recipient: dict[str, Any] = {
        "role_title": "Duty social worker",
        "organisation": "Children's services",
        "identified": draw(st.sampled_from([True] * 15 + [False])),
        "has_role_in_purpose": draw(st.sampled_from(["YES"] * 30 + ["NO", "UNSURE"])),
    }
    _optional(draw, recipient, "name", st.sampled_from(["", "Alex Duty"]))
    _optional(draw, recipient, "kind", values(RecipientKind))
    _optional(draw, recipient, "address", TEXT)
    return recipient


@st.composite
def _q5(draw: Draw) -> dict[str, Any]:
    if draw(RARELY):
        return {
            "anonymised_sufficient": True,
            "anonymisation_method": draw(TEXT),
            "reidentification_assessment": draw(TEXT),
        }
    return {"anonymised_sufficient": False}


@st.composite
def _q7(draw: Draw, codes: list[str], instruments: list[str]) -> dict[str, Any]:
    instrument = draw(st.sampled_from(["NONE"] * len(instruments) + instruments))
    q7: dict[str, Any] = {"instrument_type": instrument}
    if instrument not in NOT_LEGAL_INSTRUMENTS:
        q7["instrument_ref"] = draw(TEXT)
        q7["instrument_valid"] = draw(MOSTLY_YES)
    _optional(draw, q7, "instrument_scope", TEXT)
    _optional(draw, q7, "part2_court_order", st.booleans())
    _optional(draw, q7, "ferpa_parent_is_party", st.booleans())
    _optional(draw, q7, "claims", claims(codes))
    return q7


@st.composite
def _q9(draw: Draw) -> dict[str, Any]:
    q9: dict[str, Any] = {
        "capacity_test": draw(values(CapacityTest)),
        "capacity_outcome": draw(values(CapacityOutcome)),
        "decision_maker_role": draw(values(DecisionMakerRole)),
    }
    _optional(draw, q9, "subject_age", st.integers(min_value=0, max_value=99))
    return q9


@st.composite
def _q10(draw: Draw, codes: list[str], forms: list[str]) -> dict[str, Any]:
    q10: dict[str, Any] = {"consent_sought": draw(st.booleans()), "views": draw(TEXT)}
    if q10["consent_sought"]:
        result = draw(st.sampled_from(["GIVEN", "REFUSED", "WITHDRAWN"]))
        q10["consent_result"] = result
        if result == "GIVEN":
            q10["consent_forms"] = draw(
                st.lists(st.sampled_from(forms), min_size=1, max_size=2, unique=True)
            )
        if result == "WITHDRAWN":
            q10["withdrawn_at"] = draw(TIMES)
    else:
        q10["not_sought_reason"] = draw(values(NotSoughtReason))
    _optional(draw, q10, "consent_given_at", TIMES)
    if "withdrawn_at" not in q10:
        _optional(draw, q10, "withdrawn_at", TIMES)
    _optional(draw, q10, "withdrawal_covers_scope", st.booleans())
    _optional(draw, q10, "claims", claims(codes))
    return q10


@st.composite
def _q11(draw: Draw, codes: list[str]) -> dict[str, Any]:
    q11: dict[str, Any] = {
        "override_screen": {
            "who_at_risk": draw(some(WhoAtRisk)),
            "coercion_suspected": draw(MOSTLY_FALSE),
            "serious_crime": draw(MOSTLY_FALSE),
            "staff_implicated": draw(MOSTLY_FALSE),
            "vital_interest_emergency": draw(MOSTLY_FALSE),
        }
    }
    _optional(draw, q11, "claims", claims(codes))
    _optional(draw, q11, "risk_description", TEXT)
    return q11


@st.composite
def _q12(draw: Draw) -> dict[str, Any]:
    @st.composite
    def item(draw: Draw) -> dict[str, Any]:
        made: dict[str, Any] = {}
        _optional(draw, made, "description", st.sampled_from(["", "Chronology"]))
        _optional(draw, made, "fact_or_opinion", values(FactOrOpinion))
        _optional(draw, made, "justification", st.sampled_from(["", "Needed for the enquiry."]))
        _optional(draw, made, "within_instrument_scope", st.booleans())
        return made

    q12: dict[str, Any] = {"items": draw(st.lists(item(), max_size=3))}
    _optional(draw, q12, "whole_record_disclosed", MOSTLY_FALSE)
    return q12


@st.composite
def _q13(draw: Draw) -> dict[str, Any]:
    @st.composite
    def objection(draw: Draw) -> dict[str, Any]:
        made: dict[str, Any] = {
            "by_role": draw(values(ObjectionBy)),
            "overruled": draw(st.booleans()),
        }
        _optional(draw, made, "explanation", st.sampled_from(["", "Risk to the children."]))
        return made

    return {"objections": draw(st.lists(objection(), max_size=2))}


@st.composite
def _informed(draw: Draw) -> dict[str, Any]:
    made: dict[str, Any] = {"status": draw(values(InformStatus))}
    _optional(draw, made, "not_informed_reason", values(NotInformedReason))
    _optional(draw, made, "narrative", MAYBE_TEXT)
    return made


@st.composite
def _q14(draw: Draw) -> dict[str, Any]:
    q14: dict[str, Any] = draw(_informed())
    others = draw(st.lists(_informed(), max_size=2))
    if others:
        q14["others"] = [{"who": "Mother", **other} for other in others]
    _optional(draw, q14, "review_date", st.just("2025-06-01"))
    _optional(draw, q14, "ferpa_advance_notice_attempted", st.booleans())
    _optional(draw, q14, "ferpa_notice_exception", values(FerpaNoticeException))
    _optional(draw, q14, "pa_b8_notice_sent", st.booleans())
    return q14


@st.composite
def _q15(draw: Draw) -> dict[str, Any]:
    consultation = st.fixed_dictionaries(
        {"role": values(AdviceRole), "timing": values(AdviceTiming)}
    )
    return {"consultations": draw(st.lists(consultation, max_size=2))}


@st.composite
def _q16(draw: Draw) -> dict[str, Any]:
    q16: dict[str, Any] = {"methods": draw(some(Method))}
    _optional(draw, q16, "redisclosure_notices", some(RedisclosureNotice))
    _optional(draw, q16, "consent_copy_or_scope_attached", st.booleans())
    return q16


@st.composite
def _q17(draw: Draw) -> dict[str, Any]:
    q17: dict[str, Any] = {}
    _optional(draw, q17, "disclosure_at", TIMES)
    _optional(draw, q17, "record_created_at", TIMES)
    _optional(draw, q17, "as_of", TIMES)
    suspension = st.fixed_dictionaries(
        {"statement_type": values(StatementType), "received_at": TIMES},
        optional={"written_statement_received": st.booleans()},
    )
    _optional(draw, q17, "accounting_suspension", suspension)
    return q17
