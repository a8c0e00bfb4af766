package dev.jpoline.trace;

import dev.jpoline.api.Errno;
import dev.jpoline.api.consts.Signals;
import dev.jpoline.trace.format.CallParts;
import dev.jpoline.trace.format.IoDump;
import dev.jpoline.trace.format.JsonText;
import dev.jpoline.trace.format.LineBuffer;
import dev.jpoline.trace.format.SignalInfo;
import dev.jpoline.trace.format.StraceFormatter;
import dev.jpoline.trace.format.TraceOptions;
import dev.jpoline.trace.format.TraceRecord;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * --json: a JSON object per line instead of strace's text, one per call and one per process
 * event; the fields are documented in docs/json-output.md and keep their names. A call strace
 * splits into {@code <unfinished ...>} and {@code <... resumed>} is one object, written when it
 * returns; one that never returns (its thread killed in it) is written with {@code "ret":null}
 * before its process's end.
 */
final class JsonLinesSink implements TraceSink {
    private static final byte[] PID = LineBuffer.ascii("{\"pid\":");
    private static final byte[] TID = LineBuffer.ascii(",\"tid\":");
    private static final byte[] TIME = LineBuffer.ascii(",\"time\":");
    private static final byte[] SYSCALL = LineBuffer.ascii(",\"syscall\":");
    private static final byte[] NR = LineBuffer.ascii(",\"nr\":");
    private static final byte[] ARGS = LineBuffer.ascii(",\"args\":[");
    private static final byte[] TEXT = LineBuffer.ascii("{\"text\":");
    private static final byte[] RAW = LineBuffer.ascii(",\"raw\":");
    private static final byte[] RET = LineBuffer.ascii("],\"ret\":");
    private static final byte[] ERRNO = LineBuffer.ascii(",\"errno\":");
    private static final byte[] RESULT = LineBuffer.ascii(",\"result\":");
    private static final byte[] DURATION = LineBuffer.ascii(",\"duration\":");
    private static final byte[] EVENT = LineBuffer.ascii(",\"event\":");
    private static final byte[] NULL = LineBuffer.ascii("null");

    private final StraceFormatter formatter;
    private final TraceOutput output;
    private final LineBuffer out;
    private final CallParts parts = new CallParts();
    /** Entry halves whose resumption has not come, by thread, in the order they were held. */
    private final Map<Integer, TraceRecord> unfinished = new LinkedHashMap<>();
    /** -e read= and -e write=: the data of a call, in its "dump" field. */
    private IoDump dump = IoDump.NONE;
    private boolean dumping;

    JsonLinesSink(TraceOptions options, TraceOutput output) {
        this.formatter = new StraceFormatter(options.withPidPrefix(TraceOptions.PidPrefix.NONE));
        this.output = output;
        this.out = output.buffer();
    }

    void dump(IoDump d) {
        this.dump = d;
        this.dumping = d.any();
    }

    @Override
    public void call(TraceRecord r) {
        record(r);
    }

    @Override
    public void unfinished(TraceRecord entry) {
        unfinished.put(entry.tid(), entry);
    }

    @Override
    public void resumed(TraceRecord r) {
        unfinished.remove(r.tid());
        record(r);
    }

    private void record(TraceRecord r) {
        formatter.render(r, parts);
        head(r.pid(), r.tid(), r.entryNanos());
        out.append(SYSCALL);
        JsonText.string(out, parts.name());
        out.append(NR).decimal(r.number());
        out.append(ARGS);
        byte[] text = parts.bytes();
        for (int i = 0; i < parts.count(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(TEXT);
            JsonText.string(out, text, parts.argumentStart(i), parts.argumentEnd(i));
            out.append(RAW);
            int register = parts.register(i);
            if (register == CallParts.NO_REGISTER) {
                out.append(NULL);
            } else {
                out.decimal(r.arg(register));
            }
            out.append('}');
        }
        out.append(RET);
        if (parts.returned()) {
            long ret = r.returnValue();
            out.decimal(ret);
            int errno = Errno.fromReturn(ret);
            if (errno != 0) {
                out.append(ERRNO);
                JsonText.string(out, Errno.byNumber(errno).map(Errno::name).orElse(Integer.toString(errno)));
            }
        } else {
            out.append(NULL);
        }
        out.append(RESULT);
        JsonText.string(out, text, parts.resultStart(), parts.resultEnd());
        out.append(DURATION);
        if (parts.returned() && r.entryNanos() != TraceRecord.NO_TIME && r.exitNanos() != TraceRecord.NO_TIME) {
            out.decimal(Math.max(0, r.exitNanos() - r.entryNanos()));
        } else {
            out.append(NULL);
        }
        if (dumping && parts.returned()) {
            dump.appendJson(out, r);
        }
        out.append('}');
        output.endLine(r.tid());
    }

    /** {@code {"pid":1,"tid":1,"time":...}: what every object starts with. */
    private void head(int pid, int tid, long nanos) {
        out.append(PID).decimal(pid).append(TID).decimal(tid).append(TIME);
        if (nanos == TraceRecord.NO_TIME) {
            out.append(NULL);
        } else {
            out.decimal(nanos);
        }
    }

    @Override
    public void signal(int pid, int tid, long nanos, long ip, SignalInfo info) {
        head(pid, tid, nanos);
        out.append(EVENT).append("\"signal\",\"signal\":");
        JsonText.string(out, signalName(info.signo()));
        out.append(",\"signo\":").decimal(info.signo()).append(",\"siginfo\":");
        JsonText.string(out, info.format(formatter.options().xlatStyle()));
        out.append('}');
        output.endLine(tid);
    }

    @Override
    public void exited(int pid, int tid, long nanos, int exitCode) {
        if (tid == pid) {
            ended(pid); // not a thread's own exit: the process ends
        }
        head(pid, tid, nanos);
        out.append(EVENT).append("\"exited\",\"status\":").decimal(exitCode).append('}');
        output.endLine(tid);
    }

    @Override
    public void killed(int pid, int tid, long nanos, int signo, boolean coreDumped) {
        ended(pid);
        head(pid, pid, nanos);
        out.append(EVENT).append("\"killed\",\"signal\":");
        JsonText.string(out, signalName(signo));
        out.append(",\"signo\":").decimal(signo).append(",\"core_dumped\":").append(coreDumped ? "true" : "false")
                .append('}');
        output.endLine(tid);
    }

    private static String signalName(int signo) {
        return Signals.name(signo).orElse(Integer.toString(signo));
    }

    /** The calls of process {@code pid} still waiting for their results will not get them. */
    private void ended(int pid) {
        if (unfinished.isEmpty()) {
            return;
        }
        for (Iterator<TraceRecord> it = unfinished.values().iterator(); it.hasNext(); ) {
            TraceRecord r = it.next();
            if (r.pid() == pid) {
                it.remove();
                record(r);
            }
        }
    }

    @Override
    public void flush() {
        output.flush();
    }

    @Override
    public void close() {
        for (TraceRecord r : unfinished.values()) {
            record(r);
        }
        unfinished.clear();
        output.close();
    }
}
