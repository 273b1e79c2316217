"""The checklist engine's speed: rule pack loading and evaluation.

Targets: a cold pack load (read, parse, validate, consistency checks) within 50 ms, median of
20; one evaluation of a reference case within 1 ms at p95. Printed, not asserted (see run.py).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from desktop.domain.checklist import builtin_pack, evaluate
from desktop.domain.enums import Jurisdiction
from tests.domain.helpers import CASES_DIR, case_input

PACK_LOADS = 20
ROUNDS = 200
LOAD_TARGET_MS = 50.0
EVALUATE_P95_TARGET_MS = 1.0


def _ms(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def _cold_load(jurisdiction: Jurisdiction) -> float:
    builtin_pack.cache_clear()
    return _ms(lambda: builtin_pack(jurisdiction))


def run() -> None:
    for jurisdiction in (Jurisdiction.UK_ENG, Jurisdiction.US):
        loads = [_cold_load(jurisdiction) for _ in range(PACK_LOADS)]
        print(
            f"checklist pack load {jurisdiction}: median {statistics.median(loads):.1f} ms "
            f"(target <= {LOAD_TARGET_MS:.0f} ms, {PACK_LOADS} cold loads)"
        )
    documents = [case_input(path.stem) for path in sorted(CASES_DIR.glob("*.json"))]
    for document in documents:  # warm the pack cache: loading is measured above
        evaluate(document)
    times = sorted(
        _ms(lambda d=document: evaluate(d)) for _ in range(ROUNDS) for document in documents
    )
    p50 = times[len(times) // 2]
    p95 = times[int(len(times) * 0.95)]
    print(
        f"checklist evaluate: p50 {p50:.3f} ms, p95 {p95:.3f} ms "
        f"(target p95 <= {EVALUATE_P95_TARGET_MS:.0f} ms, {len(documents)} cases x {ROUNDS})"
    )


if __name__ == "__main__":
    run()
