# common.sh - helpers shared by the face tests (sourced after tap.sh).
#
# Messages are handled as bytes: awk only ever reads a header block
# (it stops at the blank line), bodies are cut with head -c / tail -c
# and compared with cmp, so NUL bytes and 20 MB bodies are safe.

LC_ALL=C
export LC_ALL
OWNER=robin@example.org
FIXTURES=$SRC/tests/fixtures/face
EXPECTED_MD=$SAMPLE/EXPECTED.md

# ---------------------------------------------------------------------
# Mailboxes

# split_mbox MBOX DIR: DIR/01.eml, DIR/02.eml ... each message as
# procmail hands it to a filter: the "From " line first, bytes as in
# the mbox (the blank separator line before the next "From " stays
# with the message, mboxrd ">From " lines stay escaped).
split_mbox() {
    mkdir -p "$2"
    awk -v d="$2" '
        /^From / { if (f != "") close(f); n++; f = sprintf("%s/%02d.eml", d, n) }
        f != "" { print > f }' "$1"
}

# mbox_to_files MBOX DIR: DIR/01.eml ... one message per file as a
# maildir holds it: no "From " line, no mbox separator line, and
# mboxrd ">From " lines unescaped.
mbox_to_files() {
    mkdir -p "$2"
    awk -v d="$2" '
        function flush() {
            if (f == "") return
            if (nl > 0 && buf[nl] == "") nl--       # the separator line
            for (i = 1; i <= nl; i++) print buf[i] > f
            close(f)
        }
        /^From / { flush(); n++; f = sprintf("%s/%02d.eml", d, n); nl = 0; next }
        f != "" { line = $0; if (line ~ /^>+From /) line = substr(line, 2); buf[++nl] = line }
        END { flush() }' "$1"
}

# msgid FILE: the Message-ID of a message file, with its angle brackets.
msgid() {
    awk 'BEGIN { IGNORECASE = 1 }
         /^$/ || /^\r$/ { exit }
         tolower($0) ~ /^message-id:/ { sub(/^[^:]*:[ \t]*/, ""); sub(/\r$/, ""); print; exit }' "$1"
}

# ---------------------------------------------------------------------
# Header blocks

# hdr_len FILE: bytes of the header block: every line before the first
# empty line, with their line endings (the whole file when there is no
# empty line).
hdr_len() {
    _n=$(awk '{ if ($0 == "" || $0 == "\r") { print n + 0; f = 1; exit } n += length($0) + 1 }
              END { if (!f) print n + 0 }' "$1")
    _s=$(wc -c <"$1")
    [ "$_n" -gt "$_s" ] && _n=$_s
    echo "$_n"
}

# head_part FILE / body_part FILE: the header block, and the rest (the
# empty line and the body).
head_part() { head -c "$(hdr_len "$1")" "$1"; }
body_part() { tail -c +"$(($(hdr_len "$1") + 1))" "$1"; }

# drop_tag_lines: filters a header block, removing every X-Twoway-*
# header (any case) with its continuation lines.
drop_tag_lines() {
    awk '{ l = tolower($0) }
         l ~ /^x-twoway-/ { skip = 1; next }
         skip && /^[ \t]/ { next }
         { skip = 0; print }'
}

# strip_tags FILE: the message with every X-Twoway-* header removed
# from its header block, the body untouched.
strip_tags() {
    head_part "$1" | drop_tag_lines
    body_part "$1"
}

# tag_block FILE: the lines of the header block from the first
# X-Twoway- header to the end of the header block.
tag_block() {
    head_part "$1" | awk '/^X-Twoway-/ { on = 1 } on { print }'
}

# tag_block_ok FILE: the tag block holds only our three headers and
# their continuation lines.
tag_block_ok() {
    tag_block "$1" | awk '/^X-Twoway-(Ask|Balance|Thread): / || /^[ \t]/ { next } { bad = 1; print "stray line in the tag block: " $0 } END { exit bad }'
}

# inserted_ok IN OUT: OUT is IN (without any X-Twoway-* header it
# arrived with) with the tag block inserted at the end of the header
# block, and nothing else changed.
inserted_ok() {
    {
        head_part "$1" | drop_tag_lines
        tag_block "$2"
        body_part "$1"
    } >"$T/.expected-out"
    if ! cmp "$T/.expected-out" "$2"; then
        echo "output is not the input with tags inserted at the end of the header block"
        return 1
    fi
    tag_block_ok "$2"
}

# tag FILE NAME: the unfolded value of tag header NAME (Ask, Balance,
# Thread) in FILE's header block; nothing when it is absent.
tag() {
    head_part "$1" | awk -v h="X-Twoway-$2:" '
        { sub(/\r$/, "") }
        on && /^[ \t]/ { v = v $0; next }
        on { exit }
        index($0, h) == 1 { on = 1; v = substr($0, length(h) + 1) }
        END { if (on) { sub(/^[ \t]+/, "", v); print v } }'
}

# count_hdr FILE NAME: how many NAME: headers FILE's header block holds
# (name matched without regard to case).
count_hdr() {
    head_part "$1" | awk -v h="$(echo "$2:" | tr 'A-Z' 'a-z')" '
        index(tolower($0), h) == 1 { n++ } END { print n + 0 }'
}

# ---------------------------------------------------------------------
# EXPECTED.md

# expected_json: the machine-readable summary of EXPECTED.md, as a file.
expected_json() {
    if [ ! -s "$T/expected.json" ]; then
        awk '/^```json/ { on = 1; next } /^```/ { on = 0 } on' "$EXPECTED_MD" >"$T/expected.json"
    fi
    echo "$T/expected.json"
}

# expected_rows: the Messages table of EXPECTED.md as tab-separated
# fields: #, file, message-id, direction, bulk, list, text_ask, ask,
# answered, thread, cue.
expected_rows() {
    if [ ! -s "$T/expected.tsv" ]; then
        awk -F'|' '
            function trim(s) { gsub(/^[ \t`]+|[ \t`]+$/, "", s); return s }
            $2 ~ /^ (in|out)-[0-9]+ $/ && $3 ~ /\.mbox *$/ {
                printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", trim($2), trim($3), trim($4),
                    trim($7), trim($8), trim($9), trim($10), trim($11), trim($12), trim($13), trim($14)
            }' "$EXPECTED_MD" >"$T/expected.tsv"
    fi
    echo "$T/expected.tsv"
}

# expected_field ROWID COLUMN: one field of the Messages table (COLUMN
# is the 1-based field of expected_rows).
expected_field() {
    awk -F'\t' -v id="$1" -v c="$2" '$1 == id { print $c }' "$(expected_rows)"
}

# expected_table SECTION: the rows of the table under "## SECTION" as
# tab-separated trimmed fields (first field is the first column).
expected_table() {
    awk -F'|' -v s="## $1" '
        function trim(s) { gsub(/^[ \t`*]+|[ \t`*]+$/, "", s); return s }
        index($0, s) == 1 { on = 1; next }
        on && /^## / { exit }
        on && /^\|---/ { rows = 1; next }
        on && rows && /^\| / {
            out = ""
            for (i = 2; i < NF; i++) out = out (i > 2 ? "\t" : "") trim($i)
            print out
        }' "$EXPECTED_MD"
}

# utc DATE: an ISO date with offset, in UTC (2026-10-14T08:00:00Z).
utc() {
    date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ
}

# bare ID: a Message-ID without its angle brackets.
bare() {
    echo "$1" | sed 's/^<//; s/>$//'
}

# ---------------------------------------------------------------------
# Databases

# lock_db DB: holds DB with BEGIN EXCLUSIVE in a sqlite3 process until
# unlock_db; returns once the lock is seen from outside.  LOCK_AS, when
# set, runs both sqlite3 processes as another user (e.g. setpriv ...).
_lock_pid=
lock_db() {
    rm -f "$T/.lockfifo"
    mkfifo "$T/.lockfifo"
    chmod 666 "$T/.lockfifo"
    ${LOCK_AS:-} sqlite3 "$1" <"$T/.lockfifo" >"$T/.lock.out" 2>&1 &
    _lock_pid=$!
    exec 7>"$T/.lockfifo"
    echo '.timeout 10000' >&7      # wait for a probe that holds it briefly
    echo 'BEGIN EXCLUSIVE;' >&7
    _i=0
    while [ $_i -lt 100 ]; do
        if ${LOCK_AS:-} sqlite3 -cmd '.timeout 0' "$1" 'BEGIN IMMEDIATE; ROLLBACK;' 2>&1 |
            grep -q locked; then
            return 0
        fi
        sleep 0.05
        _i=$((_i + 1))
    done
    echo "# could not lock $1: $(cat "$T/.lock.out")"
    unlock_db
    return 1
}

unlock_db() {
    echo 'COMMIT;' >&7
    exec 7>&-
    wait "$_lock_pid"
    _lock_pid=
}

# stat_json DB [OWNER]: twoway stats --json for DB (and OWNER).
stat_json() {
    "$TWOWAY" --db "$1" --owner "${2:-$OWNER}" stats --json
}

# stat_of DB KEY [OWNER]: one number from twoway stats --json.
stat_of() {
    stat_json "$1" "${3:-$OWNER}" 2>/dev/null | jq -r ".$2"
}
