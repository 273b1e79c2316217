"""Reproducible builds: a second ``make installer`` with the same SOURCE_DATE_EPOCH, from the
same tree with the same tools, gives a byte-identical ``.deb``.

The test builds the whole release again (PyInstaller included: that is where builds used to
differ) into a temporary folder, with the SOURCE_DATE_EPOCH the first build used (read back from
the ``.deb``'s ar header), and compares (the ``rebuild`` fixture, ``conftest.py``, runs it in
the background from the lintian test on). When they differ it names what differs, down to the
member of the data archive and, for the frozen programs, the module inside PyInstaller's archive.
"""

from __future__ import annotations

import hashlib
import io
import lzma
import tarfile
from pathlib import Path

import pytest

from tests.installer.release import NAME, Rebuild, ar_members, deb

pytestmark = pytest.mark.installer


def _tar_entries(member: bytes) -> list[tuple[tarfile.TarInfo, bytes]]:
    """Each entry of a compressed tar member, with its contents (files only)."""
    entries = []
    with tarfile.open(fileobj=io.BytesIO(lzma.decompress(member))) as tar:
        for info in tar.getmembers():
            handle = tar.extractfile(info) if info.isfile() else None
            entries.append((info, handle.read() if handle is not None else b""))
    return entries


def _metadata(info: tarfile.TarInfo) -> tuple[object, ...]:
    return (info.type, info.mode, info.uid, info.gid, info.uname, info.gname, info.mtime,
            info.linkname)  # fmt: skip


def _frozen_program_differences(first: bytes, second: bytes, scratch: Path) -> list[str]:
    """Which entries of PyInstaller's archives (the CArchive and the PYZ inside) differ."""
    from PyInstaller.archive.readers import CArchiveReader  # type: ignore[import-untyped]  # noqa: PLC0415

    contents: list[dict[str, bytes]] = []
    for index, program in enumerate((first, second)):
        path = scratch / f"program-{index}"
        path.write_bytes(program)
        archive = CArchiveReader(str(path))
        entries = {f"CArchive:{name}": archive.extract(name) or b"" for name in archive.toc}
        pyz = archive.open_embedded_archive("PYZ.pyz")
        entries |= {f"PYZ:{name}": pyz.extract(name, raw=True) or b"" for name in pyz.toc}
        contents.append(entries)
    names = sorted(set(contents[0]) | set(contents[1]))
    return [name for name in names if contents[0].get(name) != contents[1].get(name)]


def _differences(first: bytes, second: bytes, scratch: Path) -> list[str]:
    found: list[str] = []
    members = (ar_members(first), ar_members(second))
    headers = ([m[:2] for m in members[0]], [m[:2] for m in members[1]])
    if headers[0] != headers[1]:
        found.append(f"ar members or dates: {headers[0]} / {headers[1]}")
    for (name, _, one), (_, _, other) in zip(*members, strict=False):
        if one == other:
            continue
        if not name.endswith(".tar.xz"):
            found.append(f"{name} differs")
            continue
        entries = (_tar_entries(one), _tar_entries(other))
        order = ([i.name for i, _ in entries[0]], [i.name for i, _ in entries[1]])
        if order[0] != order[1]:
            found.append(f"{name}: the members or their order differ")
        theirs = {info.name: (info, body) for info, body in entries[1]}
        for info, body in entries[0]:
            if info.name not in theirs:
                continue
            other_info, other_body = theirs[info.name]
            if _metadata(info) != _metadata(other_info):
                found.append(f"{name}: {info.name}: {_metadata(info)} / {_metadata(other_info)}")
            if body != other_body:
                found.append(f"{name}: {info.name}: contents differ")
                if info.name.endswith((f"/{NAME}", f"/{NAME}-cli")):
                    inside = _frozen_program_differences(body, other_body, scratch)
                    found.extend(f"    {info.name}: {entry}" for entry in inside)
        if not found:
            found.append(f"{name} differs (compression only: same members, same contents)")
    return found


def test_every_date_in_the_deb_is_source_date_epoch() -> None:
    members = ar_members(deb().read_bytes())
    ((_, epoch, _), *_) = members
    assert {date for _, date, _ in members} == {epoch}
    for name, _, contents in members:
        if name.endswith(".tar.xz"):
            assert {info.mtime for info, _ in _tar_entries(contents)} == {epoch}, name


def test_a_second_build_gives_a_byte_identical_deb(rebuild: Rebuild, tmp_path: Path) -> None:
    first, second = deb().read_bytes(), rebuild.deb().read_bytes()
    if first != second:
        report = "\n".join(_differences(first, second, tmp_path))
        pytest.fail(f"{deb().name} differs from its rebuild:\n{report}")
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()
