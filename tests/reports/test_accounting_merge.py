"""``merge_imported``: which copies of a record a supervisor's accounting lists (issue 6).

A record is one per (signer, record id); copies of one record under one id (the store's own and
an imported one, or two signers with the same hash chain) are listed once, in the latest state;
records that merely share an id are each listed.
"""

from __future__ import annotations

from desktop.reports.accounting import merge_imported
from desktop.store.imported import ImportedRecordState

ANN, BEA = "a" * 64, "b" * 64


def chain(tag: str, length: int, base: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Version hashes, oldest first: ``base`` and then new ones marked ``tag``."""
    return base + tuple(f"{tag}{n}" for n in range(len(base), length))


def state(signer: str, record_id: str, hashes: tuple[str, ...]) -> ImportedRecordState:
    return ImportedRecordState(signer, record_id, "{}", hashes)


def merged(
    imported: list[ImportedRecordState], own: dict[str, tuple[str, ...]] | None = None
) -> tuple[list[tuple[str, str, int]], frozenset[str]]:
    kept, superseded = merge_imported(imported, lambda record_id: (own or {}).get(record_id, ()))
    return [(r.signer_sha256, r.record_id, r.version) for r in kept], superseded


def test_records_not_held_as_own_are_each_kept() -> None:
    records = [state(ANN, "r1", chain("a", 1)), state(BEA, "r2", chain("b", 2))]
    assert merged(records) == ([(ANN, "r1", 1), (BEA, "r2", 2)], frozenset())


def test_the_same_chain_from_two_signers_is_listed_once() -> None:
    first = chain("x", 2)
    records = [state(ANN, "r1", first), state(BEA, "r1", first)]
    assert merged(records) == ([(ANN, "r1", 2)], frozenset())
    longer = chain("y", 3, first)  # the same record, amended since, under a new key
    records = [state(ANN, "r1", first), state(BEA, "r1", longer)]
    assert merged(records) == ([(BEA, "r1", 3)], frozenset())


def test_records_sharing_only_an_id_are_different_records() -> None:
    records = [state(ANN, "r1", chain("a", 2)), state(BEA, "r1", chain("b", 2))]
    assert merged(records) == ([(ANN, "r1", 2), (BEA, "r1", 2)], frozenset())
    assert merged([state(ANN, "r1", chain("a", 1))], {"r1": chain("o", 1)}) == (
        [(ANN, "r1", 1)],
        frozenset(),
    )


def test_a_record_held_as_own_is_listed_from_the_copy_furthest_along() -> None:
    own = chain("o", 2)
    # The same state, or an older one, imported: the store's own copy is listed.
    assert merged([state(ANN, "r1", own)], {"r1": own}) == ([], frozenset())
    assert merged([state(ANN, "r1", own[:1])], {"r1": own}) == ([], frozenset())
    # A later state imported: it is listed and the store's own copy is left out.
    later = chain("n", 3, own)
    assert merged([state(ANN, "r1", later)], {"r1": own}) == ([(ANN, "r1", 3)], frozenset({"r1"}))
