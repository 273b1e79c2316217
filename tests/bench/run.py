"""``make bench``: the store's speed targets, each beside plain SQLite doing the same work.

Both stores are built by the same code (``RecordRepository``) from the same synthetic records;
only the connection differs (sqlcipher3 with a raw key, or the standard library's sqlite3).
Printed: absolute times, p50/p95, and encrypted/plain ratios. Not part of ``make test``: timing
assertions in unit tests are flaky; targets are checked here and reported.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.demo_data import generate
from desktop.domain.enums import Jurisdiction, Regime
from desktop.policy import EMPTY_POLICY
from desktop.record_index import index_document
from desktop.session import Profile, Session
from desktop.store import migrations
from desktop.store.audit import AuditLog, utc_now
from desktop.store.connection import Connection, open_plain
from desktop.store.records import RecordFilter, RecordRepository
from tests.bench import checklist_bench, gui_bench, import_bench, report_bench

ROOT = Path(__file__).resolve().parents[2]
PRACTITIONER = {
    "name": "Bench",
    "role": "Social worker",
    "organisation": "Bench Council",
    "registration_number": None,
}
SEARCH_WORDS = (
    "police",
    "school",
    "referral",
    "mash",
    "nurse",
    "court",
    "consent",
    "housing",
    "strategy",
    "mother",
    "injury",
    "attendance",
)


BENCH_PASSPHRASE = "benchmark passphrase words"  # a throwaway benchmark store
BENCH_PROFILE = Profile(
    name="Bench",
    role="Social worker",
    organisation="Bench Council",
    jurisdiction=Jurisdiction.UK_ENG,
    regimes=(Regime.UK_GDPR, Regime.CL_CONFIDENCE),
)


@dataclass
class Backend:
    name: str
    conn: Connection
    repo: RecordRepository
    path: Path
    session: Session | None = None  # the encrypted side is a real store the app can open


@contextmanager
def _tx(conn: Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def open_backend(name: str, directory: Path) -> Backend:
    """The encrypted side is a store made by ``Session.create`` (real key derivation, so the GUI
    figures can unlock it); the plain side is the standard library's sqlite3 on the same schema.
    Both are written by the same ``RecordRepository``."""
    directory.mkdir(parents=True, exist_ok=True)
    if name == "encrypted":
        session = Session.create(directory / "store", BENCH_PASSPHRASE, BENCH_PROFILE, EMPTY_POLICY)
        store = session.store
        return Backend(name, store.conn, store.records, store.directory, session)
    path = directory / f"{name}.db"
    conn = open_plain(path)
    migrations.migrate(conn)
    return Backend(name, conn, RecordRepository(conn, AuditLog(conn)), path)


def close_backend(backend: Backend) -> None:
    if backend.session is not None:
        backend.session.lock()
    else:
        backend.conn.close()


def _document(raw: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    record_id = str(uuid.uuid4())
    raw.update(
        {
            "id": record_id,
            "version": 1,
            "created_at": utc_now(),
            "created_by": PRACTITIONER,
            "amend_reason": None,
            "retention_until": None,
        }
    )
    return record_id, raw


def fill(backend: Backend, count: int, seed: int, batch: int = 2000) -> float:
    started = time.perf_counter()
    documents = generate(count, seed=seed)
    done = 0
    while done < count:
        with _tx(backend.conn):
            for raw in itertools.islice(documents, batch):
                record_id, doc = _document(raw)
                backend.repo.add(
                    "bench", record_id, doc, index_document(doc), doc["created_at"], bulk=True
                )
        done += batch
        if sys.stdout.isatty():
            print(f"\r  filling {backend.name}: {min(done, count):,}/{count:,}", end="", flush=True)
    if sys.stdout.isatty():
        print()
    return time.perf_counter() - started


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) >= 20 else max(samples)


def line(label: str, enc: list[float], plain: list[float], target: str = "") -> None:
    e95, p95_ = p95(enc) * 1000, p95(plain) * 1000
    e50, p50 = statistics.median(enc) * 1000, statistics.median(plain) * 1000
    print(
        f"  {label:<34} enc p50 {e50:7.2f} ms p95 {e95:7.2f} ms | plain p50 {p50:7.2f} ms"
        f" p95 {p95_:7.2f} ms | ratio {e95 / p95_ if p95_ else float('nan'):5.2f}x  {target}"
    )


def bench_size(size: int, workdir: Path, rng: random.Random) -> Path:
    """Store figures at ``size`` records; returns the encrypted store's folder."""
    print(f"\n== {size:,} records ==")
    backends = {name: open_backend(name, workdir / str(size)) for name in ("encrypted", "plain")}
    for b in backends.values():
        seconds = fill(b, size, seed=1)
        print(f"  demo fill {b.name:<9} {seconds:7.1f} s  ({size / seconds:,.0f} records/s)")

    cases = [row[0] for row in backends["plain"].repo.cases()]
    saves = 1000
    extra = [raw for _, raw in map(_document, generate(saves, seed=99, start_index=size))]

    def save_one(b: Backend, document: dict[str, Any]) -> float:
        record_id = str(uuid.uuid4())
        document = dict(document, id=record_id)
        started = time.perf_counter()
        with _tx(b.conn):
            b.repo.add(
                "bench", record_id, document, index_document(document), document["created_at"]
            )
        return time.perf_counter() - started

    # Interleaved, so both stores see the same machine conditions (the ratio is the target).
    samples: dict[str, list[float]] = {name: [] for name in backends}
    for document in extra:
        for name, b in backends.items():
            samples[name].append(save_one(b, document))
    enc_rate = 1 / statistics.mean(samples["encrypted"])
    plain_rate = 1 / statistics.mean(samples["plain"])
    line(
        "save one record (own transaction)",
        samples["encrypted"],
        samples["plain"],
        "target p95 <= 5 ms",
    )
    print(
        f"  save rate over {saves} saves (checkpoints included): encrypted {enc_rate:,.0f}/s,"
        f" plain {plain_rate:,.0f}/s, encrypted/plain = {enc_rate / plain_rate:.2f}"
        " (target >= 0.75)"
    )

    case_sample = [rng.choice(cases) for _ in range(200)]
    windows = []
    for _ in range(200):
        year, month = rng.choice((2024, 2025)), rng.randint(1, 12)
        windows.append((f"{year}-{month:02d}-01T00:00:00Z", f"{year}-{month:02d}-28T00:00:00Z"))
    words = [rng.choice(SEARCH_WORDS) for _ in range(200)]
    for label, make in (
        (
            "list by case, first 200",
            lambda b, i: lambda: b.repo.page(RecordFilter(case_id=case_sample[i])),
        ),
        (
            "list by date range, first 200",
            lambda b, i: (
                lambda: b.repo.page(RecordFilter(date_from=windows[i][0], date_to=windows[i][1]))
            ),
        ),
        ("full-text search, first 200", lambda b, i: lambda: b.repo.search(words[i])),
    ):
        samples = {}
        for name, b in backends.items():
            samples[name] = [timed(make(b, i), 1)[0] for i in range(200)]
        line(label, samples["encrypted"], samples["plain"], "target p95 <= 20 ms at 1M")
    for b in backends.values():
        close_backend(b)
    return backends["encrypted"].path


def bench_unlock_and_start(workdir: Path) -> None:
    print("\n== unlock and start-up (real KDF calibration, target 0.3-1.0 s) ==")
    store = workdir / "cli-store"
    secret = workdir / "pass.txt"
    secret.write_text("benchmark passphrase words\n")
    env = {k: v for k, v in os.environ.items() if k != "DISCLOSURE_LOG_KDF_SECONDS"}
    env["DISCLOSURE_LOG_POLICY"] = str(workdir / "policy.json")
    (workdir / "policy.json").write_text("{}")
    cli = [
        sys.executable,
        "-m",
        "desktop.cli",
        "--store",
        str(store),
        "--passphrase-file",
        str(secret),
    ]
    subprocess.run(
        [
            *cli,
            "init",
            "--name",
            "B",
            "--role",
            "SW",
            "--organisation",
            "O",
            "--jurisdiction",
            "UK-ENG",
        ],
        check=True,
        env=env,
        capture_output=True,
    )
    subprocess.run([*cli, "demo", "--records", "1000"], check=True, env=env, capture_output=True)

    samples = []
    for _ in range(5):
        started = time.perf_counter()
        session = Session.unlock(store, "benchmark passphrase words", EMPTY_POLICY)
        session.list_records(limit=200)
        samples.append(time.perf_counter() - started)
        session.lock()
    print(f"  unlock (Argon2id + open + first page): median {statistics.median(samples):.3f} s")
    starts = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([*cli, "status"], check=True, env=env, capture_output=True)
        starts.append(time.perf_counter() - started)
    print(
        f"  process start -> `status` printed:     median {statistics.median(starts):.3f} s"
        " (includes the unlock)"
    )


PARTS = ("store", "gui", "checklist", "report", "import", "review")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sizes",
        default="100000,1000000",
        help="comma-separated store sizes (default: 100000,1000000)",
    )
    parser.add_argument("--workdir", type=Path, help="keep the stores here (default: a temp dir)")
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"comma-separated parts to run, of {', '.join(PARTS)} (default: all);"
        " gui runs on the largest store, so it builds the stores too",
    )
    args = parser.parse_args()
    parts = set(args.only.split(","))
    if not parts <= set(PARTS):
        parser.error(f"--only: unknown part(s) {', '.join(sorted(parts - set(PARTS)))}")
    rng = random.Random(42)
    with tempfile.TemporaryDirectory(prefix="dl-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        if parts & {"store", "gui"}:
            stores = [bench_size(int(size), workdir, rng) for size in args.sizes.split(",")]
            bench_unlock_and_start(workdir)
        if "gui" in parts:
            gui_bench.run(stores[-1], BENCH_PASSPHRASE, workdir)
        if parts & {"import", "review"}:
            import_bench.run(parts, workdir)
    if "checklist" in parts:
        print("\n== checklist engine (targets: pack load <= 50 ms, evaluate p95 <= 1 ms) ==")
        checklist_bench.run()
    if "report" in parts:
        report_bench.run()


if __name__ == "__main__":
    main()
