/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The one record layout shared by the BPF programs and user space.
 *
 * Plain fixed-width types only: the includer provides __u8 .. __u64
 * (vmlinux.h on the BPF side, <linux/types.h> in user space).
 * A change that an older reader would misread bumps TCPSIGHT_EVENT_VERSION;
 * recorded event files name the version they were written with. New flags,
 * and fields taken from reserved bytes (zero in older records), do not.
 */
#ifndef TCPSIGHT_EVENT_H
#define TCPSIGHT_EVENT_H

#define TCPSIGHT_EVENT_VERSION 5
#define TCPSIGHT_COMM_LEN      16

/* tcpsight_event.type */
enum tcpsight_event_type {
	TCPSIGHT_EVENT_TRANSITION = 1,	      /* sock:inet_sock_set_state */
	TCPSIGHT_EVENT_RESET_SENT = 2,	      /* tcp:tcp_send_reset */
	TCPSIGHT_EVENT_RESET_RECEIVED = 3,    /* tcp:tcp_receive_reset */
	TCPSIGHT_EVENT_SYN_RETRANSMIT = 4,    /* tcp:tcp_retransmit_skb in SYN_SENT */
	TCPSIGHT_EVENT_SYNACK_RETRANSMIT = 5, /* tcp:tcp_retransmit_synack */
	/* A whole connection, written at its close: struct tcpsight_connection.
	 * Never in recorded event files. */
	TCPSIGHT_EVENT_CONNECTION = 6,
	/* A TCP segment the kernel dropped (skb:kfree_skb), with its reason. The
	 * endpoints are the connection's, local first. Where the kernel had found
	 * the socket: its sock_id, owner and state; for a listener, sock_id 0,
	 * the listener's owner and state LISTEN. Else sock_id 0, no owner, and
	 * state 0. */
	TCPSIGHT_EVENT_DROP = 7,
	/* tcp:tcp_retransmit_skb past the handshake: a segment sent again, from
	 * seq on, in the socket's state. */
	TCPSIGHT_EVENT_RETRANSMIT = 8,
};

/* tcpsight_event.flags */
enum tcpsight_event_flags {
	TCPSIGHT_F_TIME_IN_OLD_KNOWN = 1 << 0, /* ns_in_old is set */
	TCPSIGHT_F_OWNER_KNOWN = 1 << 1,       /* pid, uid, cgroup_id and comm are set */
	TCPSIGHT_F_HANDSHAKE_KNOWN = 1 << 2,   /* handshake_ns is set */
	TCPSIGHT_F_RESET_SENT = 1 << 3,	       /* this socket sent a RST before this event */
	TCPSIGHT_F_RESET_RECEIVED = 1 << 4,    /* this socket received a RST before this event */
	TCPSIGHT_F_NO_SOCKET = 1 << 5,	       /* RST answering a segment no socket owned */
	TCPSIGHT_F_PEER_FIN = 1 << 6,	       /* the peer's FIN has arrived (SOCK_DONE) */
	TCPSIGHT_F_ORPHAN = 1 << 7,	       /* closed by the application (SOCK_DEAD) */
	TCPSIGHT_F_LINGER_ZERO = 1 << 8,       /* SO_LINGER with a zero timeout */
	TCPSIGHT_F_TOTALS_KNOWN = 1 << 9,      /* tx_bytes, rx_bytes, retransmits are set */
	/* Events of this socket were lost since the last one written: it was
	 * last reported entering gap_from, and this event starts elsewhere. */
	TCPSIGHT_F_GAP = 1 << 10,
	/* Not reported by inet_sock_set_state, which missed it: the move to CLOSE
	 * of a socket being destroyed, written by tcp_destroy_sock. Its time is
	 * when it was noticed; the move itself came earlier. */
	TCPSIGHT_F_RECOVERED = 1 << 11,
	/* DROP: the segment was on its way out, not in. */
	TCPSIGHT_F_OUTGOING = 1 << 12,
	/* DROP: accept_queue and backlog are set. */
	TCPSIGHT_F_QUEUE_KNOWN = 1 << 13,
	/* DROP not reported by the kernel: a SYN sent to a listener of this host
	 * whose accept queue was full, which the kernel drops without a reason.
	 * drop_reason is 0. */
	TCPSIGHT_F_LISTEN_OVERFLOW = 1 << 14,
};

/* Filter kinds for the port filter map (bit values of its u8 value). */
enum tcpsight_port_filter {
	TCPSIGHT_PORT_EITHER = 1 << 0, /* --port: local or remote */
	TCPSIGHT_PORT_LOCAL = 1 << 1,  /* --sport */
	TCPSIGHT_PORT_REMOTE = 1 << 2, /* --dport */
};

/* Indexes of the per-CPU counters map. Only the uncommon paths count: the
 * events written are the ones user space reads. */
enum tcpsight_counter {
	TCPSIGHT_COUNTER_FILTERED = 0, /* dropped by a filter */
	TCPSIGHT_COUNTER_LOST = 1,     /* did not fit in the ring buffer */
	/* Run by a relay program because the main one was already running on
	 * the CPU (see tcpsight.bpf.c): not lost. */
	TCPSIGHT_COUNTER_RELAYED = 2,
	TCPSIGHT_COUNTER_MAX = 3,
};

/* The process that owns a socket, recorded in process context. */
struct tcpsight_owner {
	__u64 cgroup_id; /* the process's cgroup v2 */
	__u32 pid;
	__u32 uid;
	char comm[TCPSIGHT_COMM_LEN];
};

/* The map `listeners`: the owner of each listening port, which the sockets
 * it accepts take until their acceptor touches them. User space seeds the
 * listeners that were open before tracing began, with sk 0 and their cookie. */
struct tcpsight_listener_key {
	__u32 netns;
	__u16 port;
	__u16 reserved;
};

struct tcpsight_listener {
	struct tcpsight_owner owner;
	__u64 sk;     /* the listening socket: only it removes the entry; 0: seeded */
	__u64 cookie; /* seeded: the listener's socket cookie, which removes it */
};

/*
 * One event of one socket. Byte order: addresses in network order, ports in
 * host order. The owner is the process that owns the socket (recorded in
 * process context: connect, listen, shutdown, close), never the task that a
 * softirq happened to interrupt.
 */
struct tcpsight_event {
	__u32 type;	    /* enum tcpsight_event_type */
	__u32 flags;	    /* enum tcpsight_event_flags */
	__u64 ts_ns;	    /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 sock_id;	    /* socket cookie, as sock_diag reports it; 0 without a socket */
	__u64 ns_in_old;    /* time spent in oldstate */
	__u64 handshake_ns; /* on the transition to ESTABLISHED */
	__u64 cgroup_id;    /* owner's cgroup v2 id */
	__u32 pid;	    /* owner's tgid */
	__u32 uid;	    /* owner's uid */
	__u32 netns;	    /* network namespace inode */
	__u16 family;	    /* AF_INET or AF_INET6 */
	__u16 sport;	    /* local port, host order */
	__u16 dport;	    /* remote port, host order */
	__u8 oldstate;	    /* kernel TCP_* numbers; for other events both hold */
	__u8 newstate;	    /*   the socket's state at the time */
	__u16 error;	    /* the socket's pending error (sk_err), an errno */
	__u8 gap_from;	    /* with TCPSIGHT_F_GAP: the state last reported */
	__u8 reserved;	    /* zero */
	__u8 saddr[16];	    /* local address; IPv4 uses the first 4 bytes */
	__u8 daddr[16];	    /* remote address; IPv4 uses the first 4 bytes */
	char comm[TCPSIGHT_COMM_LEN]; /* owner's command name, NUL-padded */
	/* The connection's totals, on transitions to CLOSE: */
	__u64 tx_bytes;	   /* bytes sent and acknowledged (tcp_sock.bytes_acked) */
	__u64 rx_bytes;	   /* bytes received (tcp_sock.bytes_received) */
	__u32 retransmits; /* segments retransmitted (tcp_sock.total_retrans) */
	__u32 drop_reason; /* DROP: the kernel's enum skb_drop_reason, which differs by kernel */
	/* Round trips, in microseconds, on transitions to CLOSE (with the totals): */
	__u32 srtt_us;	  /* smoothed (tcp_sock.srtt_us / 8); 0: no sample */
	__u32 min_rtt_us; /* the lowest seen (tcp_sock.rtt_min); 0: no sample */
	/* DROP by a listener (TCPSIGHT_F_QUEUE_KNOWN): */
	__u32 accept_queue; /* connections waiting for accept() (sk_ack_backlog) */
	__u32 backlog;	    /* the most it takes (sk_max_ack_backlog) */
	/* RETRANSMIT: */
	__u32 seq;	/* the first sequence number sent again */
	__u32 segments; /* how many segments it was (tcp_skb_pcount) */
};

/* Version 4 events were this long: the fields up to drop_reason. */
#define TCPSIGHT_EVENT_V4_SIZE 144
#define TCPSIGHT_EVENT_SIZE    168

/* The most states a connection's path keeps. TCP never returns to a state
 * before CLOSE, so six are the most a connection goes through, with the one
 * it came from. */
#define TCPSIGHT_PATH_MAX 8

/* The states a connection went through, as the kernel keeps them while it
 * lives, for views that need one record per connection. */
struct tcpsight_path {
	/* When it entered states[i] (bpf_ktime_get_ns()); 0 where no program saw
	 * the move into it: the state it was in when first seen, the state a
	 * socket was born from, or one entered by a move the programs missed. */
	__u64 entered_ns[TCPSIGHT_PATH_MAX];
	/* Kernel TCP_* numbers: states[0] is where it came from (CLOSE for
	 * connect(), LISTEN for a passive open) or where it was first seen;
	 * then every state it entered, the last being where it was at the end. */
	__u8 states[TCPSIGHT_PATH_MAX];
	__u32 srtt_us;	       /* first RTT sample, when a passive open completed */
	__u16 syn_retransmits; /* SYNs connect() sent again */
	__u8 length;	       /* states in use, 1 to TCPSIGHT_PATH_MAX */
	__u8 reserved;	       /* zero */
};

/* TCPSIGHT_EVENT_CONNECTION: a connection, written once as it closes, the
 * way tcplife does. end is its move to CLOSE with what a transition to
 * CLOSE carries (owner, endpoints, flags, totals), end.type aside; its
 * oldstate is path.states[path.length - 1]. */
struct tcpsight_connection {
	struct tcpsight_event end;
	struct tcpsight_path path;
};

#define TCPSIGHT_PATH_SIZE	 80
#define TCPSIGHT_CONNECTION_SIZE (TCPSIGHT_EVENT_SIZE + TCPSIGHT_PATH_SIZE)

#endif /* TCPSIGHT_EVENT_H */
