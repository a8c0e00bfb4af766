package dev.jpoline.trace;

import dev.jpoline.trace.format.SignalInfo;
import dev.jpoline.trace.format.TraceRecord;

/**
 * Where {@link TraceWriter} sends what it made of the records, once they are put in order,
 * paired and filtered: strace's lines ({@link TextSink}), JSON lines ({@link JsonLinesSink}), a
 * timeline ({@link TimelineSink}). The writer calls a sink from its one drain thread; the -y
 * paths a record's rendering may ask for are only right during the call.
 */
interface TraceSink {
    /** A call in one piece: entry and result together. */
    void call(TraceRecord r);

    /** The entry half of a call another line interrupted (its result comes with {@link #resumed}). */
    void unfinished(TraceRecord entry);

    /** A call that was {@link #unfinished} returned: the whole record, entry and exit merged. */
    void resumed(TraceRecord r);

    /** A signal delivered to a thread; {@code ip}: where it was (strace -i), 0 when unknown. */
    void signal(int pid, int tid, long nanos, long ip, SignalInfo info);

    /** A thread or process ended by exit or exit_group ({@code tid} is the one whose line it is). */
    void exited(int pid, int tid, long nanos, int exitCode);

    /** A process killed by a signal ({@code tid}: the thread whose file the line goes to with -ff). */
    void killed(int pid, int tid, long nanos, int signo, boolean coreDumped);

    /** Hands what is buffered to the output. */
    void flush();

    /** The trace ended: writes what is left and closes what the sink opened. */
    void close();
}
