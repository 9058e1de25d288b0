#!/bin/bash
# static.sh - twoway-filter linked the way configure chose
# (TWOWAY_FILTER_LINK, set by tests/Makefile.inc): "whole", one static
# PIE with no interpreter and no shared library; "libs", GLib, GMime
# and SQLite linked in and the C library shared; "shared".
#
# The C library converts only Unicode, ASCII and Latin-1 itself; every
# other character set goes through its iconv modules, which a static
# program loads with dlopen.  A KOI8-R and a windows-1250 message are
# read by the filter (each ask's cue, in UTF-8 in the Ask tag, is the
# sentence as written), and, when the filter is static, tagged byte for
# byte as the same objects linked with the C library shared
# (tests/twoway-filter-dynamic) tag them; so is the sample mail, in
# and out, in one ledger.
#
# References: doc/twoway-filter.1 (NOTES), README.md ("Building by
# hand").
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$SRC/tests/face/common.sh"

LINK=${TWOWAY_FILTER_LINK:-}
mkdir -p "$T/x"

# ---------------------------------------------------------------------
# 1. The link

if [ -z "$LINK" ]; then
    skip "the filter is linked as configure said" "TWOWAY_FILTER_LINK is not set (make check sets it)"
elif ! command -v readelf >/dev/null 2>&1; then
    skip "the filter is linked as configure said ($LINK)" "readelf is not installed"
else
    readelf -hlW "$FILTER" >"$T/headers" 2>&1
    readelf -dW "$FILTER" >"$T/dynamic" 2>&1
    grep -q 'Requesting program interpreter' "$T/headers" && interp=yes || interp=no
    grep -Eq 'Type: +DYN' "$T/headers" && pie=yes || pie=no
    needed=$(sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' "$T/dynamic" | tr '\n' ' ')
    case $LINK in
    whole)
        [ $interp = no ] && [ $pie = yes ] && [ -z "$needed" ] &&
            grep -Eq '^ +DYNAMIC ' "$T/headers"
        ok $? "configure said whole: the filter is a static PIE (no interpreter, no shared library, relocating itself)"
        ;;
    libs)
        [ $interp = yes ] && echo " $needed" | grep -q ' libc\.so' &&
            ! echo " $needed" | grep -Eq ' lib(glib|gobject|gmime|sqlite3|pcre2)'
        ok $? "configure said libs: the filter loads the C library, not GLib, GMime, SQLite or PCRE2"
        ;;
    *)
        [ $interp = yes ] && echo " $needed" | grep -q ' libgmime-3\.0\.so'
        ok $? "configure said $LINK: the filter loads GMime and the C library"
        ;;
    esac
    [ "$_tap_failed" -eq 0 ] || { echo "# shared libraries: ${needed:-none}"; sed 's/^/#   /' "$T/headers" | grep -E 'Type:|INTERP|DYNAMIC|interpreter'; }
fi

"$FILTER" --version >"$T/version.out" 2>&1
[ $? -eq 0 ] && grep -q '^twoway-filter [0-9]' "$T/version.out"
ok $? "the filter starts: --version"

# ---------------------------------------------------------------------
# 2. Character sets through the C library's iconv modules

# The same objects with the C library shared, to compare with: nothing
# to compare when $FILTER is that itself.
DYN=$(dynamic_filter) || DYN=
[ "$DYN" = "$FILTER" ] && DYN=
case $LINK in
whole) [ -n "$DYN" ] ;;
*) true ;;
esac
ok $? "a filter with the C library shared to compare with (${DYN:-none needed: $FILTER loads it})"

# charset_mail NAME CHARSET: $T/NAME.eml, a message from Alice whose
# subject (RFC 2047) and 8bit body are in CHARSET; its ask is $T/NAME.cue
charset_mail() {
    _subject=$(iconv -f UTF-8 -t "$2" <"$T/$1.subject" | base64 -w0)
    {
        printf 'From alice@example.com  Mon Nov 16 14:00:00 2026\n'
        printf 'From: Alice Moreno <alice@example.com>\nTo: Robin Vale <robin@example.org>\n'
        printf 'Subject: =?%s?B?%s?=\n' "$2" "$_subject"
        printf 'Date: Mon, 16 Nov 2026 09:00:00 -0500\nMessage-ID: <%s.20261116@mail.example.com>\n' "$1"
        printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=%s\nContent-Transfer-Encoding: 8bit\n\n' "$2"
        iconv -f UTF-8 -t "$2" <"$T/$1.body"
        printf '\n'
    } >"$T/$1.eml"
}
printf 'Договор' >"$T/koi8.subject"
printf 'Could you sign the договор for Лиссабон by Friday?' >"$T/koi8.cue"
printf 'Привет, Робин!\n\n%s\n\nАлиса\n' "$(cat "$T/koi8.cue")" >"$T/koi8.body"
printf 'Přílohy' >"$T/cp1250.subject"
printf 'Could you send the přílohy to Žofie by Friday?' >"$T/cp1250.cue"
printf 'Ahoj Robine,\n\n%s\n\nDěkuji, Alice\n' "$(cat "$T/cp1250.cue")" >"$T/cp1250.body"

# cue FILE: the cue of FILE's Ask tag, RFC 2047 decoded, in UTF-8
cue() {
    tag "$1" Ask | sed -n 's/.*cue= *//p' |
        perl -MEncode -ne 'print encode("UTF-8", decode("MIME-Header", $_))'
}

for cs in koi8:KOI8-R cp1250:windows-1250; do
    name=${cs%%:*} charset=${cs#*:}
    if ! charset_mail "$name" "$charset" 2>"$T/$name.iconv"; then
        ok 1 "$charset: the message is written ($(head -1 "$T/$name.iconv"))"
        continue
    fi
    "$FILTER" --db "$T/$name.db" --owner $OWNER <"$T/$name.eml" >"$T/x/$name.out" 2>"$T/x/$name.err"
    rc=$?
    [ $rc -eq 0 ] && inserted_ok "$T/$name.eml" "$T/x/$name.out" >"$T/.why" 2>&1
    ok $? "$charset: the filter exits 0 ($rc) and inserts its tags, nothing else changed"
    if command -v perl >/dev/null 2>&1; then
        is "$(cue "$T/x/$name.out")" "$(cat "$T/$name.cue")" "$charset: the cue is the sentence as written, in UTF-8"
    else
        skip "$charset: the cue is the sentence as written, in UTF-8" "perl is not installed"
    fi
    if [ -n "$DYN" ]; then
        "$DYN" --db "$T/$name-dyn.db" --owner $OWNER <"$T/$name.eml" >"$T/x/$name-dyn.out" 2>&1
        cmp -s "$T/x/$name.out" "$T/x/$name-dyn.out"
        ok $? "$charset: tagged byte for byte as with the C library shared"
    else
        skip "$charset: tagged byte for byte as with the C library shared" "the filter loads its C library"
    fi
done

# ---------------------------------------------------------------------
# 3. The sample mail, static and not, each into its own ledger

if [ -n "$DYN" ]; then
    split_mbox "$SAMPLE/inbox.mbox" "$T/in"
    split_mbox "$SAMPLE/sent.mbox" "$T/out"
    n=0 differ=
    for m in "$T"/in/*.eml "$T"/out/*.eml; do
        n=$((n + 1))
        case $m in */out/*) sent=--sent ;; *) sent= ;; esac
        "$FILTER" --db "$T/sample.db" --owner $OWNER $sent <"$m" >"$T/x/s.out" 2>&1
        "$DYN" --db "$T/sample-dyn.db" --owner $OWNER $sent <"$m" >"$T/x/d.out" 2>&1
        cmp -s "$T/x/s.out" "$T/x/d.out" || differ="$differ ${m#"$T"/}"
    done
    [ $n -ge 40 ] && [ -z "$differ" ]
    ok $? "the sample mail ($n messages, in and out): the same output as with the C library shared${differ:+ (differ:$differ)}"
else
    skip "the sample mail: the same output as with the C library shared" "the filter loads its C library"
fi

done_testing
