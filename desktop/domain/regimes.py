"""Which regimes a jurisdiction may declare (contract §2.1), as one rule for every caller."""

from __future__ import annotations

from collections.abc import Sequence

from desktop.domain.enums import Jurisdiction, Regime, allowed_regimes


def regime_problems(
    jurisdiction: Jurisdiction, regimes: Sequence[Regime]
) -> list[tuple[int | None, str]]:
    """Each problem as (index of the regime at fault, or None for the list, message)."""
    if not regimes:
        return [(None, "choose at least one regime")]
    allowed = allowed_regimes(jurisdiction)
    problems: list[tuple[int | None, str]] = [
        (i, f"{regime} is not allowed for jurisdiction {jurisdiction}")
        for i, regime in enumerate(regimes)
        if regime not in allowed
    ]
    if Regime.STATE_ONLY in regimes and len(regimes) > 1:
        problems.append(
            (None, "STATE_ONLY means no federal regime applies, so it must appear alone")
        )
    return problems


def check_regimes(jurisdiction: Jurisdiction, regimes: Sequence[Regime]) -> str | None:
    """The first problem with these regimes for this jurisdiction, or None if they fit."""
    problems = regime_problems(jurisdiction, regimes)
    return problems[0][1] if problems else None
