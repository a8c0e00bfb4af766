/* The session shared with the host: layout and protocol (docs/session.md). Mirrored in Java
 * by dev.jpoline.host.SessionLayout; SessionLayoutTest checks that the two agree. */
#ifndef JPOLINE_SESSION_H
#define JPOLINE_SESSION_H

#include <stddef.h>
#include <stdint.h>

#define JPOLINE_SESSION_MAGIC 0x315345534C4F504AULL /* "JPOLSES1" */

#define JPOLINE_SESSION_LIVE 0
#define JPOLINE_SESSION_DEAD 1

#define JPOLINE_TIER_COUNT 1024

/* strace's -e inject= and -e fault= (entry_inject.c): the host writes the rules before the
 * program starts; each thread counts the invocations of every injected syscall itself (strace
 * counts per tracee: per thread), so an injection costs no round trip to the host. */
#define JPOLINE_INJECT_RULES 16
#define JPOLINE_INJECT_SLOTS 32 /* distinct syscalls that rules may name */
#define JPOLINE_INJECT_ERROR 1u  /* value: -errno */
#define JPOLINE_INJECT_RETVAL 2u /* value: the return value */
#define JPOLINE_INJECT_SIGNAL 4u
#define JPOLINE_INJECT_DELAY_ENTER 8u
#define JPOLINE_INJECT_DELAY_EXIT 16u
#define JPOLINE_INJECT_NO_LAST 0xFFFFFFFFu
struct jpoline_inject_rule {
    uint32_t flags;          /* 0: JPOLINE_INJECT_* */
    uint32_t signo;          /* 4 */
    uint32_t first;          /* 8: invocation numbers count from 1 */
    uint32_t last;           /* 12: JPOLINE_INJECT_NO_LAST for none */
    uint32_t step;           /* 16: 0: the first invocation only */
    uint32_t reserved;       /* 20 */
    int64_t value;           /* 24 */
    uint64_t delay_enter_ns; /* 32 */
    uint64_t delay_exit_ns;  /* 40 */
};                           /* 48 */

struct jpoline_session_header {
    uint64_t magic;                /* 0 */
    uint32_t abi_version;          /* 8 */
    uint32_t total_size;           /* 12 */
    uint32_t state;                /* 16 */
    uint32_t host_pid;             /* 20 */
    uint64_t heartbeat_ns;         /* 24 */
    uint32_t doorbell;             /* 32 */
    uint32_t slot_count;           /* 36 */
    uint32_t wait_timeout_ms;      /* 40 */
    uint32_t mode_flags;           /* 44: JPOLINE_MODE_* */
    uint64_t processes_registered; /* 48 */
    uint64_t processes_gave_up;    /* 56 */
    /* The trace ring and capture schema (docs/trace.md); both 0 when the host traces nothing. */
    uint64_t schema_offset;        /* 64: JPOLINE_SCHEMA_SIZE bytes, one entry per syscall */
    uint64_t ring_offset;          /* 72 */
    uint64_t ring_size;            /* 80: capacity in bytes, a power of two, or 0 */
    uint32_t trace_flags;          /* 88: JPOLINE_TRACE_* */
    uint32_t ring_waiters;         /* 92: producers sleeping on ring_wake */
    uint32_t ring_wake;            /* 96: futex word, incremented by the host when it frees space */
    uint32_t reserved_trace;       /* 100 */
    uint64_t records_dropped;      /* 104: records a producer could not write (host dead) */
    uint8_t reserved_pad[128 - 112];
    uint64_t ring_head;            /* 128: bytes ever reserved (producers, fetch_add) */
    uint8_t reserved_head[192 - 136];
    uint64_t ring_tail;            /* 192: bytes ever consumed (host) */
    struct jpoline_inject_rule inject_rules[JPOLINE_INJECT_RULES]; /* 200: -e inject=, -e fault= */
    uint8_t reserved1[1000 - 968];
    uint32_t call_slots_offset;    /* 1000: where the HOOK tier's call slots start (0: none) */
    uint32_t call_slot_count;      /* 1004 */
    uint32_t hook_doorbell;        /* 1008: futex word a target bumps after posting a call */
    uint8_t reserved_hooks[1024 - 1012];
    uint8_t tiers[JPOLINE_TIER_COUNT]; /* 1024 */
    /* 2048: per syscall, 1 + its injection counter slot, or 0 (no rule names it) */
    uint8_t inject_slot[JPOLINE_TIER_COUNT];
    uint8_t inject_slot_rule[JPOLINE_INJECT_SLOTS]; /* 3072: the rule a counter slot's syscall follows */
    uint8_t reserved2[4096 - 3072 - JPOLINE_INJECT_SLOTS];
};

#define JPOLINE_SLOT_SIZE 8192
#define JPOLINE_SLOT_CHUNK_CAPACITY ((JPOLINE_SLOT_SIZE - 64) / 8)

enum jpoline_slot_state {
    JPOLINE_SLOT_FREE = 0,
    JPOLINE_SLOT_CLAIMED = 1,
    JPOLINE_SLOT_REQUEST = 2,
    JPOLINE_SLOT_SITES = 3,
    JPOLINE_SLOT_TAKEN = 4,
    JPOLINE_SLOT_DONE = 5,
    JPOLINE_SLOT_FAILED = 6,
    JPOLINE_SLOT_PATCHING = 7,
    JPOLINE_SLOT_ABANDONED = 8,
};

/* A request's result telling the target to detach: the host restored its code (or never
 * patched it), so it unmaps the VA0 page and runs natively from then on. Used when the
 * process loads a runtime that needs reads of address 0 to fault (a JVM) on a CPU that
 * cannot make the page execute-only. */
#define JPOLINE_RESULT_DETACH (-1000)

/* As DETACH, the code restored, but the process stays traced: it unmaps the VA0 page (reads of
 * address 0 fault again) and every syscall reaches the entry through Syscall User Dispatch
 * from then on (entry_sud.c). It falls back to DETACH, saying so, where it cannot. */
#define JPOLINE_RESULT_SUD (-1001)

/* The answer to JPOLINE_REQUEST_UNREWRITTEN_SITE for a `syscall` the host found in a read-only
 * file mapping: the process rewrites that one site itself (entry_sud.c), and puts it back before
 * it ever unmaps the VA0 page. */
#define JPOLINE_RESULT_REWRITE_SITE (-1002)

enum jpoline_request_kind {
    JPOLINE_REQUEST_STARTUP = 1,
    JPOLINE_REQUEST_MAPPING = 2,
    /* Not a rewrite: the process is about to exec a program LD_PRELOAD cannot reach (static,
     * setuid, setgid); the payload is its path, range_start the reason. The host reports it. */
    JPOLINE_REQUEST_UNREACHABLE_EXEC = 3,
    /* Not a rewrite: under --exhaustive, a syscall trapped at range_start, a site no table
     * lists; once per site and process. The host reports it. */
    JPOLINE_REQUEST_UNREWRITTEN_SITE = 4,
    /* Not a rewrite: under trace, the calling thread is about to exec the program named by the
     * payload (range_start 1: a static one). The host seizes it with ptrace and follows the new
     * image's loader until its runtime's constructor ends the window (docs/ptrace-window.md);
     * result 0: seized, the exec gets JPOLINE_PTRACE_WINDOW in its environment. */
    JPOLINE_REQUEST_EXEC_WINDOW = 5,
    /* The exec that opened a window failed: the host lets the thread go (it is detached when the
     * answer comes). */
    JPOLINE_REQUEST_EXEC_WINDOW_CLOSE = 6,
};

/* Request flags. SUD: the process catches its syscalls with Syscall User Dispatch and has no
 * VA0 page; its code must not be rewritten (the host only answers). */
#define JPOLINE_REQUEST_FLAG_SUD 1u

enum jpoline_unreachable_reason {
    JPOLINE_UNREACHABLE_STATIC = 1,
    JPOLINE_UNREACHABLE_SETUID = 2,
    JPOLINE_UNREACHABLE_SETGID = 3,
    /* An ELF file of another class or machine (a 32-bit program): our x86-64 runtime cannot load there. */
    JPOLINE_UNREACHABLE_FOREIGN = 4,
};

/* The jump pool's header (entry_sud_pool.c): the runtime writes it once, the host then keeps
 * `used` (bytes from the pool's start, trampolines are appended) through /proc/PID/mem. Each
 * trampoline is JPOLINE_JUMP_TRAMPOLINE_SIZE bytes:
 *   ff 35 12 00 00 00    push  24(%rip)      the site + 2, where `call *%rax` would push it
 *   49 bb <entry>        movabs $entry, %r11 what a VA0 stub leaves in r11
 *   41 ff e3             jmp   *%r11
 *   cc cc cc cc cc
 *   <site + 2>           8 bytes */
#define JPOLINE_JUMP_POOL_MAGIC 0x3153504d554a504aull /* "JPJUMPS1" */
#define JPOLINE_JUMP_POOL_SIZE (1u << 20)
#define JPOLINE_JUMP_TRAMPOLINE_SIZE 32
struct jpoline_jump_pool_header {
    uint64_t magic; /* 0 */
    uint64_t size;  /* 8 */
    uint64_t used;  /* 16 */
    uint64_t entry; /* 24: jpoline_entry */
    uint8_t reserved[64 - 32];
};

struct jpoline_slot {
    uint32_t state;           /* 0: futex word */
    uint32_t pid;             /* 4 */
    uint32_t tid;             /* 8 */
    uint32_t kind;            /* 12 */
    uint64_t range_start;     /* 16 */
    uint64_t range_end;       /* 24 */
    uint32_t chunk_count;     /* 32 */
    int32_t result;           /* 36 */
    uint64_t sites_announced; /* 40 */
    uint32_t flags;           /* 48: JPOLINE_REQUEST_FLAG_* */
    uint8_t reserved[4];
    uint64_t jump_pool;       /* 56: under SUD, the process's jump pool (entry_sud_pool.c), or 0 */
    uint64_t addresses[JPOLINE_SLOT_CHUNK_CAPACITY]; /* 64 */
};

/* A call slot of the HOOK tier: a target thread posts one syscall, the host's Java hooks decide
 * (docs/hooks.md). Each state has one writer; the claim and the abandon are CAS. */
enum jpoline_call_state {
    JPOLINE_CALL_FREE = 0,
    JPOLINE_CALL_CLAIMED = 1,   /* target fills it */
    JPOLINE_CALL_POSTED = 2,    /* target waits for the host */
    JPOLINE_CALL_WORKING = 3,   /* a host thread runs the hooks */
    JPOLINE_CALL_EXECUTE = 4,   /* host: run the syscall with these arguments, report the result */
    JPOLINE_CALL_RESULT = 5,    /* target: the result is in value */
    JPOLINE_CALL_ANSWER = 6,    /* host: value is what the program sees */
    JPOLINE_CALL_ABANDONED = 7, /* target gave up on the host and ran the syscall itself */
};

/* flags of an EXECUTE: the syscall may not return (execve, exit): run it and, if it does
 * return, hand its result straight to the program without reporting it. */
#define JPOLINE_CALL_NO_REPORT 1u

#define JPOLINE_CALL_SLOT_SIZE 4096
#define JPOLINE_CALL_SCRATCH 128

struct jpoline_call_slot {
    uint32_t state;        /* 0: futex word */
    uint32_t pid;          /* 4 */
    uint32_t tid;          /* 8 */
    uint32_t number;       /* 12 */
    uint64_t args[6];      /* 16 */
    int64_t value;         /* 64: result (RESULT) or answer (ANSWER) */
    uint64_t self_address; /* 72: where the target maps this slot: replacement strings point here */
    uint32_t flags;        /* 80 */
    uint8_t reserved[JPOLINE_CALL_SCRATCH - 84];
    uint8_t scratch[JPOLINE_CALL_SLOT_SIZE - JPOLINE_CALL_SCRATCH]; /* 128 */
};

/* --- trace (docs/trace.md) ------------------------------------------------------------ */

/* --exhaustive: Syscall User Dispatch on top of VA0, so that a syscall of code that was not
 * rewritten (JIT output, anonymous executable memory, a site the sweep could not prove) still
 * reaches the entry; each such site is reported once (JPOLINE_REQUEST_UNREWRITTEN_SITE). */
#define JPOLINE_MODE_EXHAUSTIVE 1u
/* The host's ptrace window takes JPOLINE_REQUEST_EXEC_WINDOW (set and cleared by the host): for
 * static programs, and with LOADER_WINDOWS for dynamic ones too (the trace shows, or the hooks
 * take, a call a loader makes: else a window would cost its stops for nothing). */
#define JPOLINE_MODE_EXEC_WINDOWS 2u
#define JPOLINE_MODE_LOADER_WINDOWS 4u

#define JPOLINE_TRACE_TIMES 1u   /* take entry and exit timestamps */
#define JPOLINE_TRACE_SIGNALS 2u /* record delivered signals (entry_signal.c) */

/* Capture schema: per syscall number one entry of 128 bytes. */
#define JPOLINE_SCHEMA_ENTRY_SIZE 128
#define JPOLINE_SCHEMA_SIZE (JPOLINE_TIER_COUNT * JPOLINE_SCHEMA_ENTRY_SIZE)
#define JPOLINE_SCHEMA_MAX_RULES 7

#define JPOLINE_SCHEMA_SPLIT 1u /* write an ENTRY record before the syscall, an EXIT record after it */

enum jpoline_capture_timing { JPOLINE_AT_ENTRY = 1, JPOLINE_AT_EXIT = 2, JPOLINE_AT_ENTRY_AND_EXIT = 3 };
enum jpoline_capture_shape {
    JPOLINE_SHAPE_C_STRING = 1,     /* up to cap bytes before the NUL */
    JPOLINE_SHAPE_STRING_ARRAY = 2, /* up to cap strings of up to elem bytes each (elem 0: count only) */
    JPOLINE_SHAPE_FIXED = 3,        /* elem bytes */
    JPOLINE_SHAPE_LENGTH_ARG = 4,   /* args[length_arg] bytes, at most cap */
    JPOLINE_SHAPE_LENGTH_RETURN = 5,/* result bytes, at most cap */
    JPOLINE_SHAPE_ARRAY_ARG = 6,    /* args[length_arg] elements of elem bytes, at most cap bytes */
    JPOLINE_SHAPE_ARRAY_RETURN = 7, /* result elements of elem bytes, at most cap bytes */
    JPOLINE_SHAPE_IOVEC = 8,        /* args[length_arg] iovecs (at most 1024), each one's data up to cap */
    JPOLINE_SHAPE_NODEMASK = 9,     /* a NUMA node mask of args[length_arg] - 1 bits, in longs; at most cap */
    /* A struct msghdr (56 bytes), its msg_iov array (element JPOLINE_ELEMENT_IOV_ARRAY(0)) and each
     * iovec's data (JPOLINE_ELEMENT_IOV_DATA(0, k)) up to cap, as SHAPE_IOVEC: at exit up to the result;
     * its msg_name and msg_control (JPOLINE_ELEMENT_MSG_NAME(0), _MSG_CONTROL(0)). */
    JPOLINE_SHAPE_MSGHDR = 10,
    /* An array of args[length_arg] struct mmsghdr (64 bytes each), and for each message m the
     * kernel sent or filled (m < the result) its msg_iov array and data up to its msg_len, as
     * MSGHDR's with m in the element. The array's payload holds only the messages whose iovecs were
     * planned (truncated when fewer than args[length_arg]). */
    JPOLINE_SHAPE_MMSGHDR = 11,
};
/* Elements of MSGHDR and MMSGHDR payloads: message m's iovec array and its iovec k's data
 * (m < 256, k < 32; the message array or msghdr itself is JPOLINE_PAYLOAD_WHOLE). */
#define JPOLINE_ELEMENT_IOV_ARRAY(m) (0x8000u | ((unsigned)(m) << 6) | 0x3fu)
#define JPOLINE_ELEMENT_IOV_DATA(m, k) (0x8000u | ((unsigned)(m) << 6) | (unsigned)(k))
/* MSGHDR's msg_name (at most 128 bytes) and msg_control (at most 4096 bytes) of message m. */
#define JPOLINE_ELEMENT_MSG_NAME(m) (0x8000u | ((unsigned)(m) << 6) | 0x3eu)
#define JPOLINE_ELEMENT_MSG_CONTROL(m) (0x8000u | ((unsigned)(m) << 6) | 0x3du)
#define JPOLINE_MSG_NAME_MAX 128u
#define JPOLINE_MSG_CONTROL_MAX 4096u

struct jpoline_capture_rule {
    uint8_t arg;        /* 0..5 */
    uint8_t timing;     /* jpoline_capture_timing; 0 = unused rule */
    uint8_t shape;      /* jpoline_capture_shape */
    uint8_t length_arg; /* for the _ARG shapes */
    uint32_t elem;      /* fixed size, element size, or bytes per string */
    uint32_t cap;       /* most bytes (or strings) copied */
    uint32_t reserved;  /* JPOLINE_RULE_* flags */
};

/* Capture rule flags. Without DIRECT a copy goes through process_vm_readv, which cannot fault
 * whatever the address. DIRECT: after a success the kernel has read or written every byte the
 * rule copies, so it is read directly (never after a failure, nor before the call returned).
 * UP_TO_RETURN (with DIRECT): the kernel read only as many bytes as the result says (a short
 * write); the rest is copied safely. AFTER_EINTR: kernel-written memory that is also written when
 * the call is interrupted (nanosleep's remaining time): copied after -EINTR as after a success. */
#define JPOLINE_RULE_AFTER_EINTR 2u
#define JPOLINE_RULE_DIRECT 4u
#define JPOLINE_RULE_UP_TO_RETURN 8u
/* LENGTH_32: the length argument is an int or unsigned int: only its low 32 bits count. */
#define JPOLINE_RULE_LENGTH_32 16u

struct jpoline_schema_entry {
    uint8_t flags;      /* JPOLINE_SCHEMA_* */
    uint8_t rule_count;
    uint8_t reserved[14];
    struct jpoline_capture_rule rules[JPOLINE_SCHEMA_MAX_RULES];
};

/* A record in the ring, 8-byte aligned, padded to a multiple of 8. word0 is written last
 * with a release store: size (bytes) | kind << 32 | state << 40. */
#define JPOLINE_REC_KIND_PAD 1
#define JPOLINE_REC_KIND_FULL 2  /* a whole syscall: arguments, result, payloads */
#define JPOLINE_REC_KIND_ENTRY 3 /* before a SPLIT syscall: arguments and entry payloads */
#define JPOLINE_REC_KIND_EXIT 4  /* after it: result and exit payloads */
/* A delivered signal: nr = the signal, args[0] = JPOLINE_SIGNAL_*, one payload (arg 0): the
 * siginfo's 128 bytes. entry_ns = exit_ns = the time of delivery (when times are taken). */
#define JPOLINE_REC_KIND_SIGNAL 5
#define JPOLINE_SIGNAL_KILLS 1u /* its default action ends the process right after */
#define JPOLINE_REC_RESERVED 1ull /* state: space taken, tid written, contents coming */
#define JPOLINE_REC_PUBLISHED 2ull

#define JPOLINE_REC_HAS_RETURN 1u
#define JPOLINE_REC_INJECTED 2u /* -e inject= replaced the call's result (strace's "(INJECTED)") */

struct jpoline_record {
    uint64_t word0;    /* 0 */
    uint32_t pid;      /* 8 */
    uint32_t tid;      /* 12 */
    uint32_t nr;       /* 16 */
    uint16_t flags;    /* 20 */
    uint16_t payloads; /* 22: number of payloads that follow the fixed part */
    uint64_t args[6];  /* 24 */
    int64_t ret;       /* 72 */
    uint64_t entry_ns; /* 80: CLOCK_REALTIME, 0 when not taken */
    uint64_t exit_ns;  /* 88 */
    uint64_t ip;       /* 96: the address after the site's instruction (strace -i), 0 when unknown */
};                     /* 104: payloads follow */

/* Before each payload's bytes (padded to 8). */
#define JPOLINE_PAYLOAD_ENTRY 0
#define JPOLINE_PAYLOAD_EXIT 1
#define JPOLINE_PAYLOAD_WHOLE 0xFFFFu  /* element: the argument itself */
#define JPOLINE_PAYLOAD_TRUNCATED 0x80000000u
struct jpoline_payload_header {
    uint8_t arg;
    uint8_t phase;     /* JPOLINE_PAYLOAD_ENTRY / EXIT */
    uint16_t element;  /* JPOLINE_PAYLOAD_WHOLE, the iovec element whose data this is, or JPOLINE_ELEMENT_* */
    uint32_t length;   /* bytes | JPOLINE_PAYLOAD_TRUNCATED */
};

/* The largest record a producer writes; payloads beyond it are cut (flagged truncated). */
#define JPOLINE_RECORD_MAX (64 * 1024)

_Static_assert(sizeof(struct jpoline_capture_rule) == 16, "rule size");
_Static_assert(sizeof(struct jpoline_schema_entry) == JPOLINE_SCHEMA_ENTRY_SIZE, "schema entry size");
_Static_assert(sizeof(struct jpoline_record) == 104, "record size");
_Static_assert(sizeof(struct jpoline_session_header) == 4096, "session header is one page");
_Static_assert(sizeof(struct jpoline_call_slot) == JPOLINE_CALL_SLOT_SIZE, "call slot size");
_Static_assert(sizeof(struct jpoline_slot) == JPOLINE_SLOT_SIZE, "slot size");
_Static_assert(offsetof(struct jpoline_slot, jump_pool) == 56, "slot jump_pool offset");
_Static_assert(sizeof(struct jpoline_jump_pool_header) == 64, "jump pool header size");

/* The session this process joined, or NULL. Set once by the constructor (fork children
 * inherit it with the shared mapping). */
extern struct jpoline_session_header *jp_session __attribute__((visibility("hidden")));

/* Asks the host to rewrite code (all of it at start-up, or [start, end) after a mapping)
 * and waits, boundedly, for the answer. Freestanding: callable from the entry path.
 * Returns the number of sites rewritten, or a negative errno (-ETIMEDOUT when the host
 * is gone, after which the session is marked dead). */
long jp_session_request(int kind, uint64_t start, uint64_t end) __attribute__((visibility("hidden")));

/* The same with a payload of up to sizeof(slot->addresses) bytes, copied into the slot's
 * address area; chunk_count holds its length. */
long jp_session_request_with(int kind, uint64_t start, uint64_t end, const char *payload, uint32_t length)
    __attribute__((visibility("hidden")));

/* Before an execve/execveat: when the program to run is one LD_PRELOAD cannot reach, tells
 * the host so it can report it; under trace with windows, asks the host to follow the new
 * image's loader (or a static program) with ptrace. Returns 1 when the thread is now seized:
 * the exec then carries JPOLINE_PTRACE_WINDOW, and a failed exec must call
 * jp_exec_window_close. Freestanding; costs an open, an fstat and a few preads. */
int jp_exec_prepare_target(int dirfd, const char *path, int at_flags) __attribute__((visibility("hidden")));
void jp_exec_window_close(void) __attribute__((visibility("hidden")));

/* Shared by the freestanding waits (entry_session.c). */
long long jp_monotonic_ns(void) __attribute__((visibility("hidden")));
void jp_futex_wait(uint32_t *word, uint32_t expected, long long timeout_ns) __attribute__((visibility("hidden")));
void jp_futex_wake(uint32_t *word) __attribute__((visibility("hidden")));

/* The HOOK tier: posts the syscall in frame f to the host and applies its decision. Returns
 * 1 when the host answered (f->rax holds the program's result), 0 when the syscall should run
 * as PASS (no call slots, or the host is gone). Freestanding. */
struct jpoline_frame;
int jp_hook_call(struct jpoline_frame *f, long (*execute)(struct jpoline_frame *)) __attribute__((visibility("hidden")));

/* The host is alive: session live, heartbeat fresh, pid present. Freestanding; makes syscalls. */
int jp_host_alive(struct jpoline_session_header *s) __attribute__((visibility("hidden")));
/* Marks the session dead (this process gave up on the host). */
void jp_session_give_up(struct jpoline_session_header *s) __attribute__((visibility("hidden")));

/* Leaves the session for good and unmaps the VA0 page (after JPOLINE_RESULT_DETACH).
 * Freestanding. */
void jp_session_detach(void) __attribute__((visibility("hidden")));

/* What a request's result asks of the process: JPOLINE_RESULT_DETACH detaches,
 * JPOLINE_RESULT_SUD leaves VA0 for Syscall User Dispatch (or detaches where it cannot).
 * Freestanding. */
void jp_session_obey(long result) __attribute__((visibility("hidden")));

#endif
