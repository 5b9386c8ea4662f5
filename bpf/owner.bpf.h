/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What tcpsight remembers about each live socket: its owner (recorded in
 * process context), when it entered its state, the resets it saw, and a
 * passive open's first event, held back until the socket is complete.
 */
#ifndef TCPSIGHT_OWNER_BPF_H
#define TCPSIGHT_OWNER_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "emit.bpf.h"
#include "kernel_defs.bpf.h"
#include "sock_read.bpf.h"
#include "tcpsight_event.h"

enum sock_info_flags {
	SOCK_SINCE_KNOWN = 1 << 0,
	SOCK_OWNER_KNOWN = 1 << 1,
	SOCK_RESET_SENT = 1 << 2,
	SOCK_RESET_RECEIVED = 1 << 3,
	SOCK_ACTIVE_OPEN = 1 << 4,   /* went CLOSE -> SYN_SENT: its SYN counts in bytes_acked */
	SOCK_BIRTH_PENDING = 1 << 5, /* its LISTEN -> SYN_RECV is not emitted yet */
	SOCK_STATE_KNOWN = 1 << 6,   /* reported, last_old and last_new are set */
};

/* What tcpsight remembers about a live socket: 56 bytes. */
struct sock_info {
	struct tcpsight_owner owner;
	__u64 id;	/* socket_id(); 0 until known (a passive open's is set late) */
	__u64 since_ns; /* when it entered its current state (for a pending birth: was born) */
	__u32 flags;	/* enum sock_info_flags */
	/* The state the last event written or filtered left it in: an event
	 * that starts elsewhere follows lost ones. (With connection records,
	 * the state it moved to, unless that was a close whose record was
	 * lost: CLOSE once the connection is written.) */
	__u8 reported;
	/* The last transition a program ran for, written or lost. */
	__u8 last_old;
	__u8 last_new;
	__u8 reserved;
};

/* With connection records, each entry also keeps the connection's way so
 * far: 136 bytes. */
struct connection_info {
	struct sock_info info;
	struct tcpsight_path path;
};

_Static_assert(sizeof(struct sock_info) == 56, "sock_info: update its size in the comments");
_Static_assert(sizeof(struct connection_info) == 136 &&
		       __builtin_offsetof(struct connection_info, info) == 0,
	       "connection_info: path_of() needs the sock_info first");

/* Set by user space between open and load: keep each connection's path in
 * its socket's entry and write one record as it closes, rather than an event
 * per transition. Its value is known to the verifier, which therefore never
 * sees an entry of one map used as the other's. */
const volatile bool connection_records = false;

/* An entry for each live socket, keyed by the struct sock address and removed
 * in tcp_destroy_sock: in sockets, or with connection records in connections.
 * User space gives the map not in use a single entry (the path would cost
 * 80 bytes more for every socket, some 20 MB locked, for views that do not
 * need it). LRU: an insert always finds room (a map that allocates as
 * sockets appear fails inserts under heavy churn, and socket storage costs
 * more per socket). One LRU list for all CPUs: per-CPU lists split the room
 * evenly among the possible CPUs and would evict live sockets on a CPU that
 * takes most. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 262144);
	__type(key, __u64);
	__type(value, struct sock_info);
} sockets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 262144);
	__type(key, __u64);
	__type(value, struct connection_info);
} connections SEC(".maps");

/* A new entry's value, for either map. */
static const struct connection_info empty_entry = {};

/* The path of an entry of connections (only with connection_records). */
static __always_inline struct tcpsight_path *path_of(struct sock_info *info)
{
	return &((struct connection_info *)info)->path;
}

/* Owners of listening sockets, for the sockets they open passively. The
 * first listener on a port keeps the entry (SO_REUSEPORT, failed listen()). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct tcpsight_listener_key);
	__type(value, struct tcpsight_listener);
} listeners SEC(".maps");

/* Records the current process as owner; false for a kernel thread (one that
 * closes a socket for a process, say), which owns nothing. The command is
 * the process's, not the thread's, as ps and ss show it; the cgroup is the
 * process's too, so that pid, command and cgroup name one and the same
 * owner (a socket systemd made for a service it activates is in systemd's
 * cgroup, the service's process in its own). */
static __always_inline bool current_owner(struct tcpsight_owner *owner)
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

/* NULL for a socket no program has seen. */
static __always_inline struct sock_info *seen_sock_info(const struct sock *sk)
{
	__u64 key = (__u64)sk;

	if (connection_records)
		return bpf_map_lookup_elem(&connections, &key);
	return bpf_map_lookup_elem(&sockets, &key);
}

/* NULL only if the kernel found no memory. */
static __always_inline struct sock_info *sock_info_of(const struct sock *sk)
{
	struct sock_info *info = seen_sock_info(sk);

	if (info)
		return info;
	__u64 key = (__u64)sk;
	if (connection_records)
		bpf_map_update_elem(&connections, &key, &empty_entry, BPF_NOEXIST);
	else
		bpf_map_update_elem(&sockets, &key, &empty_entry.info, BPF_NOEXIST);
	return seen_sock_info(sk);
}

/* The socket was freed: its entry goes. */
static __always_inline void forget_sock_info(const struct sock *sk)
{
	__u64 key = (__u64)sk;

	if (connection_records)
		bpf_map_delete_elem(&connections, &key);
	else
		bpf_map_delete_elem(&sockets, &key);
}

/* Everything about the socket at this entry, for one that starts over. */
static __always_inline void clear_sock_info(struct sock_info *info)
{
	__builtin_memset(info, 0, sizeof(*info));
	if (connection_records)
		__builtin_memset(path_of(info), 0, sizeof(struct tcpsight_path));
}

/* An entry is this socket's if it has its id. One left by a freed socket at
 * the same address (its tcp_destroy_sock missed) starts over. */
static __always_inline void claim_sock_info(struct sock_info *info, __u64 id)
{
	if (info->id == id)
		return;
	if (info->id)
		clear_sock_info(info);
	info->id = id;
}

static __always_inline void copy_owner(struct tcpsight_event *e, const struct tcpsight_owner *owner)
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

/* The current task is the process that owns the socket when it changes the
 * socket's state in a system call on it: it holds the socket's lock (softirq
 * and timer work never run under it, they queue instead) and the move is
 * one that only the process makes. Connect, listen, shutdown and close make
 * SYN_SENT, LISTEN, FIN_WAIT1 and LAST_ACK; an abortive close (SO_LINGER 0,
 * unread data) goes to CLOSE after close() shut both directions. Not every
 * lock holder: `ss -K` aborts sockets under the lock, and a sock_diag reader
 * asking for tcp_info may process queued segments (a RST) as it lets go. */
static __always_inline bool changed_by_its_process(const struct sock *sk, int newstate)
{
	if (!sk->sk_lock.owned)
		return false;
	if (newstate == TCP_CLOSE)
		return BPF_CORE_READ_BITFIELD(sk, sk_shutdown) == SHUTDOWN_MASK;
	return newstate == TCP_SYN_SENT || newstate == TCP_LISTEN || newstate == TCP_FIN_WAIT1 ||
	       newstate == TCP_LAST_ACK;
}

/* Most calls on a socket come from the process already known to own it:
 * reading the owner again (its command name above all) would cost more. */
static __always_inline bool owned_by_current_process(const struct sock_info *info)
{
	return (info->flags & SOCK_OWNER_KNOWN) &&
	       info->owner.pid == (__u32)(bpf_get_current_pid_tgid() >> 32);
}

static __always_inline struct tcpsight_listener_key listener_key_of(const struct sock *sk,
								    int state)
{
	struct tcpsight_listener_key key = {.netns = sk->__sk_common.skc_net.net->ns.inum,
					    .port = local_port(sk, state)};
	return key;
}

static __always_inline void remember_listener(const struct sock_info *info, const struct sock *sk)
{
	struct tcpsight_listener_key key = listener_key_of(sk, TCP_LISTEN);
	struct tcpsight_listener value = {.owner = info->owner, .sk = (__u64)sk};

	if (key.port)
		bpf_map_update_elem(&listeners, &key, &value, BPF_NOEXIST);
}

/* Only the listener that holds the entry removes it: the one at that address
 * or, for a seeded entry, the one with that socket cookie. */
static __always_inline void forget_listener(const struct sock *sk)
{
	struct tcpsight_listener_key key = listener_key_of(sk, TCP_CLOSE);
	struct tcpsight_listener *listener = bpf_map_lookup_elem(&listeners, &key);

	if (!listener)
		return;
	if (listener->sk ? listener->sk == (__u64)sk : listener->cookie == socket_id(sk))
		bpf_map_delete_elem(&listeners, &key);
}

/* A passively opened socket is born in inet_csk_clone_lock(), which (before
 * Linux 6.15) sets SYN_RECV before it copies the ports, addresses and cookie
 * from the request. So its first event waits for the socket's next one, when
 * they are right, on every kernel alike. Until its acceptor changes its
 * state (see changed_by_its_process) it belongs to its
 * listener, found by the local port, the one field the clone already has. */
static __always_inline void adopt_newborn(struct sock_info *info, const struct sock *sk, __u64 now)
{
	struct tcpsight_listener_key key = listener_key_of(sk, TCP_SYN_RECV);
	struct tcpsight_listener *listener = bpf_map_lookup_elem(&listeners, &key);

	/* Perhaps where a freed socket was: forget that one. */
	clear_sock_info(info);
	info->since_ns = now;
	info->flags = SOCK_SINCE_KNOWN | SOCK_BIRTH_PENDING | SOCK_STATE_KNOWN;
	info->reported = TCP_LISTEN;
	info->last_old = TCP_LISTEN;
	info->last_new = TCP_SYN_RECV;
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

	struct tcpsight_event event = {};
	struct tcpsight_event *e = &event;

	e->type = TCPSIGHT_EVENT_TRANSITION;
	e->ts_ns = info->since_ns;
	read_endpoints(e, sk);
	/* If emitted at the close, the port is released already (see local_port). */
	if (!e->sport)
		e->sport = local_port(sk, TCP_CLOSE);
	e->sock_id = socket_id(sk);
	e->oldstate = TCP_LISTEN;
	e->newstate = TCP_SYN_RECV;
	copy_sock_info(e, info);
	if (emit(e) != EVENT_LOST)
		info->reported = TCP_SYN_RECV;
}

static __always_inline void track_owner(struct sock_info *info, const struct sock *sk, int oldstate,
					int newstate)
{
	if (oldstate == TCP_CLOSE) {
		/* A new connection attempt or listen: earlier resets are history. */
		info->flags &= ~(SOCK_RESET_SENT | SOCK_RESET_RECEIVED | SOCK_ACTIVE_OPEN);
		if (newstate == TCP_SYN_SENT)
			info->flags |= SOCK_ACTIVE_OPEN;
	}
	if (changed_by_its_process(sk, newstate) && !owned_by_current_process(info) &&
	    current_owner(&info->owner))
		info->flags |= SOCK_OWNER_KNOWN;

	if (newstate == TCP_LISTEN)
		remember_listener(info, sk);
	else if (oldstate == TCP_LISTEN && newstate == TCP_CLOSE)
		forget_listener(sk);
}

#endif /* TCPSIGHT_OWNER_BPF_H */
