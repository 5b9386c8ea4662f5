/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Connection records (connection_records set): each transition only extends
 * the path in the socket's entry, and one record, the whole connection, is
 * written as it closes. For views that show connections, not transitions.
 */
#ifndef TCPSIGHT_CONNECTION_BPF_H
#define TCPSIGHT_CONNECTION_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "emit.bpf.h"
#include "owner.bpf.h"
#include "sock_read.bpf.h"
#include "tcpsight_event.h"

_Static_assert(sizeof(struct tcpsight_connection) == TCPSIGHT_CONNECTION_SIZE,
	       "tcpsight_connection layout changed");

#define PATH_INDEX(i) ((i) & (TCPSIGHT_PATH_MAX - 1))

/* A path that starts over, from the state the socket is in. */
static __always_inline void start_path(struct tcpsight_path *path, int state, __u64 entered_ns)
{
	__builtin_memset(path, 0, sizeof(*path));
	path->states[0] = state;
	path->entered_ns[0] = entered_ns;
	path->length = 1;
}

/* entered_ns 0: the move into state was not seen. */
static __always_inline void extend_path(struct tcpsight_path *path, int state, __u64 entered_ns)
{
	__u32 at = path->length;

	/* Never full (see TCPSIGHT_PATH_MAX); if it were, the last state keeps
	 * moving, so the path still ends where the connection is. */
	if (at >= TCPSIGHT_PATH_MAX)
		at = TCPSIGHT_PATH_MAX - 1;
	path->states[PATH_INDEX(at)] = state;
	path->entered_ns[PATH_INDEX(at)] = entered_ns;
	path->length = at + 1;
}

/* A passive open, born now from its listener (see adopt_newborn). */
static __always_inline void start_newborn_path(struct sock_info *info, __u64 now)
{
	struct tcpsight_path *path = path_of(info);

	start_path(path, TCP_LISTEN, 0);
	extend_path(path, TCP_SYN_RECV, now);
	/* Its record is written at the close, when its identity is complete:
	 * no first event to hold back. */
	info->flags &= ~SOCK_BIRTH_PENDING;
}

static __always_inline int last_state(const struct tcpsight_path *path)
{
	return path->states[PATH_INDEX(path->length - 1)];
}

/* Before info's last_* and since_ns move on. */
static __always_inline void follow_path(struct sock_info *info, const struct sock *sk, int oldstate,
					int newstate, __u64 now)
{
	struct tcpsight_path *path = path_of(info);
	/* The kernel skipped the move into oldstate, and the relay too (user
	 * space counts that among the programs' recursion misses). */
	bool missed = oldstate != info->last_new;

	bool since_known = (info->flags & SOCK_SINCE_KNOWN) && !missed;

	/* A path still here when a new connection starts was lost with its
	 * close, and counted then: the socket's endpoints are the new
	 * connection's already. */
	if (oldstate == TCP_CLOSE) {
		/* A new connection on this socket. */
		start_path(path, TCP_CLOSE, since_known ? info->since_ns : 0);
	} else if (info->last_new == TCP_CLOSE) {
		/* A new connection whose first move was missed: it came from
		 * CLOSE, which the event out of oldstate will say. */
		start_path(path, TCP_CLOSE, 0);
		extend_path(path, oldstate, 0);
	} else if (!path->length) {
		/* A socket first seen now, mid-life. */
		start_path(path, oldstate, since_known ? info->since_ns : 0);
	} else if (missed) {
		extend_path(path, oldstate, 0);
	}
	if (newstate != TCP_CLOSE)
		extend_path(path, newstate, now);
	if (oldstate == TCP_SYN_RECV && newstate == TCP_ESTABLISHED) {
		const struct tcp_sock *tp = tcp_sock_of(sk);
		path->srtt_us = tp ? tp->srtt_us >> 3 : 0;
	}
}

/* The connection, ending at now in its move to CLOSE. A listener's path is
 * no connection: nothing is written for it, and there is nothing to lose
 * (EVENT_WRITTEN). */
static __always_inline enum event_fate
emit_connection(const struct sock *sk, struct sock_info *info, __u64 now, bool recovered)
{
	const struct tcpsight_path *path = path_of(info);
	int oldstate = last_state(path);

	if (!path->length || oldstate == TCP_LISTEN)
		return EVENT_WRITTEN;
	struct tcpsight_connection record = {};
	struct tcpsight_event *e = &record.end;

	read_full_socket(e, sk, TCP_CLOSE);
	e->type = TCPSIGHT_EVENT_CONNECTION;
	e->ts_ns = now;
	e->oldstate = oldstate;
	e->newstate = TCP_CLOSE;
	if (recovered)
		e->flags |= TCPSIGHT_F_RECOVERED;
	copy_sock_info(e, info);
	read_totals(e, sk, info->flags & SOCK_ACTIVE_OPEN, oldstate, TCP_CLOSE);
	__builtin_memcpy(&record.path, path, sizeof(record.path));
	return emit_record(e, sizeof(record));
}

#endif /* TCPSIGHT_CONNECTION_BPF_H */
