package dev.jpoline.rewriter.elf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Function symbols of one ELF file, sorted by address, answering "which function contains this
 * address" by binary search.
 *
 * <p>Kept as parallel primitive arrays so a lookup allocates nothing. Functions may nest or
 * overlap (aliases, hand-written assembly); a lookup returns the innermost one, and among aliases
 * of the same range the most visible one (global before weak before local).
 */
public final class FunctionSymbols {
    private static final FunctionSymbols EMPTY = new FunctionSymbols("", new ArrayList<>());

    private final String tableName;
    private final long[] starts;
    private final long[] ends;
    /** maxEnd[i] = max(ends[0..i]): lets a lookup stop walking back once nothing earlier can reach. */
    private final long[] maxEnds;
    private final String[] names;

    /** Every function's start address, ascending (aliases repeat it). */
    public long[] starts() {
        return starts.clone();
    }

    /** A symbol as read from the table, with the binding used to rank aliases. */
    record Raw(String name, long value, long size, int bindingRank) {}

    FunctionSymbols(String tableName, List<Raw> raw) {
        this.tableName = tableName;
        Raw[] sorted = raw.toArray(new Raw[0]);
        // Equal starts: larger ranges first, then less visible first, so the walk back from the
        // last candidate meets the innermost and then the most visible alias first.
        Arrays.sort(sorted, (a, b) -> {
            int c = Long.compare(a.value(), b.value());
            if (c != 0) {
                return c;
            }
            c = Long.compare(b.size(), a.size());
            if (c != 0) {
                return c;
            }
            c = Integer.compare(a.bindingRank(), b.bindingRank());
            return c != 0 ? c : b.name().compareTo(a.name());
        });
        int n = sorted.length;
        starts = new long[n];
        ends = new long[n];
        maxEnds = new long[n];
        names = new String[n];
        long maxEnd = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            starts[i] = sorted[i].value();
            ends[i] = sorted[i].value() + sorted[i].size();
            names[i] = sorted[i].name();
            maxEnd = Math.max(maxEnd, ends[i]);
            maxEnds[i] = maxEnd;
        }
    }

    static FunctionSymbols empty() {
        return EMPTY;
    }

    /** {@code ".symtab"}, {@code ".dynsym"}, or empty when the file has neither. */
    public String tableName() {
        return tableName;
    }

    public int size() {
        return starts.length;
    }

    public FunctionSymbol get(int index) {
        return new FunctionSymbol(names[index], starts[index], ends[index] - starts[index]);
    }

    /** All symbols, ascending by address. */
    public List<FunctionSymbol> all() {
        List<FunctionSymbol> out = new ArrayList<>(starts.length);
        for (int i = 0; i < starts.length; i++) {
            out.add(get(i));
        }
        return Collections.unmodifiableList(out);
    }

    /** Index of the innermost function whose [value, value + size) holds {@code address}, or -1. */
    public int indexContaining(long address) {
        // Last symbol starting at or below the address.
        int lo = 0;
        int hi = starts.length - 1;
        int candidate = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (starts[mid] <= address) {
                candidate = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        for (int i = candidate; i >= 0 && maxEnds[i] > address; i--) {
            if (ends[i] > address) {
                return i;
            }
        }
        return -1;
    }

    /** The function containing {@code address} (a link-time virtual address), or null. */
    public FunctionSymbol containing(long address) {
        int i = indexContaining(address);
        return i < 0 ? null : get(i);
    }

    /** Name of the function containing {@code address}, or null; allocates nothing. */
    public String nameContaining(long address) {
        int i = indexContaining(address);
        return i < 0 ? null : names[i];
    }
}
