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
    public static final int OFF_PROCESSES_REGISTERED = 48;
    public static final int OFF_PROCESSES_GAVE_UP = 56;
    public static final int OFF_CALL_SLOTS_OFFSET = 1000;
    public static final int OFF_CALL_SLOT_COUNT = 1004;
    public static final int OFF_HOOK_DOORBELL = 1008;
    public static final int OFF_TIERS = 1024;
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
    public static final int SLOT_ADDRESSES = 64;
    public static final int SLOT_CHUNK_CAPACITY = (SLOT_SIZE - SLOT_ADDRESSES) / 8;

    public static final int KIND_STARTUP = 1;
    public static final int KIND_MAPPING = 2;
    /** Not a rewrite: an exec of a program LD_PRELOAD cannot reach; payload = its path. */
    public static final int KIND_UNREACHABLE_EXEC = 3;

    public static final int UNREACHABLE_STATIC = 1;
    public static final int UNREACHABLE_SETUID = 2;
    public static final int UNREACHABLE_SETGID = 3;

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

    public static int callSlotsOffset(int requestSlots) {
        return totalSize(requestSlots);
    }

    public static int slotOffset(int slot) {
        return SLOTS_OFFSET + slot * SLOT_SIZE;
    }

    public static int totalSize(int slots) {
        return SLOTS_OFFSET + slots * SLOT_SIZE;
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
