/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Records the TCP and UDP socket iterators write: one per socket, with what
 * /proc/net/tcp and /proc/net/udp show. Plain fixed-width types, as in
 * tcpsight_event.h.
 */
#ifndef TCPSIGHT_INET_SOCKETS_H
#define TCPSIGHT_INET_SOCKETS_H

struct tcpsight_socket_record {
	__u8 protocol; /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 family;   /* AF_INET or AF_INET6 */
	__u8 state;    /* kernel TCP state number (SYN_RECV for request socks) */
	__u8 timer; /* as /proc/net/tcp: 0 none, 1 retransmit, 2 keepalive, 3 TIME_WAIT, 4 probe */
	__u16 local_port;  /* host byte order */
	__u16 remote_port; /* host byte order */
	__u8 local[16];	   /* network byte order; IPv4 in the first 4 bytes */
	__u8 remote[16];
	__u32 recv_q;
	__u32 send_q;
	__u32 uid;
	__u32 timer_ms; /* until the timer fires; 0 when the kernel's HZ is unknown */
	__u32 retransmits;
	__u32 reserved;
	__u64 inode;
	__u64 cookie;
	__u64 cgroup_id; /* the cgroup v2 the socket was created in; 0 for TIME_WAIT and SYN_RECV */
};

#define TCPSIGHT_SOCKET_RECORD_SIZE 88

#endif /* TCPSIGHT_INET_SOCKETS_H */
