// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Kernel side of tcpsight: every TCP state transition, reset and handshake
 * retransmission, with the process that owns the socket, into one ring
 * buffer. Filters run here, so filtered-out traffic never reaches it.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "tcpsight_event.h"

#define AF_INET	 2
#define AF_INET6 10

_Static_assert(sizeof(struct tcpsight_event) == TCPSIGHT_EVENT_SIZE,
	       "tcpsight_event layout changed: bump TCPSIGHT_EVENT_VERSION");

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by user space between open and load. Zero means "no filter". */
const volatile __u8 family_mask = 0;	    /* bit 0: IPv4, bit 1: IPv6 */
const volatile __u32 port_filter_kinds = 0; /* enum tcpsight_port_filter bits in use */
const volatile __u32 state_mask = 0;	    /* bit n: kernel state n */
const volatile __u32 filter_pid = 0;	    /* owner tgid */
const volatile bool filter_by_comm = false; /* owner comm equals filter_comm */
const volatile char filter_comm[TCPSIGHT_COMM_LEN] = {};
const volatile __u32 filter_netns = 0;	      /* network namespace inode */
const volatile __u64 filter_cgroup = 0;	      /* owner cgroup v2 id */
const volatile bool use_socket_cookie = true; /* false before Linux 5.12 */
const volatile __u64 wakeup_bytes = 0;	      /* wake the reader once this much waits */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20); /* user space may resize before load */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TCPSIGHT_COUNTER_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Port -> enum tcpsight_port_filter bits that list it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u16);
	__type(value, __u8);
} port_filter SEC(".maps");

struct owner {
	__u64 cgroup_id;
	__u32 pid;
	__u32 uid;
	char comm[TCPSIGHT_COMM_LEN];
};

enum sock_info_flags {
	SOCK_SINCE_KNOWN = 1 << 0,
	SOCK_OWNER_KNOWN = 1 << 1,
	SOCK_RESET_SENT = 1 << 2,
	SOCK_RESET_RECEIVED = 1 << 3,
	SOCK_ACTIVE_OPEN = 1 << 4,   /* went CLOSE -> SYN_SENT: its SYN counts in bytes_acked */
	SOCK_BIRTH_PENDING = 1 << 5, /* its LISTEN -> SYN_RECV is not emitted yet */
};

/* What tcpsight remembers about a live socket: 48 bytes. */
struct sock_info {
	struct owner owner;
	__u64 since_ns; /* when it entered its current state (for a pending birth: was born) */
	__u32 flags;	/* enum sock_info_flags */
	__u32 reserved;
};

/* Keyed by the struct sock address; removed in tcp_destroy_sock. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 262144);
	__type(key, __u64);
	__type(value, struct sock_info);
} sockets SEC(".maps");

struct listener_key {
	__u32 netns;
	__u16 port;
	__u16 reserved;
};

struct listener_info {
	struct owner owner;
	__u64 sk; /* the listening socket: only it removes the entry */
};

/* Owners of listening sockets, for the sockets they open passively. The
 * first listener on a port keeps the entry (SO_REUSEPORT, failed listen()). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct listener_key);
	__type(value, struct listener_info);
} listeners SEC(".maps");

static __always_inline void count(__u32 counter)
{
	__u64 *value = bpf_map_lookup_elem(&counters, &counter);

	/* Atomic: a softirq program may interrupt another on this CPU. */
	if (value)
		__sync_fetch_and_add(value, 1);
}

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

#define PF_KTHREAD 0x00200000

/* Records the current process as owner; false for a kernel thread (one that
 * closes a socket for a process, say), which owns nothing. The command is
 * the process's, not the thread's, as ps and ss show it. */
static __always_inline bool current_owner(struct owner *owner)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	if (BPF_CORE_READ(task, flags) & PF_KTHREAD)
		return false;
	owner->pid = bpf_get_current_pid_tgid() >> 32;
	owner->uid = (__u32)bpf_get_current_uid_gid();
	owner->cgroup_id = bpf_get_current_cgroup_id();
	BPF_CORE_READ_STR_INTO(&owner->comm, task, group_leader, comm);
	return true;
}

static __always_inline struct sock_info *sock_info_of(const struct sock *sk)
{
	__u64 key = (__u64)sk;
	struct sock_info *info = bpf_map_lookup_elem(&sockets, &key);

	if (info)
		return info;
	struct sock_info fresh = {};
	bpf_map_update_elem(&sockets, &key, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&sockets, &key);
}

static __always_inline __u64 socket_id(const struct sock *sk)
{
	if (use_socket_cookie)
		return bpf_get_socket_cookie((void *)sk);
	return (__u64)sk;
}

/* Addresses, ports, family, netns and state: all in sock_common, so this
 * also works for timewait and request sockets. Direct reads: every caller
 * passes a tp_btf argument, which the verifier lets us dereference. */
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

/* state: the socket's state for this event (for a transition, the new one). */
static __always_inline void read_full_socket(struct tcpsight_event *e, const struct sock *sk,
					     int state)
{
	unsigned long sock_flags = sk->__sk_common.skc_flags;

	read_endpoints(e, sk);
	/* Closing releases the port and zeroes skc_num first; inet_sport still
	 * holds it then. (Not before: after a reconnect it holds the old one.) */
	if (!e->sport && state == TCP_CLOSE)
		e->sport = bpf_ntohs(BPF_CORE_READ((const struct inet_sock *)sk, inet_sport));
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

static __always_inline void copy_owner(struct tcpsight_event *e, const struct owner *owner)
{
	e->pid = owner->pid;
	e->uid = owner->uid;
	e->cgroup_id = owner->cgroup_id;
	__builtin_memcpy(e->comm, owner->comm, sizeof(e->comm));
	e->flags |= TCPSIGHT_F_OWNER_KNOWN;
}

static __always_inline void copy_sock_info(struct tcpsight_event *e, const struct sock_info *info)
{
	if (info->flags & SOCK_OWNER_KNOWN)
		copy_owner(e, &info->owner);
	if (info->flags & SOCK_RESET_SENT)
		e->flags |= TCPSIGHT_F_RESET_SENT;
	if (info->flags & SOCK_RESET_RECEIVED)
		e->flags |= TCPSIGHT_F_RESET_RECEIVED;
}

static __always_inline bool port_listed(__u16 port, __u8 kind)
{
	__u8 *kinds = bpf_map_lookup_elem(&port_filter, &port);

	return kinds && (*kinds & kind);
}

/* A local port of 0 is not known yet (connect() picks it after SYN_SENT):
 * such events pass, and user space filters them once the port is known. */
static __always_inline bool passes_port_filter(const struct tcpsight_event *e)
{
	bool local_unknown = e->sport == 0;

	if ((port_filter_kinds & TCPSIGHT_PORT_LOCAL) && !local_unknown &&
	    !port_listed(e->sport, TCPSIGHT_PORT_LOCAL))
		return false;
	if ((port_filter_kinds & TCPSIGHT_PORT_REMOTE) &&
	    !port_listed(e->dport, TCPSIGHT_PORT_REMOTE))
		return false;
	if ((port_filter_kinds & TCPSIGHT_PORT_EITHER) && !local_unknown &&
	    !port_listed(e->sport, TCPSIGHT_PORT_EITHER) &&
	    !port_listed(e->dport, TCPSIGHT_PORT_EITHER))
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

static __always_inline bool passes_filters(const struct tcpsight_event *e)
{
	bool owner_known = e->flags & TCPSIGHT_F_OWNER_KNOWN;

	if (family_mask && !(family_mask & (e->family == AF_INET ? 1 : 2)))
		return false;
	if (state_mask && !passes_state_filter(e))
		return false;
	if (filter_netns && e->netns != filter_netns)
		return false;
	if (filter_pid && (!owner_known || e->pid != filter_pid))
		return false;
	if (filter_cgroup && (!owner_known || e->cgroup_id != filter_cgroup))
		return false;
	if (filter_by_comm && (!owner_known || !same_comm(e->comm)))
		return false;
	if (port_filter_kinds && !passes_port_filter(e))
		return false;
	return true;
}

static __always_inline void emit(struct tcpsight_event *e)
{
	if (!passes_filters(e)) {
		count(TCPSIGHT_COUNTER_FILTERED);
		return;
	}
	/* Wake the reader only once enough has piled up; it also polls on a
	 * short timeout, so nothing waits long. Saves a wakeup per event. */
	__u64 flags = BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	if (bpf_ringbuf_output(&events, e, sizeof(*e), flags)) {
		count(TCPSIGHT_COUNTER_LOST);
		return;
	}
	count(TCPSIGHT_COUNTER_EMITTED);
}

/* States that only system calls enter: the current task owns the socket. */
static __always_inline bool entered_in_process_context(int newstate)
{
	return newstate == TCP_SYN_SENT || newstate == TCP_LISTEN || newstate == TCP_FIN_WAIT1 ||
	       newstate == TCP_LAST_ACK;
}

/* A passively opened socket is born in inet_csk_clone_lock(), which (before
 * Linux 6.15) sets SYN_RECV before it copies the ports, addresses and cookie
 * from the request. So its first event waits for the socket's next one, when
 * they are right, on every kernel alike. Until accept() it belongs to its
 * listener, found by the local port, the one field the clone already has. */
static __always_inline void adopt_newborn(struct sock_info *info, const struct sock *sk, __u64 now)
{
	const struct sock_common *common = &sk->__sk_common;
	struct listener_key key = {.netns = common->skc_net.net->ns.inum, .port = common->skc_num};
	struct listener_info *listener = bpf_map_lookup_elem(&listeners, &key);

	/* Perhaps where a dead socket was: forget that one. */
	__builtin_memset(info, 0, sizeof(*info));
	info->since_ns = now;
	info->flags = SOCK_SINCE_KNOWN | SOCK_BIRTH_PENDING;
	if (listener) {
		info->owner = listener->owner;
		info->flags |= SOCK_OWNER_KNOWN;
	}
}

/* The held-back LISTEN -> SYN_RECV of a passively opened socket, read now
 * that its identity is complete, with the time it was born. */
static __always_inline void emit_pending_birth(const struct sock *sk, struct sock_info *info)
{
	if (!(info->flags & SOCK_BIRTH_PENDING))
		return;
	info->flags &= ~SOCK_BIRTH_PENDING;

	struct tcpsight_event e = {.type = TCPSIGHT_EVENT_TRANSITION, .ts_ns = info->since_ns};
	read_endpoints(&e, sk);
	/* Emitted at the close, the port is released (see read_full_socket). */
	if (!e.sport)
		e.sport = bpf_ntohs(BPF_CORE_READ((const struct inet_sock *)sk, inet_sport));
	e.sock_id = socket_id(sk);
	e.oldstate = TCP_LISTEN;
	e.newstate = TCP_SYN_RECV;
	copy_sock_info(&e, info);
	emit(&e);
}

static __always_inline void track_owner(struct sock_info *info, struct tcpsight_event *e,
					const struct sock *sk, int oldstate, int newstate)
{
	struct listener_key key = {.netns = e->netns, .port = e->sport};

	if (oldstate == TCP_CLOSE) {
		/* A new connection attempt or listen: earlier resets are history. */
		info->flags &= ~(SOCK_RESET_SENT | SOCK_RESET_RECEIVED | SOCK_ACTIVE_OPEN);
		if (newstate == TCP_SYN_SENT)
			info->flags |= SOCK_ACTIVE_OPEN;
	}
	if (entered_in_process_context(newstate) && current_owner(&info->owner))
		info->flags |= SOCK_OWNER_KNOWN;

	if (newstate == TCP_LISTEN && key.port) {
		struct listener_info value = {.owner = info->owner, .sk = (__u64)sk};
		bpf_map_update_elem(&listeners, &key, &value, BPF_NOEXIST);
	} else if (oldstate == TCP_LISTEN && newstate == TCP_CLOSE) {
		struct listener_info *listener = bpf_map_lookup_elem(&listeners, &key);
		if (listener && listener->sk == (__u64)sk)
			bpf_map_delete_elem(&listeners, &key);
	}
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
		__u32 srtt_us = BPF_CORE_READ((const struct tcp_sock *)sk, srtt_us) >> 3;
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
					const struct sock_info *info, int oldstate, int newstate)
{
	if (newstate != TCP_CLOSE || oldstate == TCP_LISTEN)
		return;
	const struct tcp_sock *tp = (const struct tcp_sock *)sk;
	__u64 acked = BPF_CORE_READ(tp, bytes_acked);
	__u64 received = BPF_CORE_READ(tp, bytes_received);

	if ((info->flags & SOCK_ACTIVE_OPEN) && acked)
		acked--; /* our SYN */
	/* Only these states come after sending our FIN: closing with a RST
	 * (unread data, SO_LINGER 0) marks SEND_SHUTDOWN without one. */
	bool fin_sent = oldstate == TCP_FIN_WAIT1 || oldstate == TCP_FIN_WAIT2 ||
			oldstate == TCP_CLOSING || oldstate == TCP_LAST_ACK;
	if (fin_sent && acked && BPF_CORE_READ(tp, snd_una) == BPF_CORE_READ(tp, write_seq))
		acked--; /* our FIN, acknowledged */
	if ((e->flags & TCPSIGHT_F_PEER_FIN) && received)
		received--; /* the peer's FIN */
	e->tx_bytes = acked;
	e->rx_bytes = received;
	e->retransmits = BPF_CORE_READ(tp, total_retrans);
	e->flags |= TCPSIGHT_F_TOTALS_KNOWN;
}

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
	read_totals(&e, sk, info, oldstate, newstate);
	emit(&e);
	return 0;
}

/* Fills an event from the segment a RST answers: its destination is local.
 * False if the segment is not TCP (tcp is then left alone). */
static __always_inline bool read_segment(struct tcpsight_event *e, const struct sk_buff *skb,
					 struct tcphdr *tcp)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 network = BPF_CORE_READ(skb, network_header);
	__u16 transport = BPF_CORE_READ(skb, transport_header);
	__u8 version = 0;
	__u8 protocol;

	bpf_probe_read_kernel(&version, 1, head + network);
	if ((version >> 4) == 4) {
		struct iphdr ip = {};
		bpf_probe_read_kernel(&ip, sizeof(ip), head + network);
		e->family = AF_INET;
		__builtin_memcpy(e->saddr, &ip.daddr, 4);
		__builtin_memcpy(e->daddr, &ip.saddr, 4);
		protocol = ip.protocol;
	} else {
		struct ipv6hdr ip6 = {};
		bpf_probe_read_kernel(&ip6, sizeof(ip6), head + network);
		e->family = AF_INET6;
		__builtin_memcpy(e->saddr, &ip6.daddr, 16);
		__builtin_memcpy(e->daddr, &ip6.saddr, 16);
		protocol = ip6.nexthdr;
	}
	if (protocol != IPPROTO_TCP)
		return false;
	bpf_probe_read_kernel(tcp, sizeof(*tcp), head + transport);
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
