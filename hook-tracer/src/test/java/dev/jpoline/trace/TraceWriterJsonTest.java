package dev.jpoline.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.testing.Json;
import dev.jpoline.trace.format.TraceOptions;
import dev.jpoline.trace.ring.RingRecord;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** --json: an object per call and per process event, the fields of docs/json-output.md. */
class TraceWriterJsonTest {
    private static final int TOP = 100;
    private static final long T0 = 1_795_434_069_000_000_000L;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private TraceWriter writer(TraceOptions options, TraceWriter.Status status) {
        return new TraceWriter(options, false, TraceWriter.Mode.FILE, out, null, n -> true, status,
                TraceWriter.Lines.JSON, false, TOP, null);
    }

    private static RingRecord full(int tid, int nr, long ret, long entry, long exit, long... args) {
        return new RingRecord(RingRecord.Kind.FULL, TOP, tid, nr, true, Arrays.copyOf(args, 6), ret, entry, exit,
                List.of());
    }

    private static RingRecord entry(int pid, int tid, int nr, long at, long... args) {
        return new RingRecord(RingRecord.Kind.ENTRY, pid, tid, nr, false, Arrays.copyOf(args, 6), 0, at, 0,
                List.of());
    }

    private static RingRecord exit(int pid, int tid, int nr, long ret, long at) {
        return new RingRecord(RingRecord.Kind.EXIT, pid, tid, nr, true, new long[6], ret, 0, at, List.of());
    }

    /** Every line, each parsed strictly (the whole output must be UTF-8). */
    private List<Map<String, Object>> records() {
        String text = Json.utf8(out.toByteArray());
        assertThat(text).endsWith("\n");
        return text.lines().map(Json::object).toList();
    }

    @Test
    void aCallWithItsArgumentsRawAndRenderedItsResultAndItsTimes() {
        TraceWriter w = writer(TraceOptions.defaults(), TraceWriter.Status.ALL);
        w.accept(full(TOP, 3 /* close */, -9, T0, T0 + 1500, 77));
        w.accept(full(TOP, 39 /* getpid */, TOP, T0 + 2000, T0 + 2100));
        w.finish(0, false, 0);
        w.close();
        List<Map<String, Object>> r = records();
        assertThat(r).hasSize(3);
        Map<String, Object> close = r.get(0);
        assertThat(close.keySet()).containsExactly("pid", "tid", "time", "syscall", "nr", "args", "ret", "errno",
                "result", "duration");
        assertThat(close).containsEntry("pid", 100L).containsEntry("tid", 100L).containsEntry("time", T0)
                .containsEntry("syscall", "close").containsEntry("nr", 3L).containsEntry("ret", -9L)
                .containsEntry("errno", "EBADF").containsEntry("result", "-1 EBADF (Bad file descriptor)")
                .containsEntry("duration", 1500L);
        assertThat(close.get("args")).isEqualTo(List.of(Map.of("text", "77", "raw", 77L)));
        Map<String, Object> getpid = r.get(1);
        assertThat(getpid).doesNotContainKey("errno").containsEntry("ret", 100L).containsEntry("args", List.of())
                .containsEntry("duration", 100L);
        assertThat(r.get(2).keySet()).containsExactly("pid", "tid", "time", "event", "status");
        assertThat(r.get(2)).containsEntry("pid", 100L).containsEntry("time", null).containsEntry("event", "exited")
                .containsEntry("status", 0L);
    }

    @Test
    void anUnfinishedCallAndItsResumptionAreOneRecord() {
        TraceWriter w = writer(TraceOptions.defaults(), TraceWriter.Status.ALL);
        w.accept(entry(TOP, TOP, 0 /* read */, T0, 0, 0x7000, 4096));
        w.accept(full(101, 39, TOP, T0 + 10, T0 + 20));
        w.accept(exit(TOP, TOP, 0, 0, T0 + 900));
        w.finish(0, false, 0);
        w.close();
        List<Map<String, Object>> r = records();
        assertThat(r).extracting(m -> m.get("syscall")).containsExactly("getpid", "read", null);
        Map<String, Object> read = r.get(1);
        assertThat(read).containsEntry("tid", 100L).containsEntry("ret", 0L).containsEntry("time", T0)
                .containsEntry("duration", 900L);
        assertThat(read.get("args")).asList().hasSize(3);
    }

    @Test
    void aCallThatNeverReturnedHasNullsAndComesJustBeforeItsProcessesEnd() {
        TraceWriter w = writer(TraceOptions.defaults(), TraceWriter.Status.ALL);
        w.accept(entry(200, 201, 202 /* futex */, T0, 0x7000, 0, 1));
        w.accept(entry(200, 200, 231 /* exit_group */, T0 + 5, 4));
        w.finish(0, false, 0);
        w.close();
        List<Map<String, Object>> r = records();
        assertThat(r).extracting(m -> m.getOrDefault("syscall", m.get("event")))
                .containsExactly("exit_group", "futex", "exited", "exited");
        assertThat(r.get(1)).containsEntry("tid", 201L).containsEntry("ret", null).containsEntry("duration", null)
                .containsEntry("result", "?").doesNotContainKey("errno");
        assertThat(r.get(0)).containsEntry("ret", null).containsEntry("args", List.of(Map.of("text", "4", "raw", 4L)));
        assertThat(r.get(2)).containsEntry("pid", 200L).containsEntry("status", 4L).containsEntry("time", T0 + 5);
    }

    @Test
    void signalsAndKilledProcessesAreEvents() {
        TraceWriter w = writer(TraceOptions.defaults(), TraceWriter.Status.ALL);
        w.accept(new RingRecord(RingRecord.Kind.SIGNAL, TOP, TOP, 10, false, new long[6], 0, T0, 0, List.of()));
        w.finish(137, true, 9);
        w.close();
        List<Map<String, Object>> r = records();
        assertThat(r.get(0)).containsEntry("event", "signal").containsEntry("signal", "SIGUSR1")
                .containsEntry("signo", 10L).containsEntry("time", T0);
        assertThat((String) r.get(0).get("siginfo")).startsWith("{si_signo=SIGUSR1");
        assertThat(r.get(1)).containsEntry("event", "killed").containsEntry("signal", "SIGKILL")
                .containsEntry("signo", 9L).containsEntry("core_dumped", false);
    }

    @Test
    void controlCharactersInAPathStayValidJson() {
        TraceOptions paths = TraceOptions.defaults().withFdResolver((pid, fd) -> Optional.of("/tmp/a\nb\u0001\"c"));
        TraceWriter w = writer(paths, TraceWriter.Status.ALL);
        w.accept(full(TOP, 3, 0, T0, T0 + 1, 5));
        w.finish(0, false, 0);
        w.close();
        assertThat(new String(out.toByteArray(), StandardCharsets.UTF_8).lines().findFirst().orElseThrow())
                .contains("\"text\":\"5</tmp/a\\nb\\u0001\\\"c>\"");
        assertThat(records().get(0).get("args")).isEqualTo(List.of(Map.of("text", "5</tmp/a\nb\u0001\"c>", "raw", 5L)));
    }

    @Test
    void theStatusFilterAppliesAsToLines() {
        TraceWriter w = writer(TraceOptions.defaults(), TraceWriter.Status.FAILED);
        w.accept(full(TOP, 39, TOP, T0, T0 + 1));
        w.accept(full(TOP, 3, -9, T0, T0 + 1, 77));
        w.finish(0, false, 0);
        w.close();
        assertThat(records()).extracting(m -> m.getOrDefault("syscall", m.get("event")))
                .containsExactly("close", "exited");
    }
}
