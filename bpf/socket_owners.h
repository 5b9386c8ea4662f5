/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Records the socket-owner iterator writes: one per open socket file
 * descriptor of each process (threads that share a descriptor table are
 * visited once). Plain fixed-width types, as in tcpsight_event.h.
 */
#ifndef TCPSIGHT_SOCKET_OWNERS_H
#define TCPSIGHT_SOCKET_OWNERS_H

#define TCPSIGHT_OWNER_COMM_LEN 16

struct tcpsight_socket_owner {
	__u64 inode; /* the socket's inode number, as sock_diag and /proc/net show it */
	__u32 pid;   /* tgid */
	__u32 fd;
	char comm[TCPSIGHT_OWNER_COMM_LEN]; /* the process's command name */
};

#define TCPSIGHT_SOCKET_OWNER_SIZE 32

#endif /* TCPSIGHT_SOCKET_OWNERS_H */
