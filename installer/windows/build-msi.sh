#!/usr/bin/env bash
# `make msi`: the Windows Installer package, built on Linux with wixl (apt: wixl msitools) from a
# staged one-folder app. `make sign`: the same, Authenticode-signed (sign.sh): first the program
# .exe files in the staged folder (in place, so the MSI carries signed programs), then the MSI.
#
#   STAGE   the one-folder app (default dist/disclosure-log). On the release pipeline this is
#           PyInstaller's Windows build (installer/windows/github-workflow.yml); the Linux build
#           is a stand-in payload that lets the package itself be built and checked anywhere.
#   MSI     the package to write (default dist/disclosure-log.msi)
#   SIGN=1  sign, with SIGN_CERT and its password (see sign.sh)
#
# Steps: wixl-heat harvests the folder into build/msi/files.wxs (one component per file, its GUID
# derived from the install path, so stable across versions); wixl compiles it with
# disclosure-log.wxs; msibuild then sets the two table entries wixl 0.101 leaves out (below).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
STAGE=${STAGE:-dist/disclosure-log}
MSI=${MSI:-dist/disclosure-log.msi}
WORK=${WORK_DIR:-build/msi}
UPGRADE_CODE='{369FD325-EEEC-4450-BAC6-68F7C8BE8F59}'  # as in disclosure-log.wxs: never changes
# Protected DACL: SYSTEM and Administrators full control, Users read and execute, inherited by
# the folder's files.
POLICY_FOLDER_SDDL='D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;FRFX;;;BU)'

for tool in wixl wixl-heat msibuild; do
    command -v "$tool" >/dev/null || { echo "$tool not found (apt-get install wixl msitools)" >&2; exit 2; }
done
[ -d "$STAGE" ] || { echo "no staged app in $STAGE (run make installer, or set STAGE=DIR)" >&2; exit 2; }
STAGE=$(realpath --relative-to=. "$STAGE")  # wixl 0.101 finds no file by an absolute path
if [ -f "$STAGE/disclosure-log.exe" ]; then GUI_EXE=disclosure-log.exe; else GUI_EXE=disclosure-log; fi
[ -f "$STAGE/$GUI_EXE" ] || { echo "$STAGE holds no disclosure-log program" >&2; exit 2; }

# ProductVersion: major.minor.build, numbers only.
VERSION=$("$PY" -c 'from desktop import __version__; print(__version__)')
[[ "$VERSION" =~ ^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,5}$ ]] ||
    { echo "version $VERSION is not an MSI ProductVersion (N.N.N)" >&2; exit 2; }

rm -rf "${WORK:?}"
mkdir -p "$WORK" "$(dirname "$MSI")"

if [ "${SIGN:-0}" = 1 ]; then
    # The programs; the third-party DLLs keep their vendors' signatures (or none).
    find "$STAGE" -maxdepth 1 -type f -name '*.exe' -print0 | xargs -0 --no-run-if-empty \
        installer/windows/sign.sh
fi

# The GUI program is declared in disclosure-log.wxs (the shortcut points at it); heat the rest.
find "$STAGE" -mindepth 1 ! -type d | LC_ALL=C sort | grep -v -x -F "$STAGE/$GUI_EXE" |
    wixl-heat --prefix "$STAGE/" --directory-ref INSTALLDIR --component-group AppFiles \
        --var var.AppDir --win64 > "$WORK/files.wxs"

# wixl warns about the WiX attributes it does not know (Secure, MigrateFeatures: set below).
wixl --arch x64 -D Version="$VERSION" -D AppDir="$STAGE" -D GuiExe="$GUI_EXE" -D Win64=yes \
    --output "$WORK/disclosure-log.msi" installer/windows/disclosure-log.wxs "$WORK/files.wxs" \
    2> "$WORK/wixl.log" || { cat "$WORK/wixl.log" >&2; exit 1; }
grep -v -e "no property named 'Secure'" -e "no property named 'MigrateFeatures'" -e '^$' \
    "$WORK/wixl.log" >&2 || true

# What wixl 0.101 cannot express or drops from disclosure-log.wxs, put in as WiX would write it:
#  - POLICYFILE in SecureCustomProperties (Property/@Secure), so that a managed (elevated,
#    non-administrator) install still passes it to the install script;
#  - the upgrade row's flags: MigrateFeatures (1) + IncludeMinimum (256) + IncludeMaximum (512).
#    Attributes is part of the Upgrade table's key, hence delete and insert.
msibuild "$WORK/disclosure-log.msi" -q "UPDATE Property SET Value = \
'POLICYFILE;WIX_DOWNGRADE_DETECTED;WIX_UPGRADE_DETECTED' WHERE Property = 'SecureCustomProperties'"
msibuild "$WORK/disclosure-log.msi" -q \
    "DELETE FROM Upgrade WHERE ActionProperty = 'WIX_UPGRADE_DETECTED'"
msibuild "$WORK/disclosure-log.msi" -q "INSERT INTO Upgrade \
(UpgradeCode, VersionMin, VersionMax, Attributes, ActionProperty) VALUES \
('$UPGRADE_CODE', '0.0.0', '$VERSION', 769, 'WIX_UPGRADE_DETECTED')"
#  - the policy folder's permissions (WiX: PermissionEx/@Sddl; MsiLockPermissionsEx, applied by
#    CreateFolders): not inherited from %ProgramData% (which lets Users create files in any
#    folder under it, so anyone could plant a policy.json); SYSTEM and Administrators full
#    control, Users read.
msibuild "$WORK/disclosure-log.msi" -q "CREATE TABLE MsiLockPermissionsEx \
(MsiLockPermissionsEx CHAR(72) NOT NULL, LockObject CHAR(72) NOT NULL, \
\`Table\` CHAR(32) NOT NULL, SDDLText LONGCHAR NOT NULL, Condition CHAR(255) \
PRIMARY KEY MsiLockPermissionsEx)"
msibuild "$WORK/disclosure-log.msi" -q "INSERT INTO MsiLockPermissionsEx \
(MsiLockPermissionsEx, LockObject, \`Table\`, SDDLText) VALUES \
('PolicyFolderAcl', 'POLICYDIR', 'CreateFolder', '$POLICY_FOLDER_SDDL')"

if [ "${SIGN:-0}" = 1 ]; then
    installer/windows/sign.sh "$WORK/disclosure-log.msi"
fi
mv "$WORK/disclosure-log.msi" "$MSI"
ls -l "$MSI"
