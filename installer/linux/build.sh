#!/usr/bin/env bash
# `make installer`: into dist/, the PyInstaller one-folder app, a .deb of it, SHA256SUMS and a
# detached GPG signature of SHA256SUMS. Signs with $RELEASE_GPG_KEY (a key in the usual GnuPG
# keyring) if set, else with a throwaway key made for this build only, so the pipeline always
# runs whole.
#
# Reproducible: with the same $SOURCE_DATE_EPOCH (default: the last commit's time), the same
# source tree and the same tools (Python, PyInstaller and the venv's packages, dpkg, xz), two
# builds give a byte-identical .deb (tests/installer/test_reproducible.py rebuilds and compares).
# What it takes: PYTHONHASHSEED=0 (PyInstaller writes base_library.zip in set order), every file
# date set to SOURCE_DATE_EPOCH (dpkg-deb also uses it for the ar dates and to clamp tar dates,
# and sorts the tar), umask 022, Installed-Size from file sizes (not du's disk blocks, which
# differ between file systems). The signature is not reproducible (and need not be).
#
# DIST_DIR and WORK_DIR (default dist and build/installer) put the output and the scratch files
# elsewhere (the reproducibility test builds a second copy).
set -euo pipefail
cd "$(dirname "$0")/../.."
umask 022
PY=${PY:-.venv/bin/python}
NAME=disclosure-log
VERSION=$("$PY" -c 'from desktop import __version__; print(__version__)')
ARCH=$(dpkg --print-architecture)
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
export SOURCE_DATE_EPOCH
export PYTHONHASHSEED=0
DIST=${DIST_DIR:-dist}
WORK=${WORK_DIR:-build/installer}
DEB="$DIST/${NAME}_${VERSION}_${ARCH}.deb"

rm -rf "${DIST:?}/$NAME" "$DIST"/*.deb "$DIST"/SHA256SUMS* "$DIST/release-key.gpg" "${WORK:?}"
mkdir -p "$DIST" "$WORK"

# -- the one-folder app -------------------------------------------------------------------------
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$WORK/pyinstaller" installer/pyinstaller/disclosure-log.spec

# -- the .deb -----------------------------------------------------------------------------------
ROOT="$WORK/root"
install -d "$ROOT/DEBIAN" "$ROOT/opt" "$ROOT/usr/bin" "$ROOT/etc/$NAME" \
    "$ROOT/usr/share/applications" "$ROOT/usr/share/icons/hicolor/scalable/apps" \
    "$ROOT/usr/share/doc/$NAME" "$ROOT/usr/share/lintian/overrides"
cp -a "$DIST/$NAME" "$ROOT/opt/$NAME"
find "$ROOT/opt/$NAME" -type f -exec chmod 0644 {} +
chmod 0755 "$ROOT/opt/$NAME/$NAME" "$ROOT/opt/$NAME/$NAME-cli"
ln -s "/opt/$NAME/$NAME" "$ROOT/usr/bin/$NAME"
ln -s "/opt/$NAME/$NAME-cli" "$ROOT/usr/bin/$NAME-cli"
install -m 0644 installer/linux/$NAME.desktop "$ROOT/usr/share/applications/"
install -m 0644 resources/icons/$NAME.svg "$ROOT/usr/share/icons/hicolor/scalable/apps/"
# Only an example: IT's own /etc/disclosure-log/policy.json is never shipped, so never replaced.
install -m 0644 installer/linux/policy.example.json "$ROOT/etc/$NAME/"
install -m 0644 installer/linux/copyright "$ROOT/usr/share/doc/$NAME/"
install -m 0644 installer/linux/lintian-overrides "$ROOT/usr/share/lintian/overrides/$NAME"
{
    printf '%s (%s) unstable; urgency=medium\n\n  * Release %s.\n\n' "$NAME" "$VERSION" "$VERSION"
    printf ' -- Disclosure Log maintainers <release@disclosure-log.invalid>  %s\n' \
        "$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n > "$ROOT/usr/share/doc/$NAME/changelog.gz"
chmod 0644 "$ROOT/usr/share/doc/$NAME/changelog.gz"
echo "/etc/$NAME/policy.example.json" > "$ROOT/DEBIAN/conffiles"
# In KiB as dpkg-gencontrol counts it: each file's size rounded up, plus one per other entry.
INSTALLED_SIZE=$(find "$ROOT" -path "$ROOT/DEBIAN" -prune -o -printf '%y %s\n' |
    awk '$1 == "f" { kib += int(($2 + 1023) / 1024); next } { kib += 1 } END { print kib }')
cat > "$ROOT/DEBIAN/control" <<CONTROL
Package: $NAME
Version: $VERSION
Architecture: $ARCH
Maintainer: Disclosure Log maintainers <release@disclosure-log.invalid>
Installed-Size: $INSTALLED_SIZE
Depends: libc6, sensible-utils, libegl1, libgl1, libfontconfig1, libfreetype6, libdbus-1-3, libxkbcommon0, libxkbcommon-x11-0, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-shape0, libxcb-render-util0, libxcb-image0
Section: utils
Priority: optional
Description: offline, encrypted log of disclosures of confidential information
 Disclosure Log records every disclosure of confidential case information by
 social workers and safeguarding leads, guided by a safeguarding checklist,
 in an encrypted store on the laptop. Organisation settings are read from
 /etc/disclosure-log/policy.json.
CONTROL
chmod 0644 "$ROOT/DEBIAN/control" "$ROOT/DEBIAN/conffiles"
find "$ROOT" -type d -exec chmod 0755 {} +
find "$ROOT" -exec touch --no-dereference --date="@$SOURCE_DATE_EPOCH" {} +
# xz level 3: a third of the default level's time on 2 cores for a .deb ~8% larger.
dpkg-deb --root-owner-group -Zxz -z3 --build "$ROOT" "$DEB"

# -- checksums and signature --------------------------------------------------------------------
(cd "$DIST" && sha256sum -- *.deb > SHA256SUMS)
if [ -n "${RELEASE_GPG_KEY:-}" ]; then
    gpg --batch --yes --local-user "$RELEASE_GPG_KEY" --detach-sign \
        --output "$DIST/SHA256SUMS.sig" "$DIST/SHA256SUMS"
    gpg --batch --export "$RELEASE_GPG_KEY" > "$DIST/release-key.gpg"
else
    GNUPGHOME=$(mktemp -d)
    export GNUPGHOME
    trap 'gpgconf --kill gpg-agent; rm -rf "$GNUPGHOME"' EXIT
    gpg --batch --quiet --pinentry-mode loopback --passphrase '' --quick-gen-key \
        "Disclosure Log throwaway release key (testing only)" ed25519 sign 1d
    gpg --batch --quiet --detach-sign --output "$DIST/SHA256SUMS.sig" "$DIST/SHA256SUMS"
    gpg --batch --export > "$DIST/release-key.gpg"
    echo "warning: RELEASE_GPG_KEY is not set: signed with a throwaway key (testing only)" >&2
fi
ls -l "$DIST"
