"""Errors the store raises. Messages are for people and never carry case content."""

from __future__ import annotations


class StoreError(Exception):
    """The store could not do what was asked; it is left as it was."""


class StoreNotFound(StoreError):
    pass


class StoreExists(StoreError):
    pass


class WrongPassphrase(StoreError):
    """The passphrase (or recovery key) does not unwrap the data key."""


class StoreCorrupt(StoreError):
    pass


class RecordNotFound(StoreError):
    pass


class BackupInvalid(StoreError):
    pass


class Stopped(StoreError):
    """A long read was abandoned because its result was no longer wanted (nothing changed)."""


class InvalidRequest(StoreError):
    """The request itself is wrong (a profile that breaks the policy, an empty reason)."""
