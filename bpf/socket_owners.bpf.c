// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A task_file iterator: for every process, the inode of each socket it holds
 * open. One pass in the kernel instead of a readlink per descriptor of
 * /proc/PID/fd.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "socket_owners.h"

#define S_IFMT	 00170000
#define S_IFSOCK 0140000

_Static_assert(sizeof(struct tcpsight_socket_owner) == TCPSIGHT_SOCKET_OWNER_SIZE,
	       "tcpsight_socket_owner layout changed");

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("iter/task_file")
int list_socket_owners(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;

	if (!task || !file)
		return 0;
	struct inode *inode = file->f_inode;
	if (!inode || (inode->i_mode & S_IFMT) != S_IFSOCK)
		return 0;

	struct tcpsight_socket_owner owner = {
		.inode = inode->i_ino,
		.pid = task->tgid,
		.fd = ctx->fd,
	};
	BPF_CORE_READ_STR_INTO(&owner.comm, task, group_leader, comm);
	bpf_seq_write(ctx->meta->seq, &owner, sizeof(owner));
	return 0;
}
