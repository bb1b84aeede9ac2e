// SPDX-License-Identifier: BSD-2-Clause
/*
 * A program that defines likely() and unlikely() itself before including
 * netmap_user.h: the header keeps them (no redefinition, -Werror).
 */
#define likely(x)	(x)
#define unlikely(x)	(x)
#include <net/netmap_user.h>
#include <net/netmap_virt.h>

int main(void)
{
	return likely(1) && !unlikely(0) ? 0 : 1;
}
