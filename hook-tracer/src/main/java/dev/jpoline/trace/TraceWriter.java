package dev.jpoline.trace;

import dev.jpoline.api.Errno;
import dev.jpoline.host.Orphans;
import dev.jpoline.host.SessionLayout;
import dev.jpoline.trace.format.IoDump;
import dev.jpoline.trace.format.Payload;
import dev.jpoline.trace.format.SignalInfo;
import dev.jpoline.trace.format.SummaryCollector;
import dev.jpoline.trace.format.SummaryTable;
import dev.jpoline.trace.format.TraceOptions;
import dev.jpoline.trace.format.TraceRecord;
import dev.jpoline.trace.ring.RecordView;
import dev.jpoline.trace.ring.RingRecord;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * Turns ring records into strace's lines, in ring order (each thread's own order). A syscall
 * recorded in two halves prints as one line when nothing came between its halves, otherwise as
 * strace's {@code <unfinished ...>} / {@code <... resumed>} pair. Not thread-safe: one drainer.
 *
 * <p>The writer decides what happened (which calls, in which order, paired how, filtered, which
 * processes ended how); its sinks write it down: strace's text or JSON lines, and a timeline
 * ({@link TraceSink}).
 */
public final class TraceWriter implements AutoCloseable {
    /** What to print. */
    public enum Status { ALL, SUCCESSFUL, FAILED }

    /** What the lines are: none (-c), strace's text, or JSON objects (--json). */
    public enum Lines { NONE, TEXT, JSON }

    private static final int NR_EXIT = 60;
    private static final int NR_EXIT_GROUP = 231;
    private static final int NR_EXECVE = 59;
    private static final int NR_EXECVEAT = 322;
    private static final int NR_RT_SIGRETURN = 15;
    private static final int NR_WAIT4 = 61;
    private static final int NR_CLONE = 56;
    private static final int NR_FORK = 57;
    private static final int NR_VFORK = 58;
    private static final int NR_CLONE3 = 435;
    private static final int SELECTED_CACHE = 1024;
    private static final long CLONE_THREAD = 0x10000;

    private final TraceOptions base;
    private final Mode mode;
    /** The text sink, also for -c's table; null with --json. */
    private final TextSink text;
    /** Every sink: the line sink, then the timeline if there is one. */
    private final TraceSink[] sinks;
    private final TimelineSink timeline;
    private final IntPredicate selected;
    /** {@link #selected}'s answers for small numbers: 0 not asked yet, 1 yes, 2 no. */
    private final byte[] selectedCache = new byte[SELECTED_CACHE];
    private final Status status;
    private final SummaryCollector summary;
    private SummaryTable.Layout summaryLayout = SummaryTable.Layout.DEFAULT;
    private int topPid;
    private final Map<Integer, RingRecord> pending = new HashMap<>();
    /** Threads known to be alive (for STDERR's [pid N] prefix), and the last one added. */
    private final IntSet live = new IntSet();
    private int lastLive = Integer.MIN_VALUE;
    /** Processes whose end line is written (or, for the top-level one, comes from its status). */
    private final IntSet ended = new IntSet();
    /** Processes seen (a record, or a birth by a traced clone/fork), and the last one added. */
    private final IntSet seenPids = new IntSet();
    private int lastSeenPid = Integer.MIN_VALUE;
    private Integer openTid;
    private boolean topExitedByRecord;
    /** The top-level process's end line is written already: its wait status came while orphans ran on. */
    private boolean topEndWritten;
    private int topExitCode;

    /** stderr: [pid N] prefix while several threads live; FILE: "PID  " prefix; FF: FILE.TID without prefix. */
    public enum Mode { STDERR, FILE, FF }

    /** -y, -yy, -P: what descriptors refer to; null when none of them is given. */
    private FdPaths fdPaths;
    /** -P: the paths whose calls print; null for all. */
    private PathTrace pathTrace;
    /** -P: threads whose held entry half does not access the paths (decided at the entry, as strace decides). */
    private final IntSet pathMissed = new IntSet();
    /** -P: threads whose held entry half lacks what -P compares (poll's array is copied at the exit): decided at the exit. */
    private final IntSet pathUndecided = new IntSet();
    /** -e signal=: the signals whose lines print (and whose "killed by" line does). */
    private SignalSet signals = SignalSet.all();
    /** -qq, -e quiet=exit: no "+++ exited with N +++" lines. */
    private boolean quietExits;
    /** --syscall-limit: calls still to print before the trace stops (-1: no limit). */
    private long callsLeft = -1;
    private Runnable limitReached;
    /** The limit was reached: nothing more is written but -c's table. */
    private boolean stopped;

    /**
     * Lines go to {@code single} (STDERR and FILE modes) or to files {@code ffBase.TID} (FF).
     * {@code fdPaths}: -y, annotate descriptors. {@code selected} says which syscall numbers print;
     * it must give the same answer every time it is asked about a number (answers are kept).
     */
    public TraceWriter(TraceOptions options, boolean fdPaths, Mode mode, Writer single, Path ffBase,
            IntPredicate selected, Status status, boolean lines, boolean summary, int topPid) {
        this(options, fdPaths, mode, single, null, ffBase, selected, status, lines, summary, topPid);
    }

    /**
     * As above, writing to a byte stream: the lines' UTF-8 bytes go to {@code single} as they are,
     * without a charset encoder in between (the cheapest way to write a trace file).
     */
    public TraceWriter(TraceOptions options, boolean fdPaths, Mode mode, OutputStream single, Path ffBase,
            IntPredicate selected, Status status, boolean lines, boolean summary, int topPid) {
        this(options, fdPaths, mode, null, single, ffBase, selected, status, lines, summary, topPid);
    }

    /**
     * As above, with the lines' format and a timeline: {@code lines} says what the lines are,
     * {@code timeline} (or null) gets every call and event besides. JSON lines have no room for
     * -c's table: {@code summary} must then be false.
     */
    public TraceWriter(TraceOptions options, boolean fdPaths, Mode mode, OutputStream single, Path ffBase,
            IntPredicate selected, Status status, Lines lines, boolean summary, int topPid, TimelineSink timeline) {
        this(options, fdPaths, mode, null, single, ffBase, selected, status, lines, summary, topPid, timeline);
    }

    private TraceWriter(TraceOptions options, boolean fdPaths, Mode mode, Writer single, OutputStream singleStream,
            Path ffBase, IntPredicate selected, Status status, boolean lines, boolean summary, int topPid) {
        this(options, fdPaths, mode, single, singleStream, ffBase, selected, status, lines ? Lines.TEXT : Lines.NONE,
                summary, topPid, null);
    }

    private TraceWriter(TraceOptions options, boolean fdPaths, Mode mode, Writer single, OutputStream singleStream,
            Path ffBase, IntPredicate selected, Status status, Lines lines, boolean summary, int topPid,
            TimelineSink timeline) {
        if (lines == Lines.JSON && summary) {
            throw new IllegalArgumentException("JSON lines have no place for -c's table");
        }
        this.fdPaths = fdPaths ? new FdPaths() : null;
        if (fdPaths) {
            options = options.withFdResolver(this.fdPaths);
        }
        this.base = options;
        this.mode = mode;
        TraceOutput output = new TraceOutput(single, singleStream, mode != Mode.STDERR, mode == Mode.FF ? ffBase : null);
        TraceSink lineSink;
        if (lines == Lines.JSON) {
            this.text = null;
            lineSink = new JsonLinesSink(options, output);
        } else {
            this.text = new TextSink(options, mode, output, lines == Lines.TEXT, live);
            lineSink = text;
        }
        this.timeline = timeline;
        this.sinks = timeline == null ? new TraceSink[] {lineSink} : new TraceSink[] {lineSink, timeline};
        if (timeline != null) {
            timeline.renderWith(options);
            timeline.topProcess(topPid);
        }
        this.selected = selected;
        this.status = status;
        this.summary = summary ? new SummaryCollector() : null;
        this.topPid = topPid;
        live.add(topPid);
    }

    /**
     * {@code -yy}: descriptors print with strace's -yy details (a socket's protocol and addresses, a
     * device's numbers, a pidfd's process) instead of -y's paths. Needs a writer made with
     * {@code fdPaths}; call before the first record.
     */
    public synchronized void detailedFds() {
        if (fdPaths == null) {
            throw new IllegalStateException("-yy needs a writer made with fdPaths (-y)");
        }
        fdPaths.detailed(new SocketDetails(SocketDetails.KERNEL));
    }

    /** {@code -P}: print only the calls that access these paths (strace's rules); call before the first record. */
    public synchronized void tracePaths(PathTrace paths) {
        if (fdPaths == null) {
            fdPaths = new FdPaths(); // followed for the comparison, not printed without -y
        }
        fdPaths.realPaths();
        this.pathTrace = paths;
    }

    /** -e read= and -e write=: the data to dump after the calls' lines (or in their JSON objects). */
    public synchronized TraceWriter withIoDump(IoDump dump) {
        if (text != null) {
            text.dump(dump);
        }
        for (TraceSink s : sinks) {
            if (s instanceof JsonLinesSink j) {
                j.dump(dump);
            }
        }
        return this;
    }

    /** -S and -U: how -c's table is sorted and which columns it has (before the trace ends). */
    public synchronized TraceWriter withSummaryLayout(SummaryTable.Layout layout) {
        this.summaryLayout = java.util.Objects.requireNonNull(layout, "layout");
        return this;
    }

    /** -e signal=: only these signals' lines, and "killed by" lines only for them (as strace). */
    public synchronized TraceWriter withSignals(SignalSet set) {
        this.signals = set;
        return this;
    }

    /** -qq or -e quiet=exit: no exit lines. */
    public synchronized TraceWriter withQuietExits(boolean on) {
        this.quietExits = on;
        return this;
    }

    /**
     * --syscall-limit: after {@code limit} calls that pass every filter (counted when they
     * return, as strace counts them), {@code reached} runs once on the drain thread and nothing
     * more is written but -c's table.
     */
    public synchronized TraceWriter withSyscallLimit(long limit, Runnable reached) {
        this.callsLeft = limit;
        this.limitReached = reached;
        return this;
    }

    /** Whether --syscall-limit stopped the trace. */
    public synchronized boolean limitReached() {
        return stopped;
    }

    public synchronized void setTopPid(int pid) {
        gone(topPid);
        topPid = pid;
        live.add(pid);
        if (fdPaths != null) {
            fdPaths.started(pid); // it waits for the host now: its working directory can be read
        }
        if (timeline != null) {
            timeline.topProcess(pid);
        }
    }

    public TraceOptions options() {
        return base;
    }

    /** Whether the top-level process ended with exit_group, and with which code. */
    public boolean topExitedByRecord() {
        return topExitedByRecord;
    }

    /**
     * A record as the drain decoded it in place. A whole call (FULL) is formatted straight from
     * the view; the halves of a split call are copied, since an entry may wait for its exit.
     */
    public synchronized void accept(RecordView v) {
        if (stopped) {
            return;
        }
        if (v.kind() != RingRecord.Kind.FULL) {
            accept(v.toRecord());
            return;
        }
        int tid = v.ringTid();
        alive(tid);
        seen(v.pid());
        if (!pending.isEmpty()) {
            resolveExec(v.pid(), tid, false, null);
        }
        closeOpen();
        complete(v, false); // the view reads as RingRecord.merge(r, r)
    }

    public synchronized void accept(RingRecord r) {
        if (stopped) {
            return;
        }
        alive(r.tid());
        seen(r.pid());
        if (!pending.isEmpty()) {
            resolveExec(r.pid(), r.tid(), r.kind() == RingRecord.Kind.EXIT, r);
        }
        switch (r.kind()) {
            case FULL -> {
                closeOpen();
                complete(RingRecord.merge(r, r), false);
            }
            case ENTRY -> {
                if (r.number() == NR_EXIT || r.number() == NR_EXIT_GROUP || r.number() == NR_RT_SIGRETURN) {
                    closeOpen();
                    complete(RingRecord.merge(r, null), false);
                    if (r.number() != NR_RT_SIGRETURN) {
                        exited(r);
                    }
                    return;
                }
                closeOpen();
                pending.put(r.tid(), r);
                if (pathTrace != null) {
                    // strace decides at the entry, from the descriptors as they are then.
                    TraceRecord held = RingRecord.merge(r, null);
                    pathMissed.remove(r.tid());
                    pathUndecided.remove(r.tid());
                    if (pathTrace.decidedAtExit(held)) {
                        pathUndecided.add(r.tid());
                    } else if (!pathTrace.matches(held, fdPaths)) {
                        pathMissed.add(r.tid());
                    }
                }
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
                    complete(merged, entry != null);
                } else {
                    resumed(merged);
                }
            }
        }
    }

    private void alive(int tid) {
        if (tid != lastLive) {
            live.add(tid);
            lastLive = tid;
        }
    }

    /** A thread or process is no longer alive. */
    private void gone(int tid) {
        live.remove(tid);
        lastLive = Integer.MIN_VALUE;
    }

    private void seen(int pid) {
        if (pid != lastSeenPid) {
            if (seenPids.add(pid) && fdPaths != null) {
                born(pid);
            }
            lastSeenPid = pid;
        }
    }

    /**
     * A process's first record came before its parent's fork-like call returned: its descriptors
     * are those of the one process with such a call under way (none, or several: its parent's
     * result says, when it comes).
     */
    private void born(int pid) {
        int parent = 0;
        for (RingRecord p : pending.values()) {
            if (p.pid() != pid && startsProcess(RingRecord.merge(p, null))) {
                if (parent != 0 && parent != p.pid()) {
                    return;
                }
                parent = p.pid();
            }
        }
        if (parent != 0) {
            fdPaths.inherit(parent, pid);
        }
    }

    /** Whether the call makes a process (fork, vfork, clone or clone3 without CLONE_THREAD), not a thread. */
    private static boolean startsProcess(TraceRecord r) {
        int nr = (int) r.number();
        if (nr == NR_FORK || nr == NR_VFORK) {
            return true;
        }
        if (nr == NR_CLONE) {
            return (r.arg(0) & CLONE_THREAD) == 0;
        }
        if (nr == NR_CLONE3) {
            Payload args = r.payloadOrNull(0);
            return args != null && args.length() >= 8 && (args.le(0, 8) & CLONE_THREAD) == 0;
        }
        return false;
    }

    /**
     * A record of a process whose execve is pending means the exec succeeded (the new image speaks).
     * {@code self} is the record itself when it is a held one (it is then never its own exec's end).
     */
    private void resolveExec(int pid, int tid, boolean isExit, RingRecord self) {
        for (RingRecord p : pending.values().toArray(new RingRecord[0])) {
            if (p.pid() == pid && p != self && (p.number() == NR_EXECVE || p.number() == NR_EXECVEAT)
                    && !(isExit && tid == p.tid())) {
                pending.remove(p.tid());
                RingRecord ok = new RingRecord(RingRecord.Kind.EXIT, p.pid(), p.tid(), p.number(), true, p.args(), 0,
                        0, 0, java.util.List.of(), false);
                TraceRecord merged = RingRecord.merge(p, ok);
                if (mode == Mode.FF || (openTid != null && openTid == p.tid())) {
                    openTid = null;
                    complete(merged, true);
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
            if (fdPaths != null) {
                fdPaths.forget(r.pid());
            }
        }
        if (r.number() == NR_EXIT_GROUP && r.pid() == topPid) {
            topExitedByRecord = true;
            topExitCode = code;
            return; // the top-level process's end is reported from its wait status
        }
        long nanos = r.entryNanos() == 0 ? TraceRecord.NO_TIME : r.entryNanos();
        if (!quietExits) {
            for (TraceSink s : sinks) {
                s.exited(r.pid(), r.tid(), nanos, code);
            }
        }
        gone(r.tid());
    }

    /**
     * A process jpoline reaped (an orphan of the program) ended: its end line, unless its records
     * already said how it ended (exit_group, a deadly signal).
     */
    public synchronized void processEnded(Orphans.Ended e) {
        if (fdPaths != null) {
            fdPaths.forget(e.pid());
        }
        if (e.pid() == topPid) {
            topEnded(e);
            return;
        }
        if (stopped || !ended.add(e.pid())) {
            return;
        }
        closeOpen();
        live.add(e.pid()); // for the [pid N] prefix of a process that never made a traced call
        endLine(e.pid(), e.signalled(), e.signal(), e.coreDumped(), e.exitCode());
        gone(e.pid());
    }

    /** A process's {@code +++ killed by +++} or {@code +++ exited with +++} line, as -e signal= and -qq allow. */
    private void endLine(int pid, boolean signalled, int signal, boolean coreDumped, int exitCode) {
        if (signalled ? !signals.contains(signal) : quietExits) {
            return;
        }
        for (TraceSink s : sinks) {
            if (signalled) {
                s.killed(pid, pid, TraceRecord.NO_TIME, signal, coreDumped);
            } else {
                s.exited(pid, pid, TraceRecord.NO_TIME, exitCode);
            }
        }
    }

    /** {@code --- SIGTERM {si_signo=...} ---}; for a signal that kills, the process's end too. */
    private void signal(RingRecord r) {
        closeOpen();
        long nanos = r.entryNanos() == 0 ? TraceRecord.NO_TIME : r.entryNanos();
        SignalInfo info = r.parts().isEmpty() || r.parts().get(0).bytes().length < 48
                ? SignalInfo.sent(r.number(), 0, 0, 0)
                : SignalInfo.parse(new Payload(r.parts().get(0).bytes(), false));
        boolean shown = signals.contains(r.number());
        if (shown) {
            for (TraceSink s : sinks) {
                s.signal(r.pid(), r.tid(), nanos, r.ip(), info);
            }
        }
        boolean kills = (r.args()[0] & SessionLayout.SIGNAL_KILLS) != 0;
        // The top-level process's end comes from its wait status (with "core dumped" when it did).
        if (kills && fdPaths != null) {
            fdPaths.forget(r.pid());
        }
        if (kills && r.pid() != topPid && ended.add(r.pid())) {
            if (shown) {
                for (TraceSink s : sinks) {
                    s.killed(r.pid(), r.tid(), nanos, r.number(), false);
                }
            }
            gone(r.tid());
            gone(r.pid());
        }
    }

    private void closeOpen() {
        if (openTid == null) {
            return;
        }
        RingRecord p = pending.get(openTid);
        openTid = null;
        if (p != null && status == Status.ALL && isSelected(p.number()) && !pathMissed.contains(p.tid())
                && !pathUndecided.contains(p.tid())) {
            TraceRecord entry = RingRecord.merge(p, null);
            for (TraceSink s : sinks) {
                s.unfinished(entry);
            }
        }
    }

    private boolean isSelected(long number) {
        int n = (int) number;
        if (n >= 0 && n < SELECTED_CACHE) {
            byte known = selectedCache[n];
            if (known == 0) {
                known = selected.test(n) ? (byte) 1 : (byte) 2;
                selectedCache[n] = known;
            }
            return known == 1;
        }
        return selected.test(n);
    }

    /** Whether the call prints (and counts): selected by -e trace=, on -P's paths ({@code onPath}), of the status asked for. */
    private boolean passes(TraceRecord r, boolean onPath) {
        if (!onPath || !isSelected(r.number())) {
            return false;
        }
        return switch (status) {
            case ALL -> true;
            case SUCCESSFUL -> r.hasReturn() && Errno.fromReturn(r.returnValue()) == 0;
            case FAILED -> r.hasReturn() && Errno.fromReturn(r.returnValue()) != 0;
        };
    }

    /** A call's line; {@code held}: its entry half was held (-P decided then). */
    private void complete(TraceRecord r, boolean held) {
        boolean onPath = onPath(r, held);
        if (fdPaths != null) {
            fdPaths.before(r);
        }
        try {
            completeLine(r, onPath);
        } finally {
            if (fdPaths != null) {
                fdPaths.after(r);
            }
        }
    }

    /**
     * -P: whether the call accesses the paths, decided from the descriptors as they were before it
     * ran (strace asks at the entry); for a held entry, the answer given when it was held.
     */
    private boolean onPath(TraceRecord r, boolean held) {
        if (pathTrace == null) {
            return true;
        }
        if (held) {
            boolean missed = pathMissed.contains(r.tid());
            pathMissed.remove(r.tid());
            if (pathUndecided.contains(r.tid())) {
                pathUndecided.remove(r.tid());
                return pathTrace.matches(r, fdPaths);
            }
            return !missed;
        }
        return pathTrace.matches(r, fdPaths);
    }

    /**
     * A wait4 that reaped a process whose records never said how it ended (SIGKILL leaves none):
     * its end line, from the status the parent got, before the parent's line.
     */
    private void reapedByParent(TraceRecord r) {
        int nr = (int) r.number();
        boolean creates = nr == NR_CLONE || nr == NR_FORK || nr == NR_VFORK || nr == NR_CLONE3;
        if ((!creates && nr != NR_WAIT4) || !r.hasReturn() || r.returnValue() <= 0) {
            return; // neither creates nor reaps a process: the common case, without a lookup
        }
        int pid = (int) r.returnValue();
        if (creates) {
            if (fdPaths != null && startsProcess(r)) {
                fdPaths.inherit(r.pid(), pid);
            }
            seenPids.add(pid); // traced from its birth, even if it never makes a call
            return;
        }
        if (!seenPids.contains(pid) || ended.contains(pid)) {
            return;
        }
        Payload status = r.payloadOrNull(1);
        // Only an end: a stopped or continued child (WUNTRACED, WCONTINUED, a tracer's wait) lives on.
        if (status != null && status.length() >= 4 && isEnd((int) status.le(0, 4))) {
            processEnded(new Orphans.Ended(pid, (int) status.le(0, 4)));
        }
    }

    /** Whether a wait status says the process ended (exited or killed), not stopped or continued. */
    private static boolean isEnd(int waitStatus) {
        return (waitStatus & 0x7f) != 0x7f && waitStatus != 0xffff;
    }

    private void completeLine(TraceRecord r, boolean onPath) {
        reapedByParent(r);
        if (!passes(r, onPath)) {
            return;
        }
        if (summary != null && r.hasReturn()) {
            summary.add(r); // strace -c counts calls when they return: exit_group is not in its table
        }
        for (TraceSink s : sinks) {
            s.call(r);
        }
        if (r.hasReturn()) {
            counted();
        }
    }

    /** --syscall-limit: one more call printed (or counted); the last one stops the trace. */
    private void counted() {
        if (callsLeft > 0 && --callsLeft == 0) {
            stopped = true;
            pending.clear();
            openTid = null;
            flush();
            if (limitReached != null) {
                limitReached.run();
            }
        }
    }

    private void resumed(TraceRecord r) {
        boolean entryShown = !pathUndecided.contains(r.tid());
        boolean onPath = onPath(r, true);
        if (fdPaths != null) {
            fdPaths.before(r);
        }
        try {
            resumedLine(r, onPath, entryShown);
        } finally {
            if (fdPaths != null) {
                fdPaths.after(r);
            }
        }
    }

    private void resumedLine(TraceRecord r, boolean onPath, boolean entryShown) {
        reapedByParent(r);
        if (!passes(r, onPath)) {
            return;
        }
        if (summary != null) {
            summary.add(r);
        }
        for (TraceSink s : sinks) {
            // With a status filter (or -P deciding at the exit) the entry half was never printed:
            // print the whole call.
            if (status == Status.ALL && entryShown) {
                s.resumed(r);
            } else {
                s.call(r);
            }
        }
        counted();
    }

    /**
     * The top-level process was reaped (the window's follower reaps it): its end line now, where
     * strace writes it, before the lines of orphans that run on; its records are all written
     * (the drain hands ends over only with the ring empty). The exit code is exit_group's when
     * it made one; a signal's end says (core dumped) as the wait status does.
     */
    private void topEnded(Orphans.Ended e) {
        if (topEndWritten) {
            return;
        }
        topEndWritten = true;
        closeOpen();
        // After --syscall-limit the program's end is not part of the trace.
        if (!stopped) {
            endLine(topPid, e.signalled() && !topExitedByRecord, e.signal(), e.coreDumped(),
                    topExitedByRecord ? topExitCode : e.exitCode());
        }
        gone(topPid); // the orphans' lines lose the [pid N] prefix once they are the only ones left, as strace's
    }

    /** Prints what is still pending, the top-level process's end (unless written already) and the -c table; flushes. */
    public synchronized void finish(int exitStatus, boolean signalled, int signal) {
        if (openTid != null) {
            closeOpen();
        }
        // After --syscall-limit the program's end is not part of the trace.
        if (!topEndWritten && !stopped) {
            endLine(topPid, signalled, signal, false, topExitedByRecord ? topExitCode : exitStatus);
        }
        if (summary != null) {
            text.table(summary.format(summaryLayout));
        }
        flush();
    }

    /**
     * The end of a trace of processes jpoline attached to and left running ({@code trace -p}):
     * no exit line for the top process unless it exited while traced (as strace -p).
     */
    public synchronized void finishDetached() {
        if (openTid != null) {
            closeOpen();
        }
        if (topExitedByRecord && !stopped) {
            endLine(topPid, false, 0, false, topExitCode);
        }
        if (summary != null) {
            text.table(summary.format(summaryLayout));
        }
        flush();
    }

    public synchronized void flush() {
        for (TraceSink s : sinks) {
            s.flush();
        }
    }

    @Override
    public synchronized void close() {
        for (TraceSink s : sinks) {
            s.close();
        }
    }
}
