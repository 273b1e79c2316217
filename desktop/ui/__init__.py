"""The desktop GUI (PySide6). The only package that imports Qt; it talks to ``desktop.session``.

Modules:

- ``app`` — the ``disclosure-log`` entry point (arguments, QApplication, ``--demo``,
  ``--screenshot``).
- ``controller`` — the application's life cycle: first run, unlock, lock, demo.
- ``worker`` — the one thread that owns the ``Session``; every session call runs there.
- ``main_window`` — the window: toolbar, and the pages (welcome, unlock, progress, records).
- ``unlock_page`` / ``setup_dialog`` — unlocking an existing store, creating the first one.
- ``browser`` / ``records_model`` — the case list, search, the lazy records table and the detail.
- ``wording`` — codes in plain words, dates, and a readable rendering of a record.
- ``widgets`` — small shared widgets (the inline, announced error).
"""
