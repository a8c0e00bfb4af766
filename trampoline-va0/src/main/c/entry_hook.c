/* The HOOK tier, target side: the syscall is posted in a call slot of the session, and the
 * thread waits while the host's Java hooks decide: answer with a value, or have the syscall
 * run (possibly with other arguments) and see its result first. docs/hooks.md has the
 * protocol. Freestanding: runs on the entry path, also inside signal handlers. */
#include "runtime_internal.h"
#include "session.h"


/* Short spins catch a host that answers within microseconds without a futex round trip. */
#define SPIN_ROUNDS 2000
#define WAIT_SLICE_NS 100000000LL

/* Syscalls whose stack games the entry must play itself: never handed to a hook. */

/* Where this thread last found a free slot: usually free again for its next call. */
static __thread uint32_t slot_hint __attribute__((tls_model("initial-exec")));

static struct jpoline_call_slot *slot_at(struct jpoline_session_header *s, uint32_t i) {
    return (struct jpoline_call_slot *)((char *)s + s->call_slots_offset + (uint64_t)i * JPOLINE_CALL_SLOT_SIZE);
}

static struct jpoline_call_slot *claim(struct jpoline_session_header *s) {
    uint32_t count = s->call_slot_count;
    for (uint32_t k = 0; k < count; k++) {
        uint32_t i = (slot_hint + k) % count;
        struct jpoline_call_slot *slot = slot_at(s, i);
        uint32_t expected = JPOLINE_CALL_FREE;
        if (__atomic_compare_exchange_n(&slot->state, &expected, JPOLINE_CALL_CLAIMED, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED)) {
            slot_hint = i;
            return slot;
        }
    }
    return 0; /* more threads in hooks than slots: this call runs unhooked */
}

/* Waits until the slot leaves `state`; 0 when the host is gone (the slot is then abandoned). */
static int await_change(struct jpoline_session_header *s, struct jpoline_call_slot *slot, uint32_t state) {
    for (int i = 0; i < SPIN_ROUNDS; i++) {
        if (__atomic_load_n(&slot->state, __ATOMIC_ACQUIRE) != state) return 1;
        __builtin_ia32_pause();
    }
    long long last_progress = jp_monotonic_ns();
    long long timeout = (long long)s->wait_timeout_ms * 1000000LL;
    for (;;) {
        jp_futex_wait(&slot->state, state, WAIT_SLICE_NS);
        if (__atomic_load_n(&slot->state, __ATOMIC_ACQUIRE) != state) return 1;
        /* A hook may legitimately take long (it is the user's code): only a dead host, or
         * no progress for the whole timeout, ends the wait. */
        if (jp_host_alive(s) && jp_monotonic_ns() - last_progress < timeout) continue;
        uint32_t expected = state;
        if (__atomic_compare_exchange_n(&slot->state, &expected, JPOLINE_CALL_ABANDONED, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED)) {
            jp_session_give_up(s);
            return 0;
        }
        return 1; /* it changed after all */
    }
}

int jp_hook_call(struct jpoline_frame *f, long (*execute)(struct jpoline_frame *)) {
    struct jpoline_session_header *s = jp_session;
    if (s == 0 || s->call_slot_count == 0 || __atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != JPOLINE_SESSION_LIVE)
        return 0;
    switch (f->rax) {
    case NR_rt_sigreturn: case NR_clone: case NR_fork: case NR_vfork: case NR_clone3:
        return 0;
    default:
        break;
    }
    struct jpoline_call_slot *slot = claim(s);
    if (slot == 0) return 0;
    slot->pid = (uint32_t)jp_sys6(NR_getpid, 0, 0, 0, 0, 0, 0);
    slot->tid = (uint32_t)jp_sys6(NR_gettid, 0, 0, 0, 0, 0, 0);
    slot->number = (uint32_t)f->rax;
    slot->args[0] = f->rdi;
    slot->args[1] = f->rsi;
    slot->args[2] = f->rdx;
    slot->args[3] = f->r10;
    slot->args[4] = f->r8;
    slot->args[5] = f->r9;
    slot->self_address = (uint64_t)slot;
    slot->flags = 0;
    slot->value = 0;
    __atomic_store_n(&slot->state, JPOLINE_CALL_POSTED, __ATOMIC_RELEASE);
    __atomic_fetch_add(&s->hook_doorbell, 1, __ATOMIC_RELEASE);
    jp_futex_wake(&s->hook_doorbell);

    uint32_t state = JPOLINE_CALL_POSTED;
    int executed = 0;
    long executed_result = 0;
    for (;;) {
        if (!await_change(s, slot, state)) {
            /* Host gone. Before any proceed the syscall runs as PASS; after one, it has run: the
             * program gets that result, never a second run (a read's data would be lost; jpoline
             * leaving a process it attached to meets this whenever a hooked call is in flight). */
            if (!executed) return 0;
            f->rax = (uint64_t)executed_result;
            return 1;
        }
        state = __atomic_load_n(&slot->state, __ATOMIC_ACQUIRE);
        if (state == JPOLINE_CALL_EXECUTE) {
            uint64_t saved[6] = {f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9};
            uint64_t number = f->rax;
            f->rdi = slot->args[0];
            f->rsi = slot->args[1];
            f->rdx = slot->args[2];
            f->r10 = slot->args[3];
            f->r8 = slot->args[4];
            f->r9 = slot->args[5];
            uint32_t flags = slot->flags;
            /* A call that may not return (execve) gives its slot back first: after a successful
             * exec nobody would. If it does return, the program gets its result directly. */
            if (flags & JPOLINE_CALL_NO_REPORT) __atomic_store_n(&slot->state, JPOLINE_CALL_FREE, __ATOMIC_RELEASE);
            long result = execute(f);
            /* The program's argument registers are its own again, whatever the hook passed. */
            f->rdi = saved[0];
            f->rsi = saved[1];
            f->rdx = saved[2];
            f->r10 = saved[3];
            f->r8 = saved[4];
            f->r9 = saved[5];
            if (flags & JPOLINE_CALL_NO_REPORT) {
                f->rax = (uint64_t)result; /* it returned after all: an execve that failed */
                return 1;
            }
            slot->value = result;
            executed = 1;
            executed_result = result;
            f->rax = number;
            __atomic_store_n(&slot->state, JPOLINE_CALL_RESULT, __ATOMIC_RELEASE);
            jp_futex_wake(&slot->state);
            state = JPOLINE_CALL_RESULT;
            continue;
        }
        if (state == JPOLINE_CALL_ANSWER) {
            f->rax = (uint64_t)slot->value;
            __atomic_store_n(&slot->state, JPOLINE_CALL_FREE, __ATOMIC_RELEASE);
            return 1;
        }
        if (state == JPOLINE_CALL_WORKING) continue; /* the host took it: wait on */
        /* FREE/ABANDONED here would be a host protocol error: run the call natively. */
        return 0;
    }
}
