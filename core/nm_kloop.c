// SPDX-License-Identifier: BSD-2-Clause
/*
 * CSB mode and the in-kernel sync loop (spec section 25).
 *
 * In CSB mode the application and the kernel exchange a ring's positions
 * through two arrays in the application's memory, one 64-byte entry per
 * bound ring (TX rings first): the application writes head and cur into
 * nm_csb_atok, the kernel hwcur and hwtail into nm_csb_ktoa.  The
 * descriptor's own syncs are refused; a loop started with
 * SYNC_KLOOP_START, in the caller's thread, syncs the rings until
 * SYNC_KLOOP_STOP, so the application never makes a system call for its
 * rings.  Without eventfds the loop sleeps sleep_us between rounds; with
 * them it sleeps until kicked (ioeventfd) or woken by the port, and
 * notifies the application through irqfd when it asked for it
 * (appl_need_kick).
 *
 * The host provides the waiting, the eventfds and the accesses to the
 * CSB words (host.h); the loop itself, the validation and the protocol
 * are here, once.
 */
#include "nm_core.h"

#define NM_KLOOP_TIMEOUT_US	3000000u	/* event-driven wait (25.2) */
#define NM_KLOOP_ROUNDS		8	/* syncs of one ring per turn */

static uint32_t nm_csb_nrings(const struct nm_priv *priv)
{
	return priv->qlast[NR_TX] - priv->qfirst[NR_TX] +
	       priv->qlast[NR_RX] - priv->qfirst[NR_RX];
}

/* The i-th bound ring: TX rings first, then RX rings (25.1). */
static struct nm_kring *nm_csb_kring(const struct nm_priv *priv, uint32_t i)
{
	uint32_t ntx = priv->qlast[NR_TX] - priv->qfirst[NR_TX];

	if (i < ntx)
		return &priv->na->rings[NR_TX][priv->qfirst[NR_TX] + i];
	return &priv->na->rings[NR_RX][priv->qfirst[NR_RX] + i - ntx];
}

static struct nm_csb_atok *nm_csb_atok(const struct nm_priv *priv,
				       uint32_t i)
{
	return (struct nm_csb_atok *)(uintptr_t)priv->csb_atok + i;
}

static struct nm_csb_ktoa *nm_csb_ktoa(const struct nm_priv *priv,
				       uint32_t i)
{
	return (struct nm_csb_ktoa *)(uintptr_t)priv->csb_ktoa + i;
}

/* ---------------------------------------------------------------- */
/* CSB mode (25.1)                                                  */
/* ---------------------------------------------------------------- */

/*
 * The CSB option, at registration (step 11 of 11.4) or with CSB_ENABLE:
 * check it, initialise both arrays and put the descriptor in CSB mode.
 * Returns 0 or a negative errno.  Control lock held.
 */
int nm_csb_enable(struct nm_priv *priv, const struct nmreq_opt_csb *o)
{
	uint32_t n = nm_csb_nrings(priv), i;
	struct nm_csb_atok a;
	struct nm_csb_ktoa k;
	uint8_t probe[64];
	int err;

	if (priv->kloop_state & NM_KLOOP_RUNNING)
		return -EBUSY;
	if (!n)
		return 0;	/* nothing to drive: accepted, no effect */
	if (!(priv->flags & NR_EXCLUSIVE))
		return -EINVAL;
	if ((o->csb_atok | o->csb_ktoa) & 63)
		return -EINVAL;
	/* atok readable, ktoa writable (and zeroed) */
	for (i = 0; i < n; i++) {
		err = nmh_copy_from_user(probe, (const void *)(uintptr_t)
					 (o->csb_atok + 64ull * i), 64);
		if (!err) {
			memset(probe, 0, sizeof(probe));
			err = nmh_copy_to_user((void *)(uintptr_t)
					       (o->csb_ktoa + 64ull * i), probe, 64);
		}
		if (err)
			return -EFAULT;
	}
	for (i = 0; i < n; i++) {
		struct nm_kring *kr = nm_csb_kring(priv, i);

		memset(&a, 0, sizeof(a));
		a.head = kr->rhead;
		a.cur = kr->rcur;
		a.appl_need_kick = 1;
		a.sync_flags = 1;	/* look for packets at the first sync */
		memset(&k, 0, sizeof(k));
		k.hwcur = kr->nr_hwcur;
		k.hwtail = nm_load_acquire(&kr->nr_hwtail);
		k.kern_need_kick = 1;
		if (nmh_copy_to_user((void *)(uintptr_t)(o->csb_atok + 64ull * i),
				     &a, sizeof(a)) ||
		    nmh_copy_to_user((void *)(uintptr_t)(o->csb_ktoa + 64ull * i),
				     &k, sizeof(k)))
			return -EFAULT;
	}
	priv->csb_atok = o->csb_atok;
	priv->csb_ktoa = o->csb_ktoa;
	return 0;
}

/* ---------------------------------------------------------------- */
/* The loop (25.2)                                                  */
/* ---------------------------------------------------------------- */

/* Publish a ring's positions: hwcur first, then hwtail. */
static int nm_kloop_publish(struct nm_kloop *kl, uint32_t i,
			    struct nm_kring *kr)
{
	struct nm_csb_ktoa *k = nm_csb_ktoa(kl->priv, i);

	if (nmh_csb_store(&k->hwcur, kr->nr_hwcur) ||
	    nmh_csb_store(&k->hwtail, nm_load_acquire(&kr->nr_hwtail)))
		return -EFAULT;
	return 0;
}

/*
 * One turn of ring i: sync it, and again as long as the application
 * gives it work (at most NM_KLOOP_ROUNDS times); publish; notify.  A
 * ring with nothing new is still synced once per turn, for completions
 * and arrivals the port only learns in a sync.  Returns 1 if something
 * moved, 0 if not, or a negative errno (CSB memory gone).
 */
static int nm_kloop_ring(struct nm_kloop *kl, uint32_t i)
{
	struct nm_csb_atok *a = nm_csb_atok(kl->priv, i);
	struct nm_kring *kr = kl->rings[i];
	uint32_t n = kr->nkr_num_slots, round, head, cur, flags, kick;
	uint32_t before = kl->last_tail[i], tail;
	int did = 0, err;

	for (round = 0; round < NM_KLOOP_ROUNDS; round++) {
		uint32_t lo, hi;

		/* head first: the application writes it last (25.1) */
		if (nmh_csb_load(&a->head, &head) ||
		    nmh_csb_load(&a->cur, &cur) ||
		    nmh_csb_load(&a->sync_flags, &flags))
			return -EFAULT;
		if (kr->tx == NR_TX) {
			/* new slots; or, once, completions still to come */
			if (head == kr->rhead &&
			    (round || nm_load_acquire(&kr->nr_hwtail) ==
				      nm_prev(kr->nr_hwcur, n)))
				break;
			lo = kr->rhead;
			hi = kr->rtail;
			/* eager reclaim when less than half the ring is free */
			if (nm_dist(head, kr->nr_hwtail, n) < n / 2)
				flags |= NAF_FORCE_RECLAIM;
		} else {
			if (round && head == kr->nr_hwcur &&
			    nm_load_acquire(&kr->nr_hwtail) == kl->last_tail[i])
				break;
			lo = kr->nr_hwcur;
			hi = nm_load_acquire(&kr->nr_hwtail);
		}
		if (head != (kr->tx == NR_TX ? kr->rhead : kr->nr_hwcur))
			did = 1;
		if (!nm_kring_try_busy(kr))
			break;
		if (kr->na->flags & NAF_ZOMBIE) {
			nm_kring_unbusy(kr);
			break;
		}
		if (nm_prologue_values(kr, lo, hi, head, cur)) {
			/* repaired: this ring's turn ends (6.3) */
			nm_kring_unbusy(kr);
			nm_kloop_publish(kl, i, kr);
			break;
		}
		err = nm_kring_sync(kr, (int)(flags & (NAF_FORCE_RECLAIM |
						       NAF_FORCE_READ)));
		nm_sync_finalize(kr);
		nm_kring_unbusy(kr);
		if (err)
			break;
		if (nm_kloop_publish(kl, i, kr))
			return -EFAULT;
		kl->last_tail[i] = nm_load_acquire(&kr->nr_hwtail);
	}
	tail = kl->last_tail[i];
	if (tail != before)
		did = 1;
	/* new TX room or received packets: notify if asked */
	if (tail != before && kl->irq && !nmh_csb_load(&a->appl_need_kick, &kick) &&
	    kick)
		nmh_kloop_irq(kl, i);
	return did;
}

/* Work for the loop right now?  (Re-check before sleeping, 25.2.) */
static int nm_kloop_pending(struct nm_kloop *kl)
{
	uint32_t i, head;

	for (i = 0; i < kl->n; i++) {
		struct nm_kring *kr = kl->rings[i];
		uint32_t tail = nm_load_acquire(&kr->nr_hwtail);

		if (nmh_csb_load(&nm_csb_atok(kl->priv, i)->head, &head))
			return 1;	/* let the next round report it */
		if (kr->tx == NR_TX ?
		    head != kr->rhead || tail != kl->last_tail[i] :
		    head != kr->nr_hwcur || tail != kl->last_tail[i])
			return 1;
	}
	return 0;
}

static void nm_kloop_need_kick(struct nm_kloop *kl, uint32_t v)
{
	uint32_t i;

	for (i = 0; i < kl->n; i++)
		nmh_csb_store(&nm_csb_ktoa(kl->priv, i)->kern_need_kick, v);
}

static int nm_kloop_stopping(const struct nm_kloop *kl)
{
	return nm_load_acquire(&kl->priv->kloop_state) & NM_KLOOP_STOPPING;
}

/*
 * SYNC_KLOOP_START, the part under the control lock: the checks of 25.2
 * in their order, the options, and the loop's state.  On success the
 * descriptor is marked running and *out is the loop nm_kloop_run() runs
 * once the control lock is released; *out stays NULL when a STOP came
 * first (the START returns 0 at once).
 */
int nm_kloop_prepare(struct nm_priv *priv, uint32_t sleep_us,
		     struct nmreq_option *mode_opt, uint32_t mode,
		     struct nmreq_option *efd_opt, const int32_t *efds,
		     struct nm_kloop **out)
{
	struct nm_adapter *na = priv->na;
	struct nm_kloop *kl;
	uint32_t n, i;
	int err;

	*out = NULL;
	if (sleep_us > 1000000)
		return -EINVAL;
	if (!na || !(na->flags & NAF_NETMAP_ON))
		return -ENXIO;
	if (!priv->csb_atok)
		return -EINVAL;
	if (priv->kloop_state & NM_KLOOP_RUNNING)
		return -EBUSY;
	n = nm_csb_nrings(priv);
	if (mode_opt) {
		mode_opt->nro_status = 0;
		if (mode & ~(uint32_t)(NM_OPT_SYNC_KLOOP_DIRECT_TX |
				       NM_OPT_SYNC_KLOOP_DIRECT_RX)) {
			mode_opt->nro_status = EINVAL;
			return -EINVAL;
		}
	}
	if (efd_opt) {
		efd_opt->nro_status = 0;
		if (efd_opt->nro_size != sizeof(*efd_opt) + 8ull * n) {
			efd_opt->nro_status = EINVAL;
			return -EINVAL;
		}
	}
	/* direct modes are driven by the kicks: every ioeventfd is needed */
	if (mode) {
		for (i = 0; i < n && efd_opt; i++)
			if (efds[2 * i] < 0)
				break;
		if (!efd_opt || i < n) {
			if (mode_opt)
				mode_opt->nro_status = EINVAL;
			return -EINVAL;
		}
	}
	if (priv->kloop_state & NM_KLOOP_STOPPING) {
		/* a STOP with no loop running is kept for the next START */
		nm_store_release(&priv->kloop_state, 0);
		return 0;
	}
	kl = nmh_tmp_alloc(sizeof(*kl) + n * (sizeof(kl->rings[0]) +
					      sizeof(kl->last_tail[0])));
	if (!kl)
		return -ENOMEM;
	kl->priv = priv;
	kl->n = n;
	kl->sleep_us = sleep_us;
	kl->mode = mode;
	kl->rings = (struct nm_kring **)(kl + 1);
	kl->last_tail = (uint32_t *)(kl->rings + n);
	for (i = 0; i < n; i++) {
		kl->rings[i] = nm_csb_kring(priv, i);
		kl->last_tail[i] = nm_load_acquire(&kl->rings[i]->nr_hwtail);
	}
	kl->events = 1;
	kl->irq = 0;
	for (i = 0; i < n; i++) {
		if (!efd_opt || efds[2 * i] < 0)
			kl->events = 0;
		if (efd_opt && efds[2 * i + 1] >= 0)
			kl->irq = 1;
	}
	err = nmh_kloop_setup(kl, efd_opt ? efds : NULL);
	if (err) {
		if (efd_opt)
			efd_opt->nro_status = (uint32_t)-err;
		nmh_tmp_free(kl);
		return err;
	}
	nm_store_release(&priv->kloop_state, NM_KLOOP_RUNNING);
	*out = kl;
	return 0;
}

/*
 * The loop itself, in the caller's thread and without the control lock:
 * the descriptor cannot be released while its ioctl runs.  Returns 0
 * when stopped, or -EFAULT when the CSB memory went away.
 */
int nm_kloop_run(struct nm_kloop *kl)
{
	struct nm_priv *priv = kl->priv;
	int err = 0, r;
	uint32_t i;

	while (!nm_kloop_stopping(kl)) {
		int work = 0;

		for (i = 0; i < kl->n && !err; i++) {
			r = nm_kloop_ring(kl, i);
			if (r < 0)
				err = r;
			work |= r > 0;
		}
		if (err)
			break;
		if (!kl->events) {
			/* timer driven: never asks for kicks (25.2) */
			err = nmh_kloop_wait(kl, kl->sleep_us);
			if (err)
				break;
			continue;
		}
		if (work)
			continue;
		/* ask for kicks, then look again: a kick may have come */
		nm_kloop_need_kick(kl, 1);
		nmh_kloop_arm(kl);
		nm_mb();
		if (!nm_kloop_pending(kl) && !nm_kloop_stopping(kl))
			err = nmh_kloop_wait(kl, NM_KLOOP_TIMEOUT_US);
		nm_kloop_need_kick(kl, 0);
		if (err)
			break;
	}
	nmh_kloop_teardown(kl);
	nmh_tmp_free(kl);
	nm_store_release(&priv->kloop_state, 0);
	nmh_kloop_exited(priv);
	return err;
}

/*
 * SYNC_KLOOP_STOP, and a descriptor closing while its loop runs: ask the
 * loop to stop and wake it.  Returns 1 if a loop is running (the caller
 * then waits for it with nmh_kloop_wait_stop, without the control lock).
 * With no loop running the request is kept for the next START (25.3).
 */
int nm_kloop_request_stop(struct nm_priv *priv)
{
	uint32_t old;

	do {
		old = nm_load_acquire(&priv->kloop_state);
	} while (!nm_cas32(&priv->kloop_state, old, old | NM_KLOOP_STOPPING));
	if (!(old & NM_KLOOP_RUNNING))
		return 0;
	nmh_kloop_wake(priv);
	return 1;
}
