"""The PDF's PAdES signature: checked by pyHanko's validator and by its command line."""

from __future__ import annotations

import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from desktop.reports.pades import sign_pdf, validate
from tests.factories import signing_identity
from tests.reports.conftest import Report, write

PYHANKO = Path(sys.executable).parent / "pyhanko"


def pyhanko_validate(pdf: Path, trust: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            PYHANKO,
            "sign",
            "validate",
            "--no-revocation-check",
            "--trust-replace",
            "--trust",
            trust,
            pdf,
        ],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def trust_file(report: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cryptography.hazmat.primitives.serialization import Encoding  # noqa: PLC0415

    path = tmp_path_factory.mktemp("trust") / "practitioner.pem"
    return write(path, report.certificate.public_bytes(Encoding.PEM))


def changed(data: bytes, position: int) -> bytes:
    """``data`` with one byte changed (still a hex digit where it was one)."""
    flipped = bytearray(data)
    flipped[position] = ord("1") if data[position] != ord("1") else ord("2")
    return bytes(flipped)


def signature_positions(signed: bytes) -> dict[str, int]:
    """Places in the signed file: in what was signed, and in the signature itself."""
    contents = signed.rindex(b"/Contents <") + len(b"/Contents <")
    end = signed.index(b">", contents)
    byte_range = re.search(rb"/ByteRange \[\s*\d+ (\d+)", signed)
    assert byte_range is not None
    return {
        "near the start": 100,
        "in the middle": len(signed) // 2,
        "in the signed value": contents + 200,
        "in the room left after the signed value": end - 10,
        "in the byte range": byte_range.start(1),
        "in the last trailer": len(signed) - 20,
    }


def test_the_signature_validates_with_pyhankos_validator(report: Report) -> None:
    check = validate(report.signed, report.certificate)
    assert check.ok, check
    assert report.signed.startswith(report.pdf)  # an incremental update: the PDF is unchanged


def test_the_signature_validates_with_pyhankos_command_line(
    report: Report, trust_file: Path, tmp_path: Path
) -> None:
    done = pyhanko_validate(write(tmp_path / "signed.pdf", report.signed), trust_file)
    assert done.returncode == 0, done.stderr
    assert "INTACT:TRUSTED,UNTOUCHED" in done.stdout


@pytest.mark.parametrize(
    "where",
    [
        "near the start",
        "in the middle",
        "in the signed value",
        "in the room left after the signed value",
        "in the byte range",
        "in the last trailer",
    ],
)
def test_changing_one_byte_anywhere_fails(report: Report, where: str) -> None:
    position = signature_positions(report.signed)[where]
    assert not validate(changed(report.signed, position), report.certificate).ok


def test_changing_any_one_of_many_bytes_fails(report: Report) -> None:
    rng = random.Random(5)
    for position in rng.sample(range(len(report.signed)), 25):
        assert not validate(changed(report.signed, position), report.certificate).ok, position


def test_the_command_line_refuses_a_changed_file(
    report: Report, trust_file: Path, tmp_path: Path
) -> None:
    for where in ("in the middle", "in the signed value"):
        position = signature_positions(report.signed)[where]
        tampered = write(tmp_path / "tampered.pdf", changed(report.signed, position))
        done = pyhanko_validate(tampered, trust_file)
        assert done.returncode != 0, where
        assert "INTACT:TRUSTED,UNTOUCHED" not in done.stdout


def test_a_signature_by_someone_else_is_not_trusted(report: Report) -> None:
    key, certificate = signing_identity("Someone Else")
    check = validate(sign_pdf(report.pdf, key, certificate), report.certificate)
    assert check.intact
    assert not check.trusted
    assert not check.ok


def test_an_unsigned_pdf_is_refused(report: Report) -> None:
    check = validate(report.pdf, report.certificate)
    assert not check.ok
    assert check.problem == "the PDF is not signed exactly once"


def test_signing_and_checking_write_no_file(
    report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    signed = sign_pdf(report.pdf, report.key, report.certificate)
    assert validate(signed, report.certificate).ok
    assert list(scratch.iterdir()) == []
