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

/* Whether reason is the kernel's named one, where this kernel has it. */
#define is_reason(reason, name)                                                                    \
	(bpf_core_enum_value_exists(enum skb_drop_reason, name) &&                                 \
	 (reason) == bpf_core_enum_value(enum skb_drop_reason, name))

/* The cookie of a socket reached through another structure, for which the
 * helper is not allowed: our programs gave every socket they saw one. */
static __always_inline __u64 reached_socket_id(const struct sock *sk)
{
	if (use_socket_cookie)
		return sk->__sk_common.skc_cookie.counter;
	return (__u64)sk;
}

/* Whether sk, reached through a pointer, is a TCP socket: request and
 * timewait sockets have only the common part, read before anything else;
 * they exist only for TCP. */
static __always_inline bool is_tcp_reached(const struct sock *sk, int state)
{
	return state == TCP_NEW_SYN_RECV || state == TCP_TIME_WAIT || is_tcp_probed(sk);
}

/* The socket a dropped segment belongs to, if the kernel had found it: the
 * receiving one (rx_sk, from Linux 6.11) or the skb's own (set on the way
 * out, and on the way in once a socket took it). NULL if that socket is not
 * at either end of the segment: a control socket sending a RST, say.
 * *outgoing: the socket sent it. */
static __always_inline const struct sock *
segment_socket(const struct sock *sk, bool from_rx_sk, const struct tcphdr *segment, bool *outgoing)
{
	if (!sk)
		return NULL;
	int state = sk->__sk_common.skc_state;
	if (!is_tcp_reached(sk, state))
		return NULL;
	__u16 port = bpf_htons(sk->__sk_common.skc_num);
	if (!port)
		return NULL;
	*outgoing = !from_rx_sk && segment->source == port;
	if (!*outgoing && segment->dest != port)
		return NULL;
	return sk;
}

/* The segment's ends as its sender sees them: read_segment() took it for one
 * coming in. */
static __always_inline void turn_around(struct tcpsight_event *e)
{
	__u8 address[16];
	__u16 port = e->sport;

	__builtin_memcpy(address, e->saddr, 16);
	__builtin_memcpy(e->saddr, e->daddr, 16);
	__builtin_memcpy(e->daddr, address, 16);
	e->sport = e->dport;
	e->dport = port;
}

/* The owner of a full socket, or of the listener a listener or request
 * socket stands for. Not its reset flags: a drop is not a reset. */
static __always_inline void read_drop_owner(struct tcpsight_event *e, const struct sock *sk,
					    int state)
{
	if (state != TCP_NEW_SYN_RECV && state != TCP_TIME_WAIT) {
		struct sock_info *info = seen_sock_info(sk);
		if (info && (info->flags & SOCK_OWNER_KNOWN)) {
			copy_owner(e, &info->owner);
			return;
		}
	}
	if (state != TCP_LISTEN && state != TCP_NEW_SYN_RECV)
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
					const struct sock *rx_sk, bool rx_sk_known)
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
	e->oldstate = e->newstate = 0; /* no socket: no state */
	const struct sock *owner_sk = rx_sk ? rx_sk : skb->sk;
	const struct sock *sk = segment_socket(owner_sk, rx_sk != NULL, &segment, &outgoing);
	if (sk) {
		int state = sk->__sk_common.skc_state;
		/* A timewait socket's segments are all freed without a reason,
		 * those it acted on (a FIN it answered) too: not losses. */
		if (state == TCP_TIME_WAIT && is_reason(reason, SKB_DROP_REASON_NOT_SPECIFIED))
			return;
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
	} else if (owner_sk && !rx_sk) {
		/* Its own socket's, whose port is released already: freed from
		 * its queues as it goes (see below). */
		if (owner_sk->__sk_common.skc_dport == segment.source)
			return;
		/* Sent by a socket at neither end: a control socket's RST or ACK. */
		outgoing = true;
		turn_around(e);
		if (!e->netns)
			e->netns = owner_sk->__sk_common.skc_net.net->ns.inum;
	}
	/* Without rx_sk (before Linux 6.11), a FIN a timewait socket took (the
	 * peer's, which it answered) comes here with neither a reason nor a
	 * socket: TCP handled it, then freed it as a drop. A FIN so dropped
	 * otherwise is rare; an ACK so dropped may be a loss (the final ACK to
	 * a full accept queue), and is kept. */
	if (!rx_sk_known && !sk && !outgoing && segment.fin &&
	    is_reason(reason, SKB_DROP_REASON_NOT_SPECIFIED))
		return;
	/* Coming in without a reason, a device or a receiving socket: freed
	 * from the queues of a socket as it goes, on kernels without a reason
	 * for that (QUEUE_PURGE): data no application read, not a segment lost
	 * on its way. (TCP clears the device once it has found the socket, so
	 * drops with a reason keep going without one.) */
	if (!outgoing && !rx_sk && is_reason(reason, SKB_DROP_REASON_NOT_SPECIFIED) &&
	    !BPF_CORE_READ(skb, dev))
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

	/* The entry goes when its listener closes, unless that close was missed:
	 * then the memory may be another socket's by now. */
	if (BPF_CORE_READ(listener, __sk_common.skc_state) != TCP_LISTEN ||
	    BPF_CORE_READ(listener, __sk_common.skc_num) != key.port ||
	    BPF_CORE_READ(listener, __sk_common.skc_net.net, ns.inum) != key.netns)
		return;
	read_accept_queue(e, listener);
	if (e->accept_queue <= e->backlog)
		return;
	read_full_socket(e, sk, TCP_SYN_SENT);
	if (!listener_takes(listener, e))
		return;
	e->type = TCPSIGHT_EVENT_DROP;
	e->ts_ns = bpf_ktime_get_ns();
	e->flags |= TCPSIGHT_F_OUTGOING | TCPSIGHT_F_LISTEN_OVERFLOW;
	/* The owner, not the reset flags: a drop is not a reset. */
	if (info && (info->flags & SOCK_OWNER_KNOWN))
		copy_owner(e, &info->owner);
	emit(e);
}

#endif /* TCPSIGHT_DROP_BPF_H */
