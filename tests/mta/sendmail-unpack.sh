#!/bin/sh
# sendmail-unpack.sh DIR - unpacks Debian's Sendmail into DIR, for
# tests/mta/sendmail.sh on a machine that runs Postfix.
#
# On Debian, "apt-get install sendmail-bin" removes postfix (both are
# mail-transport-agent and conflict), so the test does not need the
# package installed: it runs the binary from a private tree with a
# private configuration.  This script fetches sendmail-bin,
# sendmail-cf and libwrap0 with "apt-get download" (nothing is
# installed) and unpacks them with dpkg-deb -x.  The sendmail binary
# loses its set-group-id bit, which would make the dynamic linker
# ignore LD_LIBRARY_PATH (libwrap.so.0 lives in the tree).
#
# Then:  TWOWAY_SENDMAIL_ROOT=DIR make check TESTS=tests/mta/sendmail.sh
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 DIR" >&2
    exit 64
fi
mkdir -p "$1"
dir=$(cd "$1" && pwd)
debs=$(mktemp -d)
trap 'rm -rf "$debs"' EXIT
chown _apt "$debs" 2>/dev/null || chmod 777 "$debs"   # apt downloads as _apt
(cd "$debs" && apt-get download sendmail-bin sendmail-cf libwrap0)
for deb in "$debs"/*.deb; do
    dpkg-deb -x "$deb" "$dir"
done
chmod g-s "$dir"/usr/libexec/sendmail/sendmail "$dir"/usr/lib/sm.bin/sendmail 2>/dev/null || true
echo "Sendmail unpacked into $dir; run the test with TWOWAY_SENDMAIL_ROOT=$dir"
