"""Codes in plain words (brief §5), dates for people, and a readable rendering of a record.

Labels are marked with ``QT_TRANSLATE_NOOP`` (typed ``object`` by the stubs, hence the
``Mapping[str, object]``) so ``pyside6-lupdate`` finds them, and translated when they are shown.
Nothing here touches the session.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDateTime, Qt

_CONTEXT = "Wording"

OUTCOMES: Mapping[str, object] = {
    "SHARE_WITH_CONSENT": QT_TRANSLATE_NOOP("Wording", "Share with consent"),
    "SHARE_WITHOUT_CONSENT": QT_TRANSLATE_NOOP("Wording", "Share without consent"),
    "SHARE_ANONYMISED": QT_TRANSLATE_NOOP("Wording", "Shared anonymised"),
    "DO_NOT_SHARE": QT_TRANSLATE_NOOP("Wording", "Do not share"),
    "SEEK_ADVICE": QT_TRANSLATE_NOOP("Wording", "Seek advice first"),
}

SUBTYPES: Mapping[str, object] = {
    "REQUIRED_BY_LAW": QT_TRANSLATE_NOOP("Wording", "required by law"),
    "COURT_ORDER": QT_TRANSLATE_NOOP("Wording", "court order"),
    "EMERGENCY": QT_TRANSLATE_NOOP("Wording", "emergency"),
    "SAFEGUARDING_OVERRIDE": QT_TRANSLATE_NOOP("Wording", "safeguarding override"),
    "PUBLIC_INTEREST": QT_TRANSLATE_NOOP("Wording", "public interest"),
    "PERMITTED_DISCLOSURE": QT_TRANSLATE_NOOP("Wording", "permitted disclosure"),
}

STATUSES: Mapping[str, object] = {
    "DRAFT": QT_TRANSLATE_NOOP("Wording", "Draft"),
    "FINAL": QT_TRANSLATE_NOOP("Wording", "Final"),
    "PENDING_ADVICE": QT_TRANSLATE_NOOP("Wording", "Awaiting advice"),
    "DISCLOSURE_WITHOUT_ESTABLISHED_BASIS": QT_TRANSLATE_NOOP(
        "Wording", "Shared without an established basis"
    ),
}

JURISDICTIONS: Mapping[str, object] = {
    "UK-ENG": QT_TRANSLATE_NOOP("Wording", "England (UK-ENG)"),
    "UK-WAL": QT_TRANSLATE_NOOP("Wording", "Wales (UK-WAL)"),
    "UK-SCO": QT_TRANSLATE_NOOP("Wording", "Scotland (UK-SCO)"),
    "UK-NI": QT_TRANSLATE_NOOP("Wording", "Northern Ireland (UK-NI)"),
    "US": QT_TRANSLATE_NOOP("Wording", "United States (US)"),
}

REGIMES: Mapping[str, object] = {
    "UK_GDPR": QT_TRANSLATE_NOOP("Wording", "UK GDPR and the Data Protection Act 2018"),
    "CL_CONFIDENCE": QT_TRANSLATE_NOOP("Wording", "Common law duty of confidence"),
    "HIPAA": QT_TRANSLATE_NOOP("Wording", "HIPAA (health information)"),
    "PART2": QT_TRANSLATE_NOOP("Wording", "42 CFR Part 2 (substance use disorder records)"),
    "FERPA": QT_TRANSLATE_NOOP("Wording", "FERPA (education records)"),
    "PRIVACY_ACT": QT_TRANSLATE_NOOP("Wording", "Privacy Act 1974 (federal agencies)"),
    "STATE_ONLY": QT_TRANSLATE_NOOP("Wording", "State law only (no federal regime applies)"),
}

# Shown in the table so a date reads the same in the UK and the US (no 03/04 ambiguity).
DATE_FORMAT = "yyyy-MM-dd HH:mm"


def translate(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def fill_in(template: str, *values: object) -> str:
    """``template`` (translated) with %1, %2… replaced by ``values`` in one pass, so a value
    that itself contains "%2" (a file name, say) is left as it is."""
    return re.sub(r"%(\d)", lambda match: str(values[int(match.group(1)) - 1]), template)


def _label(table: Mapping[str, object], code: str | None) -> str:
    if code is None:
        return ""
    source = table.get(code)
    return translate(str(source)) if source is not None else code


def outcome_label(outcome: str | None, subtype: str | None = None) -> str:
    """``Share without consent (emergency)``; an unknown code is shown as it is."""
    if outcome is None:
        return translate("No decision yet")
    text = _label(OUTCOMES, outcome)
    if subtype:
        text = translate("%1 (%2)").replace("%1", text).replace("%2", _label(SUBTYPES, subtype))
    return text


def status_label(status: str) -> str:
    return _label(STATUSES, status)


def jurisdiction_label(code: str) -> str:
    return _label(JURISDICTIONS, code)


def regime_label(code: str) -> str:
    return _label(REGIMES, code)


def flags_label(status: str, flagged: bool, pending: bool) -> str:
    """Status and flags in words, never by colour alone: ``Final; flagged for review``."""
    parts = [status_label(status)]
    if flagged:
        parts.append(translate("flagged for review"))
    # The store marks drafts, records awaiting advice and "seek advice" decisions as pending;
    # only the last needs saying, the status already says the others.
    if pending and status not in ("PENDING_ADVICE", "DRAFT"):
        parts.append(translate("awaiting advice"))
    return translate("; ").join(parts)


def local_time(event_at: str) -> str:
    """A stored UTC time (``2024-03-05T14:30:00Z``) in the computer's local time."""
    moment = QDateTime.fromString(event_at, Qt.DateFormat.ISODate)
    if not moment.isValid():
        return event_at
    return moment.toLocalTime().toString(DATE_FORMAT)


def humanise_key(key: str) -> str:
    words = key.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else key


# A record's stored JSON has its keys sorted (canonical form); people read the decision first.
_FIRST_KEYS = ("id", "version", "status", "decision_at", "case", "subject", "decision")
_LAST_KEYS = ("created_at", "created_by", "amend_reason", "retention_until", "prev_hash", "hash")


def _natural(key: str) -> tuple[str | int, ...]:
    """``Q2_purpose`` before ``Q10_seek_consent``."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", key))


def _ordered_keys(mapping: dict[str, Any], top: bool) -> list[str]:
    keys = sorted(mapping, key=lambda key: _natural(str(key)))
    if not top:
        return keys
    first = [key for key in _FIRST_KEYS if key in mapping]
    last = [key for key in _LAST_KEYS if key in mapping]
    return first + [key for key in keys if key not in first and key not in last] + last


def _empty(value: Any) -> bool:
    return value is None or value in ("", [], {})


def render_document(document: dict[str, Any]) -> str:
    """A record as indented ``Label: value`` lines: the decision first, empty fields left out."""
    lines: list[str] = []
    _render_mapping(document, 0, lines, top=True)
    return "\n".join(lines)


def _scalar(value: Any) -> str:
    if value is None:
        return translate("(none)")
    if value is True:
        return translate("Yes")
    if value is False:
        return translate("No")
    return str(value)


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, dict | list)


def _render_mapping(
    mapping: dict[str, Any], depth: int, lines: list[str], top: bool = False
) -> None:
    pad = "    " * depth
    for key in _ordered_keys(mapping, top):
        value = mapping[key]
        if _empty(value):
            continue
        label = humanise_key(str(key))
        if _is_scalar(value):
            first, *rest = _scalar(value).splitlines() or [""]
            lines.append(f"{pad}{label}: {first}")
            lines.extend(f"{pad}    {line}" for line in rest)
        elif isinstance(value, list) and all(_is_scalar(item) for item in value):
            lines.append(f"{pad}{label}: " + ", ".join(_scalar(item) for item in value))
        elif isinstance(value, dict):
            lines.append(f"{pad}{label}:")
            _render_mapping(value, depth + 1, lines)
        else:
            lines.append(f"{pad}{label}:")
            for number, item in enumerate(value, start=1):
                if isinstance(item, dict):
                    lines.append(f"{pad}    {number}.")
                    _render_mapping(item, depth + 2, lines)
                else:
                    lines.append(f"{pad}    {number}. {_scalar(item)}")
