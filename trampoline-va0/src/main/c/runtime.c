/* Process-level part of the runtime: the constructor that joins a session, and the
 * small API the host (JNA) and the tests reach. */
#include <elf.h>
#include <link.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/auxv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime_internal.h"
#include "session.h"

JPOLINE_EXPORT int jpoline_abi_version(void) { return JPOLINE_ABI_VERSION; }

/* Nonzero once the constructor found a session and joined it. */
static int session_joined;

JPOLINE_EXPORT int jpoline_session_joined(void) { return session_joined; }

JPOLINE_EXPORT int jpoline_set_tier(int nr, int tier) {
    if (nr < 0 || nr >= JPOLINE_TIER_TABLE_SIZE || tier < JPOLINE_PASS || tier > JPOLINE_HOOK)
        return -EINVAL;
    __atomic_store_n(&jp_tiers[nr], (uint8_t)tier, __ATOMIC_RELAXED);
    return 0;
}

JPOLINE_EXPORT int jpoline_get_tier(int nr) {
    if (nr < 0 || nr >= JPOLINE_TIER_TABLE_SIZE) return JPOLINE_PASS;
    return __atomic_load_n(&jp_tiers[nr], __ATOMIC_RELAXED);
}

JPOLINE_EXPORT void jpoline_set_dispatch_hook(jpoline_dispatch_hook hook) {
    __atomic_store_n(&jp_dispatch_hook, hook, __ATOMIC_RELEASE);
}

JPOLINE_EXPORT void jpoline_count_pass(int on) { __atomic_store_n(&jp_count_pass, on != 0, __ATOMIC_RELAXED); }

JPOLINE_EXPORT uint64_t jpoline_entry_count(int tier) {
    if (tier < JPOLINE_PASS || tier > JPOLINE_HOOK) return 0;
    return __atomic_load_n(&jp_entry_counts[tier], __ATOMIC_RELAXED);
}

/* One line on stderr, for the few problems a user must hear of even though the program
 * runs on (unrewritten). */
static void report(const char *what, int error) {
    dprintf(2, "jpoline: pid %d: %s (%s); it runs without jpoline\n", (int)getpid(), what, strerror(error));
}

/* --- Syscall User Dispatch (entry_sud.c) --------------------------------------------------- */

struct text_search {
    uint64_t inside, start, length;
};

static int find_own_text(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    struct text_search *t = data;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X)) continue;
        uint64_t start = info->dlpi_addr + ph->p_vaddr;
        if (t->inside >= start && t->inside < start + ph->p_memsz) {
            t->start = start;
            t->length = ph->p_memsz;
            return 1;
        }
    }
    return 0;
}

static int sud_installed;
uint64_t jp_own_text_start, jp_own_text_length;

/* The runtime's executable segment, once: a process that leaves VA0 later does so from the
 * entry path, where the loader's lock may be held and dl_iterate_phdr must not be called. */
static int find_text(void) {
    if (jp_own_text_length != 0) return 0;
    struct text_search t = {(uint64_t)(uintptr_t)&jpoline_entry, 0, 0};
    if (dl_iterate_phdr(find_own_text, &t) == 0) return -ENOENT;
    jp_own_text_start = t.start;
    jp_own_text_length = t.length;
    return 0;
}

/* Turns SUD on for this process (the calling thread now, every thread and child it starts from
 * here on): the runtime's executable segment is the region whose syscalls pass. 0 or -errno. */
JPOLINE_EXPORT int jpoline_sud_install(void) {
    if (sud_installed) return 0;
    if (find_text() != 0) return -ENOENT;
    int rc = jp_sud_start(jp_own_text_start, jp_own_text_length);
    if (rc == 0) sud_installed = 1;
    return rc;
}

/* 0 when the kernel offers Syscall User Dispatch (Linux 5.11 and later), else -errno. */
JPOLINE_EXPORT int jpoline_sud_available(void) { return jp_sud_probe(); }

/* How many syscalls of this process reached the entry through a SUD trap (not a jump-patched
 * or rewritten site) since it started; fork children count on from their parent's number. */
JPOLINE_EXPORT uint64_t jpoline_sud_trap_count(void) { return __atomic_load_n(&jp_sud_traps, __ATOMIC_RELAXED); }

JPOLINE_EXPORT int jpoline_sud_active(void) { return __atomic_load_n(&jp_sud_mode, __ATOMIC_ACQUIRE) != 0; }

/* Test switch (tests and CI): behave as if page 0 could not be mapped, so the SUD half of the
 * end-to-end matrix runs on a machine where vm.mmap_min_addr is 0. */
#define NO_VA0_ENV "JPOLINE_NO_VA0"
/* "1": under SUD, no jump pool, so every syscall traps (benchmarks of the trap path, tests). */
#define SUD_NO_JUMPS_ENV "JPOLINE_SUD_NO_JUMPS"

static long mmap_min_addr(void) {
    char buf[32] = {0};
    int fd = open("/proc/sys/vm/mmap_min_addr", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    return n > 0 ? strtol(buf, NULL, 10) : -1;
}

/* Maps the session named in the environment if, and only if, it is the private file a
 * host of this user created for this ABI; NULL otherwise (the process is left alone). */
static struct jpoline_session_header *map_session(const char *path) {
    int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return NULL; /* the host is gone and took the session with it */
    struct stat st;
    struct jpoline_session_header *s = NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() && (st.st_mode & 0777) == 0600 &&
        st.st_size >= (off_t)sizeof(*s)) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p != MAP_FAILED) {
            s = p;
            uint64_t expected = (uint64_t)sizeof(*s) + (uint64_t)s->slot_count * JPOLINE_SLOT_SIZE;
            if (s->ring_size != 0) {
                /* schema, then the ring (page aligned), both where the header says */
                uint64_t schema = expected, ring = (schema + JPOLINE_SCHEMA_SIZE + 4095) & ~4095ull;
                if (s->schema_offset != schema || s->ring_offset != ring || (s->ring_size & (s->ring_size - 1)) != 0)
                    expected = 0;
                else
                    expected = ring + s->ring_size;
            }
            /* Call slots, when the host made any, come last. */
            if (s->call_slot_count != 0) {
                expected = s->call_slots_offset == expected
                               ? expected + (uint64_t)s->call_slot_count * JPOLINE_CALL_SLOT_SIZE
                               : 0;
            }
            if (s->magic != JPOLINE_SESSION_MAGIC || s->abi_version != JPOLINE_ABI_VERSION ||
                s->total_size != (uint64_t)st.st_size || expected != (uint64_t)st.st_size ||
                __atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != JPOLINE_SESSION_LIVE) {
                munmap(p, (size_t)st.st_size);
                s = NULL;
            }
        }
    }
    close(fd);
    return s;
}

/* The vDSO's __vdso_clock_gettime, from its dynamic symbol table (section headers are part of
 * the vDSO image). NULL when anything looks unusual: the entry then makes the syscall. */
static jp_clock_gettime_fn find_vdso_clock_gettime(void) {
    const char *base = (const char *)getauxval(AT_SYSINFO_EHDR);
    if (base == NULL) return NULL;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64) return NULL;
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
    int64_t bias = -1;
    for (int i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_LOAD) {
            bias = (int64_t)(uintptr_t)base - (int64_t)(ph[i].p_vaddr - ph[i].p_offset);
            break;
        }
    if (bias == -1 || eh->e_shoff == 0) return NULL;
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(base + eh->e_shoff);
    for (int i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_DYNSYM || sh[i].sh_link >= eh->e_shnum) continue;
        const Elf64_Sym *sym = (const Elf64_Sym *)(base + sh[i].sh_offset);
        const char *names = base + sh[sh[i].sh_link].sh_offset;
        size_t count = sh[i].sh_size / sizeof(Elf64_Sym);
        for (size_t k = 0; k < count; k++)
            if (ELF64_ST_TYPE(sym[k].st_info) == STT_FUNC && sym[k].st_shndx != SHN_UNDEF &&
                strcmp(names + sym[k].st_name, "__vdso_clock_gettime") == 0)
                return (jp_clock_gettime_fn)(uintptr_t)(bias + (int64_t)sym[k].st_value);
    }
    return NULL;
}

/* The top-level program must start with the signal mask and ignored signals jpoline itself was
 * started with, not with what the host JVM's process launch leaves (SIGQUIT blocked, glibc's two
 * private signals ignored). The host passes them as "BLOCKED,IGNORED" in hex (/proc's SigBlk and
 * SigIgn); the variable is removed so that children do not inherit it. */
static void restore_launch_signal_state(void) {
    const char *state = getenv(JPOLINE_SIGNAL_STATE_ENV);
    if (state == NULL) return;
    char *end;
    unsigned long long blocked = strtoull(state, &end, 16), ignored = 0;
    int valid = *end == ',';
    if (valid) {
        ignored = strtoull(end + 1, &end, 16);
        valid = *end == '\0';
    }
    unsetenv(JPOLINE_SIGNAL_STATE_ENV);
    if (!valid) return;
    /* Raw rt_sigaction: glibc's sigaction refuses its private signals. */
    struct jp_kernel_sigaction current, wanted = {0, 0, 0, 0};
    for (int sig = 1; sig <= 64; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        if (jp_sys6(NR_rt_sigaction, sig, 0, (long)&current, 8, 0, 0) != 0) continue;
        int want_ignored = (ignored >> (sig - 1)) & 1;
        if ((current.handler == (uint64_t)SIG_IGN && !want_ignored) ||
            (current.handler == (uint64_t)SIG_DFL && want_ignored)) {
            wanted.handler = want_ignored ? (uint64_t)SIG_IGN : (uint64_t)SIG_DFL;
            jp_sys6(NR_rt_sigaction, sig, (long)&wanted, 0, 8, 0, 0);
        }
    }
    jp_sys6(NR_rt_sigprocmask, SIG_SETMASK, (long)&blocked, 0, 8, 0, 0);
}

/* The end of joining, for the constructor and for jpoline_attach alike, the page or SUD in
 * place: the start-up request, the tiers, what the answer says, the copies for execs. Returns
 * the answer. */
static long join_session(struct jpoline_session_header *s, const char *path, const char *preload) {
    jp_vdso_clock_gettime = find_vdso_clock_gettime();
    __atomic_fetch_add(&s->processes_registered, 1, __ATOMIC_RELAXED);
    jp_session = s;
    /* The host rewrites every executable mapping now (an attached process: later, with every
     * thread stopped); we wait (boundedly) for the answer. Nothing of this process runs through
     * the entry before it, and the host may start the program before it has written the tier
     * table: read it after the answer, not before. */
    long result = jp_session_request(JPOLINE_REQUEST_STARTUP, 0, 0);
    for (int nr = 0; nr < JPOLINE_TIER_COUNT && nr < JPOLINE_TIER_TABLE_SIZE; nr++)
        jp_tiers[nr] = __atomic_load_n(&s->tiers[nr], __ATOMIC_RELAXED);
    jp_session_obey(result);
    session_joined = result >= 0 || (result == JPOLINE_RESULT_SUD && __atomic_load_n(&jp_sud_mode, __ATOMIC_ACQUIRE));
    /* Copies of the two variables for execs whose environment lacks them (entry_exec.c). */
    if (session_joined) jp_exec_env_init(path, preload);
    if (session_joined && (s->trace_flags & JPOLINE_TRACE_SIGNALS)) jp_signals_start();
    return result;
}

/* TracerPid of /proc/self/status: 0 when no one traces this process, -1 when it cannot be read.
 * Our own window has let go by now (the constructor's first act ends it). Raw calls, no stdio:
 * a FILE would make malloc set up the program's heap here, and the program's first brk and
 * getrandom would go unseen. */
static long tracer_pid(void) {
    long fd = jp_sys6(NR_openat, AT_FDCWD, (long)"/proc/self/status", O_RDONLY | O_CLOEXEC, 0, 0, 0);
    if (fd < 0) return -1;
    char buf[1024]; /* TracerPid is the eighth line */
    long n = jp_sys6(NR_read, fd, (long)buf, sizeof buf - 1, 0, 0, 0);
    jp_sys6(NR_close, fd, 0, 0, 0, 0, 0);
    if (n <= 0) return -1;
    buf[n] = '\0';
    const char *at = strstr(buf, "\nTracerPid:");
    if (at == NULL) return -1;
    long pid = 0;
    for (at += 11; *at == ' ' || *at == '\t'; at++) {
    }
    for (; *at >= '0' && *at <= '9'; at++) pid = pid * 10 + (*at - '0');
    return pid;
}

__attribute__((constructor)) static void jpoline_init(void) {
    /* A process that was not started from a session (for example the host JVM that
     * loads this library to talk to it) must be left completely alone. */
    const char *path = getenv(JPOLINE_SESSION_ENV);
    if (path == NULL || path[0] == '\0') return;
    if (getenv(JPOLINE_WINDOW_ENV) != NULL) {
        /* The host followed the loader with ptrace; it lets go here, before any call of ours. */
        unsetenv(JPOLINE_WINDOW_ENV);
        jp_sys6(JPOLINE_WINDOW_END_NR, 0, 0, 0, 0, 0, 0);
    }
    restore_launch_signal_state();
    struct jpoline_session_header *s = map_session(path);
    if (s == NULL) return;
    find_text();
    const char *no_jumps = getenv(SUD_NO_JUMPS_ENV);
    jp_sud_no_jumps = no_jumps != NULL && no_jumps[0] == '1';
    const char *no_va0 = getenv(NO_VA0_ENV);
    int rc = no_va0 != NULL && no_va0[0] == '1' ? -EPERM : jpoline_va0_install();
    if (rc < 0) {
        /* No page 0 (vm.mmap_min_addr, or someone else's mapping there): the same tiers through
         * Syscall User Dispatch. The host has said so in one line already. */
        long tracer = tracer_pid();
        if (tracer > 0) {
            /* Every SIGSYS would stop it for its tracer first (a debugger would stop at each call). */
            dprintf(2, "jpoline: pid %d is traced by pid %ld: under Syscall User Dispatch its tracer would see a SIGSYS"
                       " at each of its syscalls, so it runs without jpoline; run: sudo sysctl -w vm.mmap_min_addr=0 to"
                       " trace it too\n", (int)getpid(), tracer);
            return;
        }
        int sud = jpoline_sud_install();
        if (sud < 0) {
            char what[256];
            if (rc == -EPERM)
                snprintf(what, sizeof what,
                         "cannot map the VA0 page (vm.mmap_min_addr is %ld) and cannot use Syscall User Dispatch "
                         "(Linux 5.11 or later); run: sudo sysctl -w vm.mmap_min_addr=0, or use a newer kernel",
                         mmap_min_addr());
            else
                snprintf(what, sizeof what,
                         "cannot map the VA0 page (%s) and cannot use Syscall User Dispatch (Linux 5.11 or later)",
                         strerror(-rc));
            report(what, -sud);
            return;
        }
        /* Where the host can prove it safe, sites jump into the entry instead of trapping. */
        jp_sud_jump_pool_create();
    }
    if (rc >= 0 && (s->mode_flags & JPOLINE_MODE_EXHAUSTIVE)) {
        /* SUD on top of VA0: rewritten sites still take the fast path (the entry's syscalls are
         * in the allowed region); anything else traps into the same entry. */
        int sud = jpoline_sud_install();
        if (sud < 0)
            dprintf(2, "jpoline: pid %d: --exhaustive needs Syscall User Dispatch (Linux 5.11 or later): %s; only"
                       " rewritten code is caught\n", (int)getpid(), strerror(-sud));
    }
    join_session(s, path, getenv("LD_PRELOAD"));
}

/* jpoline attaching to a running process (host.Attacher, through inline-hook's
 * remote.RemoteLibrary): the host has loaded this library with the process's own dlopen, in one
 * thread, while the others run, and calls this in that thread. It joins the session as the
 * constructor would, with three differences: no environment names the session (the host passes
 * it, and the runtime's path for the execs entry_exec.c completes); Syscall User Dispatch is
 * turned on for this thread only, the host doing it for the others, already running
 * (jpoline_attach_sud_args); and the start-up request is answered without a rewrite, which the
 * host makes afterwards while every thread is stopped, so that no thread can fetch a
 * half-rewritten site. Returns the start-up answer (>= 0), or -errno. */
JPOLINE_EXPORT long jpoline_attach(const char *session_path, const char *runtime_path, long no_va0) {
    if (jp_session != NULL) return -EEXIST; /* under jpoline already */
    struct jpoline_session_header *s = map_session(session_path);
    if (s == NULL) return -ENOENT;
    find_text();
    int rc = no_va0 ? -EPERM : jpoline_va0_install();
    if (rc < 0) {
        /* Syscall User Dispatch for this thread; the host turns it on in the others
         * (jpoline_attach_sud_args) while every thread is stopped. */
        int sud = jpoline_sud_install();
        if (sud < 0) return rc;
    }
    return join_session(s, session_path, runtime_path);
}

/* After jpoline_attach under SUD: {region start, region length, selector address, the entry,
 * the SUD mark} for the prctl the host injects into every other thread and for the threads
 * blocked in a syscall; 0, or -ENOENT when not under SUD. */
JPOLINE_EXPORT long jpoline_attach_sud_args(uint64_t *out) {
    if (!__atomic_load_n(&jp_sud_mode, __ATOMIC_ACQUIRE)) return -ENOENT;
    jp_sud_thread_args(out);
    return 0;
}

/* The host leaves a process it attached to: its code is restored, or (SUD) every thread's SUD
 * is off already. The program's signal actions become its own again (no wrapper of ours), and
 * under SUD new threads stay without it. The runtime stays loaded, in pass-through. */
JPOLINE_EXPORT long jpoline_attach_leave(void) {
    jp_signals_stop();
    if (__atomic_load_n(&jp_sud_mode, __ATOMIC_ACQUIRE)) jp_sud_leave();
    return 0;
}
