"""What the installer tests share: where the release is, and running its tools."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from desktop import __version__

REPO = Path(__file__).resolve().parents[2]
DIST = REPO / "dist"
NAME = "disclosure-log"
MSI = DIST / f"{NAME}.msi"
OSSLSIGNCODE = os.environ.get("OSSLSIGNCODE", "osslsigncode")
"""The osslsigncode to sign and verify with (installer/windows/sign.sh reads the same variable)."""


def deb() -> Path:
    debs = sorted(DIST.glob(f"{NAME}_{__version__}_*.deb"))
    assert len(debs) == 1, f"expected one .deb in {DIST} (run make installer): {debs}"
    return debs[0]


def run(
    command: list[str | Path], cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


AR_MAGIC = b"!<arch>\n"
REBUILD_TIMEOUT_S = 1200


def ar_members(data: bytes) -> list[tuple[str, int, bytes]]:
    """(name, date, contents) of each member of a .deb (an ar archive)."""
    assert data.startswith(AR_MAGIC)
    members, offset = [], len(AR_MAGIC)
    while offset < len(data):
        header = data[offset : offset + 60]
        name = header[:16].decode().strip().rstrip("/")
        date, size = int(header[16:28]), int(header[48:58])
        start = offset + 60
        members.append((name, date, data[start : start + size]))
        offset = start + size + size % 2
    return members


@dataclass
class Rebuild:
    """``installer/linux/build.sh`` running again into ``folder``, as the release was built."""

    process: subprocess.Popen[bytes]
    folder: Path
    log: Path

    def deb(self) -> Path:
        """The rebuilt .deb, once the build has finished."""
        code = self.process.wait(timeout=REBUILD_TIMEOUT_S)
        assert code == 0, self.log.read_text(encoding="utf-8", errors="replace")[-4000:]
        return self.folder / "dist" / deb().name
