/* Process and thread creation through the entry: clone and clone3 with a new stack
 * (threads), clone(CLONE_VM|CLONE_VFORK) with its own stack (posix_spawn-like), vfork and
 * its clone/clone3 spellings on the caller's stack with a child that overwrites that
 * stack (also nesting a vfork of its own), fork and fork-like clone. */
#include <linux/futex.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "jp_test.h"

#define RBX_PATTERN 0x1122334455667788ull
#define R13_PATTERN 0x8877665544332211ull
#define CARRY 0x1ull

/* Parameters and observations shared with children (CLONE_VM: same memory). */
static volatile uint64_t expected_rsp, expected_rdi, expected_rsi;
static volatile int child_verdict; /* 0: not run, 1: all as expected, 2+: what was wrong */

/* What a child sees right after the site's call returned to it. */
typedef void (*child_fn)(uint64_t rsp, uint64_t rflags, uint64_t rbx, uint64_t r13, uint64_t rdi,
                         uint64_t rsi);

/* long clone_call(nr, a1, a2, a3, a4, a5, child_fn fn): one syscall through a registered
 * site with rbx, r13 and CF set to patterns. The parent returns rax; a child (rax = 0) calls
 * fn with rsp, rflags and registers as it found them after the call, on its new stack. */
long clone_call(long nr, long a1, long a2, long a3, long a4, long a5, child_fn fn);
__asm__(".text\n"
        ".globl clone_call\n"
        "clone_call:\n"
        "    push %rbx; push %r12; push %r13; push %r14; push %r15\n"
        "    mov 48(%rsp), %r12\n" /* fn: callee-saved, so the child has it too */
        "    mov %rdi, %rax; mov %rsi, %rdi; mov %rdx, %rsi; mov %rcx, %rdx\n"
        "    mov %r8, %r10; mov %r9, %r8; xor %r9d, %r9d\n"
        "    movabs $0x1122334455667788, %rbx\n"
        "    movabs $0x8877665544332211, %r13\n"
        "    stc\n"
        "1:  call *%rax\n"
        "    " JP_RECORD_SITE "\n"
        "    pushfq\n"
        "    pop %r14\n"
        "    mov %rsp, %r15\n"
        "    test %rax, %rax\n"
        "    jnz 2f\n"
        "    mov %rdi, %r8; mov %rsi, %r9\n" /* child */
        "    mov %r15, %rdi; mov %r14, %rsi; mov %rbx, %rdx; mov %r13, %rcx\n"
        "    cld\n"
        "    call *%r12\n"
        "    ud2\n"
        "2:  cld\n"
        "    pop %r15; pop %r14; pop %r13; pop %r12; pop %rbx\n"
        "    ret\n");

/* Runs in the child on its new stack; threads and CLONE_VM processes alike end with exit,
 * which ends only the child. */
static void check_child_then_exit(uint64_t rsp, uint64_t rflags, uint64_t rbx, uint64_t r13, uint64_t rdi,
                                  uint64_t rsi) {
    int verdict = 1;
    if (rsp != expected_rsp) verdict = 2;
    else if (!(rflags & CARRY)) verdict = 3;
    else if (rbx != RBX_PATTERN || r13 != R13_PATTERN) verdict = 4;
    else if (rdi != expected_rdi || rsi != expected_rsi) verdict = 5;
    child_verdict = verdict;
    jp_syscall1(SYS_exit, 0);
}

static void wait_for_thread_exit(volatile pid_t *tid) {
    /* CLONE_CHILD_CLEARTID: the kernel zeroes *tid and wakes us when the thread is gone. */
    for (int i = 0; i < 1000; i++) {
        pid_t t = *tid;
        if (t == 0) return;
        struct timespec ten_ms = {0, 10 * 1000 * 1000};
        jp_syscall4(SYS_futex, tid, FUTEX_WAIT, t, &ten_ms);
    }
    CHECK(0, "thread did not exit within 10 s");
}

static char *new_stack(size_t size) {
    char *s = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    CHECK(s != MAP_FAILED, "mmap stack");
    return s;
}

#define STACK_SIZE (256 * 1024)
#define THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | \
                      CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

static void test_clone_thread_new_stack(void) {
    char *stack = new_stack(STACK_SIZE);
    static volatile pid_t tid;
    for (int round = 0; round < 50; round++) {
        uint64_t top = (uint64_t)(stack + STACK_SIZE);
        expected_rsp = top;
        expected_rdi = THREAD_FLAGS;
        expected_rsi = top;
        child_verdict = 0;
        long r = clone_call(SYS_clone, THREAD_FLAGS, (long)top, (long)&tid, (long)&tid, 0, check_child_then_exit);
        CHECK(r > 0, "clone returned %ld", r);
        wait_for_thread_exit(&tid);
        CHECK(child_verdict == 1, "clone child verdict %d", child_verdict);
    }
    munmap(stack, STACK_SIZE);
    printf("OK clone thread with new stack\n");
}

static void test_clone3_thread_new_stack(void) {
    char *stack = new_stack(STACK_SIZE);
    static volatile pid_t tid;
    for (int round = 0; round < 50; round++) {
        struct clone_args args;
        memset(&args, 0, sizeof args);
        args.flags = THREAD_FLAGS & ~(uint64_t)CSIGNAL;
        args.parent_tid = (uint64_t)&tid;
        args.child_tid = (uint64_t)&tid;
        args.stack = (uint64_t)stack;
        args.stack_size = STACK_SIZE;
        expected_rsp = (uint64_t)(stack + STACK_SIZE);
        expected_rdi = (uint64_t)&args;
        expected_rsi = sizeof args;
        child_verdict = 0;
        long r = clone_call(SYS_clone3, (long)&args, sizeof args, 0, 0, 0, check_child_then_exit);
        CHECK(r > 0, "clone3 returned %ld", r);
        /* The caller's struct is untouched: the entry adjusted a copy. */
        CHECK(args.stack_size == STACK_SIZE && args.stack == (uint64_t)stack, "clone_args changed");
        wait_for_thread_exit(&tid);
        CHECK(child_verdict == 1, "clone3 child verdict %d", child_verdict);
    }
    munmap(stack, STACK_SIZE);
    printf("OK clone3 thread with new stack\n");
}

/* A process sharing our memory until it exits, like posix_spawn's child before exec. */
static void test_clone_vm_vfork_own_stack(void) {
    char *stack = new_stack(STACK_SIZE);
    uint64_t top = (uint64_t)(stack + STACK_SIZE);
    long flags = CLONE_VM | CLONE_VFORK | SIGCHLD;
    expected_rsp = top;
    expected_rdi = (uint64_t)flags;
    expected_rsi = top;
    child_verdict = 0;
    long pid = clone_call(SYS_clone, flags, (long)top, 0, 0, 0, check_child_then_exit);
    CHECK(pid > 0, "clone returned %ld", pid);
    /* CLONE_VFORK: the child has already exited when we get here. */
    CHECK(child_verdict == 1, "spawn child verdict %d", child_verdict);
    int status = -1;
    CHECK(jp_syscall4(SYS_wait4, pid, &status, 0, NULL) == pid && WIFEXITED(status) &&
              WEXITSTATUS(status) == 0,
          "status %x", status);
    munmap(stack, STACK_SIZE);
    printf("OK clone(CLONE_VM|CLONE_VFORK) with own stack\n");
}

/* --- vfork on the caller's stack ------------------------------------------------------ */

/* What the parent saw after the call (stored by vfork_call's parent path). */
uint64_t vfork_parent_rbx, vfork_parent_rbp, vfork_parent_r12, vfork_parent_r13, vfork_parent_r14,
    vfork_parent_r15, vfork_parent_rflags;
void vfork_child_body(void);

/* long vfork_call(nr, a1, a2): callee-saved registers and CF hold patterns across the
 * call; a child (rax = 0) runs vfork_child_body on the same stack and never returns. */
long vfork_call(long nr, long a1, long a2);
__asm__(".text\n"
        ".globl vfork_call\n"
        "vfork_call:\n"
        "    push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n"
        "    mov %rdi, %rax; mov %rsi, %rdi; mov %rdx, %rsi\n"
        "    movabs $0x1122334455667788, %rbx\n"
        "    movabs $0x2233445566778899, %rbp\n"
        "    movabs $0x33445566778899aa, %r12\n"
        "    movabs $0x8877665544332211, %r13\n"
        "    movabs $0x5566778899aabbcc, %r14\n"
        "    movabs $0x66778899aabbccdd, %r15\n"
        "    stc\n"
        "1:  call *%rax\n"
        "    " JP_RECORD_SITE "\n"
        "    pushfq\n"
        "    popq vfork_parent_rflags(%rip)\n"
        "    test %rax, %rax\n"
        "    jnz 2f\n"
        "    sub $8, %rsp\n" /* child: 16-byte alignment for the call */
        "    call vfork_child_body\n"
        "    ud2\n"
        "2:  mov %rbx, vfork_parent_rbx(%rip); mov %rbp, vfork_parent_rbp(%rip)\n"
        "    mov %r12, vfork_parent_r12(%rip); mov %r13, vfork_parent_r13(%rip)\n"
        "    mov %r14, vfork_parent_r14(%rip); mov %r15, vfork_parent_r15(%rip)\n"
        "    pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"
        "    ret\n");

static int check_vfork_parent_state(void) {
    return vfork_parent_rbx == 0x1122334455667788ull && vfork_parent_rbp == 0x2233445566778899ull &&
           vfork_parent_r12 == 0x33445566778899aaull && vfork_parent_r13 == 0x8877665544332211ull &&
           vfork_parent_r14 == 0x5566778899aabbccull && vfork_parent_r15 == 0x66778899aabbccddull &&
           (vfork_parent_rflags & CARRY) != 0;
}

/* Writes a pattern over `depth` KiB of stack below the caller: everything the parent
 * had below its rsp, the entry frame and the return-address slot included. */
static __attribute__((noinline)) int trash_stack(int depth) {
    volatile char block[1024];
    for (size_t i = 0; i < sizeof block; i++) block[i] = (char)0xEE;
    return depth == 0 ? block[7] : trash_stack(depth - 1) + block[depth];
}

static volatile int vfork_nesting;

void vfork_child_body(void) {
    trash_stack(64);
    int code = 0;
    /* A vfork child may keep making syscalls through the entry... */
    if (jp_syscall0(SYS_getpid) == jp_syscall0(SYS_getppid)) code = 10;
    /* ...and even vfork again: its own return must not disturb the parent's. */
    if (vfork_nesting == 0) {
        vfork_nesting = 1;
        long pid = vfork_call(SYS_vfork, 0, 0);
        int status = -1;
        if (pid <= 0 || !check_vfork_parent_state()) code = 11;
        else if (jp_syscall4(SYS_wait4, pid, &status, 0, NULL) != pid || status != 0) code = 12;
    }
    trash_stack(8);
    jp_syscall1(SYS_exit, code);
    __builtin_unreachable();
}

static void test_vfork_like(const char *what, long nr, long a1, long a2) {
    volatile uint64_t canaries[32];
    for (int i = 0; i < 32; i++) canaries[i] = 0xCAFE000000000000ull + (uint64_t)i;
    vfork_nesting = 0;
    long pid = vfork_call(nr, a1, a2);
    CHECK(pid > 0, "%s returned %ld", what, pid);
    CHECK(check_vfork_parent_state(), "%s: parent registers or flags changed", what);
    for (int i = 0; i < 32; i++)
        CHECK(canaries[i] == 0xCAFE000000000000ull + (uint64_t)i, "%s: caller's stack canary %d", what, i);
    int status = -1;
    CHECK(jp_syscall4(SYS_wait4, pid, &status, 0, NULL) == pid, "wait4");
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: child status %x", what, status);
    CHECK(vfork_nesting == 1, "%s: child ran its nested vfork", what);
    printf("OK %s with the child overwriting the stack\n", what);
}

/* --- fork ----------------------------------------------------------------------------- */

static void test_fork_like(const char *what, long nr, long a1) {
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe");
    long pid = jp_syscall6(nr, a1, 0, 0, 0, 0, 0);
    if (pid == 0) {
        jp_syscall3(SYS_write, fds[1], "child", 5);
        jp_syscall1(SYS_exit_group, 7);
    }
    CHECK(pid > 0, "%s returned %ld", what, pid);
    char buf[8] = {0};
    CHECK(jp_syscall3(SYS_read, fds[0], buf, 5) == 5 && memcmp(buf, "child", 5) == 0, "%s: child wrote", what);
    int status = -1;
    CHECK(jp_syscall4(SYS_wait4, pid, &status, 0, NULL) == pid && WIFEXITED(status) &&
              WEXITSTATUS(status) == 7,
          "%s: status %x", what, status);
    close(fds[0]);
    close(fds[1]);
    printf("OK %s\n", what);
}

/* clone3 arguments the entry does not copy go to the kernel as they are. */
static void test_clone3_argument_checks(void) {
    char *stack = new_stack(4096);
    uint64_t args[18];
    memset(args, 0, sizeof args);
    args[5] = (uint64_t)stack; /* stack */
    args[6] = 4096;            /* stack_size */
    CHECK(jp_syscall2(SYS_clone3, args, 32) == -EINVAL, "clone3 with a too-small struct");
    CHECK(jp_syscall2(SYS_clone3, args, sizeof args) == -E2BIG, "clone3 struct larger than the entry copies");
    munmap(stack, 4096);
    printf("OK clone3 argument checks\n");
}

int main(void) {
    jp_setup();
    setvbuf(stdout, NULL, _IONBF, 0); /* children must not flush our buffered output again */
    test_clone_thread_new_stack();
    test_clone3_thread_new_stack();
    test_clone_vm_vfork_own_stack();
    test_clone3_argument_checks();
    test_vfork_like("vfork", SYS_vfork, 0, 0);
    test_vfork_like("clone(CLONE_VM|CLONE_VFORK) on the caller's stack", SYS_clone,
                    CLONE_VM | CLONE_VFORK | SIGCHLD, 0);
    struct clone_args vfork_args;
    memset(&vfork_args, 0, sizeof vfork_args);
    vfork_args.flags = CLONE_VM | CLONE_VFORK;
    vfork_args.exit_signal = SIGCHLD;
    test_vfork_like("clone3(CLONE_VM|CLONE_VFORK) on the caller's stack", SYS_clone3, (long)&vfork_args,
                    sizeof vfork_args);
    test_fork_like("fork", SYS_fork, 0);
    test_fork_like("clone without CLONE_VM (fork-like)", SYS_clone, SIGCHLD);
    printf("OK clone\n");
    return 0;
}
