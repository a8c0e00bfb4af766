package dev.jpoline.host;

import static dev.jpoline.host.SessionLayout.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The session layout as the C runtime compiles it must be the layout the Java host writes. */
class SessionLayoutTest {
    private static final Path ROOT = Path.of(System.getProperty("jpoline.repo.root", "..")).toAbsolutePath().normalize();

    @TempDir Path temp;

    @Test
    void cAndJavaAgreeOnEveryOffsetAndValue() throws Exception {
        Path binary = temp.resolve("session_layout");
        Process gcc = new ProcessBuilder("gcc", "-std=c11", "-Wall", "-Wextra", "-Werror",
                "-I", ROOT.resolve("trampoline-va0/src/main/c").toString(),
                "-o", binary.toString(), ROOT.resolve("hook-tracer/src/test/c/session_layout.c").toString())
                .redirectErrorStream(true).start();
        String gccOutput = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gcc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gcc.exitValue()).as(gccOutput).isZero();

        Process run = new ProcessBuilder(binary.toString()).start();
        Map<String, String> c = new HashMap<>();
        new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().forEach(line -> {
            int eq = line.indexOf('=');
            c.put(line.substring(0, eq), line.substring(eq + 1));
        });
        assertThat(run.waitFor(10, TimeUnit.SECONDS)).isTrue();

        assertThat(Long.parseUnsignedLong(c.get("magic"))).isEqualTo(MAGIC);
        assertThat(c.get("header")).isEqualTo(String.valueOf(HEADER_SIZE));
        assertThat(c.get("slot")).isEqualTo(String.valueOf(SLOT_SIZE));
        assertThat(c.get("chunk")).isEqualTo(String.valueOf(SLOT_CHUNK_CAPACITY));
        Map<String, Integer> java = Map.ofEntries(
                Map.entry("jpoline_session_header.abi_version", OFF_ABI_VERSION),
                Map.entry("jpoline_session_header.total_size", OFF_TOTAL_SIZE),
                Map.entry("jpoline_session_header.state", OFF_STATE),
                Map.entry("jpoline_session_header.host_pid", OFF_HOST_PID),
                Map.entry("jpoline_session_header.heartbeat_ns", OFF_HEARTBEAT_NS),
                Map.entry("jpoline_session_header.doorbell", OFF_DOORBELL),
                Map.entry("jpoline_session_header.slot_count", OFF_SLOT_COUNT),
                Map.entry("jpoline_session_header.wait_timeout_ms", OFF_WAIT_TIMEOUT_MS),
                Map.entry("jpoline_session_header.mode_flags", OFF_MODE_FLAGS),
                Map.entry("jpoline_session_header.inject_rules", OFF_INJECT_RULES),
                Map.entry("jpoline_session_header.inject_slot", OFF_INJECT_SLOT),
                Map.entry("jpoline_session_header.inject_slot_rule", OFF_INJECT_SLOT_RULE),
                Map.entry("jpoline_session_header.processes_registered", OFF_PROCESSES_REGISTERED),
                Map.entry("jpoline_session_header.processes_gave_up", OFF_PROCESSES_GAVE_UP),
                Map.entry("jpoline_session_header.tiers", OFF_TIERS),
                Map.entry("jpoline_slot.state", SLOT_STATE),
                Map.entry("jpoline_slot.pid", SLOT_PID),
                Map.entry("jpoline_slot.tid", SLOT_TID),
                Map.entry("jpoline_slot.kind", SLOT_KIND),
                Map.entry("jpoline_slot.range_start", SLOT_RANGE_START),
                Map.entry("jpoline_slot.range_end", SLOT_RANGE_END),
                Map.entry("jpoline_slot.chunk_count", SLOT_CHUNK_COUNT),
                Map.entry("jpoline_slot.result", SLOT_RESULT),
                Map.entry("jpoline_slot.sites_announced", SLOT_SITES_ANNOUNCED),
                Map.entry("jpoline_slot.flags", SLOT_FLAGS),
                Map.entry("jpoline_slot.jump_pool", SLOT_JUMP_POOL),
                Map.entry("jpoline_jump_pool_header.magic", JUMP_POOL_MAGIC_OFFSET),
                Map.entry("jpoline_jump_pool_header.size", JUMP_POOL_SIZE_OFFSET),
                Map.entry("jpoline_jump_pool_header.used", JUMP_POOL_USED),
                Map.entry("jpoline_jump_pool_header.entry", JUMP_POOL_ENTRY),
                Map.entry("jpoline_slot.addresses", SLOT_ADDRESSES),
                Map.entry("jpoline_session_header.call_slots_offset", OFF_CALL_SLOTS_OFFSET),
                Map.entry("jpoline_session_header.call_slot_count", OFF_CALL_SLOT_COUNT),
                Map.entry("jpoline_session_header.hook_doorbell", OFF_HOOK_DOORBELL),
                Map.entry("jpoline_call_slot.state", CALL_STATE),
                Map.entry("jpoline_call_slot.pid", CALL_PID),
                Map.entry("jpoline_call_slot.tid", CALL_TID),
                Map.entry("jpoline_call_slot.number", CALL_NUMBER),
                Map.entry("jpoline_call_slot.args", CALL_ARGS),
                Map.entry("jpoline_call_slot.value", CALL_VALUE),
                Map.entry("jpoline_call_slot.self_address", CALL_SELF_ADDRESS),
                Map.entry("jpoline_call_slot.flags", CALL_FLAGS),
                Map.entry("jpoline_call_slot.scratch", CALL_SCRATCH),
                Map.entry("jpoline_session_header.schema_offset", OFF_SCHEMA_OFFSET),
                Map.entry("jpoline_session_header.ring_offset", OFF_RING_OFFSET),
                Map.entry("jpoline_session_header.ring_size", OFF_RING_SIZE),
                Map.entry("jpoline_session_header.trace_flags", OFF_TRACE_FLAGS),
                Map.entry("jpoline_session_header.ring_waiters", OFF_RING_WAITERS),
                Map.entry("jpoline_session_header.ring_wake", OFF_RING_WAKE),
                Map.entry("jpoline_session_header.records_dropped", OFF_RECORDS_DROPPED),
                Map.entry("jpoline_session_header.ring_head", OFF_RING_HEAD),
                Map.entry("jpoline_session_header.ring_tail", OFF_RING_TAIL),
                Map.entry("jpoline_schema_entry.flags", SCHEMA_FLAGS),
                Map.entry("jpoline_schema_entry.rule_count", SCHEMA_RULE_COUNT),
                Map.entry("jpoline_schema_entry.rules", SCHEMA_RULES),
                Map.entry("jpoline_capture_rule.arg", RULE_ARG),
                Map.entry("jpoline_capture_rule.timing", RULE_TIMING),
                Map.entry("jpoline_capture_rule.shape", RULE_SHAPE),
                Map.entry("jpoline_capture_rule.length_arg", RULE_LENGTH_ARG),
                Map.entry("jpoline_capture_rule.elem", RULE_ELEM),
                Map.entry("jpoline_capture_rule.cap", RULE_CAP),
                Map.entry("jpoline_capture_rule.reserved", RULE_FLAGS),
                Map.entry("jpoline_record.pid", REC_PID),
                Map.entry("jpoline_record.tid", REC_TID),
                Map.entry("jpoline_record.nr", REC_NR),
                Map.entry("jpoline_record.flags", REC_FLAGS),
                Map.entry("jpoline_record.payloads", REC_PAYLOADS),
                Map.entry("jpoline_record.args", REC_ARGS),
                Map.entry("jpoline_record.ret", REC_RET),
                Map.entry("jpoline_record.entry_ns", REC_ENTRY_NS),
                Map.entry("jpoline_record.exit_ns", REC_EXIT_NS),
                Map.entry("jpoline_record.ip", REC_IP));
        java.forEach((field, offset) -> assertThat(c.get(field)).as(field).isEqualTo(String.valueOf(offset)));
        assertThat(c.get("states")).isEqualTo(FREE + "," + CLAIMED + "," + REQUEST + "," + SITES + "," + TAKEN + ","
                + DONE + "," + FAILED + "," + PATCHING + "," + ABANDONED);
        assertThat(c.get("call_slot")).isEqualTo(String.valueOf(CALL_SLOT_SIZE));
        assertThat(c.get("call_states")).isEqualTo(CALL_FREE + "," + CALL_CLAIMED + "," + CALL_POSTED + "," + CALL_WORKING
                + "," + CALL_EXECUTE + "," + CALL_RESULT + "," + CALL_ANSWER + "," + CALL_ABANDONED);
        assertThat(c.get("no_report")).isEqualTo(String.valueOf(CALL_NO_REPORT));
        assertThat(c.get("kinds")).isEqualTo(KIND_STARTUP + "," + KIND_MAPPING + "," + KIND_UNREACHABLE_EXEC + ","
                + KIND_UNREWRITTEN_SITE + "," + KIND_EXEC_WINDOW + "," + KIND_EXEC_WINDOW_CLOSE);
        assertThat(c.get("modes")).isEqualTo(MODE_EXHAUSTIVE + "," + MODE_EXEC_WINDOWS + "," + MODE_LOADER_WINDOWS);
        assertThat(c.get("unreachable")).isEqualTo(UNREACHABLE_STATIC + "," + UNREACHABLE_SETUID + "," + UNREACHABLE_SETGID + ","
                + UNREACHABLE_FOREIGN);
        assertThat(c.get("record")).isEqualTo(String.valueOf(REC_HEADER_SIZE));
        assertThat(c.get("jump_pool")).isEqualTo(Long.toUnsignedString(JUMP_POOL_MAGIC) + "," + JUMP_POOL_SIZE + ","
                + JUMP_TRAMPOLINE_SIZE + "," + JUMP_POOL_HEADER_SIZE);
        assertThat(c.get("schema")).isEqualTo(SCHEMA_ENTRY_SIZE + "," + SCHEMA_SIZE + "," + SCHEMA_MAX_RULES + "," + SCHEMA_SPLIT);
        assertThat(c.get("timing")).isEqualTo(AT_ENTRY + "," + AT_EXIT + "," + AT_ENTRY_AND_EXIT);
        assertThat(c.get("shapes")).isEqualTo(SHAPE_C_STRING + "," + SHAPE_STRING_ARRAY + "," + SHAPE_FIXED + ","
                + SHAPE_LENGTH_ARG + "," + SHAPE_LENGTH_RETURN + "," + SHAPE_ARRAY_ARG + "," + SHAPE_ARRAY_RETURN + ","
                + SHAPE_IOVEC + "," + SHAPE_NODEMASK + "," + SHAPE_MSGHDR + "," + SHAPE_MMSGHDR);
        assertThat(c.get("elements")).isEqualTo(elementIovArray(0) + "," + elementIovData(0, 0) + ","
                + elementIovArray(255) + "," + elementIovData(3, 31) + "," + elementMsgName(0) + ","
                + elementMsgControl(2));
        assertThat(c.get("reckinds")).isEqualTo(REC_KIND_PAD + "," + REC_KIND_FULL + "," + REC_KIND_ENTRY + ","
                + REC_KIND_EXIT + "," + REC_RESERVED + "," + REC_PUBLISHED + "," + REC_HAS_RETURN);
        assertThat(c.get("payload")).isEqualTo(PAYLOAD_ENTRY + "," + PAYLOAD_EXIT + "," + PAYLOAD_WHOLE + ","
                + Integer.toUnsignedString(PAYLOAD_TRUNCATED) + "," + RECORD_MAX + "," + TRACE_TIMES);
        assertThat(c.get("signals")).isEqualTo(TRACE_SIGNALS + "," + REC_KIND_SIGNAL + "," + SIGNAL_KILLS);
        assertThat(c.get("rule_flags")).isEqualTo(RULE_DIRECT + "," + RULE_UP_TO_RETURN + "," + RULE_AFTER_EINTR + ","
                + RULE_LENGTH_32);
        assertThat(c.get("detach")).isEqualTo(String.valueOf(HostRewriting.RESULT_DETACH));
        assertThat(c.get("flag_sud")).isEqualTo(String.valueOf(REQUEST_FLAG_SUD));
    }
}
