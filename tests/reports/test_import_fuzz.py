"""The importer under random input (issue 6): never a crash, never a partial import.

Three layers, each input built to reach the layer under test: random bytes as a file; random
contents sealed to the supervisor (the envelope opens, what is inside is garbage); a genuine
report's container with one byte changed or cut short, sealed again to the supervisor (so only
the signatures and hashes inside can catch it). Every input must be refused with the importer's
own error, within hypothesis's two-second deadline, leaving every table but the audit log as it
was.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.records import RecordBody
from desktop.policy import Policy
from desktop.reports.bundle_errors import BundleError
from desktop.reports.container import pack, unpack
from desktop.reports.envelope import open_sealed, seal
from desktop.session import ReportScope, Session
from desktop.store.keyslots import MIN_MEMORY_KIB, MIN_TIME_COST, Argon2Params
from tests.conftest import PASSPHRASE, PROFILE, tables_but_audit
from tests.factories import uk_share_body

FUZZ = settings(max_examples=200, deadline=2000)


@dataclass(frozen=True)
class World:
    supervisor: Session
    container: bytes
    """A genuine report's container, as sealed inside its bundle."""
    supervisor_key: X25519PublicKey


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("fuzz")
    params = Argon2Params(MIN_MEMORY_KIB, MIN_TIME_COST)
    supervisor = Session.create(folder / "jo", PASSPHRASE, PROFILE, Policy(), params=params)
    sam = Session.create(folder / "sam", PASSPHRASE, PROFILE, Policy(), params=params)
    try:
        supervisor.write_identity_card(folder / "jo.card")
        sam.add_recipient("supervisor", (folder / "jo.card").read_bytes())
        for notes in ("First visit.", "Strategy discussion.", "Follow-up call."):
            sam.add_record(RecordBody.model_validate(uk_share_body(notes=notes)))
        bundle = folder / "report.dlreport"
        sam.export_report(ReportScope(date(2000, 1, 1), date(2099, 12, 31)), "supervisor", bundle)
        sam.write_certificate(folder / "sam.pem")
        supervisor.trust_certificate((folder / "sam.pem").read_bytes())
        container = pack(unpack(open_sealed(bundle.read_bytes(), sam.identity().encryption_key)))
    finally:
        sam.lock()
    yield World(supervisor, container, supervisor.identity().encryption_key.public_key())
    supervisor.lock()


def refused_and_unchanged(world: World, data: bytes) -> None:
    before = tables_but_audit(world.supervisor.store.conn)
    with pytest.raises(BundleError):
        world.supervisor.import_report(data)
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
    """The control: the same container unchanged is accepted (so refusals above are real)."""
    imported = world.supervisor.import_report(seal(world.container, [world.supervisor_key]))
    assert imported.versions_added == 3
