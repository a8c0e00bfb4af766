/* ptrace requests of many kinds, made by a parent on its own child (which asks to be traced),
 * for their decoding against strace's: options, peeks and pokes (of memory and of struct user),
 * siginfo, regsets, syscall info at a signal stop, a syscall's entry and its exit, the exit
 * event's message (once into the last word before a PROT_NONE page), requests refused for a
 * missing process and an unknown request. */
#define _GNU_SOURCE
#include <elf.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile long word = 0x1122334455667788L;

int main(void) {
    printf("parent %d\n", getpid());
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0) _exit(10);
        raise(SIGSTOP);
        syscall(SYS_close, -1, 1, 2, 3, 4, 5); /* every argument given: the stops show them all */
        syscall(SYS_getppid, 6, 7, 8, 9, 10, 11);
        _exit(7);
    }
    int status;
    if (waitpid(child, &status, 0) != child || !WIFSTOPPED(status)) return 3;
    ptrace(PTRACE_SETOPTIONS, child, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXIT);
    siginfo_t si;
    ptrace(PTRACE_GETSIGINFO, child, 0, &si);
    ptrace(PTRACE_PEEKDATA, child, &word, 0);
    ptrace(PTRACE_POKEDATA, child, &word, 0x99);
    ptrace(PTRACE_PEEKUSER, child, offsetof(struct user, regs.rip), 0);
    ptrace(PTRACE_PEEKUSER, child, offsetof(struct user, regs.orig_rax), 0);
    ptrace(PTRACE_PEEKUSER, child, offsetof(struct user, regs.eflags), 0);
    ptrace(PTRACE_PEEKUSER, child, offsetof(struct user, regs.fs_base), 0);
    ptrace(PTRACE_PEEKUSER, child, offsetof(struct user, u_debugreg) + 8, 0);
    ptrace(PTRACE_PEEKUSER, child, offsetof(struct user, regs.rip) + 1, 0);
    ptrace(PTRACE_PEEKUSER, child, 4096, 0);
    ptrace(PTRACE_PEEKUSER, child, offsetof(struct user, u_fpvalid), 0);
    ptrace(PTRACE_PEEKUSER, child, offsetof(struct user, i387) + 8, 0);
    ptrace(PTRACE_PEEKUSER, child, sizeof(struct user), 0);
    ptrace(PTRACE_PEEKUSER, child, sizeof(struct user) + 8, 0);
    unsigned long mask;
    ptrace(PTRACE_GETSIGMASK, child, sizeof mask, &mask);
    ptrace(PTRACE_SETSIGMASK, child, sizeof mask, &mask);
    struct user_regs_struct regs;
    struct iovec iov = {&regs, sizeof regs};
    ptrace(PTRACE_GETREGSET, child, NT_PRSTATUS, &iov);
    ptrace(PTRACE_GETREGS, child, 0, &regs);
    struct user_fpregs_struct fpregs;
    ptrace(PTRACE_GETFPREGS, child, 0, &fpregs);
    char info[88];
    ptrace(PTRACE_GET_SYSCALL_INFO, child, sizeof info, info);
    for (int stop = 0; stop < 5; stop++) {
        ptrace(PTRACE_SYSCALL, child, 0, 0);
        if (waitpid(child, &status, 0) != child || !WIFSTOPPED(status)) return 4;
        if (WSTOPSIG(status) == (SIGTRAP | 0x80)) ptrace(PTRACE_GET_SYSCALL_INFO, child, sizeof info, info);
    }
    ptrace(PTRACE_CONT, child, 0, 0);
    if (waitpid(child, &status, 0) != child || !WIFSTOPPED(status)) return 5;
    unsigned long msg;
    ptrace(PTRACE_GETEVENTMSG, child, 0, &msg);
    /* The same answer in the last word before a PROT_NONE page: the copy of data must stop there. */
    char *pages = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pages == MAP_FAILED || mprotect(pages + 4096, 4096, PROT_NONE) != 0) return 8;
    printf("edge %p\n", (void *)(pages + 4096 - 8));
    ptrace(PTRACE_GETEVENTMSG, child, 0, pages + 4096 - 8);
    ptrace(PTRACE_ATTACH, 0x7ffffff0, 0, 0);
    ptrace(PTRACE_SEIZE, 0x7ffffff0, 0, PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL);
    ptrace(PTRACE_INTERRUPT, 0x7ffffff0, 0, 0);
    ptrace(PTRACE_CONT, 0x7ffffff0, 0, SIGUSR1);
    ptrace((enum __ptrace_request)0x4f00, child, 0x10, 0x20);
    ptrace(PTRACE_DETACH, child, 0, 0);
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status)) return 6;
    printf("child exit %d\n", WEXITSTATUS(status));
    return 0;
}
