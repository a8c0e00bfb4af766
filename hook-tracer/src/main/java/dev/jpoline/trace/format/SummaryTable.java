package dev.jpoline.trace.format;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * strace's {@code -c} table (strace 6.1's count.c): one row per syscall, sorted as {@code -S}
 * says (most total time first by default, ties in syscall-number order), then a total row, framed
 * by dashes, with the columns {@code -U} names. Numbers are computed and rounded as strace's
 * printf does with its doubles, so equal times give equal text.
 */
public final class SummaryTable {
    private SummaryTable() {
    }

    /** What was counted for one syscall: calls, errors, and the total, shortest and longest time. */
    public record Row(int number, String name, long calls, long errors, long nanos, long minNanos, long maxNanos) {
    }

    /** The columns {@code -U} may name, with strace's header for each. */
    public enum Column {
        TIME_PERCENT("% time"), TOTAL_TIME("seconds"), MIN_TIME("shortest"), MAX_TIME("longest"),
        AVG_TIME("usecs/call"), CALLS("calls"), ERRORS("errors"), NAME("syscall");

        final String header;

        Column(String header) {
            this.header = header;
        }
    }

    /** What {@code -S} sorts by; {@link #NOTHING} keeps syscall-number order. */
    public enum SortBy { TIME, MIN_TIME, MAX_TIME, AVG_TIME, CALLS, ERRORS, NAME, NOTHING }

    /**
     * strace 6.1's names for the columns and sort keys, exactly (no prefixes, as its strcmp);
     * "none" and "nothing" are only sort keys. Index i names {@link #ALIAS_COLUMN}[i] (null: none).
     */
    private static final String[] ALIASES = {"time", "time_percent", "time-percent", "time_total", "time-total",
        "total_time", "total-time", "min_time", "min-time", "shortest", "time_min", "time-min", "longest", "max_time",
        "max-time", "time_max", "time-max", "avg_time", "avg-time", "time_avg", "time-avg", "calls", "count", "error",
        "errors", "name", "syscall", "syscall_name", "syscall-name", "none", "nothing"};
    private static final Column[] ALIAS_COLUMN = {Column.TIME_PERCENT, Column.TIME_PERCENT, Column.TIME_PERCENT,
        Column.TOTAL_TIME, Column.TOTAL_TIME, Column.TOTAL_TIME, Column.TOTAL_TIME, Column.MIN_TIME, Column.MIN_TIME,
        Column.MIN_TIME, Column.MIN_TIME, Column.MIN_TIME, Column.MAX_TIME, Column.MAX_TIME, Column.MAX_TIME,
        Column.MAX_TIME, Column.MAX_TIME, Column.AVG_TIME, Column.AVG_TIME, Column.AVG_TIME, Column.AVG_TIME,
        Column.CALLS, Column.CALLS, Column.ERRORS, Column.ERRORS, Column.NAME, Column.NAME, Column.NAME, Column.NAME,
        null, null};

    private static final String COLUMN_NAMES = "time-percent, total-time, min-time, max-time, avg-time, calls, errors"
            + " or name";

    /** How the table is laid out: its columns in order (the name always among them) and its order. */
    public record Layout(List<Column> columns, SortBy sortBy) {
        public Layout {
            columns = List.copyOf(columns);
            if (!columns.contains(Column.NAME)) {
                throw new IllegalArgumentException("the syscall name column is always shown");
            }
        }

        /** strace's default: time-percent,total-time,avg-time,calls,errors,name, by time. */
        public static final Layout DEFAULT = new Layout(List.of(Column.TIME_PERCENT, Column.TOTAL_TIME,
                Column.AVG_TIME, Column.CALLS, Column.ERRORS, Column.NAME), SortBy.TIME);

        public Layout withSortBy(SortBy s) {
            return new Layout(columns, s);
        }

        public Layout withColumns(List<Column> c) {
            return new Layout(c, sortBy);
        }
    }

    /** {@code -S SORTBY} as strace 6.1 reads it: one of its names exactly. */
    public static SortBy sortBy(String name) {
        for (int i = 0; i < ALIASES.length; i++) {
            if (ALIASES[i].equals(name)) {
                Column c = ALIAS_COLUMN[i];
                return c == null ? SortBy.NOTHING : switch (c) {
                    case TIME_PERCENT, TOTAL_TIME -> SortBy.TIME;
                    case MIN_TIME -> SortBy.MIN_TIME;
                    case MAX_TIME -> SortBy.MAX_TIME;
                    case AVG_TIME -> SortBy.AVG_TIME;
                    case CALLS -> SortBy.CALLS;
                    case ERRORS -> SortBy.ERRORS;
                    case NAME -> SortBy.NAME;
                };
            }
        }
        throw new IllegalArgumentException("-S " + name + ": sort by time, min-time, max-time, avg-time, calls,"
                + " errors, name or nothing");
    }

    /**
     * {@code -U COLUMNS} as strace 6.1 reads it: comma-separated column names, each once; the
     * syscall name is added at the end when not given (a table without it means nothing).
     */
    public static List<Column> columns(String list) {
        List<Column> columns = new ArrayList<>();
        for (String token : list.split(",", -1)) {
            Column found = null;
            for (int i = 0; i < ALIASES.length && found == null; i++) {
                if (ALIASES[i].equals(token)) {
                    found = ALIAS_COLUMN[i];
                }
            }
            if (found == null) {
                throw new IllegalArgumentException("-U " + list + ": unknown column '" + token + "'; the columns are "
                        + COLUMN_NAMES);
            }
            if (columns.contains(found)) {
                throw new IllegalArgumentException("-U " + list + ": column '" + token + "' is given twice; name each"
                        + " of " + COLUMN_NAMES + " at most once");
            }
            columns.add(found);
        }
        if (!columns.contains(Column.NAME)) {
            columns.add(Column.NAME);
        }
        return columns;
    }

    /** The table in strace's default layout. */
    public static String format(Collection<Row> rows) {
        return format(rows, Layout.DEFAULT);
    }

    /** The table; nothing at all when no call was counted (as strace prints nothing then). */
    public static String format(Collection<Row> rows, Layout layout) {
        List<Row> sorted = new ArrayList<>();
        long totalNanos = 0;
        long totalCalls = 0;
        long totalErrors = 0;
        long minOfMins = Long.MAX_VALUE;
        long maxOfMins = 0;
        long maxOfMaxes = 0;
        long maxAvg = 0;
        int nameWidth = 0;
        for (Row row : rows) {
            if (row.calls() == 0) {
                continue;
            }
            sorted.add(row);
            totalNanos += row.nanos();
            totalCalls += row.calls();
            totalErrors += row.errors();
            minOfMins = Math.min(minOfMins, row.minNanos());
            maxOfMins = Math.max(maxOfMins, row.minNanos());
            maxOfMaxes = Math.max(maxOfMaxes, row.maxNanos());
            maxAvg = Math.max(maxAvg, averageNanos(row));
            nameWidth = Math.max(nameWidth, row.name().length());
        }
        if (sorted.isEmpty()) {
            return "";
        }
        sorted.sort(BY_NUMBER);
        Comparator<Row> order = comparator(layout.sortBy());
        if (order != null) {
            sorted.sort(order); // stable: ties stay in number order, as strace's (merge) sort keeps them
        }
        List<Column> columns = layout.columns();
        int[] widths = new int[columns.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = switch (columns.get(i)) {
                case TIME_PERCENT -> "100.00".length();
                case TOTAL_TIME -> Math.max(11, fixed(seconds(totalNanos), 6).length());
                case MIN_TIME -> Math.max(8, (maxOfMins / 1_000_000_000L + ".000000").length());
                case MAX_TIME -> Math.max(7, (maxOfMaxes / 1_000_000_000L + ".000000").length());
                case AVG_TIME -> Math.max(11, Long.toString(micros(maxAvg)).length());
                case CALLS -> Math.max(9, Long.toUnsignedString(totalCalls).length());
                case ERRORS -> Math.max(9, Long.toUnsignedString(totalErrors).length());
                case NAME -> Math.max(16, nameWidth + 1);
            };
        }
        StringBuilder sb = new StringBuilder();
        String[] cells = new String[columns.size()];
        for (int i = 0; i < cells.length; i++) {
            cells[i] = columns.get(i).header;
        }
        line(sb, columns, widths, cells);
        dashes(sb, widths);
        double total = seconds(totalNanos);
        for (Row row : sorted) {
            double time = seconds(row.nanos());
            double percent = 100.0 * time;
            if (percent != 0.0) {
                percent /= total;
            }
            for (int i = 0; i < cells.length; i++) {
                cells[i] = switch (columns.get(i)) {
                    case TIME_PERCENT -> fixed(percent, 2);
                    case TOTAL_TIME -> fixed(time, 6);
                    case MIN_TIME -> fixed(seconds(row.minNanos()), 6);
                    case MAX_TIME -> fixed(seconds(row.maxNanos()), 6);
                    case AVG_TIME -> Long.toString(micros(averageNanos(row)));
                    case CALLS -> Long.toUnsignedString(row.calls());
                    case ERRORS -> row.errors() == 0 ? "" : Long.toUnsignedString(row.errors());
                    case NAME -> row.name();
                };
            }
            line(sb, columns, widths, cells);
        }
        dashes(sb, widths);
        for (int i = 0; i < cells.length; i++) {
            cells[i] = switch (columns.get(i)) {
                case TIME_PERCENT -> "100.00";
                case TOTAL_TIME -> fixed(total, 6);
                case MIN_TIME -> fixed(seconds(minOfMins), 6);
                case MAX_TIME -> fixed(seconds(maxOfMaxes), 6);
                // strace divides the total by the calls here, in doubles, and truncates
                case AVG_TIME -> Long.toString((long) (total / totalCalls * 1e6));
                case CALLS -> Long.toUnsignedString(totalCalls);
                case ERRORS -> totalErrors == 0 ? "" : Long.toUnsignedString(totalErrors);
                case NAME -> "total";
            };
        }
        line(sb, columns, widths, cells);
        return sb.toString();
    }

    /** strace's ts_div: the average rounded to a nanosecond. */
    static long averageNanos(Row row) {
        return (row.nanos() + row.calls() / 2) / row.calls();
    }

    /** strace's ts_float of a time: seconds plus nanoseconds / 1e9, in a double. */
    static double seconds(long nanos) {
        return nanos / 1_000_000_000L + (nanos % 1_000_000_000L) / 1e9;
    }

    /** usecs/call: the average's seconds times 1e6, truncated, as strace computes it. */
    static long micros(long averageNanos) {
        return (long) (seconds(averageNanos) * 1e6);
    }

    private static final Comparator<Row> BY_NUMBER = new Comparator<>() {
        @Override
        public int compare(Row a, Row b) {
            return Integer.compare(a.number(), b.number());
        }
    };

    /** strace's comparison for the sort key (descending but for names), or null for none. Classes, not
     *  lambda chains: this runs once, cold. */
    private static Comparator<Row> comparator(SortBy s) {
        return switch (s) {
            case TIME -> new Comparator<>() {
                @Override
                public int compare(Row a, Row b) {
                    return Long.compare(b.nanos(), a.nanos());
                }
            };
            case MIN_TIME -> new Comparator<>() {
                @Override
                public int compare(Row a, Row b) {
                    return Long.compare(b.minNanos(), a.minNanos());
                }
            };
            case MAX_TIME -> new Comparator<>() {
                @Override
                public int compare(Row a, Row b) {
                    return Long.compare(b.maxNanos(), a.maxNanos());
                }
            };
            case AVG_TIME -> new Comparator<>() {
                @Override
                public int compare(Row a, Row b) {
                    return Long.compare(averageNanos(b), averageNanos(a));
                }
            };
            case CALLS -> new Comparator<>() {
                @Override
                public int compare(Row a, Row b) {
                    return Long.compareUnsigned(b.calls(), a.calls());
                }
            };
            case ERRORS -> new Comparator<>() {
                @Override
                public int compare(Row a, Row b) {
                    return Long.compareUnsigned(b.errors(), a.errors());
                }
            };
            case NAME -> new Comparator<>() {
                @Override
                public int compare(Row a, Row b) {
                    return a.name().compareTo(b.name()); // the names are ASCII: strcmp's order
                }
            };
            case NOTHING -> null;
        };
    }

    /**
     * One line: numbers right-aligned in their width, the name left-aligned (padded unless it is
     * the last column), one space between columns. Without java.util.Formatter, which costs tens
     * of milliseconds to load and warm at the end of a trace.
     */
    private static void line(StringBuilder sb, List<Column> columns, int[] widths, String[] cells) {
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            if (columns.get(i) == Column.NAME) {
                sb.append(cells[i]);
                if (i < cells.length - 1) {
                    pad(sb, widths[i] - cells[i].length());
                }
            } else {
                pad(sb, widths[i] - cells[i].length());
                sb.append(cells[i]);
            }
        }
        sb.append('\n');
    }

    private static void dashes(StringBuilder sb, int[] widths) {
        for (int i = 0; i < widths.length; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append("-".repeat(widths[i]));
        }
        sb.append('\n');
    }

    private static void pad(StringBuilder sb, int n) {
        for (int i = 0; i < n; i++) {
            sb.append(' ');
        }
    }

    /**
     * {@code printf("%.Nf", v)} as glibc prints a finite double: the exact binary value rounded to
     * N decimals, ties to even (Java's String.format rounds its shortest decimal form half up
     * instead, and prints 0.13 where glibc prints 0.12 for 0.125).
     */
    static String fixed(double v, int decimals) {
        return new BigDecimal(v).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
    }
}
