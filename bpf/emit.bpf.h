/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The ring buffer and the counters: every event passes the filters, then is
 * written, or counted as lost when the ring buffer is full.
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

static __always_inline bool lost_for_test(const struct tcpsight_event *e)
{
	return test_lose_port &&
	       (e->type == TCPSIGHT_EVENT_TRANSITION || e->type == TCPSIGHT_EVENT_CONNECTION) &&
	       !(e->flags & TCPSIGHT_F_RECOVERED) &&
	       (e->sport == test_lose_port || e->dport == test_lose_port) &&
	       e->newstate == test_lose_state;
}

/* Wakes the reader each time another wakeup_bytes have piled up: not for
 * every event (a wakeup is an interrupt, a VM exit in a guest), and not for
 * every event once the reader is behind by that much either. Two CPUs may
 * both miss a crossing; the next one wakes it, and the reader also polls on
 * a short timeout. */
static __always_inline __u64 wakeup_flag(__u64 size)
{
	__u64 before = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 after = before + size + BPF_RINGBUF_HDR_SZ;

	return after / wakeup_bytes != before / wakeup_bytes ? BPF_RB_FORCE_WAKEUP
							     : BPF_RB_NO_WAKEUP;
}

enum event_fate { EVENT_WRITTEN, EVENT_FILTERED, EVENT_LOST };

/* Filters by the event e, then writes the record that starts with it (size
 * bytes), or counts it lost. Filtered records never reach the ring buffer. */
static __always_inline enum event_fate emit_record(const struct tcpsight_event *e, __u64 size)
{
	if (!passes_filters(e)) {
		count(TCPSIGHT_COUNTER_FILTERED);
		return EVENT_FILTERED;
	}
	if (lost_for_test(e) || bpf_ringbuf_output(&events, (void *)e, size, wakeup_flag(size))) {
		count(TCPSIGHT_COUNTER_LOST);
		return EVENT_LOST;
	}
	return EVENT_WRITTEN;
}

static __always_inline enum event_fate emit(const struct tcpsight_event *e)
{
	return emit_record(e, sizeof(*e));
}

#endif /* TCPSIGHT_EMIT_BPF_H */
