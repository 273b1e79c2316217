"""Contract §4.2-§4.5: which validations run, informing the subject, sign-off, accounting."""

from __future__ import annotations

from typing import Any

import pytest

from desktop.domain.checklist import builtin_pack, evaluate
from desktop.domain.enums import Jurisdiction
from tests.domain.checklist.builders import (
    answer,
    compelled_share,
    consent_share,
    ids,
    override_share,
    yes,
)


def _anonymised(document: dict[str, Any]) -> dict[str, Any]:
    return answer(
        document,
        "Q5_identifiable",
        anonymised_sufficient=True,
        anonymisation_method="Aggregated",
        reidentification_assessment="No small cells",
    )


def _problem_record(document: dict[str, Any]) -> dict[str, Any]:
    """Answers that would raise V2, V4 and V5 for a share."""
    document = answer(document, "Q12_minimum_necessary", items=[], whole_record_disclosed=True)
    return answer(document, "Q14_inform", status="NOT_INFORMED", not_informed_reason=None)


# §4.2


@pytest.mark.parametrize(
    ("change", "outcome"),
    [
        ({"legitimate": "NO"}, "DO_NOT_SHARE"),
        ({"legitimate": "UNSURE"}, "SEEK_ADVICE"),
    ],
)
def test_share_only_validations_do_not_run_when_nothing_is_shared(
    change: dict[str, Any], outcome: str
) -> None:
    document = answer(_problem_record(consent_share()), "Q2_purpose", **change)
    output = evaluate(document)
    assert output["outcome"] == outcome
    assert output["blocks"] == []
    assert ids(output["flags"]) == ["V9"]  # V9 (whole record) runs for every outcome


def test_only_v20_runs_for_share_anonymised() -> None:
    suspension = {"statement_type": "ORAL", "received_at": "2025-01-01T10:00:00Z"}
    document = answer(
        _anonymised(_problem_record(consent_share("US"))),
        "Q17_record",
        accounting_suspension=suspension,
    )
    output = evaluate(document)
    assert output["outcome"] == "SHARE_ANONYMISED"
    assert (output["blocks"], ids(output["flags"])) == ([], ["V20"])


def test_blocks_and_flags_are_in_v_order_with_the_pack_messages() -> None:
    document = _problem_record(override_share(claims=[yes("UK-STAT-CA1989-S47")]))
    document["answers"].pop("Q15_advice")
    output = evaluate(document)
    assert ids(output["blocks"]) == ["V1", "V2"]
    assert ids(output["flags"]) == ["V4", "V5", "V9"]
    pack = builtin_pack(Jurisdiction.UK_ENG)
    for issue in output["blocks"] + output["flags"]:
        assert issue["message"] == pack.validation_by_id[issue["id"]].message


# §4.3


@pytest.mark.parametrize(
    ("outcome_change", "decision"),
    [
        ({"legitimate": "UNSURE"}, "CONDITIONAL"),
        ({"legitimate": "NO"}, "NOT_APPLICABLE"),
        ({}, "NO"),
    ],
)
def test_inform_rule_2_when_q14_is_omitted(outcome_change: dict[str, Any], decision: str) -> None:
    document = answer(consent_share(), "Q2_purpose", **outcome_change)
    del document["answers"]["Q14_inform"]
    assert evaluate(document)["inform_subject"] == {"decision": decision, "timing": None}


@pytest.mark.parametrize("legitimate", ["YES", "NO", "UNSURE"])
@pytest.mark.parametrize(
    ("q14", "expected"),
    [
        ({"status": "BEFORE"}, {"decision": "YES", "timing": "BEFORE"}),
        ({"status": "AFTER"}, {"decision": "YES", "timing": "AFTER"}),
        ({"status": "WILL_INFORM_BY"}, {"decision": "YES", "timing": "AFTER"}),
        (
            {"status": "NOT_INFORMED", "not_informed_reason": "NO_DUTY_TO_INFORM"},
            {"decision": "NOT_REQUIRED", "timing": None},
        ),
        (
            {"status": "NOT_INFORMED", "not_informed_reason": "SUBJECT_CANNOT_UNDERSTAND"},
            {"decision": "NOT_APPLICABLE", "timing": None},
        ),
        (
            {"status": "NOT_INFORMED", "not_informed_reason": "INCREASE_RISK"},
            {"decision": "NO", "timing": None},
        ),
        ({"status": "NOT_INFORMED"}, {"decision": "NO", "timing": None}),
    ],
)
def test_inform_rules_3_and_4_apply_to_every_outcome_once_q14_is_given(
    legitimate: str, q14: dict[str, Any], expected: dict[str, Any]
) -> None:
    document = answer(consent_share(), "Q2_purpose", legitimate=legitimate)
    document["answers"]["Q14_inform"] = q14
    assert evaluate(document)["inform_subject"] == expected


def test_inform_share_anonymised_is_not_applicable_even_when_told() -> None:
    output = evaluate(_anonymised(consent_share()))
    assert output["inform_subject"] == {"decision": "NOT_APPLICABLE", "timing": None}


@pytest.mark.parametrize("status", ["AFTER", "WILL_INFORM_BY"])
def test_inform_promptly_for_a_hipaa_adult_abuse_report(status: str) -> None:
    document = override_share("US", claims=[yes("US-HIPAA-512C")])
    document = answer(document, "Q14_inform", status=status)
    assert evaluate(document)["inform_subject"] == {"decision": "YES", "timing": "PROMPTLY"}


def test_uk_no_duty_to_inform_is_not_required_and_a_v2_block_at_once() -> None:
    document = answer(
        consent_share(),
        "Q14_inform",
        status="NOT_INFORMED",
        not_informed_reason="NO_DUTY_TO_INFORM",
    )
    output = evaluate(document)
    assert output["inform_subject"]["decision"] == "NOT_REQUIRED"
    assert ids(output["blocks"]) == ["V2"]


# §4.4


def test_signoff_not_needed_for_a_clean_consent_share() -> None:
    assert evaluate(consent_share())["requires_supervisor_signoff"] is False


@pytest.mark.parametrize(
    "document",
    [
        override_share(),
        answer(
            consent_share(),
            "Q3_emergency",
            immediate_risk=True,
            nature_of_emergency="Threat to life",
            why_no_time="Tonight",
            claims=[yes("UK-GDPR-6-1-D"), yes("UK-CL-PUBLIC-INTEREST")],
        ),
        answer(consent_share(), "Q12_minimum_necessary", whole_record_disclosed=True),
        answer(
            consent_share(),
            "Q13_objections",
            objections=[{"by_role": "PARENT_CARER", "overruled": True, "explanation": "Risk."}],
        ),
    ],
    ids=["override", "emergency", "whole-record", "objection-overruled"],
)
def test_signoff_for_a_share_with_a_trigger(document: dict[str, Any]) -> None:
    document["answers"]["Q15_advice"] = {"consultations": [{"role": "DSL", "timing": "BEFORE"}]}
    output = evaluate(document)
    assert output["flags"] == [] or ids(output["flags"]) == ["V5"]
    assert output["requires_supervisor_signoff"] is True


def test_signoff_for_any_flag_even_without_a_share() -> None:
    document = answer(consent_share(), "Q2_purpose", legitimate="NO")
    document = answer(document, "Q12_minimum_necessary", whole_record_disclosed=True)
    output = evaluate(document)
    assert ids(output["flags"]) == ["V9"]
    assert output["requires_supervisor_signoff"] is True


def test_signoff_triggers_other_than_flags_apply_to_shares_only() -> None:
    document = answer(consent_share(), "Q2_purpose", legitimate="NO")
    document = answer(document, "Q12_minimum_necessary", whole_record_disclosed=True)
    document = answer(
        document,
        "Q13_objections",
        objections=[{"by_role": "SUBJECT", "overruled": True, "explanation": "Risk."}],
    )
    document["answers"]["Q15_advice"] = {"consultations": [{"role": "DSL", "timing": "BEFORE"}]}
    output = evaluate(document)
    assert output["flags"] == []
    assert output["requires_supervisor_signoff"] is False


# §4.5


def _accounting(document: dict[str, Any]) -> dict[str, bool]:
    result: dict[str, bool] = evaluate(document)["accounting"]
    return result


def test_nothing_is_accountable_in_the_uk() -> None:
    for document in (consent_share(), override_share(), compelled_share("UK-ENG", "COURT_ORDER")):
        assert not any(_accounting(document).values())


@pytest.mark.parametrize(
    ("claims", "kind", "accountable"),
    [
        (["US-HIPAA-512B1II"], "OTHER", True),
        (["US-HIPAA-512B1II", "US-STATE-MANDATED-REPORT"], "OTHER", True),
        (["US-HIPAA-512K2"], "OTHER", False),
        (["US-HIPAA-512B1II"], "SUBJECT", False),
    ],
)
def test_hipaa_accountable_needs_an_a_code_and_a_recipient_other_than_the_subject(
    claims: list[str], kind: str, accountable: bool
) -> None:
    document = override_share("US", ["HIPAA"], claims=[yes(code) for code in claims])
    document["answers"]["Q4_recipient"]["recipients"][0]["kind"] = kind
    assert _accounting(document)["hipaa_accountable"] is accountable


def test_hipaa_accountable_needs_the_hipaa_regime_and_a_share() -> None:
    document = override_share("US", ["STATE_ONLY"], claims=[yes("US-HIPAA-512B1II")])
    assert _accounting(document)["hipaa_accountable"] is False
    pending = answer(
        override_share("US", ["HIPAA"], claims=[yes("US-HIPAA-512B1II")]),
        "Q2_purpose",
        legitimate="UNSURE",
    )
    assert _accounting(pending)["hipaa_accountable"] is False


def test_part2_accountable_for_a_part2_consented_share() -> None:
    document = answer(
        consent_share("US", ["PART2"]), "Q10_seek_consent", consent_forms=["PART2_CONSENT"]
    )
    assert _accounting(document)["part2_accountable"] is True
    document["regimes"] = ["HIPAA"]
    assert _accounting(document)["part2_accountable"] is False


@pytest.mark.parametrize(
    ("change", "required"),
    [
        ({}, True),
        ({"info_types": []}, False),
        ({"kind": "SCHOOL_OFFICIAL"}, False),
        ({"legitimate": "NO"}, False),
        ({"legitimate": "NO", "origin": "REQUEST"}, True),
        ({"legitimate": "UNSURE", "origin": "REQUEST"}, True),
        ({"consent": True}, False),
        ({"anonymised": True, "origin": "REQUEST"}, False),
    ],
)
def test_ferpa_record_required(change: dict[str, Any], required: bool) -> None:
    document = override_share("US", ["FERPA"], claims=[yes("US-FERPA-1232G-B1L")])
    document = answer(
        document, "Q6_information_type", info_types=change.get("info_types", ["EDUCATION_RECORD"])
    )
    recipient = document["answers"]["Q4_recipient"]["recipients"][0]
    recipient["kind"] = change.get("kind", "OTHER")
    purpose = document["answers"]["Q2_purpose"]
    purpose["legitimate"] = change.get("legitimate", "YES")
    purpose["origin"] = change.get("origin", "PROACTIVE")
    if change.get("consent"):
        document = answer(
            document,
            "Q10_seek_consent",
            consent_sought=True,
            consent_result="GIVEN",
            consent_forms=["FERPA_WRITTEN"],
            not_sought_reason=None,
        )
        document["answers"]["Q8_protection_concern"]["protection_concern"] = False
    if change.get("anonymised"):
        document = _anonymised(document)
    assert _accounting(document)["ferpa_record_required"] is required


def test_privacy_act_accountable_for_every_share_under_the_privacy_act() -> None:
    document = answer(
        consent_share("US", ["PRIVACY_ACT"]),
        "Q10_seek_consent",
        consent_forms=["HIPAA_AUTHORIZATION"],
    )
    assert _accounting(document)["privacy_act_accountable"] is True
    assert (
        _accounting(answer(document, "Q2_purpose", legitimate="NO"))["privacy_act_accountable"]
        is False
    )


def test_uk_cl_consent_is_never_produced() -> None:
    """§8.11: common-law consent is expressed by the UK-CONSENT-* codes."""
    for jurisdiction in ("UK-ENG", "UK-WAL", "UK-SCO", "UK-NI"):
        pack = builtin_pack(Jurisdiction(jurisdiction))
        assert "UK-CL-CONSENT" not in pack.consent_code_by_form.values()
        assert not pack.codes["UK-CL-CONSENT"].claimable
