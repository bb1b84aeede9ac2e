/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef NT_PREFETCH_H
#define NT_PREFETCH_H

/*
 * Ask for a cache line that is about to be read and then written, and
 * that was last written on another CPU (a slot line a peer's sync
 * stored), with write intent: it then crosses once, owned, instead of
 * twice (shared, then owned), and several such misses overlap.
 * bridge's zero copy and bench/bridge_probe use it
 * (bench/README.md, "Where the time goes in bridge_zc and lb4").
 */
static inline void nt_prefetchw(const void *p)
{
#if defined(__x86_64__) || defined(__i386__)
	/* PREFETCHW: a no-op on x86 CPUs without it (0F 0D is a NOP there) */
	__asm__ __volatile__("prefetchw %0" : : "m"(*(const char *)p));
#else
	__builtin_prefetch(p, 1);
#endif
}

#endif /* NT_PREFETCH_H */
