#!/usr/bin/env bash
# installer/windows/sign.sh FILE...: Authenticode-sign each Windows file (.exe, .dll, .msi) in
# place with osslsigncode (apt: osslsigncode; the flags below work with 2.5, Debian 12's, and
# later). `make sign` calls it through build-msi.sh.
#
#   SIGN_CERT           the code-signing certificate: a PKCS#12 file (.p12/.pfx) holding the
#                       certificate, its chain and its private key (required)
#   SIGN_PASS_FILE      a file whose first line is the PKCS#12 password (preferred), or
#   SIGN_PASS           the password itself; neither: the file has no password
#   SIGN_TIMESTAMP_URL  an RFC 3161 time-stamping service (e.g. your CA's); recommended for a
#                       release, so the signature stays valid after the certificate expires
#   SIGN_URL            a web address shown with the signature (optional)
#   OSSLSIGNCODE        the osslsigncode program (default: osslsigncode on the PATH)
#
# Check a signed file: osslsigncode verify -in FILE [-CAfile ROOT.pem]
set -euo pipefail
OSSLSIGNCODE=${OSSLSIGNCODE:-osslsigncode}
[ $# -gt 0 ] || { echo "usage: $0 FILE..." >&2; exit 2; }
[ -n "${SIGN_CERT:-}" ] || { echo "SIGN_CERT is not set: the PKCS#12 code-signing certificate" >&2; exit 2; }
[ -r "$SIGN_CERT" ] || { echo "SIGN_CERT: cannot read $SIGN_CERT" >&2; exit 2; }
command -v "$OSSLSIGNCODE" >/dev/null || { echo "$OSSLSIGNCODE not found (apt-get install osslsigncode)" >&2; exit 2; }

SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
# The password goes to osslsigncode in a file (-readpass), never on its command line.
PASS_FILE="$SCRATCH/pass"
if [ -n "${SIGN_PASS_FILE:-}" ]; then
    head -n 1 -- "$SIGN_PASS_FILE" | tr -d '\r\n' > "$PASS_FILE"
else
    printf '%s' "${SIGN_PASS:-}" > "$PASS_FILE"
fi
OPTIONS=(-h sha256 -n "Disclosure Log")
[ -z "${SIGN_URL:-}" ] || OPTIONS+=(-i "$SIGN_URL")
[ -z "${SIGN_TIMESTAMP_URL:-}" ] || OPTIONS+=(-ts "$SIGN_TIMESTAMP_URL")

for file in "$@"; do
    "$OSSLSIGNCODE" sign -pkcs12 "$SIGN_CERT" -readpass "$PASS_FILE" "${OPTIONS[@]}" \
        -in "$file" -out "$SCRATCH/signed" >/dev/null
    # Keep the file's own permissions; replace it only once signed.
    cat "$SCRATCH/signed" > "$file"
    rm -f "$SCRATCH/signed"
    echo "signed $file"
done
