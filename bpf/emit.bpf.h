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

#endif /* TCPSIGHT_EMIT_BPF_H */
