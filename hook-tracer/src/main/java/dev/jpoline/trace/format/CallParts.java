package dev.jpoline.trace.format;

import java.util.Arrays;

/**
 * One call as strace renders it, in pieces rather than as a line: each argument's text with the
 * register it shows, and the result's text. For the outputs that are not strace's lines (JSON,
 * the timeline), which keep the arguments apart. Filled by {@link StraceFormatter#render}; reused
 * from call to call. Not thread-safe.
 */
public final class CallParts {
    /** The register of an argument that shows no register (rt_sigreturn's {mask=...}). */
    public static final int NO_REGISTER = -1;

    final LineBuffer text = new LineBuffer(512);
    private int[] starts = new int[8];
    private int[] ends = new int[8];
    private int[] registers = new int[8];
    private int count;
    private int resultStart;
    private int resultEnd;
    String name;
    boolean returned;

    void clear() {
        text.clear();
        count = 0;
    }

    /**
     * An argument starts at {@code start}; the one before it, if any, ended at {@code previousEnd}
     * (before the ", " that separates them).
     */
    void begin(int previousEnd, int start, int register) {
        if (count > 0) {
            ends[count - 1] = previousEnd;
        }
        if (count == starts.length) {
            starts = Arrays.copyOf(starts, count * 2);
            ends = Arrays.copyOf(ends, count * 2);
            registers = Arrays.copyOf(registers, count * 2);
        }
        starts[count] = start;
        registers[count] = register;
        count++;
    }

    /** The arguments end at {@code end}; the result's text follows from {@code end} to the buffer's end. */
    void endArguments(int end) {
        if (count > 0) {
            ends[count - 1] = end;
        }
        resultStart = end;
    }

    void endResult(int end) {
        resultEnd = end;
    }

    /** The syscall's name (syscall_0x1f4 for a number the table does not know). */
    public String name() {
        return name;
    }

    /**
     * Whether the call has a result to show: false for a call that did not return and for one
     * that never returns when it works (exit_group), whose result strace prints as {@code ?}.
     */
    public boolean returned() {
        return returned;
    }

    /** How many arguments strace prints (open without O_CREAT: two, not the table's three). */
    public int count() {
        return count;
    }

    /** Which register argument {@code i} shows, 0..5, or {@link #NO_REGISTER}. */
    public int register(int i) {
        return registers[i];
    }

    /** The buffer the texts are in, as UTF-8 (ASCII but for what -y's paths add). */
    public byte[] bytes() {
        return text.array();
    }

    public int argumentStart(int i) {
        return starts[i];
    }

    public int argumentEnd(int i) {
        return ends[i];
    }

    public int resultStart() {
        return resultStart;
    }

    public int resultEnd() {
        return resultEnd;
    }

    /** Argument {@code i}'s text, decoded (for tests and messages). */
    public String argument(int i) {
        return new String(text.array(), starts[i], ends[i] - starts[i], java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The result's text ({@code 3}, {@code -1 ENOENT (No such file or directory)}, {@code ?}). */
    public String result() {
        return new String(text.array(), resultStart, resultEnd - resultStart, java.nio.charset.StandardCharsets.UTF_8);
    }
}
