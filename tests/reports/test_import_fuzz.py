"""The importer under random input (issue 6): never a crash, never a partial import.

Three layers, each input built to reach the layer under test: random bytes as a file; random
contents sealed to the supervisor (the envelope opens, what is inside is garbage); a genuine
report's container with one byte changed or cut short, sealed again to the supervisor (so only
the signatures and hashes inside can catch it). Every input must be refused with the importer's
own error, within hypothesis's two-second deadline and 300 MB (see ``within_memory``), leaving
every table but the audit log as it was. The longer run is ``make fuzz`` (tests/fuzz).
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.reports.bundle_errors import BundleError
from desktop.reports.container import pack, unpack
from desktop.reports.envelope import open_sealed, seal
from desktop.session import ImportedBundle, Session
from tests.conftest import tables_but_audit
from tests.reports.sent_report import sent_report

FUZZ = settings(max_examples=200, deadline=2000)
MEMORY_LIMIT = 300 * 1024 * 1024
"""What one input may make the importer allocate (issue 6), in bytes."""


@dataclass(frozen=True)
class World:
    supervisor: Session
    container: bytes
    """A genuine report's container, as sealed inside its bundle."""
    supervisor_key: X25519PublicKey


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    sent = sent_report(tmp_path_factory.mktemp("fuzz"))
    supervisor = sent.supervisor
    container = pack(unpack(open_sealed(sent.bundle.read_bytes(), sent.sam.encryption_key)))
    yield World(supervisor, container, supervisor.identity().encryption_key.public_key())
    supervisor.lock()


def within_memory(run: Callable[[], ImportedBundle]) -> tuple[ImportedBundle, int]:
    """``run()``'s peak allocation above what was allocated before it, checked against the limit.

    What this covers: every allocation made through Python's allocators while the import runs,
    whoever makes it, pure Python or C or Rust extension (each bytes object, str, list and dict
    the envelope, the container, the JSON parsers and pydantic create), so an importer that
    believed a claimed size, or copied a member once too often, is caught. What it does not:
    memory C libraries take with their own malloc (OpenSSL's and SQLCipher's buffers, the
    page cache, Rust's internal vectors in pydantic-core and cryptography) and the allocator's
    overhead; ``make fuzz`` bounds the whole process's resident size for those. Returns the
    peak too, so a test can show the meter sees the import at all.
    """
    started = not tracemalloc.is_tracing()  # traced only while the import runs: it is not cheap
    tracemalloc.start()
    tracemalloc.reset_peak()
    baseline, _ = tracemalloc.get_traced_memory()
    try:
        result = run()
    finally:
        peak = tracemalloc.get_traced_memory()[1] - baseline
        if started:
            tracemalloc.stop()
        assert peak <= MEMORY_LIMIT, f"the import allocated {peak:,} bytes"
    return result, peak


def refused_and_unchanged(world: World, data: bytes) -> None:
    before = tables_but_audit(world.supervisor.store.conn)
    with pytest.raises(BundleError):
        within_memory(lambda: world.supervisor.import_report(data))
    assert tables_but_audit(world.supervisor.store.conn) == before


@FUZZ
@given(data=st.binary(max_size=8192))
def test_random_files_are_refused(world: World, data: bytes) -> None:
    refused_and_unchanged(world, data)


@FUZZ
@given(contents=st.binary(max_size=8192))
def test_random_contents_of_a_genuine_envelope_are_refused(world: World, contents: bytes) -> None:
    refused_and_unchanged(world, seal(contents, [world.supervisor_key]))


@FUZZ
@given(where=st.floats(0, 1, exclude_max=True), change=st.integers(1, 255), cut=st.booleans())
def test_a_genuine_container_changed_anywhere_is_refused(
    world: World, where: float, change: int, cut: bool
) -> None:
    position = int(where * len(world.container))
    if cut:
        altered = world.container[:position]
    else:
        altered = bytearray(world.container)
        altered[position] ^= change
    refused_and_unchanged(world, seal(bytes(altered), [world.supervisor_key]))


def test_the_genuine_report_itself_imports(world: World) -> None:
    """The control: the same container unchanged is accepted (so refusals above are real), and
    the memory meter sees it decrypted (so the bounds above are measured, not assumed)."""
    data = seal(world.container, [world.supervisor_key])
    imported, peak = within_memory(lambda: world.supervisor.import_report(data))
    assert imported.versions_added == 3
    assert peak >= len(world.container)
