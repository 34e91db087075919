/*
 * revoke.pml: Spin model of the revocation protocol as the kernel series
 * implements it (kernel/patches/, Linux 6.1):
 *   0001  cfi_cmdset_0001: chip_ready() lets points through FL_POINT
 *   0002  mtd core: mtd_register_point_holder(), mtd_revoke_points(),
 *         mtd_restore_points(), master.point_holders_lock
 *   0003  cfi_cmdset_0001: every entry point that leaves read-array mode
 *         bracketed by mtd_revoke_points() .. mtd_restore_points()
 *   0004  cramfs: the XIP gate, cramfs_xip_revoke(), cramfs_xip_restore(),
 *         cramfs_xip_fault(), cramfs_read_lock()/cramfs_read() bounce path
 *   0005  cfi_cmdset_0001: busy_erase_ms / busy_program_us (the held chip)
 *   0006  cfi_cmdset_0001: model_suspend (reads suspend a held erase)
 *   (0007, debugfs statistics, only adds writer-side timing: not modelled)
 * docs/kernel-protocol.md ("As implemented") describes the same protocol.
 *
 * Processes and the kernel code each one stands for:
 *
 *   consumer(me)   a task using the mounted cramfs.  Each loop turn is one
 *                  of
 *                    - a load through an existing flash PTE (the MMU; no
 *                      kernel code runs);
 *                    - cramfs_xip_fault() for a direct page, or
 *                      cramfs_physmem_mmap() reading the block pointers:
 *                      cramfs_gate_get() (waits while CLOSED, gives up on
 *                      LOST), vmf_insert_mixed() or the loads of
 *                      cramfs_xip_find_range(), cramfs_gate_put();
 *                    - a cramfs_read() user (lookup, readdir, read_folio,
 *                      the superblock): mutex_lock(&read_mutex),
 *                      cramfs_read_lock()'s single cramfs_gate_tryget(),
 *                      then a copy from the linear mapping under the
 *                      reference or, without one, cramfs_bounce_read():
 *                      mtd_read() into sbi->bounce; cramfs_read_unlock().
 *                      These users never wait for the gate.
 *   writer()       a cfi_cmdset_0001 entry point of 0003 (write_words,
 *                  writev, erase_varsize, lock, ...):
 *                    mtd_revoke_points() -> cramfs_xip_revoke()
 *                    the operation (get_chip(), command, status polls)
 *                    mtd_restore_points() -> cramfs_xip_restore()
 *   monitor()      not kernel code: checks S1 and S2 in every state.
 *
 * One holder (one mounted cramfs) and one writer process:
 * master.point_holders_lock (0002) is taken by mtd_revoke_points() and
 * released by mtd_restore_points(), so whole brackets run one after the
 * other; more writers only add brackets in sequence, which NWRITES covers.
 * The lock itself is therefore not modelled (the gate has no writer mutex
 * of its own in 0004).  cramfs_xip_revoke() always returns 0, so the
 * rollback of mtd_revoke_points() (restore the holders already revoked,
 * do not start the operation) never runs with cramfs holders and is not
 * modelled either.
 *
 * Memory model: Spin interleaves whole statements, i.e. it is sequentially
 * consistent; one Promela statement = one atomic access.  That is what the
 * barriers of 0004 buy: smp_mb__after_atomic() after the announce and
 * smp_mb() after the close (store buffering pair); smp_mb() after the
 * drain, paired with the full barrier of atomic_dec_and_test() in put;
 * smp_store_release() of the reopen, paired with the smp_load_acquire()
 * re-check; and those implied by set_current_state() / try_to_wake_up().
 * The model does not check that the barriers are there.
 *
 * Properties (see check.sh):
 *   S1  no flash PTE and no temporary reference unless cramfs holds its
 *       pointer (FL_POINT) and the chip is in read-array mode (monitor);
 *       every load through a PTE or a reference, and every copy of
 *       mtd_read(), sees read-array (asserts);
 *   S2  inflight == number of announced consumers, never negative; a put
 *       only by a holder of a reference; waiters == consumers counted
 *       in it, never negative (monitor + asserts);
 *   D   no deadlock (Spin's invalid end states);
 *   L1  ltl l1_writer: every write bracket completes (weak fairness);
 *   L2  ltl l2_waiter: a consumer that waits for the gate gets through
 *       (weak fairness).
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
 * Options:
 *   ERASE_SUSPEND       chip->mutex, erase or program per bracket, the
 *                       0005 hold as status polls with the mutex dropped,
 *                       0006 erase suspend for mtd_read(): a bounce read
 *                       during an erase is served (suspend, read, resume);
 *                       during a program it waits.  Faults still wait for
 *                       the reopen.
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

/* ---- the chip (struct flchip, reduced) ---------------------------- */
mtype = { ARRAY, BUSY, SUSPENDED, STATUS };
/* ARRAY     read-array mode: FL_READY or FL_POINT
 * BUSY      program or erase running: FL_WRITING / FL_ERASING (held by
 *           0005); every load returns status bytes
 * SUSPENDED erase suspended (FL_ERASE_SUSPENDED): array reads outside
 *           the erasing block (cramfs lives outside it)
 * STATUS    operation done, chip left in status mode (FL_STATUS) until
 *           someone writes Read Array (0xFF)                            */
mtype chip = ARRAY;
bool pointed = 1;		/* cramfs's FL_POINT reference: sbi->mtd_point_size != 0 */
#ifdef ERASE_SUSPEND
bool erasing;			/* the BUSY operation is an erase (suspendable)     */
bool cmutex;			/* chip->mutex                                      */
bool cm_wait;			/* the writer waits for chip->mutex: hand-off       */
#endif

/* ---- the gate (struct cramfs_xip_gate, 0004) ---------------------- */
#define OPEN	0		/* CRAMFS_GATE_OPEN                                 */
#define CLOSED	1		/* CRAMFS_GATE_CLOSED: a writer revokes             */
#define LOST	2		/* CRAMFS_GATE_LOST: restore could not point again  */
byte closed = OPEN;		/* int closed                                       */
byte inflight;			/* atomic_t inflight: temporary references          */
byte waiters;			/* atomic_t waiters: consumers that found it closed *
				 * and are not through (only feeds gate->woke)      */
byte wq;			/* wait_queue_head_t wq: bit i = task i is queued   *
				 * and TASK_UNINTERRUPTIBLE (consumers 0..NC-1,     *
				 * writer NC)                                       */
bool rmutex;			/* static DEFINE_MUTEX(read_mutex)                  */

/* ---- user page tables: flash PTEs of the 2 pages (all mms) -------- */
bool pte[2];

/* ---- ghost state for the properties (no kernel counterpart) ------- */
bool ann[NC];			/* consumer i's increment is in inflight            */
bool held[NC];			/* consumer i holds a reference                     */
bool waiting[NC];		/* cramfs_gate_get()'s local 'waited': i counts in  *
				 * waiters (failed a try, not through yet)          */
bool wdone;			/* writer finished all NWRITES brackets             */

#if NC == 2
#define SUM(a)	(a[0] + a[1])
#else
#define SUM(a)	(a[0] + a[1] + a[2])
#endif
#define S1	((!pte[0] && !pte[1] && SUM(held) == 0) || (pointed && chip == ARRAY))
#define S2	(inflight == SUM(ann) && waiters == SUM(waiting))

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

/* ---- the chip mutex and mtd_read() -------------------------------- */
#ifdef ERASE_SUSPEND
/* The writer's mutex_lock(&chip->mutex).  cm_wait models the kernel
 * mutex's anti-starvation hand-off (MUTEX_FLAG_HANDOFF): once the writer
 * waits, the next unlock gives it the mutex, readers cannot overtake. */
inline chip_lock()
{
	cm_wait = 1;
	atomic { !cmutex -> cmutex = 1; cm_wait = 0 }
}
inline chip_unlock()
{
	cmutex = 0
}
/* mtd_read() -> cfi_intelext_read() -> do_read_onechip(): mutex_lock,
 * get_chip(FL_READY), map_copy_from(), put_chip(), mutex_unlock.
 * get_chip() sleeps on chip->wq while a program runs (FL_WRITING: no
 * suspend for reads); here that is the guard of the lock.  During an
 * erase, chip_ready() suspends it (0006: cfi_can_suspend_erase() is true
 * for FL_READY with model_suspend; on a real chip with FeatureSupport
 * bit 1). */
inline mtd_read()
{
	atomic { !cmutex && !cm_wait && (chip != BUSY || erasing) -> cmutex = 1 };
	if
	:: chip == BUSY -> chip = SUSPENDED	/* 0xB0, 0x70, poll: suspended  */
	:: chip == STATUS -> chip = ARRAY	/* 0xFF                         */
	:: else -> skip
	fi;
	assert(chip == ARRAY || chip == SUSPENDED);	/* map_copy_from()     */
	if
	:: chip == SUSPENDED -> chip = BUSY	/* put_chip(): 0xD0, 0x70 resume*/
	:: else -> skip
	fi;
	cmutex = 0
}
#define CHIP_LOCK	chip_lock();
#define CHIP_UNLOCK	chip_unlock();
#else
/* Without erase suspend, mtd_read() is one step: get_chip(FL_READY)
 * sleeps while the chip is busy (program or unsuspendable erase), writes
 * Read Array (0xFF) in FL_STATUS, copies, put_chip().  chip->mutex makes
 * it atomic with respect to the writer's chip steps, which are single
 * statements here too. */
inline mtd_read()
{
	atomic { chip != BUSY -> chip = ARRAY }
}
#define CHIP_LOCK
#define CHIP_UNLOCK
#endif

/* ---- consumer side of the gate (0004) ----------------------------- */

/* cramfs_gate_tryget(): take a temporary reference if the gate is open;
 * never sleeps.  ok = 1: reference held. */
inline cramfs_gate_tryget(me, ok, last)
{
	if
#ifndef NO_PRECHECK
#ifdef LOST_AS_OPEN
	:: closed == CLOSED -> skip		/* BUG: LOST taken as open      */
#else
	:: closed != OPEN -> skip		/* if (READ_ONCE(closed))       *
						 *	return false;           */
#endif
#endif
	:: else ->
		d_step { inflight++; ann[me] = 1 };	/* atomic_inc: announce;  *
						 * smp_mb__after_atomic()       */
#ifdef NO_RECHECK
		d_step { held[me] = 1; ok = 1 }	/* BUG: no re-check             */
#else
		if
#ifdef LOST_AS_OPEN
		:: atomic { closed != CLOSED -> held[me] = 1; ok = 1 }
#else
		:: atomic { closed == OPEN ->	/* smp_load_acquire(&closed)    *
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

/* cramfs_gate_wait(): wait_event(wq, READ_ONCE(closed) != CLOSED) */
#ifdef WAIT_FOR_OPEN
#define GATE_WAIT_COND	(closed == OPEN)	/* BUG */
#else
#define GATE_WAIT_COND	(closed != CLOSED)
#endif

/* cramfs_gate_get(): loop { tryget; break if held or LOST; count in
 * waiters once; cramfs_gate_wait() }; leave waiters.  ok = 0: direct
 * access is lost, the caller goes around the pointer. */
inline cramfs_gate_get(me, ok, last)
{
	do
	:: cramfs_gate_tryget(me, ok, last);
		if
		:: ok -> break
		:: !ok && closed == LOST -> break	/* READ_ONCE(closed) == LOST */
		:: else ->
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

proctype consumer(byte me)
{
	bool ok, last;

end_idle:
	do
	/* a load through an existing flash PTE: the MMU alone (also a
	 * fork()ed copy of it: PTEs are the union over all mms) */
	:: atomic { pte[0] -> LOAD_OK }
	:: atomic { pte[1] -> LOAD_OK }
	/* cramfs_xip_fault() on a direct page, or cramfs_physmem_mmap() */
	:: cramfs_gate_get(me, ok, last);
		if
		:: ok ->
			if
			/* vmf_insert_mixed() for the faulting page, a no-op if
			 * it is mapped already (which page: a superset) */
			:: pte[0] = 1
			:: pte[1] = 1
			/* mmap(): cramfs_xip_find_range() reads the block
			 * pointers, maps nothing */
			:: LOAD_OK
			fi;
			cramfs_gate_put(me, ok, last)
		/* LOST: filemap_fault() (a page cache miss then goes through
		 * cramfs_read_folio(), the next branch, on a later turn), or
		 * mmap()'s "direct access lost" bailout */
		:: else -> skip
		fi
	/* cramfs_read_lock(); cramfs_read(); cramfs_read_unlock() */
	:: atomic { !rmutex -> rmutex = 1 };	/* mutex_lock(&read_mutex)      */
		cramfs_gate_tryget(me, ok, last);	/* one try, never waits */
		if
		:: ok -> LOAD_OK;		/* cramfs_direct_read(): memcpy */
			cramfs_gate_put(me, ok, last)	/* read_direct          */
		:: else -> mtd_read()		/* cramfs_bounce_read()         */
		fi;
		rmutex = 0			/* mutex_unlock(&read_mutex)    */
	od
}

/* ---- writer: a cfi_cmdset_0001 entry point bracketed by 0003 ------- */

/* cramfs_xip_unmap_all(): unmap_mapping_range() on every mapped regular
 * inode; PTEs go one page-table lock section at a time, the TLB flush is
 * done before it returns. */
inline cramfs_xip_unmap_all()
{
	pte[0] = 0;
	pte[1] = 0
}

/* The operation proper (do_write_buffer / do_erase_oneblock), unchanged
 * by the series except for 0005's hold: get_chip() (sleeps while a
 * FL_POINT reference is left), the command (the chip leaves read-array),
 * INVAL_CACHE_AND_WAIT polling with chip->mutex dropped between polls
 * (cfi_busy_hold() slices); the chip ends in FL_STATUS. */
inline cfi_operation(busy)
{
#ifdef ERASE_SUSPEND
	chip_lock();
	(!pointed);			/* get_chip(): no FL_POINT left          */
	if
	:: erasing = 1; busy = 2	/* block erase: two status polls        */
	:: erasing = 0; busy = 1	/* buffer program: one                   */
	fi;
	chip = BUSY;			/* command: chip leaves read-array       */
	chip_unlock();
	do
	:: chip_lock();			/* INVAL_CACHE_AND_WAIT                  */
		assert(chip == BUSY);	/* a suspender resumed before unlocking */
		busy--;
		if
		:: busy == 0 -> chip = STATUS; erasing = 0; chip_unlock(); break
		:: else -> chip_unlock()
		fi
	od
#else
	atomic { !pointed -> chip = BUSY };	/* get_chip(); command          */
	chip = STATUS			/* status polled until ready: FL_STATUS  */
#endif
}

proctype writer()
{
	byte w, busy;
	bool lost;

	do
	:: w < NWRITES ->
		/* mtd_revoke_points() (0002): mutex_lock(&point_holders_lock),
		 * then for the holder cramfs_xip_revoke() (0004):
		 *
		 * 0. grace: if gate->woke (the last reopen found waiters != 0),
		 * schedule_timeout_uninterruptible() until 10 ms after that
		 * reopen.  A bounded sleep with the gate open and nothing held
		 * but point_holders_lock: in this untimed model the writer may
		 * already stay unscheduled for any finite time at this point,
		 * so the step adds no behaviour and is not a statement (see
		 * README.md). */

		closed = CLOSED;		/* 1. WRITE_ONCE(closed, CLOSED); smp_mb() */
#ifdef UNMAP_BEFORE_DRAIN
		cramfs_xip_unmap_all();		/* BUG: 3 before 2 */
		wait_event(WRITER, inflight == 0);
#else
#ifndef NO_DRAIN
		wait_event(WRITER, inflight == 0);	/* 2. drain; smp_mb() */
#endif
#ifndef NO_UNMAP
		cramfs_xip_unmap_all();		/* 3. revoke the leases */
#endif
#endif
#ifndef NO_UNPOINT
		if				/* if (sbi->mtd_point_size)     */
		:: pointed ->
			CHIP_LOCK		/* mtd_unpoint(): FL_POINT ->   */
			pointed = 0;		/* FL_READY, still read-array   */
			CHIP_UNLOCK
		:: else -> skip			/* LOST: nothing to give back   */
		fi;
#endif
		/* cramfs_xip_revoke() returns 0: the operation runs */
		cfi_operation(busy);

		/* mtd_restore_points(): cramfs_xip_restore() (0004):
		 * cramfs_xip_point() -> mtd_point() -> do_point_onechip():
		 * Read Array (0xFF) if needed, FL_POINT */
		CHIP_LOCK
		if
		:: atomic { chip = ARRAY; pointed = 1 }	/* same address: OPEN */
#ifndef NO_LOST
		:: lost = 1			/* mtd_point() fails: LOST      */
		:: atomic { chip = ARRAY; lost = 1 }	/* another address:  *
					 * pointed, then mtd_unpoint(): LOST */
#endif
		fi;
		CHIP_UNLOCK
#ifdef WAKE_BEFORE_OPEN
		wake_up();			/* BUG: wake, then reopen */
		d_step { closed = (lost -> LOST : OPEN); lost = 0 };
#else
		/* smp_store_release(&closed, state) */
		d_step { closed = (lost -> LOST : OPEN); lost = 0 };
#ifndef NO_WAKE_ALL
		wake_up();			/* wake_up_all(&wq) */
#endif
#endif
		/* gate->reopened = jiffies; gate->woke = waiters != 0: only
		 * for step 0, not kept */
		w++				/* mutex_unlock(&point_holders_lock) */
	:: else -> break
	od;
	wdone = 1
}

/* ---- S1 and S2 in every reachable state (safety runs only) -------- */
#ifndef NO_MONITOR
proctype monitor()
{
end:	atomic { !(S1 && S2) -> assert(S1); assert(S2) }
}
#endif

init
{
	/* The mount: cramfs_xip_register() -> mtd_register_point_holder()
	 * -> cramfs_xip_restore(): pointed, gate OPEN (a failure there
	 * fails the mount). */
	atomic {
		run writer();
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
