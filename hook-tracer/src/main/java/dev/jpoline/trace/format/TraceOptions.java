package dev.jpoline.trace.format;

import dev.jpoline.api.consts.XlatStyle;
import java.time.ZoneId;
import java.util.Objects;

/**
 * The strace options that change how a line looks. Build with {@link #defaults()} and the
 * {@code with...} methods; instances are immutable.
 *
 * @param stringLimit   {@code -s}: how many bytes of a string or buffer to print (default 32)
 * @param xlatStyle     {@code -X}: how constants print
 * @param timestamps    {@code -t}, {@code -tt}, {@code -ttt}
 * @param showDuration  {@code -T}: append the time spent in the syscall
 * @param fdResolver    {@code -y}: annotate descriptors with what they refer to; null for none
 * @param pidPrefix     how the line names its thread
 * @param alignColumn   {@code -a}: the column the " = result" part is aligned to (default 40)
 * @param zone          time zone for -t and -tt; null for the system's, looked up when first asked
 *                      for (loading the zone database costs 10-15 ms, which only -t and -tt need)
 * @param syscallNumbers {@code -n}: "[  59] " before the call, the thread's last syscall on its
 *                      other lines, as strace prints it
 * @param relativeTimestamps {@code -r}: the time since the previous line, "     0.001533 " (with
 *                      -t: "23:33:07 (+     0.001533) ")
 * @param instructionPointer {@code -i}: "[00007f2a45623c47] ", the address after the call's syscall
 *                      instruction; sixteen '?' where it is not known (exit lines)
 */
public record TraceOptions(int stringLimit, XlatStyle xlatStyle, Timestamps timestamps, boolean showDuration,
        FdResolver fdResolver, PidPrefix pidPrefix, int alignColumn, ZoneId zone, boolean syscallNumbers,
        boolean relativeTimestamps, boolean instructionPointer) {

    /** strace's timestamp options. */
    public enum Timestamps {
        /** No timestamp. */
        NONE,
        /** {@code -t}: wall clock time, {@code 11:41:09}. */
        TIME,
        /** {@code -tt}: with microseconds, {@code 11:41:09.015539}. */
        TIME_MICROS,
        /** {@code -ttt}: seconds since the epoch with microseconds, {@code 1795434069.026960}. */
        EPOCH_MICROS
    }

    /** How the thread is named at the start of a line. */
    public enum PidPrefix {
        /** Nothing: one traced thread. */
        NONE,
        /** {@code [pid  1234] }: strace -f writing to a terminal while several threads are traced. */
        BRACKETED,
        /** {@code 1234  }: strace -f -o file. */
        PLAIN
    }

    public TraceOptions {
        if (stringLimit < 0) {
            throw new IllegalArgumentException("string limit must be >= 0");
        }
        Objects.requireNonNull(xlatStyle, "xlatStyle");
        Objects.requireNonNull(timestamps, "timestamps");
        Objects.requireNonNull(pidPrefix, "pidPrefix");
    }

    /** The time zone of -t and -tt: the one given, else the system's. */
    @Override
    public ZoneId zone() {
        return zone != null ? zone : ZoneId.systemDefault();
    }

    /** strace's defaults: -s 32, -X abbrev, no timestamps, no -T, no -y, no pid prefix, -a 40. */
    public static TraceOptions defaults() {
        return new TraceOptions(32, XlatStyle.ABBREV, Timestamps.NONE, false, null, PidPrefix.NONE, 40, null, false, false, false);
    }

    public TraceOptions withStringLimit(int limit) {
        return new TraceOptions(limit, xlatStyle, timestamps, showDuration, fdResolver, pidPrefix, alignColumn, zone, syscallNumbers, relativeTimestamps, instructionPointer);
    }

    public TraceOptions withXlatStyle(XlatStyle style) {
        return new TraceOptions(stringLimit, style, timestamps, showDuration, fdResolver, pidPrefix, alignColumn, zone, syscallNumbers, relativeTimestamps, instructionPointer);
    }

    public TraceOptions withTimestamps(Timestamps t) {
        return new TraceOptions(stringLimit, xlatStyle, t, showDuration, fdResolver, pidPrefix, alignColumn, zone, syscallNumbers, relativeTimestamps, instructionPointer);
    }

    public TraceOptions withDuration(boolean show) {
        return new TraceOptions(stringLimit, xlatStyle, timestamps, show, fdResolver, pidPrefix, alignColumn, zone, syscallNumbers, relativeTimestamps, instructionPointer);
    }

    public TraceOptions withFdResolver(FdResolver resolver) {
        return new TraceOptions(stringLimit, xlatStyle, timestamps, showDuration, resolver, pidPrefix, alignColumn,
                zone, syscallNumbers, relativeTimestamps, instructionPointer);
    }

    public TraceOptions withPidPrefix(PidPrefix prefix) {
        return new TraceOptions(stringLimit, xlatStyle, timestamps, showDuration, fdResolver, prefix, alignColumn,
                zone, syscallNumbers, relativeTimestamps, instructionPointer);
    }

    public TraceOptions withAlignColumn(int column) {
        return new TraceOptions(stringLimit, xlatStyle, timestamps, showDuration, fdResolver, pidPrefix, column, zone, syscallNumbers, relativeTimestamps, instructionPointer);
    }

    public TraceOptions withSyscallNumbers(boolean on) {
        return new TraceOptions(stringLimit, xlatStyle, timestamps, showDuration, fdResolver, pidPrefix, alignColumn, zone,
                on, relativeTimestamps, instructionPointer);
    }

    public TraceOptions withRelativeTimestamps(boolean on) {
        return new TraceOptions(stringLimit, xlatStyle, timestamps, showDuration, fdResolver, pidPrefix, alignColumn, zone,
                syscallNumbers, on, instructionPointer);
    }

    public TraceOptions withInstructionPointer(boolean on) {
        return new TraceOptions(stringLimit, xlatStyle, timestamps, showDuration, fdResolver, pidPrefix, alignColumn, zone,
                syscallNumbers, relativeTimestamps, on);
    }

    public TraceOptions withZone(ZoneId z) {
        return new TraceOptions(stringLimit, xlatStyle, timestamps, showDuration, fdResolver, pidPrefix, alignColumn, z, syscallNumbers, relativeTimestamps, instructionPointer);
    }
}
