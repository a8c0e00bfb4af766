/* The hot path of the host's ptrace window (hook-tracer's PtraceWindow, docs/ptrace-window.md),
 * run in the host, not in a target. A syscall costs a tracee two stops; each stop handled in Java
 * cost about 30 µs more than strace's own loop, so the window's steady state runs here: wait for
 * the next stop, and when it is a syscall stop of a known thread, record it (entry_trace.c's
 * jpoline_remote_syscall_*) and resume it, all without returning to the JVM. Every other stop
 * (a new thread, an exit, an event, a signal) goes back to Java, which decides.
 *
 * One thread follows: ptrace requests must come from the thread that attached. The task table
 * is that thread's, grown by the host through jpoline_remote_task_*. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "jpoline.h"
#include "runtime_internal.h"

#define INFO_OP_ENTRY 1
#define INFO_OP_EXIT 2
#define AUDIT_ARCH_X86_64 0xc000003eu
#define NR_EXECVE 59
#define NR_EXECVEAT 322

struct syscall_info { /* struct ptrace_syscall_info (Linux 5.3) */
    uint8_t op;
    uint8_t pad[3];
    uint32_t arch;
    uint64_t instruction_pointer;
    uint64_t stack_pointer;
    union {
        struct {
            uint64_t nr;
            uint64_t args[6];
        } entry;
        struct {
            int64_t rval;
            uint8_t is_error;
        } exit;
        uint8_t raw[64];
    };
};

struct task {
    int32_t tid; /* 0: free slot */
    int32_t tgid;
    int32_t recording;
    int32_t in_call;
    uint64_t nr;
    uint64_t args[6];
    struct jpoline_remote_call *call;
};

static struct task *table;
static uint32_t mask; /* capacity - 1 */
static uint32_t used;

static struct task *find(int32_t tid) {
    if (table == 0) return 0;
    for (uint32_t i = (uint32_t)tid & mask;; i = (i + 1) & mask) {
        if (table[i].tid == tid) return &table[i];
        if (table[i].tid == 0) return 0;
    }
}

static int put(struct task *t, struct task *into, uint32_t m) {
    for (uint32_t i = (uint32_t)t->tid & m;; i = (i + 1) & m)
        if (into[i].tid == 0) {
            into[i] = *t;
            return 0;
        }
}

/* Known from now on; recording: its syscalls are the program's (not the launch helper's). */
JPOLINE_EXPORT int jpoline_remote_task_add(int32_t tid, int32_t tgid, int32_t recording) {
    struct task *t = find(tid);
    if (t != 0) {
        t->tgid = tgid;
        t->recording = recording;
        return 0;
    }
    if (table == 0 || (used + 1) * 2 > mask + 1) {
        uint32_t capacity = table == 0 ? 256 : (mask + 1) * 2;
        struct task *bigger = calloc(capacity, sizeof *bigger);
        if (bigger == 0) return -ENOMEM;
        for (uint32_t i = 0; table != 0 && i <= mask; i++)
            if (table[i].tid != 0) put(&table[i], bigger, capacity - 1);
        free(table);
        table = bigger;
        mask = capacity - 1;
    }
    struct task n = {tid, tgid, recording, 0, 0, {0}, calloc(1, jpoline_remote_call_size())};
    if (n.call == 0) return -ENOMEM;
    put(&n, table, mask);
    used++;
    return 0;
}

/* Gone (or exec'd away): forgotten, its slot reused. Linear probing: re-insert the run after it. */
JPOLINE_EXPORT void jpoline_remote_task_remove(int32_t tid) {
    struct task *t = find(tid);
    if (t == 0) return;
    free(t->call);
    uint32_t i = (uint32_t)(t - table);
    table[i].tid = 0;
    used--;
    for (uint32_t j = (i + 1) & mask; table[j].tid != 0; j = (j + 1) & mask) {
        struct task moved = table[j];
        table[j].tid = 0;
        put(&moved, table, mask);
    }
}

/* A thread that execs takes its process's id: its state moves to `tid`, whose own is dropped. */
JPOLINE_EXPORT void jpoline_remote_task_rename(int32_t from, int32_t tid) {
    struct task *old = find(from);
    if (old == 0 || from == tid) return;
    struct task moved = *old;
    old->call = 0; /* it moves with the task */
    jpoline_remote_task_remove(from);
    jpoline_remote_task_remove(tid); /* the leader's own entry, if it had one: that thread is gone */
    moved.tid = tid;
    moved.tgid = tid;
    put(&moved, table, mask); /* an entry went just now, so there is room */
    used++;
}

/* run --hooks --from-exec: the numbers whose entry stops go to the host's hooks (in Java). */
#define HOOKABLE 1024
static uint8_t hooked[HOOKABLE];

JPOLINE_EXPORT void jpoline_remote_hook(uint32_t nr) {
    if (nr < HOOKABLE) hooked[nr] = 1;
}

/* Records a syscall stop of task t; 0 when the stop was not one (PTRACE_GET_SYSCALL_INFO failed)
 * or is the host's to handle: the window's end, and a hooked call of the program. */
static int syscall_stop(void *session, struct task *t, int32_t top) {
    struct syscall_info info;
    long n = ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, (void *)sizeof info, &info);
    if (n <= 0) return 0;
    if (info.arch != AUDIT_ARCH_X86_64) return 1; /* an i386 call (int 0x80): its numbers are not ours to name */
    if (info.op == INFO_OP_ENTRY && info.entry.nr == (uint64_t)JPOLINE_WINDOW_END_NR) return 0; /* the host's to see */
    if (info.op == INFO_OP_ENTRY && t->recording && info.entry.nr < HOOKABLE && hooked[info.entry.nr]) return 0;
    if (info.op == INFO_OP_ENTRY) {
        t->nr = info.entry.nr;
        memcpy(t->args, info.entry.args, sizeof t->args);
        t->in_call = 1;
        if (!t->recording && t->tid == top && (t->nr == NR_EXECVE || t->nr == NR_EXECVEAT)) t->recording = 1;
        if (t->recording)
            jpoline_remote_syscall_entry(session, (uint32_t)t->tgid, (uint32_t)t->tid, t->nr, t->args,
                                         info.stack_pointer, info.instruction_pointer, t->call);
    } else if (info.op == INFO_OP_EXIT && t->in_call) {
        t->in_call = 0;
        if (t->recording)
            jpoline_remote_syscall_exit(session, (uint32_t)t->tgid, (uint32_t)t->tid, t->nr, t->args, info.exit.rval,
                                        info.instruction_pointer, t->call);
    }
    return 1;
}

/* A thread seized at its exec (JPOLINE_REQUEST_EXEC_WINDOW) whose exec succeeded: recorded from
 * now on. The exec's own exit stop, next, is not: its entry is the old image's runtime's record. */
JPOLINE_EXPORT void jpoline_remote_task_exec(int32_t tid) {
    struct task *t = find(tid);
    if (t == 0) return;
    t->recording = 1;
    t->in_call = 0;
}

/* The host's request threads interrupt the follower's wait (below) with this signal to hand it a
 * thread to seize: without SA_RESTART, so that a blocked waitpid returns; and a flag, since the
 * signal may come while the follower records or resumes a stop instead, and then it must not
 * be lost while stops keep it from blocking. */
static volatile sig_atomic_t wake_pending;

static void wake_handler(int sig) {
    (void)sig;
    wake_pending = 1;
}

JPOLINE_EXPORT int jpoline_remote_wake_install(int sig) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = wake_handler;
    sigemptyset(&sa.sa_mask);
    return sigaction(sig, &sa, 0);
}

/* Waits for the next stop of any tracee (and the end of any child of the host: the follower is
 * the host's only waiter). A syscall stop of a known thread is recorded and the thread resumed
 * here; anything else is returned: its tid, its wait status in *status. -errno when nothing is
 * left to wait for (ECHILD), the wait was interrupted (EINTR: a thread to seize) or failed. */
JPOLINE_EXPORT int jpoline_remote_next(void *session, int32_t top, int *status) {
    for (;;) {
        if (wake_pending) {
            wake_pending = 0;
            return -EINTR;
        }
        int s;
        int tid = waitpid(-1, &s, __WALL);
        if (tid < 0) {
            if (errno == EINTR) wake_pending = 0;
            return -errno;
        }
        struct task *t = find(tid);
        if (t != 0 && WIFSTOPPED(s) && WSTOPSIG(s) == (SIGTRAP | 0x80) && syscall_stop(session, t, top)) {
            ptrace(PTRACE_SYSCALL, tid, 0, 0);
            continue;
        }
        *status = s;
        return tid;
    }
}

/* Whether the task's syscalls are recorded (its first execve turned it on); -1 when unknown. */
JPOLINE_EXPORT int jpoline_remote_task_recording(int32_t tid) {
    struct task *t = find(tid);
    return t == 0 ? -1 : t->recording;
}
