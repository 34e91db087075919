/*
 * revoke.pml: Spin model of the revocation protocol as v2 of the kernel
 * series implements it (kernel/patches/, Linux 6.1).  v2 orders the
 * restore's loads of the copy count and the copied flag:
 * wait_event(gate->wq, !atomic_read_acquire(&gate->copying)) in
 * cramfs_xip_zap_copies(), where v1 had a plain atomic_read()
 * (-DNO_ZAP_ACQUIRE; see "Memory model" below).
 * Patches by file number (= [PATCH v2 NN/14]; v1's in brackets where
 * they differ):
 *   0001  cfi_cmdset_0001: chip_ready() lets points through FL_POINT
 *         (ref_point_counter counts the pointers)
 *   0002  mtd core: mtd_register_point_holder(), mtd_revoke_points(),
 *         mtd_restore_points(), master.point_holders_lock, the brackets
 *         in the core wrappers for a driver that opted in.
 *         Bursts [0009]: mtd_revoke_points() calls ->revoke() only if
 *         master.points_revoked is clear; mtd_restore_points() calls
 *         mtd_restore_holders() at once (the burst is
 *         MTD_POINTS_MAX_HOLD_MS old; v1 also with mtd.points_idle_ms=0)
 *         or leaves the holders revoked and arms points_restore_work
 *         (mod_delayed_work()), whose mtd_points_restore_work() takes
 *         point_holders_lock and calls mtd_restore_holders() later.
 *         mtd_points_reads_served(on/off) [0010]
 *   0003  cfi_cmdset_0001: opts in; brackets what the core cannot see
 *         (sync, suspend, resume, reboot) [v1: every entry point that
 *         leaves read-array mode, in the driver]; the erase of
 *         cfi_intelext_erase_varsize() between mtd_points_reads_served(on)
 *         and (off) when cfi_can_suspend_erase() (-DERASE_SUSPEND) [0010]
 *   0005 [0004]  cramfs: every read of the image in a read_mutex section,
 *         cramfs_read_lock() .. cramfs_read_unlock()
 *   0006 [0004]  cramfs: XIP pages mapped at fault time, cramfs_xip_fault()
 *         the only way to a flash PTE
 *   0007 [0004]  cramfs: the XIP gate, cramfs_xip_revoke(),
 *         cramfs_xip_restore(), the gate in cramfs_xip_fault(),
 *         cramfs_read_lock()'s reference and the cramfs_read() bounce
 *         path
 *   0010 [0011]  cramfs: cramfs_xip_reads_served() (gate.reads_served,
 *         wake), the fault's copy decision (v1: cramfs_gate_get(.., &copy)),
 *         cramfs_xip_fault_copy() (copying, re-check, mtd_read(),
 *         vm_insert_page(), copied, cramfs_gate_copy_done()),
 *         cramfs_xip_zap_copies() at the end of cramfs_xip_restore()
 *         (-DERASE_SUSPEND), which waits with atomic_read_acquire() (v2;
 *         v1's plain load is -DNO_ZAP_ACQUIRE)
 *   0015 [0005, 0006]  DO NOT MERGE, CONFIG_MTD_CFI_INTELEXT_BUSY_DEBUG:
 *         busy_erase_ms / busy_program_us (the held chip), model_suspend
 *         (reads suspend a held erase)
 *   (0014, DO NOT MERGE, cramfs's debug knobs: seeded bugs here, NO_UNMAP,
 *         NO_DRAIN, NO_ZAP, NO_RECHECK)
 *   Not modelled (README.md, "What of v2 the model does not cover"):
 *   0002 (operations on the image's range fail with -EBUSY before any
 *         revocation; with 0003, yield between the blocks of an erase,
 *         the opt-in, suspend, sync and reboot; removal, ->detach()),
 *         0004 (lookup creates its inode outside read_mutex: no change
 *         at the gate), 0006 (VM_IO, VM_DONTDUMP, ->access through the
 *         page cache: no pins), 0007 (the unmap takes only the direct
 *         pages, which all the model's PTEs and copies are; mmap() never
 *         waits: its block pointers are a cramfs_read() user, and the
 *         model keeps v1's waiting mmap(), more behaviours; the fault
 *         waits killably without mmap_lock and returns VM_FAULT_RETRY:
 *         the model's "wait, then tryget again" loop, as
 *         cramfs_gate_get() had it; the killable drain and its rollback;
 *         removal, GONE; a device that takes no holders, where the gate
 *         stays OPEN and nothing revokes), 0008 [0008] (lockdep
 *         annotation of the gate: no protocol change), 0009 (the 10 ms
 *         grace: a comment in cramfs_xip_revoke()), 0011 [0007] (debugfs
 *         statistics, only writer-side timing), 0016 (DO NOT MERGE,
 *         refuse_point_holders: the opt-in switched off), 0012
 *         (cfi_cmdset_0002: the same brackets on the AMD chip; the
 *         model's chip is cfi_cmdset_0001's).
 * docs/kernel-protocol.md ("As implemented", "Bursts", "Faults during a
 * suspendable erase", "Ordering") describes the same protocol.
 *
 * Processes and the kernel code each one stands for:
 *
 *   consumer(me)   a task using the mounted cramfs.  Each loop turn is one
 *                  of
 *                    - a load through an existing flash PTE (the MMU; no
 *                      kernel code runs);
 *                    - cramfs_xip_fault() for a direct page: its
 *                      tryget/wait loop, v1's cramfs_gate_get(.., &copy)
 *                      (v2, 0007: in cramfs_xip_fault(), with the wait
 *                      without mmap_lock and VM_FAULT_RETRY): waits while
 *                      CLOSED, gives up on LOST, and with ERASE_SUSPEND
 *                      returns copy while reads are served; vmf_insert_mixed(),
 *                      cramfs_gate_put(); or cramfs_xip_fault_copy();
 *                      or, as in v1, cramfs_physmem_mmap() reading the
 *                      block pointers: cramfs_gate_get(.., NULL), the
 *                      loads of cramfs_xip_find_range(), cramfs_gate_put()
 *                      (one branch for both, see cramfs_gate_get(); in
 *                      v2, 0005 and 0007, mmap() is a cramfs_read() user
 *                      instead);
 *                    - a cramfs_read() user (lookup, readdir, read_folio,
 *                      the superblock, v2's mmap() and ->access):
 *                      mutex_lock(&read_mutex),
 *                      cramfs_read_lock()'s single cramfs_gate_tryget(),
 *                      then a copy from the linear mapping under the
 *                      reference or, without one, cramfs_bounce_read():
 *                      mtd_read() into sbi->bounce; cramfs_read_unlock().
 *                      These users never wait for the gate.
 *   writer()       a cfi_cmdset_0001 entry point (write_words, writev,
 *                  erase_varsize, lock, ...) in a core wrapper of 0002, or
 *                  what 0003 brackets itself (sync, suspend, reboot):
 *                    mtd_revoke_points(): point_holders_lock, then
 *                      cramfs_xip_revoke() unless points_revoked (0002)
 *                    [erase: mtd_points_reads_served(on) (0002, 0003)]
 *                    the operation (get_chip(), command, status polls)
 *                    [erase: mtd_points_reads_served(off)]
 *                    mtd_restore_points(): mtd_restore_holders() ->
 *                      cramfs_xip_restore(), or arm the work (0002);
 *                      mutex_unlock(point_holders_lock)
 *   worker()       points_restore_work (0002): mtd_points_restore_work():
 *                  point_holders_lock, mtd_restore_holders(), unlock.  It
 *                  may run at any time after it was armed (the delay is
 *                  not modelled: any finite one is an interleaving).
 *   monitor()      not kernel code: checks S1, S2 and S3 in every state.
 *
 * One holder (one mounted cramfs) and one writer process:
 * master.point_holders_lock (0002) is taken by mtd_revoke_points() and
 * released by mtd_restore_points(), so whole brackets run one after the
 * other; more writers only add brackets in sequence, which NWRITES covers.
 * With bursts (0002) the worker takes the lock too, so it is a variable
 * (phl).
 * In v1 cramfs_xip_revoke() always returned 0, so the rollback of
 * mtd_revoke_points() (restore the holders already revoked, do not start
 * the operation) never ran with cramfs holders; in v2 (0007) a writer
 * killed in the drain makes it fail (the gate reopened as found,
 * -EINTR).  The model's revoke always succeeds: the rollback is not
 * modelled.
 *
 * Memory model: Spin interleaves whole statements, i.e. it is sequentially
 * consistent; one Promela statement = one atomic access.  For the barrier
 * pairings of the gate that loses nothing: with every barrier in place,
 * each pair of accesses below is ordered as program order has it.  What
 * a missing barrier allows is modelled explicitly, one seeded removal at
 * a time (NO_*_MB etc. below): the access the barrier held back is done
 * out of program order, as a weakly ordered CPU may.  A load is taken
 * early by HOIST(), at the earliest point the CPU could satisfy it (after
 * the last barrier before it), into the process's snapshot (early, snap),
 * and used where the code uses it; a store is made visible before the
 * earlier ones (the reopen, the put).  Each removal must then fail a
 * property.  The pairings, in LKMM terms:
 *   SB  close / announce: WRITE_ONCE(closed, CLOSED); smp_mb(); drain
 *       loads inflight, against atomic_inc(&inflight);
 *       smp_mb__after_atomic(); re-check loads closed (-DNO_CLOSE_MB,
 *       -DNO_ANNOUNCE_MB)
 *   MP  put / drain: accesses and PTE under the reference, then the fully
 *       ordered atomic_dec_and_test(&inflight), against the drain's load
 *       of inflight, smp_mb(), the unmap's walk (-DNO_PUT_MB, -DNO_DRAIN_MB)
 *   MP  reopen / re-check: the pointer and read-array mode, then
 *       smp_store_release(&closed, OPEN), against smp_load_acquire(&closed)
 *       then the accesses under the reference (-DNO_REOPEN_RELEASE,
 *       -DNO_ACQUIRE_RECHECK)
 *   SB  reopen / copy announce: smp_store_release(&closed); smp_mb();
 *       load of copying, against atomic_inc(&copying);
 *       smp_mb__after_atomic(); READ_ONCE(closed) (-DNO_ZAP_MB, -DNO_COPY_MB)
 *   MP  copy done / zap: WRITE_ONCE(copied, true), then the fully ordered
 *       atomic_dec_and_test(&copying), against atomic_read_acquire(&copying)
 *       then READ_ONCE(copied) (-DNO_ZAP_ACQUIRE: v1; the decrement's side
 *       is -DCOPIED_AFTER_DONE, the same execution)
 * The barriers of set_current_state() / try_to_wake_up() are assumed (the
 * wait queue model).  This is no LKMM (herd7) model: only the reorderings
 * listed, of these accesses, are in it.
 *
 * Properties (see check.sh):
 *   S1  no flash PTE and no temporary reference unless the chip is
 *       pointed at (FL_POINT) and in read-array mode (monitor); every load
 *       through a PTE or a reference, and every copy of mtd_read(), sees
 *       read-array (asserts);
 *   S2  inflight == number of announced consumers, never negative; a put
 *       only by a holder of a reference; waiters == consumers counted
 *       in it, never negative (monitor + asserts);
 *   S3  (ERASE_SUSPEND) no copy PTE while the gate is not CLOSED, except
 *       inside cramfs_xip_restore() from the reopen to its return: after
 *       a restore no copy is mapped, and none is mapped later until the
 *       gate closes again (XIP does not degrade to copies) (monitor);
 *   D   no deadlock (Spin's invalid end states);
 *   L1  ltl l1_writer: every write bracket completes (weak fairness);
 *   L2  ltl l2_waiter: a consumer that waits for the gate gets through
 *       (weak fairness: the worker runs once armed).
 *
 * Seeded bugs (-D on the spin command line), each must fail a check:
 *   NO_PRECHECK         cramfs_gate_tryget() without the READ_ONCE(closed)
 *                       look before atomic_inc: a cramfs_read() user
 *                       bouncing through mtd_read() re-announces
 *                       forever under the draining writer          (L1)
 *   UNMAP_BEFORE_DRAIN  revoke unmaps first, then drains           (S1)
 *   NO_RECHECK          tryget: look, announce, no re-check        (S1)
 *   NO_DRAIN            revoke skips step 2                        (S1)
 *                       (cramfs.xip_revoke_debug_skip=2)
 *   NO_UNMAP            revoke skips the unmap                     (S1)
 *                       (cramfs.xip_revoke_debug_skip=1)
 *   LOST_WAKEUP         cramfs_gate_put() does not wake_up() at 0  (L1, D)
 *   NO_WAKE_ALL         restore does not wake_up_all()             (D, L2)
 *   WAKE_BEFORE_OPEN    restore wakes, then stores closed          (D)
 *   NAIVE_WAIT          wait_event without the re-check after
 *                       prepare_to_wait()                          (D)
 *   NO_UNPOINT          revoke does not mtd_unpoint()              (D)
 *   LOST_AS_OPEN        tryget tests closed != CLOSED instead of
 *                       == OPEN: references on a LOST gate         (S1)
 *   WAIT_FOR_OPEN       cramfs_gate_wait() waits for OPEN instead of
 *                       !CLOSED: waiters sleep through a LOST reopen
 *                                                                  (D, L2)
 *   bursts (0002):
 *   STALE_REVOKED       mtd_restore_points() restores at once by calling
 *                       ->restore() itself (the loop from before
 *                       bursts) and leaves points_revoked set: the
 *                       next bracket skips ->revoke() with the chip
 *                       pointed at                                 (L1)
 *   RESTORE_SKIPS_LOCK  mtd_points_restore_work() restores without
 *                       point_holders_lock                          (L1)
 *   NO_ARM              mtd_restore_points() leaves the holders revoked
 *                       without arming the work                    (D, L2)
 *   copies (0002, 0003, 0010; with ERASE_SUSPEND):
 *   NO_ZAP              restore leaves the copies mapped           (S3)
 *                       (cramfs.xip_revoke_debug_skip=3)
 *   NO_COPY_RECHECK     cramfs_xip_fault_copy() maps without the
 *                       re-check of closed after announcing         (S3)
 *   NO_COPY_WAIT        cramfs_xip_zap_copies() does not wait for
 *                       copying == 0                               (S3)
 *   COPIED_AFTER_DONE   the copy fault sets copied after
 *                       cramfs_gate_copy_done()                    (S3)
 *   ZAP_BEFORE_REOPEN   cramfs_xip_restore() zaps the copies before
 *                       it reopens the gate                        (S3)
 *   NO_COPY_WAKE        cramfs_gate_copy_done() does not wake at 0:
 *                       the restore sleeps in the copying wait     (L1)
 *   barriers (one removed each; the reordering it allows, see above):
 *   NO_CLOSE_MB         revoke: no smp_mb() after the close; the drain's
 *                       first load of inflight may precede it      (S1)
 *   NO_ANNOUNCE_MB      tryget: no smp_mb__after_atomic(); the
 *                       re-check's load may precede the announce   (S1)
 *   NO_PUT_MB           put with a relaxed decrement: it may be
 *                       seen before the access or the PTE          (S1)
 *   NO_DRAIN_MB         revoke: no smp_mb() after the drain; the
 *                       unmap's walk may load the PTEs early       (S1)
 *   NO_REOPEN_RELEASE   restore: WRITE_ONCE(closed, OPEN); it may be
 *                       seen before the point's stores             (S1)
 *   NO_ACQUIRE_RECHECK  tryget: READ_ONCE() re-check; the loads under
 *                       the reference may precede it               (S1)
 *   NO_ZAP_MB           zap_copies: no smp_mb(); the load of copying
 *                       may precede the reopen                     (S3)
 *   NO_COPY_MB          copy fault: no smp_mb__after_atomic(); its
 *                       load of closed may precede the announce    (S3)
 *   NO_ZAP_ACQUIRE      zap_copies: atomic_read(&copying), v1; the
 *                       load of copied may precede it              (S3)
 * Options:
 *   ERASE_SUSPEND       erase or program per bracket; 0015's hold (the
 *                       chip busy, chip->mutex dropped between polls) and
 *                       its erase suspend for mtd_read(): a read during
 *                       an erase is served (suspend, read, resume), during
 *                       a program it waits.  With it, 0010 (reads served:
 *                       0002, 0003): during an erase faults may map copies.
 *   NO_COPY             ERASE_SUSPEND without 0010's copies (faults wait)
 *   NO_BURST            restore at the end of every bracket, no worker
 *                       (as before bursts; v1's mtd.points_idle_ms=0,
 *                       a parameter v2 does not have)
 *   NO_LOST             cramfs_xip_point() never fails (no LOST gate)
 *   NC (2 or 3)         consumers; NWRITES: write brackets (2)
 */

#ifndef NC
#define NC 3
#endif
#ifndef NWRITES
#define NWRITES 2
#endif
#define WRITER NC			/* the writer's bit in wq */
#define WORKER (NC + 1)			/* the worker's bit in wq */
#if defined(ERASE_SUSPEND) && !defined(NO_COPY)
#define COPIES
#endif

/* ---- the chip (struct flchip, reduced) ---------------------------- */
mtype = { ARRAY, BUSY, SUSPENDED, STATUS };
/* ARRAY     read-array mode: FL_READY or FL_POINT
 * BUSY      program or erase running: FL_WRITING / FL_ERASING (held by
 *           0015); every load returns status bytes
 * SUSPENDED erase suspended (FL_ERASE_SUSPENDED): array reads outside
 *           the erasing block (cramfs lives outside it)
 * STATUS    operation done, chip left in status mode (FL_STATUS) until
 *           someone writes Read Array (0xFF)                            */
mtype chip = ARRAY;
byte pts = 1;			/* chip->ref_point_counter: FL_POINT while > 0     */
bool pointed = 1;		/* cramfs's pointer: sbi->mtd_point_size != 0       *
				 * (== pts > 0 unless a seeded bug points twice)    */
bool erasing;			/* the operation is an erase that reads suspend     *
				 * (ERASE_SUSPEND only)                             */

/* ---- the MTD master (struct mtd_master, 0002) --------------------- */
bool phl;			/* point_holders_lock                               */
bool revoked;			/* points_revoked: a burst left the holders revoked */
bool work_pending;		/* points_restore_work armed (timer or queued)      */

/* ---- the gate (struct cramfs_xip_gate, 0007, 0010) ---------------- */
#define OPEN	0		/* CRAMFS_GATE_OPEN                                 */
#define CLOSED	1		/* CRAMFS_GATE_CLOSED: a writer revokes             */
#define LOST	2		/* CRAMFS_GATE_LOST: restore could not point again  */
byte closed = OPEN;		/* int closed                                       */
byte inflight;			/* atomic_t inflight: temporary references          */
byte waiters;			/* atomic_t waiters: consumers that found it closed *
				 * and are not through (v1; v2 counts only while    *
				 * asleep, 0007; only feeds gate->woke)             */
byte wq;			/* wait_queue_head_t wq: bit i = task i is queued   *
				 * and TASK_UNINTERRUPTIBLE (consumers 0..NC-1,     *
				 * writer NC, worker NC+1)                          */
bool rmutex;			/* static DEFINE_MUTEX(read_mutex)                  */
bool reads_served;		/* bool reads_served (0010)                         */
byte copying;			/* atomic_t copying: faults making a copy (0010)    */
bool copied;			/* bool copied: copies are mapped (0010)            */

/* ---- user page tables (all mms) ----------------------------------- */
bool pte[2];			/* flash PTEs of the 2 pages                        */
bool cpte;			/* some copy PTE (a RAM page of 0010) is mapped     */

/* ---- ghost state for the properties (no kernel counterpart) ------- */
bool ann[NC];			/* consumer i's increment is in inflight            */
bool held[NC];			/* consumer i holds a reference                     */
bool waiting[NC];		/* cramfs_gate_get()'s local 'waited': i counts in  *
				 * waiters (failed a try, not through yet)          */
bool wdone;			/* writer finished all NWRITES brackets             */
byte restoring;			/* in cramfs_xip_restore(), reopen .. return        */

#if NC == 2
#define SUM(a)	(a[0] + a[1])
#else
#define SUM(a)	(a[0] + a[1] + a[2])
#endif
#define S1	((!pte[0] && !pte[1] && SUM(held) == 0) || (pts > 0 && chip == ARRAY))
#define S2	(inflight == SUM(ann) && waiters == SUM(waiting))
#define S3	(closed == CLOSED || restoring > 0 || !cpte)

/* ---- weak memory: a barrier removed (see the header) --------------- */
#if defined(NO_CLOSE_MB) || defined(NO_ANNOUNCE_MB) || defined(NO_DRAIN_MB) || \
    defined(NO_ACQUIRE_RECHECK) || defined(NO_ZAP_MB) || defined(NO_COPY_MB) || \
    defined(NO_ZAP_ACQUIRE)
#define HOISTS
#endif
/* HOIST(x): the process may satisfy its next load of x here, before
 * accesses that program order puts first and no barrier keeps first
 * (early = 1, the value in snap), or not (early = 0: loaded where it is
 * used).  LOADED(x) is the value the code then uses.  early and snap are
 * locals of every process that hoists (declared under HOISTS).  A
 * separate step: other processes may run between the early load and the
 * accesses it passed. */
#define HOIST(x)	if :: d_step { early = 1; snap = (x) } :: early = 0 fi
#define LOADED(x)	(early -> snap : (x))

/* ---- wait queues (kernel/sched/wait.c, include/linux/wait.h) ------ */

/* wake_up(&wq) and wake_up_all(&wq): under wq->lock, every queued
 * non-exclusive entry (wait_event queues non-exclusive ones) is woken by
 * autoremove_wake_function(): try_to_wake_up() makes the task runnable
 * and the entry leaves the queue.  Both calls therefore empty the queue. */
inline wake_up()
{
	wq = 0
}

/* wait_event(wq, cond) as ___wait_event() does it: a fast-path check, then
 * loop { prepare_to_wait_event() (queue + set_current_state, under
 * wq->lock); re-check cond; schedule() }; finish_wait().  schedule()
 * returns once a wake_up has dequeued us, including one that came between
 * prepare_to_wait and schedule.  NAIVE_WAIT drops the re-check after
 * queueing (the classic lost wake-up). */
inline wait_event(me, cond)
{
	if
	:: (cond) -> skip
	:: else ->
		do
#ifdef NAIVE_WAIT
		:: (cond) -> break
		:: else ->
			wq = wq | (1 << me);		/* queue, no re-check */
			((wq & (1 << me)) == 0)		/* schedule()         */
#else
		:: wq = wq | (1 << me);			/* prepare_to_wait    */
			if
			:: (cond) -> break		/* re-check           */
			:: else -> ((wq & (1 << me)) == 0)	/* schedule() */
			fi
#endif
		od;
		wq = wq & ~(1 << me)			/* finish_wait        */
	fi
}

#if defined(NO_DRAIN_MB) || defined(NO_ZAP_ACQUIRE)
/* wait_event(wq, cond) followed by a load of x that no barrier orders
 * after the load of cond that ends the wait: x may be loaded before that
 * last test of cond, after the barrier before it (the caller's smp_mb()
 * for the fast path, set_current_state()'s in prepare_to_wait_event()
 * for a re-check).  finish_wait()'s lock, if it takes it, comes after
 * both loads and orders neither before the other. */
inline wait_event_hoist(me, cond, x)
{
	HOIST(x);
	if
	:: (cond) -> skip
	:: else ->
		do
		:: d_step { wq = wq | (1 << me); early = 0 };	/* prepare: mb  */
			HOIST(x);
			if
			:: (cond) -> break
			:: else -> ((wq & (1 << me)) == 0)
			fi
		od;
		wq = wq & ~(1 << me)
	fi
}
#endif

/* ---- the chip mutex and mtd_read() -------------------------------- */

/* chip->mutex is not a variable: every section of the chip driver under
 * it is one atomic step here (get_chip() .. put_chip() of a read, a point
 * or an unpoint; the command that starts an operation; the status poll
 * that ends it).  A section that has to wait for the chip does so in
 * get_chip() with the mutex dropped (chip->wq), which is the guard of the
 * step.  Nothing outside the driver sees the chip in between: the loads
 * through PTEs and references need the chip pointed at (S1), which it is
 * not while an operation runs, and a read that suspends an erase resumes
 * it before put_chip() drops the mutex.  So the steps inside a section
 * are invisible and the section may be one step; a waiting section only
 * waits for the chip, never for another section, so no starvation is lost
 * either (the kernel mutex hands off to a starved waiter). */

/* mtd_read() -> cfi_intelext_read() -> do_read_onechip(): mutex_lock,
 * get_chip(FL_READY): sleeps while a program runs, or an erase without
 * erase suspend; with ERASE_SUSPEND (0003's cfi_can_suspend_erase() for
 * FL_READY with 0015's model_suspend, on a real chip FeatureSupport bit 1)
 * chip_ready() suspends an erase (0xB0, 0x70, poll); in FL_STATUS it
 * writes Read Array (0xFF).  map_copy_from(); put_chip() resumes a
 * suspended erase (0xD0, 0x70); mutex_unlock. */
inline mtd_read()
{
	atomic {
		(chip != BUSY || erasing) ->
		if
		:: chip == BUSY -> chip = SUSPENDED
		:: chip == STATUS -> chip = ARRAY
		:: else -> skip
		fi;
		assert(chip == ARRAY || chip == SUSPENDED);	/* map_copy_from() */
		if
		:: chip == SUSPENDED -> chip = BUSY
		:: else -> skip
		fi
	}
}

/* ---- consumer side of the gate (0007) ----------------------------- */

/* cramfs_gate_tryget(): take a temporary reference if the gate is open;
 * never sleeps.  ok = 1: reference held. */
#ifdef NO_ANNOUNCE_MB
#define RECHECK		LOADED(closed)
#else
#define RECHECK		closed
#endif
inline cramfs_gate_tryget(me, ok, last)
{
	/* (explicit guards, not else: two such ifs open the consumer's
	 * loop with ERASE_SUSPEND, and Spin allows one else per state) */
	if
#ifdef NO_PRECHECK
	:: (1) ->
#else
#ifdef LOST_AS_OPEN
	:: closed == CLOSED -> skip		/* BUG: LOST taken as open      */
	:: closed != CLOSED ->
#else
	:: closed != OPEN -> skip		/* if (READ_ONCE(closed))       *
						 *	return false;           */
	:: closed == OPEN ->
#endif
#endif
#ifdef NO_ANNOUNCE_MB
		/* SB (close/announce) without smp_mb__after_atomic(): the
		 * re-check's load may be satisfied before the increment is
		 * visible (an acquire only holds back what follows it) */
		HOIST(closed);
#endif
		d_step { inflight++; ann[me] = 1 };	/* atomic_inc: announce;  *
						 * smp_mb__after_atomic()       */
#ifdef NO_ACQUIRE_RECHECK
		/* MP (reopen/re-check) with a READ_ONCE() re-check: the loads
		 * made under the reference (cramfs_xip_find_range(),
		 * cramfs_direct_read()) may be satisfied before it, after
		 * the announce's barrier; what they see of the chip.  The
		 * PTE insert is a store, held back by the control
		 * dependency on the re-check. */
		HOIST(chip == ARRAY);
#endif
#ifdef NO_RECHECK
		d_step { held[me] = 1; ok = 1 }	/* BUG: no re-check             */
#else
		if
#ifdef LOST_AS_OPEN
		:: atomic { closed != CLOSED -> held[me] = 1; ok = 1 }
#else
		:: atomic { RECHECK == OPEN ->	/* smp_load_acquire(&closed)    *
						 * == CRAMFS_GATE_OPEN          */
			held[me] = 1; ok = 1 }
#endif
		:: else ->
			d_step {			/* back off:            *
							 * atomic_dec_and_test  */
				assert(inflight > 0);
				inflight--; ann[me] = 0;
				last = (inflight == 0)
			};
			if
			:: d_step { last; last = 0; wake_up() }	/* writer may drain */
			:: else -> skip
			fi
		fi
#endif
	fi
}

/* cramfs_gate_put(): if (atomic_dec_and_test(&inflight)) wake_up(&wq); */
inline cramfs_gate_put(me, ok, last)
{
	d_step {
		assert(held[me] && inflight > 0);
		inflight--; ann[me] = 0; held[me] = 0;
		last = (inflight == 0);
		ok = 0				/* caller's local, for state economy */
	};
#ifndef LOST_WAKEUP
	if
	:: d_step { last; last = 0; wake_up() }
	:: else -> skip
	fi
#else
	last = 0
#endif
}

/* cramfs_gate_wait(gate, mtd, copy_ok):
 * wait_event(wq, cramfs_gate_waited(gate, copy_ok)), i.e.
 * READ_ONCE(closed) != CLOSED || (copy_ok && READ_ONCE(reads_served)).
 * The model has one gate_get() for the fault (copy_ok) and mmap() (copy
 * NULL), so it waits with the fault's condition; see cramfs_gate_get().
 * Without COPIES reads_served stays 0: the condition of 0007. */
#ifdef WAIT_FOR_OPEN
#define GATE_WAIT_COND	(closed == OPEN || reads_served)	/* BUG */
#else
#define GATE_WAIT_COND	(closed != CLOSED || reads_served)
#endif

/* cramfs_gate_get(gate, mtd, copy): loop { tryget; break if held or
 * LOST; with copy break setting *copy if reads are served; count in
 * waiters once; cramfs_gate_wait() }; leave waiters.  ok = 0, copy = 0:
 * direct access is lost, the caller goes around the pointer; ok = 0,
 * copy = 1: make a copy.
 *
 * One inline for both callers: cramfs_xip_fault() (&copy) and
 * cramfs_physmem_mmap() (NULL).  With COPIES, a consumer that finds reads
 * served may break for a copy (the fault) or go on waiting (mmap(), or a
 * fault that was not scheduled until reads_served was off again); since
 * it waits with the fault's condition, an mmap() waiter leaves the wait
 * while reads are served and comes round again instead of sleeping.  Its
 * queue bit is the only difference, and nobody else reads it.  This
 * over-approximates both callers in one branch (half the states of two). */
inline cramfs_gate_get(me, ok, last, copy)
{
	do
	:: cramfs_gate_tryget(me, ok, last);
		/* (the two READ_ONCE()s of the kernel, closed then
		 * reads_served, are one step here: a stale copy decision is
		 * re-checked by cramfs_xip_fault_copy()) */
		if
		:: ok -> break
		:: !ok && closed == LOST -> break	/* READ_ONCE(closed) == LOST */
#ifdef COPIES
		:: !ok && closed != LOST && reads_served ->
			copy = 1; break			/* *copy = true */
		:: !ok && closed != LOST ->		/* mmap(), or !reads_served */
#else
		:: else ->
#endif
			d_step {			/* atomic_inc(&waiters) */
				if
				:: !waiting[me] -> waiters++; waiting[me] = 1
				:: else -> skip
				fi
			};
			wait_event(me, GATE_WAIT_COND)
		fi
	od;
	if
	:: d_step { waiting[me] ->		/* atomic_dec(&waiters) */
		assert(waiters > 0); waiters--; waiting[me] = 0 }
	:: else -> skip
	fi
}

/* A load from flash through a PTE or the linear mapping: it must find
 * the chip in read-array mode, else it returns status bytes. */
#define LOAD_OK	assert(chip == ARRAY)
/* ... made under a reference: with NO_ACQUIRE_RECHECK, maybe early */
#ifdef NO_ACQUIRE_RECHECK
#define REF_LOAD_OK	assert(LOADED(chip == ARRAY))
#else
#define REF_LOAD_OK	LOAD_OK
#endif

#ifdef COPIES
/* cramfs_gate_copy_done(): if (atomic_dec_and_test(&copying))
 * wake_up_all(&wq) (a full barrier: copied is visible first) */
inline cramfs_gate_copy_done()
{
	d_step {
		assert(copying > 0);
		copying--;
#ifndef NO_COPY_WAKE
		if
		:: copying == 0 -> wake_up()	/* the restore may wait */
		:: else -> skip
		fi
#endif						/* NO_COPY_WAKE: BUG, no wake */
	}
}

/* cramfs_xip_fault_copy() (0010): the gate was found CLOSED while reads
 * are served.  A load through the copy PTE reads RAM: nothing to check,
 * so such loads are not a consumer step. */
#ifdef NO_COPY_MB
#define COPY_RECHECK	LOADED(closed)
#else
#define COPY_RECHECK	closed
#endif
inline cramfs_xip_fault_copy(copy)
{
#ifdef NO_COPY_MB
	/* SB (reopen/copy announce) without smp_mb__after_atomic(): the
	 * load of closed may be satisfied before the increment is visible */
	HOIST(closed);
#endif
	d_step { copy = 0; copying++ };		/* atomic_inc(&copying);         *
						 * smp_mb__after_atomic()        */
	if
#ifndef NO_COPY_RECHECK
	:: COPY_RECHECK != CLOSED -> skip	/* reopened meanwhile:           *
						 * VM_FAULT_NOPAGE, fault again  */
#endif
	:: else ->
		/* alloc_page(); mtd_read() (the erase suspended, or waited
		 * for); vm_insert_page(); WRITE_ONCE(copied, true): one step,
		 * as copying keeps the only reader of cpte and copied, the
		 * restore, waiting meanwhile */
		if
		:: atomic {
			mtd_read();
			cpte = 1;
#ifndef COPIED_AFTER_DONE
			copied = 1
#else
			skip
#endif
		}
		/* alloc_page() or mtd_read() failed: no copy, returns false;
		 * cramfs_xip_fault() then waits for the gate (v1:
		 * cramfs_gate_get(.., NULL); v2: its loop with copy_ok clear):
		 * a later turn's gate_get() that goes on waiting (the model's
		 * gate_get() may always wait) */
		:: skip
		fi
	fi;
	cramfs_gate_copy_done()
#ifdef COPIED_AFTER_DONE
	; copied = 1				/* BUG: after the decrement      */
#endif
}
#endif

proctype consumer(byte me)
{
	bool ok, last, copy;
#ifdef HOISTS
	bool early; byte snap;		/* HOIST() */
#endif

end_idle:
	do
	/* a load through an existing flash PTE: the MMU alone (also a
	 * fork()ed copy of it: PTEs are the union over all mms) */
	:: atomic { pte[0] -> LOAD_OK }
	:: atomic { pte[1] -> LOAD_OK }
	/* cramfs_xip_fault() on a direct page, or cramfs_physmem_mmap() */
	:: cramfs_gate_get(me, ok, last, copy);
		if
		:: ok ->
#ifdef NO_PUT_MB
			/* MP (put/drain) with a relaxed decrement: it may be
			 * seen before the access and the PTE store made under
			 * the reference (a store, or a load, passing a later
			 * store: no ordering without the barrier) */
			if
			:: cramfs_gate_put(me, ok, last)
			:: skip
			fi;
#endif
			if
			/* vmf_insert_mixed() for the faulting page, a no-op if
			 * it is mapped already (which page: a superset) */
			:: pte[0] = 1
			:: pte[1] = 1
			/* mmap(): cramfs_xip_find_range() reads the block
			 * pointers, maps nothing */
			:: REF_LOAD_OK
			fi;
#ifdef NO_PUT_MB
			if
			:: ok -> cramfs_gate_put(me, ok, last)
			:: !ok -> skip
			fi
#else
			cramfs_gate_put(me, ok, last)
#endif
#ifdef COPIES
		/* the fault, reads served: cramfs_xip_fault_copy() */
		:: copy -> cramfs_xip_fault_copy(copy)
#endif
		/* LOST: filemap_fault() (a page cache miss then goes through
		 * cramfs_read_folio(), the next branch, on a later turn), or
		 * mmap()'s "direct access lost" bailout */
		:: else -> skip
		fi
	/* cramfs_read_lock(); cramfs_read(); cramfs_read_unlock() */
	:: atomic { !rmutex -> rmutex = 1 };	/* mutex_lock(&read_mutex)      */
		cramfs_gate_tryget(me, ok, last);	/* one try, never waits */
		if
		:: ok -> REF_LOAD_OK;		/* cramfs_direct_read(): memcpy */
			cramfs_gate_put(me, ok, last)	/* read_direct          */
		:: else -> mtd_read()		/* cramfs_bounce_read()         */
		fi;
		rmutex = 0			/* mutex_unlock(&read_mutex)    */
	od
}

/* ---- the holder's callbacks (0007, 0010) --------------------------- */

/* cramfs_xip_unmap_all(): unmap_mapping_range() on every mapped regular
 * inode; PTEs go one page-table lock section at a time, the TLB flush is
 * done before it returns.  The copies are in the same file mappings
 * (vm_insert_page() of a non-anonymous page, which even_cows == 0 zaps
 * too) and go with them.  One step: a PTE inserted between the sections
 * into a range already zapped (by a fault holding a reference or a copy
 * announcement across the unmap) would survive it just as one inserted
 * right after the unmap, which the model has, and the clearing of the
 * other ranges commutes with that insert. */
inline cramfs_xip_unmap_all()
{
	d_step { pte[0] = 0; pte[1] = 0; cpte = 0 }
}

/* cramfs_xip_revoke() (0007), called by mtd_revoke_points() under
 * point_holders_lock:
 *
 * 0. grace: if gate->woke (the last reopen found waiters != 0),
 * schedule_timeout_uninterruptible() until 10 ms after that reopen.  A
 * bounded sleep with the gate open and nothing held but
 * point_holders_lock: in this untimed model the writer may already stay
 * unscheduled for any finite time at this point, so the step adds no
 * behaviour and is not a statement (see README.md). */
inline cramfs_xip_revoke()
{
#ifdef NO_CLOSE_MB
	/* SB (close/announce) without the smp_mb(): the drain's first load
	 * of inflight may be satisfied before the close is visible (the
	 * store waits in the store buffer) */
	HOIST(inflight);
#endif
	closed = CLOSED;		/* 1. WRITE_ONCE(closed, CLOSED); smp_mb() */
#ifdef UNMAP_BEFORE_DRAIN
	cramfs_xip_unmap_all();		/* BUG: 3 before 2 */
	wait_event(WRITER, inflight == 0);
#else
#ifndef NO_DRAIN
#if defined(NO_CLOSE_MB)
	if				/* wait_event()'s fast path on it */
	:: d_step { LOADED(inflight) == 0 -> early = 0 }
	:: else -> early = 0; wait_event(WRITER, inflight == 0)
	fi;
#elif defined(NO_DRAIN_MB)
	/* MP (put/drain) without the smp_mb() after the drain: the unmap's
	 * walk may load the page tables before the last load of inflight.
	 * The PTE lock would order a PTE in a table the walk finds, but it
	 * reads the upper levels without it (pmd_none(): skip), so misses a
	 * table the fault has just populated.  snap: the PTEs it saw. */
	wait_event_hoist(WRITER, inflight == 0, pte[0] + 2 * pte[1]);
#else
	wait_event(WRITER, inflight == 0);	/* 2. drain; smp_mb() */
#endif
#endif
#ifndef NO_UNMAP
#ifdef NO_DRAIN_MB
	d_step {			/* 3. zaps the PTEs its walk found */
		pte[0] = pte[0] && early && !(snap & 1);
		pte[1] = pte[1] && early && !(snap & 2);
		cpte = 0; early = 0
	}
#else
	cramfs_xip_unmap_all();		/* 3. revoke the leases */
#endif
#endif
#endif
	/* revoked = 1: back in mtd_revoke_points(), points_revoked = true
	 * (_at = jiffies); only read under point_holders_lock, so it goes
	 * with the last step */
#ifndef NO_UNPOINT
	if				/* if (sbi->mtd_point_size)     */
	:: d_step { pointed ->		/* mtd_unpoint(): FL_POINT ->   */
		pts--; pointed = 0;	/* FL_READY (last), read-array  */
		revoked = 1 }
	:: else -> revoked = 1		/* LOST: nothing to give back   */
	fi
#else
	revoked = 1
#endif
	/* cramfs_gate_release() (lockdep); returns 0: the operation runs */
}

/* cramfs_xip_zap_copies() (0010, with its acquire), the end of
 * cramfs_xip_restore():
 * smp_mb(); wait_event(wq, !atomic_read_acquire(&copying)); if (copied)
 * { copied = false; cramfs_xip_unmap_all(); }.  RESTORED (the ghost
 * restoring--: cramfs_xip_restore() returns) goes with its last step. */
#ifdef NO_ZAP_ACQUIRE
#define ZAP_COPIED	LOADED(copied)
#else
#define ZAP_COPIED	copied
#endif
#ifdef ZAP_BEFORE_REOPEN
#define RESTORED	skip
#else
#define RESTORED	restoring--
#endif
inline cramfs_xip_zap_copies(me)
{
#ifdef COPIES
#ifndef NO_COPY_WAIT
#if defined(NO_ZAP_MB)
	if				/* the fast path on the load of copying  *
					 * made before the reopen (restore)      */
	:: d_step { LOADED(copying) == 0 -> early = 0 }
	:: else -> early = 0; wait_event(me, copying == 0)
	fi;
#elif defined(NO_ZAP_ACQUIRE)
	/* v1, MP (copy done/zap) with a plain atomic_read(): the load of
	 * copied may be satisfied before that of copying that ends the wait */
	wait_event_hoist(me, copying == 0, copied);
#else
	wait_event(me, copying == 0);	/* the acquire: copied after it */
#endif
#endif
	if
#ifndef NO_ZAP
	/* copied = false; cramfs_xip_unmap_all(): the copies and the
	 * flash PTEs mapped since the reopen (nobody else reads copied) */
	:: d_step { ZAP_COPIED -> copied = 0;
		pte[0] = 0; pte[1] = 0; cpte = 0; RESTORED }
#else
	:: ZAP_COPIED -> RESTORED	/* BUG: xip_revoke_debug_skip=3 */
#endif
	:: else -> RESTORED
	fi
#else
	RESTORED
#endif
}

/* cramfs_xip_restore() (0007, 0010), called by mtd_restore_holders() with
 * point_holders_lock held, from the writer or the worker (me: its wq bit):
 * cramfs_xip_point() -> mtd_point() -> do_point_onechip(): get_chip
 * (FL_POINT) (sleeps while the chip is busy: never, with the lock held),
 * Read Array (0xFF) if needed, FL_POINT, ref_point_counter++. */
#ifdef ZAP_BEFORE_REOPEN
#define REOPENING	skip
#else
#define REOPENING	restoring++
#endif
inline cramfs_xip_restore(me, lost)
{
#ifdef NO_REOPEN_RELEASE
	/* MP (reopen/re-check) with WRITE_ONCE(closed, OPEN): the store may
	 * be seen before those of the point (Read Array, FL_POINT,
	 * ref_point_counter, mtd_point_size), which wake_up_all()'s unlock
	 * then orders; not before mtd_point()'s loads, which decide the
	 * value stored.  A new reference may find the chip in status mode. */
	if
	:: d_step { chip != BUSY -> closed = OPEN; REOPENING };
		atomic { chip = ARRAY; pts++; pointed = 1 };
		wake_up();
		cramfs_xip_zap_copies(me)
	:: skip ->			/* or in order */
#endif
	if
	:: atomic { chip != BUSY ->		/* same address: OPEN */
		chip = ARRAY; pts++; pointed = 1 }
#ifndef NO_LOST
	:: lost = 1			/* mtd_point() fails: LOST      */
	:: atomic { chip != BUSY ->	/* another address: pointed,    */
		chip = ARRAY; lost = 1 }	/* then mtd_unpoint(): LOST */
#endif
	fi;
#ifdef ZAP_BEFORE_REOPEN
	cramfs_xip_zap_copies(me);	/* BUG: before the reopen */
#endif
#ifdef NO_ZAP_MB
	/* SB (reopen/copy announce) without zap_copies()'s smp_mb(): its
	 * first load of copying may be satisfied before the reopen is
	 * visible.  Not before wake_up_all()'s lock, and not at all if it
	 * wakes a task (try_to_wake_up(): smp_mb__after_spinlock()): only
	 * with nobody queued. */
	if
	:: atomic { wq == 0 -> early = 1; snap = copying }
	:: early = 0
	fi;
#endif
#ifdef WAKE_BEFORE_OPEN
	wake_up();			/* BUG: wake, then reopen */
	d_step { closed = (lost -> LOST : OPEN); lost = 0; REOPENING };
#else
	/* smp_store_release(&closed, state) */
	d_step { closed = (lost -> LOST : OPEN); lost = 0; REOPENING };
#ifndef NO_WAKE_ALL
	wake_up();			/* wake_up_all(&wq) */
#endif
#endif
	/* gate->reopened = jiffies; gate->woke = waiters != 0: only for
	 * step 0, not kept */
#ifndef ZAP_BEFORE_REOPEN
	cramfs_xip_zap_copies(me)	/* and cramfs_xip_restore() returns */
#endif
#ifdef NO_REOPEN_RELEASE
	fi
#endif
}

/* ---- MTD core (0002) ---------------------------------------------- */

inline phl_lock()
{
	atomic { !phl -> phl = 1 }	/* mutex_lock(&point_holders_lock) */
}

/* mtd_restore_holders(): if (!points_revoked) return; ->restore() of every
 * holder; points_revoked = false. */
inline mtd_restore_holders(me, lost)
{
	if
	:: revoked ->
		cramfs_xip_restore(me, lost);
		revoked = 0
	:: !revoked -> skip	/* not else: this if opens an option of
				 * mtd_restore_points()'s, where an else
				 * would be hoisted among its options */
	fi
}

/* mtd_restore_points(), the lock held: restore at once if the burst is
 * MTD_POINTS_MAX_HOLD_MS old (time: a free choice), else if points_revoked
 * mod_delayed_work(); mutex_unlock() follows in writer(). */
inline mtd_restore_points(me, lost)
{
#ifdef NO_BURST
	mtd_restore_holders(me, lost)
#else
	if
#ifdef STALE_REVOKED
	:: cramfs_xip_restore(me, lost)	/* BUG: points_revoked stays set */
#else
	:: mtd_restore_holders(me, lost)	/* the burst is old enough */
#endif
	:: revoked ->
#ifndef NO_ARM
		work_pending = 1	/* mod_delayed_work(): the idle timer */
#else
		skip			/* BUG: nothing will restore */
#endif
	fi
#endif
}

/* ---- writer: a cfi_cmdset_0001 entry point bracketed (0002, 0003) -- */

/* The operation proper (do_write_buffer / do_erase_oneblock), unchanged
 * by the series except for 0015's hold: get_chip() (sleeps while a
 * FL_POINT reference is left), the command (the chip leaves read-array);
 * INVAL_CACHE_AND_WAIT polls with chip->mutex dropped (0015's
 * cfi_busy_hold() slices), so reads may suspend an erase in between; the
 * chip ends in FL_STATUS.  How many polls does not matter: between the
 * command and the last poll any number of reads can come. */
inline cfi_operation()
{
	atomic { pts == 0 -> chip = BUSY };	/* get_chip(); command          */
	d_step {			/* status polled until ready: FL_STATUS  */
		assert(chip == BUSY);	/* a suspender resumed before unlocking */
		chip = STATUS; erasing = 0
	}
}

proctype writer()
{
	byte w;
	bool lost;
#ifdef HOISTS
	bool early; byte snap;		/* HOIST() */
#endif

	do
	:: w < NWRITES ->
		/* mtd_revoke_points() (0002; its range check never
		 * refuses the model's writer) */
		phl_lock();
		if
		:: revoked -> skip		/* a burst: ->revoke() not called */
		:: else -> cramfs_xip_revoke()	/* sets revoked */
		fi;
#ifdef ERASE_SUSPEND
		if
		/* cfi_intelext_erase_varsize(), reads_suspend */
#ifdef COPIES
		/* mtd_points_reads_served(mtd, true) (points_revoked is
		 * set) -> cramfs_xip_reads_served(): WRITE_ONCE(reads_served,
		 * true); wake_up_all(&wq) */
		:: d_step { erasing = 1; reads_served = 1; wake_up() };
			cfi_operation();
			reads_served = 0	/* mtd_points_reads_served(false) */
#else
		:: erasing = 1;
			cfi_operation()
#endif
		/* write_words, writev, lock, ...: a program */
		:: cfi_operation()
		fi;
#else
		cfi_operation();
#endif
		/* mtd_restore_points() (0002) */
		mtd_restore_points(WRITER, lost);
		d_step { phl = 0; w++ }		/* mutex_unlock(&point_holders_lock) */
	:: else -> break
	od;
	wdone = 1
}

/* ---- worker: points_restore_work (0002) --------------------------- */
#ifndef NO_BURST
proctype worker()
{
	bool lost;
#ifdef HOISTS
	bool early; byte snap;		/* HOIST() in the restore */
#endif

end_idle:
	do
	/* the delayed work runs (any time after it was armed); its pending
	 * bit is cleared before mtd_points_restore_work() starts, so a
	 * mod_delayed_work() from here on queues it again */
	:: atomic { work_pending -> work_pending = 0 };
#ifndef RESTORE_SKIPS_LOCK
		phl_lock();
#endif
		mtd_restore_holders(WORKER, lost);
#ifndef RESTORE_SKIPS_LOCK
		phl = 0			/* mutex_unlock(&point_holders_lock) */
#else
		skip			/* BUG: no point_holders_lock */
#endif
	od
}
#endif

/* ---- S1, S2 and S3 in every reachable state (safety runs only) ---- */
#ifndef NO_MONITOR
proctype monitor()
{
end:	atomic { !(S1 && S2 && S3) -> assert(S1); assert(S2); assert(S3) }
}
#endif

init
{
	/* The mount: cramfs_xip_register() -> mtd_register_point_holder()
	 * -> cramfs_xip_restore(): pointed, gate OPEN, nothing revoked (a
	 * failure there fails the mount). */
	atomic {
		run writer();
#ifndef NO_BURST
		run worker();
#endif
		run consumer(0);
		run consumer(1);
#if NC > 2
		run consumer(2);
#endif
#ifndef NO_MONITOR
		run monitor();
#endif
	}
}

/* L1: every write bracket that starts completes (with -f: weak fairness) */
ltl l1_writer { <> wdone }
/* L2: a consumer that waits for the gate gets through (consumer 0; the
 * consumers are identical) */
ltl l2_waiter { [] (waiting[0] -> <> !waiting[0]) }
