"""Fill the English singular and plural of every ``%n`` message in the English ``.ts`` file.

Qt shows ``tr("%n records", "", n)`` as written for every ``n`` unless a translation gives the
forms, so English needs its own translation file for "1 record". lupdate keeps what is filled
in here; a message that has no entry below stops ``make translations`` with its text.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

TS = Path(__file__).resolve().parent / "disclosure_log_en.ts"

#: source text -> (singular, plural); the plural is the source unless given.
FORMS: dict[str, tuple[str, str | None]] = {
    "Making a throwaway store with %n sample records…": (
        "Making a throwaway store with %n sample record…",
        None,
    ),
    "%n sample records made.": ("%n sample record made.", None),
    "All cases (%n records)": ("All cases (%n record)", None),
    "%1 (%n records)": ("%1 (%n record)", None),
    "Version history (%n versions)": ("Version history (%n version)", None),
    "Audit events (%n)": ("Audit events (%n)", None),
    "Consent withdrawal saved; %n recipients to tell.": (
        "Consent withdrawal saved; %n recipient to tell.",
        None,
    ),
    "%n records": ("%n record", None),
    "The newest %n records; counting the rest…": (
        "The newest %n record; counting the rest…",
        None,
    ),
    "Use at least %n characters; several unrelated words are easiest to remember.": (
        "Use at least %n character; several unrelated words are easiest to remember.",
        None,
    ),
    "The passphrase needs at least %n characters.": (
        "The passphrase needs at least %n character.",
        None,
    ),
    "%n entries": ("%n entry", None),
    "(%n disclosures in all).": ("(%n disclosure in all).", None),
    "Check before handing it over: %n of these disclosures were kept from the person for"
    " someone's safety or an investigation; ask your supervisor or privacy officer whether"
    " they may be shown.": (
        "Check before handing it over: %n of these disclosures was kept from the person for"
        " someone's safety or an investigation; ask your supervisor or privacy officer whether"
        " it may be shown.",
        None,
    ),
    "… and %n more in the PDF": ("… and %n more in the PDF", None),
    "Checking and importing %n files…": ("Checking and importing %n file…", None),
    "Report %1 from %2 imported: %n record versions added.": (
        "Report %1 from %2 imported: %n record version added.",
        None,
    ),
    "%n consent withdrawals added.": ("%n consent withdrawal added.", None),
    "%n reviews by %1 imported.": ("%n review by %1 imported.", None),
    "%n others in the file were imported before.": (
        "%n other in the file was imported before.",
        None,
    ),
    "%1 (%n records imported)": ("%1 (%n record imported)", None),
    "%n reviews written to %1, encrypted to %2.": (
        "%n review written to %1, encrypted to %2.",
        None,
    ),
    "%n records wait for review.": ("%n record waits for review.", None),
    "%n imported records match.": ("%n imported record matches.", None),
    "The newest %1 of %n records waiting for review.": (
        "The newest %1 of %n record waiting for review.",
        None,
    ),
    "The newest %1 of %n matching imported records.": (
        "The newest %1 of %n matching imported record.",
        None,
    ),
    "Too many wrong passphrases. You can try again in %n second(s).": (
        "Too many wrong passphrases. You can try again in %n second.",
        "Too many wrong passphrases. You can try again in %n seconds.",
    ),
}

MESSAGE = re.compile(
    r'(<message numerus="yes">.*?<source>(?P<source>.*?)</source>.*?)'
    r"<translation[^>]*>.*?</translation>",
    re.DOTALL,
)


def fill(text: str) -> tuple[str, list[str]]:
    missing: list[str] = []

    def forms(match: re.Match[str]) -> str:
        source = html.unescape(match["source"])
        if source not in FORMS:
            missing.append(source)
            return match[0]
        singular, plural = FORMS[source]
        pad = " " * 12
        return (
            f"{match[1]}<translation>\n"
            f"{pad}<numerusform>{html.escape(singular, quote=False)}</numerusform>\n"
            f"{pad}<numerusform>{html.escape(plural or source, quote=False)}</numerusform>\n"
            f"        </translation>"
        )

    return MESSAGE.sub(forms, text), missing


def main() -> int:
    text, missing = fill(TS.read_text(encoding="utf-8"))
    if missing:
        for source in missing:
            print(f"english_plurals.py: add the singular of: {source!r}", file=sys.stderr)
        return 1
    TS.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
