"""Summary reports (DESIGN §4): what a practitioner's records say, for a supervisor.

``collect`` gathers a period's records from the session, ``report_json`` writes the machine
document, ``pdf_report`` the printable one and ``pades`` signs it. ``bundle`` carries both in
a signed ``manifest``, a ``container`` and the sealed ``envelope``; ``bundle_reader`` opens and
verifies one. ReportLab and pyHanko are imported only by the modules that draw or sign (and
those that use them), so nothing here slows the app's start.
"""
