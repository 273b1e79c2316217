"""Rule packs: the published schema, every shipped pack, and packs that must be refused."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from desktop.domain.checklist import builtin_pack, load_pack, rule_pack_json_schema
from desktop.domain.checklist.contract import FLAG_IDS, RULES_BY_QUESTION, VALIDATION_IDS
from desktop.domain.checklist_input import QUESTION_IDS
from desktop.domain.enums import Jurisdiction
from desktop.domain.errors import InvalidDocument
from desktop.resources import resource_path

PACK_DIR = resource_path("checklists")
PACK_FILES = sorted(PACK_DIR.glob("*.json"))
SCHEMA_FILE = resource_path("schemas", "rule-pack.schema.json")

# Contract §6, word for word: the pack's messages are part of the engine's output.
CONTRACT_MESSAGES = {
    "V1": "No lawful basis for every applicable layer: cannot be recorded as shared lawfully; "
    "if already disclosed, save as DISCLOSURE_WITHOUT_ESTABLISHED_BASIS and escalate.",
    "V2": "Person not informed and no valid reason recorded.",
    "V3": "HIPAA 164.512(c)(2): inform the individual promptly unless a listed exception applies.",
    "V4": "Information item missing or not justified: supervisor must accept.",
    "V5": "Whole record disclosed: supervisor sign-off required.",
    "V6": "Information exceeds the scope of the court order or legal requirement.",
    "V7": "Special category data: Art 9 condition missing, 9(2)(g) without a Sch 1 condition, "
    "or 9(2)(c) while the subject can consent.",
    "V8": "Objection or refusal overruled without a recorded explanation.",
    "V9": "Advice not recorded: signed export blocked until supervisor sign-off.",
    "V10": "Part 2: a subpoena or ordinary order is not enough; a Part 2 court order or consent "
    "is needed.",
    "V11": "Part 2 consented disclosure needs the 2.32 notice and the consent copy or scope.",
    "V12": "FERPA 99.36: record the articulable and significant threat and the parties.",
    "V13": "HIPAA 512(j)(1)(i): attest a serious and imminent threat and a recipient able to "
    "prevent or lessen it.",
    "V14": "HIPAA accounting entry needs date, recipient name, PHI description and purpose.",
    "V15": "The consent relied on was withdrawn before this disclosure.",
    "V16": "Child consent without competence assessment, or parental consent over a competent "
    "child's refusal.",
    "V17": "Emergency disclosure recorded more than 24 h after it was made.",
    "V18": "FERPA 99.31(a)(9): record the advance notice effort or the exception.",
    "V19": "Privacy Act (b)(8): send notice to the last known address.",
    "V20": "Oral accounting suspension over 30 days without written statement: un-suspend entries.",
}


def _raw(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _refused_fields(pack: dict[str, Any]) -> set[str]:
    with pytest.raises(InvalidDocument) as caught:
        load_pack(json.dumps(pack).encode())
    return {detail["field"] for detail in caught.value.details}


@pytest.fixture
def uk_pack() -> dict[str, Any]:
    return _raw(PACK_DIR / "UK-ENG.json")


def test_the_published_schema_is_generated_from_the_model() -> None:
    """Regenerate with rule_pack_json_schema() if this fails after a model change."""
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == rule_pack_json_schema()


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def test_every_jurisdiction_has_exactly_one_pack() -> None:
    assert sorted(path.stem for path in PACK_FILES) == sorted(j.value for j in Jurisdiction)


@pytest.mark.parametrize("path", PACK_FILES, ids=lambda path: path.stem)
def test_every_pack_validates_against_the_published_schema(path: Path) -> None:
    validator = Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    assert [error.message for error in validator.iter_errors(_raw(path))] == []


@pytest.mark.parametrize("path", PACK_FILES, ids=lambda path: path.stem)
def test_every_pack_loads_and_describes_the_contract(path: Path) -> None:
    pack = load_pack(path.read_bytes())
    assert pack.jurisdiction.value == path.stem
    assert [question.id for question in pack.questions] == list(QUESTION_IDS)
    assert [validation.id for validation in pack.validations] == list(VALIDATION_IDS)
    for question in pack.questions:
        assert [rule.id for rule in question.rules] == list(RULES_BY_QUESTION[question.id])


@pytest.mark.parametrize("path", PACK_FILES, ids=lambda path: path.stem)
def test_validation_messages_and_severities_are_the_contracts(path: Path) -> None:
    pack = load_pack(path.read_bytes())
    assert {v.id: v.message for v in pack.validations} == CONTRACT_MESSAGES
    assert {v.id for v in pack.validations if v.severity == "flag"} == FLAG_IDS


PLAIN_WORD = re.compile(r"^\(?[A-Za-z][a-z'-]*[,.:;)]?$")
"""An ordinary word: letters, perhaps capitalised; not a code (no digits, underscores, capitals)."""


def _is_plain_language(text: str) -> bool:
    """A sentence in words, not a code: mostly ordinary words, capitalised, full stop."""
    words = text.split()
    plain = [word for word in words if PLAIN_WORD.match(word)]
    return (
        len(words) >= 5
        and len(plain) >= 0.6 * len(words)
        and text[0].isupper()
        and (text.endswith("."))
    )


@pytest.mark.parametrize("path", PACK_FILES, ids=lambda path: path.stem)
def test_every_what_to_do_and_when_is_plain_language(path: Path) -> None:
    pack = load_pack(path.read_bytes())
    for validation in pack.validations:
        assert _is_plain_language(validation.what_to_do), (validation.id, validation.what_to_do)
        assert _is_plain_language(validation.when), (validation.id, validation.when)


def test_the_plain_language_check_refuses_code_only_text() -> None:
    assert not _is_plain_language("V2")
    assert not _is_plain_language(
        "US-HIPAA-512C NOT_INFORMED INCREASE_RISK PR_IS_SUSPECTED_ABUSER."
    )
    assert not _is_plain_language("")
    assert _is_plain_language("Record why the person was not told.")


@pytest.mark.parametrize("path", PACK_FILES, ids=lambda path: path.stem)
def test_questions_and_rules_speak_plain_language(path: Path) -> None:
    pack = load_pack(path.read_bytes())
    for question in pack.questions:
        assert _is_plain_language(question.help), question.id
        assert question.text.endswith("?"), question.id
        for rule in question.rules:
            assert _is_plain_language(rule.text), (question.id, rule.id)


@pytest.mark.parametrize("path", PACK_FILES, ids=lambda path: path.stem)
def test_the_outcomes_use_the_briefs_terms(path: Path) -> None:
    """Brief §5: the four terms the practitioner sees."""
    labels = {o.code.value: o.label for o in load_pack(path.read_bytes()).outcomes}
    assert labels["SHARE_WITH_CONSENT"] == "Share with consent"
    assert labels["SHARE_WITHOUT_CONSENT"] == "Share without consent (state the basis)"
    assert labels["DO_NOT_SHARE"] == "Do not share (state the reasons)"
    assert labels["SEEK_ADVICE"] == "Seek advice first"


def test_each_nation_rests_on_its_own_guidance() -> None:
    """Brief §2.8: the England advice does not apply in Scotland; each nation has its own."""
    expected = {
        "UK-ENG": ("Working Together to Safeguard Children 2023", "HM Government"),
        "UK-WAL": ("Wales Safeguarding Procedures", "Social Services and Well-being (Wales)"),
        "UK-SCO": ("GIRFEC", "Adult Support and Protection (Scotland) Act 2007"),
        "UK-NI": ("Co-operating to Safeguard Children",),
    }
    for jurisdiction, phrases in expected.items():
        pack = builtin_pack(Jurisdiction(jurisdiction))
        cited = " ".join(
            citation for q in pack.questions for citation in pack.citations(q.rests_on)
        )
        for phrase in phrases:
            assert phrase in cited, (jurisdiction, phrase)
    scotland = builtin_pack(Jurisdiction.UK_SCO)
    assert all("HM Government" not in source.citation for source in scotland.sources)
    assert scotland.thresholds.child_consent_age == 12
    assert builtin_pack(Jurisdiction.UK_ENG).thresholds.child_consent_age == 16


def test_builtin_packs_are_read_once_per_process() -> None:
    assert builtin_pack(Jurisdiction.US) is builtin_pack(Jurisdiction.US)


def test_a_pack_with_an_unknown_field_is_refused(uk_pack: dict[str, Any]) -> None:
    uk_pack["colour"] = "blue"
    uk_pack["questions"][1]["hint"] = "?"
    assert {"colour", "questions.1.hint"} <= _refused_fields(uk_pack)


def test_a_pack_missing_a_validation_is_refused(uk_pack: dict[str, Any]) -> None:
    del uk_pack["validations"][6]
    assert _refused_fields(uk_pack) == {"validations"}


def test_a_pack_with_a_wrong_type_is_refused(uk_pack: dict[str, Any]) -> None:
    uk_pack["thresholds"]["emergency_recording_lag_hours"] = "24"
    uk_pack["basis_codes"][0]["claimable"] = "no"
    assert _refused_fields(uk_pack) == {
        "thresholds.emergency_recording_lag_hours",
        "basis_codes.0.claimable",
    }


def test_a_pack_with_a_question_out_of_order_is_refused(uk_pack: dict[str, Any]) -> None:
    questions = uk_pack["questions"]
    questions[2], questions[3] = questions[3], questions[2]
    assert _refused_fields(uk_pack) == {"questions"}


def test_a_pack_that_changes_a_severity_is_refused(uk_pack: dict[str, Any]) -> None:
    uk_pack["validations"][3]["severity"] = "block"  # V4 is a flag
    assert _refused_fields(uk_pack) == {"validations.3.severity"}


def test_a_pack_missing_a_contract_code_or_adding_one_is_refused(uk_pack: dict[str, Any]) -> None:
    uk_pack["basis_codes"] = [c for c in uk_pack["basis_codes"] if c["code"] != "UK-GDPR-6-1-E"]
    uk_pack["basis_codes"].append({**uk_pack["basis_codes"][2], "code": "UK-INVENTED"})
    fields = _refused_fields(uk_pack)
    assert "basis_codes" in fields
    assert f"basis_codes.{len(uk_pack['basis_codes']) - 1}.code" in fields


def test_a_pack_citing_an_unknown_source_is_refused(uk_pack: dict[str, Any]) -> None:
    uk_pack["questions"][1]["rests_on"] = ["NOWHERE"]
    uk_pack["validations"][0]["rests_on"] = ["CALDICOTT", "NOWHERE"]
    assert _refused_fields(uk_pack) == {
        "questions.1.rests_on.0",
        "validations.0.rests_on.1",
    }


def test_a_pack_whose_fields_differ_from_the_contract_is_refused(uk_pack: dict[str, Any]) -> None:
    q2_fields = uk_pack["questions"][1]["fields"]
    q2_fields[0]["allowed"] = q2_fields[0]["allowed"][:-1]
    q2_fields[2]["type"] = "bool"
    uk_pack["questions"][3]["fields"][0]["fields"].pop()
    assert _refused_fields(uk_pack) == {
        "questions.1.fields.0.allowed",
        "questions.1.fields.2.type",
        "questions.3.fields.0.fields",
    }


def test_a_uk_pack_may_not_show_us_only_fields_nor_the_us_pack_hide_them() -> None:
    uk = _raw(PACK_DIR / "UK-ENG.json")
    us_q7 = _raw(PACK_DIR / "US.json")["questions"][6]["fields"]
    uk["questions"][6]["fields"] = copy.deepcopy(us_q7)
    assert "questions.6.fields" in _refused_fields(uk)
    us = _raw(PACK_DIR / "US.json")
    us["questions"][6]["fields"] = [f for f in us_q7 if f["name"] != "part2_court_order"]
    assert _refused_fields(us) == {"questions.6.fields"}


def test_a_pack_without_a_rule_text_is_refused(uk_pack: dict[str, Any]) -> None:
    uk_pack["questions"][10]["rules"].pop()
    assert _refused_fields(uk_pack) == {"questions.10.rules"}


def test_a_uk_pack_needs_the_child_consent_age(uk_pack: dict[str, Any]) -> None:
    del uk_pack["thresholds"]["child_consent_age"]
    assert _refused_fields(uk_pack) == {"thresholds.child_consent_age"}


def test_pack_code_references_must_be_basis_codes(uk_pack: dict[str, Any]) -> None:
    uk_pack["instruments"][3]["codes"][0]["code"] = "UK-NOPE"
    uk_pack["validations"][6]["codes"] = ["UK-NOPE"]
    uk_pack["consent_forms"][0]["basis_code"] = "UK-NOPE"
    assert _refused_fields(uk_pack) == {
        "instruments.3.codes.0.code",
        "validations.6.codes.0",
        "consent_forms.0.basis_code",
    }


def test_a_pack_giving_a_legal_instrument_no_subtype_is_refused(uk_pack: dict[str, Any]) -> None:
    uk_pack["instruments"][1]["subtype"] = None
    uk_pack["regimes"].append("HIPAA")
    assert _refused_fields(uk_pack) == {"instruments.1.subtype", "regimes.2"}


def test_a_pack_with_a_duplicate_key_or_bad_json_is_refused() -> None:
    with pytest.raises(InvalidDocument, match="duplicate key"):
        load_pack(b'{"format": "disclosure-log-rule-pack/1", "format": "x"}')
    with pytest.raises(InvalidDocument, match="not valid JSON"):
        load_pack(b"{")
