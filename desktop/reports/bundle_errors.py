"""Why a report bundle cannot be made or opened: one error type, with a message for people.

Two kinds, because callers act on them differently (the command line exits 4 or 1): the file
is not a report bundle at all (or one from a newer version), or it is one and fails a check
(changed, cut short, signed by someone other than it says, not addressed to this key).
Messages name the part at fault, never its content; ``reason`` is a short code for the audit
log, which records why an import was refused but never what the file held.
"""

from __future__ import annotations


class BundleError(Exception):
    """A report bundle cannot be made or opened; the message says why, for people."""

    reason = "bundle_error"


class BundleMalformed(BundleError):
    """The input is not a report bundle this version can read."""

    reason = "malformed"


class BundleRejected(BundleError):
    """A report bundle that fails verification: nothing in it may be trusted or shown."""

    reason = "verification_failed"
