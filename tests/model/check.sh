#!/usr/bin/env bash
# check.sh: verify the Spin model of the kernel revocation protocol as v2
# of kernel/patches/ implements it (revoke.pml, README.md; the file numbers
# of the 14-patch v2): the brackets (0002, 0003) and the cramfs gate (0007;
# its read sections 0005, its fault-time mapping 0006), bursts with the
# restore worker (0002), copies during an erase that reads suspend (0010,
# with its acquire; reads served: 0002, 0003; the busy chip and its erase
# suspend are 0015's), and check that every seeded bug is caught, among
# them every barrier removed (the reordering it allows, modelled).  What
# of v2 the model leaves out (the range, yield, opt-in, suspend, removal;
# 0004, 0008, 0009, 0011, 0016; 0014's knobs are seeded bugs): README.md.
# One "ok:"/"FAIL:" line per check, then a summary.
#
#   bash tests/model/check.sh
#
# Exit 0: every expectation held (the implementation passes every property,
# each seeded bug fails the property it breaks); 1: some did not; 77: spin or a C
# compiler is missing.
#
# Environment:
#   CC=gcc            compiler for pan.c
#   MODEL_JOBS=2      checks run in parallel
#   MODEL_FULL=1      add the slow runs (erase suspend liveness with bursts
#                     and LOST; 3 consumers): about 13 min, up to 3 GB
#                     (see README.md)
#   MODEL_TRAILS=1    print the counterexample of every expected failure
set -u

here=$(cd "$(dirname "$0")" && pwd)
model=$here/revoke.pml
cc=${CC:-gcc}
jobs=${MODEL_JOBS:-2}

if ! command -v spin >/dev/null 2>&1; then
	echo "SKIP: spin not found (Debian package 'spin')"
	exit 77
fi
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "SKIP: C compiler '$cc' not found"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/spin-model.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# The checks: name | expectation | mode | spin -D options.
#   mode      safety: assertions (S1, S2, S3 at every state, S1 at every
#                     load) and invalid end states (deadlock), -DSAFETY;
#             l1, l2: the LTL claims l1_writer / l2_waiter, acceptance
#                     cycles under weak fairness (pan -a -f).
#   expect    pass, or the failure that must be found:
#             S1 / S2 / S3 (assertion naming the chip / inflight / cpte),
#             deadlock (invalid end state), cycle (the LTL property is
#             violated).
checks=(
	# the series as implemented (0001-0003, 0005-0007), 2 consumers, 2
	# write brackets; restore may fail to point again (LOST gate); bursts:
	# each restore at the end of its bracket or later from the worker (0002)
	"impl/safety|pass|safety|-DNC=2"
	"impl/L1-writer-progress|pass|l1|-DNC=2"
	"impl/L2-waiter-progress|pass|l2|-DNC=2"
	# with 0015's busy hold and erase suspend for mtd_read(), and the
	# 0010 copies during an erase (S3).  Liveness with copies
	# is checked without bursts here (bursts: impl/L*), together in
	# MODEL_FULL
	"suspend/safety|pass|safety|-DNC=2 -DERASE_SUSPEND"
	"suspend/L1-writer-progress|pass|l1|-DNC=2 -DERASE_SUSPEND -DNO_BURST"
	"suspend/L2-waiter-progress|pass|l2|-DNC=2 -DERASE_SUSPEND -DNO_BURST"
	# seeded bugs: each must be caught
	"bug/NO_PRECHECK|cycle|l1|-DNC=2 -DNO_PRECHECK"
	"bug/NO_PRECHECK+suspend|cycle|l1|-DNC=2 -DNO_PRECHECK -DERASE_SUSPEND -DNO_COPY"
	"bug/UNMAP_BEFORE_DRAIN|S1|safety|-DNC=2 -DUNMAP_BEFORE_DRAIN"
	"bug/NO_RECHECK|S1|safety|-DNC=2 -DNO_RECHECK"
	"bug/NO_DRAIN|S1|safety|-DNC=2 -DNO_DRAIN"
	"bug/NO_UNMAP|S1|safety|-DNC=2 -DNO_UNMAP"
	"bug/LOST_AS_OPEN|S1|safety|-DNC=2 -DLOST_AS_OPEN"
	"bug/LOST_WAKEUP|cycle|l1|-DNC=2 -DLOST_WAKEUP"
	"bug/LOST_WAKEUP-deadlock|deadlock|safety|-DNC=2 -DLOST_WAKEUP"
	"bug/NO_WAKE_ALL|deadlock|safety|-DNC=2 -DNO_WAKE_ALL"
	"bug/NO_WAKE_ALL-L2|cycle|l2|-DNC=2 -DNO_WAKE_ALL"
	"bug/WAKE_BEFORE_OPEN|deadlock|safety|-DNC=2 -DWAKE_BEFORE_OPEN"
	"bug/WAIT_FOR_OPEN|deadlock|safety|-DNC=2 -DWAIT_FOR_OPEN"
	"bug/WAIT_FOR_OPEN-L2|cycle|l2|-DNC=2 -DWAIT_FOR_OPEN"
	"bug/NAIVE_WAIT|deadlock|safety|-DNC=2 -DNAIVE_WAIT"
	"bug/NO_UNPOINT|deadlock|safety|-DNC=2 -DNO_UNPOINT"
	# bursts (0002)
	"bug/STALE_REVOKED|cycle|l1|-DNC=2 -DSTALE_REVOKED"
	"bug/RESTORE_SKIPS_LOCK|cycle|l1|-DNC=2 -DRESTORE_SKIPS_LOCK -DNO_LOST"
	"bug/NO_ARM|deadlock|safety|-DNC=2 -DNO_ARM"
	"bug/NO_ARM-L2|cycle|l2|-DNC=2 -DNO_ARM"
	# copies during a suspendable erase (0002, 0003, 0010)
	"bug/NO_ZAP|S3|safety|-DNC=2 -DERASE_SUSPEND -DNO_ZAP"
	"bug/NO_COPY_RECHECK|S3|safety|-DNC=2 -DERASE_SUSPEND -DNO_COPY_RECHECK"
	"bug/NO_COPY_WAIT|S3|safety|-DNC=2 -DERASE_SUSPEND -DNO_COPY_WAIT"
	"bug/COPIED_AFTER_DONE|S3|safety|-DNC=2 -DERASE_SUSPEND -DCOPIED_AFTER_DONE"
	"bug/ZAP_BEFORE_REOPEN|S3|safety|-DNC=2 -DERASE_SUSPEND -DZAP_BEFORE_REOPEN"
	"bug/NO_COPY_WAKE|cycle|l1|-DNC=2 -DERASE_SUSPEND -DNO_COPY_WAKE"
	# barriers: each removal lets the CPU reorder the accesses it orders
	# (HOIST() in revoke.pml); SB: store buffering, MP: message passing.
	# SB close / announce
	"bug/NO_CLOSE_MB|S1|safety|-DNC=2 -DNO_CLOSE_MB"
	"bug/NO_ANNOUNCE_MB|S1|safety|-DNC=2 -DNO_ANNOUNCE_MB"
	# MP put / drain
	"bug/NO_PUT_MB|S1|safety|-DNC=2 -DNO_PUT_MB"
	"bug/NO_DRAIN_MB|S1|safety|-DNC=2 -DNO_DRAIN_MB"
	# MP reopen / re-check
	"bug/NO_REOPEN_RELEASE|S1|safety|-DNC=2 -DNO_REOPEN_RELEASE"
	"bug/NO_ACQUIRE_RECHECK|S1|safety|-DNC=2 -DNO_ACQUIRE_RECHECK"
	# SB reopen / copy announce
	"bug/NO_ZAP_MB|S3|safety|-DNC=2 -DERASE_SUSPEND -DNO_ZAP_MB"
	"bug/NO_COPY_MB|S3|safety|-DNC=2 -DERASE_SUSPEND -DNO_COPY_MB"
	# MP copy done / zap: v1's plain atomic_read() of copying (0010 reads
	# it with an acquire; the other
	# side, a relaxed decrement, is bug/COPIED_AFTER_DONE)
	"bug/NO_ZAP_ACQUIRE|S3|safety|-DNC=2 -DERASE_SUSPEND -DNO_ZAP_ACQUIRE"
)
if [ "${MODEL_FULL:-0}" = 1 ]; then
	checks+=(
		"full/suspend/L1-writer-progress|pass|l1|-DNC=2 -DERASE_SUSPEND"
		"full/suspend/L2-waiter-progress|pass|l2|-DNC=2 -DERASE_SUSPEND"
		"full/safety-3-consumers|pass|safety|-DNC=3"
		"full/L1-writer-progress-3-consumers|pass|l1|-DNC=3 -DNO_BURST"
		"full/L2-waiter-progress-3-consumers|pass|l2|-DNC=3 -DNO_BURST"
		"full/suspend/safety-3-consumers|pass|safety|-DNC=3 -DERASE_SUSPEND -DNO_BURST"
	)
fi

# run_check INDEX: verify one check in its own directory, write one result
# line to $tmp/INDEX.res ("ok: ..." or "FAIL: ...").
run_check()
{
	local i=$1 name expect mode defs dir cflags panflags hash err kind info
	IFS='|' read -r name expect mode defs <<<"${checks[$i]}"
	dir=$tmp/$i
	mkdir -p "$dir" && cp "$model" "$dir/revoke.pml" && cd "$dir" || return

	# a pass searches the whole state space: -O1 (compiling pan.c with
	# -O2 costs more than it saves); a seeded bug stops at its (early)
	# counterexample: -O0 and a smaller hash table
	if [ "$expect" = pass ]; then
		cflags="-O1 -w -pipe -g0" hash=-w23
	else
		cflags="-O0 -w -pipe -g0" hash=-w20
	fi
	# 3 consumers: tens of millions of states, compress them, and stop
	# (incomplete: FAIL) rather than take more than 8 GB
	[[ $defs == *-DNC=3* ]] && cflags+=" -DCOLLAPSE -DMEMLIM=8000" hash=-w26
	case $mode in
	safety)
		cflags+=" -DSAFETY -DNOCLAIM"
		# a seeded bug: breadth first, for the shortest counterexample
		[ "$expect" != pass ] && cflags+=" -DBFS"
		panflags="-m200000 $hash"
		;;
	l1 | l2)
		defs+=" -DNO_MONITOR"
		panflags="-a -f -m200000 $hash -N"
		[ "$mode" = l1 ] && panflags+=" l1_writer" || panflags+=" l2_waiter"
		;;
	esac

	# shellcheck disable=SC2086
	if ! spin -a $defs revoke.pml >spin.log 2>&1; then
		echo "FAIL: $name: spin -a $defs: $(tail -n 1 spin.log)" >"$tmp/$i.res"
		return
	fi
	# shellcheck disable=SC2086
	if ! "$cc" $cflags -o pan pan.c >cc.log 2>&1; then
		echo "FAIL: $name: $cc $cflags pan.c: $(tail -n 1 cc.log)" >"$tmp/$i.res"
		return
	fi
	# shellcheck disable=SC2086
	./pan $panflags >pan.log 2>&1

	err=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' pan.log | tail -n 1)
	info="$(sed -n 's/^ *\([0-9.e+]*\) states, stored.*/\1 states/p' pan.log | head -n 1)"
	info+=", $(sed -n 's/^pan: elapsed time \([0-9.e+]*\) seconds/\1 s/p' pan.log)"
	info="[$mode $defs: $info]"
	if [ -z "$err" ]; then
		echo "FAIL: $name: pan gave no verdict $info: $(tail -n 1 pan.log)" >"$tmp/$i.res"
		return
	fi
	# pan stops at the first error ("Search not completed"); a pass
	# needs the whole state space
	if [ "$err" = 0 ] &&
		grep -q -e 'Search not completed' -e 'max search depth too small' pan.log; then
		echo "FAIL: $name: search incomplete $info" >"$tmp/$i.res"
		return
	fi

	# classify the first error pan reported
	kind=none
	if grep -q '^pan:1: assertion violated.*chip' pan.log; then kind=S1
	elif grep -q '^pan:1: assertion violated.*inflight' pan.log; then kind=S2
	elif grep -q '^pan:1: assertion violated.*cpte' pan.log; then kind=S3
	elif grep -q '^pan:1: assertion violated' pan.log; then kind=assert
	elif grep -q '^pan:1: invalid end state' pan.log; then kind=deadlock
	elif grep -q '^pan:1: acceptance cycle' pan.log; then kind=cycle
	elif [ "$err" != 0 ]; then kind=other
	fi

	if [ "$expect" = pass ]; then
		if [ "$err" = 0 ]; then
			echo "ok: $name: 0 errors $info" >"$tmp/$i.res"
		else
			echo "FAIL: $name: $kind $info: $(grep -m1 '^pan:1:' pan.log)" >"$tmp/$i.res"
		fi
	elif [ "$kind" = "$expect" ]; then
		echo "ok: $name: caught ($kind) $info: $(grep -m1 '^pan:1:' pan.log | cut -c1-160)" >"$tmp/$i.res"
	else
		echo "FAIL: $name: expected $expect, got $kind ($err errors) $info" >"$tmp/$i.res"
	fi

	if [ "${MODEL_TRAILS:-0}" = 1 ] && [ "$err" != 0 ]; then
		# shellcheck disable=SC2086
		# one line per step: "pid proctype line [statement]"
		# (pid 1 writer, 2 worker, 3.. consumer me = pid - 3, then the
		# monitor; with -DNO_BURST no worker: consumers from pid 2)
		spin -t -p $defs revoke.pml 2>&1 |
			sed -E -n -e '/START OF CYCLE|Error|text of failed/p' \
				-e 's/^ *[0-9]+:[[:space:]]+proc +([0-9]+) \(([^)]*):[0-9]+\) [^:]*:([0-9]+) \(state [0-9]+\)/\1 \2 \3/p' |
			grep -v -e '\[(1)\]' -e '\[else\]' -e 'valid end state' |
			tail -n 60 >"$tmp/$i.trail"
	fi
}

start=$SECONDS
running=0
for i in "${!checks[@]}"; do
	(run_check "$i") &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

pass=0
fail=0
for i in "${!checks[@]}"; do
	if [ -s "$tmp/$i.res" ]; then
		cat "$tmp/$i.res"
	else
		echo "FAIL: ${checks[$i]%%|*}: no result"
	fi
	if grep -q '^ok:' "$tmp/$i.res" 2>/dev/null; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
	if [ -s "$tmp/$i.trail" ]; then
		echo "  counterexample (spin -t -p):"
		sed 's/^/    /' "$tmp/$i.trail"
	fi
done
echo "summary: $pass ok, $fail FAIL, $((SECONDS - start)) s ($(spin -V | head -n 1))"
[ "$fail" = 0 ]
