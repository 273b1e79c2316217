"""The frozen app's one entry script: both programs are built from it and share one folder.

PyInstaller makes ``disclosure-log`` and ``disclosure-log-cli`` from this script with a single
analysis (half the build time, one copy of every library); each executable runs the program it
is named after.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main() -> int:
    if Path(sys.executable).stem == "disclosure-log-cli":
        from desktop.cli import main as cli_main  # noqa: PLC0415 - only the program asked for

        return cli_main()
    from desktop.ui.app import main as gui_main  # noqa: PLC0415 - only the program asked for

    return gui_main()


if __name__ == "__main__":
    sys.exit(main())
