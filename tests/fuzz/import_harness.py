"""The fuzz target for the supervisor's import (issue 6), shared by ``make fuzz`` and the suite.

``make_target`` builds what an import needs once: a supervisor's store that trusts a
practitioner and has already imported one genuine report from them. ``one_input`` then feeds
one input to ``Session.import_report`` and holds it to the issue's rules: refused with the
importer's own error (``BundleError``; anything else escapes, and the fuzzer reports it as a
crash), or found to be the report imported already; and either way nothing stored. Time and
memory are bounded by libFuzzer (``-timeout``, ``-rss_limit_mb``) in the long run and by
tests/reports/test_import_fuzz.py under hypothesis.

The first byte of an input says which layer the rest is for, so that mutations reach past the
encryption and the signatures that stop random bytes at the door:

- ``FILE``: the rest is the file, as it arrived;
- ``CONTAINER``: the rest is the container, sealed to the supervisor (the envelope opens, what
  is inside is the fuzzer's: the container's layout and the manifest, parsed before its
  signature is checked);
- ``REPORT_JSON``: the rest is report.json, carried with the genuine PDF under a manifest that
  names its hash and is signed with the practitioner's own key (so the JSON parsers, the
  models and the importer's checks on what a trusted signer sent are what is tested).

A manifest re-signed whole is not a mode: a trusted practitioner's key may sign any manifest,
so some of those imports would be rightly stored. In ``REPORT_JSON`` the manifest keeps the
imported report's id, so even a report.json that passes every check is refused as a reused id.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from desktop.domain.canonical import canonical_json
from desktop.reports.bundle_errors import BundleError
from desktop.reports.container import Members, pack, unpack
from desktop.reports.envelope import open_sealed, seal
from desktop.reports.manifest import MemberDigest, sign_manifest
from desktop.session import Session
from tests.reports.sent_report import sent_report

FILE: Final = 0
CONTAINER: Final = 1
REPORT_JSON: Final = 2
MODES: Final = 3
DUPLICATE: Final = "already_imported"
"""``one_input``'s outcome for the report the supervisor holds already (nothing added)."""


@dataclass(frozen=True)
class Target:
    supervisor: Session
    supervisor_key: X25519PublicKey
    signing_key: ec.EllipticCurvePrivateKey
    """The practitioner's, to sign manifests over fuzzed report.json."""
    bundle: bytes
    """The genuine report, as the supervisor received and imported it."""
    members: Members
    """Its container's members."""
    manifest: dict[str, Any]
    stored: tuple[int, ...]
    """Rows in each table an import writes, once the genuine report is in."""


def _stored(supervisor: Session) -> tuple[int, ...]:
    conn = supervisor.store.conn
    names = [
        str(name)
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND (name LIKE 'imported%' OR name = 'trusted_certificates') ORDER BY name"
        )
    ]
    return tuple(int(conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]) for n in names)


def make_target(folder: Path) -> Target:
    """A supervisor who trusts Sam and imported Sam's report of three records (in ``folder``)."""
    sent = sent_report(folder)
    supervisor, identity = sent.supervisor, sent.sam
    bundle = sent.bundle.read_bytes()
    supervisor_private = supervisor.identity().encryption_key
    members = unpack(open_sealed(bundle, supervisor_private))
    imported = supervisor.import_report(bundle)
    assert imported.versions_added == 3, imported
    return Target(
        supervisor,
        supervisor_private.public_key(),
        identity.signing_key,
        bundle,
        members,
        json.loads(members.manifest),
        _stored(supervisor),
    )


def build(target: Target, data: bytes) -> bytes:
    """The file ``data`` stands for (see the module's docstring)."""
    if not data:
        return b""
    mode, rest = data[0] % MODES, data[1:]
    if mode == FILE:
        return rest
    if mode == CONTAINER:
        return seal(rest, [target.supervisor_key])
    manifest = canonical_json(
        {**target.manifest, "report_json": MemberDigest.of(rest).model_dump(mode="json")}
    )
    members = Members(
        manifest, sign_manifest(manifest, target.signing_key), rest, target.members.report_pdf
    )
    return seal(pack(members), [target.supervisor_key])


def one_input(target: Target, data: bytes) -> str:
    """Import the file ``data`` stands for; the refusal's reason, or ``DUPLICATE``.

    Raises whatever the import raises but ``BundleError``, and ``AssertionError`` if it stored
    anything: both are findings.
    """
    file = build(target, data)
    try:
        imported = target.supervisor.import_report(file)
    except BundleError as exc:
        outcome = exc.reason
    else:
        assert imported.already_imported, "an input that is not the genuine report was imported"
        assert (imported.versions_added, imported.withdrawals_added) == (0, 0), imported
        outcome = DUPLICATE
    stored = _stored(target.supervisor)
    assert stored == target.stored, f"the import left {stored}, not {target.stored}"
    return outcome


def _flip(data: bytes, at: int) -> bytes:
    altered = bytearray(data)
    altered[at] ^= 0x01
    return bytes(altered)


def seeds(target: Target) -> dict[str, bytes]:
    """The seed corpus: the genuine report at each layer, and a few near misses of each."""
    layers = {
        "file": (FILE, target.bundle),
        "container": (CONTAINER, pack(target.members)),
        "report-json": (REPORT_JSON, target.members.report_json),
    }
    corpus = {}
    for name, (mode, genuine) in layers.items():
        for variant, data in (
            ("genuine", genuine),
            ("cut", genuine[: len(genuine) // 2]),
            ("flipped", _flip(genuine, len(genuine) // 3)),
            ("empty", b""),
        ):
            corpus[f"{name}-{variant}"] = bytes([mode]) + data
    return corpus
