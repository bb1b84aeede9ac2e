// SPDX-License-Identifier: BSD-2-Clause
/*
 * pkt-gen-libc: pkt-gen as an unmodified netmap program would drive its
 * rings.  Linked with -Wl,--wrap for nm_poll, nmport_txsync and
 * nmport_rxsync (bench/bench.am), so that every wait and sync pkt-gen
 * makes goes through the C library's poll() and ioctl() on the port's
 * descriptor, which libnetmap's wrappers (lib/interpose.c) serve on the
 * user runtime.  Beside plain pkt-gen, in the same round, it gives
 * preload_ratio: what the wrappers cost a netmap program.
 */
#include <poll.h>
#include <sys/ioctl.h>

#include <libnetmap.h>

int __wrap_nm_poll(struct pollfd *fds, nfds_t nfds, int timeout);
int __wrap_nmport_txsync(struct nmport_d *d);
int __wrap_nmport_rxsync(struct nmport_d *d);

int __wrap_nm_poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	return poll(fds, nfds, timeout);
}

int __wrap_nmport_txsync(struct nmport_d *d)
{
	return ioctl(d->fd, NIOCTXSYNC, NULL);
}

int __wrap_nmport_rxsync(struct nmport_d *d)
{
	return ioctl(d->fd, NIOCRXSYNC, NULL);
}
