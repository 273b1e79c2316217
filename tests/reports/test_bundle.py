"""The report bundle: sealed to its recipients, and refused whole when any part of it is wrong.

Real keys, the real PDF, pyHanko's validator. Bundles an attacker could make are built here the
way an attacker would: from the container and envelope functions, signed with their own key and
sealed to the supervisor's public key (which anyone holding the supervisor's card has).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.domain.canonical import canonical_json
from desktop.identity import Identity, certificate_fingerprint, new_identity
from desktop.key_agreement import key_fingerprint
from desktop.reports import bundle_reader
from desktop.reports.bundle import SealedBundle, make_bundle
from desktop.reports.bundle_errors import BundleError, BundleMalformed, BundleRejected
from desktop.reports.bundle_reader import OpenedBundle, open_bundle
from desktop.reports.container import MAGIC, Members, pack, unpack
from desktop.reports.envelope import MAGIC as SEALED_MAGIC
from desktop.reports.envelope import PREFIX_BYTES, STANZA_BYTES, open_sealed, seal
from desktop.reports.manifest import BUNDLE_FORMAT, MemberDigest, sign_manifest
from desktop.reports.pades import sign_pdf, validate
from desktop.reports.report_json import report_json
from tests.reports.conftest import (
    AMEND_REASON,
    EVERYTHING,
    NAMED,
    Report,
    Store,
    make_report,
    write,
)
from tests.reports.test_collect import busiest_case
from tests.reports.test_pdf import tool

SUPERVISOR = new_identity("Jo Supervisor", "Northshire Council")
MALLORY = new_identity("Sam Practitioner", "Northshire Council")
"""Someone else, even claiming the practitioner's name."""
CAROL = new_identity("Carol Elsewhere", "Another Council")


def sealed_by(signer: Identity, report: Report) -> SealedBundle:
    """``report`` as ``signer``'s first bundle, sealed to the supervisor."""
    return make_bundle(
        report.content,
        signer,
        [SUPERVISOR.encryption_key.public_key()],
        sequence=1,
        previous_sha256=None,
    )


@pytest.fixture(scope="module")
def practitioner(store: Store) -> Identity:
    return store.session.identity()


@pytest.fixture(scope="module")
def bundle(report: Report, practitioner: Identity) -> SealedBundle:
    return sealed_by(practitioner, report)


@pytest.fixture(scope="module")
def opened(bundle: SealedBundle) -> OpenedBundle:
    return open_bundle(bundle.data, SUPERVISOR.encryption_key)


@pytest.fixture(scope="module")
def members(bundle: SealedBundle) -> Members:
    return unpack(open_sealed(bundle.data, SUPERVISOR.encryption_key))


def to_supervisor(members: Members) -> bytes:
    """What an attacker can make: any container, sealed to the supervisor."""
    return seal(pack(members), [SUPERVISOR.encryption_key.public_key()])


def refused(data: bytes, kind: type[BundleError] = BundleError, key: Identity = SUPERVISOR) -> str:
    with pytest.raises(kind) as caught:
        open_bundle(data, key.encryption_key)
    message = str(caught.value)
    assert message
    assert "Traceback" not in message
    return message


# -- what a good bundle holds -----------------------------------------------------------------
def test_the_supervisor_opens_exactly_what_the_practitioner_sealed(
    report: Report, practitioner: Identity, bundle: SealedBundle, opened: OpenedBundle
) -> None:
    manifest = opened.info.manifest
    head = report.content.head
    assert manifest.format == BUNDLE_FORMAT
    assert manifest.report_id == head.report_id
    assert manifest.sequence == 1
    assert manifest.previous_bundle_sha256 is None
    assert manifest.audit_checkpoint == head.audit_checkpoint
    assert manifest.signer.key_id == certificate_fingerprint(practitioner.certificate)
    assert manifest.recipients == sorted(
        key_fingerprint(key.encryption_key.public_key()) for key in (SUPERVISOR, practitioner)
    )
    assert opened.report_json == report_json(report.content)
    assert manifest.report_json == MemberDigest.of(opened.report_json)
    assert manifest.report_pdf == MemberDigest.of(opened.pdf)
    assert opened.info.head == head
    assert opened.info.signed.sha256 == bundle.info.signed.sha256
    assert opened.info.signed.core_sha256 == bundle.info.signed.core_sha256
    assert opened.info.signer_name == "Sam Practitioner, Northshire Council"
    check = validate(opened.pdf, practitioner.certificate)
    assert check.ok, check


def test_the_practitioner_can_reopen_their_own_export(
    bundle: SealedBundle, practitioner: Identity, opened: OpenedBundle
) -> None:
    again = open_bundle(bundle.data, practitioner.encryption_key)
    assert again.pdf == opened.pdf
    assert again.report_json == opened.report_json


def test_the_pdf_footer_shows_the_hash_of_the_manifest_core(
    opened: OpenedBundle, members: Members, tmp_path: Path
) -> None:
    fields = json.loads(members.manifest)
    del fields["report_pdf"]
    core = hashlib.sha256(canonical_json(fields)).hexdigest()
    assert opened.info.signed.core_sha256 == core
    text = tool("pdftotext", "-enc", "UTF-8", write(tmp_path / "r.pdf", opened.pdf), "-")
    pages = text.split("\f")[:-1]
    assert pages
    assert all(f"Manifest hash {core}" in page for page in pages)


def test_nothing_of_the_records_can_be_read_in_the_bundle(
    bundle: SealedBundle, opened: OpenedBundle
) -> None:
    markers = [NAMED["name"], AMEND_REASON, "section 47 enquiry", "Sam Practitioner"]
    for marker in markers:
        assert marker.encode() in opened.report_json, marker  # there, once decrypted
        for codec in ("utf-8", "utf-16-le", "utf-16-be"):
            assert marker.encode(codec) not in bundle.data, (marker, codec)


# -- any change is refused --------------------------------------------------------------------
def flipped(data: bytes, position: int, mask: int = 1) -> bytes:
    changed = bytearray(data)
    changed[position] ^= mask
    return bytes(changed)


def test_every_byte_of_the_header_changed_is_refused(bundle: SealedBundle) -> None:
    header = PREFIX_BYTES + 2 * STANZA_BYTES
    for position in range(header + 64):  # the envelope's header and the first chunk's start
        refused(flipped(bundle.data, position))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(where=st.floats(0, 1, exclude_max=True), mask=st.integers(1, 255))
def test_a_byte_changed_anywhere_is_refused(bundle: SealedBundle, where: float, mask: int) -> None:
    position = int(where * len(bundle.data))
    kind = BundleMalformed if position < len(SEALED_MAGIC) else BundleRejected  # no longer sealed
    refused(flipped(bundle.data, position, mask), kind)


@pytest.mark.parametrize("keep", [0, 5, len(SEALED_MAGIC) + 1, PREFIX_BYTES + 10, 300, -17, -1])
def test_a_truncated_bundle_is_refused(bundle: SealedBundle, keep: int) -> None:
    refused(bundle.data[:keep])


def test_a_bundle_for_someone_else_is_refused(bundle: SealedBundle) -> None:
    assert "not for your key" in refused(bundle.data, BundleRejected, key=CAROL)


def test_a_bundle_forwarded_under_new_encryption_is_refused(bundle: SealedBundle) -> None:
    container = open_sealed(bundle.data, SUPERVISOR.encryption_key)
    forwarded = seal(container, [CAROL.encryption_key.public_key()])
    assert "addressed to other keys" in refused(forwarded, BundleRejected, key=CAROL)


# -- members swapped, missing or rearranged ---------------------------------------------------
@pytest.fixture(scope="module")
def other_members(store: Store, report: Report, practitioner: Identity) -> Members:
    """The same practitioner's report of one case: a genuine bundle to take members from."""
    scope = replace(EVERYTHING, case_id=busiest_case(store))
    one_case = replace(report, content=make_report(store.session, scope))
    sealed = sealed_by(practitioner, one_case)
    return unpack(open_sealed(sealed.data, SUPERVISOR.encryption_key))


@pytest.mark.parametrize("member", ["report_json", "report_pdf"])
def test_a_member_swapped_for_another_reports_is_refused(
    members: Members, other_members: Members, member: str
) -> None:
    swapped = replace(members, **{member: getattr(other_members, member)})
    name = member.replace("_", ".")
    assert f"{name} is not the one" in refused(to_supervisor(swapped), BundleRejected)


def test_a_manifest_swapped_with_its_signature_is_refused_by_the_hashes(
    members: Members, other_members: Members
) -> None:
    swapped = replace(members, manifest=other_members.manifest, signature=other_members.signature)
    assert "is not the one" in refused(to_supervisor(swapped), BundleRejected)


def raw_container(parts: list[tuple[str, bytes]]) -> bytes:
    """A container with any members in any order (``pack`` only writes the right ones)."""
    body = [MAGIC, b"\x01"]
    for name, data in parts:
        body += [bytes([len(name)]), name.encode(), len(data).to_bytes(8, "big"), data]
    return b"".join(body)


LAYOUTS: dict[str, Callable[[list[tuple[str, bytes]]], list[tuple[str, bytes]]]] = {
    "two members in each other's place": lambda p: [p[0], p[1], p[3], p[2]],
    "a member missing": lambda p: p[:3],
    "a member twice": lambda p: [*p, p[3]],
    "a fifth member": lambda p: [*p, ("extra.txt", b"hello")],
    "a member renamed": lambda p: [*p[:3], ("../report.pdf", p[3][1])],
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_any_other_layout_of_members_is_refused(members: Members, layout: str) -> None:
    names = ("manifest.json", "manifest.sig", "report.json", "report.pdf")
    parts = LAYOUTS[layout](list(zip(names, members.in_order(), strict=True)))
    sealed = seal(raw_container(parts), [SUPERVISOR.encryption_key.public_key()])
    assert "not a Disclosure Log report bundle" in refused(sealed, BundleMalformed)


def test_a_size_beyond_the_data_is_refused_before_reading(members: Members) -> None:
    container = bytearray(pack(members))
    size_at = len(MAGIC) + 1 + 1 + len("manifest.json")
    container[size_at : size_at + 8] = (2**63).to_bytes(8, "big")
    sealed = seal(bytes(container), [SUPERVISOR.encryption_key.public_key()])
    assert "larger than" in refused(sealed, BundleMalformed)


# -- signed by someone else -------------------------------------------------------------------
def test_a_manifest_re_signed_by_another_key_is_refused(members: Members) -> None:
    forged = replace(members, signature=sign_manifest(members.manifest, MALLORY.signing_key))
    assert "signature does not verify" in refused(to_supervisor(forged), BundleRejected)


def test_a_changed_manifest_under_the_old_signature_is_refused(members: Members) -> None:
    fields = json.loads(members.manifest)
    fields["sequence"] = 2
    forged = replace(members, manifest=canonical_json(fields))
    assert "signature does not verify" in refused(to_supervisor(forged), BundleRejected)


def test_a_manifest_naming_another_signer_over_the_practitioners_pdf_is_refused(
    members: Members,
) -> None:
    fields = json.loads(members.manifest)
    fields["signer"] = {
        "key_id": certificate_fingerprint(MALLORY.certificate),
        "certificate": MALLORY.certificate_pem().decode(),
    }
    manifest = canonical_json(fields)
    forged = replace(
        members, manifest=manifest, signature=sign_manifest(manifest, MALLORY.signing_key)
    )
    assert "signed by someone other" in refused(to_supervisor(forged), BundleRejected)


def test_a_copy_rebuilt_under_another_key_shows_that_key(
    report: Report, practitioner: Identity, opened: OpenedBundle
) -> None:
    """Same content, every signature Mallory's: it verifies as *Mallory's* report. Only the
    fingerprint (shown by ``report open``; checked against the trust store on import) tells."""
    rebuilt = open_bundle(sealed_by(MALLORY, report).data, SUPERVISOR.encryption_key)
    assert rebuilt.report_json == opened.report_json
    assert rebuilt.info.signer_name == opened.info.signer_name  # a name proves nothing
    assert rebuilt.info.signer_fingerprint == certificate_fingerprint(MALLORY.certificate)
    assert rebuilt.info.signer_fingerprint != opened.info.signer_fingerprint
    assert not validate(rebuilt.pdf, practitioner.certificate).ok


# -- the JSON, even when every signature is sound ---------------------------------------------
@pytest.fixture(scope="module")
def forge(report: Report, members: Members) -> Callable[..., bytes]:
    """A bundle Mallory signs throughout, carrying ``document`` as its report.json."""
    pdf = sign_pdf(report.pdf, MALLORY.signing_key, MALLORY.certificate)
    genuine = json.loads(members.manifest)

    def make(document: bytes, **changes: Any) -> bytes:
        fields = {
            **genuine,
            "signer": {
                "key_id": certificate_fingerprint(MALLORY.certificate),
                "certificate": MALLORY.certificate_pem().decode(),
            },
            "report_json": MemberDigest.of(document).model_dump(),
            "report_pdf": MemberDigest.of(pdf).model_dump(),
            **changes,
        }
        manifest = canonical_json(fields)
        signature = sign_manifest(manifest, MALLORY.signing_key)
        return to_supervisor(Members(manifest, signature, document, pdf))

    return make


def test_a_forged_bundle_with_a_sound_report_opens(
    forge: Callable[..., bytes], members: Members
) -> None:
    """The control for the tests below: only their one change makes them fail."""
    opened = open_bundle(forge(members.report_json), SUPERVISOR.encryption_key)
    assert opened.info.signer_fingerprint == certificate_fingerprint(MALLORY.certificate)


def report_fields(members: Members) -> dict[str, Any]:
    fields: dict[str, Any] = json.loads(members.report_json)
    return fields


BAD_DOCUMENTS: dict[str, Callable[[bytes], bytes]] = {
    "a duplicate key": lambda d: d[:-1] + b',"format":"disclosure-log-report/1"}',
    "NaN": lambda d: d.replace(b'"records":', b'"x":NaN,"records":', 1),
    "white space": lambda d: d.replace(b",", b", ", 1),
    "a lone surrogate": lambda d: d.replace(b'"organisation":"', b'"organisation":"\\ud800', 1),
    "deep nesting": lambda d: d[:-1] + b',"z":' + b"[" * 5000 + b"]" * 5000 + b"}",
    "not JSON": lambda d: d[:-1],
    "not UTF-8": lambda d: d.replace(b'"organisation":"', b'"organisation":"\xff', 1),
}


@pytest.mark.parametrize("fault", list(BAD_DOCUMENTS))
def test_a_report_json_that_is_not_strict_canonical_json_is_refused(
    forge: Callable[..., bytes], members: Members, fault: str
) -> None:
    document = BAD_DOCUMENTS[fault](members.report_json)
    assert document != members.report_json
    assert "report.json is not a valid report" in refused(forge(document), BundleMalformed)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"figures": None}, "report.json is not a valid report"),
        ({"unexpected": 1}, "report.json is not a valid report"),
        ({"records": {}}, "report.json is not a valid report"),
        ({"report_id": "9b6f7c1e-5d2a-4c3b-9e8f-1a2b3c4d5e6f"}, "does not describe the report"),
    ],
)
def test_a_report_json_that_breaks_the_model_or_the_manifest_is_refused(
    forge: Callable[..., bytes], members: Members, change: dict[str, Any], message: str
) -> None:
    fields = {**report_fields(members), **change}
    assert message in refused(forge(canonical_json(fields)))


def test_a_report_json_counting_other_records_than_it_holds_is_refused(
    forge: Callable[..., bytes], members: Members
) -> None:
    fields = report_fields(members)
    fields["records"] = fields["records"][1:]
    assert "different number of records" in refused(forge(canonical_json(fields)), BundleRejected)


# -- not a bundle at all ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "data",
    [b"", b"%PDF-1.7\n", os.urandom(4096), MAGIC + b"\x01" * 100],
    ids=["empty", "a PDF", "random bytes", "a bare container"],
)
def test_what_is_not_a_bundle_is_called_so(data: bytes) -> None:
    assert "not a Disclosure Log report bundle" in refused(data, BundleMalformed)


def test_an_encrypted_file_that_is_not_a_bundle_is_called_so() -> None:
    sealed = seal(b'{"format":"something else"}', [SUPERVISOR.encryption_key.public_key()])
    assert "holds something else" in refused(sealed, BundleMalformed)


def test_an_oversized_file_is_refused_before_it_is_decrypted(
    bundle: SealedBundle, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_decryption(*_: object) -> bytes:
        raise AssertionError("decrypted")

    monkeypatch.setattr(bundle_reader, "MAX_BUNDLE_BYTES", len(bundle.data) - 1)
    monkeypatch.setattr(bundle_reader, "open_envelope", no_decryption)
    assert "larger than" in refused(bundle.data, BundleMalformed)
