# nor-lib.sh - shell helpers for guest scripts of kernel/test/nor-run.sh,
# shellcheck shell=sh
# installed in the guest as /lib/nor.sh.  Source it: `. /lib/nor.sh`.
# POSIX sh (busybox ash).  Environment set by the guest's init (see
# kernel/test/README.md): NOR_MNT NOR_MOUNTED NOR_RO NOR_RW NOR_RW_BLOCK
# NOR_BASE NOR_RO_SIZE NOR_RW_OFFSET NOR_RW_SIZE NOR_KERNEL.
#
# Verdict lines follow tests/cli/lib.sh: "ok: ..." / "FAIL: ..." / "# ...";
# nor_done exits 1 if any check failed (nor-run.sh then exits 1).

NOR_FAILS=0
NOR_CHECKS=0

nor_ok() { NOR_CHECKS=$((NOR_CHECKS + 1)); echo "ok: $*"; }
nor_fail() { NOR_CHECKS=$((NOR_CHECKS + 1)); NOR_FAILS=$((NOR_FAILS + 1)); echo "FAIL: $*"; }
nor_note() { echo "# $*"; }
# nor_check RC DESC: ok when RC is 0
nor_check() { _rc=$1; shift; if [ "$_rc" = 0 ]; then nor_ok "$@"; else nor_fail "$@"; fi; }
nor_done() {
    if [ "$NOR_FAILS" -gt 0 ]; then
        echo "guest: $NOR_FAILS of $NOR_CHECKS checks failed"; exit 1
    fi
    echo "guest: all $NOR_CHECKS checks passed"; exit 0
}

# nor_ms: monotonic milliseconds
nor_ms() { nor-tool ms; }

# nor_state PID: the state letter of PID (R S D T Z ...), "-" if gone
nor_state() {
    _s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo -; return; }
    _s=${_s##*) }
    echo "${_s%% *}"
}

# nor_running PID: true while PID exists and is not a zombie
nor_running() { _st=$(nor_state "$1"); [ "$_st" != - ] && [ "$_st" != Z ]; }

# nor_wait_exit PID SECS: true if PID ended within SECS (decimal ok, 0.1 s
# steps); then `wait PID` gives its status (it must be a child)
nor_wait_exit() {
    _end=$(( $(nor_ms) + $(echo "$2" | awk '{ printf "%d", $1 * 1000 }') ))
    while nor_running "$1"; do
        [ "$(nor_ms)" -lt "$_end" ] || return 1
        nor-tool pause 100
    done
    return 0
}

# nor_wait_for COND TENTHS: true once the shell command COND succeeds,
# polled every 0.1 s, at most TENTHS times after the first try
nor_wait_for() {
    _n=0
    until eval "$1"; do
        [ $_n -lt "$2" ] || return 1
        nor-tool pause 100
        _n=$((_n + 1))
    done
}

# nor_wait_state PID STATE SECS: true once PID is in STATE (within SECS)
nor_wait_state() {
    _end=$(( $(nor_ms) + $(echo "$3" | awk '{ printf "%d", $1 * 1000 }') ))
    while [ "$(nor_state "$1")" != "$2" ]; do
        [ "$(nor_ms)" -lt "$_end" ] || return 1
        nor-tool pause 100
    done
    return 0
}

# nor_maps PID PATH: one line per mapping of PATH in /proc/PID/smaps:
#   START-END PERMS OFFSET vmflags=rd,ex,...
# A mapping executed in place from the flash has "pf" (VM_PFNMAP, offset =
# physical address, 0xff8xxxxx) or "mm" (VM_MIXEDMAP) in its flags.
nor_maps() {
    awk -v path="$2" '
        /^[0-9a-f]+-[0-9a-f]+ / { on = ($6 == path); range = $1; perms = $2; off = $3; next }
        on && /^VmFlags:/ { f = ""; for (i = 2; i <= NF; i++) f = f (i > 2 ? "," : "") $i
                            print range, perms, off, "vmflags=" f }' "/proc/$1/smaps"
}

# nor_xip_text PID PATH: true if PATH's executable mapping in PID is direct
# (VmFlags pf or mm)
nor_xip_text() {
    nor_maps "$1" "$2" | awk '$2 ~ /x/ && $4 ~ /(=|,)(pf|mm)(,|$)/ { ok = 1 } END { exit !ok }'
}

# nor_text_pages PID PATH: where the present pages of PATH's executable
# mappings in PID are: "present=N flash=F other=O" (flash: in the XIP
# partition, mapped in place; other: in RAM: page cache or copies)
nor_text_pages() {
    nor_maps "$1" "$2" | awk '$2 ~ /x/ { split($1, r, "-"); print r[1], r[2] }' |
        while read -r _s _e; do
            nor-tool pagemap "$1" "0x$_s" "0x$_e" "$NOR_BASE" "$NOR_RO_SIZE"
        done |
        awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); t[kv[1]] += kv[2] } }
             END { printf "present=%d flash=%d other=%d\n", t["present"], t["flash"], t["other"] }'
}

# nor_stack PID: where PID sleeps: "wchan NAME" and its kernel stack lines
nor_stack() {
    echo "wchan $(cat "/proc/$1/wchan" 2>/dev/null)"
    sed 's/^/stack /' "/proc/$1/stack" 2>/dev/null
}

# nor_hung_fast SECS: report tasks blocked for SECS (checked every second)
nor_hung_fast() {
    echo "$1" >/proc/sys/kernel/hung_task_timeout_secs
    echo 1 >/proc/sys/kernel/hung_task_check_interval_secs
}

# nor_dump_blocked: all D-state tasks with their stacks to the kernel log
# (nor-run.sh shows them as kmsg lines)
nor_dump_blocked() { echo w >/proc/sysrq-trigger; }

# nor_kmsg TEXT: a line in the kernel log (marks a point among kmsg lines)
nor_kmsg() { echo "<5>guest: $*" >/dev/kmsg; }

# nor_status_probe FILE SECONDS: start status-probe (ARM boards,
# kernel/test/arm/status-probe.c) on a shared mapping of FILE, output in
# /tmp/probe.out, stopped by /tmp/stop; P is its pid.  Checks that its
# idle copy is the file and that the mapping is in place (pagemap; prints
# a "probe-map" line)
nor_status_probe() {
    status-probe "$1" /tmp/stop "$2" >/tmp/probe.out 2>&1 &
    P=$!
    nor_wait_for 'grep -q "^status-probe ready" /tmp/probe.out' 100
    grep '^status-probe ready' /tmp/probe.out
    grep -q '^status-probe ready .* ref=read-ok' /tmp/probe.out
    nor_check $? "the reader's copy of its mapping (chip idle) is the file (read())"
    _range=$(nor_maps $P "$1" | awk '$2 == "r--s" { split($1, r, "-"); print r[1], r[2] }')
    pm=$(nor-tool pagemap $P 0x${_range% *} 0x${_range#* } $NOR_BASE $NOR_RO_SIZE)
    echo "probe-map $(nor_maps $P "$1") $pm"
    echo "$pm" | grep -q ' flash=[1-9]'
    nor_check $? "the reader's shared mapping of busybox is in place ($pm)"
}
