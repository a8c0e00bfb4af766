package dev.jpoline.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.testing.Json;
import dev.jpoline.trace.format.TraceOptions;
import dev.jpoline.trace.ring.RingRecord;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** --timeline: Chrome trace-event JSON beside the lines, which stay as they are. */
class TimelineSinkTest {
    private static final int TOP = 100;
    private static final long T0 = 1_795_434_069_000_000_000L;
    private final ByteArrayOutputStream lines = new ByteArrayOutputStream();
    private final ByteArrayOutputStream timeline = new ByteArrayOutputStream();

    private TraceWriter writer(ByteArrayOutputStream text, boolean withTimeline) {
        TimelineSink sink = withTimeline ? new TimelineSink(timeline, "/usr/bin/golden", T0) : null;
        return new TraceWriter(TraceOptions.defaults(), false, TraceWriter.Mode.FILE, text, null, n -> true,
                TraceWriter.Status.ALL, TraceWriter.Lines.TEXT, false, TOP, sink);
    }

    private static RingRecord full(int pid, int tid, int nr, long ret, long entry, long exit, long... args) {
        return new RingRecord(RingRecord.Kind.FULL, pid, tid, nr, true, Arrays.copyOf(args, 6), ret, entry, exit,
                List.of());
    }

    private static void run(TraceWriter w) {
        w.accept(full(TOP, TOP, 39, TOP, T0 + 1000, T0 + 1250));
        w.accept(full(TOP, TOP, 57 /* fork */, 200, T0 + 2000, T0 + 9000));
        w.accept(full(200, 200, 1 /* write */, 6, T0 + 10_000, T0 + 12_500, 1, 0x7000, 6));
        w.accept(full(TOP, 101, 39, TOP, T0 + 3000, T0 + 3001));
        w.accept(new RingRecord(RingRecord.Kind.ENTRY, 200, 200, 231, false, new long[6], 0, T0 + 13_000, 0,
                List.of()));
        w.accept(new RingRecord(RingRecord.Kind.SIGNAL, TOP, TOP, 17, false, new long[6], 0, T0 + 14_000, 0,
                List.of()));
        w.finish(0, false, 0);
        w.close();
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> events() {
        Map<String, Object> doc = Json.object(Json.utf8(timeline.toByteArray()));
        assertThat(doc).containsKey("traceEvents");
        return (List<Map<String, Object>>) doc.get("traceEvents");
    }

    @Test
    void aCompleteEventPerCallOnItsThreadsTrack() {
        run(writer(lines, true));
        List<Map<String, Object>> x = events().stream().filter(e -> "X".equals(e.get("ph"))).toList();
        assertThat(x).extracting(e -> e.get("name") + "@" + e.get("tid"))
                .containsExactly("getpid@100", "fork@100", "write@200", "getpid@101", "exit_group@200");
        Map<String, Object> write = x.get(2);
        assertThat(write).containsEntry("pid", 200L).containsEntry("ts", new BigDecimal("10.000"))
                .containsEntry("dur", new BigDecimal("2.500"));
        assertThat((Map<String, Object>) write.get("args")).containsEntry("args", "1, 0x7000, 6")
                .containsEntry("result", "6");
        assertThat(x.get(0)).containsEntry("ts", new BigDecimal("1.000")).containsEntry("dur", new BigDecimal("0.250"));
    }

    @Test
    void instantsForSignalsAndEndsAndTracksNamedAfterTheProcess() {
        run(writer(lines, true));
        List<Map<String, Object>> events = events();
        assertThat(events.stream().filter(e -> "i".equals(e.get("ph"))).map(e -> e.get("name") + "@" + e.get("pid")))
                .containsExactly("exited with 0@200", "SIGCHLD@100", "exited with 0@100");
        assertThat(events.stream().filter(e -> "i".equals(e.get("ph")))).allMatch(e -> "t".equals(e.get("s")));
        List<Map<String, Object>> names = events.stream().filter(e -> "M".equals(e.get("ph"))).toList();
        assertThat(names).extracting(e -> e.get("name") + " " + e.get("pid") + "/" + e.get("tid") + "="
                + ((Map<String, Object>) e.get("args")).get("name"))
                .containsExactlyInAnyOrder("process_name 100/100=golden", "process_name 200/200=golden",
                        "thread_name 100/100=golden", "thread_name 100/101=golden",
                        "thread_name 200/200=golden");
    }

    @Test
    void theLinesAreTheSameWithATimelineAsWithout() {
        run(writer(lines, true));
        ByteArrayOutputStream alone = new ByteArrayOutputStream();
        run(writer(alone, false));
        assertThat(lines.toByteArray()).isEqualTo(alone.toByteArray());
        assertThat(lines.toString()).contains("getpid()").contains("+++ exited with 0 +++");
    }
}
