package dev.jpoline.rewriter.decode;

import static dev.jpoline.rewriter.decode.OpcodeTables.*;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Table-driven x86-64 (64-bit mode) instruction decoder: lengths, validity, relative branches,
 * RIP- and RSP-relative memory operands. It holds no state, so one instance may be shared by
 * threads as long as each uses its own {@link Instruction}.
 *
 * <p>Documented choices (where hardware vendors or disassemblers differ):
 *
 * <ul>
 *   <li>66 before {@code call/jmp/jcc rel} selects a 16-bit displacement (AMD semantics). Intel CPUs
 *       ignore 66 there, but objdump (default {@code -M amd64}) and Capstone both decode rel16, and
 *       the only effect is on instructions compilers never emit; REX.W overrides 66 as everywhere.
 *   <li>An invalid encoding is reported with length 1: a linear sweep resumes at the next byte,
 *       the finest resynchronisation possible.
 *   <li>Mandatory prefix: the last of F2/F3 wins, then 66. A REP prefix the opcode has no form for
 *       is ignored when the opcode has an unprefixed form (CPUs and Capstone do so) and makes it
 *       undefined otherwise (66-only opcodes such as PUNPCKLQDQ).
 *   <li>A REX prefix followed by any legacy prefix is ignored (it must immediately precede the opcode).
 *   <li>LOCK is valid only on read-modify-write instructions with a memory destination, wherever it
 *       sits among the prefixes.
 *   <li>66/F2/F3/LOCK/REX before VEX, EVEX or XOP makes the instruction invalid (#UD).
 * </ul>
 */
public final class X86Decoder {
    /** Architectural maximum instruction length. */
    public static final int MAX_LENGTH = 15;

    private static final int ENC_3DNOW = Encoding.THREE_DNOW.ordinal();
    private static final int ENC_VEX = Encoding.VEX.ordinal();
    private static final int ENC_EVEX = Encoding.EVEX.ordinal();
    private static final int ENC_XOP = Encoding.XOP.ordinal();
    private static final int XBEGIN = BranchKind.XBEGIN.ordinal();

    /** Immediate bytes per [kind * 3 + operand-size index (2 -> 0, 4 -> 1, 8 -> 2)]. */
    private static final byte[] IMM_SIZE = new byte[16 * 3];

    static {
        int[][] sizes = new int[16][];
        sizes[I_NONE] = new int[] {0, 0, 0};
        sizes[I_B] = new int[] {1, 1, 1};
        sizes[I_W] = new int[] {2, 2, 2};
        sizes[I_Z] = new int[] {2, 4, 4};
        sizes[I_V] = new int[] {2, 4, 8};
        sizes[I_ENTER] = new int[] {3, 3, 3};
        sizes[I_MOFFS] = new int[] {8, 8, 8}; // replaced by the address size
        sizes[I_REL8] = new int[] {1, 1, 1};
        sizes[I_RELZ] = new int[] {2, 4, 4};
        sizes[I_BB] = new int[] {2, 2, 2};
        sizes[I_GRP3_B] = new int[] {1, 1, 1};
        sizes[I_GRP3_Z] = new int[] {2, 4, 4};
        sizes[I_D] = new int[] {4, 4, 4};
        for (int kind = 0; kind < 16; kind++) {
            for (int i = 0; i < 3; i++) {
                IMM_SIZE[kind * 3 + i] = (byte) (sizes[kind] == null ? 0 : sizes[kind][i]);
            }
        }
    }

    /** Memory operand bytes per [size class * 3 + operand-size index (2 -> 0, 4 -> 1, 8 -> 2)]. */
    private static final byte[] MEMORY_SIZE = {
        0, 0, 0, // M_UNKNOWN
        1, 1, 1, // M_B
        2, 2, 2, // M_W
        4, 4, 4, // M_D
        8, 8, 8, // M_Q
        2, 4, 8, // M_V
        2, 8, 8, // M_STACK: push/pop are 64-bit unless 66
        0, 0, 0, // unused
        4, 4, 8, // M_Y: 32-bit unless REX.W
    };

    private static final int PK_LOCK = 1;
    private static final int PK_REPNE = 2;
    private static final int PK_REP = 3;
    private static final int PK_OPSIZE = 4;
    private static final int PK_ADSIZE = 5;
    private static final int PK_SEGMENT = 6;
    private static final int PK_REX = 7;
    /** Prefix class of each byte value, 0 for bytes that are not prefixes. */
    private static final byte[] PREFIX_KIND = new byte[256];

    static {
        PREFIX_KIND[0xF0] = PK_LOCK;
        PREFIX_KIND[0xF2] = PK_REPNE;
        PREFIX_KIND[0xF3] = PK_REP;
        PREFIX_KIND[0x66] = PK_OPSIZE;
        PREFIX_KIND[0x67] = PK_ADSIZE;
        for (int seg : new int[] {0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65}) {
            PREFIX_KIND[seg] = PK_SEGMENT;
        }
        for (int rex = 0x40; rex <= 0x4F; rex++) {
            PREFIX_KIND[rex] = PK_REX;
        }
    }

    // --- Fast path: precomputed entries for prefix-free (or 66 / REX only) one-byte and 0F opcodes.
    private static final int F_OK = 1; // handled without a 66 prefix
    private static final int F_OK_66 = 1 << 1; // handled with a 66 prefix
    private static final int F_MODRM = 1 << 2;
    private static final int F_MEM_ONLY = 1 << 3;
    private static final int F_REG_ONLY = 1 << 4;
    private static final int F_SPECIAL_SHIFT = 5; // 3 bits, FS_*
    private static final int FS_NONE = 0;
    private static final int FS_SYSCALL = 1;
    private static final int FS_SYSENTER = 2;
    private static final int FS_RET = 3;
    private static final int FS_GRP5 = 4; // FF: /0 /1 /2 /4 /6 here, /3 /5 /7 in the full path
    private static final int FS_GRP11 = 5; // C6/C7: /0 here, the rest in the full path
    private static final int FS_GRP3 = 6; // F6/F7: the immediate only for /0 /1
    private static final int F_MSZ_SHIFT = 8; // 4 bits, memory size class
    private static final int F_BRANCH_SHIFT = 12; // 3 bits, BranchKind ordinal
    private static final int F_MP_SHIFT = 15; // 2 bits, mandatory prefix without 66
    private static final int F_MP66_SHIFT = 17; // 2 bits, mandatory prefix with 66
    private static final int F_IMM_SHIFT = 20; // 3 x 4 bits: immediate size for operand size 2, 4, 8
    /** Fast-path entries of the one-byte map; 0 = not handled by the fast path. */
    private static final int[] FAST_ONE_BYTE = new int[256];
    /** Fast-path entries of the 0F map; 0 = not handled by the fast path. */
    private static final int[] FAST_0F = new int[256];
    /**
     * The fast path's {@link Instruction#meta} fields that depend only on [66][map][opcode]: the 66
     * prefix bit, map, opcode, mandatory prefix and the 8-byte address size (no segment, LEGACY).
     */
    private static final long[] FAST_META = new long[1024];
    /** Bit 0-2: displacement size by ModRM (mod != 3, rm != 4 ignores SIB); bit 3: SIB follows; bit 4: RIP. */
    private static final byte[] MODRM_FORM = new byte[256];
    /** Per immediate size 0-8: the shift that sign-extends it from 64 bits, and the mask that keeps it (ENTER's 3 bytes zero-extended). */
    private static final int[] IMM_SX_SHIFT = {0, 56, 48, 40, 32, 0, 0, 0, 0};
    private static final long[] IMM_MASK_BY_SIZE = {0, -1L, -1L, 0xFF_FFFFL, -1L, 0, 0, 0, -1L};
    private static final VarHandle INT32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /**
     * Bytes of array the fast paths need from an instruction's start: they read 8 bytes at the
     * immediate (at most 14 bytes in) without checking its size first.
     */
    private static final int FAST_SLACK = 24;

    static {
        for (int op = 0; op < 256; op++) {
            FAST_ONE_BYTE[op] = PREFIX_KIND[op] != 0 ? 0 : fastEntry(ONE_BYTE[op]);
            FAST_0F[op] = op == 0x0F || op == 0x38 || op == 0x3A ? 0 : fastEntry(MAP_0F[op]);
        }
        for (int i = 0; i < 1024; i++) {
            int has66 = i >> 9;
            int map = i >> 8 & 1;
            int op = i & 0xFF;
            int e = (map == 0 ? FAST_ONE_BYTE : FAST_0F)[op];
            FAST_META[i] = (long) (has66 != 0 ? Instruction.PREFIX_OPERAND_SIZE : 0) << Instruction.M_PREFIXES
                    | (long) map << Instruction.M_MAP | (long) op << Instruction.M_OPCODE
                    | (long) (e >> (has66 == 0 ? F_MP_SHIFT : F_MP66_SHIFT) & 3) << Instruction.M_MANDATORY
                    | 1L << Instruction.M_ADDRESS_SIZE;
        }
        for (int modrm = 0; modrm < 256; modrm++) {
            int mod = modrm >> 6;
            int rm = modrm & 7;
            int form = 0;
            if (mod != 3) {
                form = mod == 1 ? 1 : mod == 2 ? 4 : 0;
                if (rm == 4) {
                    form |= 8;
                } else if (mod == 0 && rm == 5) {
                    form = 4 | 16;
                }
            }
            MODRM_FORM[modrm] = (byte) form;
        }
    }

    /** The fast-path entry for a table entry of the one-byte or 0F map, 0 when the full path must decode it. */
    private static int fastEntry(int flags) {
        if ((flags & (ESCAPE | UNDEF | L0 | L1 | W0 | W1 | NO_MODRM | NO_VVVV | NO_VVVV_MEM)) != 0) {
            return 0;
        }
        int fs;
        switch ((flags & SPECIAL_MASK) >> SPECIAL_SHIFT) {
            case S_NONE: fs = FS_NONE; break;
            case S_SYSCALL: fs = FS_SYSCALL; break;
            case S_SYSENTER: fs = FS_SYSENTER; break;
            case S_RET: fs = FS_RET; break;
            case S_GRP5: fs = FS_GRP5; break;
            case S_GRP11: fs = FS_GRP11; break;
            case S_GRP3: fs = FS_GRP3; break;
            default: return 0;
        }
        int immKind = flags & IMM_MASK;
        switch (immKind) {
            case I_NONE: case I_B: case I_W: case I_Z: case I_V: case I_ENTER: case I_REL8: case I_RELZ:
                break;
            case I_GRP3_B: case I_GRP3_Z:
                if (fs != FS_GRP3) {
                    return 0;
                }
                break;
            default:
                return 0;
        }
        if (fs == FS_GRP3 && immKind != I_GRP3_B && immKind != I_GRP3_Z) {
            return 0;
        }
        int e = 0;
        int prefixMask = (flags >> P_SHIFT) & 0xF;
        int variant = prefixMask == 0 ? 0 : selectVariant(prefixMask, 0, false);
        int variant66 = prefixMask == 0 ? 0 : selectVariant(prefixMask, 0, true);
        if (variant >= 0) {
            e |= F_OK | variant << F_MP_SHIFT;
        }
        if (variant66 >= 0) {
            e |= F_OK_66 | variant66 << F_MP66_SHIFT;
        }
        if (e == 0) {
            return 0;
        }
        if ((flags & MODRM) != 0) {
            e |= F_MODRM;
        } else if (fs == FS_GRP5 || fs == FS_GRP11 || fs == FS_GRP3) {
            return 0; // groups always have a ModRM; be safe if a table says otherwise
        }
        if ((flags & MEM_ONLY) != 0) {
            e |= F_MEM_ONLY;
        }
        if ((flags & REG_ONLY) != 0) {
            e |= F_REG_ONLY;
        }
        e |= fs << F_SPECIAL_SHIFT;
        e |= ((flags & MSZ_MASK) >> MSZ_SHIFT) << F_MSZ_SHIFT;
        e |= ((flags & BRANCH_MASK) >> BRANCH_SHIFT) << F_BRANCH_SHIFT;
        for (int i = 0; i < 3; i++) {
            e |= IMM_SIZE[immKind * 3 + i] << (F_IMM_SHIFT + 4 * i);
        }
        return e;
    }

    public X86Decoder() {}

    /**
     * Decodes one instruction of 64-bit code at {@code code[offset..limit)} whose first byte is at
     * virtual address {@code address}; fills {@code out} (reused, no allocation per instruction)
     * and returns {@code out.length()}. Never throws for any input bytes; an empty range yields an
     * invalid, truncated result of length 0.
     */
    public int decode(byte[] code, int offset, int limit, long address, Instruction out) {
        // Fast path: at least 15 bytes available (so no bounds or length checks are needed) and a
        // common legacy form; it returns 0 for anything it does not handle.
        if (code != null && offset >= 0 && offset <= code.length - FAST_SLACK && limit - offset >= MAX_LENGTH) {
            int n = decodeFast(code, offset, address, out);
            if (n != 0) {
                return n;
            }
        }
        return decodeFull(code, offset, limit, address, out);
    }

    /** The complete decoder, without the fast path (package-private so tests can compare the two). */
    int decodeFull(byte[] code, int offset, int limit, long address, Instruction out) {
        out.reset(address);
        if (code == null || offset < 0) {
            return fail(out, InvalidReason.TRUNCATED, 0);
        }
        if (limit > code.length) {
            limit = code.length;
        }
        if (offset >= limit) {
            return fail(out, InvalidReason.TRUNCATED, 0);
        }
        // Bytes beyond 15 can never belong to the instruction: reading stops there either way.
        final int hardEnd = limit - offset > MAX_LENGTH ? offset + MAX_LENGTH : limit; // no int overflow
        int p = offset;
        int prefixes = 0;
        int rex = 0;
        int lastRep = 0; // F2 or F3, whichever came last
        int segment = 0;
        int b;
        // Prefix bytes are classified by table: the common case (no prefix) costs one lookup
        // instead of a chain of compares.
        while (true) {
            if (p >= hardEnd) {
                return endOfInput(out, p, limit, offset);
            }
            b = code[p] & 0xFF;
            int kind = PREFIX_KIND[b];
            if (kind == 0) {
                break;
            }
            if (kind == PK_REX) {
                rex = b;
            } else {
                rex = 0; // a legacy prefix after REX cancels it
                switch (kind) {
                    case PK_LOCK: prefixes |= Instruction.PREFIX_LOCK; break;
                    case PK_REPNE: prefixes |= Instruction.PREFIX_REPNE; lastRep = b; break;
                    case PK_REP: prefixes |= Instruction.PREFIX_REP; lastRep = b; break;
                    case PK_OPSIZE: prefixes |= Instruction.PREFIX_OPERAND_SIZE; break;
                    case PK_ADSIZE: prefixes |= Instruction.PREFIX_ADDRESS_SIZE; break;
                    default: prefixes |= Instruction.PREFIX_SEGMENT; segment = b; break;
                }
            }
            p++;
        }
        out.setPrefixes(prefixes);
        out.setSegment(segment);
        out.setRex(rex);
        final boolean rexW = (rex & 8) != 0;
        final boolean opsize16 = (prefixes & Instruction.PREFIX_OPERAND_SIZE) != 0;
        out.setOperandSize(rexW ? 8 : opsize16 ? 2 : 4);
        out.setAddressSize((prefixes & Instruction.PREFIX_ADDRESS_SIZE) != 0 ? 4 : 8);

        int flags;
        int map;
        int opcode;
        int vexPp = -1; // >= 0 for VEX/EVEX/XOP
        int evexP2 = 0;
        int vvvv = 0xF; // encoded (inverted) VEX/EVEX/XOP.vvvv; 1111b = unused
        boolean vexW = false;
        boolean evex = false;
        int oneByteFlags = ONE_BYTE[b];
        if ((oneByteFlags & ESCAPE) == 0 || b == 0x8F && !(p + 1 < hardEnd && (code[p + 1] & 0x1F) >= 8)) {
            // the common case: a one-byte-map opcode (8F is POP r/m unless the next byte selects an XOP map)
            map = Instruction.MAP_ONE_BYTE;
            opcode = b;
            out.setOpcodeOffset(p - offset);
            p += 1;
            flags = oneByteFlags & ~ESCAPE;
        } else if (b == 0x0F) {
            if (p + 1 >= hardEnd) {
                return endOfInput(out, p + 1, limit, offset);
            }
            int b2 = code[p + 1] & 0xFF;
            if (b2 == 0x38 || b2 == 0x3A) {
                if (p + 2 >= hardEnd) {
                    return endOfInput(out, p + 2, limit, offset);
                }
                map = b2 == 0x38 ? Instruction.MAP_0F38 : Instruction.MAP_0F3A;
                opcode = code[p + 2] & 0xFF;
                out.setOpcodeOffset(p + 2 - offset);
                p += 3;
                flags = (b2 == 0x38 ? MAP_0F38 : MAP_0F3A)[opcode];
            } else if (b2 == 0x0F) {
                return decode3DNow(code, offset, p + 2, limit, hardEnd, out);
            } else {
                map = Instruction.MAP_0F;
                opcode = b2;
                out.setOpcodeOffset(p + 1 - offset);
                p += 2;
                flags = MAP_0F[opcode];
            }
        } else {
            // VEX (C4, C5), EVEX (62), XOP (8F): fixed-size escape with the map, pp, L and W inside
            int escapeBytes = b == 0xC5 ? 2 : b == 0x62 ? 4 : 3;
            if (p + escapeBytes >= hardEnd) {
                return endOfInput(out, p + escapeBytes, limit, offset);
            }
            if ((prefixes & (Instruction.PREFIX_LOCK | Instruction.PREFIX_REP | Instruction.PREFIX_REPNE
                    | Instruction.PREFIX_OPERAND_SIZE)) != 0 || rex != 0) {
                return fail(out, InvalidReason.BAD_PREFIX, 1);
            }
            int p1 = code[p + 1] & 0xFF;
            int vexL;
            if (b == 0xC5) {
                out.setEncoding(ENC_VEX);
                map = 1;
                vexPp = p1 & 3;
                vexL = (p1 >> 2) & 1;
                vvvv = (p1 >> 3) & 0xF;
                out.setRex(0x40 | ((~p1 >> 5) & 4)); // R
                flags = VEX[1][vexPp * 256 + (code[p + 2] & 0xFF)];
            } else if (b == 0xC4 || b == 0x8F) {
                int p2 = code[p + 2] & 0xFF;
                map = p1 & 0x1F;
                vexPp = p2 & 3;
                vexL = (p2 >> 2) & 1;
                vvvv = (p2 >> 3) & 0xF;
                vexW = (p2 & 0x80) != 0;
                out.setRex(0x40 | ((~p1 >> 5) & 7) | (vexW ? 8 : 0));
                int op = code[p + 3] & 0xFF;
                if (b == 0xC4) {
                    out.setEncoding(ENC_VEX);
                    flags = map >= 1 && map <= 3 ? VEX[map][vexPp * 256 + op] : 0;
                } else {
                    out.setEncoding(ENC_XOP);
                    flags = map <= 10 && vexPp == 0 ? XOP[map - 8][op] : 0;
                }
            } else {
                out.setEncoding(ENC_EVEX);
                evex = true;
                int p2 = code[p + 2] & 0xFF;
                evexP2 = code[p + 3] & 0xFF;
                map = p1 & 7;
                vexPp = p2 & 3;
                vexL = (evexP2 >> 5) & 3;
                vvvv = (p2 >> 3) & 0xF | ((evexP2 & 0x08) != 0 ? 0 : 0x10); // V' clear = register 16+: used
                vexW = (p2 & 0x80) != 0;
                out.setRex(0x40 | ((~p1 >> 5) & 7) | (vexW ? 8 : 0));
                // P0 bit 3 must be 0 and P1 bit 2 must be 1 (fixed bits of the EVEX payload).
                flags = (p1 & 0x08) == 0 && (p2 & 0x04) != 0 ? EVEX[map][vexPp * 256 + (code[p + 4] & 0xFF)] : 0;
            }
            out.setOpcodeMap(map);
            out.setMandatoryPrefix(vexPp);
            opcode = code[p + escapeBytes] & 0xFF;
            out.setOpcode(opcode);
            out.setOpcodeOffset(p + escapeBytes - offset);
            out.setVectorLength(128 << vexL);
            out.setOperandSize(vexW ? 8 : 4);
            if (vexW) {
                out.bits |= Instruction.B_VEX_W;
            }
            p += escapeBytes + 1;
            if (flags == 0) {
                return fail(out, InvalidReason.UNDEFINED, 1);
            }
            if (!evex) {
                if ((flags & L0) != 0 && vexL != 0 || (flags & L1) != 0 && vexL != 1
                        || (flags & W0) != 0 && vexW || (flags & W1) != 0 && !vexW) {
                    return fail(out, InvalidReason.UNDEFINED, 1);
                }
                if ((flags & NO_MODRM) != 0) {
                    if (vvvv != 0xF) {
                        return fail(out, InvalidReason.UNDEFINED, 1);
                    }
                    return finish(code, offset, p, limit, out, 0, 0);
                }
            }
        }
        if (vexPp < 0) {
            out.setOpcodeMap(map);
            out.setOpcode(opcode);
        }
        if ((flags & UNDEF) != 0) {
            return fail(out, InvalidReason.UNDEFINED, 1);
        }

        int variant = -1; // selected mandatory prefix for legacy SSE maps: 0 none, 1 66, 2 F3, 3 F2
        int prefixMask = (flags >> P_SHIFT) & 0xF;
        if (vexPp < 0 && prefixMask != 0) {
            variant = selectVariant(prefixMask, lastRep, opsize16);
            if (variant < 0) {
                return fail(out, InvalidReason.UNDEFINED, 1);
            }
            out.setMandatoryPrefix(variant);
        }

        // ModRM, SIB and displacement
        int modrm = -1;
        int mod = 3;
        int reg = 0;
        int rm = 0;
        int special = (flags & SPECIAL_MASK) >> SPECIAL_SHIFT;
        if ((flags & MODRM) != 0) {
            if (p >= hardEnd) {
                return endOfInput(out, p, limit, offset);
            }
            modrm = code[p] & 0xFF;
            out.setModrm(modrm);
            mod = modrm >> 6;
            reg = (modrm >> 3) & 7;
            rm = modrm & 7;
            p++;
            if (special == S_CRDR) {
                mod = 3; // MOV to/from CR/DR ignore mod: always a register operand
            }
            if ((flags & MEM_ONLY) != 0 && mod == 3 || (flags & REG_ONLY) != 0 && mod != 3) {
                return fail(out, InvalidReason.UNDEFINED, 1);
            }
            if (mod != 3) {
                int dispSize = mod == 1 ? 1 : mod == 2 ? 4 : 0;
                boolean hasSib = rm == 4;
                int base = rm;
                if (hasSib) {
                    if (p >= hardEnd) {
                        return endOfInput(out, p, limit, offset);
                    }
                    int sib = code[p] & 0xFF;
                    out.setSib(sib);
                    base = sib & 7;
                    p++;
                    if (mod == 0 && base == 5) {
                        dispSize = 4; // no base, disp32
                    }
                    // RSP as base: SIB base=100 without REX.B (REX.B selects r12)
                    if (base == 4 && (out.rex() & 1) == 0 && out.addressSize() == 8) {
                        out.bits |= Instruction.B_RSP_RELATIVE;
                    }
                } else if (mod == 0 && rm == 5) {
                    dispSize = 4;
                    out.bits |= Instruction.B_RIP_RELATIVE;
                }
                if (dispSize != 0) {
                    if (p + dispSize > hardEnd) {
                        return endOfInput(out, p + dispSize, limit, offset);
                    }
                    out.setDisp(p - offset, dispSize);
                    long disp = dispSize == 1 ? code[p] : readInt32(code, p);
                    if (evex && dispSize == 1) {
                        disp *= evexDisp8Scale(map, vexPp, opcode, vexW, (evexP2 >> 5) & 3, (evexP2 & 0x10) != 0);
                    }
                    out.displacement = disp;
                    p += dispSize;
                }
            } else if (special == S_VSIB) {
                return fail(out, InvalidReason.UNDEFINED, 1);
            }
            int unusedVvvv = special == S_VSIB ? vvvv & 0xF : vvvv; // with VSIB, EVEX.V' extends the index
            if ((flags & NO_VVVV) != 0 && unusedVvvv != 0xF || (flags & NO_VVVV_MEM) != 0 && mod != 3 && vvvv != 0xF) {
                return fail(out, InvalidReason.UNDEFINED, 1); // vvvv must be 1111b when no operand uses it
            }
            if (evex && ((evexP2 >> 5) & 3) == 3 && !(mod == 3 && (evexP2 & 0x10) != 0)) {
                return fail(out, InvalidReason.UNDEFINED, 1); // L'L=11 is reserved except as rounding control
            }
        }

        // Immediate size, plus per-opcode validity that needs ModRM.reg/rm.
        int immKind = flags & IMM_MASK;
        // Immediate size by table (kind x operand size): a switch here is an indirect jump that
        // mispredicts on every change of instruction kind. MOFFS and the F6/F7 groups adjust below.
        int immSize = IMM_SIZE[immKind * 3 + (out.operandSize() >> 2)];
        if (immKind >= I_MOFFS) {
            if (immKind == I_MOFFS) {
                immSize = out.addressSize();
            } else if ((immKind == I_GRP3_B || immKind == I_GRP3_Z) && reg > 1) {
                immSize = 0; // only TEST (/0, /1) has an immediate
            }
        }
        int memSize = (flags & MSZ_MASK) >> MSZ_SHIFT;
        int branch = (flags & BRANCH_MASK) >> BRANCH_SHIFT;
        if (special != S_NONE) {
            switch (special) {
                case S_SYSCALL: out.bits |= Instruction.B_SYSCALL; break;
                case S_SYSENTER: out.bits |= Instruction.B_SYSENTER; break;
                case S_RET: out.bits |= Instruction.B_RET; break;
                case S_GRP11:
                    if (reg == 0) {
                        break;
                    }
                    if (modrm != 0xF8) {
                        return fail(out, InvalidReason.UNDEFINED, 1);
                    }
                    memSize = 0;
                    if (opcode == 0xC7) {
                        branch = XBEGIN;
                        immKind = I_RELZ;
                    }
                    break;
                case S_GRP1A:
                    if (reg != 0) {
                        return fail(out, InvalidReason.UNDEFINED, 1);
                    }
                    break;
                case S_GRP4:
                    if (reg > 1) {
                        return fail(out, InvalidReason.UNDEFINED, 1);
                    }
                    break;
                case S_GRP5:
                    if (reg == 7 || (reg == 3 || reg == 5) && mod == 3) {
                        return fail(out, InvalidReason.UNDEFINED, 1);
                    }
                    if (reg >= 2 && reg <= 5) {
                        out.bits |= Instruction.B_INDIRECT_BRANCH;
                        memSize = reg == 2 || reg == 4 ? M_Q : 0;
                        if (reg == 3 || reg == 5) {
                            out.setMemoryOperandSize(out.operandSize() + 2); // far pointer m16:16/32/64
                        }
                    } else if (reg == 6) {
                        memSize = M_STACK;
                    }
                    break;
                case S_MOV_SREG:
                    // 8E /1 (MOV CS, r/m) faults on hardware, but both objdump and Capstone decode it;
                    // accepting it keeps sweeps aligned with them and costs nothing (it is never emitted).
                    if (reg > 5) {
                        return fail(out, InvalidReason.UNDEFINED, 1);
                    }
                    break;
                case S_X87:
                    if (!x87Valid(opcode, mod, reg, rm)) {
                        return fail(out, InvalidReason.UNDEFINED, 1);
                    }
                    if (mod != 3) {
                        out.setMemoryOperandSize(x87MemorySize(opcode, reg));
                    }
                    break;
                case S_GRP6:
                    if (reg > 5) {
                        return fail(out, InvalidReason.UNDEFINED, 1);
                    }
                    break;
                case S_GRP7:
                    if (!group7Valid(mod, reg, rm, lastRep, opsize16)) {
                        return fail(out, InvalidReason.UNDEFINED, 1);
                    }
                    break;
                case S_GRP15:
                    if (!group15Valid(mod, reg, lastRep)) {
                        return fail(out, InvalidReason.UNDEFINED, 1);
                    }
                    break;
                case S_GRP9:
                    if (!group9Valid(mod, reg)) {
                        return fail(out, InvalidReason.UNDEFINED, 1);
                    }
                    if (mod != 3 && reg == 1) {
                        out.setMemoryOperandSize(rexW ? 16 : 8);
                    }
                    break;
                case S_GRP8:
                    if (reg < 4) {
                        return fail(out, InvalidReason.UNDEFINED, 1);
                    }
                    break;
                case S_SHIFT_GRP12:
                case S_SHIFT_GRP13:
                    if (reg != 2 && reg != 4 && reg != 6) {
                        return fail(out, InvalidReason.UNDEFINED, 1);
                    }
                    break;
                case S_SHIFT_GRP14:
                    if (!(reg == 2 || reg == 6 || (reg == 3 || reg == 7) && variant == 1)) {
                        return fail(out, InvalidReason.UNDEFINED, 1);
                    }
                    break;
                case S_VEX_GRP12_14:
                    if (!(reg == 2 || reg == 6 || reg == 4 && opcode != 0x73 || (reg == 3 || reg == 7) && opcode == 0x73)) {
                        return fail(out, InvalidReason.UNDEFINED, 1);
                    }
                    break;
                case S_EVEX_SHIFT_GROUP:
                    if (!(reg == 2 || reg == 6 || reg == 4 && opcode != 0x73 || reg <= 1 && opcode == 0x72
                            || (reg == 3 || reg == 7) && opcode == 0x73)) {
                        return fail(out, InvalidReason.UNDEFINED, 1);
                    }
                    break;
                case S_PADLOCK:
                    if (!(modrm == 0xC0 || modrm == 0xC8 || modrm == 0xD0
                            || opcode == 0xA7 && (modrm == 0xD8 || modrm == 0xE0 || modrm == 0xE8))) {
                        return fail(out, InvalidReason.UNDEFINED, 1);
                    }
                    break;
                case S_WRSS:
                    if (variant == 0 && mod == 3) {
                        return fail(out, InvalidReason.UNDEFINED, 1);
                    }
                    break;
                case S_XOP_GROUP:
                    if (!xopGroupValid(map, opcode, reg, mod)) {
                        return fail(out, InvalidReason.UNDEFINED, 1);
                    }
                    break;
                case S_GRP17:
                    if (reg < 1 || reg > 3) {
                        return fail(out, InvalidReason.UNDEFINED, 1);
                    }
                    break;
                case S_VEX_AE:
                    if (mod == 3 || (reg != 2 && reg != 3)) {
                        return fail(out, InvalidReason.UNDEFINED, 1);
                    }
                    break;
                case S_0F78:
                case S_0F79: {
                    int sel = lastRep == 0xF2 ? 3 : lastRep == 0xF3 ? 2 : opsize16 ? 1 : 0;
                    // EXTRQ / INSERTQ (AMD SSE4a) exist only in register form; memory forms fall back
                    // to VMREAD/VMWRITE as both disassemblers decode them. ModRM.reg of EXTRQ imm
                    // is documented as 0 but both disassemblers accept any value.
                    boolean sse4a = (sel == 1 || sel == 3) && mod == 3;
                    if (sse4a && opcode == 0x78) {
                        immKind = I_BB;
                        immSize = 2;
                    }
                    break;
                }
                default:
                    break;
            }
        }
        if ((prefixes & Instruction.PREFIX_LOCK) != 0 && !lockAllowed(map, opcode, reg, mod)) {
            return fail(out, InvalidReason.BAD_PREFIX, 1);
        }
        if (memSize != M_UNKNOWN && mod != 3 && out.memoryOperandSize() == 0) {
            out.setMemoryOperandSize(MEMORY_SIZE[memSize * 3 + (out.operandSize() >> 2)]);
        }
        out.setBranchKind(branch);
        return finish(code, offset, p, limit, out, immKind, immSize);
    }

    /**
     * The fast path of {@link #decode}: {@code [66] [REX] opcode} with a one-byte or 0F opcode the
     * fast tables hold, with at least {@link #MAX_LENGTH} bytes available from {@code offset}. Fills
     * {@code out} exactly as {@link #decodeFull} would and returns the length, or returns 0 without
     * a meaningful {@code out} for anything else.
     */
    private static int decodeFast(byte[] code, int offset, long address, Instruction out) {
        int p = offset;
        int b = code[p] & 0xFF;
        int prefixes = 0;
        int rex = 0;
        if (b == 0x66) {
            prefixes = Instruction.PREFIX_OPERAND_SIZE;
            b = code[++p] & 0xFF;
        }
        if ((b & 0xF0) == 0x40) {
            rex = b;
            b = code[++p] & 0xFF;
        }
        int e;
        int map;
        if (b != 0x0F) {
            e = FAST_ONE_BYTE[b];
            map = Instruction.MAP_ONE_BYTE;
        } else {
            b = code[++p] & 0xFF;
            e = FAST_0F[b];
            map = Instruction.MAP_0F;
        }
        if ((e & (prefixes == 0 ? F_OK : F_OK_66)) == 0) {
            return 0;
        }
        final int opcodeOffset = p - offset;
        p++;
        // operand-size index: 0 -> 2 bytes (66), 1 -> 4, 2 -> 8 (REX.W overrides 66)
        final int osIndex = (rex & 8) != 0 ? 2 : prefixes != 0 ? 0 : 1;
        int bits = Instruction.B_VALID;
        int modrm = -1;
        int sib = -1;
        int mod = 3;
        int reg = 0;
        int dispSize = 0;
        long displacement = 0;
        if ((e & F_MODRM) != 0) {
            modrm = code[p++] & 0xFF;
            mod = modrm >> 6;
            reg = (modrm >> 3) & 7;
            if (mod == 3 ? (e & F_MEM_ONLY) != 0 : (e & F_REG_ONLY) != 0) {
                return 0;
            }
            if (mod != 3) {
                int form = MODRM_FORM[modrm];
                dispSize = form & 7;
                if ((form & 8) != 0) {
                    sib = code[p++] & 0xFF;
                    int base = sib & 7;
                    if (mod == 0 && base == 5) {
                        dispSize = 4;
                    }
                    // RSP base (100 without REX.B), without a branch: 1 when base ^ 4 == 0
                    bits |= (((base ^ 4) - 1) >>> 31 & ~rex & 1) << 4; // Instruction.B_RSP_RELATIVE
                } else {
                    bits |= (form & 16) >> 1; // Instruction.B_RIP_RELATIVE
                }
                // off the length's critical path: read 4 bytes unconditionally (fastRange leaves
                // room) and keep the displacement's, which a mispredicted branch on its size would cost more
                int dispMask = -((dispSize + 7) >> 3); // -1 with a displacement, else 0
                int dispShift = 32 - 8 * dispSize; // sign-extends disp8 (a shift by 32 is one by 0)
                displacement = ((int) INT32.get(code, p) << dispShift >> dispShift) & dispMask;
                p += dispSize;
            }
        }
        int immSize = (e >>> (F_IMM_SHIFT + 4 * osIndex)) & 0xF;
        int special = (e >> F_SPECIAL_SHIFT) & 7;
        if (special != FS_NONE) {
            switch (special) {
                case FS_SYSCALL: bits |= Instruction.B_SYSCALL; break;
                case FS_SYSENTER: bits |= Instruction.B_SYSENTER; break;
                case FS_RET: bits |= Instruction.B_RET; break;
                case FS_GRP5:
                    if (reg == 3 || reg == 5 || reg == 7) {
                        return 0;
                    }
                    if (reg == 2 || reg == 4) {
                        bits |= Instruction.B_INDIRECT_BRANCH;
                    }
                    break;
                case FS_GRP11:
                    if (reg != 0) {
                        return 0;
                    }
                    break;
                default: // FS_GRP3
                    if (reg > 1) {
                        immSize = 0;
                    }
                    break;
            }
        }
        final int length = p - offset + immSize;
        // the same for the immediate: one 8-byte read, sign-extended (ENTER: zero-extended) by its size
        final int immShift = IMM_SX_SHIFT[immSize];
        final long value = ((long) INT64.get(code, p) << immShift >> immShift) & IMM_MASK_BY_SIZE[immSize];
        out.address = address;
        out.length = length;
        out.bits = bits;
        // The packed fields are left to materialize(), from these raw ones, when first asked for
        // (bit 63 marks them pending).
        out.fast = Long.MIN_VALUE | prefixes >> 3 | rex << 1 | map << 9 | b << 10 | opcodeOffset << 18
                | (long) (modrm + 1) << 20 | (long) (sib + 1) << 29;
        out.displacement = displacement;
        out.value = value;
        return length;
    }

    /**
     * Computes the packed fields of an instruction the fast path decoded from the raw fields it
     * left in {@link Instruction#fast}, exactly as {@link #decodeFast} would have stored them.
     */
    static void materialize(Instruction insn) {
        final long f = insn.fast;
        final int has66 = (int) f & 1;
        final int rex = (int) (f >> 1) & 0xFF;
        final int map = (int) (f >> 9) & 1;
        final int opcode = (int) (f >> 10) & 0xFF;
        final int opcodeOffset = (int) (f >> 18) & 3;
        final int modrm = (int) (f >> 20 & 0x1FF) - 1;
        final int sib = (int) (f >> 29 & 0x1FF) - 1;
        final int e = (map == 0 ? FAST_ONE_BYTE : FAST_0F)[opcode];
        final int osIndex = (rex & 8) != 0 ? 2 : has66 != 0 ? 0 : 1;
        final int mod = modrm < 0 ? 3 : modrm >> 6;
        final int reg = modrm < 0 ? 0 : (modrm >> 3) & 7;
        int p = opcodeOffset + 1 + (modrm < 0 ? 0 : 1);
        int dispSize = 0;
        if (mod != 3) {
            int form = MODRM_FORM[modrm];
            dispSize = form & 7;
            if ((form & 8) != 0) {
                p++;
                if (mod == 0 && (sib & 7) == 5) {
                    dispSize = 4;
                }
            }
        }
        final int dispOffset = dispSize != 0 ? p : 0;
        p += dispSize;
        int immSize = (e >>> (F_IMM_SHIFT + 4 * osIndex)) & 0xF;
        int memSize = (e >> F_MSZ_SHIFT) & 0xF;
        int special = (e >> F_SPECIAL_SHIFT) & 7;
        if (special == FS_GRP5) {
            if (reg == 2 || reg == 4) {
                memSize = M_Q;
            } else if (reg == 6) {
                memSize = M_STACK;
            }
        } else if (special == FS_GRP3 && reg > 1) {
            immSize = 0;
        }
        final int branch = (e >> F_BRANCH_SHIFT) & 7;
        final int memorySize = mod != 3 ? MEMORY_SIZE[memSize * 3 + osIndex] : 0;
        insn.meta = FAST_META[has66 << 9 | map << 8 | opcode]
                | (long) rex << Instruction.M_REX
                | (long) opcodeOffset << Instruction.M_OPCODE_OFFSET
                | (long) (modrm + 1) << Instruction.M_MODRM
                | (long) (sib + 1) << Instruction.M_SIB
                | (long) osIndex << Instruction.M_OPERAND_SIZE;
        insn.meta2 = (long) dispOffset << Instruction.N_DISP_OFFSET
                | (long) dispSize << Instruction.N_DISP_SIZE
                | (long) (immSize != 0 ? p : 0) << Instruction.N_FIELD_OFFSET
                | (long) immSize << Instruction.N_FIELD_SIZE
                | (long) branch << Instruction.N_BRANCH
                | (long) memorySize << Instruction.N_MEMORY_SIZE;
        insn.fast = 0;
    }

    /** Result bits of {@link #scanStep}: the length is in the low 8 bits. */
    public static final int STEP_LENGTH_MASK = 0xFF;
    public static final int STEP_VALID = 1 << 8;
    public static final int STEP_SYSCALL = 1 << 9;
    public static final int STEP_SYSENTER = 1 << 10;

    /**
     * What a linear sweep needs from one instruction, without filling an {@link Instruction} in the
     * common case: returns {@code length | STEP_VALID? | STEP_SYSCALL? | STEP_SYSENTER?}, exactly
     * the {@link Instruction#length()}, {@link Instruction#isValid()}, {@link Instruction#isSyscall()}
     * and {@link Instruction#isSysenter()} that {@link #decode} gives for the same arguments. Forms
     * the fast tables do not hold are decoded fully into {@code scratch} (whose content is then
     * that decode's, and is otherwise unspecified).
     */
    public int scanStep(byte[] code, int offset, int limit, long address, Instruction scratch) {
        if (code != null && offset >= 0 && offset <= code.length - FAST_SLACK && limit - offset >= MAX_LENGTH) {
            int step = lengthFast(code, offset);
            if (step != 0) {
                return step;
            }
        }
        int n = decodeFull(code, offset, limit, address, scratch);
        return n | (scratch.isValid() ? STEP_VALID : 0) | (scratch.isSyscall() ? STEP_SYSCALL : 0)
                | (scratch.isSysenter() ? STEP_SYSENTER : 0);
    }

    /** {@link #decodeFast} reduced to length and kind: the same acceptance, no stores. */
    static int lengthFast(byte[] code, int offset) {
        int p = offset;
        int b = code[p] & 0xFF;
        boolean opsize16 = false;
        int rex = 0;
        if (b == 0x66) {
            opsize16 = true;
            b = code[++p] & 0xFF;
        }
        if ((b & 0xF0) == 0x40) {
            rex = b;
            b = code[++p] & 0xFF;
        }
        int e;
        if (b != 0x0F) {
            e = FAST_ONE_BYTE[b];
        } else {
            e = FAST_0F[code[++p] & 0xFF];
        }
        if ((e & (opsize16 ? F_OK_66 : F_OK)) == 0) {
            return 0;
        }
        p++;
        final int osIndex = (rex & 8) != 0 ? 2 : opsize16 ? 0 : 1;
        int reg = 0;
        if ((e & F_MODRM) != 0) {
            int modrm = code[p++] & 0xFF;
            int mod = modrm >> 6;
            reg = (modrm >> 3) & 7;
            if (mod == 3 ? (e & F_MEM_ONLY) != 0 : (e & F_REG_ONLY) != 0) {
                return 0;
            }
            int form = MODRM_FORM[modrm];
            int dispSize = form & 7;
            if ((form & 8) != 0) {
                if (mod == 0 && (code[p] & 7) == 5) {
                    dispSize = 4;
                }
                p++;
            }
            p += dispSize;
        }
        int immSize = (e >>> (F_IMM_SHIFT + 4 * osIndex)) & 0xF;
        int result = STEP_VALID;
        int special = (e >> F_SPECIAL_SHIFT) & 7;
        if (special != FS_NONE) {
            switch (special) {
                case FS_SYSCALL: result |= STEP_SYSCALL; break;
                case FS_SYSENTER: result |= STEP_SYSENTER; break;
                case FS_RET: break;
                case FS_GRP5:
                    if (reg == 3 || reg == 5 || reg == 7) {
                        return 0;
                    }
                    break;
                case FS_GRP11:
                    if (reg != 0) {
                        return 0;
                    }
                    break;
                default: // FS_GRP3
                    if (reg > 1) {
                        immSize = 0;
                    }
                    break;
            }
        }
        return result | (p - offset + immSize);
    }

    /** Adds the immediate, checks length limits and computes targets. */
    private static int finish(byte[] code, int offset, int p, int limit, Instruction out, int immKind, int immSize) {
        int length = p - offset + immSize;
        if (length > MAX_LENGTH) {
            return fail(out, InvalidReason.TOO_LONG, 1);
        }
        if (length > limit - offset) {
            return fail(out, InvalidReason.TRUNCATED, 1);
        }
        if (immSize != 0) {
            long value;
            if (immSize == 1) {
                value = code[p];
            } else if (immSize == 4) {
                value = readInt32(code, p);
            } else if (immSize == 2) {
                value = (short) ((code[p] & 0xFF) | (code[p + 1] & 0xFF) << 8);
            } else if (immSize == 8) {
                value = readInt64(code, p);
            } else {
                value = (code[p] & 0xFF) | (code[p + 1] & 0xFF) << 8 | (code[p + 2] & 0xFF) << 16; // ENTER
            }
            // the immediate or, for a relative branch, the rel field; Instruction derives the
            // branch and RIP-relative targets from it, the displacement and the length on demand
            out.setField(p - offset, immSize);
            out.value = value;
        }
        out.length = length;
        out.bits |= Instruction.B_VALID;
        return length;
    }

    private static int endOfInput(Instruction out, int needed, int limit, int offset) {
        // Needing byte index >= limit within the first 15 means the input was cut short; otherwise
        // the 15-byte limit was reached first.
        return needed >= limit && needed - offset < MAX_LENGTH
                ? fail(out, InvalidReason.TRUNCATED, 1) : fail(out, InvalidReason.TOO_LONG, 1);
    }

    private static int fail(Instruction out, InvalidReason reason, int skip) {
        out.setInvalidReason(reason.ordinal());
        out.length = skip;
        out.setBranchKind(0);
        // an invalid decode claims nothing about what its bytes might have meant
        out.bits &= ~(Instruction.B_VALID | Instruction.B_SYSCALL | Instruction.B_SYSENTER | Instruction.B_RIP_RELATIVE
                | Instruction.B_RSP_RELATIVE);
        return skip;
    }

    private int decode3DNow(byte[] code, int offset, int p, int limit, int hardEnd, Instruction out) {
        // 0F 0F modrm [sib] [disp] op: the operation byte sits where an imm8 would.
        out.setEncoding(ENC_3DNOW);
        out.setOpcodeMap(Instruction.MAP_0F);
        out.setOpcode(0x0F);
        out.setOpcodeOffset(p - 1 - offset);
        if (p >= hardEnd) {
            return endOfInput(out, p, limit, offset);
        }
        int modrm = code[p] & 0xFF;
        out.setModrm(modrm);
        p++;
        int mod = modrm >> 6;
        int rm = modrm & 7;
        if (mod != 3) {
            int dispSize = mod == 1 ? 1 : mod == 2 ? 4 : 0;
            if (rm == 4) {
                if (p >= hardEnd) {
                    return endOfInput(out, p, limit, offset);
                }
                out.setSib(code[p] & 0xFF);
                if (mod == 0 && (out.sib() & 7) == 5) {
                    dispSize = 4;
                }
                if ((out.sib() & 7) == 4 && (out.rex() & 1) == 0 && out.addressSize() == 8) {
                    out.bits |= Instruction.B_RSP_RELATIVE;
                }
                p++;
            } else if (mod == 0 && rm == 5) {
                dispSize = 4;
                out.bits |= Instruction.B_RIP_RELATIVE;
            }
            if (dispSize != 0) {
                if (p + dispSize > hardEnd) {
                    return endOfInput(out, p + dispSize, limit, offset);
                }
                out.setDisp(p - offset, dispSize);
                out.displacement = dispSize == 1 ? code[p] : readInt32(code, p);
                p += dispSize;
            }
            out.setMemoryOperandSize(8);
        }
        if (p >= hardEnd) {
            return endOfInput(out, p, limit, offset);
        }
        if (!THREE_DNOW[code[p] & 0xFF]) {
            return fail(out, InvalidReason.UNDEFINED, 1);
        }
        return finish(code, offset, p, limit, out, I_B, 1);
    }

    /**
     * LOCK is only allowed on read-modify-write instructions with a memory destination; anything
     * else raises #UD (SDM Vol. 2 "LOCK"), wherever the LOCK sits among the prefixes.
     */
    private static boolean lockAllowed(int map, int opcode, int reg, int mod) {
        if (mod == 3) {
            return false;
        }
        if (map == Instruction.MAP_ONE_BYTE) {
            if (opcode < 0x38) {
                return (opcode & 7) <= 1; // ADD OR ADC SBB AND SUB XOR r/m, r
            }
            switch (opcode) {
                case 0x80: case 0x81: case 0x83: return reg != 7; // not CMP
                case 0x86: case 0x87: return true; // XCHG
                case 0xF6: case 0xF7: return reg == 2 || reg == 3; // NOT NEG
                case 0xFE: case 0xFF: return reg <= 1; // INC DEC
                default: return false;
            }
        }
        if (map == Instruction.MAP_0F) {
            switch (opcode) {
                case 0xAB: case 0xB3: case 0xBB: case 0xB0: case 0xB1: case 0xC0: case 0xC1: return true;
                case 0xBA: return reg >= 5; // BTS BTR BTC imm8
                case 0xC7: return reg == 1; // CMPXCHG8B/16B
                default: return false;
            }
        }
        return false;
    }

    /** 0 none, 1 66, 2 F3, 3 F2; -1 when the opcode has no form for any present prefix nor without. */
    private static int selectVariant(int mask, int lastRep, boolean opsize16) {
        if (lastRep == 0xF3 && (mask & 4) != 0) {
            return 2;
        }
        if (lastRep == 0xF2 && (mask & 8) != 0) {
            return 3;
        }
        if (lastRep != 0 && (mask & 1) == 0) {
            // A REP prefix the opcode has no form for is ignored only when an unprefixed form
            // exists; an opcode defined only with 66 becomes undefined (both disassemblers agree).
            return -1;
        }
        if (opsize16 && (mask & 2) != 0) {
            return 1;
        }
        return (mask & 1) != 0 ? 0 : -1;
    }

    /** TBM (XOP 9 01/02), LWP (XOP 9 12, XOP A 12) groups. */
    private static boolean xopGroupValid(int map, int opcode, int reg, int mod) {
        if (map == 9 && opcode == 0x01) {
            return reg != 0;
        }
        if (map == 9 && opcode == 0x02) {
            return reg == 1 || reg == 6;
        }
        if (map == 9 && opcode == 0x12) {
            return mod == 3 && reg <= 1;
        }
        return reg <= 1; // map A 12: LWPINS, LWPVAL
    }

    private static boolean group7Valid(int mod, int reg, int rm, int lastRep, boolean opsize16) {
        if (mod != 3) {
            return reg != 5 || lastRep == 0xF3; // /5 memory: RSTORSSP (F3) only
        }
        switch (reg) {
            case 0: return rm >= 1 && rm <= 4; // VMCALL VMLAUNCH VMRESUME VMXOFF
            case 1: return rm <= 3 || rm == 7; // MONITOR MWAIT CLAC STAC ENCLS
            case 2: return rm <= 1 || rm >= 4; // XGETBV XSETBV VMFUNC XEND XTEST ENCLU
            case 3: return true; // SVM: VMRUN ... INVLPGA
            case 4: return true; // SMSW r
            case 5: // SERIALIZE/SETSSBSY, SAVEPREVSSP (F3), RDPKRU, WRPKRU: no 66 form
                return !opsize16 && (rm == 0 || rm == 6 || rm == 7 || rm == 2 && lastRep == 0xF3);
            case 6: return true; // LMSW r
            default: return true; // SWAPGS RDTSCP MONITORX MWAITX CLZERO RDPRU (rm 6, 7 too)
        }
    }

    private static boolean group15Valid(int mod, int reg, int lastRep) {
        if (mod != 3) {
            return true; // FXSAVE FXRSTOR LDMXCSR STMXCSR XSAVE XRSTOR XSAVEOPT/CLWB CLFLUSH/CLFLUSHOPT (F3: PTWRITE...)
        }
        if (lastRep == 0xF3) {
            return reg != 4; // RD/WR FS/GS BASE, INCSSP, UMONITOR; /7 falls back to SFENCE
        }
        // LFENCE MFENCE SFENCE (the SDM says their r/m field is ignored), TPAUSE/UMWAIT under /6
        return reg >= 5;
    }

    private static boolean group9Valid(int mod, int reg) {
        if (mod != 3) {
            return reg == 1 || reg >= 3; // CMPXCHG8B/16B, XRSTORS XSAVEC XSAVES VMPTRLD/VMCLEAR/VMXON VMPTRST
        }
        return reg == 6 || reg == 7; // RDRAND, RDSEED/RDPID
    }

    /**
     * x87 holes in 64-bit mode. The undocumented register-form aliases (D9 D8-DF FSTP1, DD C8-CF
     * FXCH4, DE D0-D7 FCOMP5, DF C0-DF FFREEP/FXCH7/FSTP8/FSTP9, DB E0/E1/E4 FENI/FDISI/FSETPM) execute
     * on real CPUs and both objdump and Capstone decode them, so they are valid here too.
     */
    private static boolean x87Valid(int opcode, int mod, int reg, int rm) {
        if (mod != 3) {
            switch (opcode) {
                case 0xD9: return reg != 1;
                case 0xDB: return reg != 4 && reg != 6;
                case 0xDD: return reg != 5;
                default: return true;
            }
        }
        switch (opcode) {
            case 0xD9:
                switch (reg) {
                    case 2: return rm == 0; // FNOP
                    case 4: return rm != 2 && rm != 3 && rm != 6 && rm != 7;
                    case 5: return rm != 7;
                    default: return true;
                }
            case 0xDA: return reg <= 3 || reg == 5 && rm == 1; // FCMOVcc, FUCOMPP
            case 0xDB: return reg != 7 && (reg != 4 || rm <= 4);
            case 0xDD: return reg != 6 && reg != 7;
            case 0xDE: return reg != 3 || rm == 1; // FCOMPP
            case 0xDF: return reg != 7 && (reg != 4 || rm == 0); // FNSTSW AX
            default: return true;
        }
    }

    private static int x87MemorySize(int opcode, int reg) {
        switch (opcode) {
            case 0xD8: return 4;
            case 0xD9: return reg <= 3 ? 4 : reg == 4 || reg == 6 ? 28 : 2;
            case 0xDA: return 4;
            case 0xDB: return reg <= 3 ? 4 : 10;
            case 0xDC: return 8;
            case 0xDD: return reg <= 3 ? 8 : reg == 7 ? 2 : 108;
            case 0xDE: return 2;
            default: return reg <= 3 ? 2 : reg == 4 || reg == 6 ? 10 : 8; // DF
        }
    }

    /** N of EVEX disp8*N: how many bytes one unit of a compressed 8-bit displacement stands for. */
    private static int evexDisp8Scale(int map, int pp, int opcode, boolean w, int ll, boolean broadcast) {
        int vectorBytes = 16 << Math.min(ll, 2);
        if (map == 5 || map == 6) {
            // AVX512-FP16: scalar (sh) forms with F3, otherwise full vector of 2-byte elements
            return pp == 2 ? 2 : broadcast ? 2 : vectorBytes;
        }
        switch (EVEX_TUPLE[map][pp * 256 + opcode]) {
            case T_FV: return broadcast ? (w ? 8 : 4) : vectorBytes;
            case T_FVM: return vectorBytes;
            case T_T1S: return w ? 8 : 4;
            case T_HV: return broadcast ? 4 : vectorBytes / 2;
            case T_HVM: return vectorBytes / 2;
            case T_QVM: return vectorBytes / 4;
            case T_OVM: return vectorBytes / 8;
            case T_M128: return 16;
            case T_DUP: return vectorBytes == 16 ? 8 : vectorBytes;
            case T_1B: return 1;
            case T_2B: return 2;
            case T_4B: return 4;
            case T_8B: return 8;
            case T_16B: return 16;
            case T_32B: return 32;
            default: return 1;
        }
    }

    private static int readInt32(byte[] code, int p) {
        return (code[p] & 0xFF) | (code[p + 1] & 0xFF) << 8 | (code[p + 2] & 0xFF) << 16 | code[p + 3] << 24;
    }

    private static long readInt64(byte[] code, int p) {
        return (readInt32(code, p) & 0xFFFF_FFFFL) | (long) readInt32(code, p + 4) << 32;
    }
}
