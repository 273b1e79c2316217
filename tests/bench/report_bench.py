"""Making a summary report of 100, 1,000 and 10,000 records: seconds and peak memory.

Target (issue 5): 10,000 records within 15 s and 500 MB, collecting through signing the PDF.
Each size is made in a fresh process (``--measure DIR``) from a demo store filled beforehand,
so ``ru_maxrss`` is the report's own peak (with the unlocked store it reads from). The manifest
and its encryption are the bundle's work, not measured here; the PDF's footer carries the JSON's
hash in place of the manifest's. Printed, not asserted, like the other benchmarks.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar

from desktop.domain.canonical import sha256_hex
from desktop.policy import Policy
from desktop.session import Session
from tests.conftest import PASSPHRASE, PROFILE
from tests.factories import signing_identity

SIZES = (100, 1_000, 10_000)
TARGET_SECONDS = 15.0
TARGET_MB = 500.0
TARGET_SIZE = 10_000
KDF_ENV = {"DISCLOSURE_LOG_KDF_SECONDS": "0.01"}

T = TypeVar("T")


def _timed(seconds: dict[str, float], step: str, call: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = call()
    seconds[step] = time.perf_counter() - start
    return result


def measure(store: Path) -> dict[str, object]:
    """Make one report from ``store`` (in this process) and say what it cost."""
    from desktop.reports.collect import ReportScope, collect  # noqa: PLC0415 - timed below
    from desktop.reports.pades import sign_pdf  # noqa: PLC0415
    from desktop.reports.pdf_report import render_pdf  # noqa: PLC0415
    from desktop.reports.report_json import report_json  # noqa: PLC0415

    session = Session.unlock(store, PASSPHRASE, Policy())
    key, certificate = signing_identity()
    scope = ReportScope(date(2000, 1, 1), date(2100, 12, 31))
    calls: list[int] = []
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    content = _timed(
        seconds,
        "collect",
        lambda: collect(
            session,
            scope,
            report_id=str(uuid.uuid4()),
            generated_at=datetime.now(UTC),
            progress=lambda done, total: calls.append(done),
        ),
    )
    document = _timed(seconds, "json", lambda: report_json(content))
    pdf = _timed(
        seconds,
        "pdf",
        lambda: render_pdf(
            content,
            footer_hash=sha256_hex(document),
            progress=lambda done, total: calls.append(done),
        ),
    )
    signed = _timed(seconds, "sign", lambda: sign_pdf(pdf, key, certificate))
    total = time.perf_counter() - start
    session.lock()
    return {
        "records": len(content.records),
        "seconds": total,
        "steps": seconds,
        "progress_calls": len(calls),
        "pdf_mb": len(signed) / 2**20,
        "json_mb": len(document) / 2**20,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _fill(store: Path, size: int) -> None:
    os.environ.update(KDF_ENV)
    session = Session.create(store, PASSPHRASE, PROFILE, Policy())
    session.fill_demo(size)
    session.lock()


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="report-bench-") as workdir:
        for size in SIZES:
            store = Path(workdir) / f"store-{size}"
            _fill(store, size)
            child = subprocess.run(
                [sys.executable, "-m", "tests.bench.report_bench", "--measure", str(store)],
                check=True,
                capture_output=True,
                text=True,
                env={**os.environ, **KDF_ENV},
            )
            result = json.loads(child.stdout)
            steps = ", ".join(f"{name} {value:.2f}" for name, value in result["steps"].items())
            target = (
                f"; target <= {TARGET_SECONDS:.0f} s and <= {TARGET_MB:.0f} MB"
                if size == TARGET_SIZE
                else ""
            )
            print(
                f"report of {result['records']:,} records: {result['seconds']:.2f} s ({steps}),"
                f" peak {result['peak_mb']:.0f} MB, PDF {result['pdf_mb']:.1f} MB,"
                f" JSON {result['json_mb']:.1f} MB, {result['progress_calls']} progress"
                f" reports{target}"
            )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        print(json.dumps(measure(Path(sys.argv[2]))))
    else:
        run()
