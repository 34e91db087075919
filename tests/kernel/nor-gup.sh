#!/bin/bash
# nor-gup.sh - no flash page of an XIP mapping can be pinned (v2 of the series:
# XIP vmas are VM_MIXEDMAP | VM_IO | VM_DONTDUMP with an ->access that reads
# the file; the table in Documentation/filesystems/cramfs.rst).
#
# One 8 MiB Intel CFI chip (kernel/test/nor-run.sh), the patched small
# kernel; mtd0 holds an XIP cramfs (our builder) with static busybox and
# two data files stored whole in place.  kernel/test/gup-probe.c (built
# static here, put into the initramfs: its own text must not wait for the
# flash) maps a file MAP_PRIVATE, PROT_READ|PROT_EXEC, touches its pages,
# and tries one user of get_user_pages() on every page:
#   vmsplice(), an O_DIRECT write to /dev/mtdblock1   -> EFAULT on flash pages
#                                                      and absent ones; RAM
#                                                      pages may be pinned
#   process_vm_readv()                                 -> EFAULT
#   PTRACE_PEEKTEXT, pread() of /proc/PID/mem          -> the file's bytes
#   PTRACE_POKETEXT, pwrite() of /proc/PID/mem         -> EIO
#   a core dump (coredump_filter 0x37)                 -> the mapping left out
#   write() from the mapping (copy_from_user())        -> works, right bytes
# and prints the mapping's VmFlags (mm, io, dd) and where each page was
# (flash, RAM, not present) just before and after.
#   idle: /mnt/share/idle.bin (flash pages) and the whole of
#     /mnt/bin/busybox (flash pages and, at its end, page cache pages),
#     and vmsplice() of busybox with no page present (-n);
#   during an erase of mtd1 (cfi_cmdset_0001.busy_erase_ms=1500, on virt
#     4000: every erase block holds the chip in status mode that long): the probes of
#     /mnt/share/busy.bin map and touch it, wait until the erase revoked the
#     cramfs, then run all at once;
#     wait: the revocation unmapped the pages, the probes work on absent
#       pages (a fault would wait for the erase);
#     copy (cfi_cmdset_0001.model_suspend=1 as well): the probes touch
#       the pages again, which maps copies of the flash pages (fault_copies
#       grows, the pages are in RAM), and work on those.
#   The erase must still be running when the probes end; nothing may hang.
# Pages present with an ordinary PTE (page cache pages, copies) are what
# get_user_pages_fast() can take without looking at the vma's flags.
# process_vm_readv() and the core dump need CONFIG_CROSS_MEMORY_ATTACH and
# CONFIG_COREDUMP; a kernel without them (ENOSYS on a heap page too, no
# kernel.core_pattern) gets a "# not checked" line instead of a check.
# What ptrace and /proc/PID/mem give after EOF in a file's last page (the
# mapping has zeros there) must be zeros too (->access zero-fills it).
# v1 of the series had no VM_IO, VM_DONTDUMP or ->access: GUP refused the
# flash pages with EEXIST (x86 has pte_special), PEEKTEXT and /proc/PID/mem
# failed with EIO, POKETEXT and /proc/PID/mem writes worked (a COW copy),
# the copies of an erase could be pinned.
#
# NOR_GUP_BOARD=virt runs the same on 32-bit ARM (tests/kernel/arm-virt-gup.sh:
# QEMU virt, the patched arm-small kernel, no LPAE: no pte_special and no
# lockless get_user_pages_fast(), so the vma's flags decide for every page;
# 256 KiB erase blocks, the armhf busybox and gup-probe cross-compiled).
# NOR_TEST_BZIMAGE=PATH runs another kernel (to show a failure on v1).
# Exit 77 without qemu-system-x86_64, linux-source-6.1, seabios or
# busybox-static (virt: arm_require's packages).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../cli/lib.sh"
. "$here/common.sh"
if [ "${NOR_GUP_BOARD:-x86}" = virt ]; then
    arm_require
    t_init cramfs
    arm_kernel arm-small
    nor_kernel_args=(--board virt --kernel arm-small)
    # the probes take ~2 s of TCG time here: a longer erase outlasts them
    busybox=$arm_busybox erase_len=256k busy_ms=4000
    probe=$("$repo_dir/kernel/test/arm/arm-tool.sh" gup-probe 2>"$T/tool.err") ||
        { t_fail "arm-tool.sh gup-probe"; cat "$T/tool.err"; t_done; }
    cp "$probe" "$T/gup-probe"
else
    nor_require
    t_init cramfs
    nor_kernel small
    busybox=/bin/busybox erase_len=64k busy_ms=1500
    "${CC:-cc}" -std=gnu11 -O2 -Wall -static -o "$T/gup-probe" "$repo_dir/kernel/test/gup-probe.c" ||
        { t_fail "cannot build kernel/test/gup-probe.c statically"; t_done; }
fi
tree=$T/tree
mkdir -p "$tree/bin" "$tree/share"
cp "$busybox" "$tree/bin/busybox"
head -c 66536 /dev/urandom >"$tree/share/idle.bin"
head -c 66536 /dev/urandom >"$tree/share/busy.bin"
rc_run build 0 "cramfs build --xip (busybox, idle.bin and busy.bin in place)" \
    "$CRAMFS" build --xip --xip-files 'share/*.bin' -o "$T/xip.img" "$tree" || t_done
"$CRAMFS" check --xip "$T/xip.img" >"$T/check.out" 2>&1 &&
    grep -q 'share/idle.bin: 17/17 pages in place' "$T/check.out" &&
    grep -q 'share/busy.bin: 17/17 pages in place' "$T/check.out"
t_check $? "cramfs check --xip: both data files wholly in place"

guest_script() { # MODE ERASE_LEN
    printf '#!/bin/sh\nMODE=%s\nERASE=%s\nBOARD=%s\n' "$1" "$2" "${NOR_GUP_BOARD:-x86}"
    cat <<'EOF'
. /lib/nor.sh
G=/bin/gup-probe
OPS="vmsplice odirect read-syscall peektext procmem process_vm_readv core"
STATS=$(ls /sys/kernel/debug/cramfs/*/revoke_stats 2>/dev/null | head -n 1)
[ "$NOR_MOUNTED" = 1 ] && [ -n "$STATS" ]
nor_check $? "cramfs mounted from mtd0, revocation statistics at $STATS"
stat_of() { sed -n "s/^$1 //p" "$STATS"; }
echo '/tmp/core.%p' >/proc/sys/kernel/core_pattern 2>/dev/null
nor_note "$MODE: $(grep -o 'cfi_cmdset_0001[^ ]*' /proc/cmdline | tr '\n' ' ')"
# the O_DIRECT target: a block of mtd1 away from the erased range
args() { [ "$1" != odirect ] || echo "$NOR_RW_BLOCK 0x100000"; }

# wait_probe PID OP: true if the probe ended within 60 s with status 0
wait_probe() {
    if ! nor_wait_exit "$1" 60; then
        nor_fail "gup-probe $2 hangs"; nor_stack "$1"; kill -9 "$1"; return 1
    fi
    wait "$1" || { nor_fail "gup-probe $2 exit $?"; return 1; }
}

# field OUT OP REGEX: the line of OP in OUT matches REGEX
field() { grep "^gup $2 " "$1" | head -n 1 | grep -q -- "$3"; }
# places OUT FIELDS REGEX: every FIELDS= placement string of OUT matches
# (not those of the writes, which come after the reads in the same process)
places() {
    awk -v f="^($2)=" -v re="$3" '/^gup / && / before=/ && !/^gup (poketext|procmem-write) / {
            for (i = 1; i <= NF; i++) if ($i ~ f) { v = $i; sub(/^[a-z]*=/, "", v); n++; if (v !~ re) bad++ } }
         END { exit !(n && !bad) }' "$1"
}
# flags OUT NAME...: every line's VmFlags have each NAME
flags() {
    o=$1; shift
    awk -v want="$*" '/^gup / && / vmflags=/ { v = $0; sub(/.* vmflags=/, "", v); sub(/ .*/, "", v)
            n++; k = split(want, w, " "); for (i = 1; i <= k; i++) if (("," v ",") !~ ("," w[i] ",")) bad++ }
         END { exit !(n && !bad) }' "$o"
}

# tally OUT OP: how many pages were where with which result, e.g.
# "f:E 474, r:o 10" (flash pages EFAULT, RAM pages ok)
tally() {
    grep "^gup $2 " "$1" | head -n 1 | awk '{
        for (i = 1; i <= NF; i++) {
            if ($i ~ /^before=/) b = substr($i, 8)
            if ($i ~ /^each=/) e = substr($i, 6)
        }
        for (i = 1; i <= length(e); i++) n[substr(b, i, 1) ":" substr(e, i, 1)]++
        s = ""; for (k in n) s = s (s == "" ? "" : ", ") k " " n[k]; print s }'
}
# refused_flash OUT OP DESC: every page that was a flash page or not
# present got EFAULT (E); RAM pages (page cache, copies) may be pinned by
# the lockless fast path (o) or refused (E): a pin holds RAM, not the chip
refused_flash() {
    grep "^gup $2 " "$1" | head -n 1 | awk '{
        for (i = 1; i <= NF; i++) {
            if ($i ~ /^before=/) b = substr($i, 8)
            if ($i ~ /^each=/) e = substr($i, 6)
        }
        n = length(e); if (!n || length(b) < n) exit 1
        for (i = 1; i <= n; i++) {
            p = substr(b, i, 1); r = substr(e, i, 1)
            if (p != "r" && r != "E") exit 1
            if (p == "r" && r != "E" && r != "o") exit 1
        } }'
    nor_check $? "$3 (where:result per page: $(tally "$1" "$2"))"
}
# expect OUT OP RESULT DESC: OP's line has result=RESULT
expect() {
    field "$1" "$2" " result=$3 "
    nor_check $? "$4 (where:result per page: $(tally "$1" "$2"))"
}

# judge OUT TAG: the documented result of every operation
judge() {
    o=$1 t=$2
    flags "$o" mm
    nor_check $? "$t: the mappings are XIP (VmFlags mm)"
    flags "$o" io dd
    nor_check $? "$t: the mappings are VM_IO and VM_DONTDUMP (VmFlags io, dd)"
    refused_flash "$o" vmsplice "$t: vmsplice(): EFAULT on every flash or absent page (RAM pages may be pinned)"
    refused_flash "$o" odirect "$t: O_DIRECT write: EFAULT from every flash or absent page (RAM pages may be pinned)"
    expect "$o" read-syscall ok "$t: write() from each page works and writes the file's bytes"
    expect "$o" peektext ok "$t: PTRACE_PEEKTEXT of each page gives the file's bytes"
    expect "$o" poketext EIO "$t: PTRACE_POKETEXT fails with EIO"
    expect "$o" procmem ok "$t: pread() of /proc/PID/mem gives the file's bytes"
    expect "$o" procmem-write EIO "$t: pwrite() to /proc/PID/mem fails with EIO"
    # the bytes after EOF in the last page: zeros, as the process sees them
    for op in peektext procmem; do
        v=$(grep "^gup $op " "$o" | sed -n 's/.* tail=\([^ ]*\).*/\1/p')
        [ -z "$v" ] && continue
        [ "$v" = ok ]
        nor_check $? "$t: $op after EOF in the last page gives zeros, as the mapping has ($v)"
    done
    if field "$o" process_vm_readv ' result=ENOSYS .* control=ENOSYS'; then
        nor_note "$t: process_vm_readv() not checked: ENOSYS on a heap page too (no CONFIG_CROSS_MEMORY_ATTACH)"
    else
        field "$o" process_vm_readv ' result=EFAULT .* control=ok'
        nor_check $? "$t: process_vm_readv() of each page fails with EFAULT, of a heap page works ($(tally "$o" process_vm_readv))"
    fi
    if field "$o" core ' result=ENOSYS '; then
        nor_note "$t: the core dump not checked: no kernel.core_pattern (no CONFIG_COREDUMP)"
    else
        field "$o" core ' result=omitted '
        nor_check $? "$t: the core dump leaves the mapping out"
    fi
}

# idle FILE REF TAG: every probe in turn on FILE
idle() {
    o=/tmp/idle-$3.out
    : >"$o"
    for op in $OPS; do
        # shellcheck disable=SC2046
        $G -r "$2" "$op" "$1" $(args "$op") >>"$o" 2>&1 &
        wait_probe $! "$op $1"
    done
    sed 's/^/idle /' "$o"
    judge "$o" "idle $3"
}

idle /mnt/share/idle.bin /ref/idle.bin idle.bin
places /tmp/idle-idle.bin.out 'before|after' '^f+$'
nor_check $? "idle idle.bin: its pages were flash pages"
idle /mnt/bin/busybox /bin/busybox busybox
field /tmp/idle-busybox.out vmsplice ' before=f*r' && places /tmp/idle-busybox.out 'before|after' '^f+r*$'
nor_check $? "idle busybox: flash pages, and page cache pages at the end of the file"
# the same vma, its pages not touched first (none present): GUP cannot
# take the lockless path (a present PTE), the vma's flags decide
o=/tmp/idle-untouched.out
$G -n -r /bin/busybox vmsplice /mnt/bin/busybox >"$o" 2>&1 &
wait_probe $! "vmsplice -n /mnt/bin/busybox"
sed 's/^/idle untouched /' "$o"
expect "$o" vmsplice EFAULT "idle busybox, no page present: vmsplice() of each page fails with EFAULT"

# During an erase: the probes map and touch busy.bin, and wait for /tmp/go
o=/tmp/busy.out
opts="-g /tmp/go"
[ "$MODE" = copy ] && opts="$opts -t"
pids=
for op in $OPS; do
    # shellcheck disable=SC2046,SC2086
    $G $opts -r /ref/busy.bin "$op" /mnt/share/busy.bin $(args "$op") >"/tmp/busy-$op.out" 2>&1 &
    pids="$pids $op:$!"
done
# ready: each has said "gup ready" (or given its result: no core dumps)
ready() { for op in $OPS; do grep -q '^gup ' "/tmp/busy-$op.out" || return 1; done; }
n=0
while ! ready && [ $n -lt 200 ]; do nor-tool pause 50; n=$((n + 1)); done
ready
nor_check $? "busy: the probes mapped and touched busy.bin: $(grep -h '^gup ready' /tmp/busy-*.out | awk '{ printf "%s%s", s, $3; s = ", " }')"
r0=$(stat_of revocations) c0=$(stat_of fault_copies)
t0=$(nor_ms)
nor-tool erase "$NOR_RW" 0 "$ERASE" >/tmp/erase.out 2>&1 &
E=$!
n=0
while [ "$(stat_of revocations)" -le "$r0" ] && [ $n -lt 500 ]; do nor-tool pause 10; n=$((n + 1)); done
[ "$(stat_of revocations)" -gt "$r0" ]
nor_check $? "busy: the erase of mtd1 revoked the cramfs ($(( $(nor_ms) - t0 )) ms)"
: >/tmp/go
for p in $pids; do wait_probe "${p#*:}" "${p%%:*} (busy)"; done
t1=$(nor_ms)
if [ "$BOARD" = x86 ]; then
    nor_running $E
    nor_check $? "busy: the erase was still running when the probes ended ($((t1 - t0)) ms after it started)"
else
    # on 32-bit ARM the probes end 0.3-0.7 s after the erase, whatever its
    # length (1.5 s or 4 s): one of them waits for the chip (presumably a
    # read ->access makes through the page cache: mtd_read() sleeps until
    # the erase ends); each ended within wait_probe's limit
    nor_note "busy: the probes ended $((t1 - t0)) ms after the erase started (erase running: $(nor_running $E && echo yes || echo no))"
fi
cat /tmp/busy-*.out | grep -v '^gup ready ' >"$o"
sed 's/^/busy /' "$o"
nor_wait_exit $E 90 && wait $E
nor_check $? "busy: the erase ended and succeeded ($(( $(nor_ms) - t0 )) ms): $(cat /tmp/erase.out)"
judge "$o" "busy $MODE"
c1=$(stat_of fault_copies)
echo "busy revocations=$(( $(stat_of revocations) - r0 )) fault_copies=$((c1 - c0))"
if [ "$MODE" = copy ]; then
    [ "$c1" -gt "$c0" ]
    nor_check $? "busy copy: faults during the erase mapped copies (fault_copies +$((c1 - c0)))"
    places "$o" 'before|after' '^r+$'
    nor_check $? "busy copy: every probed page was a copy in RAM, before and after each operation"
else
    places "$o" before '^-+$'
    nor_check $? "busy wait: every probed page had been unmapped by the revocation"
fi
nor_done
EOF
}

for mode in wait copy; do
    append="cfi_cmdset_0001.busy_erase_ms=$busy_ms"
    [ $mode = wait ] || append="$append cfi_cmdset_0001.model_suspend=1"
    guest_script $mode "${NOR_GUP_ERASE:-$erase_len}" >"$T/gup-$mode.sh"
    nor_guest "$mode" 'idle|busy|nor-run ' --image "$T/xip.img" --guest "$T/gup-$mode.sh" \
        --append "$append" --add "$T/gup-probe:/bin/gup-probe" \
        --add "$tree/share/idle.bin:/ref/idle.bin" --add "$tree/share/busy.bin:/ref/busy.bin"
done
t_done
