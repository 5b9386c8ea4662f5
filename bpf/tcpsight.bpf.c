// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Kernel side of tcpsight: every TCP state transition, reset and handshake
 * retransmission, with the process that owns the socket, into one ring
 * buffer. The programs; what they share is in the *.bpf.h headers.
 *
 * The kernel skips a tracing program that fires again on a CPU where it is
 * still running: a transition in softirq that interrupts one in process
 * context. So each busy tracepoint has two programs, the main one and a relay
 * that does the main one's work only when it finds it running on its CPU,
 * the one case in which the kernel skipped it.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "connection.bpf.h"
#include "drop.bpf.h"
#include "emit.bpf.h"
#include "kernel_defs.bpf.h"
#include "owner.bpf.h"
#include "sock_read.bpf.h"
#include "tcpsight_event.h"

_Static_assert(sizeof(struct tcpsight_event) == TCPSIGHT_EVENT_SIZE,
	       "tcpsight_event layout changed: bump TCPSIGHT_EVENT_VERSION");

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* The tracepoints that have a relay, indexes of struct running. */
enum hook {
	HOOK_SET_STATE,
	HOOK_SEND_RESET,
	HOOK_RECEIVE_RESET,
	HOOK_RETRANSMIT,
	HOOK_DESTROY,
	HOOK_COUNT,
};

struct running {
	__u8 main[HOOK_COUNT]; /* 1 while the hook's main program runs on this CPU */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct running);
} running SEC(".maps");

static __always_inline volatile __u8 *main_running(enum hook hook)
{
	__u32 zero = 0;
	struct running *here = bpf_map_lookup_elem(&running, &zero);

	return here ? &here->main[hook] : NULL;
}

/* The main program of a tracepoint and its relay, both running handle(ctx). */
#define MAIN_AND_RELAY(tracepoint, hook, handle)                                                   \
	SEC("tp_btf/" #tracepoint)                                                                 \
	int on_##tracepoint(unsigned long long *ctx)                                               \
	{                                                                                          \
		volatile __u8 *running = main_running(hook);                                       \
		if (!running) /* never: the array has an entry for every CPU */                    \
			return 0;                                                                  \
		*running = 1;                                                                      \
		handle(ctx);                                                                       \
		*running = 0;                                                                      \
		return 0;                                                                          \
	}                                                                                          \
	SEC("tp_btf/" #tracepoint)                                                                 \
	int relay_##tracepoint(unsigned long long *ctx)                                            \
	{                                                                                          \
		volatile __u8 *running = main_running(hook);                                       \
		if (running && *running) {                                                         \
			count(TCPSIGHT_COUNTER_RELAYED);                                           \
			handle(ctx);                                                               \
		}                                                                                  \
		return 0;                                                                          \
	}

/* Where this socket was last reported, if the event that follows starts
 * elsewhere: events in between were lost. */
static __always_inline void mark_gap(struct tcpsight_event *e, const struct sock_info *info,
				     int oldstate)
{
	if (info->reported == oldstate)
		return;
	e->flags |= TCPSIGHT_F_GAP;
	e->gap_from = info->reported;
}

/* The program ran for this move, written or not. */
static __always_inline void moved(struct sock_info *info, int oldstate, int newstate, __u64 now)
{
	info->since_ns = now;
	info->flags |= SOCK_SINCE_KNOWN;
	info->last_old = oldstate;
	info->last_new = newstate;
}

/* One event for the transition. */
static __always_inline void report_transition(struct sock_info *info, const struct sock *sk,
					      int oldstate, int newstate, __u64 now)
{
	struct tcpsight_event event = {};
	struct tcpsight_event *e = &event;

	read_full_socket(e, sk, newstate);
	e->type = TCPSIGHT_EVENT_TRANSITION;
	e->ts_ns = now;
	e->oldstate = oldstate;
	e->newstate = newstate;
	mark_gap(e, info, oldstate);
	/* Since when it was in oldstate: known if the program ran for the move
	 * into it, written or not. */
	if ((info->flags & SOCK_SINCE_KNOWN) && info->last_new == oldstate) {
		e->ns_in_old = now - info->since_ns;
		e->flags |= TCPSIGHT_F_TIME_IN_OLD_KNOWN;
	}
	moved(info, oldstate, newstate, now);
	track_owner(info, sk, oldstate, newstate);
	copy_sock_info(e, info);
	measure_handshake(e, sk, oldstate, newstate);
	read_totals(e, sk, info->flags & SOCK_ACTIVE_OPEN, oldstate, newstate);
	if (emit(e) != EVENT_LOST)
		info->reported = newstate;
}

/* The transition extends the connection's path; its move to CLOSE writes
 * the whole connection. */
static __always_inline void follow_connection(struct sock_info *info, const struct sock *sk,
					      int oldstate, int newstate, __u64 now)
{
	follow_path(info, sk, oldstate, newstate, now);
	moved(info, oldstate, newstate, now);
	track_owner(info, sk, oldstate, newstate);
	if (newstate != TCP_CLOSE) {
		info->reported = newstate;
		return;
	}
	/* A lost record keeps its path, for the socket's free to write again. */
	if (emit_connection(sk, info, now, false) != EVENT_LOST) {
		info->reported = TCP_CLOSE;
		path_of(info)->length = 0;
	}
}

static __always_inline void handle_set_state(unsigned long long *ctx)
{
	const struct sock *sk = (const struct sock *)ctx[0];
	int oldstate = (int)ctx[1];
	int newstate = (int)ctx[2];

	if (!is_tcp(sk))
		return;
	struct sock_info *info = sock_info_of(sk);
	if (!info) {
		count(TCPSIGHT_COUNTER_LOST);
		return;
	}
	__u64 now = bpf_ktime_get_ns();

	if (oldstate == TCP_LISTEN && newstate == TCP_SYN_RECV) {
		adopt_newborn(info, sk, now);
		if (connection_records)
			start_newborn_path(info, now);
		return;
	}
	/* A socket's life starts with a move from CLOSE (or as a newborn, whose
	 * id is set here on its next move): only then, or after a move the
	 * programs missed, can the entry be a freed socket's, and the id need
	 * reading. */
	if (!info->id || oldstate == TCP_CLOSE || oldstate != info->last_new)
		claim_sock_info(info, socket_id(sk));
	emit_pending_birth(sk, info);

	if (!(info->flags & SOCK_STATE_KNOWN)) {
		/* First seen here: whatever came before is not ours to report. */
		info->reported = info->last_new = oldstate;
		info->flags |= SOCK_STATE_KNOWN;
	}
	if (connection_records)
		follow_connection(info, sk, oldstate, newstate, now);
	else
		report_transition(info, sk, oldstate, newstate, now);
}

MAIN_AND_RELAY(inet_sock_set_state, HOOK_SET_STATE, handle_set_state)

static __always_inline __u32 reset_flag(__u32 type)
{
	return type == TCPSIGHT_EVENT_RESET_SENT ? SOCK_RESET_SENT : SOCK_RESET_RECEIVED;
}

/* The socket's later transitions say it sent or received a RST. */
static __always_inline void remember_reset(const struct sock *sk, __u32 type)
{
	struct sock_info *info = seen_sock_info(sk);

	if (info)
		info->flags |= reset_flag(type);
}

/* Set by user space between open and load: false when the views need only
 * the reset flags that transitions carry. */
const volatile bool reset_events = true;

static __always_inline void on_reset(const struct sock *sk, const struct sk_buff *skb, __u32 type)
{
	struct tcphdr segment;
	struct sock_info *info = NULL;

	if (!reset_events) {
		/* A listener answering a stray segment is not reset itself. */
		if (sk && is_full_socket(sk) && sk->__sk_common.skc_state != TCP_LISTEN &&
		    is_tcp(sk))
			remember_reset(sk, type);
		return;
	}

	if (!sk) {
		if (!skb)
			return;
	} else if (is_full_socket(sk)) {
		if (!is_tcp(sk))
			return;
		info = sock_info_of(sk);
	}
	struct tcpsight_event event = {};
	struct tcpsight_event *e = &event;

	e->type = type;
	e->ts_ns = bpf_ktime_get_ns();
	if (!sk) {
		if (!read_segment(e, skb, &segment))
			return; /* not TCP */
		e->flags |= TCPSIGHT_F_NO_SOCKET;
	} else if (!is_full_socket(sk)) {
		read_endpoints(e, sk);
		e->sock_id = socket_id(sk);
	} else if (sk->__sk_common.skc_state == TCP_LISTEN && skb) {
		/* A listener answering a stray segment: the connection is the
		 * segment's, and the listener itself is not reset. */
		if (!read_segment(e, skb, &segment))
			return;
		if (info && (info->flags & SOCK_OWNER_KNOWN))
			copy_owner(e, &info->owner);
	} else {
		read_full_socket(e, sk, sk->__sk_common.skc_state);
		if (info) {
			emit_pending_birth(sk, info);
			info->flags |= reset_flag(type);
			copy_sock_info(e, info);
		}
	}
	emit(e);
}

/* Arguments differ across kernels (a reason was added in 6.10); the first two
 * stay the same, and sk is NULL when no socket owned the segment. */
static __always_inline void handle_send_reset(unsigned long long *ctx)
{
	on_reset((const struct sock *)ctx[0], (const struct sk_buff *)ctx[1],
		 TCPSIGHT_EVENT_RESET_SENT);
}

MAIN_AND_RELAY(tcp_send_reset, HOOK_SEND_RESET, handle_send_reset)

static __always_inline void handle_receive_reset(unsigned long long *ctx)
{
	on_reset((const struct sock *)ctx[0], NULL, TCPSIGHT_EVENT_RESET_RECEIVED);
}

MAIN_AND_RELAY(tcp_receive_reset, HOOK_RECEIVE_RESET, handle_receive_reset)

/* Set by user space between open and load. Before Linux 6.10,
 * tcp_send_reset fires only for full sockets. The RST that answers a segment
 * no socket owned (a connect to a closed port) then shows as that segment's
 * drop, for reason NO_SOCKET, just after the RST went out. */
const volatile bool resets_from_drops = false;

static __always_inline void stand_in_for_reset(const struct sk_buff *skb)
{
	struct tcpsight_event event = {};
	struct tcpsight_event *e = &event;
	struct tcphdr segment;

	e->type = TCPSIGHT_EVENT_RESET_SENT;
	e->ts_ns = bpf_ktime_get_ns();
	/* Not TCP (UDP drops for NO_SOCKET too), or a RST, which gets no answer. */
	if (!read_segment(e, skb, &segment) || segment.rst)
		return;
	e->flags |= TCPSIGHT_F_NO_SOCKET;
	emit(e);
}

static __always_inline void handle_drop(const struct sk_buff *skb, enum skb_drop_reason reason,
					const struct sock *rx_sk, bool rx_sk_known)
{
	/* A segment for no socket is answered with a RST, which its event tells. */
	if (is_reason(reason, SKB_DROP_REASON_NO_SOCKET)) {
		if (resets_from_drops)
			stand_in_for_reset(skb);
		return;
	}
	/* A socket's queues emptied as it is freed: data no application read,
	 * not a segment lost on its way. */
	if (is_reason(reason, SKB_DROP_REASON_QUEUE_PURGE))
		return;
	if (drop_events)
		report_drop(skb, reason, rx_sk, rx_sk_known);
}

/* User space loads one of these two, the one that matches the kernel's
 * tracepoint: from Linux 6.11 it also names the socket that received the
 * packet, if any. */
SEC("tp_btf/kfree_skb")
int BPF_PROG(on_kfree_skb, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	handle_drop(skb, reason, NULL, false);
	return 0;
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(on_kfree_skb_rx_sk, struct sk_buff *skb, void *location, enum skb_drop_reason reason,
	     struct sock *rx_sk)
{
	handle_drop(skb, reason, rx_sk, true);
	return 0;
}

/* Set by user space between open and load: events for the segments sent
 * again past the handshake (SYN retransmissions are always reported); and
 * whether tcp_retransmit_skb has a third argument, the attempt's error
 * (newer kernels, 6.18 among them, fire it for failed attempts too, which
 * send nothing). The verifier knows these values and skips the branches
 * they rule out, the read of that argument included. */
const volatile bool retransmit_events = false;
const volatile bool retransmit_error_argument = false;

static __always_inline void report_retransmit(const struct sock *sk, const struct sk_buff *skb,
					      int state)
{
	struct sock_info *info = seen_sock_info(sk);
	struct tcpsight_event event = {};
	struct tcpsight_event *e = &event;

	e->type = TCPSIGHT_EVENT_RETRANSMIT;
	e->ts_ns = bpf_ktime_get_ns();
	read_full_socket(e, sk, state);
	/* TCP_SKB_CB(skb): seq first, its segment count (tcp_gso_segs) at 8. */
	const struct tcp_skb_cb *cb = (const struct tcp_skb_cb *)skb->cb;
	__u16 segments = 0;

	bpf_probe_read_kernel(&e->seq, sizeof(e->seq), &cb->seq);
	bpf_probe_read_kernel(&segments, sizeof(segments), &cb->tcp_gso_segs);
	e->segments = segments;
	if (info)
		copy_sock_info(e, info);
	emit(e);
}

static __always_inline void handle_retransmit(unsigned long long *ctx)
{
	const struct sock *sk = (const struct sock *)ctx[0];

	if (!sk || !is_tcp(sk))
		return;
	int state = sk->__sk_common.skc_state;
	if (retransmit_error_argument && (int)ctx[2] != 0)
		return; /* not sent: the kernel tries again later */
	if (state != TCP_SYN_SENT) {
		if (retransmit_events)
			report_retransmit(sk, (const struct sk_buff *)ctx[1], state);
		return;
	}
	if (connection_records) {
		struct sock_info *seen = seen_sock_info(sk);
		/* No entry: connecting since before tracing began. */
		if (seen)
			path_of(seen)->syn_retransmits++;
		report_syn_to_full_listener(sk, seen);
		return;
	}
	struct sock_info *info = sock_info_of(sk);
	struct tcpsight_event event = {};
	struct tcpsight_event *e = &event;

	e->type = TCPSIGHT_EVENT_SYN_RETRANSMIT;
	e->ts_ns = bpf_ktime_get_ns();
	read_full_socket(e, sk, TCP_SYN_SENT);
	if (info)
		copy_sock_info(e, info);
	emit(e);
	report_syn_to_full_listener(sk, info);
}

MAIN_AND_RELAY(tcp_retransmit_skb, HOOK_RETRANSMIT, handle_retransmit)

/* sk is the listener, and the connection still a request socket; or, with
 * TCP Fast Open, sk is the connection itself, born on the SYN. */
SEC("tp_btf/tcp_retransmit_synack")
int BPF_PROG(on_tcp_retransmit_synack, const struct sock *sk, const struct request_sock *req)
{
	/* Connection records carry no SYN-ACK retransmits: the request socket
	 * has no id of the connection that follows. */
	if (!sk || !req || connection_records)
		return 0;
	if (sk->__sk_common.skc_state == TCP_SYN_RECV && is_tcp(sk)) {
		struct sock_info *child = seen_sock_info(sk);
		if (child)
			emit_pending_birth(sk, child);
	}
	struct sock_info *info = seen_sock_info(sk);
	struct tcpsight_event event = {};
	struct tcpsight_event *e = &event;

	e->type = TCPSIGHT_EVENT_SYNACK_RETRANSMIT;
	e->ts_ns = bpf_ktime_get_ns();
	read_endpoints(e, (const struct sock *)req);
	if (info)
		copy_sock_info(e, info);
	/* A listener older than tracing has no entry: its owner was seeded. */
	if (!(e->flags & TCPSIGHT_F_OWNER_KNOWN) && sk->__sk_common.skc_state == TCP_LISTEN) {
		struct tcpsight_listener_key key = listener_key_of(sk, TCP_LISTEN);
		struct tcpsight_listener *listener = bpf_map_lookup_elem(&listeners, &key);
		if (listener)
			copy_owner(e, &listener->owner);
	}
	emit(e);
	return 0;
}

/* The move to CLOSE that must have come before a socket is destroyed, when
 * it was not reported: the program missed it, or it was lost. */
static __always_inline void recover_close(const struct sock *sk, struct sock_info *info)
{
	if (connection_records) {
		/* When it closed, if the program ran for the close. */
		__u64 closed = info->last_new == TCP_CLOSE ? info->since_ns : bpf_ktime_get_ns();
		if (emit_connection(sk, info, closed, true) != EVENT_LOST)
			info->reported = TCP_CLOSE;
		return;
	}
	/* The program ran for the close (then lost it), or missed it. */
	int oldstate = info->last_new == TCP_CLOSE ? info->last_old : info->last_new;
	struct tcpsight_event event = {};
	struct tcpsight_event *e = &event;

	read_full_socket(e, sk, TCP_CLOSE);
	e->type = TCPSIGHT_EVENT_TRANSITION;
	e->ts_ns = bpf_ktime_get_ns();
	e->oldstate = oldstate;
	e->newstate = TCP_CLOSE;
	e->flags |= TCPSIGHT_F_RECOVERED;
	mark_gap(e, info, oldstate);
	copy_sock_info(e, info);
	read_totals(e, sk, info->flags & SOCK_ACTIVE_OPEN, oldstate, TCP_CLOSE);
	if (emit(e) != EVENT_LOST)
		info->reported = TCP_CLOSE;
}

/* What is still to say about a socket is said now, and it is forgotten. */
static __always_inline void handle_destroy(unsigned long long *ctx)
{
	const struct sock *sk = (const struct sock *)ctx[0];
	struct sock_info *info = seen_sock_info(sk);

	if (!info)
		return;
	/* Left by a freed socket at this address, not this one's: no close to recover. */
	bool stale = info->id && info->id != socket_id(sk);
	if (!stale) {
		emit_pending_birth(sk, info);
		if ((info->flags & SOCK_STATE_KNOWN) && info->reported != TCP_CLOSE)
			recover_close(sk, info);
	}
	forget_sock_info(sk);
}

MAIN_AND_RELAY(tcp_destroy_sock, HOOK_DESTROY, handle_destroy)
