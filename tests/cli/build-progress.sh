#!/usr/bin/env bash
# Progress of `cramfs build` (issue 13, item 8), as mksquashfs shows it: on
# a terminal (script(1) gives the build one) a bar with done/total,
# percentage and time left, redrawn at most 10 times a second, completed
# at the end with the time taken; on a failure the line is erased so the
# error starts clean; nothing at all when stderr is not a terminal.  Limit
# warnings (a file over 16 MiB) come before the first frame, that is
# before any data is written.
. "$(dirname "$0")/lib.sh"
t_init cramfs
command -v script > /dev/null || t_skip "script (util-linux) not installed"

# 24,000,000 bytes (22 whole MiB) of incompressible data, compressed on one
# thread at the highest level: long enough (over half a second here) for
# frames between 0 and 100%.
mkdir -p "$T/tree"
for i in 1 2 3 4 5 6; do head -c 4000000 /dev/urandom > "$T/tree/r$i"; done
mkdir -p "$T/big"
cp "$T/tree"/r* "$T/big/"
truncate -s 17M "$T/big/huge"

# on_tty NAME CMD: run CMD with a terminal; its output (stdout and stderr
# together, as the terminal showed them) in $T/NAME.tty, frames split at
# carriage returns into $T/NAME.frames.
on_tty() {
    local name=$1 t0 t1
    shift
    t0=$(date +%s%N)
    script -qec "$*" /dev/null > "$T/$name.tty" < /dev/null
    echo $? > "$T/$name.rc"
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000000 )) > "$T/$name.ms"
    tr '\r' '\n' < "$T/$name.tty" | grep -a '^writing \[' > "$T/$name.frames"
}

on_tty ok "'$CRAMFS' build --all-root -j 1 --level 12 -o '$T/ok.img' '$T/tree'"
[ "$(cat "$T/ok.rc")" = 0 ]
t_check $? "terminal: the build succeeds"
grep -aqE '^writing \[=+\] +22/22 MiB 100%  took [0-9]+:[0-9]{2} *$' "$T/ok.frames"
t_check $? "terminal: the last frame is complete (22/22 MiB, 100%, time taken)"
[ "$(tail -c 1 "$T/ok.tty" | od -An -c | tr -d ' ')" = '\n' ]
t_check $? "terminal: the completed bar ends its line"
grep -aqE '^writing \[=*>? *\] +[0-9]+/22 MiB +[0-9]+%  ETA +[0-9]+:[0-9]{2}' "$T/ok.frames"
t_check $? "terminal: frames in between show done/total, percentage and ETA"
frames=$(wc -l < "$T/ok.frames")
max=$(( $(cat "$T/ok.ms") / 100 + 2 ))
[ "$frames" -ge 3 ] && [ "$frames" -le "$max" ]
t_check $? "terminal: $frames frames in $(cat "$T/ok.ms") ms (at most 10 a second, plus first and last)"
[ "$(awk '{ print length($0) }' "$T/ok.frames" | sort -u | wc -l)" = 1 ]
t_check $? "terminal: every frame has the same width"

# Warnings first: the 17 MiB file's warning precedes the first frame.
on_tty warn "'$CRAMFS' build --all-root -j 1 -o '$T/warn.img' '$T/big'"
tr '\r' '\n' < "$T/warn.tty" | grep -an -m1 'only the first 16777215 are stored' | cut -d: -f1 > "$T/warn.at"
tr '\r' '\n' < "$T/warn.tty" | grep -an -m1 '^writing \[' | cut -d: -f1 > "$T/bar.at"
[ -s "$T/warn.at" ] && [ -s "$T/bar.at" ] && [ "$(cat "$T/warn.at")" -lt "$(cat "$T/bar.at")" ]
t_check $? "terminal: the 16 MiB limit warning comes before the first frame"

# A failure (a file size limit) erases the bar: the error starts a line.
on_tty fail "ulimit -f 4096; exec '$CRAMFS' build --all-root -j 1 -o '$T/fail.img' '$T/tree'"
[ "$(cat "$T/fail.rc")" = 8 ]
t_check $? "terminal: a failing build exits 8"
tr '\r' '\n' < "$T/fail.tty" | grep -aq "^cramfs: $T/fail.img: error: cannot write the image: File too large"
t_check $? "terminal: the error is on a line of its own"
! grep -aq '100%' "$T/fail.tty"
t_check $? "terminal: a failed build does not show 100%"

# No terminal: not a byte of progress.
"$CRAMFS" build --all-root -j 1 -o "$T/quiet.img" "$T/tree" 2> "$T/quiet.err" < /dev/null
t_check $? "no terminal: the build succeeds"
[ ! -s "$T/quiet.err" ]
t_check $? "no terminal: nothing on stderr"
"$CRAMFS" build --all-root -j 1 -o "$T/quiet2.img" "$T/big" 2> "$T/quiet2.err" < /dev/null
[ "$(wc -l < "$T/quiet2.err")" = 1 ] && ! grep -q 'writing' "$T/quiet2.err"
t_check $? "no terminal: only the warning line"
# --json on a terminal: the summary, no bar.
on_tty json "'$CRAMFS' build --all-root --json -j 1 -o '$T/json.img' '$T/tree'"
[ ! -s "$T/json.frames" ] && grep -aq '"image_size"' "$T/json.tty"
t_check $? "terminal with --json: no bar"
t_done
