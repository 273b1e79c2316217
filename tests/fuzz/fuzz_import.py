"""``make fuzz``: the supervisor's import under atheris (libFuzzer, coverage-guided), issue 6.

    python -m tests.fuzz.fuzz_import [libFuzzer flags] [input files to replay]

Builds a supervisor's store once (tests/fuzz/import_harness.py says what is in it and what each
input means), writes the seed corpus into a scratch folder and fuzzes ``one_input`` from it;
given input files instead, runs just those (a crash saved by an earlier run, say). A finding is
any exception but the importer's own ``BundleError``, anything stored, an input slower than
``-timeout`` or a process larger than ``-rss_limit_mb`` (the Makefile sets 2 s and 300 MB, for
the whole process: each input's own share is smaller still, about 170 MB over the store's).

Only Disclosure Log's own code is instrumented for coverage (atheris selects whole top-level
packages: ``desktop``), not pyHanko, pydantic, cryptography or the standard library: the
fuzzer is steered by the branches of our parsers and checks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import atheris

WORKER = "--worker"
"""The process that fuzzes: libFuzzer ends it with exit(), past any clean-up of Python's, so
a parent makes the scratch folder and removes it once the worker is gone."""


def _scratch() -> Path:
    """A folder for the stores and the corpus; in memory where there is one (fsync is slow)."""
    shm = Path("/dev/shm")
    return Path(tempfile.mkdtemp(prefix="dl-fuzz-", dir=shm if shm.is_dir() else None))


def _fuzz(scratch: Path, flags: list[str]) -> None:
    with atheris.instrument_imports(include=["desktop"]):
        import desktop.reports.bundle_reader  # noqa: F401, PLC0415 - the import loads it late
        from tests.fuzz import import_harness  # noqa: PLC0415 - and through it desktop.session

    os.environ["DISCLOSURE_LOG_HOME"] = str(scratch / "home")
    os.environ["DISCLOSURE_LOG_POLICY"] = str(scratch / "no-policy.json")
    target = import_harness.make_target(scratch)
    argv = [sys.argv[0], *flags]
    if all(flag.startswith("-") for flag in flags):  # no inputs to replay: fuzz from the seeds
        corpus = scratch / "corpus"
        corpus.mkdir()
        for name, data in import_harness.seeds(target).items():
            (corpus / name).write_bytes(data)
        argv.append(str(corpus))

    def test_one_input(data: bytes) -> None:
        import_harness.one_input(target, data)

    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()


def main() -> int:
    args = sys.argv[1:]
    if args[:1] == [WORKER]:
        _fuzz(Path(args[1]), args[2:])  # does not return
    scratch = _scratch()
    try:
        worker = [sys.executable, "-m", "tests.fuzz.fuzz_import", WORKER, str(scratch), *args]
        return subprocess.call(worker)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
