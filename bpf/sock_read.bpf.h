/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Reading a socket, or the segment a RST answers, into an event: endpoints,
 * id, flags, handshake time and the connection's totals.
 */
#ifndef TCPSIGHT_SOCK_READ_BPF_H
#define TCPSIGHT_SOCK_READ_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "kernel_defs.bpf.h"
#include "tcpsight_event.h"

/* Set by user space between open and load. */
const volatile bool use_socket_cookie = true; /* false before Linux 5.12 */

/* inet_sock_set_state also fires for SCTP and MPTCP sockets. For pointers the
 * verifier knows (tp_btf arguments): a direct read, no helper call. */
static __always_inline bool is_tcp(const struct sock *sk)
{
	return BPF_CORE_READ_BITFIELD(sk, sk_protocol) == IPPROTO_TCP;
}

/* The same for a pointer read from memory. */
static __always_inline bool is_tcp_probed(const struct sock *sk)
{
	return BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol) == IPPROTO_TCP;
}

static __always_inline __u64 socket_id(const struct sock *sk)
{
	if (use_socket_cookie)
		return bpf_get_socket_cookie((void *)sk);
	return (__u64)sk;
}

/* The socket as the tcp_sock it is, which the verifier lets us read
 * directly: a load per field rather than a helper call. NULL if it is not a
 * full TCP socket. */
static __always_inline const struct tcp_sock *tcp_sock_of(const struct sock *sk)
{
	return bpf_skc_to_tcp_sock((void *)sk);
}

/* Addresses, ports, family, netns and state: all in sock_common, so this
 * also works for timewait and request sockets. Direct reads: every caller
 * passes a tp_btf argument or a pointer reached from one, which the verifier
 * lets us dereference. */
static __always_inline void read_endpoints(struct tcpsight_event *e, const struct sock *sk)
{
	const struct sock_common *common = &sk->__sk_common;

	e->family = common->skc_family;
	if (e->family == AF_INET) {
		__builtin_memcpy(e->saddr, &common->skc_rcv_saddr, 4);
		__builtin_memcpy(e->daddr, &common->skc_daddr, 4);
	} else {
		__builtin_memcpy(e->saddr, &common->skc_v6_rcv_saddr, 16);
		__builtin_memcpy(e->daddr, &common->skc_v6_daddr, 16);
	}
	/* skc_num, not inet_sport: inet_sport is 0 in request sockets. But the
	 * kernel zeroes skc_num when it releases the port before CLOSE, so
	 * full sockets fall back to inet_sport. */
	e->sport = common->skc_num;
	e->dport = bpf_ntohs(common->skc_dport);
	e->netns = common->skc_net.net->ns.inum;
	e->oldstate = e->newstate = common->skc_state;
}

/* The local port of a full socket in state (for a transition, the new one).
 * Closing releases the port and zeroes skc_num first; inet_sport still holds
 * it then. (Not before: after a reconnect it holds the old one.) */
static __always_inline __u16 local_port(const struct sock *sk, int state)
{
	__u16 port = sk->__sk_common.skc_num;

	if (!port && state == TCP_CLOSE) {
		const struct tcp_sock *tp = tcp_sock_of(sk);
		if (tp)
			port = bpf_ntohs(tp->inet_conn.icsk_inet.inet_sport);
	}
	return port;
}

/* state: the socket's state for this event (for a transition, the new one). */
static __always_inline void read_full_socket(struct tcpsight_event *e, const struct sock *sk,
					     int state)
{
	unsigned long sock_flags = sk->__sk_common.skc_flags;

	read_endpoints(e, sk);
	if (!e->sport)
		e->sport = local_port(sk, state);
	e->sock_id = socket_id(sk);
	e->error = sk->sk_err;
	if (sock_flags & (1UL << bpf_core_enum_value(enum sock_flags, SOCK_DONE)))
		e->flags |= TCPSIGHT_F_PEER_FIN;
	if (sock_flags & (1UL << bpf_core_enum_value(enum sock_flags, SOCK_DEAD)))
		e->flags |= TCPSIGHT_F_ORPHAN;
	if ((sock_flags & (1UL << bpf_core_enum_value(enum sock_flags, SOCK_LINGER))) &&
	    !sk->sk_lingertime)
		e->flags |= TCPSIGHT_F_LINGER_ZERO;
}

/* Fills an event from a segment that came in: its destination is local. The
 * TCP header is found from the IP header, as packets dropped early on their
 * way in have no transport header yet. False if the segment is not TCP over
 * IP (tcp is then left alone). */
static __always_inline bool read_segment(struct tcpsight_event *e, const struct sk_buff *skb,
					 struct tcphdr *tcp)
{
	__u16 ethertype = bpf_ntohs(BPF_CORE_READ(skb, protocol));
	unsigned char *head = BPF_CORE_READ(skb, head);
	unsigned char *network = head + BPF_CORE_READ(skb, network_header);
	unsigned char *transport;
	__u8 protocol;

	if (ethertype == ETH_P_IP) {
		struct iphdr ip = {};
		bpf_probe_read_kernel(&ip, sizeof(ip), network);
		e->family = AF_INET;
		__builtin_memcpy(e->saddr, &ip.daddr, 4);
		__builtin_memcpy(e->daddr, &ip.saddr, 4);
		protocol = ip.protocol;
		transport = network + ip.ihl * 4;
	} else if (ethertype == ETH_P_IPV6) {
		struct ipv6hdr ip6 = {};
		bpf_probe_read_kernel(&ip6, sizeof(ip6), network);
		e->family = AF_INET6;
		__builtin_memcpy(e->saddr, &ip6.daddr, 16);
		__builtin_memcpy(e->daddr, &ip6.saddr, 16);
		protocol = ip6.nexthdr; /* TCP after extension headers is not followed */
		transport = network + sizeof(ip6);
	} else {
		return false;
	}
	if (protocol != IPPROTO_TCP || bpf_probe_read_kernel(tcp, sizeof(*tcp), transport))
		return false;
	e->sport = bpf_ntohs(tcp->dest);
	e->dport = bpf_ntohs(tcp->source);
	e->netns = BPF_CORE_READ(skb, dev, nd_net.net, ns.inum);
	e->oldstate = e->newstate = TCP_CLOSE;
	return true;
}

static __always_inline bool is_full_socket(const struct sock *sk)
{
	int state = sk->__sk_common.skc_state;

	return state != TCP_TIME_WAIT && state != TCP_NEW_SYN_RECV;
}

static __always_inline void measure_handshake(struct tcpsight_event *e, const struct sock *sk,
					      int oldstate, int newstate)
{
	if (newstate != TCP_ESTABLISHED)
		return;
	if (oldstate == TCP_SYN_SENT && (e->flags & TCPSIGHT_F_TIME_IN_OLD_KNOWN)) {
		/* From the SYN to the SYN-ACK: the connect latency. */
		e->handshake_ns = e->ns_in_old;
		e->flags |= TCPSIGHT_F_HANDSHAKE_KNOWN;
	} else if (oldstate == TCP_SYN_RECV) {
		/* The child socket appears with the final ACK; its first RTT sample
		 * is the SYN-ACK round trip, the server's part of the handshake. */
		const struct tcp_sock *tp = tcp_sock_of(sk);
		__u32 srtt_us = tp ? tp->srtt_us >> 3 : 0;
		if (srtt_us) {
			e->handshake_ns = (__u64)srtt_us * 1000;
			e->flags |= TCPSIGHT_F_HANDSHAKE_KNOWN;
		}
	}
}

/* What the connection carried, read as it closes. The kernel's counters
 * follow the sequence numbers, so they include the SYN of an active open and
 * each FIN that was acknowledged or received: those are taken out, leaving
 * the bytes the applications exchanged. */
static __always_inline void read_totals(struct tcpsight_event *e, const struct sock *sk,
					bool active_open, int oldstate, int newstate)
{
	if (newstate != TCP_CLOSE || oldstate == TCP_LISTEN)
		return;
	const struct tcp_sock *tp = tcp_sock_of(sk);
	if (!tp)
		return;
	__u64 acked = tp->bytes_acked;
	__u64 received = tp->bytes_received;

	if (active_open && acked)
		acked--; /* our SYN */
	/* Only these states come after sending our FIN: closing with a RST
	 * (unread data, SO_LINGER 0) marks SEND_SHUTDOWN without one. */
	bool fin_sent = oldstate == TCP_FIN_WAIT1 || oldstate == TCP_FIN_WAIT2 ||
			oldstate == TCP_CLOSING || oldstate == TCP_LAST_ACK;
	if (fin_sent && acked && tp->snd_una == tp->write_seq)
		acked--; /* our FIN, acknowledged */
	if ((e->flags & TCPSIGHT_F_PEER_FIN) && received)
		received--; /* the peer's FIN */
	e->tx_bytes = acked;
	e->rx_bytes = received;
	e->retransmits = tp->total_retrans;
	e->srtt_us = tp->srtt_us >> 3;
	/* ~0 until the first sample, as tcp_info leaves it. */
	__u32 min_rtt = tp->rtt_min.s[0].v;
	e->min_rtt_us = min_rtt == ~0U ? 0 : min_rtt;
	e->flags |= TCPSIGHT_F_TOTALS_KNOWN;
}

#endif /* TCPSIGHT_SOCK_READ_BPF_H */
