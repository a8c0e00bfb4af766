package dev.jpoline.trace;

import dev.jpoline.api.consts.Signals;
import dev.jpoline.trace.format.CallParts;
import dev.jpoline.trace.format.JsonText;
import dev.jpoline.trace.format.LineBuffer;
import dev.jpoline.trace.format.Payload;
import dev.jpoline.trace.format.SignalInfo;
import dev.jpoline.trace.format.StraceFormatter;
import dev.jpoline.trace.format.TraceOptions;
import dev.jpoline.trace.format.TraceRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * --timeline FILE: the trace as Chrome trace-event JSON, which Perfetto UI and chrome://tracing
 * open: a complete event ({@code "ph":"X"}) per call on its thread's track, instant events
 * ({@code "ph":"i"}) for signals and process ends, and metadata ({@code "ph":"M"}) naming each
 * track after its process (docs/json-output.md). Times are microseconds since the sink was made
 * (just before the program runs), as the format wants them; {@code otherData.origin_ns} says when
 * that was.
 */
public final class TimelineSink implements TraceSink {
    private static final int NR_CLONE = 56;
    private static final int NR_FORK = 57;
    private static final int NR_VFORK = 58;
    private static final int NR_EXECVE = 59;
    private static final int NR_EXECVEAT = 322;
    private static final int NR_CLONE3 = 435;
    private static final int BATCH_BYTES = 64 * 1024;

    private final OutputStream file;
    private final LineBuffer out = new LineBuffer(BATCH_BYTES + 4096);
    private final CallParts parts = new CallParts();
    private StraceFormatter formatter = new StraceFormatter(TraceOptions.defaults());
    private final long originNanos;
    /** The latest time seen: where an event without a time of its own (a reaped process's end) goes. */
    private long lastNanos;
    private boolean first = true;
    /** Each process's name (its program's file name), and each thread's process, in order of appearance. */
    private final Map<Integer, String> processNames = new LinkedHashMap<>();
    private final Map<Integer, Integer> threads = new LinkedHashMap<>();
    /** The name a new process or thread starts with: its creator's, until it execs. */
    private final Map<Integer, String> inherited = new HashMap<>();
    private final Map<Integer, TraceRecord> unfinished = new LinkedHashMap<>();
    /** The top-level process's name: the traced program's file name. */
    private final String program;

    /** {@code program}: the name of the top-level process's track (the traced program's). */
    public TimelineSink(OutputStream file, String program, long originNanos) {
        this.file = file;
        this.originNanos = originNanos;
        this.lastNanos = originNanos;
        this.program = fileName(program);
        out.append("{\"traceEvents\":[\n");
    }

    /** Renders arguments as the lines do (-s, -X, -y's paths): the writer's options. */
    void renderWith(TraceOptions options) {
        this.formatter = new StraceFormatter(options.withPidPrefix(TraceOptions.PidPrefix.NONE)
                .withTimestamps(TraceOptions.Timestamps.NONE).withDuration(false));
    }

    /** The top-level process: its track is named after the program. */
    void topProcess(int pid) {
        inherited.put(pid, program);
    }

    @Override
    public void call(TraceRecord r) {
        complete(r, r.exitNanos());
        learnNames(r);
    }

    @Override
    public void unfinished(TraceRecord entry) {
        unfinished.put(entry.tid(), entry);
    }

    @Override
    public void resumed(TraceRecord r) {
        unfinished.remove(r.tid());
        call(r);
    }

    /** The call's complete event, lasting until {@code endNanos} (when it did not return: until its process ended). */
    private void complete(TraceRecord r, long endNanos) {
        see(r.pid(), r.tid());
        formatter.render(r, parts);
        long start = known(r.entryNanos());
        long end = endNanos == TraceRecord.NO_TIME ? start : Math.max(start, endNanos);
        event('X', parts.name(), "syscall", r.pid(), r.tid(), start);
        out.append(",\"dur\":");
        micros(end - start);
        out.append(",\"args\":{\"args\":");
        byte[] text = parts.bytes();
        int from = parts.count() > 0 ? parts.argumentStart(0) : 0;
        int to = parts.count() > 0 ? parts.argumentEnd(parts.count() - 1) : 0;
        JsonText.string(out, text, from, to);
        out.append(",\"result\":");
        JsonText.string(out, text, parts.resultStart(), parts.resultEnd());
        out.append("}}");
        ended();
    }

    /** A new process's name is its creator's; an exec's is its program's. */
    private void learnNames(TraceRecord r) {
        int nr = (int) r.number();
        if (!r.hasReturn()) {
            return;
        }
        long ret = r.returnValue();
        if ((nr == NR_CLONE || nr == NR_FORK || nr == NR_VFORK || nr == NR_CLONE3) && ret > 0) {
            inherited.put((int) ret, processNames.get(r.pid()));
        } else if ((nr == NR_EXECVE || nr == NR_EXECVEAT) && ret == 0) {
            Payload path = r.payloadOrNull(nr == NR_EXECVE ? 0 : 1);
            if (path != null) {
                processNames.put(r.pid(), fileName(new String(path.bytes(), StandardCharsets.UTF_8)));
            }
        }
    }

    @Override
    public void signal(int pid, int tid, long nanos, long ip, SignalInfo info) {
        see(pid, tid);
        instant(Signals.name(info.signo()).orElse("signal " + info.signo()), "signal", pid, tid, nanos);
        out.append(",\"args\":{\"siginfo\":");
        JsonText.string(out, info.format(formatter.options().xlatStyle()));
        out.append("}}");
        ended();
    }

    @Override
    public void exited(int pid, int tid, long nanos, int exitCode) {
        if (tid == pid) {
            endUnfinished(pid, nanos);
        }
        see(pid, tid);
        instant("exited with " + exitCode, "process", pid, tid, nanos);
        out.append(",\"args\":{\"status\":").decimal(exitCode).append("}}");
        ended();
    }

    @Override
    public void killed(int pid, int tid, long nanos, int signo, boolean coreDumped) {
        endUnfinished(pid, nanos);
        see(pid, pid);
        String signal = Signals.name(signo).orElse(Integer.toString(signo));
        instant("killed by " + signal + (coreDumped ? " (core dumped)" : ""), "process", pid, pid, nanos);
        out.append(",\"args\":{\"signal\":");
        JsonText.string(out, signal);
        out.append(",\"core_dumped\":").append(coreDumped ? "true" : "false").append("}}");
        ended();
    }

    /** The calls of process {@code pid} that never returned: complete events until its end. */
    private void endUnfinished(int pid, long nanos) {
        for (Iterator<TraceRecord> it = unfinished.values().iterator(); it.hasNext(); ) {
            TraceRecord r = it.next();
            if (r.pid() == pid) {
                it.remove();
                complete(r, known(nanos));
            }
        }
    }

    private void instant(String name, String category, int pid, int tid, long nanos) {
        event('i', name, category, pid, tid, known(nanos));
        out.append(",\"s\":\"t\"");
    }

    /** An event's fields up to its time: {@code {"ph":"X","name":...,"ts":...}. */
    private void event(char phase, String name, String category, int pid, int tid, long nanos) {
        separate();
        out.append("{\"ph\":\"").append(phase).append("\",\"name\":");
        JsonText.string(out, name);
        out.append(",\"cat\":\"").append(category).append("\",\"pid\":").decimal(pid).append(",\"tid\":")
                .decimal(tid).append(",\"ts\":");
        micros(nanos - originNanos);
    }

    private void separate() {
        if (!first) {
            out.append(',').append('\n');
        }
        first = false;
    }

    /** Nanoseconds as microseconds with three decimals: the format's unit, without losing the nanoseconds. */
    private void micros(long nanos) {
        if (nanos < 0) {
            out.append('-');
            nanos = -nanos;
        }
        out.decimal(nanos / 1000).append('.').zeroPadded(nanos % 1000, 3);
    }

    /** The time, or the latest one seen for an event without one; remembers the latest. */
    private long known(long nanos) {
        if (nanos == TraceRecord.NO_TIME) {
            return lastNanos;
        }
        lastNanos = Math.max(lastNanos, nanos);
        return nanos;
    }

    /** A thread takes part: its process gets a name when it is new. */
    private void see(int pid, int tid) {
        if (threads.putIfAbsent(tid, pid) == null && !processNames.containsKey(pid)) {
            String name = inherited.get(pid);
            if (name == null) {
                name = inherited.get(tid);
            }
            processNames.put(pid, name != null ? name : commandOf(pid));
        }
    }

    /** The name the kernel gives a process the trace did not see start (its creator was not traced). */
    private static String commandOf(int pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
        } catch (IOException | RuntimeException e) {
            return "pid " + pid; // already gone
        }
    }

    private static String fileName(String path) {
        int slash = path.lastIndexOf('/');
        return slash >= 0 && slash < path.length() - 1 ? path.substring(slash + 1) : path;
    }

    /** An event is complete: the batch goes out once it is big. */
    private void ended() {
        if (out.length() >= BATCH_BYTES) {
            flush();
        }
    }

    @Override
    public void flush() {
        try {
            out.writeTo(file);
            out.clear();
            file.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The calls left unfinished, then the tracks' names (known only now: a process is named after its last exec). */
    @Override
    public void close() {
        for (TraceRecord r : unfinished.values()) {
            complete(r, lastNanos);
        }
        unfinished.clear();
        for (Map.Entry<Integer, String> p : processNames.entrySet()) {
            metadata("process_name", p.getKey(), p.getKey(), p.getValue());
        }
        for (Map.Entry<Integer, Integer> t : threads.entrySet()) {
            metadata("thread_name", t.getValue(), t.getKey(), processNames.get(t.getValue()));
        }
        out.append("\n],\"displayTimeUnit\":\"ns\",\"otherData\":{\"origin_ns\":").decimal(originNanos)
                .append("}}\n");
        flush();
        try {
            file.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void metadata(String kind, int pid, int tid, String name) {
        separate();
        out.append("{\"ph\":\"M\",\"name\":\"").append(kind).append("\",\"pid\":").decimal(pid).append(",\"tid\":")
                .decimal(tid).append(",\"args\":{\"name\":");
        JsonText.string(out, name != null ? name : "pid " + pid);
        out.append("}}");
    }
}
