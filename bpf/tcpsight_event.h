/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The one record layout shared by the BPF programs and user space.
 *
 * Plain fixed-width types only: the includer provides __u8 .. __u64
 * (vmlinux.h on the BPF side, <linux/types.h> in user space).
 * Any change to a record bumps TCPSIGHT_EVENT_VERSION; recorded event
 * files name the version they were written with.
 */
#ifndef TCPSIGHT_EVENT_H
#define TCPSIGHT_EVENT_H

#define TCPSIGHT_EVENT_VERSION 1
#define TCPSIGHT_COMM_LEN      16

/* First field of every ring-buffer record. */
enum tcpsight_event_type {
	TCPSIGHT_EVENT_TRANSITION = 1,
};

/* tcpsight_transition.flags */
enum tcpsight_transition_flags {
	/* ns_in_old holds the time since this socket's previous transition */
	TCPSIGHT_F_TIME_IN_OLD_KNOWN = 1 << 0,
};

/*
 * One TCP state transition, from sock:inet_sock_set_state.
 * Byte order: addresses in network order, ports in host order.
 */
struct tcpsight_transition {
	__u32 type;	 /* TCPSIGHT_EVENT_TRANSITION */
	__u32 pid;	 /* tgid of the task running when the state changed */
	__u64 ts_ns;	 /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 sock_id;	 /* kernel address of the struct sock: unique while it lives */
	__u64 ns_in_old; /* time spent in oldstate, if flags says it is known */
	__u16 family;	 /* AF_INET or AF_INET6 */
	__u16 sport;	 /* local port, host order */
	__u16 dport;	 /* remote port, host order */
	__u8 oldstate;	 /* kernel TCP_* state numbers */
	__u8 newstate;
	__u8 saddr[16];		      /* local address; IPv4 uses the first 4 bytes */
	__u8 daddr[16];		      /* remote address; IPv4 uses the first 4 bytes */
	char comm[TCPSIGHT_COMM_LEN]; /* of the task above, NUL-padded */
	__u32 flags;		      /* enum tcpsight_transition_flags */
	__u32 reserved;		      /* zero */
};

#define TCPSIGHT_TRANSITION_SIZE 96

#endif /* TCPSIGHT_EVENT_H */
