/* What a freeze does while every other thread is parked: move the threads that are inside the
 * bytes about to change, rewrite the return addresses that lead back into them, tell which
 * threads still use memory that is about to be freed, and write the bytes.
 *
 * Everything here reads the parked threads' registers from the ucontext their handler
 * published (freeze.c): the kernel restores the thread from it on rt_sigreturn, so a changed
 * instruction pointer there is where the thread goes on. Freestanding, like all of freeze*.c. */
#include "freeze_internal.h"

/* ucontext_t on x86-64, as the kernel builds it in a signal frame. */
#define UC_STACK_SP 16
#define UC_STACK_FLAGS 24
#define UC_STACK_SIZE 32
#define UC_GREGS 40
#define REG_RSP 15
#define REG_RIP 16
#define REG_EFL 17
#define REG_CSGSFS 18
#define SS_DISABLE 2

/* What a user-mode context saved by the kernel always holds. */
#define USER_CS 0x33
#define EFLAGS_FIXED 0x2ull /* reserved bit 1, always set */
#define EFLAGS_IF 0x200ull  /* user code runs with interrupts enabled */
#define EFLAGS_UNDEFINED (~0x3FFFFFull)

#define PAGE 4096ull
/* A stack pointer in some large mapping that is not a stack (a coroutine's stack in the heap,
 * say) must not make us read, let alone rewrite, the whole mapping. Real stacks' used parts are
 * far smaller. */
#define MAX_SCAN_BYTES (64ull << 20)
/* Signal handlers interrupted by signal handlers, followed across stacks. */
#define MAX_NESTING 4

static const uint64_t *array(uint64_t p) { return (const uint64_t *)p; }

/* Moves *ip through the step's boundary map. A thread in the middle of the bytes being replaced
 * is always at an instruction boundary (it was interrupted between two instructions), and the
 * map has every boundary of the old code with its place in the new: a miss means the map is
 * incomplete, and guessing would be worse than leaving the thread where it is. */
static void move_ip(const struct jpoline_freeze_step *s, uint64_t *ip, struct jp_freeze_totals *totals) {
    if (*ip < s->move_lo || *ip >= s->move_hi) return;
    const uint64_t *from = array(s->move_from), *to = array(s->move_to);
    for (uint64_t i = 0; i < s->move_count; i++)
        if (from[i] == *ip) {
            *ip = to[i];
            totals->ip_fixups++;
            return;
        }
    totals->anomalies++;
}

static int in_busy_range(const struct jpoline_freeze_step *s, uint64_t ip) {
    return ip >= s->busy_lo && ip < s->busy_hi;
}

static int is_busy_return(const struct jpoline_freeze_step *s, uint64_t word) {
    const uint64_t *r = array(s->busy_returns);
    for (uint64_t i = 0; i < s->busy_return_count; i++)
        if (r[i] == word) return 1;
    return 0;
}

int jp_freeze_step_scans_stacks(const struct jpoline_freeze_step *s) {
    return s->return_count != 0 || s->busy_return_count != 0 || s->move_lo < s->move_hi || s->busy_lo < s->busy_hi;
}

/* Per step: no stack word outside [lo, hi] can matter to it (lo > hi: it scans no stack). */
struct bounds {
    uint64_t lo, hi;
};

/* The fix-ups' scratch, kept between freezes; only the freeze lock's owner touches it. */
static struct jp_freeze_buf bounds_buf, marks_buf;

static void widen(struct bounds *b, uint64_t lo, uint64_t hi) {
    if (lo < b->lo) b->lo = lo;
    if (hi > b->hi) b->hi = hi;
}

long jp_freeze_fix_prepare(struct jp_freeze_fix *f, struct jpoline_freeze_step *steps, uint64_t count,
                           const struct jp_freeze_maps *maps, struct jp_freeze_totals *totals) {
    f->steps = steps;
    f->count = count;
    f->maps = maps;
    f->totals = totals;
    f->word_lo = ~0ull;
    f->word_hi = 0;
    f->bounds = 0;
    f->marks = 0;
    long rc = jp_freeze_buf_reserve(&bounds_buf, (count ? count : 1) * sizeof(struct bounds));
    if (rc == 0) rc = jp_freeze_buf_reserve(&marks_buf, (count ? count : 1) * sizeof(uint32_t));
    if (rc != 0) return rc;
    struct bounds *bounds = (struct bounds *)bounds_buf.base;
    uint32_t *marks = (uint32_t *)marks_buf.base;
    for (uint64_t i = 0; i < count; i++) {
        const struct jpoline_freeze_step *s = &steps[i];
        struct bounds *b = &bounds[i];
        b->lo = ~0ull;
        b->hi = 0;
        marks[i] = 0;
        const uint64_t *rf = array(s->return_from), *br = array(s->busy_returns);
        for (uint64_t k = 0; k < s->return_count; k++) widen(b, rf[k], rf[k]);
        for (uint64_t k = 0; k < s->busy_return_count; k++) widen(b, br[k], br[k]);
        if (s->move_lo < s->move_hi) widen(b, s->move_lo, s->move_hi - 1);
        if (s->busy_lo < s->busy_hi) widen(b, s->busy_lo, s->busy_hi - 1);
        if (b->lo <= b->hi) {
            if (b->lo < f->word_lo) f->word_lo = b->lo;
            if (b->hi > f->word_hi) f->word_hi = b->hi;
        }
    }
    f->bounds = bounds;
    f->marks = marks;
    return 0;
}

/* Step i finds the thread busy; a thread counts once per step, however many of its words or
 * nested contexts say so. */
static void mark_busy(const struct jp_freeze_fix *f, uint64_t i, uint32_t thread) {
    if (f->marks[i] == thread + 1) return;
    f->marks[i] = thread + 1;
    f->steps[i].busy++;
}

/* One thread's scan. */
struct scan {
    const struct jp_freeze_fix *fix;
    uint32_t thread;
    uint64_t alt_lo, alt_hi; /* the thread's sigaltstack, or 0, 0 */
};

/* Where the stack that holds sp ends: the sigaltstack's top when sp is on it (a handler running
 * there may have been interrupted by ours), else the end of sp's mapping; 0 when sp is in no
 * readable mapping. For a glibc thread the mapping's top holds the thread's TLS: scanning it
 * too is harmless, since no datum there equals the exact address after a call in stolen
 * bytes. */
static uint64_t stack_end(const struct scan *sc, uint64_t sp) {
    const struct jp_freeze_maps *maps = sc->fix->maps;
    const struct jp_freeze_mapping *m = jp_freeze_find_mapping(maps->at, maps->count, sp);
    if (m == 0 || !(m->prot & JP_PROT_READ)) return 0;
    uint64_t end = m->end;
    if (sc->alt_hi != 0 && sp >= sc->alt_lo && sp < sc->alt_hi && sc->alt_hi < end) end = sc->alt_hi;
    if (end - sp > MAX_SCAN_BYTES) end = sp + MAX_SCAN_BYTES;
    return end;
}

/* w points at a word equal to an address of interest: is it the saved rip of a user context
 * that the kernel pushed for another signal, one this thread is still handling? Then the
 * registers around it are that context's rsp, rip, eflags and cs/gs/fs/ss, and eflags and cs
 * of user mode look like nothing else. */
static int saved_user_rip(const uint64_t *w, const uint64_t *lo, const uint64_t *end) {
    if (w - (REG_RIP - REG_RSP) < lo || w + (REG_CSGSFS - REG_RIP) >= end) return 0;
    uint64_t flags = w[REG_EFL - REG_RIP], segments = w[REG_CSGSFS - REG_RIP];
    return (segments & 0xFFFF) == USER_CS && (flags & (EFLAGS_FIXED | EFLAGS_IF)) == (EFLAGS_FIXED | EFLAGS_IF) &&
           (flags & EFLAGS_UNDEFINED) == 0;
}

#define ALL_STEPS (~0ull)

static void scan_stack(struct scan *sc, uint64_t sp, int depth, uint64_t only);

/* What step i does to the stack word at w (of the stack [lo, end), which ends at hi). */
static void fix_word(struct scan *sc, uint64_t i, uint64_t *w, uint64_t *lo, uint64_t *end, uint64_t hi,
                     int depth) {
    const struct jp_freeze_fix *f = sc->fix;
    const struct jpoline_freeze_step *s = &f->steps[i];
    uint64_t v = *w;
    /* A return address just after a call inside the stolen bytes: the call's copy in the new
     * code has its own. */
    const uint64_t *rf = array(s->return_from), *rt = array(s->return_to);
    for (uint64_t k = 0; k < s->return_count; k++)
        if (rf[k] == v) {
            *w = v = rt[k];
            f->totals->return_fixups++;
            break;
        }
    if (is_busy_return(s, v)) mark_busy(f, i, sc->thread);
    /* A thread parked by us while it was running a handler of some other signal: the code
     * that signal interrupted resumes from the context saved on this stack, so its rip needs
     * moving as much as a live one. The context's rsp leads to the interrupted code's own
     * stack when the handler ran on a sigaltstack. */
    if (((v >= s->move_lo && v < s->move_hi) || in_busy_range(s, v)) && saved_user_rip(w, lo, end)) {
        move_ip(s, w, f->totals);
        if (in_busy_range(s, *w)) mark_busy(f, i, sc->thread);
        uint64_t nested_sp = w[REG_RSP - REG_RIP];
        /* That stack is scanned for this step alone, as it would be if the steps took turns
         * over the threads: which steps it concerns depends on where the saved rip is at each
         * step. It is rare (a thread parked inside another signal's handler whose interrupted
         * code is in a move or busy range), so scanning it once per such step costs nothing. */
        if (depth < MAX_NESTING && (nested_sp < (uint64_t)lo || nested_sp >= hi))
            scan_stack(sc, nested_sp, depth + 1, i);
    }
}

/* Every aligned word from sp to the end of its stack, read once for every step of the fix-up
 * (`only`: ALL_STEPS) or for one step (a nested stack, above). A word outside the steps'
 * common bounds is skipped after two compares; one inside goes through the steps in order,
 * each one that can care about its current value having its turn: a word step i rewrites is
 * seen rewritten by step i+1, exactly as if every step had scanned all the stacks in turn.
 * Only words equal to a return address of a step, or to an address in its move or busy range,
 * are looked at closely. */
static void scan_stack(struct scan *sc, uint64_t sp, int depth, uint64_t only) {
    const struct jp_freeze_fix *f = sc->fix;
    uint64_t first = only == ALL_STEPS ? 0 : only, last = only == ALL_STEPS ? f->count : only + 1;
    uint64_t word_lo = only == ALL_STEPS ? f->word_lo : f->bounds[only].lo;
    uint64_t word_hi = only == ALL_STEPS ? f->word_hi : f->bounds[only].hi;
    uint64_t hi = stack_end(sc, sp);
    if (hi == 0) {
        /* An anomaly per step that would have scanned it, as when each step scanned alone. */
        for (uint64_t i = first; i < last; i++)
            if (f->bounds[i].lo <= f->bounds[i].hi) f->totals->anomalies++;
        return;
    }
    uint64_t *lo = (uint64_t *)((sp + 7) & ~7ull), *end = (uint64_t *)(hi & ~7ull);
    const struct bounds *bounds = f->bounds;
    for (uint64_t *w = lo; w < end; w++) {
        uint64_t v = *w;
        if (v < word_lo || v > word_hi) continue;
        for (uint64_t i = first; i < last; i++) {
            if (*w < bounds[i].lo || *w > bounds[i].hi) continue;
            fix_word(sc, i, w, lo, end, hi, depth);
        }
    }
}

static int scans_stacks(const struct jp_freeze_fix *f) {
    return f->maps->count != 0 && f->word_lo <= f->word_hi;
}

void jp_freeze_fix_thread(const struct jp_freeze_fix *f, uint32_t thread, void *ucontext) {
    uint64_t *gregs = (uint64_t *)((char *)ucontext + UC_GREGS);
    /* If the thread was in a syscall that SA_RESTART restarts, the kernel has already set rip
     * back onto the syscall instruction (and rax to its number): moved like any other
     * boundary, the thread restarts the call from the new copy of the instruction. Each step
     * moves it from where the steps before it left it. */
    for (uint64_t i = 0; i < f->count; i++) {
        move_ip(&f->steps[i], &gregs[REG_RIP], f->totals);
        if (in_busy_range(&f->steps[i], gregs[REG_RIP])) mark_busy(f, i, thread);
    }
    if (!scans_stacks(f)) return;
    struct scan sc = {f, thread, 0, 0};
    /* The kernel saved the thread's sigaltstack settings in the context. If the thread was
     * already on that stack (inside another handler), its stack ends at the sigaltstack's top,
     * not at the end of whatever mapping the sigaltstack was carved from. */
    uint64_t alt_sp = *(uint64_t *)((char *)ucontext + UC_STACK_SP);
    uint64_t alt_size = *(uint64_t *)((char *)ucontext + UC_STACK_SIZE);
    int32_t alt_flags = *(int32_t *)((char *)ucontext + UC_STACK_FLAGS);
    if (alt_size != 0 && !(alt_flags & SS_DISABLE)) {
        sc.alt_lo = alt_sp;
        sc.alt_hi = alt_sp + alt_size;
    }
    scan_stack(&sc, gregs[REG_RSP], 0, ALL_STEPS);
}

void jp_freeze_fix_held(const struct jp_freeze_fix *f, uint32_t thread, uint64_t sp, uint64_t pc) {
    for (uint64_t i = 0; i < f->count; i++)
        if (in_busy_range(&f->steps[i], pc)) mark_busy(f, i, thread);
    if (!scans_stacks(f)) return;
    struct scan sc = {f, thread, 0, 0};
    scan_stack(&sc, sp, 0, ALL_STEPS);
}

long jp_freeze_check_write(const struct jpoline_freeze_step *s, const struct jp_freeze_maps *maps) {
    if (s->length == 0) return 0;
    uint64_t at = s->address, end = s->address + s->length;
    if (end < at || s->bytes == 0) return -JP_EFAULT;
    while (at < end) {
        const struct jp_freeze_mapping *m = jp_freeze_find_mapping(maps->at, maps->count, at);
        if (m == 0) return -JP_EFAULT;
        at = m->end;
    }
    return 0;
}

/* The fallback: make the pages writable, write, put the protection back. This breaks W^X for
 * the few instructions in between (nobody else runs meanwhile), and a policy that forbids
 * writable executable pages (SELinux execmod) refuses it. */
static long write_by_mprotect(const struct jpoline_freeze_step *s, const struct jp_freeze_maps *maps) {
    const uint8_t *src = (const uint8_t *)s->bytes;
    uint64_t at = s->address, end = s->address + s->length;
    while (at < end) {
        const struct jp_freeze_mapping *m = jp_freeze_find_mapping(maps->at, maps->count, at);
        if (m == 0) return -JP_EFAULT;
        uint64_t piece_end = end < m->end ? end : m->end;
        uint64_t page_lo = at & ~(PAGE - 1), page_hi = (piece_end + PAGE - 1) & ~(PAGE - 1);
        int writable = (m->prot & JP_PROT_WRITE) != 0;
        if (!writable) {
            long rc = jp_sys6(NR_mprotect, (long)page_lo, (long)(page_hi - page_lo),
                              (long)(m->prot | JP_PROT_READ | JP_PROT_WRITE), 0, 0, 0);
            if (rc != 0) return rc;
        }
        volatile uint8_t *dst = (volatile uint8_t *)at;
        for (uint64_t i = 0; i < piece_end - at; i++) dst[i] = src[at - s->address + i];
        if (!writable) {
            long rc = jp_sys6(NR_mprotect, (long)page_lo, (long)(page_hi - page_lo), (long)m->prot, 0, 0, 0);
            if (rc != 0) return rc;
        }
        at = piece_end;
    }
    return 0;
}

long jp_freeze_write(const struct jpoline_freeze_step *s, int mem_fd, const struct jp_freeze_maps *maps,
                     uint64_t *flags) {
    if (s->length == 0) return 0;
    if (mem_fd >= 0) {
        /* /proc/self/mem writes through the page protection as a debugger does (the kernel
         * breaks copy-on-write for a private file mapping): read-only text is changed without
         * ever being writable, so W^X holds. A kernel booted with proc_mem.force_override=never
         * refuses writes to read-only pages; then the fallback below writes them. */
        uint64_t done = 0;
        while (done < s->length) {
            long n = jp_sys6(NR_pwrite64, mem_fd, (long)(s->bytes + done), (long)(s->length - done),
                             (long)(s->address + done), 0, 0);
            if (n <= 0) break;
            done += (uint64_t)n;
        }
        if (done == s->length) return 0;
    }
    *flags |= JPOLINE_FREEZE_MPROTECT;
    return write_by_mprotect(s, maps);
}

/* How many steps from the first one on write, if at all, into one and the same page (1 at
 * least: the first step's own). */
uint64_t jp_freeze_page_run(const struct jpoline_freeze_step *steps, uint64_t count) {
    uint64_t page = ~0ull, n = 0;
    for (; n < count; n++) {
        const struct jpoline_freeze_step *s = &steps[n];
        if (s->length == 0) continue;
        uint64_t lo = s->address & ~(PAGE - 1);
        if (s->length > PAGE || ((s->address + s->length - 1) & ~(PAGE - 1)) != lo) break; /* straddles */
        if (page == ~0ull) page = lo;
        else if (lo != page) break;
    }
    return n != 0 ? n : 1;
}

/* The page a run of writes is put together in. */
static uint8_t run_buf[PAGE];

int jp_freeze_write_run(const struct jpoline_freeze_step *steps, uint64_t count, int mem_fd) {
    uint64_t lo = ~0ull, hi = 0, writes = 0;
    for (uint64_t i = 0; i < count; i++) {
        const struct jpoline_freeze_step *s = &steps[i];
        if (s->length == 0) continue;
        writes++;
        if (s->address < lo) lo = s->address;
        if (s->address + s->length > hi) hi = s->address + s->length;
    }
    /* A pwrite to /proc/self/mem costs a page lookup and a mapping of the page in the kernel
     * whatever its length: one read and one write of the span the steps write in, laid over in
     * their order, cost less than one write per step from three steps up. The bytes between
     * the steps' are written back as they were (nobody runs to see them). Within one page the
     * write is all or nothing, so a failure leaves the page as it was, for the steps one by
     * one to find out which of them fails. */
    if (writes < 3 || mem_fd < 0) return 0;
    uint64_t span = hi - lo;
    if (jp_sys6(NR_pread64, mem_fd, (long)run_buf, (long)span, (long)lo, 0, 0) != (long)span) return 0;
    for (uint64_t i = 0; i < count; i++) {
        const struct jpoline_freeze_step *s = &steps[i];
        const uint8_t *src = (const uint8_t *)s->bytes;
        for (uint64_t k = 0; k < s->length; k++) run_buf[s->address - lo + k] = src[k];
    }
    return jp_sys6(NR_pwrite64, mem_fd, (long)run_buf, (long)span, (long)lo, 0, 0) == (long)span;
}
