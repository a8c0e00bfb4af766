package dev.jpoline.trace;

import dev.jpoline.trace.format.IoDump;
import dev.jpoline.trace.format.LineBuffer;
import dev.jpoline.trace.format.SignalInfo;
import dev.jpoline.trace.format.StraceFormatter;
import dev.jpoline.trace.format.TraceOptions;
import dev.jpoline.trace.format.TraceRecord;

/**
 * strace's text: a line per call, {@code <unfinished ...>} / {@code <... resumed>} pairs, signal
 * and exit lines, and -c's table at the end. The thread is named as strace names it: nothing
 * with -ff, "PID  " in a file, "[pid N] " on stderr while several threads live.
 */
final class TextSink implements TraceSink {
    private final StraceFormatter plain;
    private final StraceFormatter bracketed;
    private final StraceFormatter fileLines;
    private final TraceWriter.Mode mode;
    private final TraceOutput output;
    private final LineBuffer out;
    /** Whether lines are printed (not with -c, which prints only the table). */
    private final boolean lines;
    /** The threads alive, kept by the writer: on stderr, more than one gives the [pid N] prefix. */
    private final IntSet live;
    /** -e read= and -e write=: the data dumped after a call's line. */
    private IoDump dump = IoDump.NONE;
    private boolean dumping;

    TextSink(TraceOptions options, TraceWriter.Mode mode, TraceOutput output, boolean lines, IntSet live) {
        this.plain = new StraceFormatter(options.withPidPrefix(TraceOptions.PidPrefix.NONE));
        this.bracketed = new StraceFormatter(options.withPidPrefix(TraceOptions.PidPrefix.BRACKETED));
        this.fileLines = new StraceFormatter(options.withPidPrefix(TraceOptions.PidPrefix.PLAIN));
        this.mode = mode;
        this.output = output;
        this.out = output.buffer();
        this.lines = lines;
        this.live = live;
    }

    void dump(IoDump d) {
        this.dump = d;
        this.dumping = d.any();
    }

    private StraceFormatter formatter() {
        return switch (mode) {
            case FILE -> fileLines;
            case FF -> plain;
            case STDERR -> live.size() > 1 ? bracketed : plain;
        };
    }

    @Override
    public void call(TraceRecord r) {
        if (lines) {
            formatter().appendSyscall(out, r);
            output.endLine(r.tid());
            if (dumping && dump.appendText(out, r)) {
                output.endLine(r.tid());
            }
        }
    }

    @Override
    public void unfinished(TraceRecord entry) {
        if (lines) {
            formatter().appendUnfinished(out, entry);
            output.endLine(entry.tid());
        }
    }

    @Override
    public void resumed(TraceRecord r) {
        if (lines) {
            formatter().appendResumed(out, r);
            output.endLine(r.tid());
            if (dumping && dump.appendText(out, r)) {
                output.endLine(r.tid());
            }
        }
    }

    @Override
    public void signal(int pid, int tid, long nanos, long ip, SignalInfo info) {
        if (lines) {
            formatter().appendSignal(out, tid, nanos, ip, info);
            output.endLine(tid);
        }
    }

    @Override
    public void exited(int pid, int tid, long nanos, int exitCode) {
        if (lines) {
            formatter().appendExited(out, tid, nanos, exitCode);
            output.endLine(tid);
        }
    }

    @Override
    public void killed(int pid, int tid, long nanos, int signo, boolean coreDumped) {
        if (lines) {
            formatter().appendKilled(out, pid, nanos, signo, coreDumped);
            output.endLine(tid);
        }
    }

    /** -c's table, after the lines (with -ff on stderr: there is no one file for it); empty when no call was counted. */
    void table(String table) {
        if (table.isEmpty()) {
            return;
        }
        if (mode == TraceWriter.Mode.FF) {
            System.err.print(table);
            return;
        }
        out.append(table);
        if (!table.endsWith("\n")) {
            out.append('\n');
        }
    }

    @Override
    public void flush() {
        output.flush();
    }

    @Override
    public void close() {
        output.close();
    }
}
