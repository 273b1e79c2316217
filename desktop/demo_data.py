"""Realistic synthetic disclosure records for demos and benchmarks.

``generate(count, seed, start_index)`` yields record documents in the ``RecordBody`` shape:
JSON-ready dicts holding only str, int, bool, lists and dicts. Like ``RecordBody.to_document``,
a document leaves out optional fields that are null. The scenarios are data, in
``resources/demo/scenarios.json``: 25 templates based on the reference vignettes, each with its
checklist answers and the decision the checklist contract gives for them, and with placeholders
for what varies from record to record (people, organisations, dates and some free text). Every
person, organisation and place in them is fictional.

The output is an endless sequence fixed by the seed: the record at position ``i`` is the same
whatever ``start_index`` a call begins at. Positions are grouped in chunks of ``CHUNK`` records,
each with its own random generator, and a chunk is split into cases of 1 to 15 records about one
to three subjects (about eight records a case). A subject keeps one scenario, and a case one
jurisdiction and one area, so its recipients' organisations stay consistent.

Speed matters (``demo --records 1000000``). Each template is compiled once into a copy program:
every dict and list of the template is shallow-copied (a C-level ``copy()``) and hung into its
copied parent, so each record is a fresh tree that shares only immutable strings and numbers
with the template; then the placeholders are filled in. That is about twice as fast as
``marshal.loads`` and three times ``json.loads`` of the serialised template, and no yielded
record shares a mutable object with another, so callers may change records freely.
"""

from __future__ import annotations

import copy
import json
import random
import re
import string
from bisect import bisect
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from itertools import accumulate, islice
from typing import Any, Final

from desktop.resources import resource_path

Document = dict[str, Any]

CHUNK: Final = 64
"""Records per independently seeded chunk; no case straddles two chunks."""

_PAD_DAYS: Final = 400
"""Calendar days kept before and after the demo period, for offsets such as review dates."""
_MINUTES_PER_DAY: Final = 1440
_BIRTHDAY_GAP_DAYS: Final = 4
"""Margin so that no subject has a birthday during a case: their age stays the template's."""

# Kinds of placeholder.
_TIMESTAMP: Final = 0
_DATE: Final = 1
_TEXT: Final = 2
_CHOICE: Final = 3

_OFFSET = re.compile(r"\$([TD])([+-]\d+)(?:~([+-]?\d+))?")
"""``$T+15`` or ``$T-60~-10``: a timestamp that many minutes from the decision (a random value in
the range); ``$D+14~28``: a date that many days after the decision's day."""

_RECORD_KEYS: Final = (
    "status",
    "case",
    "subject",
    "other_individuals",
    "checklist",
    "decision",
    "rule_pack",
    "decision_at",
    "request",
    "not_sharing",
    "consent_details",
    "capacity_details",
    "emergency_review",
    "minimum_necessary_attestation",
    "minimum_necessary_not_applicable_reason",
    "notes",
)
_GENERATED_KEYS: Final = frozenset({"status", "case", "subject", "rule_pack", "decision_at"})
_CASE_FIELDS: Final = frozenset({"first", "last", "name", "kin_f", "kin_m"})
_RECORD_FIELDS: Final = frozenset({"person_a", "person_b", "person_c", "ref"})

_Container = dict[Any, Any] | list[Any]
_Step = tuple[int, int, str | int, _Container]
"""Copy ``source``, store the copy at ``parent[key]``, and keep it as ``slot`` (0: not needed)."""
_Fill = tuple[int, str | int, int, int, int, str, tuple[str, ...]]
"""Fill in ``slot[key]``: (slot, key, kind, low, width, text, options)."""


@dataclass(frozen=True, slots=True)
class _Template:
    """One scenario compiled for one jurisdiction."""

    id: str
    weight: int
    role: str
    female: bool
    age: int | None
    first_minute: int
    minutes: int
    statuses: tuple[str, ...]
    status_cumulative: tuple[int, ...]
    root: Document
    """The record, with ``None`` in each placeholder; never handed out, only copied."""
    steps: tuple[_Step, ...]
    slots: int
    fills: tuple[_Fill, ...]


@dataclass(frozen=True, slots=True)
class _Area:
    fields: Mapping[str, str]
    """Placeholder values for a case in this area: place names and organisations."""
    clock: tuple[str, ...]
    """``T09:05:00+00:00`` for each minute of the day, in the area's UTC offset."""


@dataclass(frozen=True, slots=True)
class _Jurisdiction:
    id: str
    templates: tuple[_Template, ...]
    template_cumulative: tuple[int, ...]
    areas: tuple[_Area, ...]
    female: tuple[str, ...]
    male: tuple[str, ...]
    last: tuple[str, ...]
    people: tuple[str, ...]
    """Full names for recipients, requesters and colleagues."""
    reference_format: str


@dataclass(frozen=True, slots=True)
class _Data:
    jurisdictions: tuple[_Jurisdiction, ...]
    jurisdiction_cumulative: tuple[int, ...]
    first_day: date
    """The calendar's day 0, ``_PAD_DAYS`` before the demo period starts."""
    days: tuple[str, ...]
    """``YYYY-MM-DD`` for each calendar day."""
    period_days: int
    case_span_days: int
    records_per_case: tuple[int, int]
    subjects_cumulative: tuple[int, ...]
    family_surname_percent: int
    reference_percent: int


def generate(count: int, seed: int = 0, start_index: int = 0) -> Iterator[Document]:
    """Yield ``count`` synthetic record documents, positions ``start_index`` onwards of ``seed``."""
    if count < 0 or start_index < 0:
        raise ValueError("count and start_index must not be negative")
    return _generate(_data(), count, seed, start_index)


def template_ids() -> tuple[str, ...]:
    """The ids of the scenario templates."""
    ids: dict[str, None] = {}
    for jurisdiction in _data().jurisdictions:
        ids.update(dict.fromkeys(t.id for t in jurisdiction.templates))
    return tuple(ids)


def _generate(data: _Data, count: int, seed: int, start_index: int) -> Iterator[Document]:
    chunk, skip = divmod(start_index, CHUNK)
    remaining = count
    while remaining > 0:
        for document in islice(_chunk(data, seed, chunk), skip, skip + remaining):
            remaining -= 1
            yield document
        chunk += 1
        skip = 0


def _chunk(data: _Data, seed: int, chunk: int) -> Iterator[Document]:
    """The ``CHUNK`` records of one chunk, case by case."""
    rng = random.Random(f"demo:{seed}:{chunk}")  # noqa: S311 - synthetic data, not security
    rand = rng.random
    low, high = data.records_per_case
    position = 0
    while position < CHUNK:
        size = min(low + int(rand() * (high - low + 1)), CHUNK - position)
        yield from _case(data, rand, chunk * CHUNK + position + 1, size)
        position += size


def _pick(cumulative: Sequence[int], rand: Callable[[], float]) -> int:
    return bisect(cumulative, rand() * cumulative[-1])


def _case(data: _Data, rand: Callable[[], float], number: int, size: int) -> Iterator[Document]:
    jurisdiction = data.jurisdictions[_pick(data.jurisdiction_cumulative, rand)]
    area = jurisdiction.areas[int(rand() * len(jurisdiction.areas))]
    clock = area.clock
    days = data.days
    span = data.case_span_days
    start = _PAD_DAYS + int(rand() * (data.period_days - span))
    start_date = data.first_day + timedelta(days=start)
    case = {"case_id": f"C-{start_date.year}-{number:05d}"}
    if rand() * 100 < data.reference_percent:
        case["reference"] = jurisdiction.reference_format.format(n=100_000 + int(rand() * 900_000))
    family = jurisdiction.last[int(rand() * len(jurisdiction.last))]
    subject_count = _pick(data.subjects_cumulative, rand) + 1
    subjects = [
        _subject(data, jurisdiction, area, rand, f"S-{number:06d}-{n}", start_date, family)
        for n in range(1, subject_count + 1)
    ]
    people = jurisdiction.people
    head_count = len(people)
    for _ in range(size):
        template, subject, values = subjects[int(rand() * subject_count)]
        # ``values`` belongs to this case alone and is never handed out, so it is reused.
        values["person_a"] = people[int(rand() * head_count)]
        values["person_b"] = people[int(rand() * head_count)]
        values["person_c"] = people[int(rand() * head_count)]
        values["ref"] = str(100_000 + int(rand() * 900_000))
        day = start + int(rand() * span)
        minute = day * _MINUTES_PER_DAY + template.first_minute + int(rand() * template.minutes)

        copies: list[Any] = [None] * template.slots
        copies[0] = document = template.root.copy()
        for slot, parent, key, source in template.steps:
            copied = source.copy()
            copies[parent][key] = copied
            if slot:
                copies[slot] = copied
        document["status"] = template.statuses[_pick(template.status_cumulative, rand)]
        document["case"] = case.copy()
        document["subject"] = subject.copy()
        document["decision_at"] = days[day] + clock[minute % _MINUTES_PER_DAY]
        for slot, key, kind, low, width, text, options in template.fills:
            if kind == _TIMESTAMP:
                at = minute + low + int(rand() * width)
                copies[slot][key] = days[at // _MINUTES_PER_DAY] + clock[at % _MINUTES_PER_DAY]
            elif kind == _DATE:
                copies[slot][key] = days[day + low + int(rand() * width)]
            elif kind == _TEXT:
                copies[slot][key] = text.format_map(values)
            else:
                choice = options[int(rand() * len(options))]
                copies[slot][key] = choice.format_map(values) if "{" in choice else choice
        yield document


def _subject(  # noqa: PLR0917 - private helper called from one place
    data: _Data,
    jurisdiction: _Jurisdiction,
    area: _Area,
    rand: Callable[[], float],
    subject_id: str,
    case_start: date,
    family: str,
) -> tuple[_Template, dict[str, str], dict[str, str]]:
    """A subject of a case: its scenario, its ``subject`` object and its placeholder values."""
    template = jurisdiction.templates[_pick(jurisdiction.template_cumulative, rand)]
    firsts = jurisdiction.female if template.female else jurisdiction.male
    first = firsts[int(rand() * len(firsts))]
    last = family
    if rand() * 100 >= data.family_surname_percent:
        last = jurisdiction.last[int(rand() * len(jurisdiction.last))]
    name = f"{first} {last}"
    subject = {"subject_id": subject_id, "name": name}
    if template.age is not None:
        # The last birthday falls shortly before the case starts, so the age holds all case long.
        gap = 365 - data.case_span_days - 2 * _BIRTHDAY_GAP_DAYS
        born = _years_before(case_start, template.age) - timedelta(
            days=_BIRTHDAY_GAP_DAYS + int(rand() * gap)
        )
        subject["date_of_birth"] = born.isoformat()
    subject["role"] = template.role
    values = dict(area.fields)
    values.update(
        first=first,
        last=last,
        name=name,
        kin_f=f"{jurisdiction.female[int(rand() * len(jurisdiction.female))]} {last}",
        kin_m=f"{jurisdiction.male[int(rand() * len(jurisdiction.male))]} {last}",
    )
    return template, subject, values


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# -- loading ---------------------------------------------------------------------------------


@cache
def _data() -> _Data:
    """The compiled scenarios, read once per process."""
    path = resource_path("demo", "scenarios.json")
    return _compile(json.loads(path.read_text(encoding="utf-8")))


def _compile(raw: dict[str, Any]) -> _Data:
    period = raw["period"]
    period_days = int(period["days"])
    first_day = date.fromisoformat(period["end"]) - timedelta(days=period_days + _PAD_DAYS)
    days = tuple(
        (first_day + timedelta(days=n)).isoformat() for n in range(period_days + 2 * _PAD_DAYS + 1)
    )
    span = int(raw["case_span_days"])
    if not 0 < span < min(period_days, 365 - 4 * _BIRTHDAY_GAP_DAYS):
        raise ValueError("case_span_days must be positive and well under a year")

    clocks: dict[str, tuple[str, ...]] = {}
    jurisdictions: list[_Jurisdiction] = []
    for jurisdiction_id in raw["jurisdiction_weights"]:
        pool = tuple(
            _template(t, jurisdiction_id, raw["rule_pack_version"])
            for t in raw["templates"]
            if jurisdiction_id in t["jurisdictions"]
        )
        if not pool:
            raise ValueError(f"no demo template for {jurisdiction_id}")
        names = raw["names"]["US" if jurisdiction_id == "US" else "UK"]
        areas: list[_Area] = []
        for place in raw["areas"][jurisdiction_id]:
            offset = place.get("utc_offset", raw["uk_utc_offset"])
            if offset not in clocks:
                clocks[offset] = tuple(
                    f"T{m // 60:02d}:{m % 60:02d}:00{offset}" for m in range(_MINUTES_PER_DAY)
                )
            fields = {k: v for k, v in place.items() if k != "utc_offset"}
            organisations: dict[str, str] = raw["organisations"][jurisdiction_id]
            fields.update({k: v.format_map(fields) for k, v in organisations.items()})
            areas.append(_Area(fields, clocks[offset]))
        firsts = (*names["female"], *names["male"])
        jurisdiction = _Jurisdiction(
            id=jurisdiction_id,
            templates=pool,
            template_cumulative=tuple(accumulate(t.weight for t in pool)),
            areas=tuple(areas),
            female=tuple(names["female"]),
            male=tuple(names["male"]),
            last=tuple(names["last"]),
            people=tuple(f"{first} {last}" for first in firsts for last in names["last"]),
            reference_format=raw["case_reference_formats"][jurisdiction_id],
        )
        _check_placeholders(jurisdiction, raw["templates"])
        jurisdictions.append(jurisdiction)
    low, high = raw["records_per_case"]
    return _Data(
        jurisdictions=tuple(jurisdictions),
        jurisdiction_cumulative=tuple(accumulate(raw["jurisdiction_weights"].values())),
        first_day=first_day,
        days=days,
        period_days=period_days,
        case_span_days=span,
        records_per_case=(int(low), int(high)),
        subjects_cumulative=tuple(accumulate(raw["subjects_per_case_weights"])),
        family_surname_percent=int(raw["shared_family_surname_percent"]),
        reference_percent=int(raw["case_reference_percent"]),
    )


def _template(raw: dict[str, Any], jurisdiction: str, rule_pack_version: str) -> _Template:
    """Compile a scenario for one jurisdiction."""
    body = copy.deepcopy(raw["record"])  # compiling replaces its placeholders
    unexpected = set(body) - set(_RECORD_KEYS) | _GENERATED_KEYS & set(body)
    if unexpected:
        raise ValueError(f"demo template {raw['id']}: unexpected keys {sorted(unexpected)}")
    _check_status(raw["id"], raw["statuses"], body["decision"])
    generated: dict[str, Any] = {
        "status": None,
        "case": None,
        "subject": None,
        "rule_pack": {"id": jurisdiction, "version": rule_pack_version},
        "decision_at": None,
    }
    root = {
        key: generated[key] if key in generated else body[key]
        for key in _RECORD_KEYS
        if key in generated or key in body
    }
    root["checklist"] = {"jurisdiction": jurisdiction, **body["checklist"]}
    steps, fills = _program(root)
    kept = {parent for _, parent, _, _ in steps} | {slot for slot, *_ in fills}
    hours = raw["hours"]
    statuses = raw["statuses"]
    return _Template(
        id=raw["id"],
        weight=int(raw["weight"]),
        role=raw["subject"]["role"],
        female=raw["subject"]["sex"] == "F",
        age=raw["subject"]["age"],
        first_minute=hours[0] * 60,
        minutes=(hours[1] - hours[0]) * 60,
        statuses=tuple(statuses),
        status_cumulative=tuple(accumulate(statuses.values())),
        root=root,
        steps=tuple(
            (slot if slot in kept else 0, parent, key, source)
            for slot, parent, key, source in steps
        ),
        slots=len(steps) + 1,
        fills=tuple(fills),
    )


def _check_status(
    template_id: str, statuses: Mapping[str, int], decision: Mapping[str, Any]
) -> None:
    """The record rules of ``RecordBody``: FINAL needs no blocks and no SEEK_ADVICE."""
    if "FINAL" in statuses and (decision["blocks"] or decision["outcome"] == "SEEK_ADVICE"):
        raise ValueError(f"demo template {template_id} cannot be FINAL")
    if decision["outcome"] == "SEEK_ADVICE" and set(statuses) != {"PENDING_ADVICE"}:
        raise ValueError(f"demo template {template_id}: SEEK_ADVICE records are PENDING_ADVICE")


def _program(root: Document) -> tuple[list[_Step], list[_Fill]]:
    """The copy steps of every dict and list under ``root``, parents first, and its placeholders.

    Each placeholder is replaced by ``None`` in ``root``. Slot 0 is the copy of ``root``.
    """
    steps: list[_Step] = []
    fills: list[_Fill] = []

    def visit(node: _Container, slot: int) -> None:
        items: Any = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in list(items):
            fill = _placeholder(slot, key, value)
            if fill is not None:
                fills.append(fill)
                node[key] = None
            elif isinstance(value, dict | list):
                steps.append((len(steps) + 1, slot, key, value))
                visit(value, len(steps))

    visit(root, 0)
    return steps, fills


def _placeholder(slot: int, key: str | int, value: object) -> _Fill | None:
    if isinstance(value, dict) and "$choice" in value:
        options = tuple(value["$choice"])
        if not options or not all(isinstance(o, str) and o for o in options):
            raise ValueError(f"a demo $choice needs non-empty strings: {value!r}")
        return (slot, key, _CHOICE, 0, 0, "", options)
    if not isinstance(value, str):
        return None
    offset = _OFFSET.fullmatch(value)
    if offset is not None:
        unit, low_text, high_text = offset.groups()
        low = int(low_text)
        high = low if high_text is None else int(high_text)
        limit = _PAD_DAYS * (_MINUTES_PER_DAY if unit == "T" else 1) // 2
        if high < low or max(-low, high) > limit:
            raise ValueError(f"bad demo offset {value!r}")
        return (slot, key, _TIMESTAMP if unit == "T" else _DATE, low, high - low + 1, "", ())
    if value.startswith("$"):
        raise ValueError(f"unknown demo placeholder {value!r}")
    if "{" in value:
        return (slot, key, _TEXT, 0, 0, value, ())
    return None


def _check_placeholders(jurisdiction: _Jurisdiction, raw_templates: list[dict[str, Any]]) -> None:
    """Every ``{name}`` in a template must be a value the generator provides."""
    known = set(jurisdiction.areas[0].fields) | _CASE_FIELDS | _RECORD_FIELDS
    if any(set(area.fields) != set(jurisdiction.areas[0].fields) for area in jurisdiction.areas):
        raise ValueError(f"the demo areas of {jurisdiction.id} differ in their fields")
    formatter = string.Formatter()
    for raw in raw_templates:
        if jurisdiction.id in raw["jurisdictions"]:
            for text in _strings(raw["record"]):
                for _, field, _, _ in formatter.parse(text):
                    if field is not None and field not in known:
                        raise ValueError(
                            f"demo template {raw['id']}: no value for {{{field}}} "
                            f"in {jurisdiction.id}"
                        )


def _strings(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
