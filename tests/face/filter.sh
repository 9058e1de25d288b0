#!/bin/bash
# filter.sh - twoway-filter as procmail and maildrop see it: the bytes
# that come out, the tags, --sent, the owner, OnError, output and
# configuration failures, usage, idempotence.
#
# References: doc/twoway-filter.1, doc/twoway.conf.5, DESIGN.md ("Tags",
# "Never lose mail"), sample/EXPECTED.md.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$SRC/tests/face/common.sh"

split_mbox "$SAMPLE/inbox.mbox" "$T/in"      # as procmail passes them: From line first
split_mbox "$SAMPLE/sent.mbox" "$T/out"
mbox_to_files "$SAMPLE/inbox.mbox" "$T/inf"  # as a maildir holds them
mbox_to_files "$SAMPLE/sent.mbox" "$T/outf"
mkdir -p "$T/cfg" "$T/x"

# f NAME INPUT ARGS...: runs the filter on INPUT; stdout in $T/x/NAME.out,
# stderr in $T/x/NAME.err, exit status in $rc.
f() {
    _fn=$1 _fin=$2
    shift 2
    "$FILTER" "$@" <"$_fin" >"$T/x/$_fn.out" 2>"$T/x/$_fn.err"
    rc=$?
}
o() { echo "$T/x/$1.out"; }
e() { echo "$T/x/$1.err"; }

# strip_is NAME INPUT: "the output with its X-Twoway lines deleted is the input"
strip_is() {
    strip_tags "$(o "$1")" >"$T/.stripped"
    cmp -s "$T/.stripped" "$2"
}

# nonempty_tags NAME: the filter did add tags (so byte checks are not vacuous)
has_tags() { [ -n "$(tag_block "$(o "$1")")" ]; }

# ---------------------------------------------------------------------
# 1. Byte-exactness

# LF mail, as a maildir file.
m=$T/inf/12.eml
f lf "$m" --db "$T/lf.db" --owner $OWNER
is "$rc" 0 "LF mail: exit 0"
strip_is lf "$m"; ok $? "LF mail: output minus X-Twoway lines is the input"
inserted_ok "$m" "$(o lf)" >"$T/.why" 2>&1; ok $? "LF mail: tags inserted at the end of the header block, nothing else changed"
has_tags lf; ok $? "LF mail: tags were added"

# CRLF mail.
sed 's/$/\r/' "$T/inf/12.eml" >"$T/crlf.eml"
f crlf "$T/crlf.eml" --db "$T/crlf.db" --owner $OWNER
is "$rc" 0 "CRLF mail: exit 0"
strip_is crlf "$T/crlf.eml"; ok $? "CRLF mail: output minus X-Twoway lines is the input"
inserted_ok "$T/crlf.eml" "$(o crlf)" >"$T/.why" 2>&1; ok $? "CRLF mail: tags at the end of the header block"
has_tags crlf && [ -z "$(tag_block "$(o crlf)" | grep -v $'\r$')" ]
ok $? "CRLF mail: every added line ends in CRLF"
[ -n "$(tag "$(o crlf)" Ask)" ]; ok $? "CRLF mail: the ask is still read (X-Twoway-Ask)"

# A leading mbox From line, as procmail passes it.
m=$T/in/12.eml
f fromline "$m" --db "$T/fromline.db" --owner $OWNER
is "$rc" 0 "From line: exit 0"
strip_is fromline "$m"; ok $? "From line: output minus X-Twoway lines is the input"
inserted_ok "$m" "$(o fromline)" >"$T/.why" 2>&1; ok $? "From line: tags at the end of the header block"
is "$(head -n 1 "$(o fromline)")" "$(head -n 1 "$m")" "From line: kept as the first line"
[ -n "$(tag "$(o fromline)" Ask)" ]; ok $? "From line: the message is still read as the ask it is"

# A message without a body: header block and the empty line.
{ head_part "$T/inf/12.eml"; echo; } >"$T/nobody.eml"
f nobody "$T/nobody.eml" --db "$T/nobody.db" --owner $OWNER
is "$rc" 0 "no body: exit 0"
strip_is nobody "$T/nobody.eml"; ok $? "no body: output minus X-Twoway lines is the input"
inserted_ok "$T/nobody.eml" "$(o nobody)" >"$T/.why" 2>&1 && has_tags nobody
ok $? "no body: tags at the end of the header block"

# Header only, with its final newline, without the empty line.
head_part "$T/inf/12.eml" >"$T/hdronly.eml"
f hdronly "$T/hdronly.eml" --db "$T/hdronly.db" --owner $OWNER
is "$rc" 0 "header only: exit 0"
strip_is hdronly "$T/hdronly.eml"; ok $? "header only: output minus X-Twoway lines is the input"
inserted_ok "$T/hdronly.eml" "$(o hdronly)" >"$T/.why" 2>&1 && has_tags hdronly
ok $? "header only: tags appended after the last header"

# Header only, without a final newline.  The only room for the tags is
# after a line ending the filter has to add: the input must come out
# as it was, followed by one LF and complete tag lines (or, untagged,
# as it was).
head_part "$T/inf/12.eml" | head -c -1 >"$T/nonl.eml"
f nonl "$T/nonl.eml" --db "$T/nonl.db" --owner $OWNER
is "$rc" 0 "header only, no final newline: exit 0"
{ cat "$T/nonl.eml"; echo; tag_block "$(o nonl)"; } >"$T/.nonl-exp"
if cmp -s "$(o nonl)" "$T/nonl.eml"; then nonl=0
elif cmp -s "$(o nonl)" "$T/.nonl-exp" && tag_block_ok "$(o nonl)"; then nonl=0
else nonl=1; fi
ok $nonl "header only, no final newline: the input, then a line ending and whole tag lines only"

# 8-bit body (Latin-1 and raw UTF-8).
{
    head_part "$T/inf/12.eml" | sed 's/^Content-Transfer-Encoding: 7bit/Content-Transfer-Encoding: 8bit/'
    printf '\nCould you check the caf\351 bill, Gr\374\337e? \303\251t\303\251 \342\202\254 10\n'
} >"$T/8bit.eml"
f 8bit "$T/8bit.eml" --db "$T/8bit.db" --owner $OWNER
is "$rc" 0 "8-bit body: exit 0"
strip_is 8bit "$T/8bit.eml" && inserted_ok "$T/8bit.eml" "$(o 8bit)" >"$T/.why" 2>&1
ok $? "8-bit body: passed byte for byte, tags at the end of the header block"

# Binary body: every byte value, NUL included, and lone CRs.
for i in $(seq 0 255); do printf "\\$(printf %03o "$i")"; done >"$T/bytes.bin"
{
    head_part "$T/inf/12.eml" | sed 's/^Content-Type: .*/Content-Type: application\/octet-stream/'
    echo
    for i in 1 2 3 4 5 6 7 8; do cat "$T/bytes.bin"; done
    printf 'tail\r\rno newline at the end'
} >"$T/binary.eml"
f binary "$T/binary.eml" --db "$T/binary.db" --owner $OWNER
is "$rc" 0 "binary body: exit 0"
strip_is binary "$T/binary.eml" && inserted_ok "$T/binary.eml" "$(o binary)" >"$T/.why" 2>&1 && has_tags binary
ok $? "binary body (NUL bytes): passed byte for byte, tags at the end of the header block"

# A 20 MB body.
{
    head_part "$T/inf/12.eml"
    echo
    yes 'A line of a long report, seventy-odd characters wide, repeated again.' | head -c 20971520
} >"$T/big.eml"
f big "$T/big.eml" --db "$T/big.db" --owner $OWNER
is "$rc" 0 "20 MB body: exit 0"
inserted_ok "$T/big.eml" "$(o big)" >"$T/.why" 2>&1 && has_tags big
ok $? "20 MB body: passed whole, tags at the end of the header block"

# Input that is not mail, and empty input.
f notmail "$FIXTURES/notmail.txt" --db "$T/notmail.db" --owner $OWNER
is "$rc" 0 "not mail: exit 0"
cmp -s "$(o notmail)" "$FIXTURES/notmail.txt"; ok $? "not mail: passed untouched"
for i in 1 2 3 4; do cat "$T/bytes.bin"; done >"$T/binary.bin"
f notmailbin "$T/binary.bin" --db "$T/notmail.db" --owner $OWNER
[ "$rc" -eq 0 ] && cmp -s "$(o notmailbin)" "$T/binary.bin"
ok $? "binary input that is not mail: exit 0, passed untouched"
: >"$T/empty"
f empty "$T/empty" --db "$T/notmail.db" --owner $OWNER
[ "$rc" -eq 0 ] && [ ! -s "$(o empty)" ]
ok $? "empty input: exit 0, empty output"

# A body line that starts with "From " (in-18, unescaped as delivered).
f fromline18 "$T/inf/18.eml" --db "$T/fl18.db" --owner $OWNER
[ "$rc" -eq 0 ] && grep -q '^From November on' "$(o fromline18)" &&
    inserted_ok "$T/inf/18.eml" "$(o fromline18)" >"$T/.why" 2>&1
ok $? "a body line starting with 'From ' passes unchanged"

# Forged X-Twoway-* headers, folded, in any case, anywhere in the header
# block; a look-alike header and a body line are kept.
m=$FIXTURES/forged.eml
f forged "$m" --db "$T/forged.db" --owner $OWNER
is "$rc" 0 "forged headers: exit 0"
strip_tags "$m" >"$T/forged.stripped"
strip_is forged "$T/forged.stripped"; ok $? "forged headers: output minus X-Twoway lines is the input minus X-Twoway lines"
inserted_ok "$m" "$(o forged)" >"$T/.why" 2>&1; ok $? "forged headers: removed, ours at the end of the header block"
head_part "$(o forged)" | grep -q -i -e forged -e mallory -e 'asks=9' -e 'made-up' -e '2000-01-01'
ok $((!$?)) "forged headers: no forged value or continuation line is left"
is "$(count_hdr "$(o forged)" X-Twoway-Ask) $(count_hdr "$(o forged)" X-Twoway-Balance) $(count_hdr "$(o forged)" X-Twoway-Thread)" \
   "1 1 1" "forged headers: one Ask, one Balance, one Thread, ours"
case $(tag "$(o forged)" Ask) in *"printer budget"*) ok 0 "forged headers: the Ask carries our cue";; *) ok 1 "forged headers: the Ask carries our cue";; esac
is "$(count_hdr "$(o forged)" X-Twowayish)" 1 "forged headers: X-Twowayish (not ours) is kept"
grep -q '^X-Twoway-Ask: this line is in the body and must stay$' "$(o forged)"
ok $? "forged headers: a body line that looks like a tag is kept"

sed 's/$/\r/' "$m" >"$T/forged-crlf.eml"
f forgedcrlf "$T/forged-crlf.eml" --db "$T/forgedcrlf.db" --owner $OWNER
strip_tags "$T/forged-crlf.eml" >"$T/forged-crlf.stripped"
[ "$rc" -eq 0 ] && strip_is forgedcrlf "$T/forged-crlf.stripped" &&
    inserted_ok "$T/forged-crlf.eml" "$(o forgedcrlf)" >"$T/.why" 2>&1 &&
    ! head_part "$(o forgedcrlf)" | grep -q -i -e forged -e mallory -e 'asks=9' -e 'made-up'
ok $? "forged headers in CRLF mail: removed, continuation lines too"

# in-13 of the sample carries a forged X-Twoway-Ask and is no ask.
f in13 "$T/in/13.eml" --db "$T/in13.db" --owner $OWNER
[ "$rc" -eq 0 ] && [ "$(count_hdr "$(o in13)" X-Twoway-Ask)" = 0 ] && inserted_ok "$T/in/13.eml" "$(o in13)" >"$T/.why" 2>&1
ok $? "in-13: the forged X-Twoway-Ask is gone and none is added"

# ---------------------------------------------------------------------
# 2. Tags, one message at a time in a fresh ledger

# ask_cue NAME: the cue of an X-Twoway-Ask written as cue="..."
ask_cue() { tag "$(o "$1")" Ask | sed -n 's/^yes; score=\(0\(\.[0-9]*\)\?\|1\(\.0*\)\?\); cue="\(.*\)"$/\4/p'; }

f tag12 "$T/in/12.eml" --db "$T/tags.db" --owner $OWNER
is "$(ask_cue tag12)" "$(expected_field in-12 11)" "in-12: X-Twoway-Ask: yes; score=N; cue=\"the cue of EXPECTED.md\""
is "$(tag "$(o tag12)" Thread)" "unanswered; asks=1; since=$(utc "$(expected_table Pending | awk -F'\t' '$1 == "in-12" { print $4 }')")" \
   "in-12: X-Twoway-Thread: unanswered; asks=1; since=its date in UTC"
is "$(tag "$(o tag12)" Balance)" "dmitri@example.com; received=1; sent=0; you-owe=1; they-owe=0" \
   "in-12: X-Twoway-Balance for Dmitri after his first message"

for n in 01 19 16; do
    f "tag$n" "$T/in/$n.eml" --db "$T/tags.db" --owner $OWNER
    is "$rc $(count_hdr "$(o "tag$n")" X-Twoway-Ask) $(count_hdr "$(o "tag$n")" X-Twoway-Balance) $(count_hdr "$(o "tag$n")" X-Twoway-Thread)" \
       "0 0 0 0" "in-$n ($(expected_field "in-$n" 3)): no Ask, no Balance, no Thread"
done

f tag24 "$T/in/24.eml" --db "$T/tags.db" --owner $OWNER
[ "$(ask_cue tag24)" = "$(expected_field in-24 11)" ] && [ -n "$(tag "$(o tag24)" Balance)" ]
ok $? "in-24 (personal list mail): Ask with the expected cue, and a Balance"

# Long cues are folded at 78 columns and come back whole.
for n in 07 15 17; do
    f "tag$n" "$T/in/$n.eml" --db "$T/tags.db" --owner $OWNER
    is "$(ask_cue "tag$n")" "$(expected_field "in-$n" 11)" "in-$n: the long cue survives folding"
done

# A non-ASCII cue (in-10) is written as RFC 2047 encoded words.
f tag10 "$T/in/10.eml" --db "$T/tags.db" --owner $OWNER
is "$(tag_block "$(o tag10)" | tr -d '\t\r\n -~' | wc -c)" 0 "in-10: the added header bytes are all ASCII"
# decode_cue: cue= followed by encoded words (Q or B), decoded to bytes.
decode_cue() {
    sed -n 's/^yes; score=\(0\(\.[0-9]*\)\?\|1\(\.0*\)\?\); cue=[ ]*//p' | tr ' ' '\n' | grep -v '^$' |
    while IFS= read -r w; do
        case $w in
        =\?[Uu][Tt][Ff]-8\?[Qq]\?*\?=)
            echo "$w" | sed 's/^=?[^?]*?[^?]*?//; s/?=$//' |
                awk 'BEGIN { h = "0123456789ABCDEF" }
                     { s = $0; gsub(/_/, " ", s)
                       while ((i = index(s, "=")) > 0) {
                           printf "%s%c", substr(s, 1, i - 1), (index(h, toupper(substr(s, i + 1, 1))) - 1) * 16 + index(h, toupper(substr(s, i + 2, 1))) - 1
                           s = substr(s, i + 3) }
                       printf "%s", s }' ;;
        =\?[Uu][Tt][Ff]-8\?[Bb]\?*\?=)
            echo "$w" | sed 's/^=?[^?]*?[^?]*?//; s/?=$//' | base64 -d ;;
        *) printf '[not an encoded word: %s]' "$w" ;;
        esac
    done
}
is "$(tag "$(o tag10)" Ask | decode_cue)" "$(expected_field in-10 11)" "in-10: the encoded cue decodes to the cue of EXPECTED.md"
tag "$(o tag10)" Ask | sed 's/^.*cue=//' | tr ' ' '\n' | awk 'length($0) > 75 { bad = 1 } END { exit bad }'
ok $? "in-10: every encoded word is at most 75 characters (RFC 2047)"

# X-Twoway-Thread follows the open asks of the thread.
f thr07 "$T/inf/07.eml" --db "$T/thread.db" --owner $OWNER
since07=$(utc "$(sed -n 's/^Date: //p' "$T/inf/07.eml" | head -n 1)")
is "$(tag "$(o thr07)" Thread)" "unanswered; asks=1; since=$since07" "in-07 (ask): X-Twoway-Thread"
f thr09 "$T/inf/09.eml" --db "$T/thread.db" --owner $OWNER
is "$(count_hdr "$(o thr09)" X-Twoway-Ask)|$(tag "$(o thr09)" Thread)" "0|unanswered; asks=1; since=$since07" \
   "in-09 (no ask, thread still open): X-Twoway-Thread without X-Twoway-Ask"
f thr03 "$T/inf/03.eml" --db "$T/thread.db" --owner $OWNER
f thro02 "$T/outf/02.eml" --db "$T/thread.db" --owner $OWNER --sent
f thr04 "$T/inf/04.eml" --db "$T/thread.db" --owner $OWNER
is "$(count_hdr "$(o thr03)" X-Twoway-Thread) $(count_hdr "$(o thr04)" X-Twoway-Thread) $(count_hdr "$(o thr04)" X-Twoway-Ask)" "1 0 0" \
   "in-03 has a Thread tag; once out-02 answered it, in-04 has none"
is "$(tag "$(o thr04)" Balance)" "alice@example.com; received=2; sent=1; you-owe=0; they-owe=0" \
   "in-04: Balance counts in-03, out-02 and in-04"

# ---------------------------------------------------------------------
# 3. The whole sample through the filter, in date order

for m in "$T"/inf/*.eml "$T"/outf/*.eml; do
    d=$(sed -n 's/^Date: //p' "$m" | head -n 1)
    echo "$(date -u -d "$d" +%s) $m"
done | sort -n | awk '{ print $2 }' >"$T/order"
: >"$T/seq.rcs"
while read -r m; do
    n=$(basename "$m" .eml)
    case $m in
    */outf/*) "$FILTER" --db "$T/seq.db" --owner $OWNER --sent <"$m" >"$T/x/seq-out-$n.out" 2>>"$T/seq.err" ;;
    *) "$FILTER" --db "$T/seq.db" --owner $OWNER <"$m" >"$T/x/seq-in-$n.out" 2>>"$T/seq.err" ;;
    esac
    echo $? >>"$T/seq.rcs"
done <"$T/order"
is "$(sort -u "$T/seq.rcs" | tr '\n' ' ')" "0 " "sample through the filter: every run exits 0"
is "$(cat "$T"/x/seq-out-*.out | wc -c)" 0 "sample through the filter: --sent writes nothing"
ej=$(expected_json)
is "$(stat_json "$T/seq.db" | jq -c '[.messages, .incoming, .outgoing, .pending, .waiting]')" \
   "$(jq -c '[.received + .sent, .received, .sent, (.pending | length), (.waiting | length)]' "$ej")" \
   "sample through the filter: stats messages/incoming/outgoing/pending/waiting as EXPECTED.md"
# which outputs carry which tag, by Message-ID
for n in $(seq -w 1 28); do
    out=$T/x/seq-in-$n.out
    printf '%s\t%s\t%s\n' "$(msgid "$out")" "$(count_hdr "$out" X-Twoway-Ask)" "$(count_hdr "$out" X-Twoway-Balance)"
done >"$T/seq.tags"
is "$(awk -F'\t' '$2 == 1 { print $1 }' "$T/seq.tags" | sort | tr '\n' ' ')" \
   "$(jq -r '.asks_to_owner[]' "$ej" | sort | tr '\n' ' ')" \
   "sample through the filter: X-Twoway-Ask exactly on the asks to Robin"
is "$(awk -F'\t' '$3 == 0 { print $1 }' "$T/seq.tags" | sort | tr '\n' ' ')" \
   "$(jq -r '(.bulk + .list_traffic)[]' "$ej" | sort | tr '\n' ' ')" \
   "sample through the filter: X-Twoway-Balance on all personal mail, not on bulk or list traffic"
is "$(awk -F'\t' '$2 > 1 || $3 > 1' "$T/seq.tags" | wc -l)" 0 "sample through the filter: no tag twice"
is "$(tag "$T/x/seq-in-28.out" Balance)" \
   "$(jq -r '.correspondents["ben.okafor@example.net"] | "ben.okafor@example.net; received=\(.received); sent=\(.sent); you-owe=\(.you_owe); they-owe=\(.they_owe)"' "$ej")" \
   "sample through the filter: in-28 (the last message) shows Ben's final balance"
# The pending asks: each is alone in its thread, so its own Thread tag
# names it; in-09 comes while in-07 is open; in-04, in-05, in-08 and
# in-11 come after Robin answered their thread's ask.
bad=
for row in $(expected_table Pending | awk -F'\t' '{ print $1 "=" $4 }'); do
    n=${row%%=*}; n=${n#in-}
    [ "$(tag "$T/x/seq-in-$n.out" Thread)" = "unanswered; asks=1; since=$(utc "${row#*=}")" ] || bad="$bad in-$n"
done
[ "$(count_hdr "$T/x/seq-in-09.out" X-Twoway-Thread)" = 1 ] || bad="$bad in-09"
for n in 04 05 08 11; do [ "$(count_hdr "$T/x/seq-in-$n.out" X-Twoway-Thread)" = 0 ] || bad="$bad in-$n"; done
[ -z "$bad" ]; ok $? "sample through the filter: X-Twoway-Thread exactly while the thread holds open asks${bad:+ (wrong:$bad)}"
bad=
for out in "$T"/x/*.out; do
    tag_block "$out" | tr -d '\r' | awk 'length($0) > 78 { bad = 1 } END { exit bad }' || bad="$bad $(basename "$out")"
done
[ -z "$bad" ]; ok $? "no added header line is longer than 78 characters${bad:+ (longer in:$bad)}"

# ---------------------------------------------------------------------
# 4. --sent

f sent06 "$T/outf/06.eml" --db "$T/sent.db" --owner $OWNER --sent
[ "$rc" -eq 0 ] && [ ! -s "$(o sent06)" ]; ok $? "--sent: exit 0, nothing written"
is "$(stat_json "$T/sent.db" | jq -c '[.messages, .outgoing, .waiting]')" "[1,1,1]" "--sent: recorded as Robin's (outgoing) ask"
f sent08 "$T/out/08.eml" --db "$T/sent.db" --owner $OWNER --sent --pass
[ "$rc" -eq 0 ] && cmp -s "$(o sent08)" "$T/out/08.eml"; ok $? "--sent --pass: exit 0, the input written unchanged"
is "$(stat_of "$T/sent.db" messages)" 2 "--sent --pass: recorded"
f sentforged "$FIXTURES/forged.eml" --db "$T/sent.db" --owner $OWNER --sent --pass
[ "$rc" -eq 0 ] && cmp -s "$(o sentforged)" "$FIXTURES/forged.eml"; ok $? "--sent --pass: unchanged means unchanged"

# ---------------------------------------------------------------------
# 5. Whose ledger: --owner, then the config's Owner, then Delivered-To

sed '/^Delivered-To:/d' "$T/inf/12.eml" >"$T/nodt.eml"
sed 's/^Delivered-To: .*/Delivered-To: carla@example.edu/' "$T/inf/12.eml" >"$T/dtcarla.eml"
owners() { echo "$(stat_of "$1" messages robin@example.org) $(stat_of "$1" messages carla@example.edu) $(stat_of "$1" owners)"; }

f own1 "$T/nodt.eml" --db "$T/own1.db" --owner $OWNER
[ "$rc" -eq 0 ] && has_tags own1 && [ "$(owners "$T/own1.db")" = "1 0 1" ]
ok $? "owner from --owner: tagged and recorded for Robin"
printf '# the owner\nOwner robin@example.org\n' >"$T/cfg/owner.conf"
f own2 "$T/nodt.eml" --db "$T/own2.db" --config "$T/cfg/owner.conf"
[ "$rc" -eq 0 ] && has_tags own2 && [ "$(owners "$T/own2.db")" = "1 0 1" ]
ok $? "owner from the config's Owner (--config)"
f own3 "$T/dtcarla.eml" --db "$T/own3.db" --config "$T/cfg/owner.conf"
is "$(owners "$T/own3.db")" "1 0 1" "the config's Owner wins over Delivered-To"
printf 'Owner carla@example.edu\n' >"$T/cfg/carla.conf"
f own4 "$T/in/12.eml" --db "$T/own4.db" --config "$T/cfg/carla.conf" --owner $OWNER
is "$(owners "$T/own4.db")" "1 0 1" "--owner wins over the config's Owner"
f own4b "$T/inf/07.eml" --db "$T/own4b.db" --config "$T/cfg/carla.conf" --owner $OWNER
is "$(stat_json "$T/own4b.db" | jq -c "[.incoming, .outgoing, .pending]")|$(count_hdr "$(o own4b)" X-Twoway-Ask)" "[1,0,1]|1" \
   "--owner replaces the config's Owner lines: mail from the config's owner (Carla) is incoming"
mkdir -p "$XDG_CONFIG_HOME/twoway"
printf 'Owner robin@example.org\nDatabase %s\n' "$T/own5.db" >"$XDG_CONFIG_HOME/twoway/twoway.conf"
f own5 "$T/nodt.eml"
[ "$rc" -eq 0 ] && has_tags own5 && [ "$(owners "$T/own5.db")" = "1 0 1" ]
ok $? "owner and database from \$XDG_CONFIG_HOME/twoway/twoway.conf"
rm -f "$XDG_CONFIG_HOME/twoway/twoway.conf"
f own6 "$T/in/12.eml"
db=$XDG_DATA_HOME/twoway/twoway.db
[ "$rc" -eq 0 ] && has_tags own6 && [ "$(owners "$db")" = "1 0 1" ]
ok $? "no option, no config: owner from Delivered-To, database in \$XDG_DATA_HOME/twoway/twoway.db"
is "$(stat -c %a "$db" 2>&1)" 600 "the database is created with mode 0600"
f own7 "$T/nodt.eml" --db "$T/own7.db"
[ "$rc" -eq 0 ] && cmp -s "$(o own7)" "$T/nodt.eml"
ok $? "no owner at all: the message passes untagged, exit 0"

# ---------------------------------------------------------------------
# 6. OnError: the database cannot be used

printf 'BusyTimeout 200\n' >"$T/cfg/accept.conf"
printf 'BusyTimeout 200\nOnError accept\n' >"$T/cfg/accept2.conf"
printf 'BusyTimeout 200\nOnError tempfail\n' >"$T/cfg/tempfail.conf"
m=$T/inf/12.eml
mkdir -p "$T/dir.db"
head -c 65536 /dev/urandom >"$T/corrupt.db"
"$FILTER" --db "$T/locked.db" --owner $OWNER <"$T/inf/03.eml" >/dev/null 2>&1

onerror() { # onerror KIND DB
    f "acc-$1" "$m" --db "$2" --owner $OWNER --config "$T/cfg/accept.conf"
    [ "$rc" -eq 0 ] && cmp -s "$(o "acc-$1")" "$m"
    ok $? "$1 database, default OnError (accept): exit 0, the input unchanged and untagged"
    f "acc2-$1" "$m" --db "$2" --owner $OWNER --config "$T/cfg/accept2.conf"
    [ "$rc" -eq 0 ] && cmp -s "$(o "acc2-$1")" "$m"
    ok $? "$1 database, OnError accept: exit 0, the input unchanged"
    f "tf-$1" "$m" --db "$2" --owner $OWNER --config "$T/cfg/tempfail.conf"
    is "$rc:$(wc -c <"$(o "tf-$1")")" "75:0" "$1 database, OnError tempfail: exit 75, nothing on stdout"
    f "tfs-$1" "$T/outf/06.eml" --db "$2" --owner $OWNER --config "$T/cfg/tempfail.conf" --sent
    _rtf=$rc
    f "acs-$1" "$T/outf/06.eml" --db "$2" --owner $OWNER --config "$T/cfg/accept.conf" --sent
    is "$_rtf $rc $(cat "$(o "tfs-$1")" "$(o "acs-$1")" | wc -c)" "75 0 0" "$1 database, --sent: exit 75 under tempfail, 0 under accept, nothing written"
}
onerror "a directory as" "$T/dir.db"
onerror "a corrupt" "$T/corrupt.db"
if [ "$(id -u)" -ne 0 ]; then
    mkdir -p "$T/ro"; chmod 555 "$T/ro"
    onerror "an unwritable (read-only directory)" "$T/ro/twoway.db"
else
    for i in 1 2 3 4; do skip "read-only directory" "root writes into read-only directories"; done
fi
if lock_db "$T/locked.db"; then
    t0=$(date +%s%N)
    onerror "a locked" "$T/locked.db"
    t1=$(date +%s%N)
    unlock_db
    # 5 runs under the lock with BusyTimeout 200
    [ $(((t1 - t0) / 1000000)) -lt 5000 ]
    ok $? "a locked database: each run gives up after about BusyTimeout ($(((t1 - t0) / 1000000)) ms for 5 runs)"
    f afterlock "$m" --db "$T/locked.db" --owner $OWNER
    [ "$rc" -eq 0 ] && has_tags afterlock; ok $? "once the lock is gone, the same message is tagged"
else
    for i in 1 2 3 4 5 6; do skip "locked database" "sqlite3 could not hold the lock"; done
fi

# ---------------------------------------------------------------------
# 7. Output failures: never exit 0 after writing part of a message

"$FILTER" --db "$T/out.db" --owner $OWNER <"$m" >/dev/full 2>"$T/x/full.err"
is $? 75 "stdout on /dev/full: exit 75"
"$FILTER" --db "$T/out.db" --owner $OWNER --sent --pass <"$T/outf/06.eml" >/dev/full 2>"$T/x/fullpass.err"
is $? 75 "--sent --pass, stdout on /dev/full: exit 75"
"$FILTER" --db "$T/out.db" --owner $OWNER <"$T/inf/21.eml" >&- 2>"$T/x/closed.err"
is $? 75 "stdout closed: exit 75"
is "$(sqlite3 "$T/out.db" 'PRAGMA integrity_check;' 2>&1)" ok "stdout closed: the database is intact (nothing written into it)"
"$FILTER" --db "$T/out.db" --owner $OWNER <"$T/big.eml" 2>"$T/x/pipe.err" | head -c 100 >/dev/null
is "${PIPESTATUS[0]}" 75 "reader goes away after 100 bytes of a 20 MB message: exit 75"

# ---------------------------------------------------------------------
# 8. Configuration errors: exit 78, FILE:LINE, stdin read to the end

printf '# comment\nOwner robin@example.org\nOwnr robin@example.org\n' >"$T/cfg/unknown.conf"
printf 'Owner robin@example.org\nBusyTimeout 99999\n' >"$T/cfg/badvalue.conf"
printf 'Owner robin@example.org\n\nOnError sometimes\n' >"$T/cfg/badvalue2.conf"
confcheck() { # confcheck CONF LINE WHAT
    { cat "$T/big.eml"; echo $? >"$T/writer.rc"; } | "$FILTER" --config "$1" --db "$T/conf.db" >"$T/x/conf.out" 2>"$T/x/conf.err"
    is "$?" 78 "$3: exit 78"
    grep -q -F "$1:$2:" "$T/x/conf.err"; ok $? "$3: the message names $(basename "$1"):$2"
    is "$(cat "$T/writer.rc")" 0 "$3: stdin read to the end (the writer saw no EPIPE)"
}
confcheck "$T/cfg/unknown.conf" 3 "unknown key"
confcheck "$T/cfg/badvalue.conf" 2 "bad value (BusyTimeout 99999)"
confcheck "$T/cfg/badvalue2.conf" 3 "bad value (OnError sometimes)"
cp "$T/cfg/unknown.conf" "$XDG_CONFIG_HOME/twoway/twoway.conf"
"$FILTER" <"$m" >/dev/null 2>"$T/x/conf.err"
rc=$?
[ "$rc" -eq 78 ] && grep -q -F "$XDG_CONFIG_HOME/twoway/twoway.conf:3:" "$T/x/conf.err"
ok $? "error in the default config file: exit 78, FILE:LINE"
rm -f "$XDG_CONFIG_HOME/twoway/twoway.conf"
"$FILTER" --config "$T/cfg/missing.conf" <"$m" >/dev/null 2>"$T/x/conf.err"
is $? 78 "--config naming a missing file: exit 78"

# ---------------------------------------------------------------------
# 9. Usage

"$FILTER" --no-such-option <"$m" >/dev/null 2>&1; is $? 64 "unknown option: exit 64"
"$FILTER" stray <"$m" >/dev/null 2>&1; is $? 64 "stray argument: exit 64"
"$FILTER" --pass <"$m" >/dev/null 2>&1; is $? 64 "--pass without --sent: exit 64"
"$FILTER" --help >"$T/help.out" 2>&1; is $? 0 "--help: exit 0"
grep -q 'twoway-filter' "$T/help.out" && awk 'length($0) > 80 { print "too long (" length($0) "): " $0; bad = 1 } END { exit bad }' "$T/help.out" >"$T/.why"
rc=$?; ok $rc "--help: fits 80 columns"; [ $rc -eq 0 ] || sed 's/^/# /' "$T/.why"
"$FILTER" --version >"$T/version.out" 2>&1
[ $? -eq 0 ] && grep -q '^twoway-filter [0-9]' "$T/version.out"; ok $? "--version: exit 0, prints the version"

# ---------------------------------------------------------------------
# 10. Idempotence

f idem1 "$T/inf/12.eml" --db "$T/idem.db" --owner $OWNER
f idem2 "$T/inf/12.eml" --db "$T/idem.db" --owner $OWNER
is "$(stat_of "$T/idem.db" messages)" 1 "the same message twice is recorded once"
is "$(tag "$(o idem2)" Balance)" "$(tag "$(o idem1)" Balance)" "the second pass shows the same balance (received=1)"
f idem3 "$T/in/12.eml" --db "$T/idem.db" --owner $OWNER
is "$(stat_of "$T/idem.db" messages)" 1 "the same message with a From line is still the same message"
sed '/^Message-ID:/d' "$T/inf/15.eml" >"$T/noid.eml"
f noid1 "$T/noid.eml" --db "$T/idem.db" --owner $OWNER
f noid2 "$T/noid.eml" --db "$T/idem.db" --owner $OWNER
is "$(stat_of "$T/idem.db" messages)" 2 "a message without Message-ID, twice, is recorded once"

done_testing
