"""The one error the domain raises for bad input documents."""

from __future__ import annotations

ROOT = "$"
"""The ``field`` of a problem with the document as a whole (size, encoding, syntax)."""


class InvalidDocument(ValueError):
    """A document failed parsing or validation.

    ``details`` is ``[{"field": ..., "message": ...}]``, as in the contract's
    ``{"error": "INVALID_INPUT", "details": [...]}``. ``field`` is a dotted path from the
    document root (``checklist.answers.Q4_recipient.recipients.0.organisation``), or ``$`` for
    the whole document. Messages never quote the offending value: it may be confidential case
    content.
    """

    def __init__(
        self, message: str, path: str = ROOT, details: list[dict[str, str]] | None = None
    ) -> None:
        self.message = message
        self.path = path
        self.details = details if details else [{"field": path, "message": message}]
        super().__init__("; ".join(f"{d['field']}: {d['message']}" for d in self.details))

    def to_error_document(self) -> dict[str, object]:
        return {"error": "INVALID_INPUT", "details": [dict(d) for d in self.details]}
