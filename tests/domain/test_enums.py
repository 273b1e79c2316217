from __future__ import annotations

import pytest

from desktop.domain import enums
from desktop.domain.enums import (
    ContractEnum,
    Judgement,
    Jurisdiction,
    Regime,
    allowed_regimes,
)
from desktop.domain.regimes import check_regimes, regime_problems

ENUM_CLASSES = [
    cls
    for cls in vars(enums).values()
    if isinstance(cls, type) and issubclass(cls, ContractEnum) and cls is not ContractEnum
]


@pytest.mark.parametrize("cls", [c for c in ENUM_CLASSES if c is not Jurisdiction])
def test_values_are_the_upper_snake_member_names(cls: type[ContractEnum]) -> None:
    for member in cls:
        assert member.value == member.name
        assert member.value == member.value.upper()


def test_jurisdiction_values_keep_their_external_form() -> None:
    assert [j.value for j in Jurisdiction] == ["UK-ENG", "UK-WAL", "UK-SCO", "UK-NI", "US"]
    assert Jurisdiction.UK_SCO.value == "UK-SCO"


def test_judgement_is_yes_no_unsure() -> None:
    assert [j.value for j in Judgement] == ["YES", "NO", "UNSURE"]


@pytest.mark.parametrize("jurisdiction", ["UK-ENG", "UK-WAL", "UK-SCO", "UK-NI"])
def test_uk_allows_only_uk_gdpr_and_common_law(jurisdiction: str) -> None:
    assert allowed_regimes(Jurisdiction(jurisdiction)) == {Regime.UK_GDPR, Regime.CL_CONFIDENCE}


def test_us_allows_the_five_us_regimes() -> None:
    assert allowed_regimes(Jurisdiction.US) == {
        Regime.HIPAA,
        Regime.PART2,
        Regime.FERPA,
        Regime.PRIVACY_ACT,
        Regime.STATE_ONLY,
    }


@pytest.mark.parametrize(
    ("jurisdiction", "regimes", "problem"),
    [
        ("UK-SCO", ["UK_GDPR", "CL_CONFIDENCE"], None),
        ("US", ["HIPAA", "FERPA", "PRIVACY_ACT", "PART2"], None),
        ("US", ["STATE_ONLY"], None),
        ("UK-ENG", [], "choose at least one regime"),
        ("UK-NI", ["FERPA"], "FERPA is not allowed for jurisdiction UK-NI"),
        ("US", ["UK_GDPR"], "UK_GDPR is not allowed for jurisdiction US"),
        (
            "US",
            ["STATE_ONLY", "HIPAA"],
            "STATE_ONLY means no federal regime applies, so it must appear alone",
        ),
    ],
)
def test_check_regimes(jurisdiction: str, regimes: list[str], problem: str | None) -> None:
    assert check_regimes(Jurisdiction(jurisdiction), [Regime(r) for r in regimes]) == problem


def test_regime_problems_locate_each_regime() -> None:
    assert regime_problems(
        Jurisdiction.UK_ENG, [Regime.UK_GDPR, Regime.HIPAA, Regime.STATE_ONLY]
    ) == [
        (1, "HIPAA is not allowed for jurisdiction UK-ENG"),
        (2, "STATE_ONLY is not allowed for jurisdiction UK-ENG"),
        (None, "STATE_ONLY means no federal regime applies, so it must appear alone"),
    ]
