/* Prints the session layout as C sees it, for SessionLayoutTest to compare with Java's. */
#include <stddef.h>
#include <stdio.h>

#include "session.h"

#define FIELD(type, member) printf("%s.%s=%zu\n", #type, #member, offsetof(struct type, member))

int main(void) {
    printf("magic=%llu\n", (unsigned long long)JPOLINE_SESSION_MAGIC);
    printf("header=%zu\n", sizeof(struct jpoline_session_header));
    printf("slot=%zu\n", sizeof(struct jpoline_slot));
    printf("chunk=%d\n", JPOLINE_SLOT_CHUNK_CAPACITY);
    FIELD(jpoline_session_header, abi_version);
    FIELD(jpoline_session_header, total_size);
    FIELD(jpoline_session_header, state);
    FIELD(jpoline_session_header, host_pid);
    FIELD(jpoline_session_header, heartbeat_ns);
    FIELD(jpoline_session_header, doorbell);
    FIELD(jpoline_session_header, slot_count);
    FIELD(jpoline_session_header, wait_timeout_ms);
    FIELD(jpoline_session_header, processes_registered);
    FIELD(jpoline_session_header, processes_gave_up);
    FIELD(jpoline_session_header, tiers);
    FIELD(jpoline_session_header, call_slots_offset);
    FIELD(jpoline_session_header, call_slot_count);
    FIELD(jpoline_session_header, hook_doorbell);
    FIELD(jpoline_call_slot, state);
    FIELD(jpoline_call_slot, pid);
    FIELD(jpoline_call_slot, tid);
    FIELD(jpoline_call_slot, number);
    FIELD(jpoline_call_slot, args);
    FIELD(jpoline_call_slot, value);
    FIELD(jpoline_call_slot, self_address);
    FIELD(jpoline_call_slot, flags);
    FIELD(jpoline_call_slot, scratch);
    printf("call_slot=%zu\n", sizeof(struct jpoline_call_slot));
    printf("call_states=%d,%d,%d,%d,%d,%d,%d,%d\n", JPOLINE_CALL_FREE, JPOLINE_CALL_CLAIMED, JPOLINE_CALL_POSTED,
           JPOLINE_CALL_WORKING, JPOLINE_CALL_EXECUTE, JPOLINE_CALL_RESULT, JPOLINE_CALL_ANSWER, JPOLINE_CALL_ABANDONED);
    printf("no_report=%u\n", JPOLINE_CALL_NO_REPORT);
    FIELD(jpoline_slot, state);
    FIELD(jpoline_slot, pid);
    FIELD(jpoline_slot, tid);
    FIELD(jpoline_slot, kind);
    FIELD(jpoline_slot, range_start);
    FIELD(jpoline_slot, range_end);
    FIELD(jpoline_slot, chunk_count);
    FIELD(jpoline_slot, result);
    FIELD(jpoline_slot, sites_announced);
    FIELD(jpoline_slot, addresses);
    printf("states=%d,%d,%d,%d,%d,%d,%d,%d,%d\n", JPOLINE_SLOT_FREE, JPOLINE_SLOT_CLAIMED, JPOLINE_SLOT_REQUEST,
           JPOLINE_SLOT_SITES, JPOLINE_SLOT_TAKEN, JPOLINE_SLOT_DONE, JPOLINE_SLOT_FAILED, JPOLINE_SLOT_PATCHING,
           JPOLINE_SLOT_ABANDONED);
    printf("kinds=%d,%d,%d\n", JPOLINE_REQUEST_STARTUP, JPOLINE_REQUEST_MAPPING, JPOLINE_REQUEST_UNREACHABLE_EXEC);
    printf("unreachable=%d,%d,%d\n", JPOLINE_UNREACHABLE_STATIC, JPOLINE_UNREACHABLE_SETUID, JPOLINE_UNREACHABLE_SETGID);
    printf("detach=%d\n", JPOLINE_RESULT_DETACH);
    return 0;
}
