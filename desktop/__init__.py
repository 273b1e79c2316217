"""Disclosure Log: an offline, encrypted record of disclosures of confidential case information."""

__version__ = "0.1.0"
