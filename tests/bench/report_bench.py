"""Exporting a report bundle of 100, 1,000 and 10,000 records, and opening the largest.

Targets (issue 5): the whole export of 10,000 records (collect, JSON, PDF, both signatures,
container, encryption, the atomic write and its audit entry) within 15 s and 500 MB; opening
and verifying that bundle within 3 s. Each step runs in a fresh process (``--export DIR`` and
``--open DIR FILE``) against a demo store filled beforehand, so ``ru_maxrss`` is that step's
own peak (with the unlocked store it reads from). The bundle is opened in the practitioner's
own store, with their own key: the same work as a supervisor's ``report open``. The phases are
read off the export's progress reports: collecting the records; drawing them (JSON and PDF
pages); then finishing (writing out the PDF, both signatures, sealing, the write and its audit).
Printed, not asserted, like the other benchmarks.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from desktop.identity import new_identity
from desktop.identity_card import make_card
from desktop.policy import Policy
from desktop.session import ReportScope, Session
from tests.conftest import PASSPHRASE, PROFILE

SIZES = (100, 1_000, 10_000)
TARGET_SECONDS = 15.0
TARGET_MB = 500.0
TARGET_OPEN_SECONDS = 3.0
TARGET_SIZE = 10_000
KDF_ENV = {"DISCLOSURE_LOG_KDF_SECONDS": "0.01"}
RECIPIENT = "supervisor"
SCOPE = ReportScope(date(2000, 1, 1), date(2100, 12, 31))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export(store: Path) -> dict[str, object]:
    """Export one bundle from ``store`` (in this process) and say what it cost."""
    session = Session.unlock(store, PASSPHRASE, Policy())
    marks: dict[str, float] = {}
    reports = 0

    def progress(done: int, total: int) -> None:
        nonlocal reports
        reports += 1
        records = (total - 1) // 3  # see ExportSteps: n collecting, 2n drawing, 1 sealing
        marks["collect" if done <= records else "draw" if done <= 3 * records else "end"] = (
            time.perf_counter()
        )

    out = store.parent / f"{store.name}.dlreport"
    start = time.perf_counter()
    exported = session.export_report(SCOPE, RECIPIENT, out, progress=progress)
    end = time.perf_counter()
    session.lock()
    manifest = exported.info.manifest
    collected, drawn = marks.get("collect", start), marks.get("draw", start)
    return {
        "records": exported.info.head.figures.records,
        "seconds": end - start,
        "steps": {
            "collect": collected - start,
            "draw": drawn - collected,
            "finish": end - drawn,
        },
        "progress_calls": reports,
        "pdf_mb": manifest.report_pdf.size / 2**20,
        "json_mb": manifest.report_json.size / 2**20,
        "bundle_mb": out.stat().st_size / 2**20,
        "bundle": str(out),
        "peak_mb": _peak_mb(),
    }


def open_and_verify(store: Path, bundle: Path) -> dict[str, object]:
    """Read, decrypt and verify ``bundle`` and write its PDF, as ``report open`` does."""
    session = Session.unlock(store, PASSPHRASE, Policy())
    start = time.perf_counter()
    session.open_report(bundle.read_bytes(), bundle.with_suffix(".pdf"))
    seconds = time.perf_counter() - start
    session.lock()
    return {"seconds": seconds, "peak_mb": _peak_mb()}


def _fill(store: Path, size: int, card: bytes | None = None) -> None:
    """A practitioner's store of ``size`` demo records that reports to ``RECIPIENT`` (whose
    identity ``card`` is, or a throwaway supervisor's)."""
    os.environ.update(KDF_ENV)
    session = Session.create(store, PASSPHRASE, PROFILE, Policy())
    session.fill_demo(size)
    if card is None:
        supervisor = new_identity("Bench Supervisor", PROFILE.organisation)
        card = make_card(supervisor, "Bench Supervisor", "Supervisor", PROFILE.organisation)
    session.add_recipient(RECIPIENT, card)
    session.lock()


def _child(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.report_bench", *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **KDF_ENV},
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def run() -> None:
    print("\n== report bundles (targets: export of 10,000 <= 15 s and 500 MB; open <= 3 s) ==")
    with tempfile.TemporaryDirectory(prefix="report-bench-") as workdir:
        for size in SIZES:
            store = Path(workdir) / f"store-{size}"
            _fill(store, size)
            result = _child("--export", str(store))
            steps = ", ".join(f"{name} {value:.2f}" for name, value in result["steps"].items())
            target = (
                f"; target <= {TARGET_SECONDS:.0f} s and <= {TARGET_MB:.0f} MB"
                if size == TARGET_SIZE
                else ""
            )
            print(
                f"  export of {result['records']:,} records: {result['seconds']:.2f} s ({steps}),"
                f" peak {result['peak_mb']:.0f} MB; PDF {result['pdf_mb']:.1f} MB,"
                f" JSON {result['json_mb']:.1f} MB, bundle {result['bundle_mb']:.1f} MB;"
                f" {result['progress_calls']} progress reports{target}"
            )
            if size == TARGET_SIZE:
                opened = _child("--open", str(store), str(result["bundle"]))
                print(
                    f"  open and verify the {size:,}-record bundle: {opened['seconds']:.2f} s,"
                    f" peak {opened['peak_mb']:.0f} MB; target <= {TARGET_OPEN_SECONDS:.0f} s"
                )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--export":
        print(json.dumps(export(Path(sys.argv[2]))))
    elif len(sys.argv) == 4 and sys.argv[1] == "--open":
        print(json.dumps(open_and_verify(Path(sys.argv[2]), Path(sys.argv[3]))))
    else:
        run()
