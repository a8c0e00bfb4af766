/* The x86-64 syscall numbers and kernel structures the runtime itself uses, in one place: the
 * entry is freestanding (no libc headers), so it cannot take them from <sys/syscall.h>. */
#ifndef JPOLINE_SYSCALL_NUMBERS_H
#define JPOLINE_SYSCALL_NUMBERS_H

#include <stdint.h>

enum {
    NR_read = 0,
    NR_write = 1,
    NR_close = 3,
    NR_fstat = 5,
    NR_mmap = 9,
    NR_mprotect = 10,
    NR_munmap = 11,
    NR_rt_sigaction = 13,
    NR_rt_sigprocmask = 14,
    NR_rt_sigreturn = 15,
    NR_pread64 = 17,
    NR_pwrite64 = 18,
    NR_sched_yield = 24,
    NR_mremap = 25,
    NR_nanosleep = 35,
    NR_getpid = 39,
    NR_clone = 56,
    NR_fork = 57,
    NR_vfork = 58,
    NR_execve = 59,
    NR_kill = 62,
    NR_ptrace = 101,
    NR_prctl = 157,
    NR_gettid = 186,
    NR_futex = 202,
    NR_getdents64 = 217,
    NR_restart_syscall = 219,
    NR_clock_gettime = 228,
    NR_tgkill = 234,
    NR_openat = 257,
    NR_rt_tgsigqueueinfo = 297,
    NR_process_vm_readv = 310,
    NR_process_vm_writev = 311,
    NR_execveat = 322,
    NR_membarrier = 324,
    NR_pkey_mprotect = 329,
    NR_clone3 = 435,
};

/* rt_sigaction's struct as the kernel reads and writes it (sigsetsize 8). */
struct jp_kernel_sigaction {
    uint64_t handler, flags, restorer, mask;
};

#endif
