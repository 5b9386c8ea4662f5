/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The filters that run in the kernel, so that filtered-out traffic never
 * reaches the ring buffer.
 */
#ifndef TCPSIGHT_FILTER_BPF_H
#define TCPSIGHT_FILTER_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "kernel_defs.bpf.h"
#include "tcpsight_event.h"

/* Set by user space between open and load. Zero means "no filter". */
const volatile __u8 family_mask = 0;	    /* bit 0: IPv4, bit 1: IPv6 */
const volatile __u32 port_filter_kinds = 0; /* enum tcpsight_port_filter bits in use */
const volatile __u32 state_mask = 0;	    /* bit n: kernel state n */
const volatile __u32 filter_pid = 0;	    /* owner tgid */
const volatile bool filter_by_comm = false; /* owner comm equals filter_comm */
const volatile char filter_comm[TCPSIGHT_COMM_LEN] = {};
const volatile __u32 filter_netns = 0;	/* network namespace inode */
const volatile __u64 filter_cgroup = 0; /* owner cgroup v2 id */

/* Port -> enum tcpsight_port_filter bits that list it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u16);
	__type(value, __u8);
} port_filter SEC(".maps");

static __always_inline bool port_listed(__u16 port, __u8 kind)
{
	__u8 *kinds = bpf_map_lookup_elem(&port_filter, &port);

	return kinds && (*kinds & kind);
}

/* A local port of 0 is not known yet (connect() picks it after SYN_SENT):
 * such events pass, and user space filters them once the port is known. */
static __always_inline bool passes_port_filter(__u16 local, __u16 remote)
{
	bool local_unknown = local == 0;

	if ((port_filter_kinds & TCPSIGHT_PORT_LOCAL) && !local_unknown &&
	    !port_listed(local, TCPSIGHT_PORT_LOCAL))
		return false;
	if ((port_filter_kinds & TCPSIGHT_PORT_REMOTE) &&
	    !port_listed(remote, TCPSIGHT_PORT_REMOTE))
		return false;
	if ((port_filter_kinds & TCPSIGHT_PORT_EITHER) && !local_unknown &&
	    !port_listed(local, TCPSIGHT_PORT_EITHER) && !port_listed(remote, TCPSIGHT_PORT_EITHER))
		return false;
	return true;
}

static __always_inline bool same_comm(const char *comm)
{
	for (int i = 0; i < TCPSIGHT_COMM_LEN; i++) {
		if (comm[i] != filter_comm[i])
			return false;
		if (!comm[i])
			return true;
	}
	return true;
}

/* User space shows FIN_WAIT2 -> CLOSE and CLOSING -> CLOSE as the TIME_WAIT
 * they hand over to, so a TIME_WAIT filter keeps them. */
static __always_inline bool passes_state_filter(const struct tcpsight_event *e)
{
	__u32 states = (1u << (e->oldstate & 31)) | (1u << (e->newstate & 31));

	if (e->newstate == TCP_CLOSE &&
	    (e->oldstate == TCP_FIN_WAIT2 || e->oldstate == TCP_CLOSING))
		states |= 1u << TCP_TIME_WAIT;
	return state_mask & states;
}

/* The owner filters, for an owner known: pid, cgroup, command. */
static __always_inline bool passes_owner_filters(const struct tcpsight_event *e)
{
	if (filter_pid && e->pid != filter_pid)
		return false;
	if (filter_cgroup && e->cgroup_id != filter_cgroup)
		return false;
	if (filter_by_comm && !same_comm(e->comm))
		return false;
	return true;
}

/* Ports either way round; the owner if known; not the namespace or state. */
static __always_inline bool passes_drop_filters(const struct tcpsight_event *e)
{
	if ((e->flags & TCPSIGHT_F_OWNER_KNOWN) && !passes_owner_filters(e))
		return false;
	return !port_filter_kinds || passes_port_filter(e->sport, e->dport) ||
	       passes_port_filter(e->dport, e->sport);
}

static __always_inline bool passes_filters(const struct tcpsight_event *e)
{
	bool owner_known = e->flags & TCPSIGHT_F_OWNER_KNOWN;

	if (family_mask && !(family_mask & (e->family == AF_INET ? 1 : 2)))
		return false;
	/* A drop may name its connection from the other end, in another
	 * namespace, without an owner: what it cannot tell passes, for user
	 * space to count it on its connection, then filter it. */
	if (e->type == TCPSIGHT_EVENT_DROP)
		return passes_drop_filters(e);
	if (state_mask && !passes_state_filter(e))
		return false;
	if (filter_netns && e->netns != filter_netns)
		return false;
	if ((filter_pid || filter_cgroup || filter_by_comm) &&
	    (!owner_known || !passes_owner_filters(e)))
		return false;
	if (port_filter_kinds && !passes_port_filter(e->sport, e->dport))
		return false;
	return true;
}

#endif /* TCPSIGHT_FILTER_BPF_H */
