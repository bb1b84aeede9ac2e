// SPDX-License-Identifier: BSD-2-Clause
/*
 * libnetmap contexts: the error, allocation and locking callbacks shared
 * by a group of ports, and the built-in default context.
 *
 * The built-in context prints every message on stderr and serialises
 * access to its list of mapped regions with a pthread mutex, so ports
 * opened from several threads can share it.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libnetmap.h"
#include "libnetmap_private.h"

static pthread_mutex_t nmctx_default_mutex = PTHREAD_MUTEX_INITIALIZER;

static void nmctx_default_error(struct nmctx *ctx, const char *msg)
{
	if (ctx->verbose)
		fprintf(stderr, "%s\n", msg);
}

static void nmctx_pthread_lock(struct nmctx *ctx, int lock)
{
	(void)ctx;
	if (lock)
		pthread_mutex_lock(&nmctx_default_mutex);
	else
		pthread_mutex_unlock(&nmctx_default_mutex);
}

static struct nmctx nmctx_builtin = {
	.verbose = 1,
	.error = nmctx_default_error,
	.lock = nmctx_pthread_lock,
};

static struct nmctx *nmctx_default = &nmctx_builtin;

/*
 * The last message of each thread, so that nmport_last_error() works
 * whatever error callback the context has.
 */
static __thread char nmctx_last_msg[NMCTX_MSG_MAX];
static __thread const struct nmctx *nmctx_last_ctx;

struct nmctx *nmctx_get(void)
{
	return __atomic_load_n(&nmctx_default, __ATOMIC_ACQUIRE);
}

struct nmctx *nmctx_set_default(struct nmctx *ctx)
{
	if (ctx == NULL)
		ctx = &nmctx_builtin;
	return __atomic_exchange_n(&nmctx_default, ctx, __ATOMIC_ACQ_REL);
}

void nmctx_set_threadsafe(void)
{
	nmctx_builtin.lock = nmctx_pthread_lock;
}

/*
 * Messages name what the application gave, and a port name may hold a
 * newline or a terminal escape: control characters are written as \n,
 * \t or \xNN, so that a message stays one printable line.
 */
static void nmctx_printable(char *dst, size_t len, const char *src)
{
	size_t n = 0;

	for (; *src && n + 5 < len; src++) {
		unsigned char c = (unsigned char)*src;

		if (c == '\n' || c == '\t') {
			dst[n++] = '\\';
			dst[n++] = c == '\n' ? 'n' : 't';
		} else if (c < 0x20 || c == 0x7f) {
			n += (size_t)snprintf(dst + n, len - n, "\\x%02x", c);
		} else {
			dst[n++] = (char)c;
		}
	}
	dst[n] = '\0';
}

void nmctx_ferror(struct nmctx *ctx, const char *fmt, ...)
{
	char raw[NMCTX_MSG_MAX];
	va_list ap;

	if (ctx == NULL)
		ctx = nmctx_get();
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	nmctx_printable(nmctx_last_msg, sizeof(nmctx_last_msg), raw);
	nmctx_last_ctx = ctx;
	if (ctx->error)
		ctx->error(ctx, nmctx_last_msg);
	else
		nmctx_default_error(ctx, nmctx_last_msg);
}

void *nmctx_malloc(struct nmctx *ctx, size_t size)
{
	if (ctx && ctx->malloc)
		return ctx->malloc(ctx, size);
	return malloc(size);
}

void nmctx_free(struct nmctx *ctx, void *p)
{
	if (ctx && ctx->free)
		ctx->free(ctx, p);
	else
		free(p);
}

void nmctx_lock(struct nmctx *ctx)
{
	if (ctx && ctx->lock)
		ctx->lock(ctx, 1);
}

void nmctx_unlock(struct nmctx *ctx)
{
	if (ctx && ctx->lock)
		ctx->lock(ctx, 0);
}

const char *nmport_last_error(const struct nmctx *ctx)
{
	if (ctx != NULL && ctx != nmctx_last_ctx)
		return "";
	return nmctx_last_msg;
}
