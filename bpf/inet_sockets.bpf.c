// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * TCP and UDP socket iterators: the socket tables of the iterator creator's
 * network namespace, one fixed-size record per socket, for when netlink
 * sock_diag cannot answer. The same fields as /proc/net/tcp and udp, without
 * formatting them as text in the kernel and parsing them back.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "inet_sockets.h"
#include "kernel_defs.bpf.h"

#define ICSK_TIME_RETRANS     1
#define ICSK_TIME_PROBE0      3
#define ICSK_TIME_LOSS_PROBE  5
#define ICSK_TIME_REO_TIMEOUT 6
#define TIMER_NONE	      0
#define TIMER_RETRANSMIT      1
#define TIMER_KEEPALIVE	      2
#define TIMER_TIME_WAIT	      3
#define TIMER_ZERO_WINDOW     4

_Static_assert(sizeof(struct tcpsight_socket_record) == TCPSIGHT_SOCKET_RECORD_SIZE,
	       "tcpsight_socket_record layout changed");

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* The kernel keeps tcp_keepalive_time in jiffies and /proc/sys shows it in
 * seconds, so the two give HZ without the kernel's config file, which many
 * systems do not have. User space sets the seconds; 0: timers show no time. */
const volatile __u32 keepalive_seconds = 0;

static __u32 ms_until(const struct sock_common *common, unsigned long expires)
{
	const __u64 now = bpf_jiffies64();
	const int keepalive_jiffies =
		BPF_CORE_READ(common, skc_net.net, ipv4.sysctl_tcp_keepalive_time);

	if (!keepalive_seconds || keepalive_jiffies <= 0 || expires <= now)
		return 0;
	return (__u32)((expires - now) * 1000 * keepalive_seconds / (__u64)keepalive_jiffies);
}

/* The endpoints, family and state every kind of socket shares. */
static void fill_common(struct tcpsight_socket_record *record, const struct sock_common *common)
{
	record->family = common->skc_family;
	record->state = common->skc_state;
	record->local_port = common->skc_num;
	record->remote_port = bpf_ntohs(common->skc_dport);
	if (record->family == AF_INET6) {
		BPF_CORE_READ_INTO(&record->local, common, skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&record->remote, common, skc_v6_daddr.in6_u.u6_addr8);
	} else {
		__builtin_memcpy(record->local, &common->skc_rcv_saddr, 4);
		__builtin_memcpy(record->remote, &common->skc_daddr, 4);
	}
}

static __u64 inode_of(const struct sock *sk)
{
	const struct socket *socket = sk->sk_socket;
	if (!socket)
		return 0;
	return BPF_CORE_READ(container_of(socket, struct socket_alloc, socket), vfs_inode.i_ino);
}

static __u64 cgroup_of(const struct sock *sk)
{
	return BPF_CORE_READ(sk, sk_cgrp_data.cgroup, kn, id);
}

static void fill_tcp(struct tcpsight_socket_record *record, struct tcp_sock *tp)
{
	const struct inet_connection_sock *icsk = &tp->inet_conn;
	const struct sock *sk = &icsk->icsk_inet.sk;

	if (record->state == TCP_LISTEN) {
		record->recv_q = sk->sk_ack_backlog;
		record->send_q = sk->sk_max_ack_backlog;
	} else {
		const int unread = (int)(tp->rcv_nxt - tp->copied_seq);
		record->recv_q = unread > 0 ? unread : 0;
		record->send_q = tp->write_seq - tp->snd_una;
	}
	const __u8 pending = icsk->icsk_pending;
	if (pending == ICSK_TIME_RETRANS || pending == ICSK_TIME_REO_TIMEOUT ||
	    pending == ICSK_TIME_LOSS_PROBE) {
		record->timer = TIMER_RETRANSMIT;
		record->timer_ms = ms_until(&sk->__sk_common, icsk->icsk_retransmit_timer.expires);
	} else if (pending == ICSK_TIME_PROBE0) {
		record->timer = TIMER_ZERO_WINDOW;
		record->timer_ms = ms_until(&sk->__sk_common, icsk->icsk_retransmit_timer.expires);
	} else if (sk->sk_timer.entry.pprev) { /* timer_pending() */
		record->timer = TIMER_KEEPALIVE;
		record->timer_ms = ms_until(&sk->__sk_common, sk->sk_timer.expires);
	}
	record->retransmits = icsk->icsk_retransmits;
	record->inode = inode_of(sk);
	record->cgroup_id = cgroup_of(sk);
}

SEC("iter/tcp")
int list_tcp_sockets(struct bpf_iter__tcp *ctx)
{
	struct sock_common *common = ctx->sk_common;
	if (!common)
		return 0;

	struct tcpsight_socket_record record = {
		.protocol = IPPROTO_TCP,
		.uid = ctx->uid,
		.cookie = bpf_get_socket_cookie(common),
	};
	fill_common(&record, common);

	struct tcp_sock *tp = bpf_skc_to_tcp_sock(common);
	struct tcp_timewait_sock *tw = tp ? NULL : bpf_skc_to_tcp_timewait_sock(common);
	struct tcp_request_sock *req = tp || tw ? NULL : bpf_skc_to_tcp_request_sock(common);
	if (tp) {
		fill_tcp(&record, tp);
	} else if (tw) {
		record.state = TCP_TIME_WAIT;
		record.timer = TIMER_TIME_WAIT;
		record.timer_ms = ms_until(common, tw->tw_sk.tw_timer.expires);
	} else if (req) {
		record.state = TCP_SYN_RECV; /* as /proc and ss show a request socket */
		record.timer = TIMER_RETRANSMIT;
		record.timer_ms = ms_until(common, req->req.req.rsk_timer.expires);
		record.retransmits = req->req.req.num_retrans;
	}
	bpf_seq_write(ctx->meta->seq, &record, sizeof(record));
	return 0;
}

SEC("iter/udp")
int list_udp_sockets(struct bpf_iter__udp *ctx)
{
	struct udp_sock *udp = ctx->udp_sk;
	if (!udp)
		return 0;
	struct sock *sk = &udp->inet.sk;

	struct tcpsight_socket_record record = {
		.protocol = IPPROTO_UDP,
		.uid = ctx->uid,
		.cookie = bpf_get_socket_cookie(sk),
	};
	fill_common(&record, &sk->__sk_common);
	const int queued = sk->sk_backlog.rmem_alloc.counter - udp->forward_deficit;
	record.recv_q = queued > 0 ? queued : 0;
	record.send_q = sk->sk_wmem_alloc.refs.counter - 1;
	record.inode = inode_of(sk);
	record.cgroup_id = cgroup_of(sk);
	bpf_seq_write(ctx->meta->seq, &record, sizeof(record));
	return 0;
}
