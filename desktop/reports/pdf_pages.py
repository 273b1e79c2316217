"""A lean page writer for long reports: wrapped lines of text drawn straight onto a canvas.

Platypus tables of Paragraph cells took 19-29 s for 10,000 records (perf-baseline); a report is
mostly lines of labels and text, so this measures runs of text whole, cuts them only where a
line ends and draws each paragraph as one text object: 10,000 records (about 7,000 pages) in
about 10 s. The text stays real text in an embedded font. Every page gets the CONFIDENTIAL
header and a footer with the report id, the caller's hash and "Page x of y"; the total is a
form drawn on every page and filled in once the last page is known, so pages are laid out once.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Final

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from desktop.resources import resource_path

REGULAR: Final = "DejaVuSans"
BOLD: Final = "DejaVuSans-Bold"
_FONT_FILES: Final = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN: Final = 42.0
TOP: Final = PAGE_HEIGHT - 58.0
BOTTOM: Final = 50.0
TEXT_WIDTH: Final = PAGE_WIDTH - 2 * MARGIN
_TOTAL_FORM: Final = "pageTotal"
FOOTER_SIZE: Final = 6.5

BLACK: Final = Color(0, 0, 0)
GREY: Final = Color(0.33, 0.33, 0.33)
ALERT: Final = Color(0.6, 0, 0)


@dataclass(frozen=True)
class Style:
    size: float
    leading: float
    colour: Color = BLACK


BODY: Final = Style(8.0, 10.4)
SMALL: Final = Style(7.0, 9.0, GREY)
TITLE: Final = Style(18.0, 24.0)
HEADINGS: Final = (Style(14.0, 19.0), Style(11.0, 15.0), Style(9.5, 13.0))
"""Section, part and record headings."""

Span = tuple[str, bool]
"""A piece of a paragraph: its text, and whether it is bold (a paragraph's lead is)."""
Line = list[tuple[bool, str]]
"""A line as drawn: runs of (bold, text)."""

_NARROWEST: Final = 0.25
"""No character of the fonts is narrower than this (in ems): a text that long cannot fit."""
_TYPICAL: Final = 0.5
"""A typical character width in ems, for the first guess at where a line ends."""


class _Font(TTFont):
    """An embedded TrueType font that writes plain ASCII text without mapping each character.

    With ``asciiReadable`` ReportLab keeps printable ASCII at its own codes in the font's first
    subset, so such text is already encoded; its per-character mapping was most of the time a
    long report took to draw. Other text takes ReportLab's own path.
    """

    def __init__(self, name: str, file: str) -> None:
        super().__init__(name, str(resource_path("fonts", file)), asciiReadable=True)

    def splitString(
        self, text: str, doc: object, encoding: str = "utf-8"
    ) -> list[tuple[int, bytes]]:
        if text.isascii() and text.isprintable():
            return [(0, text.encode("ascii"))]
        return super().splitString(text, doc, encoding)


@cache
def fonts() -> dict[str, _Font]:
    """The embedded fonts, loaded once per process (they cover names the standard fonts cannot)."""
    loaded = {name: _Font(name, file) for name, file in _FONT_FILES.items()}
    for font in loaded.values():
        pdfmetrics.registerFont(font)
    return loaded


class PageWriter:
    """Writes paragraphs, headings and drawings down A4 pages; ``finish`` gives the PDF bytes."""

    def __init__(self, *, title: str, author: str, subject: str, footer: tuple[str, str]) -> None:
        """``footer`` is two lines for the foot of every page (the first shares its line with
        the page number). Title, author and subject become the PDF's metadata: never put case
        content in them."""
        fonts()
        self._buffer = io.BytesIO()
        self._canvas = Canvas(
            self._buffer,
            pagesize=A4,
            pageCompression=1,
            lang="en-GB",
            initialFontName=REGULAR,  # type: ignore[arg-type]  # the stubs say float
            initialFontSize=BODY.size,
        )
        self._canvas.setTitle(title)
        self._canvas.setAuthor(author)
        self._canvas.setSubject(subject)
        self._canvas.setCreator("Disclosure Log")
        self._canvas.setViewerPreference("DisplayDocTitle", "true")
        self._footer = footer
        self._page = 0
        self._y = TOP
        self._outline_keys = 0
        self._start_page()

    # -- pages ------------------------------------------------------------------------
    def _start_page(self) -> None:
        self._page += 1
        self._y = TOP
        canvas = self._canvas
        canvas.setFillColor(ALERT)
        canvas.setFont(BOLD, 10)
        canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 32, "CONFIDENTIAL")
        canvas.setFillColor(GREY)
        canvas.setFont(REGULAR, FOOTER_SIZE)
        canvas.drawString(MARGIN, 30, self._footer[0])
        canvas.drawString(MARGIN, 21, self._footer[1])
        label = f"Page {self._page} of "
        canvas.drawString(PAGE_WIDTH - MARGIN - 60, 30, label)
        canvas.saveState()
        canvas.translate(PAGE_WIDTH - MARGIN - 60 + canvas.stringWidth(label), 30)
        canvas.doForm(_TOTAL_FORM)
        canvas.restoreState()
        canvas.setFillColor(BLACK)

    def new_page(self) -> None:
        self._canvas.showPage()
        self._start_page()

    def ensure(self, height: float) -> None:
        """Start a new page unless ``height`` points are left on this one."""
        if self._y - height < BOTTOM:
            self.new_page()

    def space(self, points: float) -> None:
        self._y -= points

    def finish(self) -> bytes:
        """Fill in the page total and return the finished PDF."""
        canvas = self._canvas
        canvas.showPage()
        canvas.beginForm(_TOTAL_FORM)
        canvas.setFillColor(GREY)
        canvas.setFont(REGULAR, FOOTER_SIZE)
        canvas.drawString(0, 0, str(self._page))
        canvas.endForm()
        canvas.save()
        return self._buffer.getvalue()

    # -- content ----------------------------------------------------------------------
    def heading(self, text: str, level: int = 0, *, bookmark: bool = True) -> None:
        """A heading kept with the two lines after it; sections and parts go in the outline."""
        style = HEADINGS[level]
        self.ensure(style.leading + 2 * BODY.leading + (8 if level == 0 else 4))
        self.space(8 if level == 0 else 4)
        if bookmark:
            key = f"h{self._outline_keys}"
            self._outline_keys += 1
            self._canvas.bookmarkPage(key, fit="FitH", top=self._y + style.leading)
            self._canvas.addOutlineEntry(text, key, level=level)
        self.paragraph([(text, True)], style)

    def title(self, text: str) -> None:
        self.paragraph([(text, True)], TITLE)

    def paragraph(self, spans: Sequence[Span], style: Style = BODY) -> None:
        """Wrap ``spans`` to the text width and draw them, across pages if need be."""
        text = self._begin(style)
        font = ""
        for line in wrap(spans, style.size, TEXT_WIDTH):
            if self._y - style.leading < BOTTOM:
                self._canvas.drawText(text)
                self.new_page()
                text = self._begin(style)
                font = ""
            for number, (bold, piece) in enumerate(line, start=1 - len(line)):
                wanted = BOLD if bold else REGULAR
                if wanted != font:
                    text.setFont(wanted, style.size, style.leading)
                    font = wanted
                if number:
                    text.textOut(piece)
                else:
                    text.textLine(piece)
            self._y -= style.leading
        self._canvas.drawText(text)
        if style.colour is not BLACK:  # a text object's colour outlives it: back to black
            self._canvas.setFillColor(BLACK)

    def _begin(self, style: Style) -> PDFTextObject:
        text = self._canvas.beginText(MARGIN, self._y - style.size)
        if style.colour is not BLACK:
            text.setFillColor(style.colour)
        return text

    def drawing(self, drawing: Drawing) -> None:
        """A chart (vector graphics, its labels real text)."""
        self.ensure(drawing.height)
        self._y -= drawing.height
        renderPDF.draw(drawing, self._canvas, MARGIN, self._y)


def _runs(spans: Sequence[Span]) -> list[tuple[bool, str]]:
    """Spans joined by spaces into runs of one weight: what is measured and drawn at a time."""
    runs: list[tuple[bool, str]] = []
    for text, bold in spans:
        if runs and runs[-1][0] == bold:
            runs[-1] = (bold, f"{runs[-1][1]} {text}")
        else:
            runs.append((bold, f" {text}" if runs else text))
    return runs


def wrap(spans: Sequence[Span], size: float, width: float) -> list[Line]:
    """Greedy line breaking at spaces; a line is its runs of (bold, text); a newline breaks one.

    Widths add up (the fonts are not kerned), so a line costs one measurement of about a
    line's worth of text and one of each word tried beyond it, however many fields it holds.
    """
    lines: list[Line] = []
    line: Line = []
    used = 0.0
    for bold, run in _runs(spans):
        font = fonts()[BOLD if bold else REGULAR]
        narrowest = _NARROWEST * size
        for number, part in enumerate(run.split("\n")):
            if number:
                lines.append(line)
                line, used = [], 0.0
            rest = part if line else part.lstrip()
            while rest:
                available = width - used
                # Measuring a text cannot be skipped when it might fit; a long one need not be.
                whole = font.stringWidth(rest, size) if len(rest) * narrowest <= available else None
                if whole is not None and whole <= available:
                    cut, needed = len(rest), whole
                else:
                    cut, needed = _cut(font, rest, size, available)
                if cut == len(rest):
                    line.append((bold, rest))
                    used += needed
                    break
                if not cut and line:
                    lines.append(line)
                    line, used = [], 0.0
                    rest = rest.lstrip()
                    continue
                cut = cut or _hard_cut(font, rest, size, width)
                line.append((bold, rest[:cut].rstrip()))
                lines.append(line)
                line, used = [], 0.0
                rest = rest[cut:].lstrip()
    if line or not lines:
        lines.append(line)
    return lines


def _cut(font: TTFont, text: str, size: float, available: float) -> tuple[int, float]:
    """The longest prefix of ``text`` that fits ``available`` and ends at a space or at the end
    of the text, and its width; (0, 0) if none does.

    Starts from a guess at a typical character width and moves a word at a time.
    """
    guess = int(available / (_TYPICAL * size))
    cut = text.rfind(" ", 0, guess + 1)
    if cut < 0:
        cut = text.find(" ")
        if cut < 0:
            cut = len(text)
    measured = font.stringWidth(text[:cut], size)
    while measured > available:
        previous = text.rfind(" ", 0, cut)
        if previous <= 0:
            return 0, 0.0
        measured -= font.stringWidth(text[previous:cut], size)
        cut = previous
    while cut < len(text):
        following = text.find(" ", cut + 1)
        following = len(text) if following < 0 else following
        extra = font.stringWidth(text[cut:following], size)
        if measured + extra > available:
            break
        measured += extra
        cut = following
    return cut, measured


def _hard_cut(font: TTFont, text: str, size: float, width: float) -> int:
    """Where to cut a first word wider than a whole line (a pasted link, say): as many
    characters as fit, at least one."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if font.stringWidth(text[:middle], size) <= width:
            low = middle
        else:
            high = middle - 1
    return low
