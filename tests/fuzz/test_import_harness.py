"""The fuzz target ``make fuzz`` runs (tests/fuzz/import_harness.py), over its seed corpus.

So the harness cannot rot between long runs: each seed reaches the layer it is for (the genuine
report at each layer is recognised as the report imported already, which proves the sealing
and re-signing work), and the target's own checks do catch what they are there to catch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from desktop.session import Session
from tests.fuzz.import_harness import DUPLICATE, Target, make_target, one_input, seeds


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    made = make_target(tmp_path_factory.mktemp("fuzz-target"))
    yield made
    made.supervisor.lock()


def test_each_seed_is_handled_at_the_layer_it_is_for(target: Target) -> None:
    outcomes = {name: one_input(target, data) for name, data in seeds(target).items()}
    assert len(outcomes) == 12
    assert {name for name, outcome in outcomes.items() if outcome == DUPLICATE} == {
        "file-genuine",
        "container-genuine",
        "report-json-genuine",
    }


def test_an_input_that_stores_anything_is_a_finding(target: Target) -> None:
    fewer = dataclasses.replace(target, stored=tuple(n - 1 for n in target.stored))
    with pytest.raises(AssertionError, match="the import left"):
        one_input(fewer, seeds(target)["file-genuine"])


def test_an_error_that_is_not_the_importers_is_a_finding(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(self: Session, data: bytes) -> None:
        raise IndexError("a crash in the importer")

    monkeypatch.setattr(Session, "import_report", crash)
    with pytest.raises(IndexError, match="a crash"):
        one_input(target, seeds(target)["container-cut"])
