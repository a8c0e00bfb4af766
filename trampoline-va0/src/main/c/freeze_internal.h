/* State shared by the parts of the freeze (freeze*.c, all freestanding: the handler runs in
 * any thread at any instruction, and the rest runs while every other thread is parked, so
 * none of it may call libc, take a lock another thread could hold, or touch a vector
 * register). Not exported. */
#ifndef JPOLINE_FREEZE_INTERNAL_H
#define JPOLINE_FREEZE_INTERNAL_H

#include <stdint.h>

#include "freeze.h"
#include "runtime_internal.h"

/* No errno.h in freestanding code. */
#define JP_ENOENT 2
#define JP_ESRCH 3
#define JP_EINTR 4
#define JP_E2BIG 7
#define JP_EAGAIN 11
#define JP_ENOMEM 12
#define JP_EFAULT 14
#define JP_EBUSY 16
#define JP_EINVAL 22
#define JP_ETIMEDOUT 110

#define JP_PROT_READ 0x1u
#define JP_PROT_WRITE 0x2u
#define JP_PROT_EXEC 0x4u

static inline int jp_is_error(long r) { return r < 0 && r > -4096; }

/* One thread being frozen. `state` is the handshake between the patcher and the
 * thread's handler; it carries the generation of the freeze in its upper bits, so a handler
 * that belongs to an older freeze can never claim a slot that was reused since. */
struct jp_freeze_slot {
    uint32_t tid;
    uint32_t state;
    uint64_t context; /* PARKED: the thread's ucontext_t *, published by its handler */
    /* HELD: the blocking call it waits in (futex word), and where its user stack and code are */
    uint64_t futex, sp, pc;
};

enum {
    JP_SLOT_SIGNALED = 1,  /* the signal is on its way; the patcher waits */
    JP_SLOT_ARRIVING = 2,  /* the handler claimed the slot and is publishing its context */
    JP_SLOT_PARKED = 3,    /* context published; the handler waits for the release */
    JP_SLOT_LEFT = 4,      /* released and gone: the slot may be reused */
    JP_SLOT_ABANDONED = 5, /* the thread exited, or the freeze gave up on it */
    JP_SLOT_HELD = 6,      /* it cannot run before a parked thread does (see freeze.c) */
};
#define JP_SLOT_WORD(gen, st) ((((gen) & 0x0FFFFFFFu) << 4) | (uint32_t)(st))
#define JP_SLOT_STATE(word) ((word) & 0xFu)

/* Room for this many threads is reserved (not committed) once: the slots must never move
 * while handlers may read them. */
#define JP_FREEZE_MAX_THREADS (1u << 17)

struct jp_freeze_control {
    uint32_t signal;      /* 0 until installed */
    uint32_t sync_core;   /* membarrier(PRIVATE_EXPEDITED_SYNC_CORE) is registered */
    uint32_t owner;       /* tid of the thread inside jpoline_freeze_apply, 0 if none */
    uint32_t pid;         /* the process the current freeze belongs to */
    uint32_t active_gen;  /* nonzero while a freeze is in progress */
    uint32_t next_gen;
    uint32_t slot_count;  /* slots in use by the current freeze */
    uint32_t release_gen; /* futex: set to active_gen when the parked threads may go */
    uint32_t parked;      /* futex: handlers of this freeze that parked */
    uint32_t park_target; /* ... the patcher wants a wake-up when it reaches this */
    uint32_t left;        /* futex: handlers of this freeze that left */
    uint32_t left_target;
    struct jp_freeze_slot *slots; /* JP_FREEZE_MAX_THREADS of them */
};
extern struct jp_freeze_control jp_freeze JP_HIDDEN;

void jp_freeze_handler(int sig, void *info, void *context) JP_HIDDEN;

/* Private futexes: the words are in this process's memory only. */
#define JP_FUTEX_WAIT_PRIVATE 128
#define JP_FUTEX_WAKE_PRIVATE 129

struct jp_timespec {
    long sec, nsec;
};

static inline void jp_freeze_futex_wait(uint32_t *word, uint32_t expected, const struct jp_timespec *timeout) {
    jp_sys6(NR_futex, (long)word, JP_FUTEX_WAIT_PRIVATE, expected, (long)timeout, 0, 0);
}

static inline void jp_freeze_futex_wake(uint32_t *word, int count) {
    jp_sys6(NR_futex, (long)word, JP_FUTEX_WAKE_PRIVATE, count, 0, 0, 0);
}

/* ---- /proc, read with raw syscalls (freeze_proc.c) ------------------------------------ */

/* Scratch memory of the patcher: anonymous mappings that grow (contents kept) and are kept
 * for the next freeze. Only the thread inside a freeze touches them. */
struct jp_freeze_buf {
    uint8_t *base;
    uint64_t size;
};
/* 0 or -errno; on success at least `bytes` bytes are usable. */
long jp_freeze_buf_reserve(struct jp_freeze_buf *b, uint64_t bytes) JP_HIDDEN;

/* The thread ids in /proc/self/task, into `tids` as uint32_t; their count or -errno. */
long jp_freeze_list_tasks(struct jp_freeze_buf *dirents, struct jp_freeze_buf *tids) JP_HIDDEN;

/* The one-letter state of /proc/self/task/TID/stat ('R', 'S', 'Z', ...) and its flags (the
 * kernel's PF_*), 0 if there is no such thread, '?' if it could not be read. */
char jp_freeze_task_state(uint32_t tid, uint64_t *flags) JP_HIDDEN;
/* 1 if the thread blocks every signal that could make it run (all but SIGKILL, SIGSTOP and
 * glibc's internal 32 and 33), from /proc/self/task/TID/status. */
int jp_freeze_task_blocks_all_signals(uint32_t tid) JP_HIDDEN;
/* /proc/self/task/TID/syscall of a thread blocked in a syscall: number, six arguments, sp, pc.
 * 1 if it is in one, else 0. */
int jp_freeze_task_syscall(uint32_t tid, uint64_t out[9]) JP_HIDDEN;

struct jp_freeze_mapping {
    uint64_t start, end;
    uint64_t prot; /* JP_PROT_* */
};
/* /proc/self/maps, parsed into `out` (sorted, as the kernel lists them); the count or -errno. */
long jp_freeze_read_maps(struct jp_freeze_buf *text, struct jp_freeze_buf *out) JP_HIDDEN;
/* The mapping that contains addr, or 0. */
const struct jp_freeze_mapping *jp_freeze_find_mapping(const struct jp_freeze_mapping *maps, uint64_t count,
                                                       uint64_t addr) JP_HIDDEN;

/* ---- fix-ups and writes (freeze_fixup.c) ------------------------------------------------ */

struct jp_freeze_totals {
    uint64_t ip_fixups, return_fixups, anomalies;
};

struct jp_freeze_maps {
    const struct jp_freeze_mapping *at;
    uint64_t count; /* 0: not read (no step needs it) */
};

/* The fix-ups of a freeze: steps [0, count) of the plan, applied to each frozen thread in one
 * pass (every step in turn moves its instruction pointer, and its stack is read once for all
 * the steps together), with the same result as if each step had been applied to every thread
 * before the next one. Each step's `busy` counts the threads it finds busy. */
struct bounds;
struct jp_freeze_fix {
    struct jpoline_freeze_step *steps;
    uint64_t count;
    const struct jp_freeze_maps *maps;
    struct jp_freeze_totals *totals;
    uint64_t word_lo, word_hi; /* no stack word outside [word_lo, word_hi] matters to any step */
    const struct bounds *bounds; /* per step, the same */
    uint32_t *marks;             /* per step, the last thread (its slot + 1) it counted busy */
};
/* Sets up the fix-ups of steps [0, count): 0 or -errno (its scratch could not be had). */
long jp_freeze_fix_prepare(struct jp_freeze_fix *fix, struct jpoline_freeze_step *steps, uint64_t count,
                           const struct jp_freeze_maps *maps, struct jp_freeze_totals *totals) JP_HIDDEN;
/* A parked thread (slot `thread`): moves its instruction pointer (and those of signal contexts
 * nested on its stack), rewrites return addresses on its stack, counts it busy where it is. */
void jp_freeze_fix_thread(const struct jp_freeze_fix *fix, uint32_t thread, void *ucontext) JP_HIDDEN;
/* A held thread (in the kernel, its user registers out of reach): its instruction pointer is
 * only checked, never moved (the freeze holds a thread only when no step's move range has it);
 * return addresses on its stack from sp up are rewritten. */
void jp_freeze_fix_held(const struct jp_freeze_fix *fix, uint32_t thread, uint64_t sp, uint64_t pc) JP_HIDDEN;
/* Whether the step reads stacks at all. */
int jp_freeze_step_scans_stacks(const struct jpoline_freeze_step *step) JP_HIDDEN;
/* 0 if every byte the step writes is mapped, else -EFAULT. */
long jp_freeze_check_write(const struct jpoline_freeze_step *step, const struct jp_freeze_maps *maps) JP_HIDDEN;
/* Writes the step's bytes through /proc/self/mem (mem_fd, or -1), else by mprotect (sets
 * JPOLINE_FREEZE_MPROTECT in *flags). 0 or -errno. */
long jp_freeze_write(const struct jpoline_freeze_step *step, int mem_fd, const struct jp_freeze_maps *maps,
                     uint64_t *flags) JP_HIDDEN;

/* The steps from the first on that all write (if at all) in one page: how many (at least 1). */
uint64_t jp_freeze_page_run(const struct jpoline_freeze_step *steps, uint64_t count) JP_HIDDEN;
/* Writes such a run of steps at once through /proc/self/mem: 1 if done, 0 if not (too few
 * writes to be worth it, no mem_fd, or the kernel refused; nothing was changed then). */
int jp_freeze_write_run(const struct jpoline_freeze_step *steps, uint64_t count, int mem_fd) JP_HIDDEN;

#endif
