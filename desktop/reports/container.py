"""The report bundle's inner container: four fixed members in a fixed order, each length-prefixed.

Why not ZIP or tar: both can say one thing twice (ZIP's local headers and its central directory,
tar's extended headers), both carry names, paths, links, modes and comments a reader must refuse
one by one, and Python's readers accept much of that quietly. The container only ever travels
inside the sealed envelope, which no standard tool opens anyway, so a format of our own costs
no interoperability, and every byte of it has exactly one meaning:

    magic "DLOG-REPORT\\n" (12 bytes) | version 1 (1 byte)
    then manifest.json, manifest.sig, report.json, report.pdf, in that order, each as
        name length (1 byte) | name (ASCII) | size (8 bytes, big-endian) | the member's bytes
    and nothing after the last member.

A member is there exactly once, in its place, or the container is refused; each size is checked
against its member's limit and against the bytes left before anything is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from desktop.reports.bundle_errors import BundleMalformed

MAGIC: Final = b"DLOG-REPORT\n"
VERSION: Final = 1
SIZE_BYTES: Final = 8
MAX_BUNDLE_BYTES: Final = 256 * 1024 * 1024
"""The largest bundle made or opened: four times a 10,000-record report (about 61 MB), and
small enough that opening one (file, plaintext, members) stays within about a gigabyte."""
MAX_MANIFEST_BYTES: Final = 64 * 1024
MAX_SIGNATURE_BYTES: Final = 1024
MEMBERS: Final = (
    ("manifest.json", MAX_MANIFEST_BYTES),
    ("manifest.sig", MAX_SIGNATURE_BYTES),
    ("report.json", MAX_BUNDLE_BYTES),
    ("report.pdf", MAX_BUNDLE_BYTES),
)
NOT_A_BUNDLE: Final = "this is not a Disclosure Log report bundle"


@dataclass(frozen=True)
class Members:
    """The container's contents, as bytes."""

    manifest: bytes
    signature: bytes
    report_json: bytes
    report_pdf: bytes

    def in_order(self) -> tuple[bytes, bytes, bytes, bytes]:
        return (self.manifest, self.signature, self.report_json, self.report_pdf)


def pack(members: Members) -> bytes:
    parts = [MAGIC, bytes([VERSION])]
    for (name, _), data in zip(MEMBERS, members.in_order(), strict=True):
        encoded = name.encode("ascii")
        parts += [bytes([len(encoded)]), encoded, len(data).to_bytes(SIZE_BYTES, "big"), data]
    return b"".join(parts)


def unpack(data: bytes) -> Members:
    """The members of ``data``, refusing anything but the one layout above."""
    if not data.startswith(MAGIC):
        raise BundleMalformed(f"{NOT_A_BUNDLE} (it is encrypted, but holds something else)")
    at = len(MAGIC)
    if data[at : at + 1] != bytes([VERSION]):
        raise BundleMalformed(
            "this report bundle was made by a newer version of Disclosure Log, or is damaged"
        )
    at += 1
    found: list[bytes] = []
    for name, limit in MEMBERS:
        encoded = name.encode("ascii")
        header_end = at + 1 + len(encoded) + SIZE_BYTES
        if len(data) < header_end:
            raise BundleMalformed(f"{NOT_A_BUNDLE}: it ends before {name}")
        if data[at] != len(encoded) or data[at + 1 : at + 1 + len(encoded)] != encoded:
            raise BundleMalformed(f"{NOT_A_BUNDLE}: member {len(found) + 1} should be {name}")
        size = int.from_bytes(data[header_end - SIZE_BYTES : header_end], "big")
        if size > limit:
            raise BundleMalformed(f"{NOT_A_BUNDLE}: {name} is larger than {limit:,} bytes")
        if size > len(data) - header_end:
            raise BundleMalformed(f"{NOT_A_BUNDLE}: it ends inside {name}")
        found.append(data[header_end : header_end + size])
        at = header_end + size
    if at != len(data):
        raise BundleMalformed(f"{NOT_A_BUNDLE}: there is more after its last member")
    return Members(*found)
