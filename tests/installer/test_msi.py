"""The Windows Installer package ``make msi`` builds with wixl, and its Authenticode signature.

``make installer-test`` builds ``dist/disclosure-log.msi`` from the Linux one-folder build, a
stand-in payload (a real release packages PyInstaller's Windows build the same way), and these
tests read its tables with ``msiinfo`` and its files with ``msiextract``. Signing uses a
throwaway self-signed code-signing certificate: ``osslsigncode verify`` must accept the signed
package with that certificate as the only trusted root, and refuse it after one byte changes or
when another root is trusted instead.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pip
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from desktop import __version__
from desktop.policy import machine_policy_path
from tests.installer.release import DIST, MSI, NAME, OSSLSIGNCODE, REPO, run

pytestmark = pytest.mark.installer

UPGRADE_CODE = "{369FD325-EEEC-4450-BAC6-68F7C8BE8F59}"
"""Fixed for ever (installer/windows/disclosure-log.wxs): a newer MSI finds an older one by it."""
GUID = re.compile(r"^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$")
# msidbCustomActionType: 50 run the program a property names; 51 set a property; 1024 deferred
# (in the install script); 2048 not impersonated (LocalSystem).
EXE_FROM_PROPERTY, SET_PROPERTY, IN_SCRIPT, NO_IMPERSONATE = 50, 51, 0x400, 0x800
# msidbUpgradeAttributes
MIGRATE_FEATURES, ONLY_DETECT, MIN_INCLUSIVE, MAX_INCLUSIVE = 1, 2, 0x100, 0x200
PASSWORD = "throwaway pkcs12 password"
A_WINDOWS_PROGRAM = Path(pip.__file__).parent / "_vendor" / "distlib" / "t64.exe"
"""A real PE file to sign: pip's launcher for Windows, in every virtual environment."""


# -- reading the package --------------------------------------------------------------------
Row = dict[str, str]


def _msi() -> Path:
    assert MSI.is_file(), f"{MSI} is missing (run make msi)"
    return MSI


def _table(msi: Path, name: str) -> list[Row]:
    """A table as ``msiinfo export`` writes it: column names, types, keys, then the rows."""
    exported = run(["msiinfo", "export", msi, name], REPO)
    assert exported.returncode == 0, exported.stderr
    lines = exported.stdout.split("\r\n" if "\r\n" in exported.stdout else "\n")
    columns = lines[0].split("\t")
    return [dict(zip(columns, line.split("\t"), strict=True)) for line in lines[3:] if line]


def _by(rows: list[Row], key: str) -> dict[str, Row]:
    return {row[key]: row for row in rows}


@pytest.fixture(scope="module")
def tables() -> dict[str, list[Row]]:
    names = run(["msiinfo", "tables", _msi()], REPO).stdout.split()
    return {name: _table(_msi(), name) for name in names if not name.startswith("_")}


def _properties(tables: dict[str, list[Row]]) -> dict[str, str]:
    return {row["Property"]: row["Value"] for row in tables["Property"]}


def _installed_paths(tables: dict[str, list[Row]]) -> dict[str, Row]:
    """Each File row by the path it installs to, relative to the install folder (INSTALLDIR)."""
    directories = _by(tables["Directory"], "Directory")

    def path_of(directory: str) -> tuple[str, ...]:
        if directory == "INSTALLDIR":
            return ()
        row = directories[directory]
        assert row["Directory_Parent"], f"{directory} is not under INSTALLDIR"
        name = row["DefaultDir"].split("|")[-1]
        return path_of(row["Directory_Parent"]) + (() if name == "." else (name,))

    components = _by(tables["Component"], "Component")
    return {
        "/".join(
            (*path_of(components[row["Component_"]]["Directory_"]), row["FileName"].split("|")[-1])
        ): row
        for row in tables["File"]
    }


def _staged_files() -> dict[str, Path]:
    stage = DIST / NAME
    return {
        path.relative_to(stage).as_posix(): path
        for path in sorted(stage.rglob("*"))
        if path.is_file()  # symbolic links included: the package holds what they point at
    }


# -- files ----------------------------------------------------------------------------------
def test_the_msi_installs_every_file_of_the_staged_app(tables: dict[str, list[Row]]) -> None:
    installed = _installed_paths(tables)
    staged = _staged_files()
    assert sorted(installed) == sorted(staged)
    for path, row in installed.items():
        assert int(row["FileSize"]) == staged[path].stat().st_size, path
    # Every file is in the one feature, so a plain install puts it on disk.
    in_feature = {row["Component_"] for row in tables["FeatureComponents"]}
    assert {row["Component_"] for row in tables["File"]} <= in_feature
    assert [row["Feature"] for row in tables["Feature"]] == ["Complete"]
    install_dir = _by(tables["Directory"], "Directory")["INSTALLDIR"]
    assert install_dir["Directory_Parent"] == "ProgramFiles64Folder"
    assert install_dir["DefaultDir"] == "Disclosure Log"


def test_msiextract_gives_back_every_file_unchanged(tmp_path: Path) -> None:
    done = run(["msiextract", "-C", tmp_path, _msi()], tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    root = tmp_path / "Disclosure Log"
    extracted = {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}
    staged = _staged_files()
    assert sorted(extracted) == sorted(staged)
    for path, source in staged.items():
        digest = hashlib.sha256(extracted[path].read_bytes()).digest()
        assert digest == hashlib.sha256(source.read_bytes()).digest(), path


# -- shortcut, properties, upgrades ---------------------------------------------------------
def test_the_start_menu_shortcut_opens_the_gui_program(tables: dict[str, list[Row]]) -> None:
    (shortcut,) = tables["Shortcut"]
    assert shortcut["Directory_"] == "ProgramMenuFolder"
    assert shortcut["Name"] == "Disclosure Log"
    assert shortcut["WkDir"] == "INSTALLDIR"
    assert shortcut["Target"] == "[#GuiExe]"  # not advertised: straight to the file
    gui = _by(tables["File"], "File")["GuiExe"]
    assert gui["FileName"] == NAME  # the stand-in's program; disclosure-log.exe on Windows
    assert _installed_paths(tables)[NAME] == gui
    component = _by(tables["Component"], "Component")[shortcut["Component_"]]
    assert component["KeyPath"] == "GuiExe"


def test_a_per_machine_64_bit_package_of_this_version(tables: dict[str, list[Row]]) -> None:
    properties = _properties(tables)
    assert properties["ProductVersion"] == __version__
    assert properties["UpgradeCode"] == UPGRADE_CODE
    assert properties["ALLUSERS"] == "1"
    assert properties["ProductName"] == "Disclosure Log"
    assert GUID.match(properties["ProductCode"])
    assert properties["ProductCode"] != UPGRADE_CODE
    summary = run(["msiinfo", "suminfo", _msi()], REPO).stdout
    assert "Template: x64;1033" in summary.splitlines()
    assert all(int(row["Attributes"]) & 0x100 for row in tables["Component"]), "64-bit components"


def test_a_newer_version_replaces_this_one_and_an_older_one_is_refused(
    tables: dict[str, list[Row]],
) -> None:
    upgrades = _by(tables["Upgrade"], "ActionProperty")
    assert sorted(upgrades) == ["WIX_DOWNGRADE_DETECTED", "WIX_UPGRADE_DETECTED"]
    older = upgrades["WIX_UPGRADE_DETECTED"]  # every version up to this one: removed first
    assert older["UpgradeCode"] == UPGRADE_CODE
    assert (older["VersionMin"], older["VersionMax"]) == ("0.0.0", __version__)
    assert int(older["Attributes"]) == MIGRATE_FEATURES | MIN_INCLUSIVE | MAX_INCLUSIVE
    newer = upgrades["WIX_DOWNGRADE_DETECTED"]  # a newer version installed: only detected
    assert newer["UpgradeCode"] == UPGRADE_CODE
    assert (newer["VersionMin"], newer["VersionMax"]) == (__version__, "")
    assert int(newer["Attributes"]) == ONLY_DETECT
    # ... and then refused with a message.
    conditions = [row["Condition"] for row in tables["LaunchCondition"]]
    assert conditions == ["NOT WIX_DOWNGRADE_DETECTED"]
    secure = _properties(tables)["SecureCustomProperties"].split(";")
    assert {"WIX_UPGRADE_DETECTED", "WIX_DOWNGRADE_DETECTED"} <= set(secure)

    sequence = {row["Action"]: int(row["Sequence"]) for row in tables["InstallExecuteSequence"]}
    assert sequence["FindRelatedProducts"] < sequence["LaunchConditions"]
    # The old version goes before anything of the new one is installed.
    assert sequence["InstallValidate"] < sequence["RemoveExistingProducts"]
    assert sequence["RemoveExistingProducts"] < sequence["InstallInitialize"]


# -- the policy file ------------------------------------------------------------------------
def test_policyfile_is_copied_to_where_the_app_reads_the_policy(
    tables: dict[str, list[Row]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("PROGRAMDATA", "PROGRAMDATA-FOLDER")
    policy = machine_policy_path()  # where the app on Windows reads it
    assert policy.parent.parent == Path("PROGRAMDATA-FOLDER")

    directories = _by(tables["Directory"], "Directory")
    assert directories["POLICYDIR"]["Directory_Parent"] == "CommonAppDataFolder"
    assert directories["POLICYDIR"]["DefaultDir"] == policy.parent.name
    created = {(row["Directory_"], row["Component_"]) for row in tables["CreateFolder"]}
    assert ("POLICYDIR", "PolicyFolder") in created

    actions = _by(tables["CustomAction"], "Action")
    setter, copier = actions["SetPolicyCopier"], actions["CopyPolicyFile"]
    assert int(setter["Type"]) == SET_PROPERTY
    assert (setter["Source"], setter["Target"]) == ("POLICYCOPIER", "[System64Folder]cmd.exe")
    assert int(copier["Type"]) == EXE_FROM_PROPERTY | IN_SCRIPT | NO_IMPERSONATE
    assert copier["Source"] == "POLICYCOPIER"
    assert copier["Target"] == f'/d /c copy /y "[POLICYFILE]" "[POLICYDIR]{policy.name}"'

    steps = {row["Action"]: row for row in tables["InstallExecuteSequence"]}
    order = {action: int(row["Sequence"]) for action, row in steps.items()}
    # The program's path is known once the folders are (CostFinalize), and set before the
    # install script is written (InstallInitialize); the copy runs after the folder is made.
    assert order["CostFinalize"] < order["SetPolicyCopier"] < order["InstallInitialize"]
    assert order["CreateFolders"] < order["CopyPolicyFile"] < order["InstallFinalize"]
    for action in ("SetPolicyCopier", "CopyPolicyFile"):
        assert steps[action]["Condition"] == 'POLICYFILE AND NOT REMOVE~="ALL"'
    # A managed install passes POLICYFILE on to the install script.
    assert "POLICYFILE" in _properties(tables)["SecureCustomProperties"].split(";")
    # No default: without POLICYFILE on the command line nothing is copied.
    assert "POLICYFILE" not in _properties(tables)


def test_only_administrators_may_change_the_policy_folder(tables: dict[str, list[Row]]) -> None:
    (lock,) = tables["MsiLockPermissionsEx"]
    assert (lock["LockObject"], lock["Table"]) == ("POLICYDIR", "CreateFolder")
    # Protected (nothing inherited from %ProgramData%, where Users may create files); SYSTEM
    # and Administrators full control; Users read and execute.
    assert lock["SDDLText"] == "D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;FRFX;;;BU)"


# -- signing --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Certificate:
    pkcs12: Path
    password_file: Path
    root: Path


def _throwaway_certificate(folder: Path, name: str) -> Certificate:
    """A self-signed code-signing certificate in a password-protected PKCS#12 file."""
    folder.mkdir()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
        .sign(key, hashes.SHA256())
    )
    bundle = pkcs12.serialize_key_and_certificates(
        name.encode(),
        key,
        certificate,
        None,
        serialization.BestAvailableEncryption(PASSWORD.encode()),
    )
    made = Certificate(folder / "signing.p12", folder / "password", folder / "root.pem")
    made.pkcs12.write_bytes(bundle)
    made.password_file.write_text(PASSWORD + "\n", encoding="utf-8")
    made.root.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return made


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return _throwaway_certificate(tmp_path_factory.mktemp("sign") / "ours", "Throwaway signing")


def _signing_environment(certificate: Certificate) -> dict[str, str]:
    env = dict(os.environ, SIGN_CERT=str(certificate.pkcs12))
    env["SIGN_PASS_FILE"] = str(certificate.password_file)
    env["PY"] = sys.executable
    env.pop("SIGN_PASS", None)
    return env


def _verify(file: Path, root: Path) -> tuple[bool, str]:
    checked = run([OSSLSIGNCODE, "verify", "-CAfile", root, "-in", file], file.parent)
    output = checked.stdout + checked.stderr
    return checked.returncode == 0 and "Signature verification: ok" in output, output


def test_osslsigncode_accepts_the_signed_msi_and_refuses_one_changed_byte(
    certificate: Certificate, tmp_path: Path
) -> None:
    signed = tmp_path / MSI.name
    shutil.copyfile(_msi(), signed)
    assert not _verify(signed, certificate.root)[0], "not signed yet"
    done = run(
        [REPO / "installer/windows/sign.sh", signed], REPO, _signing_environment(certificate)
    )
    assert done.returncode == 0, done.stderr
    ok, output = _verify(signed, certificate.root)
    assert ok, output
    assert "Subject: /CN=Throwaway signing" in output

    # Trusting another root instead: refused.
    stranger = _throwaway_certificate(tmp_path / "stranger", "Someone else")
    assert not _verify(signed, stranger.root)[0]

    # One byte of the package's cabinet (the programs) changed: refused.
    data = bytearray(signed.read_bytes())
    cabinet = data.find(b"MSCF\0\0\0\0")
    assert cabinet > 0
    data[cabinet + 10] ^= 0x01  # the cabinet's size field, inside the signed stream
    changed = tmp_path / "changed.msi"
    changed.write_bytes(bytes(data))
    ok, output = _verify(changed, certificate.root)
    assert not ok
    assert "MISMATCH" in output


def test_make_sign_signs_the_programs_then_the_package(
    certificate: Certificate, tmp_path: Path
) -> None:
    """A staged Windows build (two real PE programs): ``make sign``'s script signs both, packs
    them and signs the package."""
    assert A_WINDOWS_PROGRAM.is_file(), f"{A_WINDOWS_PROGRAM} (pip's) is needed as a PE file"
    stage = tmp_path / "stage"
    (stage / "_internal").mkdir(parents=True)
    for program in (f"{NAME}.exe", f"{NAME}-cli.exe"):
        shutil.copyfile(A_WINDOWS_PROGRAM, stage / program)
    (stage / "_internal" / "resource.txt").write_text("a resource\n", encoding="utf-8")
    msi = tmp_path / "out" / "signed.msi"
    env = _signing_environment(certificate)
    env.update(STAGE=str(stage), MSI=str(msi), WORK_DIR=str(tmp_path / "work"), SIGN="1")
    done = run([REPO / "installer/windows/build-msi.sh"], REPO, env, timeout=300)
    assert done.returncode == 0, done.stderr
    ok, output = _verify(msi, certificate.root)
    assert ok, output

    shortcut_target = _by(_table(msi, "File"), "File")["GuiExe"]["FileName"]
    assert shortcut_target == f"{NAME}.exe"
    extracted = tmp_path / "extracted"
    extracted.mkdir()
    assert run(["msiextract", "-C", extracted, msi], tmp_path).returncode == 0
    for program in (f"{NAME}.exe", f"{NAME}-cli.exe"):
        ok, output = _verify(extracted / "Disclosure Log" / program, certificate.root)
        assert ok, f"{program}: {output}"


def test_signing_without_a_certificate_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "unsigned.msi"
    shutil.copyfile(A_WINDOWS_PROGRAM, file)
    env = {k: v for k, v in os.environ.items() if k != "SIGN_CERT"}
    done = run([REPO / "installer/windows/sign.sh", file], REPO, env)
    assert done.returncode == 2
    assert "SIGN_CERT" in done.stderr
    assert file.read_bytes() == A_WINDOWS_PROGRAM.read_bytes()
