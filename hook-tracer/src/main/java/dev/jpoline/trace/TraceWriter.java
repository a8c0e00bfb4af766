package dev.jpoline.trace;

import dev.jpoline.api.Errno;
import dev.jpoline.api.SyscallTable;
import dev.jpoline.host.Orphans;
import dev.jpoline.host.SessionLayout;
import dev.jpoline.trace.format.Payload;
import dev.jpoline.trace.format.SignalInfo;
import dev.jpoline.trace.format.StraceFormatter;
import dev.jpoline.trace.format.SummaryCollector;
import dev.jpoline.trace.format.TraceOptions;
import dev.jpoline.trace.format.TraceRecord;
import dev.jpoline.trace.ring.RingRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * Turns ring records into strace's lines, in ring order (each thread's own order). A syscall
 * recorded in two halves prints as one line when nothing came between its halves, otherwise as
 * strace's {@code <unfinished ...>} / {@code <... resumed>} pair. Not thread-safe: one drainer.
 */
public final class TraceWriter implements AutoCloseable {
    /** What to print. */
    public enum Status { ALL, SUCCESSFUL, FAILED }

    private static final int NR_EXIT = 60;
    private static final int NR_EXIT_GROUP = 231;
    private static final int NR_EXECVE = 59;
    private static final int NR_EXECVEAT = 322;
    private static final int NR_RT_SIGRETURN = 15;
    private static final int NR_WAIT4 = 61;
    private static final Set<Integer> CREATES_PROCESS = Set.of(56, 57, 58, 435);

    private final SyscallTable table = SyscallTable.x86_64();
    private final TraceOptions base;
    private final StraceFormatter plain;
    private final StraceFormatter bracketed;
    private final StraceFormatter fileLines;
    private final Mode mode;
    private final Writer single;
    private final Path ffBase;
    private final Map<Integer, Writer> perThread = new HashMap<>();
    private final IntPredicate selected;
    private final Status status;
    private final boolean lines;
    private final SummaryCollector summary;
    private int topPid;
    private final Map<Integer, RingRecord> pending = new HashMap<>();
    private final Set<Integer> live = new LinkedHashSet<>();
    /** Processes whose end line is written (or, for the top-level one, comes from its status). */
    private final Set<Integer> ended = new java.util.HashSet<>();
    private final Set<Integer> seenPids = new java.util.HashSet<>();
    private Integer openTid;
    private boolean topExitedByRecord;
    private int topExitCode;

    /** stderr: [pid N] prefix while several threads live; FILE: "PID  " prefix; FF: FILE.TID without prefix. */
    public enum Mode { STDERR, FILE, FF }

    private final FdPaths fdPaths;

    /** {@code fdPaths}: -y, annotate descriptors. */
    public TraceWriter(TraceOptions options, boolean fdPaths, Mode mode, Writer single, Path ffBase,
            IntPredicate selected, Status status, boolean lines, boolean summary, int topPid) {
        this.fdPaths = fdPaths ? new FdPaths() : null;
        if (fdPaths) {
            options = options.withFdResolver(this.fdPaths);
        }
        this.base = options;
        this.plain = new StraceFormatter(options.withPidPrefix(TraceOptions.PidPrefix.NONE));
        this.bracketed = new StraceFormatter(options.withPidPrefix(TraceOptions.PidPrefix.BRACKETED));
        this.fileLines = new StraceFormatter(options.withPidPrefix(TraceOptions.PidPrefix.PLAIN));
        this.mode = mode;
        this.single = single;
        this.ffBase = ffBase;
        this.selected = selected;
        this.status = status;
        this.lines = lines;
        this.summary = summary ? new SummaryCollector() : null;
        this.topPid = topPid;
        live.add(topPid);
    }

    public synchronized void setTopPid(int pid) {
        live.remove(topPid);
        topPid = pid;
        live.add(pid);
    }

    public TraceOptions options() {
        return base;
    }

    /** Whether the top-level process ended with exit_group, and with which code. */
    public boolean topExitedByRecord() {
        return topExitedByRecord;
    }

    public synchronized void accept(RingRecord r) {
        live.add(r.tid());
        seenPids.add(r.pid());
        resolveExec(r);
        switch (r.kind()) {
            case FULL -> {
                closeOpen();
                complete(RingRecord.merge(r, r));
            }
            case ENTRY -> {
                if (r.number() == NR_EXIT || r.number() == NR_EXIT_GROUP || r.number() == NR_RT_SIGRETURN) {
                    closeOpen();
                    complete(RingRecord.merge(r, null));
                    if (r.number() != NR_RT_SIGRETURN) {
                        exited(r);
                    }
                    return;
                }
                closeOpen();
                pending.put(r.tid(), r);
                openTid = r.tid();
                if (mode == Mode.FF) {
                    openTid = null; // one thread per file: lines are never interleaved
                }
            }
            case SIGNAL -> signal(r);
            case EXIT -> {
                if (openTid != null && openTid != r.tid()) {
                    closeOpen();
                }
                RingRecord entry = pending.remove(r.tid());
                TraceRecord merged = RingRecord.merge(entry, r);
                if (entry == null || (openTid != null && openTid == r.tid()) || mode == Mode.FF) {
                    if (openTid != null && openTid == r.tid()) {
                        openTid = null;
                    }
                    complete(merged);
                } else {
                    resumed(merged);
                }
            }
        }
    }

    /** A record of a process whose execve is pending means the exec succeeded (the new image speaks). */
    private void resolveExec(RingRecord r) {
        if (pending.isEmpty()) {
            return;
        }
        for (RingRecord p : pending.values().toArray(new RingRecord[0])) {
            if (p.pid() == r.pid() && p != r && (p.number() == NR_EXECVE || p.number() == NR_EXECVEAT)
                    && !(r.kind() == RingRecord.Kind.EXIT && r.tid() == p.tid())) {
                pending.remove(p.tid());
                RingRecord ok = new RingRecord(RingRecord.Kind.EXIT, p.pid(), p.tid(), p.number(), true, p.args(), 0,
                        0, 0, java.util.List.of());
                TraceRecord merged = RingRecord.merge(p, ok);
                if (mode == Mode.FF || (openTid != null && openTid == p.tid())) {
                    openTid = null;
                    complete(merged);
                } else {
                    resumed(merged);
                }
            }
        }
    }

    private void exited(RingRecord r) {
        int code = (int) r.args()[0] & 0xff;
        if (r.number() == NR_EXIT_GROUP) {
            ended.add(r.pid());
        }
        if (r.number() == NR_EXIT_GROUP && r.pid() == topPid) {
            topExitedByRecord = true;
            topExitCode = code;
            return; // the top-level process's end is reported from its wait status
        }
        if (lines) {
            emit(r.tid(), formatter(r.tid()).formatExited(r.tid(), r.entryNanos() == 0 ? TraceRecord.NO_TIME
                    : r.entryNanos(), code));
        }
        live.remove(r.tid());
    }

    /**
     * A process jpoline reaped (an orphan of the program) ended: its end line, unless its records
     * already said how it ended (exit_group, a deadly signal).
     */
    public synchronized void processEnded(Orphans.Ended e) {
        if (e.pid() == topPid || !ended.add(e.pid())) {
            return;
        }
        closeOpen();
        live.add(e.pid()); // for the [pid N] prefix of a process that never made a traced call
        if (lines) {
            StraceFormatter f = formatter(e.pid());
            emit(e.pid(), e.signalled() ? f.formatKilled(e.pid(), TraceRecord.NO_TIME, e.signal(), e.coreDumped())
                    : f.formatExited(e.pid(), TraceRecord.NO_TIME, e.exitCode()));
        }
        live.remove(e.pid());
    }

    /** {@code --- SIGTERM {si_signo=...} ---}; for a signal that kills, the process's end too. */
    private void signal(RingRecord r) {
        closeOpen();
        long nanos = r.entryNanos() == 0 ? TraceRecord.NO_TIME : r.entryNanos();
        if (lines) {
            SignalInfo info = r.parts().isEmpty() || r.parts().get(0).bytes().length < 48
                    ? SignalInfo.sent(r.number(), 0, 0, 0)
                    : SignalInfo.parse(new Payload(r.parts().get(0).bytes(), false));
            emit(r.tid(), formatter(r.tid()).formatSignal(r.tid(), nanos, info));
        }
        boolean kills = (r.args()[0] & SessionLayout.SIGNAL_KILLS) != 0;
        // The top-level process's end comes from its wait status (with "core dumped" when it did).
        if (kills && r.pid() != topPid && ended.add(r.pid())) {
            if (lines) {
                emit(r.tid(), formatter(r.tid()).formatKilled(r.pid(), nanos, r.number(), false));
            }
            live.remove(r.tid());
            live.remove(r.pid());
        }
    }

    private void closeOpen() {
        if (openTid == null) {
            return;
        }
        RingRecord p = pending.get(openTid);
        openTid = null;
        if (p != null && lines && status == Status.ALL && selected.test(p.number())) {
            emit(p.tid(), formatter(p.tid()).formatUnfinished(RingRecord.merge(p, null)));
        }
    }

    private boolean passes(TraceRecord r) {
        if (!selected.test((int) r.number())) {
            return false;
        }
        boolean failed = r.hasReturn() && Errno.fromReturn(r.returnValue()) != 0;
        return switch (status) {
            case ALL -> true;
            case SUCCESSFUL -> r.hasReturn() && !failed;
            case FAILED -> failed;
        };
    }

    private void complete(TraceRecord r) {
        if (fdPaths != null) {
            fdPaths.before(r);
        }
        try {
            completeLine(r);
        } finally {
            if (fdPaths != null) {
                fdPaths.after(r);
            }
        }
    }

    /**
     * A wait4 that reaped a process whose records never said how it ended (SIGKILL leaves none):
     * its end line, from the status the parent got, before the parent's line.
     */
    private void reapedByParent(TraceRecord r) {
        if (CREATES_PROCESS.contains((int) r.number()) && r.hasReturn() && r.returnValue() > 0) {
            seenPids.add((int) r.returnValue()); // traced from its birth, even if it never makes a call
        }
        if (r.number() != NR_WAIT4 || !r.hasReturn() || r.returnValue() <= 0) {
            return;
        }
        int pid = (int) r.returnValue();
        if (!seenPids.contains(pid) || ended.contains(pid)) {
            return;
        }
        r.payload(1).filter(p -> p.bytes().length >= 4).ifPresent(p -> processEnded(new Orphans.Ended(pid,
                java.nio.ByteBuffer.wrap(p.bytes()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(0))));
    }

    private void completeLine(TraceRecord r) {
        reapedByParent(r);
        if (!passes(r)) {
            return;
        }
        if (summary != null && r.hasReturn()) {
            summary.add(r); // strace -c counts calls when they return: exit_group is not in its table
        }
        if (lines) {
            emit(r.tid(), formatter(r.tid()).formatSyscall(r));
        }
    }

    private void resumed(TraceRecord r) {
        if (fdPaths != null) {
            fdPaths.before(r);
        }
        try {
            resumedLine(r);
        } finally {
            if (fdPaths != null) {
                fdPaths.after(r);
            }
        }
    }

    private void resumedLine(TraceRecord r) {
        reapedByParent(r);
        if (!passes(r)) {
            return;
        }
        if (summary != null) {
            summary.add(r);
        }
        if (lines) {
            StraceFormatter f = formatter(r.tid());
            // With a status filter the entry half was never printed: print the whole call.
            emit(r.tid(), status == Status.ALL ? f.formatResumed(r) : f.formatSyscall(r));
        }
    }

    private StraceFormatter formatter(int tid) {
        return switch (mode) {
            case FILE -> fileLines;
            case FF -> plain;
            case STDERR -> live.size() > 1 ? bracketed : plain;
        };
    }

    private void emit(int tid, String text) {
        try {
            Writer w = single;
            if (mode == Mode.FF) {
                w = perThread.get(tid);
                if (w == null) {
                    w = new java.io.BufferedWriter(new java.io.OutputStreamWriter(
                            Files.newOutputStream(Path.of(ffBase + "." + tid)), StandardCharsets.UTF_8), 1 << 16);
                    perThread.put(tid, w);
                }
            }
            w.write(text);
            w.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Prints what is still pending, the top-level process's end and the -c table; flushes. */
    public synchronized void finish(int exitStatus, boolean signalled, int signal) {
        if (openTid != null) {
            closeOpen();
        }
        if (lines) {
            StraceFormatter f = formatter(topPid);
            emit(topPid, signalled ? f.formatKilled(topPid, TraceRecord.NO_TIME, signal, false)
                    : f.formatExited(topPid, TraceRecord.NO_TIME, topExitedByRecord ? topExitCode : exitStatus));
        }
        if (summary != null) {
            try {
                Writer w = mode == Mode.FF ? null : single;
                String table = summary.format();
                if (w != null) {
                    w.write(table);
                    if (!table.endsWith("\n")) {
                        w.write('\n');
                    }
                } else {
                    System.err.print(table);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        flush();
    }

    public void flush() {
        try {
            if (single != null) {
                single.flush();
            }
            for (Writer w : perThread.values()) {
                w.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            flush();
            for (Writer w : perThread.values()) {
                w.close();
            }
            if (single != null && mode != Mode.STDERR) {
                single.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
