"""The frozen app's one entry script: both programs are built from it and share one folder.

PyInstaller makes ``disclosure-log`` and ``disclosure-log-cli`` from this script with a single
analysis (half the build time, one copy of every library); each executable runs the program it
is named after.

``DISCLOSURE_LOG_STARTUP_PROBE=1`` makes the GUI print ``shown`` and quit as soon as the unlock
screen's passphrase field is first painted: how tests/installer measures the frozen app's start
(as tests/bench/gui_probe.py does for the app run from source, which cannot be frozen with it).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

STARTUP_PROBE_ENV = "DISCLOSURE_LOG_STARTUP_PROBE"


def _quit_when_unlock_screen_painted() -> None:
    """Print ``shown`` and quit once the unlock screen's passphrase field has been painted."""
    from PySide6.QtCore import QEvent, QObject, QTimer  # noqa: PLC0415 - GUI only
    from PySide6.QtWidgets import QApplication, QLineEdit  # noqa: PLC0415 - GUI only

    app = QApplication(sys.argv[:1])  # the app's main() takes over this instance

    class Painted(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                watched.removeEventFilter(self)
                QTimer.singleShot(0, shown)
            return False

    def shown() -> None:
        print("shown", flush=True)
        app.exit(0)

    def look() -> None:
        for top in QApplication.topLevelWidgets():
            field = top.findChild(QLineEdit, "unlockPassphrase")
            if field is not None and field.isVisible():
                field.installEventFilter(Painted(field))
                field.update()
                return
        QTimer.singleShot(1, look)

    QTimer.singleShot(0, look)


def main() -> int:
    if Path(sys.executable).stem == "disclosure-log-cli":
        from desktop.cli import main as cli_main  # noqa: PLC0415 - only the program asked for

        return cli_main()
    from desktop.ui.app import main as gui_main  # noqa: PLC0415 - only the program asked for

    if os.environ.get(STARTUP_PROBE_ENV) == "1":
        _quit_when_unlock_screen_painted()
    return gui_main()


if __name__ == "__main__":
    sys.exit(main())
