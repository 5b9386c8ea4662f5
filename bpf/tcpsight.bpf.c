// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Kernel side of tcpsight: every TCP state transition, reset and handshake
 * retransmission, with the process that owns the socket, into one ring
 * buffer. The programs; what they share is in the *.bpf.h headers.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "emit.bpf.h"
#include "kernel_defs.bpf.h"
#include "owner.bpf.h"
#include "sock_read.bpf.h"
#include "tcpsight_event.h"

_Static_assert(sizeof(struct tcpsight_event) == TCPSIGHT_EVENT_SIZE,
	       "tcpsight_event layout changed: bump TCPSIGHT_EVENT_VERSION");

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(on_inet_sock_set_state, const struct sock *sk, int oldstate, int newstate)
{
	if (!is_tcp(sk))
		return 0;
	count(TCPSIGHT_COUNTER_SEEN);

	struct sock_info *info = sock_info_of(sk);
	if (!info)
		return 0;
	__u64 now = bpf_ktime_get_ns();

	if (oldstate == TCP_LISTEN && newstate == TCP_SYN_RECV) {
		adopt_newborn(info, sk, now);
		return 0;
	}
	emit_pending_birth(sk, info);

	struct tcpsight_event e = {};
	read_full_socket(&e, sk, newstate);
	e.type = TCPSIGHT_EVENT_TRANSITION;
	e.ts_ns = now;
	e.oldstate = oldstate;
	e.newstate = newstate;
	if (info->flags & SOCK_SINCE_KNOWN) {
		e.ns_in_old = now - info->since_ns;
		e.flags |= TCPSIGHT_F_TIME_IN_OLD_KNOWN;
	}
	info->since_ns = now;
	info->flags |= SOCK_SINCE_KNOWN;

	track_owner(info, &e, sk, oldstate, newstate);
	copy_sock_info(&e, info);
	measure_handshake(&e, sk, oldstate, newstate);
	read_totals(&e, sk, info->flags & SOCK_ACTIVE_OPEN, oldstate, newstate);
	emit(&e);
	return 0;
}

static __always_inline int on_reset(const struct sock *sk, const struct sk_buff *skb, __u32 type)
{
	struct tcpsight_event e = {.type = type, .ts_ns = bpf_ktime_get_ns()};
	struct tcphdr segment;

	count(TCPSIGHT_COUNTER_SEEN);
	if (!sk) {
		if (!skb || !read_segment(&e, skb, &segment))
			return 0;
		e.flags |= TCPSIGHT_F_NO_SOCKET;
	} else if (!is_full_socket(sk)) {
		read_endpoints(&e, sk);
		e.sock_id = socket_id(sk);
	} else if (sk->__sk_common.skc_state == TCP_LISTEN && skb) {
		/* A listener answering a stray segment: the connection is the
		 * segment's, and the listener itself is not reset. */
		if (!is_tcp(sk) || !read_segment(&e, skb, &segment))
			return 0;
		struct sock_info *info = sock_info_of(sk);
		if (info && (info->flags & SOCK_OWNER_KNOWN))
			copy_owner(&e, &info->owner);
	} else {
		if (!is_tcp(sk))
			return 0;
		read_full_socket(&e, sk, sk->__sk_common.skc_state);
		struct sock_info *info = sock_info_of(sk);
		if (info) {
			emit_pending_birth(sk, info);
			info->flags |= type == TCPSIGHT_EVENT_RESET_SENT ? SOCK_RESET_SENT
									 : SOCK_RESET_RECEIVED;
			copy_sock_info(&e, info);
		}
	}
	emit(&e);
	return 0;
}

/* Arguments differ across kernels (a reason was added in 6.10); the first two
 * stay the same, and sk is NULL when no socket owned the segment. */
SEC("tp_btf/tcp_send_reset")
int BPF_PROG(on_tcp_send_reset, const struct sock *sk, const struct sk_buff *skb)
{
	return on_reset(sk, skb, TCPSIGHT_EVENT_RESET_SENT);
}

/* Before Linux 6.10, tcp_send_reset fires only for full sockets. The RST that
 * answers a segment no socket owned (a connect to a closed port) then shows
 * as that segment's drop, for reason NO_SOCKET, just after the RST went out.
 * User space loads this only on such kernels. */
SEC("tp_btf/kfree_skb")
int BPF_PROG(on_kfree_skb, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	if (!bpf_core_enum_value_exists(enum skb_drop_reason, SKB_DROP_REASON_NO_SOCKET) ||
	    reason != bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_NO_SOCKET))
		return 0;

	struct tcpsight_event e = {.type = TCPSIGHT_EVENT_RESET_SENT, .ts_ns = bpf_ktime_get_ns()};
	struct tcphdr segment;
	/* Not TCP (UDP drops for NO_SOCKET too), or a RST, which gets no answer. */
	if (!read_segment(&e, skb, &segment) || segment.rst)
		return 0;
	count(TCPSIGHT_COUNTER_SEEN);
	e.flags |= TCPSIGHT_F_NO_SOCKET;
	emit(&e);
	return 0;
}

SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(on_tcp_receive_reset, const struct sock *sk)
{
	return on_reset(sk, NULL, TCPSIGHT_EVENT_RESET_RECEIVED);
}

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(on_tcp_retransmit_skb, const struct sock *sk)
{
	if (!sk || sk->__sk_common.skc_state != TCP_SYN_SENT || !is_tcp(sk))
		return 0;
	count(TCPSIGHT_COUNTER_SEEN);

	struct tcpsight_event e = {.type = TCPSIGHT_EVENT_SYN_RETRANSMIT,
				   .ts_ns = bpf_ktime_get_ns()};
	read_full_socket(&e, sk, TCP_SYN_SENT);
	struct sock_info *info = sock_info_of(sk);
	if (info)
		copy_sock_info(&e, info);
	emit(&e);
	return 0;
}

/* sk is the listener, and the connection still a request socket; or, with
 * TCP Fast Open, sk is the connection itself, born on the SYN. */
SEC("tp_btf/tcp_retransmit_synack")
int BPF_PROG(on_tcp_retransmit_synack, const struct sock *sk, const struct request_sock *req)
{
	if (!sk || !req)
		return 0;
	count(TCPSIGHT_COUNTER_SEEN);
	if (sk->__sk_common.skc_state == TCP_SYN_RECV && is_tcp(sk)) {
		struct sock_info *child = sock_info_of(sk);
		if (child)
			emit_pending_birth(sk, child);
	}

	struct tcpsight_event e = {.type = TCPSIGHT_EVENT_SYNACK_RETRANSMIT,
				   .ts_ns = bpf_ktime_get_ns()};
	read_endpoints(&e, (const struct sock *)req);
	struct sock_info *info = sock_info_of(sk);
	if (info)
		copy_sock_info(&e, info);
	emit(&e);
	return 0;
}

SEC("tp_btf/tcp_destroy_sock")
int BPF_PROG(on_tcp_destroy_sock, const struct sock *sk)
{
	__u64 key = (__u64)sk;
	struct sock_info *info = bpf_map_lookup_elem(&sockets, &key);

	if (!info)
		return 0;
	emit_pending_birth(sk, info);
	bpf_map_delete_elem(&sockets, &key);
	return 0;
}

/* accept() hands a passively opened socket to the process that will own it. */
static __always_inline int on_accept_exit(long fd)
{
	if (fd < 0)
		return 0;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	if (!file)
		return 0;
	/* A socket's file and the socket point at each other; anything else
	 * (the fd closed and reused meanwhile) is not ours to read. */
	struct socket *socket = BPF_CORE_READ(file, private_data);
	if (!socket || BPF_CORE_READ(socket, file) != file)
		return 0;
	struct sock *sk = BPF_CORE_READ(socket, sk);
	if (!sk || !is_tcp_probed(sk))
		return 0;

	struct sock_info *info = sock_info_of(sk);
	if (info && current_owner(&info->owner))
		info->flags |= SOCK_OWNER_KNOWN;
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int on_accept4_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_accept_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_accept")
int on_accept_exit_plain(struct trace_event_raw_sys_exit *ctx)
{
	return on_accept_exit(ctx->ret);
}