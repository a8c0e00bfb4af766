package dev.jpoline.trace;

/** A set of ints (thread ids), open addressing; only membership and size are needed. */
final class IntSet {
    private static final int FREE = 0;
    private static final int GONE = Integer.MIN_VALUE;
    private int[] slots = new int[64];
    private int size;
    private int used;
    /** 0 and the tombstone value cannot be stored in a slot: they are kept aside. */
    private boolean hasZero;
    private boolean hasMin;

    int size() {
        return size + (hasZero ? 1 : 0) + (hasMin ? 1 : 0);
    }

    /** Adds v; whether it was not there yet. */
    boolean add(int v) {
        if (v == FREE || v == GONE) {
            boolean added = v == FREE ? !hasZero : !hasMin;
            if (v == FREE) {
                hasZero = true;
            } else {
                hasMin = true;
            }
            return added;
        }
        int mask = slots.length - 1;
        int i = mix(v) & mask;
        int firstGone = -1;
        while (slots[i] != FREE) {
            if (slots[i] == v) {
                return false;
            }
            if (slots[i] == GONE && firstGone < 0) {
                firstGone = i;
            }
            i = (i + 1) & mask;
        }
        if (firstGone >= 0) {
            slots[firstGone] = v;
        } else {
            slots[i] = v;
            used++;
        }
        size++;
        if (used * 2 > slots.length) {
            rehash();
        }
        return true;
    }

    boolean contains(int v) {
        if (v == FREE || v == GONE) {
            return v == FREE ? hasZero : hasMin;
        }
        int mask = slots.length - 1;
        int i = mix(v) & mask;
        while (slots[i] != FREE) {
            if (slots[i] == v) {
                return true;
            }
            i = (i + 1) & mask;
        }
        return false;
    }

    void remove(int v) {
        if (v == FREE || v == GONE) {
            if (v == FREE) {
                hasZero = false;
            } else {
                hasMin = false;
            }
            return;
        }
        int mask = slots.length - 1;
        int i = mix(v) & mask;
        while (slots[i] != FREE) {
            if (slots[i] == v) {
                slots[i] = GONE;
                size--;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    private void rehash() {
        int[] old = slots;
        slots = new int[size * 4 > old.length ? old.length * 2 : old.length];
        size = 0;
        used = 0;
        for (int v : old) {
            if (v != FREE && v != GONE) {
                add(v);
            }
        }
    }

    private static int mix(int v) {
        int h = v * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
