package dev.jpoline.host;

/**
 * Offsets and values of the session file shared with targets. Mirrors
 * {@code trampoline-va0/src/main/c/session.h}; docs/session.md explains the protocol.
 */
public final class SessionLayout {
    private SessionLayout() {}

    /** "JPOLSES1" read as a little-endian u64. */
    public static final long MAGIC = 0x315345534C4F504AL;

    public static final int HEADER_SIZE = 4096;
    public static final int OFF_MAGIC = 0;
    public static final int OFF_ABI_VERSION = 8;
    public static final int OFF_TOTAL_SIZE = 12;
    public static final int OFF_STATE = 16;
    public static final int OFF_HOST_PID = 20;
    public static final int OFF_HEARTBEAT_NS = 24;
    public static final int OFF_DOORBELL = 32;
    public static final int OFF_SLOT_COUNT = 36;
    public static final int OFF_WAIT_TIMEOUT_MS = 40;
    public static final int OFF_MODE_FLAGS = 44;
    /** -e inject= and -e fault= (session.h, entry_inject.c): 16 rules of 48 bytes. */
    public static final int OFF_INJECT_RULES = 200;
    /** Per syscall: 1 + its injection counter slot, or 0. */
    public static final int OFF_INJECT_SLOT = 2048;
    /** Per counter slot: the rule its syscall follows. */
    public static final int OFF_INJECT_SLOT_RULE = 3072;
    public static final int INJECT_ERROR = 1;
    public static final int INJECT_RETVAL = 2;
    public static final int INJECT_SIGNAL = 4;
    public static final int INJECT_DELAY_ENTER = 8;
    public static final int INJECT_DELAY_EXIT = 16;
    public static final long INJECT_NO_LAST = 0xFFFFFFFFL;
    /** --exhaustive: Syscall User Dispatch on top of VA0 (session.h). */
    public static final int MODE_EXHAUSTIVE = 1;
    /** The ptrace window takes exec-window requests (session.h). */
    public static final int MODE_EXEC_WINDOWS = 2;
    /** And for dynamic programs too: the trace shows, or the hooks take, a call a loader makes. */
    public static final int MODE_LOADER_WINDOWS = 4;
    public static final int OFF_PROCESSES_REGISTERED = 48;
    public static final int OFF_PROCESSES_GAVE_UP = 56;
    public static final int OFF_CALL_SLOTS_OFFSET = 1000;
    public static final int OFF_CALL_SLOT_COUNT = 1004;
    public static final int OFF_HOOK_DOORBELL = 1008;
    public static final int OFF_SCHEMA_OFFSET = 64;
    public static final int OFF_RING_OFFSET = 72;
    public static final int OFF_RING_SIZE = 80;
    public static final int OFF_TRACE_FLAGS = 88;
    public static final int OFF_RING_WAITERS = 92;
    public static final int OFF_RING_WAKE = 96;
    public static final int OFF_RECORDS_DROPPED = 104;
    public static final int OFF_RING_HEAD = 128;
    public static final int OFF_RING_TAIL = 192;
    public static final int OFF_TIERS = 1024;

    /** trace_flags: producers take entry and exit timestamps. */
    public static final int TRACE_TIMES = 1;
    /** Record delivered signals (the runtime wraps the program's handlers and deadly defaults). */
    public static final int TRACE_SIGNALS = 2;

    public static final int SCHEMA_ENTRY_SIZE = 128;
    public static final int SCHEMA_SIZE = 1024 * SCHEMA_ENTRY_SIZE;
    public static final int SCHEMA_MAX_RULES = 7;
    public static final int SCHEMA_FLAGS = 0;
    public static final int SCHEMA_RULE_COUNT = 1;
    public static final int SCHEMA_RULES = 16;
    public static final int SCHEMA_SPLIT = 1;
    public static final int RULE_SIZE = 16;
    public static final int RULE_ARG = 0;
    public static final int RULE_TIMING = 1;
    public static final int RULE_SHAPE = 2;
    public static final int RULE_LENGTH_ARG = 3;
    public static final int RULE_ELEM = 4;
    public static final int RULE_CAP = 8;
    public static final int RULE_FLAGS = 12;
    /**
     * rule flag: after a success the kernel has accessed every byte the rule copies, so the runtime
     * reads it directly; without it (and after any failure) it copies through process_vm_readv.
     */
    public static final int RULE_DIRECT = 4;
    /** rule flag, with RULE_DIRECT: direct only up to the result's byte count (write's buffer). */
    public static final int RULE_UP_TO_RETURN = 8;
    /** rule flag: the length argument is a C int or unsigned int; the kernel reads its low 32 bits. */
    public static final int RULE_LENGTH_32 = 16;
    /** rule flag: kernel-written memory also written when the call is interrupted (copied after -EINTR too). */
    public static final int RULE_AFTER_EINTR = 2;

    public static final int AT_ENTRY = 1;
    public static final int AT_EXIT = 2;
    public static final int AT_ENTRY_AND_EXIT = 3;
    public static final int SHAPE_C_STRING = 1;
    public static final int SHAPE_STRING_ARRAY = 2;
    public static final int SHAPE_FIXED = 3;
    public static final int SHAPE_LENGTH_ARG = 4;
    public static final int SHAPE_LENGTH_RETURN = 5;
    public static final int SHAPE_ARRAY_ARG = 6;
    public static final int SHAPE_ARRAY_RETURN = 7;
    public static final int SHAPE_IOVEC = 8;
    public static final int SHAPE_NODEMASK = 9;
    /** A msghdr, its iovec array ({@link #elementIovArray}) and their data ({@link #elementIovData}). */
    public static final int SHAPE_MSGHDR = 10;
    /** An mmsghdr array, and for each message sent or received its iovecs as {@link #SHAPE_MSGHDR}'s. */
    public static final int SHAPE_MMSGHDR = 11;

    /** The payload element of message {@code m}'s iovec array (MSGHDR: m = 0). */
    public static int elementIovArray(int m) {
        return 0x8000 | m << 6 | 0x3f;
    }

    /** The payload element of the data of iovec {@code k} of message {@code m} (MSGHDR: m = 0). */
    public static int elementIovData(int m, int k) {
        return 0x8000 | m << 6 | k;
    }

    /** The payload element of message {@code m}'s msg_name (MSGHDR: m = 0). */
    public static int elementMsgName(int m) {
        return 0x8000 | m << 6 | 0x3e;
    }

    /** The payload element of message {@code m}'s msg_control (MSGHDR: m = 0). */
    public static int elementMsgControl(int m) {
        return 0x8000 | m << 6 | 0x3d;
    }

    /** Records: word0 = size | kind << 32 | state << 40. */
    public static final int REC_KIND_PAD = 1;
    public static final int REC_KIND_FULL = 2;
    public static final int REC_KIND_ENTRY = 3;
    public static final int REC_KIND_EXIT = 4;
    /** A delivered signal: nr = signal, args[0] = SIGNAL_* flags, payload 0 = the siginfo. */
    public static final int REC_KIND_SIGNAL = 5;
    /** The signal's default action ends the process right after the record. */
    public static final int SIGNAL_KILLS = 1;
    public static final int REC_RESERVED = 1;
    public static final int REC_PUBLISHED = 2;
    public static final int REC_HAS_RETURN = 1;
    /** -e inject= replaced the call's result (strace's "(INJECTED)"). */
    public static final int REC_INJECTED = 2;
    public static final int REC_PID = 8;
    public static final int REC_TID = 12;
    public static final int REC_NR = 16;
    public static final int REC_FLAGS = 20;
    public static final int REC_PAYLOADS = 22;
    public static final int REC_ARGS = 24;
    public static final int REC_RET = 72;
    public static final int REC_ENTRY_NS = 80;
    public static final int REC_EXIT_NS = 88;
    public static final int REC_IP = 96;
    public static final int REC_HEADER_SIZE = 104;
    public static final int PAYLOAD_ENTRY = 0;
    public static final int PAYLOAD_EXIT = 1;
    public static final int PAYLOAD_WHOLE = 0xFFFF;
    public static final int PAYLOAD_TRUNCATED = 0x80000000;
    public static final int RECORD_MAX = 64 * 1024;
    public static final int TIER_COUNT = 1024;

    public static final int SESSION_LIVE = 0;
    public static final int SESSION_DEAD = 1;

    public static final int TIER_PASS = 0;
    public static final int TIER_TRACE = 1;
    public static final int TIER_HOOK = 2;

    public static final int SLOTS_OFFSET = HEADER_SIZE;
    public static final int SLOT_SIZE = 8192;
    public static final int SLOT_STATE = 0;
    public static final int SLOT_PID = 4;
    public static final int SLOT_TID = 8;
    public static final int SLOT_KIND = 12;
    public static final int SLOT_RANGE_START = 16;
    public static final int SLOT_RANGE_END = 24;
    public static final int SLOT_CHUNK_COUNT = 32;
    public static final int SLOT_RESULT = 36;
    public static final int SLOT_SITES_ANNOUNCED = 40;
    public static final int SLOT_FLAGS = 48;
    /** The requester catches its syscalls with Syscall User Dispatch and has no VA0 page: never rewrite it. */
    public static final int REQUEST_FLAG_SUD = 1;
    /** Under SUD: the requester's jump pool (entry_sud_pool.c, docs/sud.md), or 0. */
    public static final int SLOT_JUMP_POOL = 56;
    public static final int SLOT_ADDRESSES = 64;

    /** The jump pool's header in the target (struct jpoline_jump_pool_header) and its trampolines. */
    public static final long JUMP_POOL_MAGIC = 0x3153504d554a504aL;
    public static final int JUMP_POOL_SIZE = 1 << 20;
    public static final int JUMP_TRAMPOLINE_SIZE = 32;
    public static final int JUMP_POOL_HEADER_SIZE = 64;
    public static final int JUMP_POOL_MAGIC_OFFSET = 0;
    public static final int JUMP_POOL_SIZE_OFFSET = 8;
    public static final int JUMP_POOL_USED = 16;
    public static final int JUMP_POOL_ENTRY = 24;
    public static final int SLOT_CHUNK_CAPACITY = (SLOT_SIZE - SLOT_ADDRESSES) / 8;

    public static final int KIND_STARTUP = 1;
    public static final int KIND_MAPPING = 2;
    /** Not a rewrite: an exec of a program LD_PRELOAD cannot reach; payload = its path. */
    public static final int KIND_UNREACHABLE_EXEC = 3;
    /** Not a rewrite: under --exhaustive, a syscall trapped at range_start, a site no table lists. */
    public static final int KIND_UNREWRITTEN_SITE = 4;
    /** A thread is about to exec: seize it, follow the new image's loader (session.h). */
    public static final int KIND_EXEC_WINDOW = 5;
    /** The exec that opened a window failed: let the thread go. */
    public static final int KIND_EXEC_WINDOW_CLOSE = 6;

    public static final int UNREACHABLE_STATIC = 1;
    public static final int UNREACHABLE_SETUID = 2;
    public static final int UNREACHABLE_SETGID = 3;
    public static final int UNREACHABLE_FOREIGN = 4;

    public static final int FREE = 0;
    public static final int CLAIMED = 1;
    public static final int REQUEST = 2;
    public static final int SITES = 3;
    public static final int TAKEN = 4;
    public static final int DONE = 5;
    public static final int FAILED = 6;
    public static final int PATCHING = 7;
    public static final int ABANDONED = 8;

    // Call slots of the HOOK tier (docs/hooks.md), after the request slots.
    public static final int CALL_SLOT_SIZE = 4096;
    public static final int CALL_STATE = 0;
    public static final int CALL_PID = 4;
    public static final int CALL_TID = 8;
    public static final int CALL_NUMBER = 12;
    public static final int CALL_ARGS = 16;
    public static final int CALL_VALUE = 64;
    public static final int CALL_SELF_ADDRESS = 72;
    public static final int CALL_FLAGS = 80;
    public static final int CALL_SCRATCH = 128;
    public static final int CALL_SCRATCH_SIZE = CALL_SLOT_SIZE - CALL_SCRATCH;

    public static final int CALL_FREE = 0;
    public static final int CALL_CLAIMED = 1;
    public static final int CALL_POSTED = 2;
    public static final int CALL_WORKING = 3;
    public static final int CALL_EXECUTE = 4;
    public static final int CALL_RESULT = 5;
    public static final int CALL_ANSWER = 6;
    public static final int CALL_ABANDONED = 7;
    public static final int CALL_NO_REPORT = 1;

    public static int slotOffset(int slot) {
        return SLOTS_OFFSET + slot * SLOT_SIZE;
    }

    public static int totalSize(int slots) {
        return SLOTS_OFFSET + slots * SLOT_SIZE;
    }

    /** Where the capture schema starts (right after the slots). */
    public static int schemaOffset(int slots) {
        return totalSize(slots);
    }

    /** Where the trace ring starts: after the schema, page aligned. */
    public static int ringOffset(int slots) {
        return (schemaOffset(slots) + SCHEMA_SIZE + 4095) & ~4095;
    }

    /** Size of a session with a ring of {@code ringSize} bytes (0: no ring, no schema). */
    public static int totalSize(int slots, int ringSize) {
        return ringSize == 0 ? totalSize(slots) : ringOffset(slots) + ringSize;
    }

    static String stateName(int state) {
        switch (state) {
            case FREE: return "FREE";
            case CLAIMED: return "CLAIMED";
            case REQUEST: return "REQUEST";
            case SITES: return "SITES";
            case TAKEN: return "TAKEN";
            case DONE: return "DONE";
            case FAILED: return "FAILED";
            case PATCHING: return "PATCHING";
            case ABANDONED: return "ABANDONED";
            default: return "state " + state;
        }
    }
}
