// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Kernel side of tcpsight: every TCP state transition, as it happens,
 * into one ring buffer.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "tcpsight_event.h"

#define AF_INET	 2
#define AF_INET6 10

_Static_assert(sizeof(struct tcpsight_transition) == TCPSIGHT_TRANSITION_SIZE,
	       "tcpsight_transition layout changed: bump TCPSIGHT_EVENT_VERSION");

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20); /* user space may resize before load */
} events SEC(".maps");

/* Records that did not fit in the ring buffer, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost_events SEC(".maps");

/* When each live socket entered its current state. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u64);
} state_since SEC(".maps");

static __always_inline void count_lost_event(void)
{
	__u32 zero = 0;
	__u64 *lost = bpf_map_lookup_elem(&lost_events, &zero);

	if (lost)
		*lost += 1;
}

/* Returns the time spent in the previous state and remembers the new one. */
static __always_inline bool time_in_old_state(__u64 sock_id, __u64 now, int newstate,
					      __u64 *ns_in_old)
{
	__u64 *since = bpf_map_lookup_elem(&state_since, &sock_id);
	bool known = since != NULL;

	if (known)
		*ns_in_old = now - *since;
	if (newstate == TCP_CLOSE)
		bpf_map_delete_elem(&state_since, &sock_id);
	else
		bpf_map_update_elem(&state_since, &sock_id, &now, BPF_ANY);
	return known;
}

static __always_inline void read_addresses(const struct sock *sk, __u16 family,
					   struct tcpsight_transition *e)
{
	if (family == AF_INET) {
		bpf_core_read(e->saddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(e->daddr, 4, &sk->__sk_common.skc_daddr);
	} else {
		bpf_core_read(e->saddr, sizeof(e->saddr), &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(e->daddr, sizeof(e->daddr), &sk->__sk_common.skc_v6_daddr);
	}
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(on_inet_sock_set_state, const struct sock *sk, int oldstate, int newstate)
{
	/* The tracepoint also fires for SCTP and MPTCP sockets. */
	if (BPF_CORE_READ_BITFIELD(sk, sk_protocol) != IPPROTO_TCP)
		return 0;

	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return 0;

	__u64 now = bpf_ktime_get_ns();
	__u64 sock_id = (__u64)sk;
	__u64 ns_in_old = 0;
	bool age_known = time_in_old_state(sock_id, now, newstate, &ns_in_old);

	struct tcpsight_transition *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost_event();
		return 0;
	}
	__builtin_memset(e, 0, sizeof(*e));

	e->type = TCPSIGHT_EVENT_TRANSITION;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->ts_ns = now;
	e->sock_id = sock_id;
	e->ns_in_old = ns_in_old;
	e->flags = age_known ? TCPSIGHT_F_TIME_IN_OLD_KNOWN : 0;
	e->family = family;
	/* Not skc_num: the kernel zeroes it when it releases the port, before
	 * the transition to CLOSE. */
	e->sport = __builtin_bswap16(BPF_CORE_READ((const struct inet_sock *)sk, inet_sport));
	e->dport = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	e->oldstate = oldstate;
	e->newstate = newstate;
	read_addresses(sk, family, e);
	bpf_get_current_comm(e->comm, sizeof(e->comm));

	bpf_ringbuf_submit(e, 0);
	return 0;
}
