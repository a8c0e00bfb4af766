package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.testing.Json;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --json and --timeline on the golden programs of {@link TraceGoldenIT}: each JSON line is valid
 * JSON with the documented keys, and put back into strace's text it gives the lines of a text run
 * of the same program (one record per line, an unfinished call and its resumption one record);
 * the timeline of a text run has a complete event per call on each thread's track.
 */
class TraceJsonIT {
    private static final Set<String> CALL_KEYS = Set.of("pid", "tid", "time", "syscall", "nr", "args", "ret",
            "result", "duration");
    /** Calls that end without returning, which strace's line shows whole, with "= ?". */
    private static final Set<String> NO_RETURN = Set.of("exit", "exit_group", "rt_sigreturn");
    private static final Pattern PREFIX = Pattern.compile("^(\\d+)\\s+(.*)$");

    @TempDir Path temp;

    @BeforeAll
    static void requirements() throws Exception {
        Programs.requireVa0();
    }

    /** A golden program, its arguments, the options both runs get, and where it runs. */
    private record Golden(String program, List<String> options, List<String> args, boolean ownDirectory) {}

    private static final List<Golden> GOLDEN = List.of(
            new Golden("trace_golden", List.of(), List.of(), false),
            new Golden("trace_golden", List.of("-s", "4", "-e", "trace=/^(openat|getppid|write|writev|read)$"),
                    List.of(), false),
            new Golden("files_golden", List.of(), List.of(), true),
            new Golden("signal_golden", List.of("-e", "trace=!rt_sigqueueinfo"), List.of(), false),
            new Golden("signal_golden", List.of("-e", "trace=!rt_sigqueueinfo"), List.of("die"), false));

    private Programs.Result jpoline(Golden g, Path program, Path work, String... outputOptions) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace"));
        cmd.addAll(g.options());
        cmd.addAll(List.of(outputOptions));
        cmd.add(program.toString());
        cmd.addAll(g.args());
        return Programs.run(cmd, Map.of(), work, Programs.DEFAULT_TIMEOUT);
    }

    @Test
    void everyGoldenTraceAsJsonLinesIsTheTextRecordForLine() throws Exception {
        int run = 0;
        for (Golden g : GOLDEN) {
            run++;
            Path program = Programs.build(g.program());
            Path work = g.ownDirectory() ? Files.createDirectories(temp.resolve("work" + run)) : null;
            Path text = temp.resolve("text" + run + ".txt");
            Path timeline = temp.resolve("timeline" + run + ".json");
            Path json = temp.resolve("json" + run + ".jsonl");
            Programs.Result t = jpoline(g, program, work, "-o", text.toString(), "--timeline", timeline.toString());
            Programs.Result j = jpoline(g, program, work, "--json", "-o", json.toString());
            assertThat(j.exit()).as(j.describe()).isEqualTo(t.exit());
            assertThat(j.out()).isEqualTo(t.out());

            String textTrace = Files.readString(text);
            String rebuilt = asText(Files.readAllBytes(json));
            assertThat(TraceGoldenIT.normalize(rebuilt, true)).as("%s\n--- from JSON ---\n%s\n--- text ---\n%s", g,
                    rebuilt, textTrace).isEqualTo(TraceGoldenIT.normalize(textTrace, true));
            timelineHasTheCallsOf(textTrace, Files.readAllBytes(timeline), g);
        }
    }

    @Test
    void ffWritesJsonLinesPerThread() throws Exception {
        Path program = Programs.build("trace_golden");
        Path base = temp.resolve("ff");
        Programs.Result j = Programs.run(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace", "--json", "-ff",
                "-o", base.toString(), "-e", "trace=write,exit_group", program.toString()), Map.of(), null,
                Programs.DEFAULT_TIMEOUT);
        assertThat(j.exit()).as(j.describe()).isZero();
        List<Path> files;
        try (var list = Files.list(temp)) {
            files = list.filter(f -> f.getFileName().toString().startsWith("ff.")).sorted().toList();
        }
        assertThat(files).hasSize(2);
        for (Path f : files) {
            String tid = f.getFileName().toString().substring(3);
            List<Map<String, Object>> records = Json.utf8(Files.readAllBytes(f)).lines().map(Json::object).toList();
            assertThat(records).allSatisfy(r -> assertThat(r.get("tid")).hasToString(tid));
            assertThat(records).extracting(r -> r.getOrDefault("syscall", r.get("event")))
                    .endsWith("exit_group", "exited").contains("write");
        }
    }

    /**
     * The JSON lines as strace's text in a -o file ("TID  line"), each line checked on the way: valid
     * JSON with the documented keys. A call that never returned is an unfinished line, as the text
     * has it.
     */
    @SuppressWarnings("unchecked")
    static String asText(byte[] jsonLines) {
        StringBuilder sb = new StringBuilder();
        for (String line : Json.utf8(jsonLines).split("\n")) {
            Map<String, Object> r = Json.object(line);
            assertThat(r).containsKeys("pid", "tid", "time");
            sb.append(r.get("tid")).append("  ");
            if (r.containsKey("event")) {
                switch ((String) r.get("event")) {
                    case "signal" -> sb.append("--- ").append(r.get("signal")).append(' ').append(r.get("siginfo"))
                            .append(" ---");
                    case "exited" -> sb.append("+++ exited with ").append(r.get("status")).append(" +++");
                    case "killed" -> sb.append("+++ killed by ").append(r.get("signal"))
                            .append(Boolean.TRUE.equals(r.get("core_dumped")) ? " (core dumped)" : "").append(" +++");
                    default -> throw new AssertionError("unknown event: " + line);
                }
                sb.append('\n');
                continue;
            }
            assertThat(r.keySet()).as(line).containsAll(CALL_KEYS);
            assertThat(r.get("time")).as(line).isInstanceOf(Long.class);
            assertThat(r.get("nr")).as(line).isInstanceOf(Long.class);
            List<String> args = new ArrayList<>();
            for (Object a : (List<Object>) r.get("args")) {
                Map<String, Object> arg = (Map<String, Object>) a;
                assertThat(arg.keySet()).as(line).containsExactly("text", "raw");
                args.add((String) arg.get("text"));
            }
            Object ret = r.get("ret");
            if (ret != null && (Long) ret < 0 && (Long) ret >= -4095) {
                assertThat(r.get("errno")).as(line).isInstanceOf(String.class);
            } else {
                assertThat(r).as(line).doesNotContainKey("errno");
            }
            assertThat(ret == null).as(line).isEqualTo(r.get("duration") == null);
            String call = r.get("syscall") + "(" + String.join(", ", args);
            if (ret == null && !NO_RETURN.contains(r.get("syscall"))) {
                sb.append(call).append(" <unfinished ...>\n");
            } else {
                sb.append(call).append(") = ").append(r.get("result")).append('\n');
            }
        }
        return sb.toString();
    }

    /** Per thread, the calls of the text (each unfinished/resumed pair one) are the timeline's complete events. */
    @SuppressWarnings("unchecked")
    private static void timelineHasTheCallsOf(String textTrace, byte[] timeline, Golden g) {
        Map<String, Object> doc = Json.object(Json.utf8(timeline));
        List<Map<String, Object>> events = (List<Map<String, Object>>) doc.get("traceEvents");
        Map<String, List<String>> expected = new TreeMap<>();
        int instants = 0;
        for (String raw : textTrace.split("\n")) {
            Matcher m = PREFIX.matcher(raw);
            if (!m.matches()) {
                continue;
            }
            String line = m.group(2);
            if (line.startsWith("---") || line.startsWith("+++")) {
                instants++;
            } else if (!line.startsWith("<... ")) {
                expected.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(line.replaceAll("\\(.*", ""));
            }
        }
        Map<String, List<String>> actual = new TreeMap<>();
        Set<String> named = new java.util.HashSet<>();
        int actualInstants = 0;
        for (Map<String, Object> e : events) {
            assertThat(e).as("%s", e).containsKeys("ph", "pid", "tid", "name");
            switch ((String) e.get("ph")) {
                case "X" -> {
                    assertThat(e).containsKeys("ts", "dur", "args");
                    assertThat((BigDecimal) e.get("dur")).as("%s", e).isNotNegative();
                    assertThat(e.get("ts")).isInstanceOf(BigDecimal.class);
                    actual.computeIfAbsent(e.get("tid").toString(), k -> new ArrayList<>()).add((String) e.get("name"));
                }
                case "i" -> {
                    assertThat(e).containsKeys("ts", "s");
                    actualInstants++;
                }
                case "M" -> {
                    assertThat(e.get("name")).isIn("thread_name", "process_name");
                    assertThat(((Map<String, Object>) e.get("args")).get("name")).isInstanceOf(String.class);
                    if (e.get("name").equals("thread_name")) {
                        named.add(e.get("tid").toString());
                    }
                }
                default -> throw new AssertionError("unexpected event " + e);
            }
        }
        assertThat(actualInstants).as("%s: signals and ends", g).isEqualTo(instants);
        assertThat(actual.keySet()).as("%s: threads", g).isEqualTo(expected.keySet());
        assertThat(named).as("%s: named tracks", g).containsAll(expected.keySet());
        expected.forEach((tid, calls) -> assertThat(actual.get(tid)).as("%s: thread %s", g, tid)
                .containsExactlyInAnyOrderElementsOf(calls));
    }
}
