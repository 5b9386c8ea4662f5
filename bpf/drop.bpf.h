/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * TCP segments the kernel drops (skb:kfree_skb, with a reason from Linux
 * 5.17), each told as an event of the connection it belonged to.
 */
#ifndef TCPSIGHT_DROP_BPF_H
#define TCPSIGHT_DROP_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "emit.bpf.h"
#include "owner.bpf.h"
#include "sock_read.bpf.h"
#include "tcpsight_event.h"

/* Set by user space between open and load. */
const volatile bool drop_events = false;

/* The cookie of a socket reached through another structure, for which the
 * helper is not allowed: our programs gave every socket they saw one. */
static __always_inline __u64 reached_socket_id(const struct sock *sk)
{
	if (use_socket_cookie)
		return sk->__sk_common.skc_cookie.counter;
	return (__u64)sk;
}

/* The socket a dropped segment belongs to, if the kernel had found it: the
 * receiving one (rx_sk, from Linux 6.11) or the skb's own (set on the way
 * out, and on the way in once a socket took it). NULL if that socket is not
 * at either end of the segment: a control socket sending a RST, say.
 * *outgoing: the socket sent it. */
static __always_inline const struct sock *
segment_socket(const struct sk_buff *skb, const struct sock *rx_sk, const struct tcphdr *segment,
	       bool *outgoing)
{
	const struct sock *sk = rx_sk ? rx_sk : skb->sk;

	if (!sk || !is_tcp_probed(sk))
		return NULL;
	__u16 port = bpf_htons(sk->__sk_common.skc_num);
	if (!port)
		return NULL;
	*outgoing = !rx_sk && segment->source == port;
	if (!*outgoing && segment->dest != port)
		return NULL;
	return sk;
}

/* The owner of a socket, or of the listener a request socket or listener
 * stands for. */
static __always_inline void read_drop_owner(struct tcpsight_event *e, const struct sock *sk,
					    int state)
{
	struct sock_info *info = state == TCP_NEW_SYN_RECV ? NULL : seen_sock_info(sk);

	if (info)
		copy_sock_info(e, info);
	if ((e->flags & TCPSIGHT_F_OWNER_KNOWN) || (state != TCP_LISTEN && state != TCP_NEW_SYN_RECV))
		return;
	struct tcpsight_listener_key key = {.netns = e->netns, .port = e->sport};
	struct tcpsight_listener *listener = bpf_map_lookup_elem(&listeners, &key);
	if (listener)
		copy_owner(e, &listener->owner);
}

/* A listener's accept queue, as the drop found it. */
static __always_inline void read_accept_queue(struct tcpsight_event *e, const struct sock *listener)
{
	e->accept_queue = BPF_CORE_READ(listener, sk_ack_backlog);
	e->backlog = BPF_CORE_READ(listener, sk_max_ack_backlog);
	e->flags |= TCPSIGHT_F_QUEUE_KNOWN;
}

/* A listener's drop (a SYN, or the final ACK of a full accept queue) is the
 * connection's that the segment was opening: the segment's endpoints, the
 * listener's owner. */
static __always_inline void report_drop(const struct sk_buff *skb, __u32 reason,
					const struct sock *rx_sk)
{
	struct tcpsight_event event = {};
	struct tcpsight_event *e = &event;
	struct tcphdr segment;
	bool outgoing = false;

	if (!read_segment(e, skb, &segment))
		return;
	e->type = TCPSIGHT_EVENT_DROP;
	e->ts_ns = bpf_ktime_get_ns();
	e->drop_reason = reason;
	const struct sock *sk = segment_socket(skb, rx_sk, &segment, &outgoing);
	if (sk) {
		int state = sk->__sk_common.skc_state;
		if (state != TCP_LISTEN) {
			read_endpoints(e, sk);
			e->sock_id = reached_socket_id(sk);
		} else if (!e->netns) {
			e->netns = sk->__sk_common.skc_net.net->ns.inum;
		}
		e->oldstate = e->newstate = state;
		read_drop_owner(e, sk, state);
		if (state == TCP_LISTEN)
			read_accept_queue(e, sk);
		else if (state == TCP_NEW_SYN_RECV && sk->__sk_common.skc_listener)
			read_accept_queue(e, sk->__sk_common.skc_listener);
	}
	/* Neither on a device nor of a live socket: a buffer freed from the
	 * queues of a socket being destroyed (QUEUE_PURGE, or no reason on
	 * kernels without that one), not a segment on its way. */
	if (!e->netns)
		return;
	if (outgoing)
		e->flags |= TCPSIGHT_F_OUTGOING;
	emit(e);
}

/* clang does not inline __builtin_memcmp for BPF. */
static __always_inline bool same_bytes(const __u8 *a, const __u8 *b, int n)
{
	for (int i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static __always_inline bool is_loopback(const struct tcpsight_event *e)
{
	static const __u8 v6_loopback[16] = {[15] = 1};

	if (e->family == AF_INET)
		return e->daddr[0] == 127;
	return same_bytes(e->daddr, v6_loopback, 16);
}

/* Whether the listener takes the connect() of e: bound to its remote address,
 * or to any while e goes to loopback (a remote host with the same port is
 * not ours to judge). */
static __always_inline bool listener_takes(const struct sock *listener,
					   const struct tcpsight_event *e)
{
	static const __u8 any[16] = {};

	if (BPF_CORE_READ(listener, __sk_common.skc_family) == AF_INET) {
		__be32 bound = BPF_CORE_READ(listener, __sk_common.skc_rcv_saddr);
		if (e->family != AF_INET)
			return false;
		if (!bound)
			return is_loopback(e);
		return same_bytes((const __u8 *)&bound, e->daddr, 4);
	}
	struct in6_addr bound = BPF_CORE_READ(listener, __sk_common.skc_v6_rcv_saddr);
	if (same_bytes((const __u8 *)&bound, any, 16))
		return is_loopback(e); /* a dual-stack listener takes IPv4 too */
	return e->family == AF_INET6 && same_bytes((const __u8 *)&bound, e->daddr, 16);
}

/* The kernel drops a SYN for a listener whose accept queue is full without
 * telling kfree_skb: it frees it as if used, and only counts it
 * (ListenOverflows). So a connect() sending its SYN again to a listener of
 * its own network namespace whose queue is full, where the programs know the
 * listener from its listen(), reports that drop itself. */
static __always_inline void report_syn_to_full_listener(const struct sock *sk,
							const struct sock_info *info)
{
	if (!drop_events)
		return;
	struct tcpsight_listener_key key = {.netns = sk->__sk_common.skc_net.net->ns.inum,
					    .port = bpf_ntohs(sk->__sk_common.skc_dport)};
	struct tcpsight_listener *entry = bpf_map_lookup_elem(&listeners, &key);
	if (!entry || !entry->sk)
		return;
	const struct sock *listener = (const struct sock *)entry->sk;
	struct tcpsight_event event = {};
	struct tcpsight_event *e = &event;

	read_accept_queue(e, listener);
	if (e->accept_queue <= e->backlog)
		return;
	read_full_socket(e, sk, TCP_SYN_SENT);
	if (!listener_takes(listener, e))
		return;
	e->type = TCPSIGHT_EVENT_DROP;
	e->ts_ns = bpf_ktime_get_ns();
	e->flags |= TCPSIGHT_F_OUTGOING | TCPSIGHT_F_LISTEN_OVERFLOW;
	if (info)
		copy_sock_info(e, info);
	emit(e);
}

#endif /* TCPSIGHT_DROP_BPF_H */
