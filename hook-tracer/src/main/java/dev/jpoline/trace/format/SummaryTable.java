package dev.jpoline.trace.format;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

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
        sorted.sort(Comparator.comparingLong(Row::nanos).reversed().thenComparingInt(Row::number));
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

    private static void line(StringBuilder sb, double percent, long nanos, long calls, long errors, String name) {
        long micros = nanos / 1000;
        long perCall = calls == 0 ? 0 : micros / calls;
        String seconds = (micros / 1_000_000) + "." + String.format(Locale.ROOT, "%06d", micros % 1_000_000);
        sb.append(String.format(Locale.ROOT, "%6.2f %11s %11d %9d %9s %s%n", percent, seconds, perCall, calls,
                errors == 0 ? "" : Long.toString(errors), name).replace(System.lineSeparator(), "\n"));
    }
}
