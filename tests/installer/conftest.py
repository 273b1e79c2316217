"""The second build the reproducibility test compares with, run in the background.

A full ``make installer`` takes a minute or more, mostly waiting on the disk and on single
threads; so does lintian. The rebuild starts when a test first asks for it (the lintian test
does, so the two run side by side, after the start-time measurement, which must not share the
machine) and ``test_reproducible`` waits for it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.installer.release import REPO, Rebuild, ar_members, deb


@pytest.fixture(scope="session")
def rebuild(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rebuild]:
    ((_, epoch, _), *_) = ar_members(deb().read_bytes())  # the first build's SOURCE_DATE_EPOCH
    folder = tmp_path_factory.mktemp("rebuild")
    env = dict(os.environ, PY=sys.executable, SOURCE_DATE_EPOCH=str(epoch))
    env |= {"DIST_DIR": str(folder / "dist"), "WORK_DIR": str(folder / "work")}
    log = folder / "build.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(REPO / "installer/linux/build.sh")],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped whole below
        )
    yield Rebuild(process, folder, log)
    if process.poll() is None:  # not waited for (the reproducibility test was not selected)
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
