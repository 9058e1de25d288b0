#!/bin/sh
# seeds.sh - builds a seed corpus for every fuzz target.
#
# usage: fuzz/seeds.sh OUT_DIR
#
# Reads mail from the project (tests/fixtures, sample/) and, when it is
# there, from the shared MIME torture corpus ($TWOWAY_CORPORA, else
# ../shared/corpora beside the project, /mime-torture): mbox files are
# split into one file per message (From line kept, as procmail passes
# it).  Writes OUT_DIR/<target>/ for raw, message, filter (whole
# messages, at most 256 KB each), text and ask (bodies, at most 64 KB),
# and tags (made-up tag inputs, see fuzz_tags.c).  Files are named by
# their SHA-1, so duplicates collapse.  Nothing is copied into the
# project.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
[ $# -eq 1 ] || { echo "usage: $0 OUT_DIR" >&2; exit 64; }
out=$1
corpora=${TWOWAY_CORPORA:-$top/../shared/corpora}
torture=$corpora/mime-torture

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$out/.work
rm -rf "$work"
mkdir -p "$work/msg" "$out/raw" "$out/message" "$out/filter" "$out/text" "$out/ask" \
    "$out/tags"

# add DIR FILE: stores FILE in DIR under its SHA-1.
add() {
    sum=$(sha1sum <"$2" | cut -d' ' -f1)
    cp "$2" "$1/$sum"
}

# split FILE: one file per message in $work/msg; a file whose first line
# starts with "From " is an mbox.
n=0
split() {
    n=$((n + 1))
    if head -c 5 "$1" | grep -q '^From '; then
        awk -v base="$work/msg/$n." '
            /^From / { if (out) close(out); out = base (++k) }
            { print > out }' "$1"
    else
        cp "$1" "$work/msg/$n"
    fi
}

sources=$(mktemp "$work/sources.XXXXXX")
find "$top/tests/fixtures" "$top/sample" -type f ! -name '*.md' >"$sources"
if [ -d "$torture" ]; then
    find "$torture" -type f ! -name 'SOURCE.txt' >>"$sources"
else
    echo "seeds.sh: no $torture; seeds from the project only" >&2
fi
while IFS= read -r f; do
    split "$f"
done <"$sources"

for m in "$work"/msg/*; do
    [ -s "$m" ] || continue
    head -c 262144 "$m" >"$work/cut"
    for t in raw message filter; do
        add "$out/$t" "$work/cut"
    done
    # the body: everything after the first blank line
    awk 'body { print } /^\r?$/ { body = 1 }' "$m" | head -c 65536 >"$work/body"
    if [ -s "$work/body" ]; then
        add "$out/text" "$work/body"
        add "$out/ask" "$work/body"
    fi
done

# Sentences that ask, or look as if they did.
i=0
for s in "Could you review the draft by Friday?" \
    "Hi Robin,\n\nwould you send me the budget? Thanks!\n\n-- \nQuentin" \
    "Please let me know whether the 3pm slot works for you." \
    "I was wondering if anyone has seen this error before?" \
    "Thanks, got it!" \
    "On Tue, 3 Nov 2026, Alice wrote:\n> Can you help?\n\nYes. Can you call me?" \
    "-----Original Message-----\nFrom: a\nSent: today\nTo: b\nSubject: x\n\nWhat now?" \
    "[PATCH] Add a test\n---\n lib/raw.c | 2 +-\ndiff --git a/x b/x" \
    "<html><body><p>Could you <b>please</b> sign &amp; return?</p><blockquote>old?</blockquote></body></html>" \
    "\0302\0277Puedes ayudarme? K\0303\0266nnten Sie mir helfen?"; do
    i=$((i + 1))
    printf '%b' "$s" >"$work/s.$i"
    add "$out/ask" "$work/s.$i"
    add "$out/text" "$work/s.$i"
done

# Tag inputs: a 31-byte head (flags: 1 ask, 2 balance, 4 thread, 8 CRLF;
# score; counts; time), then cue NUL correspondent.  Cues are printf %b
# strings (octal escapes as \0NNN).
head31() { # FLAGS: the head with score 0.87 and small counts
    printf "\\$(printf %03o "$1")"
    printf '\044\277\016\000\000\000\011\000\000\000\002\000\000\000\001\000\000\000\002\000\000\000\200\072\161\152\000\000\000\000'
}
i=0
for flags in 7 15 1 2 4 9 3 6; do
    for cue in "Could you review the draft by Friday?" \
        "K\0303\0266nnten Sie das bis Freitag pr\0303\0274fen? \0342\0200\0224 \0360\0237\0231\0202" \
        "A \"quoted\" cue with a back\\\\slash;\r\nX-Injected: yes\r\n and\ttabs\0001" \
        "$(head -c 400 /dev/zero | tr '\0' 'x')"; do
        i=$((i + 1))
        { head31 "$flags"; printf '%b' "$cue"; printf '\000'; printf 'Alice Example <alice@example.com>'; } \
            >"$work/t.$i"
        add "$out/tags" "$work/t.$i"
    done
done

rm -rf "$work"
for t in raw message filter text ask tags; do
    echo "$t: $(ls "$out/$t" | wc -l) seeds"
done
