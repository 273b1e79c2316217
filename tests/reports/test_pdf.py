"""The report PDF, read back with the tools a supervisor's IT would use (poppler, qpdf)."""

from __future__ import annotations

import itertools
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.reports.labels import OUTCOMES, RECIPIENT_TYPES, STATUSES
from desktop.reports.pdf_pages import BOLD, REGULAR, fonts, wrap
from tests.reports.conftest import EVERYTHING, NAMED, Report, Store, latest_documents, write

RECORD = re.compile(r"Record ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")
SECTION_NOTES = {
    "without consent": "Each final record that shared information without consent",
    "not told": "Each final record where the person was not told",
    "not shared": "Each final decision not to share",
    "withdrawals": "Each withdrawal recorded in the period",
    "flagged": "Records the checklist flagged, blocked or marked",
    "pending": "Records that are not final: listed here",
    "in full": "Each record's latest version, then all its versions",
}


def tool(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], capture_output=True, check=True, text=True).stdout


@pytest.fixture(scope="module")
def signed_file(report: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("pdf") / "report.pdf", report.signed)


@pytest.fixture(scope="module")
def pages(signed_file: Path) -> list[str]:
    return tool("pdftotext", "-enc", "UTF-8", signed_file, "-").split("\f")[:-1]


@pytest.fixture(scope="module")
def text(pages: list[str]) -> str:
    """The whole text, each run of white space made one space (lines wrap anywhere)."""
    return " ".join(" ".join(pages).split())


def section(text: str, name: str) -> str:
    names = list(SECTION_NOTES)
    start = text.index(SECTION_NOTES[name])
    following = names.index(name) + 1
    end = text.index(SECTION_NOTES[names[following]]) if following < len(names) else len(text)
    return text[start:end]


def test_every_page_is_marked_confidential_and_numbered_with_the_footer(
    report: Report, pages: list[str], signed_file: Path
) -> None:
    info = tool("pdfinfo", signed_file)
    assert re.search(rf"^Pages: +{len(pages)}$", info, re.MULTILINE)
    assert len(pages) > 10
    for number, page in enumerate(pages, start=1):
        assert "CONFIDENTIAL" in page
        assert f"Page {number} of {len(pages)}" in page
        assert report.content.head.report_id in page
        assert report.footer_hash in page


def test_the_summary_shows_the_figures(report: Report, text: str) -> None:
    figures = report.content.head.figures
    assert f"Records in this report: {figures.records}" in text
    assert f"Final records (counted below): {figures.final}" in text
    assert f"Pending records (not final, never counted as shared): {figures.pending}" in text
    for outcome, count in figures.by_outcome.items():
        assert f"{OUTCOMES[outcome]}: {count}" in text
    for kind, count in figures.by_recipient_type.items():
        assert f"{RECIPIENT_TYPES[kind]}: {count}" in text
    for status, count in figures.by_status.items():
        assert f"{STATUSES[status]}: {count}" in text
    for code, count in figures.by_basis_code.items():
        assert re.search(rf"{re.escape(code)} \([^)]*(\([^)]*\))?[^)]*\): {count}\b", text), code


def test_every_record_is_in_the_pdf_in_full(report: Report, text: str) -> None:
    in_full = RECORD.findall(section(text, "in full"))
    assert in_full == [record.record_id for record in report.content.records]
    for record in report.content.records:
        assert record.versions()[-1]["hash"] in text


def test_each_section_lists_exactly_its_records(store: Store, report: Report, text: str) -> None:
    documents = latest_documents(store.session, EVERYTHING)
    final = {rid: d for rid, d in documents.items() if d["status"] == "FINAL"}

    def listed(name: str) -> set[str]:
        return set(RECORD.findall(section(text, name)))

    def answer(document: dict[str, Any], question: str) -> dict[str, Any]:
        found: dict[str, Any] = document["checklist"]["answers"].get(question) or {}
        return found

    assert listed("without consent") == {
        rid for rid, d in final.items() if d["decision"]["outcome"] == "SHARE_WITHOUT_CONSENT"
    }
    assert listed("not told") == {
        rid for rid, d in final.items() if answer(d, "Q14_inform").get("status") == "NOT_INFORMED"
    }
    assert listed("not shared") == {
        rid for rid, d in final.items() if d["decision"]["outcome"] == "DO_NOT_SHARE"
    }
    assert listed("pending") == {rid for rid, d in documents.items() if d["status"] != "FINAL"}
    assert listed("flagged") == {
        rid
        for rid, d in documents.items()
        if d["decision"]["flags"]
        or d["decision"]["blocks"]
        or d["decision"]["requires_supervisor_signoff"]
        or d["status"] == "DISCLOSURE_WITHOUT_ESTABLISHED_BASIS"
    }
    withdrawals = section(text, "withdrawals")
    assert store.withdrawal["hash"] in withdrawals
    assert "Millbridge High School" in withdrawals


def test_names_the_standard_fonts_cannot_write_are_real_text(text: str) -> None:
    assert NAMED["name"] in text


def test_qpdf_finds_no_fault(report: Report, signed_file: Path, tmp_path: Path) -> None:
    for path in (write(tmp_path / "unsigned.pdf", report.pdf), signed_file):
        assert "No syntax or stream encoding errors found" in tool("qpdf", "--check", path)


def test_all_text_is_in_embedded_fonts_and_there_are_no_images(signed_file: Path) -> None:
    rows = tool("pdffonts", signed_file).splitlines()[2:]
    assert rows
    assert all(row.split()[-5] == "yes" for row in rows), rows  # the "emb" column
    assert tool("pdfimages", "-list", signed_file).splitlines()[2:] == []


def test_the_metadata_holds_no_case_content(
    store: Store, report: Report, signed_file: Path
) -> None:
    info = tool("pdfinfo", signed_file)
    assert "Title:           Disclosure Log summary report" in info
    assert "Author:          Sam Practitioner" in info
    for record in report.content.records:
        latest = record.versions()[-1]
        for value in (latest["case"]["case_id"], latest["subject"]["subject_id"]):
            assert value not in info
        assert not latest["subject"].get("name") or latest["subject"]["name"] not in info


WORDS = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzŵŷłé.,;:-", min_size=1, max_size=30),
    min_size=1,
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(
    spans=st.lists(st.tuples(WORDS.map(" ".join), st.booleans()), min_size=1, max_size=8),
    width=st.floats(min_value=60, max_value=520),
)
def test_lines_fit_and_are_filled_greedily(spans: list[tuple[str, bool]], width: float) -> None:
    size = 8.0
    faces = {True: fonts()[BOLD], False: fonts()[REGULAR]}

    def measure(runs: list[tuple[bool, str]]) -> float:
        return sum(faces[bold].stringWidth(piece, size) for bold, piece in runs)

    lines = wrap(spans, size, width)
    words_in = [word for text, _ in spans for word in text.split()]
    words_out = [word for line in lines for _, piece in line for word in piece.split()]
    assert "".join(words_out) == "".join(words_in)  # nothing lost (long words may be cut)
    assert all(measure(line) <= width + 1e-6 for line in lines)
    for line, following in itertools.pairwise(lines):
        bold, piece = following[0]
        first = piece.split()[0]
        room = width - measure(line) - faces[bold].stringWidth(" ", size)
        assert faces[bold].stringWidth(first, size) > room  # it would not have fitted
