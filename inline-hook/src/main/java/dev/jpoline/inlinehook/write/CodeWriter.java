package dev.jpoline.inlinehook.write;

import java.util.Arrays;

/**
 * Emits x86-64 machine code into a growable buffer that knows the absolute address its first
 * byte will live at, so relative forms can be computed as they are written. It only emits: it
 * never reads or interprets instructions (that is the relocator's job).
 *
 * <p>Branches may go to an absolute address or to a {@link Label} of this writer (bound before or
 * after the branch; forward references are fixed up when the label is bound). Absolute calls
 * load their target from a literal pool that {@link #code()} places after everything emitted,
 * so the return address of such a call is the next emitted instruction.
 *
 * <p>Not thread-safe. Once {@link #code()} has been called the writer is sealed.
 */
public final class CodeWriter {
    /** Condition codes as encoded in the low nibble of {@code 7x} / {@code 0F 8x}. */
    public static final int CC_O = 0x0;
    public static final int CC_NO = 0x1;
    public static final int CC_B = 0x2;
    public static final int CC_AE = 0x3;
    public static final int CC_E = 0x4;
    public static final int CC_NE = 0x5;
    public static final int CC_BE = 0x6;
    public static final int CC_A = 0x7;
    public static final int CC_S = 0x8;
    public static final int CC_NS = 0x9;
    public static final int CC_P = 0xA;
    public static final int CC_NP = 0xB;
    public static final int CC_L = 0xC;
    public static final int CC_GE = 0xD;
    public static final int CC_LE = 0xE;
    public static final int CC_G = 0xF;

    /** {@code jmp rel32}. */
    public static final int JMP_REL32_SIZE = 5;
    /** {@code jmp [rip+0]; .quad target}. */
    public static final int JMP_ABSOLUTE_SIZE = 14;
    /** {@code call rel32}. */
    public static final int CALL_REL32_SIZE = 5;
    /** {@code call [rip+disp32]}, not counting its 8-byte literal in the pool. */
    public static final int CALL_ABSOLUTE_SIZE = 6;
    /** {@code jcc rel32}. */
    public static final int JCC_REL32_SIZE = 6;
    /** An inverted short jcc over an absolute jump. */
    public static final int JCC_ABSOLUTE_SIZE = 2 + JMP_ABSOLUTE_SIZE;
    /** The most padding the pool may need before its first literal (it is 8-byte aligned). */
    public static final int POOL_ALIGNMENT_SLACK = 7;

    private static final byte INT3 = (byte) 0xCC;

    /** A position in the emitted code, bound once; branches may refer to it before it is bound. */
    public static final class Label {
        private final CodeWriter owner;
        private int offset = -1;

        private Label(CodeWriter owner) {
            this.owner = owner;
        }

        public boolean isBound() {
            return offset >= 0;
        }

        /** Offset from the writer's start; only once bound. */
        public int offset() {
            if (offset < 0) {
                throw new IllegalStateException("label not bound yet");
            }
            return offset;
        }
    }

    private final long base;
    private byte[] buf;
    private int size;

    // Pending label fix-ups as parallel arrays: where the field is, its size (1 or 4), and the
    // label. The field always ends its instruction, so the displacement is taken from its end.
    private int[] fixupAt = new int[8];
    private byte[] fixupSize = new byte[8];
    private Label[] fixupLabel = new Label[8];
    private int fixups;

    // Pool references: the disp32 field of a call [rip+disp32] and the literal it must load.
    private int[] poolRefAt = new int[4];
    private long[] poolRefValue = new long[4];
    private int poolRefs;

    private boolean sealed;

    /** A writer whose first byte will live at {@code address}. */
    public CodeWriter(long address) {
        this(address, 64);
    }

    public CodeWriter(long address, int initialCapacity) {
        this.base = address;
        this.buf = new byte[Math.max(16, initialCapacity)];
    }

    /** Where the first byte will live. */
    public long base() {
        return base;
    }

    /** Bytes emitted so far (the pool is not counted until {@link #code()}). */
    public int offset() {
        return size;
    }

    /** Absolute address of the next byte to be emitted. */
    public long pc() {
        return base + size;
    }

    // --- raw bytes

    public CodeWriter u8(int value) {
        ensure(1);
        buf[size++] = (byte) value;
        return this;
    }

    public CodeWriter u32(int value) {
        ensure(4);
        putInt(buf, size, value);
        size += 4;
        return this;
    }

    public CodeWriter u64(long value) {
        ensure(8);
        putLong(buf, size, value);
        size += 8;
        return this;
    }

    public CodeWriter bytes(byte[] bytes) {
        return bytes(bytes, 0, bytes.length);
    }

    public CodeWriter bytes(byte[] bytes, int offset, int length) {
        ensure(length);
        System.arraycopy(bytes, offset, buf, size, length);
        size += length;
        return this;
    }

    /** Overwrites 4 bytes already emitted at {@code offset} (little-endian). */
    public CodeWriter patchU32(int offset, int value) {
        checkOpen();
        if (offset < 0 || offset > size - 4) {
            throw new IndexOutOfBoundsException("patch at " + offset + " outside the " + size + " bytes emitted");
        }
        putInt(buf, offset, value);
        return this;
    }

    public CodeWriter int3() {
        return u8(0xCC);
    }

    // --- relative fields

    /**
     * A rel32 field reaching {@code target}, measured from the end of the field (which must end
     * the instruction, as in every relative branch).
     *
     * @throws IllegalArgumentException if {@code target} is beyond rel32 reach
     */
    public CodeWriter rel32(long target) {
        long end = pc() + 4;
        if (!fitsRel32(end, target)) {
            throw new IllegalArgumentException(outOfReach("rel32", end, target));
        }
        return u32((int) (target - end));
    }

    /** A rel32 field reaching {@code label}, fixed up when the label is bound. */
    public CodeWriter rel32(Label label) {
        return relField(label, 4);
    }

    /** A rel8 field reaching {@code label}; an IllegalStateException at binding if it is beyond reach. */
    public CodeWriter rel8(Label label) {
        return relField(label, 1);
    }

    /**
     * A rel8 field reaching {@code target}.
     *
     * @throws IllegalArgumentException if {@code target} is beyond rel8 reach
     */
    public CodeWriter rel8(long target) {
        long d = target - (pc() + 1);
        if (d != (byte) d) {
            throw new IllegalArgumentException(String.format(
                    "rel8 ending at 0x%x cannot reach 0x%x (%+d bytes, rel8 reaches -128..127)", pc() + 1, target,
                    target - (pc() + 1)));
        }
        return u8((int) d);
    }

    // --- jumps

    /** {@code jmp rel32} ({@code E9}); IllegalArgumentException when {@code target} is out of reach. */
    public CodeWriter jmpRel32(long target) {
        return u8(0xE9).rel32(target);
    }

    public CodeWriter jmpRel32(Label label) {
        return u8(0xE9).rel32(label);
    }

    /** {@code jmp rel8} ({@code EB}); IllegalArgumentException when {@code target} is out of reach. */
    public CodeWriter jmpShort(long target) {
        return u8(0xEB).rel8(target);
    }

    public CodeWriter jmpShort(Label label) {
        return u8(0xEB).rel8(label);
    }

    /** {@code jmp [rip+0]; .quad target}: 14 bytes, reaches anywhere, touches no register. */
    public CodeWriter jmpAbsolute(long target) {
        ensure(JMP_ABSOLUTE_SIZE);
        writeAbsoluteJump(buf, size, target);
        size += JMP_ABSOLUTE_SIZE;
        return this;
    }

    /** The shortest jump that reaches {@code target} from here: rel32, else absolute. */
    public CodeWriter jmp(long target) {
        return fitsRel32(pc() + JMP_REL32_SIZE, target) ? jmpRel32(target) : jmpAbsolute(target);
    }

    // --- conditional jumps

    /** {@code jcc rel32} ({@code 0F 80+cc}). */
    public CodeWriter jccRel32(int cc, long target) {
        return u8(0x0F).u8(0x80 | checkCc(cc)).rel32(target);
    }

    public CodeWriter jccRel32(int cc, Label label) {
        return u8(0x0F).u8(0x80 | checkCc(cc)).rel32(label);
    }

    /** {@code jcc rel8} ({@code 70+cc}). */
    public CodeWriter jccShort(int cc, long target) {
        return u8(0x70 | checkCc(cc)).rel8(target);
    }

    public CodeWriter jccShort(int cc, Label label) {
        return u8(0x70 | checkCc(cc)).rel8(label);
    }

    /**
     * A conditional jump to anywhere: {@code jcc rel32} when it reaches, else the inverted short
     * jcc over an absolute jump (16 bytes, the same flags read, no register touched).
     */
    public CodeWriter jcc(int cc, long target) {
        if (fitsRel32(pc() + JCC_REL32_SIZE, target)) {
            return jccRel32(cc, target);
        }
        u8(0x70 | (checkCc(cc) ^ 1)).u8(JMP_ABSOLUTE_SIZE);
        return jmpAbsolute(target);
    }

    /** The condition that holds exactly when {@code cc} does not (the low bit flips it). */
    public static int invert(int cc) {
        return checkCc(cc) ^ 1;
    }

    // --- calls

    /** {@code call rel32} ({@code E8}). */
    public CodeWriter callRel32(long target) {
        return u8(0xE8).rel32(target);
    }

    public CodeWriter callRel32(Label label) {
        return u8(0xE8).rel32(label);
    }

    /**
     * {@code call [rip+disp32]} loading {@code target} from the literal pool: 6 bytes here plus 8
     * in the pool; the pushed return address is the next byte emitted, and no register changes.
     */
    public CodeWriter callAbsolute(long target) {
        u8(0xFF).u8(0x15);
        if (poolRefs == poolRefAt.length) {
            poolRefAt = Arrays.copyOf(poolRefAt, poolRefs * 2);
            poolRefValue = Arrays.copyOf(poolRefValue, poolRefs * 2);
        }
        poolRefAt[poolRefs] = size;
        poolRefValue[poolRefs] = target;
        poolRefs++;
        return u32(0); // fixed up when the pool is placed
    }

    /** The shortest call that reaches {@code target}: rel32, else absolute through the pool. */
    public CodeWriter call(long target) {
        return fitsRel32(pc() + CALL_REL32_SIZE, target) ? callRel32(target) : callAbsolute(target);
    }

    // --- moves of constants (what a RIP-relative lea becomes when its target is out of reach)

    /** {@code mov r64, imm64} ({@code REX.W B8+r}); {@code reg} 0-15 in the ModRM numbering. */
    public CodeWriter movImm64(int reg, long value) {
        checkReg(reg);
        return u8(0x48 | reg >> 3).u8(0xB8 | reg & 7).u64(value);
    }

    /** {@code mov r32, imm32} ({@code B8+r}); the upper half of the register is cleared. */
    public CodeWriter movImm32(int reg, int value) {
        checkReg(reg);
        if (reg >= 8) {
            u8(0x41);
        }
        return u8(0xB8 | reg & 7).u32(value);
    }

    /** {@code mov r16, imm16} ({@code 66 B8+r}); the rest of the register is kept. */
    public CodeWriter movImm16(int reg, int value) {
        checkReg(reg);
        u8(0x66);
        if (reg >= 8) {
            u8(0x41);
        }
        return u8(0xB8 | reg & 7).u8(value).u8(value >> 8);
    }

    // --- labels

    public Label newLabel() {
        checkOpen();
        return new Label(this);
    }

    /** Binds {@code label} here and fixes up the branches already waiting for it. */
    public CodeWriter bind(Label label) {
        checkOpen();
        if (label.owner != this) {
            throw new IllegalArgumentException("label of another writer");
        }
        if (label.offset >= 0) {
            throw new IllegalStateException("label already bound at offset " + label.offset);
        }
        label.offset = size;
        int kept = 0;
        for (int i = 0; i < fixups; i++) {
            if (fixupLabel[i] == label) {
                resolve(fixupAt[i], fixupSize[i], size);
            } else {
                fixupAt[kept] = fixupAt[i];
                fixupSize[kept] = fixupSize[i];
                fixupLabel[kept] = fixupLabel[i];
                kept++;
            }
        }
        for (int i = kept; i < fixups; i++) {
            fixupLabel[i] = null;
        }
        fixups = kept;
        return this;
    }

    // --- finishing

    /**
     * Seals the writer: places the literal pool (8-byte aligned, padded with int3) after the
     * code, resolves the pool references, and returns a copy of all the bytes. Every label used
     * must be bound. May be called again; later calls return the same bytes.
     */
    public byte[] code() {
        if (!sealed) {
            if (fixups != 0) {
                throw new IllegalStateException(fixups + " branch(es) to a label that was never bound");
            }
            placePool();
            sealed = true;
        }
        return Arrays.copyOf(buf, size);
    }

    private void placePool() {
        if (poolRefs == 0) {
            return;
        }
        int pad = (int) (-(base + size) & 7);
        for (int i = 0; i < pad; i++) {
            u8(INT3);
        }
        // One literal per distinct target; the pool is small, a linear search is the cheapest.
        int poolStart = size;
        for (int i = 0; i < poolRefs; i++) {
            long value = poolRefValue[i];
            int slot = -1;
            for (int at = poolStart; at < size; at += 8) {
                if (getLong(buf, at) == value) {
                    slot = at;
                    break;
                }
            }
            if (slot < 0) {
                slot = size;
                u64(value);
            }
            int field = poolRefAt[i];
            putInt(buf, field, slot - (field + 4));
        }
    }

    // --- static helpers for the patcher

    /** Whether a rel32 field whose instruction ends at {@code fromEndOfInstruction} can reach {@code target}. */
    public static boolean fitsRel32(long fromEndOfInstruction, long target) {
        long d = target - fromEndOfInstruction;
        boolean overflow = ((target ^ fromEndOfInstruction) & (target ^ d)) < 0;
        return !overflow && d == (int) d;
    }

    /** The 14 bytes {@code jmp [rip+0]; .quad target}. */
    public static byte[] absoluteJump(long target) {
        byte[] b = new byte[JMP_ABSOLUTE_SIZE];
        writeAbsoluteJump(b, 0, target);
        return b;
    }

    /**
     * The 5 bytes {@code jmp rel32} placed at {@code at} and reaching {@code target}.
     *
     * @throws IllegalArgumentException if {@code target} is beyond rel32 reach of {@code at + 5}
     */
    public static byte[] relativeJump(long at, long target) {
        long end = at + JMP_REL32_SIZE;
        if (!fitsRel32(end, target)) {
            throw new IllegalArgumentException(outOfReach("jmp rel32", end, target));
        }
        byte[] b = new byte[JMP_REL32_SIZE];
        b[0] = (byte) 0xE9;
        putInt(b, 1, (int) (target - end));
        return b;
    }

    // --- internals

    private CodeWriter relField(Label label, int fieldSize) {
        if (label.owner != this) {
            throw new IllegalArgumentException("label of another writer");
        }
        int at = size;
        if (fieldSize == 4) {
            u32(0);
        } else {
            u8(0);
        }
        if (label.offset >= 0) {
            resolve(at, fieldSize, label.offset);
        } else {
            if (fixups == fixupAt.length) {
                fixupAt = Arrays.copyOf(fixupAt, fixups * 2);
                fixupSize = Arrays.copyOf(fixupSize, fixups * 2);
                fixupLabel = Arrays.copyOf(fixupLabel, fixups * 2);
            }
            fixupAt[fixups] = at;
            fixupSize[fixups] = (byte) fieldSize;
            fixupLabel[fixups] = label;
            fixups++;
        }
        return this;
    }

    private void resolve(int fieldAt, int fieldSize, int labelOffset) {
        int d = labelOffset - (fieldAt + fieldSize);
        if (fieldSize == 4) {
            putInt(buf, fieldAt, d);
        } else {
            if (d != (byte) d) {
                throw new IllegalStateException("rel8 at offset " + fieldAt + " cannot reach its label " + d
                        + " bytes away; use a rel32 form");
            }
            buf[fieldAt] = (byte) d;
        }
    }

    private void ensure(int more) {
        checkOpen();
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }

    private void checkOpen() {
        if (sealed) {
            throw new IllegalStateException("the writer is sealed: code() was called");
        }
    }

    private static int checkCc(int cc) {
        if ((cc & ~0xF) != 0) {
            throw new IllegalArgumentException("condition code " + cc + " is not 0-15");
        }
        return cc;
    }

    private static void checkReg(int reg) {
        if ((reg & ~0xF) != 0) {
            throw new IllegalArgumentException("register " + reg + " is not 0-15");
        }
    }

    private static String outOfReach(String form, long end, long target) {
        return String.format("%s ending at 0x%x cannot reach 0x%x (%+d bytes, rel32 reaches ±2 GiB)",
                form, end, target, target - end);
    }

    private static void writeAbsoluteJump(byte[] b, int at, long target) {
        b[at] = (byte) 0xFF;
        b[at + 1] = 0x25;
        putInt(b, at + 2, 0);
        putLong(b, at + 6, target);
    }

    static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >> 8);
        b[at + 2] = (byte) (v >> 16);
        b[at + 3] = (byte) (v >> 24);
    }

    static void putLong(byte[] b, int at, long v) {
        putInt(b, at, (int) v);
        putInt(b, at + 4, (int) (v >>> 32));
    }

    static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (b[at + i] & 0xFF);
        }
        return v;
    }
}
