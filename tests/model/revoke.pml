/*
 * revoke.pml: Spin model of the kernel revocation protocol of
 * docs/kernel-protocol.md (cramfs XIP on NOR, patches 1-3 and 5).
 *
 * Parties and the kernel code each Promela part stands for:
 *
 *   consumer(me)   a task using the mounted cramfs.  Each loop turn is one
 *                  of
 *                    - a load through an existing flash PTE (the MMU; no
 *                      kernel code runs),
 *                    - a load that misses: the cramfs XIP .fault handler
 *                      (gate get, vmf_insert_mixed(), gate put),
 *                    - a cramfs_read() user (lookup, readdir, readpage):
 *                      gate get, copy from the linear mapping, gate put.
 *   writer()       the CFI 0001 write/erase entry point bracketed by
 *                  mtd_revoke_points() / mtd_restore_points(), calling the
 *                  one registered holder's ops: revoke (close, drain,
 *                  unmap_mapping_range, mtd_unpoint) and restore
 *                  (mtd_point, reopen, wake_up_all).
 *   monitor()      not kernel code: checks S1 and S2 in every state.
 *
 * One holder (one mounted cramfs) and one writer process: the master's
 * point mutex serialises whole revoke/restore pairs, so further writers
 * would only add more brackets in sequence, which NWRITES covers.  The
 * gate's own writer mutex is uncontended for the same reason and is not
 * modelled.
 *
 * Memory model: Spin interleaves whole statements, i.e. it is sequentially
 * consistent.  That is what the barriers of the protocol buy (the
 * smp_mb__after_atomic() after the consumer's announce and the smp_mb()
 * after the writer's close form a Dekker pair; the barriers implied by
 * set_current_state() and by try_to_wake_up() make wait_event/wake_up
 * behave as modelled below).  One Promela statement = one atomic access.
 *
 * Properties (see check.sh):
 *   S1  chip not in read-array => no flash PTE and no temporary reference
 *       held (monitor), and every load through a PTE or a reference sees
 *       read-array, never status (assert at each load);
 *   S2  inflight == number of announced consumers, never negative; a put
 *       only by a holder of a reference (monitor + asserts);
 *   D   no deadlock (Spin's invalid end states);
 *   L1  ltl l1_writer: every write completes (weak fairness);
 *   L2  ltl l2_waiter: a consumer that found the gate closed proceeds
 *       (weak fairness).
 *
 * Seeded bugs (-D on the spin command line), each must fail a check:
 *   UNMAP_BEFORE_DRAIN  revoke unmaps first, then drains         (S1)
 *   NO_RECHECK          consumer checks closed, then announces   (S1)
 *   NO_DRAIN            revoke does not drain temporary refs     (S1)
 *   LOST_WAKEUP         put does not wake_up() at inflight == 0  (L1)
 *   NO_WAKE_ALL         restore does not wake_up_all()           (D, L2)
 *   WAKE_BEFORE_OPEN    restore wakes, then clears closed        (D)
 *   NAIVE_WAIT          wait_event without the re-check after
 *                       prepare_to_wait()                        (D)
 *   NO_UNPOINT          revoke does not mtd_unpoint()            (D)
 * Options:
 *   ERASE_SUSPEND       chip mutex, busy erase, erase suspend for
 *                       mtd_read() (patches 4/5); a consumer that finds the
 *                       gate closed may read through mtd_read() instead of
 *                       waiting
 *   PRECHECK            consumer reads 'closed' before announcing and
 *                       takes the slow path without touching inflight.
 *                       Not in the design; with ERASE_SUSPEND the design
 *                       as written fails L1 (readers that take mtd_read()
 *                       instead of sleeping re-announce forever and the
 *                       drain's re-check can always see inflight > 0);
 *                       PRECHECK restores L1.  See README.md.
 *   NC (2 or 3)         consumers; NWRITES: write brackets
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
 * BUSY      program or erase running: FL_WRITING / FL_ERASING; every
 *           load returns status bytes
 * SUSPENDED erase suspended (FL_ERASE_SUSPENDED): array reads outside
 *           the erasing block (cramfs lives outside it)
 * STATUS    operation done, chip left in status mode (FL_STATUS) until
 *           someone writes Read Array (0xFF)                            */
mtype chip = ARRAY;
bool pointed = 1;		/* cramfs's FL_POINT reference (ref_point_counter)  */
#ifdef ERASE_SUSPEND
bool erasing;			/* the BUSY operation is an erase (suspendable)     */
bool cmutex;			/* chip->mutex                                      */
bool cm_wait;			/* the writer waits for chip->mutex: hand-off       */
#endif

/* ---- the gate (struct cramfs_xip_gate) ---------------------------- */
byte inflight;			/* atomic_t inflight: temporary references          */
bool closed;			/* int closed (READ_ONCE / WRITE_ONCE)              */
byte wq;			/* wait_queue_head_t wq: bit i = task i is queued   *
				 * and TASK_UNINTERRUPTIBLE (consumers 0..NC-1,     *
				 * writer NC)                                       */

/* ---- user page tables: flash PTEs of the 2 pages (all mms) -------- */
bool pte[2];

/* ---- ghost state for the properties (no kernel counterpart) ------- */
bool ann[NC];			/* consumer i's increment is in inflight            */
bool held[NC];			/* consumer i holds a reference (get returned)      */
bool waiting[NC];		/* consumer i found the gate closed, not through    */
bool wdone;			/* writer finished all NWRITES brackets             */

#if NC == 2
#define SUM(a)	(a[0] + a[1])
#else
#define SUM(a)	(a[0] + a[1] + a[2])
#endif
#define S1	(chip == ARRAY || (!pte[0] && !pte[1] && SUM(held) == 0))
#define S2	(inflight == SUM(ann))

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

/* ---- the chip mutex (ERASE_SUSPEND only) -------------------------- */
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
 * suspend for reads); here that is the guard of the lock. */
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
/* Without erase suspend the writer is the only user of the chip. */
#define CHIP_LOCK
#define CHIP_UNLOCK
#endif

/* ---- consumer side of the gate ------------------------------------ */

/* get: the loop of docs/kernel-protocol.md.  ok = 1: reference held;
 * ok = 0: the gate was closed and the caller read through mtd_read()
 * instead of waiting (ERASE_SUSPEND only). */
inline gate_get(me, ok, last)
{
#ifdef NO_RECHECK
	/* BUG: check closed, then announce, no re-check afterwards */
	do
	:: atomic { !closed -> waiting[me] = 0 }; break
	:: atomic { closed -> waiting[me] = 1 };
		wait_event(me, !closed)
	od;
	atomic { inflight++; ann[me] = 1; held[me] = 1; ok = 1 }	/* atomic_inc */
#else
	do
	::
#ifdef PRECHECK
		if
		:: atomic { closed -> waiting[me] = 1 }; goto slow
		:: else -> skip
		fi;
#endif
		d_step { inflight++; ann[me] = 1 };	/* atomic_inc: announce */
		if					/* smp_mb__after_atomic */
		:: atomic { !closed ->			/* READ_ONCE(closed)    */
			held[me] = 1; waiting[me] = 0; ok = 1 };
			break				/* reference held       */
		:: else ->
			d_step {			/* atomic_dec_and_test  */
				waiting[me] = 1;
				assert(inflight > 0);
				inflight--; ann[me] = 0;
				last = (inflight == 0)
			};
			if
			:: d_step { last; last = 0; wake_up() }	/* writer may drain */
			:: else -> skip
			fi;
#ifdef PRECHECK
slow:
#endif
#ifdef ERASE_SUSPEND
			if
			:: mtd_read();			/* bounce buffer copy   */
				waiting[me] = 0;
				ok = 0;
				break
			:: skip
			fi;
#endif
			wait_event(me, !closed)
		fi
	od
#endif
}

/* put: if (atomic_dec_and_test(&inflight)) wake_up(&wq); */
inline gate_put(me, ok, what, last)
{
	d_step {
		assert(held[me] && inflight > 0);
		inflight--; ann[me] = 0; held[me] = 0;
		last = (inflight == 0);
		ok = 0; what = 0		/* caller's locals, for state economy */
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

/* A load from flash through a PTE or the linear mapping: it must find
 * the chip in read-array mode, else it returns status bytes. */
#define LOAD_OK	assert(chip == ARRAY)

mtype = { READ, FAULT };

proctype consumer(byte me)
{
	bool ok, last;
	mtype what;

end_idle:
	do
	/* a load through an existing flash PTE: the MMU alone */
	:: atomic { pte[0] -> LOAD_OK }
	:: atomic { pte[1] -> LOAD_OK }
	/* a load that misses: the cramfs XIP .fault handler */
	:: atomic { (!pte[0] || !pte[1]) -> what = FAULT };
		goto get
	/* cramfs_read(): a temporary reference around a copy */
	:: what = READ;
get:		gate_get(me, ok, last);
		if
		:: atomic { ok && what == READ -> LOAD_OK }	/* memcpy     */
		/* vmf_insert_mixed() for the faulting page; a no-op if
		 * another task mapped it meanwhile.  Which page faulted is
		 * chosen here (a superset of the real choices). */
		:: atomic { ok && what == FAULT -> pte[0] = 1 }
		:: atomic { ok && what == FAULT -> pte[1] = 1 }
#ifdef ERASE_SUSPEND
		/* gate closed, served by mtd_read() (a fault: through the
		 * page cache, no flash PTE) */
		:: atomic { !ok -> what = 0 }
#endif
		fi;
		if
		:: ok -> gate_put(me, ok, what, last)
		:: else -> skip
		fi
		/* a faulting task retries its load in a later turn */
	od
}

/* ---- writer: CFI 0001 write/erase entry point ---------------------- */

/* unmap_mapping_range() on every XIP inode: PTEs go one page-table lock
 * section at a time; the TLB flush is done before it returns. */
inline unmap_mapping_range()
{
	pte[0] = 0;
	pte[1] = 0
}

/* The operation proper (do_write_buffer / do_erase_oneblock), unchanged
 * by the series: get_chip() (sleeps while cramfs still holds FL_POINT),
 * issue the command (the chip leaves read-array), poll the status with
 * INVAL_CACHE_AND_WAIT, dropping chip->mutex between polls; the chip ends
 * in FL_STATUS. */
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

	do
	:: w < NWRITES ->
		/* ret = mtd_revoke_points(master): mutex_lock(master point
		 * mutex); for each holder h->ops->revoke(h), i.e. cramfs: */
		closed = 1;			/* 1. WRITE_ONCE(closed, 1); smp_mb() */
#ifdef UNMAP_BEFORE_DRAIN
		unmap_mapping_range();		/* BUG: 3 before 2 */
		wait_event(WRITER, inflight == 0);
#else
#ifndef NO_DRAIN
		wait_event(WRITER, inflight == 0);	/* 2. drain */
#endif
		unmap_mapping_range();		/* 3. revoke leases */
#endif
#ifndef NO_UNPOINT
		CHIP_LOCK			/* mtd_unpoint(): FL_POINT ->     */
		pointed = 0;			/* FL_READY, still read-array     */
		CHIP_UNLOCK
#endif
		cfi_operation(busy);		/* ... the operation, unchanged ... */
		/* mtd_restore_points(master): h->ops->restore(h), i.e. cramfs:
		 * mtd_point() -> do_point_onechip(): Read Array (0xFF) if the
		 * chip is not in it, FL_POINT, ref_point_counter++ */
		CHIP_LOCK
		atomic { chip = ARRAY; pointed = 1 };
		CHIP_UNLOCK
#ifdef WAKE_BEFORE_OPEN
		wake_up();			/* BUG: wake, then open */
		closed = 0;
#else
		closed = 0;			/* WRITE_ONCE(closed, 0) */
#ifndef NO_WAKE_ALL
		wake_up();			/* wake_up_all(&wq)      */
#endif
#endif
		w++				/* mutex_unlock(master point mutex) */
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
/* L2: a consumer that found the gate closed gets through (consumer 0; the
 * consumers are identical) */
ltl l2_waiter { [] (waiting[0] -> <> !waiting[0]) }
