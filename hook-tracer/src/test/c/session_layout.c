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
    FIELD(jpoline_session_header, mode_flags);
    FIELD(jpoline_session_header, inject_rules);
    FIELD(jpoline_session_header, inject_slot);
    FIELD(jpoline_session_header, inject_slot_rule);
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
    FIELD(jpoline_session_header, schema_offset);
    FIELD(jpoline_session_header, ring_offset);
    FIELD(jpoline_session_header, ring_size);
    FIELD(jpoline_session_header, trace_flags);
    FIELD(jpoline_session_header, ring_waiters);
    FIELD(jpoline_session_header, ring_wake);
    FIELD(jpoline_session_header, records_dropped);
    FIELD(jpoline_session_header, ring_head);
    FIELD(jpoline_session_header, ring_tail);
    FIELD(jpoline_schema_entry, flags);
    FIELD(jpoline_schema_entry, rule_count);
    FIELD(jpoline_schema_entry, rules);
    FIELD(jpoline_capture_rule, arg);
    FIELD(jpoline_capture_rule, timing);
    FIELD(jpoline_capture_rule, shape);
    FIELD(jpoline_capture_rule, length_arg);
    FIELD(jpoline_capture_rule, elem);
    FIELD(jpoline_capture_rule, cap);
    FIELD(jpoline_capture_rule, reserved);
    FIELD(jpoline_record, pid);
    FIELD(jpoline_record, tid);
    FIELD(jpoline_record, nr);
    FIELD(jpoline_record, flags);
    FIELD(jpoline_record, payloads);
    FIELD(jpoline_record, args);
    FIELD(jpoline_record, ret);
    FIELD(jpoline_record, entry_ns);
    FIELD(jpoline_record, exit_ns);
    FIELD(jpoline_record, ip);
    printf("record=%zu\n", sizeof(struct jpoline_record));
    printf("schema=%d,%d,%d,%u\n", JPOLINE_SCHEMA_ENTRY_SIZE, JPOLINE_SCHEMA_SIZE, JPOLINE_SCHEMA_MAX_RULES, JPOLINE_SCHEMA_SPLIT);
    printf("timing=%d,%d,%d\n", JPOLINE_AT_ENTRY, JPOLINE_AT_EXIT, JPOLINE_AT_ENTRY_AND_EXIT);
    printf("shapes=%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d\n", JPOLINE_SHAPE_C_STRING, JPOLINE_SHAPE_STRING_ARRAY,
           JPOLINE_SHAPE_FIXED, JPOLINE_SHAPE_LENGTH_ARG, JPOLINE_SHAPE_LENGTH_RETURN, JPOLINE_SHAPE_ARRAY_ARG,
           JPOLINE_SHAPE_ARRAY_RETURN, JPOLINE_SHAPE_IOVEC, JPOLINE_SHAPE_NODEMASK, JPOLINE_SHAPE_MSGHDR,
           JPOLINE_SHAPE_MMSGHDR);
    printf("elements=%u,%u,%u,%u,%u,%u\n", JPOLINE_ELEMENT_IOV_ARRAY(0), JPOLINE_ELEMENT_IOV_DATA(0, 0),
           JPOLINE_ELEMENT_IOV_ARRAY(255), JPOLINE_ELEMENT_IOV_DATA(3, 31), JPOLINE_ELEMENT_MSG_NAME(0),
           JPOLINE_ELEMENT_MSG_CONTROL(2));
    printf("reckinds=%d,%d,%d,%d,%llu,%llu,%u\n", JPOLINE_REC_KIND_PAD, JPOLINE_REC_KIND_FULL, JPOLINE_REC_KIND_ENTRY,
           JPOLINE_REC_KIND_EXIT, JPOLINE_REC_RESERVED, JPOLINE_REC_PUBLISHED, JPOLINE_REC_HAS_RETURN);
    printf("payload=%d,%d,%u,%u,%d,%u\n", JPOLINE_PAYLOAD_ENTRY, JPOLINE_PAYLOAD_EXIT, JPOLINE_PAYLOAD_WHOLE,
           JPOLINE_PAYLOAD_TRUNCATED, JPOLINE_RECORD_MAX, JPOLINE_TRACE_TIMES);
    printf("signals=%u,%d,%u\n", JPOLINE_TRACE_SIGNALS, JPOLINE_REC_KIND_SIGNAL, JPOLINE_SIGNAL_KILLS);
    printf("rule_flags=%u,%u,%u,%u\n", JPOLINE_RULE_DIRECT, JPOLINE_RULE_UP_TO_RETURN, JPOLINE_RULE_AFTER_EINTR,
           JPOLINE_RULE_LENGTH_32);
    FIELD(jpoline_slot, state);
    FIELD(jpoline_slot, pid);
    FIELD(jpoline_slot, tid);
    FIELD(jpoline_slot, kind);
    FIELD(jpoline_slot, range_start);
    FIELD(jpoline_slot, range_end);
    FIELD(jpoline_slot, chunk_count);
    FIELD(jpoline_slot, result);
    FIELD(jpoline_slot, sites_announced);
    FIELD(jpoline_slot, flags);
    FIELD(jpoline_slot, jump_pool);
    FIELD(jpoline_jump_pool_header, magic);
    FIELD(jpoline_jump_pool_header, size);
    FIELD(jpoline_jump_pool_header, used);
    FIELD(jpoline_jump_pool_header, entry);
    printf("jump_pool=%llu,%u,%u,%zu\n", (unsigned long long)JPOLINE_JUMP_POOL_MAGIC, JPOLINE_JUMP_POOL_SIZE,
           JPOLINE_JUMP_TRAMPOLINE_SIZE, sizeof(struct jpoline_jump_pool_header));
    FIELD(jpoline_slot, addresses);
    printf("states=%d,%d,%d,%d,%d,%d,%d,%d,%d\n", JPOLINE_SLOT_FREE, JPOLINE_SLOT_CLAIMED, JPOLINE_SLOT_REQUEST,
           JPOLINE_SLOT_SITES, JPOLINE_SLOT_TAKEN, JPOLINE_SLOT_DONE, JPOLINE_SLOT_FAILED, JPOLINE_SLOT_PATCHING,
           JPOLINE_SLOT_ABANDONED);
    printf("kinds=%d,%d,%d,%d,%d,%d\n", JPOLINE_REQUEST_STARTUP, JPOLINE_REQUEST_MAPPING, JPOLINE_REQUEST_UNREACHABLE_EXEC,
           JPOLINE_REQUEST_UNREWRITTEN_SITE, JPOLINE_REQUEST_EXEC_WINDOW, JPOLINE_REQUEST_EXEC_WINDOW_CLOSE);
    printf("modes=%u,%u,%u\n", JPOLINE_MODE_EXHAUSTIVE, JPOLINE_MODE_EXEC_WINDOWS, JPOLINE_MODE_LOADER_WINDOWS);
    printf("unreachable=%d,%d,%d,%d\n", JPOLINE_UNREACHABLE_STATIC, JPOLINE_UNREACHABLE_SETUID, JPOLINE_UNREACHABLE_SETGID,
           JPOLINE_UNREACHABLE_FOREIGN);
    printf("detach=%d\n", JPOLINE_RESULT_DETACH);
    printf("flag_sud=%u\n", JPOLINE_REQUEST_FLAG_SUD);
    return 0;
}
