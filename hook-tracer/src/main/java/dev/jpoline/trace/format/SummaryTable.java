package dev.jpoline.trace.format;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * strace's {@code -c} table: one row per syscall, most time first (ties by syscall number), then a
 * total row, framed by dashes. The syscall column is 16 wide, or one more than the longest name.
 */
public final class SummaryTable {
    private SummaryTable() {
    }

    /** What was counted for one syscall. */
    public record Row(int number, String name, long calls, long errors, long nanos) {
    }

    public static String format(Collection<Row> rows) {
        List<Row> sorted = new ArrayList<>(rows);
        sorted.sort(MOST_TIME_FIRST);
        long totalNanos = 0;
        long totalCalls = 0;
        long totalErrors = 0;
        int nameWidth = 16;
        for (Row row : sorted) {
            totalNanos += row.nanos();
            totalCalls += row.calls();
            totalErrors += row.errors();
            nameWidth = Math.max(nameWidth, row.name().length() + 1);
        }
        String dashes = "------ ----------- ----------- --------- --------- " + "-".repeat(nameWidth) + "\n";
        StringBuilder sb = new StringBuilder();
        sb.append("% time     seconds  usecs/call     calls    errors syscall\n");
        sb.append(dashes);
        for (Row row : sorted) {
            double percent = totalNanos == 0 ? 0.0 : 100.0 * row.nanos() / totalNanos;
            line(sb, percent, row.nanos(), row.calls(), row.errors(), row.name());
        }
        sb.append(dashes);
        line(sb, 100.0, totalNanos, totalCalls, totalErrors, "total");
        return sb.toString();
    }

    /** Most time first, ties by syscall number (a class, not a lambda chain: this runs once, cold). */
    private static final Comparator<Row> MOST_TIME_FIRST = new Comparator<>() {
        @Override
        public int compare(Row a, Row b) {
            int byTime = Long.compare(b.nanos(), a.nanos());
            return byTime != 0 ? byTime : Integer.compare(a.number(), b.number());
        }
    };

    /**
     * One row: {@code "%6.2f %11s %11d %9d %9s %s\n"} of the percentage, seconds, usecs/call, calls,
     * errors (blank when none) and name, formatted without java.util.Formatter, which costs tens of
     * milliseconds to load and warm at the end of a trace.
     */
    private static void line(StringBuilder sb, double percent, long nanos, long calls, long errors, String name) {
        long micros = nanos / 1000;
        long perCall = calls == 0 ? 0 : micros / calls;
        String fraction = Long.toString(micros % 1_000_000);
        String seconds = (micros / 1_000_000) + "." + "000000".substring(fraction.length()) + fraction;
        pad(sb, fixed2(percent), 6).append(' ');
        pad(sb, seconds, 11).append(' ');
        pad(sb, Long.toString(perCall), 11).append(' ');
        pad(sb, Long.toString(calls), 9).append(' ');
        pad(sb, errors == 0 ? "" : Long.toString(errors), 9).append(' ');
        sb.append(name).append('\n');
    }

    private static StringBuilder pad(StringBuilder sb, String s, int width) {
        for (int i = s.length(); i < width; i++) {
            sb.append(' ');
        }
        return sb.append(s);
    }

    /** {@code String.format(Locale.ROOT, "%.2f", v)} for a finite v: Double.toString's digits, rounded half up. */
    static String fixed2(double v) {
        return new BigDecimal(Double.toString(v)).setScale(2, RoundingMode.HALF_UP).toPlainString();
    }
}
