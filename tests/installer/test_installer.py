"""The release ``make installer`` writes, checked with the tools IT uses (issue 7).

Run by ``make installer-test`` after the build, not by ``make test`` (marker ``installer``): the
frozen app is copied away from the source tree and run with no virtual environment on the path,
and so is the ``.deb`` unpacked with ``dpkg-deb -x``; ``gpgv`` and ``sha256sum -c`` check the
signed checksums and must refuse a changed ``.deb``; ``lintian`` reports no errors.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from desktop import __version__
from tests.conftest import PASSPHRASE
from tests.factories import uk_share_body

pytestmark = pytest.mark.installer

DIST = Path(__file__).resolve().parents[2] / "dist"
NAME = "disclosure-log"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _deb() -> Path:
    debs = sorted(DIST.glob(f"{NAME}_{__version__}_*.deb"))
    assert len(debs) == 1, f"expected one .deb in {DIST} (run make installer): {debs}"
    return debs[0]


def _run(
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


def _bare_environment(home: Path) -> dict[str, str]:
    """What a new login has: system PATH only, no venv, no PYTHONPATH, a fresh home."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        "DISCLOSURE_LOG_HOME": str(home / "store"),
        "DISCLOSURE_LOG_POLICY": str(home / "policy.json"),
        "DISCLOSURE_LOG_KDF_SECONDS": "0.01",
        "DISCLOSURE_LOG_PASSPHRASE": PASSPHRASE,
    }


def _exercise(programs: Path, work: Path) -> None:
    """Both programs, from ``programs``, as a practitioner first uses them."""
    work.mkdir()
    env = _bare_environment(work)
    (work / "policy.json").write_text("{}", encoding="utf-8")
    cli = programs / f"{NAME}-cli"

    version = _run([cli, "--version"], work, env)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"{NAME}-cli {__version__}"
    init = [cli, "init", "--name", "Sam Practitioner", "--role", "Social worker"]
    init += ["--organisation", "Northshire Council", "--jurisdiction", "UK-ENG"]
    done = _run(init, work, env)
    assert done.returncode == 0, done.stderr
    (work / "record.json").write_text(json.dumps(uk_share_body()), encoding="utf-8")
    added = _run([cli, "add", "record.json"], work, env)
    assert added.returncode == 0, added.stderr
    verified = _run([cli, "audit", "verify"], work, env)
    assert verified.returncode == 0, verified.stderr
    listed = _run([cli, "list", "--json"], work, env)
    assert len(json.loads(listed.stdout)) == 1

    shot = _run([programs / NAME, "--demo", "--screenshot", "shot.png"], work, env)
    assert shot.returncode == 0, shot.stderr
    assert (work / "shot.png").read_bytes().startswith(PNG_MAGIC)


# -- the one-folder app ---------------------------------------------------------------------
def test_the_one_folder_app_runs_away_from_the_source_tree(tmp_path: Path) -> None:
    app = tmp_path / NAME
    shutil.copytree(DIST / NAME, app, symlinks=True)
    _exercise(app, tmp_path / "work")


# -- the .deb -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def unpacked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("deb-root")
    done = _run(["dpkg-deb", "-x", _deb(), root], root)
    assert done.returncode == 0, done.stderr
    return root


def _inside(root: Path, link: str) -> Path:
    """Where an absolute symlink in the package points, inside the unpacked root."""
    target = os.readlink(root / link.lstrip("/"))
    assert target.startswith("/"), target
    return root / target.lstrip("/")


def test_the_unpacked_deb_runs_through_its_launchers(unpacked: Path, tmp_path: Path) -> None:
    gui = _inside(unpacked, f"/usr/bin/{NAME}")
    cli = _inside(unpacked, f"/usr/bin/{NAME}-cli")
    assert gui == unpacked / "opt" / NAME / NAME
    assert cli == unpacked / "opt" / NAME / f"{NAME}-cli"
    _exercise(gui.parent, tmp_path / "work")


def test_the_deb_installs_a_desktop_entry_an_icon_and_only_an_example_policy(
    unpacked: Path, tmp_path: Path
) -> None:
    entry = (unpacked / "usr/share/applications" / f"{NAME}.desktop").read_text(encoding="utf-8")
    assert f"Exec={NAME}\n" in entry
    assert f"Icon={NAME}\n" in entry
    assert (unpacked / f"usr/share/icons/hicolor/scalable/apps/{NAME}.svg").is_file()
    etc = unpacked / "etc" / NAME
    assert sorted(p.name for p in etc.iterdir()) == ["policy.example.json"]
    checked = _run(
        [
            unpacked / "opt" / NAME / f"{NAME}-cli",
            "org",
            "policy-check",
            etc / "policy.example.json",
        ],
        tmp_path,
        _bare_environment(tmp_path),
    )
    assert checked.returncode == 0, checked.stderr

    control = _run(["dpkg-deb", "-I", _deb(), "conffiles"], tmp_path)
    assert control.stdout.split() == [f"/etc/{NAME}/policy.example.json"]
    listing = _run(["dpkg-deb", "-c", _deb()], tmp_path).stdout.splitlines()
    assert all(" root/root " in line for line in listing), "every file owned by root"


# -- checksums and signature ----------------------------------------------------------------
@pytest.fixture
def release(tmp_path: Path) -> Path:
    """A copy of what a release publishes, as IT downloads it."""
    copy = tmp_path / "release"
    copy.mkdir()
    for name in (_deb().name, "SHA256SUMS", "SHA256SUMS.sig", "release-key.gpg"):
        shutil.copy2(DIST / name, copy / name)
    return copy


def _gpgv(release: Path) -> subprocess.CompletedProcess[str]:
    keyring = ["--keyring", release / "release-key.gpg"]
    return _run(["gpgv", *keyring, "SHA256SUMS.sig", "SHA256SUMS"], release)


def _sha256sum_check(release: Path) -> subprocess.CompletedProcess[str]:
    return _run(["sha256sum", "-c", "SHA256SUMS"], release)


def test_gpgv_and_sha256sum_accept_the_release(release: Path) -> None:
    assert _gpgv(release).returncode == 0, _gpgv(release).stderr
    checked = _sha256sum_check(release)
    assert checked.returncode == 0, checked.stdout
    assert checked.stdout.strip() == f"{_deb().name}: OK"


def test_one_changed_byte_of_the_deb_is_refused(release: Path) -> None:
    deb = release / _deb().name
    data = bytearray(deb.read_bytes())
    data[len(data) // 2] ^= 0x01
    deb.write_bytes(bytes(data))
    assert _sha256sum_check(release).returncode != 0
    # Whoever changed the .deb must also rewrite SHA256SUMS to match: the signature then fails.
    listed = _run(["sha256sum", deb.name], release)
    (release / "SHA256SUMS").write_text(listed.stdout, encoding="utf-8")
    assert _sha256sum_check(release).returncode == 0
    assert _gpgv(release).returncode != 0


# -- lintian --------------------------------------------------------------------------------
def test_lintian_reports_no_errors(tmp_path: Path) -> None:
    linted = _run(["lintian", "--fail-on", "error", _deb()], tmp_path, timeout=600)
    errors = [line for line in linted.stdout.splitlines() if line.startswith("E:")]
    assert errors == []
    assert linted.returncode == 0, linted.stdout + linted.stderr
