/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The ring buffer and the counters. An event is filled in place in the ring
 * buffer, then submitted, or discarded when a filter drops it. When the ring
 * is full it is filled on the stack instead, only to tell an event lost from
 * one the filters would have dropped.
 */
#ifndef TCPSIGHT_EMIT_BPF_H
#define TCPSIGHT_EMIT_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "filter.bpf.h"
#include "tcpsight_event.h"

/* Set by user space between open and load. */
const volatile __u64 wakeup_bytes = 0; /* wake the reader once this much waits */
/* Tests only: transitions into this state of sockets with this local or
 * remote port count as lost, as if the ring buffer were full, so that
 * recovery can be tested. */
const volatile __u16 test_lose_port = 0;
const volatile __u8 test_lose_state = 0;

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

static __always_inline void count(__u32 counter)
{
	__u64 *value = bpf_map_lookup_elem(&counters, &counter);

	/* Atomic: a softirq program may interrupt another on this CPU. */
	if (value)
		__sync_fetch_and_add(value, 1);
}

/* An event being written: in the ring buffer, or on the stack when the ring
 * is full. */
struct pending_event {
	struct tcpsight_event *e;
	bool in_ring;
};

static __always_inline struct pending_event start_event(struct tcpsight_event *stack_copy)
{
	struct pending_event pending = {.e = stack_copy};
	struct tcpsight_event *ring = bpf_ringbuf_reserve(&events, sizeof(*stack_copy), 0);

	if (ring) {
		/* Keeps the compiler from merging the two pointers before the
		 * check, which the verifier would refuse. */
		barrier_var(ring);
		pending.e = ring;
		pending.in_ring = true;
	}
	__builtin_memset(pending.e, 0, sizeof(*stack_copy));
	return pending;
}

static __always_inline bool lost_for_test(const struct tcpsight_event *e)
{
	return test_lose_port && e->type == TCPSIGHT_EVENT_TRANSITION &&
	       !(e->flags & TCPSIGHT_F_RECOVERED) &&
	       (e->sport == test_lose_port || e->dport == test_lose_port) &&
	       e->newstate == test_lose_state;
}

/* EVENT_NOT_OURS: the program found out while filling it (type 0) that the
 * event is of no interest, a UDP segment say. */
/* Wakes the reader each time another wakeup_bytes have piled up: not for
 * every event (a wakeup is an interrupt, a VM exit in a guest), and not for
 * every event once the reader is behind by that much either. Two CPUs may
 * both miss a crossing; the next one wakes it, and the reader also polls on
 * a short timeout. */
static __always_inline __u64 wakeup_flag(void)
{
	__u64 waiting = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 before = waiting - TCPSIGHT_EVENT_SIZE - BPF_RINGBUF_HDR_SZ;

	if (waiting >= TCPSIGHT_EVENT_SIZE + BPF_RINGBUF_HDR_SZ &&
	    waiting / wakeup_bytes != before / wakeup_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

enum event_fate { EVENT_WRITTEN, EVENT_FILTERED, EVENT_LOST, EVENT_NOT_OURS };

static __always_inline enum event_fate finish_event(struct pending_event pending)
{
	enum event_fate fate = EVENT_WRITTEN;

	if (!pending.e->type)
		fate = EVENT_NOT_OURS;
	else if (!passes_filters(pending.e))
		fate = EVENT_FILTERED;
	else if (!pending.in_ring || lost_for_test(pending.e))
		fate = EVENT_LOST;
	if (fate == EVENT_FILTERED)
		count(TCPSIGHT_COUNTER_FILTERED);
	else if (fate == EVENT_LOST)
		count(TCPSIGHT_COUNTER_LOST);

	if (!pending.in_ring)
		return fate;
	if (fate != EVENT_WRITTEN) {
		bpf_ringbuf_discard(pending.e, BPF_RB_NO_WAKEUP);
		return fate;
	}
	bpf_ringbuf_submit(pending.e, wakeup_flag());
	return fate;
}

#endif /* TCPSIGHT_EMIT_BPF_H */
