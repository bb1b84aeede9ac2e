// SPDX-License-Identifier: BSD-2-Clause
/*
 * Persistent VALE ports as network devices (spec 15.3).
 *
 * VALE_NEWIF (and the auto-created parent of a pipe, 14.1) makes core/
 * create a persistent VALE port; core/ then asks the host for the system
 * interface behind it: an Ethernet device with a random MAC address, an
 * MTU of 1500 that change requests do not alter, no transmit queue, and
 * a transmit function that drops everything the host stack sends.  The
 * port's rings are reached through netmap (netmap:NAME, or valeX:NAME
 * once attached to a switch), never through the device.
 *
 * Each device holds a module reference, so the module cannot be
 * unloaded while persistent ports exist.  All entry points from core/
 * run under the control lock; the device callbacks run under RTNL and
 * never take the control lock (the control lock is taken before RTNL).
 */
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/etherdevice.h>
#include <linux/nsproxy.h>
#include <linux/slab.h>
#include <linux/list.h>
#include <linux/capability.h>
#include <net/net_namespace.h>

#include "nm_core.h"
#include "nm_linux.h"

struct nmk_pdev {
	struct list_head list;		/* in nmk_pdevs, control lock */
	struct nm_adapter *na;
	struct net_device *dev;
};

/* Device private area: the name the port is registered under. */
struct nmk_pdev_priv {
	char name[IFNAMSIZ];
};

static LIST_HEAD(nmk_pdevs);

static struct net *nmk_caller_net(void)
{
	return current->nsproxy ? current->nsproxy->net_ns : &init_net;
}

/* ---------------------------------------------------------------- */
/* The device                                                       */
/* ---------------------------------------------------------------- */

/* Frames from the host stack have nowhere to go (15.3). */
static netdev_tx_t nmk_pdev_xmit(struct sk_buff *skb, struct net_device *dev)
{
	dev_core_stats_tx_dropped_inc(dev);
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

/* The MTU stays 1500: requests are accepted and ignored (15.3). */
static int nmk_pdev_change_mtu(struct net_device *dev, int new_mtu)
{
	return 0;
}

static const struct net_device_ops nmk_pdev_ops = {
	.ndo_start_xmit = nmk_pdev_xmit,
	.ndo_change_mtu = nmk_pdev_change_mtu,
	.ndo_set_mac_address = eth_mac_addr,
	.ndo_validate_addr = eth_validate_addr,
};

static void nmk_pdev_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->netdev_ops = &nmk_pdev_ops;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->tx_queue_len = 0;
	dev->mtu = ETH_DATA_LEN;
	/* No bounds: every request reaches nmk_pdev_change_mtu. */
	dev->min_mtu = 0;
	dev->max_mtu = 0;
}

static bool nmk_is_pdev(const struct net_device *dev)
{
	return dev->netdev_ops == &nmk_pdev_ops;
}

/*
 * The port is known to netmap by the device's name: refuse renames
 * (dev_change_name undoes the rename when a notifier fails).
 */
static int nmk_pdev_event(struct notifier_block *nb, unsigned long event,
			  void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct nmk_pdev_priv *p;

	if (event != NETDEV_CHANGENAME || !nmk_is_pdev(dev))
		return NOTIFY_DONE;
	p = netdev_priv(dev);
	if (strcmp(dev->name, p->name))
		return notifier_from_errno(-EBUSY);
	return NOTIFY_OK;
}

static struct notifier_block nmk_pdev_notifier = {
	.notifier_call = nmk_pdev_event,
};

/* ---------------------------------------------------------------- */
/* Host interface (core/host.h)                                     */
/* ---------------------------------------------------------------- */

/* Is name a network interface in the caller's network namespace? */
int nmh_netdev_exists(const char *name)
{
	struct net_device *dev = dev_get_by_name(nmk_caller_net(), name);

	if (!dev)
		return 0;
	dev_put(dev);
	return 1;
}

/*
 * Creating or removing a system interface takes CAP_NET_ADMIN over the
 * network namespace it lives in (its owning user namespace), as ip link
 * does: the caller's namespace for a new device, the device's own for
 * an existing one.
 */
int nmh_netdev_admin(struct nm_adapter *na)
{
	struct net *net = nmk_caller_net();
	struct nmk_pdev *pd;

	if (na) {
		list_for_each_entry(pd, &nmk_pdevs, list) {
			if (pd->na == na) {
				net = dev_net(pd->dev);
				break;
			}
		}
	}
	return ns_capable(net->user_ns, CAP_NET_ADMIN) ? 0 : -EPERM;
}

int nmh_persist_netdev_create(struct nm_adapter *na)
{
	struct nmk_pdev_priv *p;
	struct net_device *dev;
	struct nmk_pdev *pd;
	int err;

	/* A '%' would make the stack pick another name than na's. */
	if (strchr(na->name, '%') || strlen(na->name) >= IFNAMSIZ)
		return -EINVAL;
	pd = kzalloc(sizeof(*pd), GFP_KERNEL);
	if (!pd)
		return -ENOMEM;
	dev = alloc_netdev(sizeof(*p), na->name, NET_NAME_USER, nmk_pdev_setup);
	if (!dev) {
		err = -ENOMEM;
		goto err_pd;
	}
	p = netdev_priv(dev);
	strscpy(p->name, na->name, sizeof(p->name));
	dev_net_set(dev, nmk_caller_net());
	eth_hw_addr_random(dev);
	err = register_netdev(dev);
	if (err)
		goto err_dev;
	pd->na = na;
	pd->dev = dev;
	list_add(&pd->list, &nmk_pdevs);
	__module_get(THIS_MODULE);
	return 0;

err_dev:
	free_netdev(dev);
err_pd:
	kfree(pd);
	return err;
}

void nmh_persist_netdev_destroy(struct nm_adapter *na)
{
	struct nmk_pdev *pd;

	list_for_each_entry(pd, &nmk_pdevs, list) {
		if (pd->na != na)
			continue;
		list_del(&pd->list);
		unregister_netdev(pd->dev);
		free_netdev(pd->dev);
		kfree(pd);
		module_put(THIS_MODULE);
		return;
	}
}

/* ---------------------------------------------------------------- */
/* Module                                                           */
/* ---------------------------------------------------------------- */

int nmk_netdev_init(void)
{
	return register_netdevice_notifier(&nmk_pdev_notifier);
}

/* Every device holds a module reference: none is left at unload. */
void nmk_netdev_fini(void)
{
	unregister_netdevice_notifier(&nmk_pdev_notifier);
}
