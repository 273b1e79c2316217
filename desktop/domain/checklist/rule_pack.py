"""The rule pack: every text, code list and threshold the checklist engine uses, as data.

One pack per jurisdiction (``resources/checklists/UK-ENG.json`` …). The decision procedure's
structure is code (``engine``); what it says to practitioners, which codes it adds, which codes
form each layer of basis and the numbers it compares against come from here, so guidance can be
reworded or re-cited without touching the engine.

A pack is checked beyond its JSON Schema when it loads: it must describe the contract exactly
(every question in order with exactly the contract's fields, V1-V20 with their severities, the
§5 codes of its side, a plain-language text for every rule the engine can fire). A pack that
fails is refused naming the field, the same way as any other bad document.
"""

from __future__ import annotations

import typing
from collections.abc import Collection, Iterator, Sequence
from datetime import date, datetime
from functools import cache, cached_property
from typing import Annotated, Any, Final, Literal

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints, model_validator

from desktop.domain.base import DomainModel, NonEmptyStr, field_errors
from desktop.domain.checklist.contract import (
    FLAG_IDS,
    RULES_BY_QUESTION,
    US_ONLY_FIELDS,
    VALIDATION_IDS,
    contract_basis_codes,
)
from desktop.domain.checklist_input import QUESTION_IDS, Answers, ChecklistInput
from desktop.domain.enums import (
    ConsentForm,
    ContractEnum,
    InfoType,
    InstrumentType,
    Judgement,
    Jurisdiction,
    Outcome,
    ReasonCode,
    Regime,
    Subtype,
    allowed_regimes,
)
from desktop.domain.errors import InvalidDocument
from desktop.domain.strict_json import loads_strict, validate_document
from desktop.resources import resource_path

PACK_FORMAT: Final = "disclosure-log-rule-pack/1"
MAX_PACK_BYTES: Final = 2 * 1024 * 1024

ART9: Final = "Art9"
"""The group of Art 9 conditions, which V7 requires for special category data."""
SCH1: Final = "Sch1"
"""The group of DPA 2018 Sch 1 conditions, which V7 requires beside the codes it lists."""

FieldPath = tuple[str | int, ...]
Problem = tuple[FieldPath, str]
"""A problem with a document: the path of the field at fault, and what is wrong with it."""
_Problems = Iterator[Problem]

SourceId = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9-]{0,63}$")]


class FieldType(ContractEnum):
    """What kind of control the form shows for a field."""

    BOOL = "bool"
    JUDGEMENT = "judgement"
    ENUM = "enum"
    LIST_ENUM = "list<enum>"
    STRING = "string"
    INT = "int"
    DATE = "date"
    DATETIME = "datetime"
    OBJECT = "object"
    LIST_OBJECT = "list<object>"


class AllowedFrom(ContractEnum):
    """Where a field's allowed values come from when they depend on the jurisdiction."""

    REGIMES = "regimes"
    CLAIMABLE_BASIS_CODES = "claimable_basis_codes"
    INSTRUMENTS = "instruments"
    CONSENT_FORMS = "consent_forms"


class QuestionRequirement(ContractEnum):
    """Contract §1 "Required answers"."""

    ALWAYS = "always"
    IF_REACHED = "if_reached"
    OPTIONAL = "optional"


class InstrumentCondition(ContractEnum):
    """The conditions the §4.1 Q7 table puts on an engine code, beyond regime and info type."""

    LAW_ENFORCEMENT = "LAW_ENFORCEMENT"
    NOT_LAW_ENFORCEMENT = "NOT_LAW_ENFORCEMENT"
    FERPA_PARENT_IS_PARTY = "FERPA_PARENT_IS_PARTY"
    NOT_FERPA_PARENT_IS_PARTY = "NOT_FERPA_PARENT_IS_PARTY"
    SPECIAL_CATEGORY = "SPECIAL_CATEGORY"
    PART2_COURT_ORDER = "PART2_COURT_ORDER"


class Source(DomainModel):
    """A piece of law or guidance the questions and validations rest on."""

    id: SourceId
    title: NonEmptyStr
    citation: NonEmptyStr


class PackField(DomainModel):
    """One field of an answer, as the form renders it."""

    name: NonEmptyStr
    type: FieldType
    required: NonEmptyStr
    """``always``, ``if_reached``, ``optional``, or the condition in plain words."""
    label: NonEmptyStr
    help: NonEmptyStr
    allowed: list[NonEmptyStr] = Field(default_factory=list)
    allowed_from: AllowedFrom | None = None
    fields: list[PackField] = Field(default_factory=list)
    """The fields of an object, or of each object in a list."""


class RuleText(DomainModel):
    id: NonEmptyStr
    text: NonEmptyStr


class Question(DomainModel):
    id: NonEmptyStr
    title: NonEmptyStr
    text: NonEmptyStr
    help: NonEmptyStr
    required: QuestionRequirement
    rests_on: Annotated[list[SourceId], Field(min_length=1)]
    fields: list[PackField]
    rules: list[RuleText]


class BasisCode(DomainModel):
    """A §5 legal-basis code."""

    code: NonEmptyStr
    label: NonEmptyStr
    citation: NonEmptyStr
    tag: Literal["V", "M", "V/M"]
    groups: list[NonEmptyStr]
    """§5 groups (Art6, Art9, Sch1, CL), or the US family (HIPAA, PART2, FERPA, PRIVACY_ACT…)."""
    accountable: bool
    """The §5 A mark: a HIPAA-accountable disclosure."""
    claimable: bool
    """False for consent and anonymisation codes, which only the engine adds (§2.2)."""
    public_interest: bool
    """Gives the PUBLIC_INTEREST subtype at Q11 (§4.1 Q11(d))."""


class Validation(DomainModel):
    id: NonEmptyStr
    severity: Literal["block", "flag"]
    message: NonEmptyStr
    """The §6 message, word for word: it is part of the output."""
    when: NonEmptyStr
    """When it is raised, in plain words (the trace's "why")."""
    what_to_do: NonEmptyStr
    rests_on: Annotated[list[SourceId], Field(min_length=1)]
    codes: list[NonEmptyStr] = Field(default_factory=list)
    """The basis codes that bring this validation into play, for those that depend on one."""


class Thresholds(DomainModel):
    emergency_recording_lag_hours: Annotated[int, Field(gt=0)]
    oral_suspension_days: Annotated[int, Field(gt=0)]
    adult_age: Annotated[int, Field(gt=0)]
    child_consent_age: Annotated[int, Field(gt=0)] | None = None
    """The age below which a child's own consent needs a competence assessment (V16, UK)."""


class ReasonLabel(DomainModel):
    code: ReasonCode
    label: NonEmptyStr


class OutcomeLabel(DomainModel):
    code: Outcome
    label: NonEmptyStr


class SubtypeLabel(DomainModel):
    code: Subtype
    label: NonEmptyStr


class Layer(DomainModel):
    """A layer of basis V1 requires: one code of ``group`` when ``regime`` (and ``info``) apply."""

    group: NonEmptyStr
    regime: Regime
    info: InfoType | None = None
    prohibits_sharing_without_basis: bool
    """No claim at Q11 is a legal prohibition, not just a missing basis (§4.1 Q11(c))."""

    def applies(self, regimes: Collection[Regime], info: Collection[InfoType]) -> bool:
        return self.regime in regimes and (self.info is None or self.info in info)


class InstrumentCode(DomainModel):
    """An engine code of the Q7 table, added when its regime, info type and condition hold."""

    code: NonEmptyStr
    regime: Regime | None = None
    info: InfoType | None = None
    condition: InstrumentCondition | None = None


class Instrument(DomainModel):
    """An instrument type allowed in this jurisdiction (§2.3 Q7)."""

    type: InstrumentType
    label: NonEmptyStr
    subtype: Subtype | None
    """The subtype of a valid legal instrument; null for NONE and POLICE_REQUEST_NO_ORDER."""
    statutory: bool
    """A statutory duty or mandated report: not the subpoena or order V10 refuses for Part 2."""
    codes: list[InstrumentCode]


class ConsentFormCode(DomainModel):
    """A consent form allowed in this jurisdiction and the basis code it gives (§4.1 Q10(c))."""

    form: ConsentForm
    label: NonEmptyStr
    basis_code: NonEmptyStr


class AnonymisationCode(DomainModel):
    """A basis code Q5 adds for anonymised information, when its regime applies (if any)."""

    code: NonEmptyStr
    regime: Regime | None = None


NOT_LEGAL_INSTRUMENTS: Final = frozenset(
    {InstrumentType.NONE, InstrumentType.POLICE_REQUEST_NO_ORDER}
)
"""§2.3 Q7: every other instrument type is a legal instrument."""


class RulePack(DomainModel):
    """A jurisdiction's rule pack (``disclosure-log-rule-pack/1``)."""

    format: Literal["disclosure-log-rule-pack/1"]
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    version: Annotated[str, StringConstraints(pattern=r"^[0-9]+\.[0-9]+\.[0-9]+$")]
    jurisdiction: Jurisdiction
    title: NonEmptyStr
    regimes: Annotated[list[Regime], Field(min_length=1)]
    sources: Annotated[list[Source], Field(min_length=1)]
    questions: list[Question]
    basis_codes: list[BasisCode]
    validations: list[Validation]
    thresholds: Thresholds
    reason_codes: list[ReasonLabel]
    outcomes: list[OutcomeLabel]
    subtypes: list[SubtypeLabel]
    layers: list[Layer]
    instruments: list[Instrument]
    consent_forms: list[ConsentFormCode]
    anonymisation: list[AnonymisationCode]

    @cached_property
    def codes(self) -> dict[str, BasisCode]:
        return {code.code: code for code in self.basis_codes}

    @cached_property
    def groups(self) -> dict[str, frozenset[str]]:
        """Each group or family name and the codes in it."""
        members: dict[str, set[str]] = {}
        for code in self.basis_codes:
            for group in code.groups:
                members.setdefault(group, set()).add(code.code)
        return {group: frozenset(codes) for group, codes in members.items()}

    @cached_property
    def question_by_id(self) -> dict[str, Question]:
        return {question.id: question for question in self.questions}

    @cached_property
    def validation_by_id(self) -> dict[str, Validation]:
        return {validation.id: validation for validation in self.validations}

    @cached_property
    def rule_texts(self) -> dict[str, str]:
        """Each rule's plain-language text, keyed ``question id.rule`` like ``contract.Rule``."""
        return {
            f"{question.id}.{rule.id}": rule.text
            for question in self.questions
            for rule in question.rules
        }

    @cached_property
    def source_by_id(self) -> dict[str, Source]:
        return {source.id: source for source in self.sources}

    @cached_property
    def instrument_by_type(self) -> dict[InstrumentType, Instrument]:
        return {instrument.type: instrument for instrument in self.instruments}

    @cached_property
    def consent_code_by_form(self) -> dict[ConsentForm, str]:
        return {entry.form: entry.basis_code for entry in self.consent_forms}

    @cached_property
    def accountable_codes(self) -> frozenset[str]:
        return frozenset(code.code for code in self.basis_codes if code.accountable)

    def citations(self, source_ids: Sequence[str]) -> list[str]:
        """The citations behind a question or validation, for the trace and the form."""
        return [self.source_by_id[source_id].citation for source_id in source_ids]

    @model_validator(mode="after")
    def _describes_the_contract(self) -> RulePack:
        field_errors("RulePack", _consistency_problems(self))
        return self


def _consistency_problems(pack: RulePack) -> _Problems:
    """Everything the schema cannot say: the pack must describe the contract exactly."""
    yield from _header_problems(pack)
    yield from _question_problems(pack)
    yield from _validation_problems(pack)
    yield from _code_problems(pack)
    yield from _label_problems(pack)


def _duplicates(values: Sequence[object]) -> Iterator[int]:
    seen: set[object] = set()
    for index, value in enumerate(values):
        if value in seen:
            yield index
        seen.add(value)


def _header_problems(pack: RulePack) -> _Problems:
    for index in _duplicates([source.id for source in pack.sources]):
        yield ("sources", index, "id"), "listed twice"
    allowed = allowed_regimes(pack.jurisdiction)
    for index, regime in enumerate(pack.regimes):
        if regime not in allowed:
            yield ("regimes", index), f"{regime} is not a regime of {pack.jurisdiction}"
    for index in _duplicates(pack.regimes):
        yield ("regimes", index), "listed twice"
    if pack.jurisdiction.is_uk and pack.thresholds.child_consent_age is None:
        yield ("thresholds", "child_consent_age"), "required in a UK pack (V16)"


def _question_problems(pack: RulePack) -> _Problems:
    ids = [question.id for question in pack.questions]
    if ids != list(QUESTION_IDS):
        yield ("questions",), "must be the contract's questions Q1 to Q17, in order"
        return
    for index, question in enumerate(pack.questions):
        expected = list(RULES_BY_QUESTION[question.id])
        if [rule.id for rule in question.rules] != expected:
            yield (
                ("questions", index, "rules"),
                "must explain exactly these rules, in order: " + (", ".join(expected) or "none"),
            )
        yield from _unknown_sources(pack, ("questions", index, "rests_on"), question.rests_on)
        model, top_level = _answer_model(question.id)
        omitted = (
            {name for q, name in US_ONLY_FIELDS if q == question.id}
            if pack.jurisdiction.is_uk
            else set()
        )
        yield from _field_problems(question.fields, model, top_level, ("questions", index), omitted)


def _validation_problems(pack: RulePack) -> _Problems:
    if [validation.id for validation in pack.validations] != list(VALIDATION_IDS):
        yield ("validations",), "must be V1 to V20, each once, in order"
        return
    for index, validation in enumerate(pack.validations):
        severity = "flag" if validation.id in FLAG_IDS else "block"
        if validation.severity != severity:
            yield ("validations", index, "severity"), f"{validation.id} is a {severity} (§6)"
        yield from _unknown_sources(pack, ("validations", index, "rests_on"), validation.rests_on)
        yield from _unknown_codes(pack, ("validations", index, "codes"), validation.codes)


def _code_problems(pack: RulePack) -> _Problems:
    codes = [code.code for code in pack.basis_codes]
    for index in _duplicates(codes):
        yield ("basis_codes", index, "code"), "listed twice"
    expected = contract_basis_codes(uk=pack.jurisdiction.is_uk)
    missing = sorted(expected - set(codes))
    if missing:
        yield ("basis_codes",), "missing §5 codes: " + ", ".join(missing)
    for index, code in enumerate(codes):
        if code not in expected:
            yield ("basis_codes", index, "code"), f"not a §5 code of {pack.jurisdiction}"
    engine_groups = (ART9, SCH1) if pack.jurisdiction.is_uk else ()
    for group in (*engine_groups, *(layer.group for layer in pack.layers)):
        if group not in pack.groups:
            yield ("basis_codes",), f"no code is in the group {group}"
    for index, layer in enumerate(pack.layers):
        if layer.regime not in pack.regimes:
            yield ("layers", index, "regime"), "not a regime of this pack"
    yield from _instrument_problems(pack)
    for index, form in enumerate(pack.consent_forms):
        if form.basis_code not in pack.codes:
            yield ("consent_forms", index, "basis_code"), _NOT_A_CODE
    for index in _duplicates([form.form for form in pack.consent_forms]):
        yield ("consent_forms", index, "form"), "listed twice"
    for index, entry in enumerate(pack.anonymisation):
        known = pack.codes.get(entry.code)
        if known is None:
            yield ("anonymisation", index, "code"), _NOT_A_CODE
        elif known.claimable:
            yield ("anonymisation", index, "code"), "an anonymisation code is never claimable"


def _instrument_problems(pack: RulePack) -> _Problems:
    types = [instrument.type for instrument in pack.instruments]
    for index in _duplicates(types):
        yield ("instruments", index, "type"), "listed twice"
    for required in sorted(NOT_LEGAL_INSTRUMENTS - set(types)):
        yield ("instruments",), f"{required} must be allowed in every jurisdiction"
    for index, instrument in enumerate(pack.instruments):
        legal = instrument.type not in NOT_LEGAL_INSTRUMENTS
        if legal != (instrument.subtype is not None):
            yield (
                ("instruments", index, "subtype"),
                "a legal instrument needs a subtype; NONE and POLICE_REQUEST_NO_ORDER have none",
            )
        for code_index, entry in enumerate(instrument.codes):
            if entry.code not in pack.codes:
                yield ("instruments", index, "codes", code_index, "code"), _NOT_A_CODE


def _label_problems(pack: RulePack) -> _Problems:
    for name, labels, members in (
        ("reason_codes", pack.reason_codes, list(ReasonCode)),
        ("outcomes", pack.outcomes, list(Outcome)),
        ("subtypes", pack.subtypes, list(Subtype)),
    ):
        if [label.code for label in labels] != members:
            yield (name,), "must label every contract value once, in contract order"


def _unknown_sources(pack: RulePack, path: FieldPath, source_ids: Sequence[str]) -> _Problems:
    for index, source_id in enumerate(source_ids):
        if source_id not in pack.source_by_id:
            yield (*path, index), "not the id of one of the pack's sources"


_NOT_A_CODE: Final = "not one of the pack's basis codes"


def _unknown_codes(pack: RulePack, path: FieldPath, codes: Sequence[str]) -> _Problems:
    for index, code in enumerate(codes):
        if code not in pack.codes:
            yield (*path, index), _NOT_A_CODE


# The pack's fields must be the contract's input fields (checklist_input), so that what the form
# shows is exactly what the engine reads.


_TOP_LEVEL_FIELDS: Final = ("jurisdiction", "regimes")
"""Answered with Q1 on the form, though they sit at the top of the input document (§2.1)."""


def _answer_model(question_id: str) -> tuple[type[BaseModel], tuple[str, ...]]:
    """The model of a question's answer, and the top-level fields shown with it."""
    (field,) = [f for f in Answers.model_fields.values() if f.alias == question_id]
    model = _describe(field.annotation)[2]
    if model is None:
        raise TypeError(f"{question_id} is not an object")
    return model, _TOP_LEVEL_FIELDS if question_id == QUESTION_IDS[0] else ()


def _field_problems(
    fields: Sequence[PackField],
    model: type[BaseModel],
    top_level: tuple[str, ...],
    path: FieldPath,
    omitted: set[str],
) -> _Problems:
    expected = [name for name in (*top_level, *model.model_fields) if name not in omitted]
    if [field.name for field in fields] != expected:
        yield (*path, "fields"), "must be exactly these fields, in order: " + ", ".join(expected)
        return
    annotations = {
        **{name: ChecklistInput.model_fields[name] for name in top_level},
        **model.model_fields,
    }
    for index, field in enumerate(fields):
        here = (*path, "fields", index)
        kind, values, sub_model = _describe(annotations[field.name].annotation)
        if field.allowed_from is not None:
            # A code is a string to the input model and a choice from the pack to the form.
            listed = FieldType.ENUM if kind is FieldType.STRING else kind
            if listed not in (FieldType.ENUM, FieldType.LIST_ENUM) or field.type != listed:
                yield (*here, "allowed_from"), "only for a field that is a choice"
            elif field.allowed:
                yield (*here, "allowed"), "leave empty: the values come from allowed_from"
            continue
        if field.type != kind:
            yield (*here, "type"), f"must be {kind}"
        elif list(field.allowed) != list(values):
            yield (*here, "allowed"), "must list exactly the contract's values, in order"
        if sub_model is not None:
            yield from _field_problems(field.fields, sub_model, (), here, set())
        elif field.fields:
            yield (*here, "fields"), "only an object has fields"


def _describe(annotation: Any) -> tuple[FieldType, tuple[str, ...], type[BaseModel] | None]:
    """A model field's form type, its enum values, and its model if it is an object."""
    inner = _strip_optional(annotation)
    if typing.get_origin(inner) is list:
        (item,) = typing.get_args(inner)
        kind, values, sub_model = _describe(item)
        return FieldType(f"list<{kind}>"), values, sub_model
    if isinstance(inner, type):
        if issubclass(inner, BaseModel):
            return FieldType.OBJECT, (), inner
        if issubclass(inner, Judgement):
            return FieldType.JUDGEMENT, tuple(inner), None
        if issubclass(inner, ContractEnum):
            return FieldType.ENUM, tuple(inner), None
        if issubclass(inner, bool):
            return FieldType.BOOL, (), None
        if issubclass(inner, int):
            return FieldType.INT, (), None
        if issubclass(inner, str):
            return FieldType.STRING, (), None
        if issubclass(inner, datetime) or inner is AwareDatetime:
            return FieldType.DATETIME, (), None
        if issubclass(inner, date):
            return FieldType.DATE, (), None
    raise TypeError(f"no form type for {annotation!r}")


_UNION_TYPE: Final = type(int | None)


def _strip_optional(annotation: Any) -> Any:
    """``X | None`` and ``Annotated[X, …]`` -> ``X``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, _UNION_TYPE):
            (annotation,) = [a for a in typing.get_args(annotation) if a is not type(None)]
        else:
            return annotation


def load_pack(raw: bytes) -> RulePack:
    """Parse and check a rule pack; InvalidDocument names each field at fault."""
    return validate_document(RulePack, loads_strict(raw, max_bytes=MAX_PACK_BYTES))


@cache
def builtin_pack(jurisdiction: Jurisdiction) -> RulePack:
    """The pack shipped for a jurisdiction, read once per process (the domain's only I/O)."""
    pack = load_pack(resource_path("checklists", f"{jurisdiction.value}.json").read_bytes())
    if pack.jurisdiction is not jurisdiction:
        raise InvalidDocument(f"the {jurisdiction} rule pack is for another jurisdiction")
    return pack


def rule_pack_json_schema() -> dict[str, Any]:
    """The JSON Schema of the pack format, generated from the model (published in resources)."""
    schema = RulePack.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = PACK_FORMAT
    return schema
