/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Kernel constants that are macros in its headers, so not in vmlinux.h. */
#ifndef TCPSIGHT_KERNEL_DEFS_BPF_H
#define TCPSIGHT_KERNEL_DEFS_BPF_H

#define AF_INET	      2
#define AF_INET6      10
#define PF_KTHREAD    0x00200000 /* task_struct.flags: a kernel thread */
#define SHUTDOWN_MASK 3		 /* sock.sk_shutdown: both directions */
#define ETH_P_IP      0x0800	 /* sk_buff.protocol, network order */
#define ETH_P_IPV6    0x86DD

#endif /* TCPSIGHT_KERNEL_DEFS_BPF_H */
