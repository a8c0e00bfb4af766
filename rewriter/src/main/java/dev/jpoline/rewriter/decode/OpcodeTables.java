package dev.jpoline.rewriter.decode;

/**
 * Opcode tables for 64-bit mode, written from the opcode maps of the Intel SDM (Vol. 2, App. A) and
 * the AMD APM (Vol. 3, App. A). Each entry is an {@code int} of flag fields (below); one array of
 * 256 per map, and for maps whose meaning depends on the mandatory prefix (66/F3/F2) a prefix mask.
 *
 * <p>The decoder only needs what determines length and validity: ModRM presence, immediate kind,
 * ModRM form restrictions (memory-only / register-only), mandatory-prefix validity, VEX.L/W
 * restrictions, relative-branch kind, and a memory-operand size class. Opcodes that need ModRM.reg
 * or ModRM.rm to decide (groups, system instructions) carry a {@code SPECIAL_*} code handled in
 * {@link X86Decoder}.
 */
final class OpcodeTables {
    private OpcodeTables() {}

    // --- bits 0-3: immediate kind
    static final int IMM_MASK = 0xF;
    static final int I_NONE = 0;
    static final int I_B = 1; // imm8
    static final int I_W = 2; // imm16
    static final int I_Z = 3; // imm16 with 66, else imm32 (also with REX.W: sign-extended imm32)
    static final int I_V = 4; // imm16/32/64 by operand size (B8-BF only)
    static final int I_ENTER = 5; // imm16 + imm8
    static final int I_MOFFS = 6; // 8-byte address, 4 with 67
    static final int I_REL8 = 7;
    static final int I_RELZ = 8; // rel32, rel16 with 66 (as both oracles decode; see X86Decoder)
    static final int I_BB = 9; // two imm8 (EXTRQ/INSERTQ)
    static final int I_GRP3_B = 10; // F6: imm8 only for /0 /1 (TEST)
    static final int I_GRP3_Z = 11; // F7: immZ only for /0 /1 (TEST)
    static final int I_D = 12; // imm32 (XOP map A)

    // --- bit 4: has ModRM; bit 5: undefined; bits 6-7: ModRM form restriction
    static final int MODRM = 1 << 4;
    static final int UNDEF = 1 << 5;
    static final int MEM_ONLY = 1 << 6;
    static final int REG_ONLY = 1 << 7;

    // --- bits 8-11: mandatory prefixes for which the opcode is defined (0 = prefix-independent)
    static final int P_NONE = 1 << 8;
    static final int P_66 = 1 << 9;
    static final int P_F3 = 1 << 10;
    static final int P_F2 = 1 << 11;
    static final int P_ALL = P_NONE | P_66 | P_F3 | P_F2;
    static final int P_SHIFT = 8;

    // --- bits 12-16: special handling
    static final int SPECIAL_SHIFT = 12;
    static final int SPECIAL_MASK = 0x1F << SPECIAL_SHIFT;
    static final int S_NONE = 0;
    static final int S_GRP11 = 1; // C6/C7: /0 mov, F8 xabort/xbegin
    static final int S_GRP1A = 2; // 8F: /0 pop (XOP handled before)
    static final int S_GRP4 = 3; // FE
    static final int S_GRP5 = 4; // FF
    static final int S_MOV_SREG = 5; // 8C/8E
    static final int S_X87 = 6; // D8-DF
    static final int S_GRP6 = 7; // 0F 00
    static final int S_GRP7 = 8; // 0F 01
    static final int S_GRP15 = 9; // 0F AE
    static final int S_GRP9 = 10; // 0F C7
    static final int S_GRP8 = 11; // 0F BA
    static final int S_SHIFT_GRP12 = 12; // 0F 71
    static final int S_SHIFT_GRP13 = 13; // 0F 72
    static final int S_SHIFT_GRP14 = 14; // 0F 73
    static final int S_0F78 = 15; // VMREAD / EXTRQ / INSERTQ
    static final int S_0F79 = 16; // VMWRITE / EXTRQ / INSERTQ
    static final int S_SYSCALL = 17;
    static final int S_SYSENTER = 18;
    static final int S_RET = 19;
    static final int S_CRDR = 20; // 0F 20-23: ModRM mod ignored (always register form)
    static final int S_GRP17 = 21; // VEX 0F38 F3: BLSR/BLSMSK/BLSI
    static final int S_VEX_GRP12_14 = 22; // VEX 0F 71-73
    static final int S_VEX_AE = 23; // VEX 0F AE: vldmxcsr/vstmxcsr
    static final int S_VSIB = 24; // gathers/scatters: memory-only with SIB required
    static final int S_GRP3 = 25; // F6/F7: every /reg is defined (/1 is TEST); only the immediate depends on it
    static final int S_EVEX_SHIFT_GROUP = 26; // EVEX 66 0F 71-73 (adds VPROLD/VPRORD under 72)
    static final int S_PADLOCK = 27; // 0F A6 / 0F A7 with fixed register-form ModRM bytes
    static final int S_XOP_GROUP = 28; // TBM and LWP groups in XOP maps 9 and A
    static final int S_WRSS = 29; // 0F 38 F6: the unprefixed form (WRSS) is memory-only

    // --- bits 17-19: relative branch kind (ordinal of BranchKind)
    static final int BRANCH_SHIFT = 17;
    static final int BRANCH_MASK = 0x7 << BRANCH_SHIFT;

    // --- bits 20-23: memory operand size class
    static final int MSZ_SHIFT = 20;
    static final int MSZ_MASK = 0xF << MSZ_SHIFT;
    static final int M_UNKNOWN = 0;
    static final int M_B = 1;
    static final int M_W = 2;
    static final int M_D = 3;
    static final int M_Q = 4;
    static final int M_V = 5; // operand size
    static final int M_STACK = 6; // push/pop: 8, or 2 with 66
    static final int M_Y = 8; // 4, or 8 with REX.W (no 16-bit form)

    // --- bits 24-27: VEX/EVEX restrictions
    static final int L0 = 1 << 24; // VEX.L must be 0
    static final int L1 = 1 << 25; // VEX.L must be 1
    static final int W0 = 1 << 26;
    static final int W1 = 1 << 27;
    static final int NO_MODRM = 1 << 28; // VEX 0F 77 (vzeroupper/vzeroall) has no ModRM
    static final int NO_VVVV = 1 << 29; // VEX/EVEX/XOP.vvvv unused: must be 1111b (and EVEX.V' 1)
    static final int NO_VVVV_MEM = 1 << 30; // vvvv unused in the memory form only (VMOVSS/VMOVSD loads)
    /** One-byte map: 0F, C4, C5, 62 (always) and 8F (with map select >= 8) start a longer opcode. */
    static final int ESCAPE = 1 << 31;

    // --- EVEX disp8*N tuple class, bits 0-3 of a separate per-map table
    static final int T_FV = 0; // full vector: VL/8, element size with broadcast
    static final int T_FVM = 1; // full vector memory: VL/8, no broadcast
    static final int T_T1S = 2; // scalar: element size from W (4/8)
    static final int T_HV = 4; // half vector: VL/16, element (4) with broadcast
    static final int T_HVM = 5; // VL/16
    static final int T_QVM = 6; // VL/32
    static final int T_OVM = 7; // VL/64
    static final int T_M128 = 8; // 16
    static final int T_DUP = 9; // movddup: 8 / 32 / 64
    static final int T_1B = 10; // 1
    static final int T_2B = 11; // 2
    static final int T_4B = 12; // 4
    static final int T_8B = 13; // 8
    static final int T_16B = 14; // 16 (tuple4 of dwords / tuple2 of qwords)
    static final int T_32B = 15; // 32 (tuple8 / tuple4 of qwords)

    /** One-byte map. */
    static final int[] ONE_BYTE = new int[256];
    /** Two-byte map (0F xx). */
    static final int[] MAP_0F = new int[256];
    /** Three-byte maps (0F 38 xx, 0F 3A xx). */
    static final int[] MAP_0F38 = new int[256];
    static final int[] MAP_0F3A = new int[256];
    /** VEX maps 1-3, indexed [map][pp * 256 + opcode]; 0 = undefined. */
    static final int[][] VEX = new int[4][1024];
    /** EVEX maps 1-3, 5, 6, indexed [map][pp * 256 + opcode]; 0 = undefined. */
    static final int[][] EVEX = new int[8][1024];
    /** EVEX disp8*N tuple class per [map][pp * 256 + opcode]. */
    static final byte[][] EVEX_TUPLE = new byte[8][1024];
    /** XOP maps 8-10 at index 0-2. */
    static final int[][] XOP = new int[3][256];
    /** 3DNow! operations selected by the trailing imm8. */
    static final boolean[] THREE_DNOW = new boolean[256];

    static int branch(BranchKind kind) {
        return kind.ordinal() << BRANCH_SHIFT;
    }

    static int special(int code) {
        return code << SPECIAL_SHIFT;
    }

    static int msz(int sizeClass) {
        return sizeClass << MSZ_SHIFT;
    }

    private static void set(int[] map, int flags, int... opcodes) {
        for (int op : opcodes) {
            map[op] = flags;
        }
    }

    private static void range(int[] map, int from, int to, int flags) {
        for (int op = from; op <= to; op++) {
            map[op] = flags;
        }
    }

    static {
        buildOneByte();
        buildMap0F();
        buildMap0F38();
        buildMap0F3A();
        buildVex();
        buildEvex();
        buildXop();
        for (int op : new int[] {0x0C, 0x0D, 0x1C, 0x1D, 0x8A, 0x8E, 0x90, 0x94, 0x96, 0x97, 0x9A, 0x9E, 0xA0,
                0xA4, 0xA6, 0xA7, 0xAA, 0xAE, 0xB0, 0xB4, 0xB6, 0xB7, 0xBB, 0xBF}) {
            THREE_DNOW[op] = true;
        }
    }

    private static void buildOneByte() {
        int[] t = ONE_BYTE;
        // ALU blocks 00-3F: Eb,Gb / Ev,Gv / Gb,Eb / Gv,Ev / AL,Ib / rAX,Iz; the 6th/7th slots are
        // segment push/pop, BCD adjust or prefixes, all undefined (or prefixes) in 64-bit mode.
        for (int base = 0; base < 0x40; base += 8) {
            t[base] = MODRM | msz(M_B);
            t[base + 1] = MODRM | msz(M_V);
            t[base + 2] = MODRM | msz(M_B);
            t[base + 3] = MODRM | msz(M_V);
            t[base + 4] = I_B;
            t[base + 5] = I_Z;
            t[base + 6] = UNDEF;
            t[base + 7] = UNDEF;
        }
        // 0F is the escape, 26/2E/36/3E are segment prefixes (consumed before the table lookup).
        range(t, 0x40, 0x4F, UNDEF); // REX: consumed as prefixes, never looked up
        range(t, 0x50, 0x5F, I_NONE);
        set(t, UNDEF, 0x60, 0x61, 0x62); // PUSHA/POPA/BOUND; 62 is EVEX, decoded before the lookup
        t[0x63] = MODRM | msz(M_D); // MOVSXD
        t[0x68] = I_Z;
        t[0x69] = MODRM | I_Z | msz(M_V);
        t[0x6A] = I_B;
        t[0x6B] = MODRM | I_B | msz(M_V);
        range(t, 0x6C, 0x6F, I_NONE);
        range(t, 0x70, 0x7F, I_REL8 | branch(BranchKind.JCC));
        t[0x80] = MODRM | I_B | msz(M_B);
        t[0x81] = MODRM | I_Z | msz(M_V);
        t[0x82] = UNDEF; // alias of 80 outside 64-bit mode
        t[0x83] = MODRM | I_B | msz(M_V);
        set(t, MODRM | msz(M_B), 0x84, 0x86, 0x88, 0x8A);
        set(t, MODRM | msz(M_V), 0x85, 0x87, 0x89, 0x8B);
        t[0x8C] = MODRM | special(S_MOV_SREG) | msz(M_W);
        t[0x8D] = MODRM | MEM_ONLY; // LEA computes an address, accesses nothing
        t[0x8E] = MODRM | special(S_MOV_SREG) | msz(M_W);
        t[0x8F] = MODRM | special(S_GRP1A) | msz(M_STACK);
        range(t, 0x90, 0x99, I_NONE);
        t[0x9A] = UNDEF; // CALL far ptr16:32
        range(t, 0x9B, 0x9F, I_NONE);
        range(t, 0xA0, 0xA3, I_MOFFS);
        range(t, 0xA4, 0xA7, I_NONE);
        t[0xA8] = I_B;
        t[0xA9] = I_Z;
        range(t, 0xAA, 0xAF, I_NONE);
        range(t, 0xB0, 0xB7, I_B);
        range(t, 0xB8, 0xBF, I_V);
        t[0xC0] = MODRM | I_B | msz(M_B);
        t[0xC1] = MODRM | I_B | msz(M_V);
        t[0xC2] = I_W | special(S_RET);
        t[0xC3] = special(S_RET);
        set(t, UNDEF, 0xC4, 0xC5); // LES/LDS: in 64-bit mode always VEX, decoded before the lookup
        t[0xC6] = MODRM | I_B | special(S_GRP11) | msz(M_B);
        t[0xC7] = MODRM | I_Z | special(S_GRP11) | msz(M_V);
        t[0xC8] = I_ENTER;
        t[0xC9] = I_NONE;
        t[0xCA] = I_W | special(S_RET);
        t[0xCB] = special(S_RET);
        t[0xCC] = I_NONE;
        t[0xCD] = I_B;
        t[0xCE] = UNDEF; // INTO
        t[0xCF] = special(S_RET); // IRET
        set(t, MODRM | msz(M_B), 0xD0, 0xD2);
        set(t, MODRM | msz(M_V), 0xD1, 0xD3);
        set(t, UNDEF, 0xD4, 0xD5, 0xD6); // AAM, AAD, SALC
        t[0xD7] = I_NONE;
        range(t, 0xD8, 0xDF, MODRM | special(S_X87));
        range(t, 0xE0, 0xE2, I_REL8 | branch(BranchKind.LOOP));
        t[0xE3] = I_REL8 | branch(BranchKind.JRCXZ);
        range(t, 0xE4, 0xE7, I_B);
        t[0xE8] = I_RELZ | branch(BranchKind.CALL);
        t[0xE9] = I_RELZ | branch(BranchKind.JMP);
        t[0xEA] = UNDEF; // JMP far ptr16:32
        t[0xEB] = I_REL8 | branch(BranchKind.JMP);
        range(t, 0xEC, 0xEF, I_NONE);
        t[0xF1] = I_NONE; // INT1
        set(t, I_NONE, 0xF4, 0xF5);
        t[0xF6] = MODRM | I_GRP3_B | special(S_GRP3) | msz(M_B);
        t[0xF7] = MODRM | I_GRP3_Z | special(S_GRP3) | msz(M_V);
        range(t, 0xF8, 0xFD, I_NONE);
        t[0xFE] = MODRM | special(S_GRP4) | msz(M_B);
        t[0xFF] = MODRM | special(S_GRP5) | msz(M_V);
        for (int escape : new int[] {0x0F, 0xC4, 0xC5, 0x62, 0x8F}) {
            t[escape] |= ESCAPE;
        }
    }

    private static void buildMap0F() {
        int[] t = MAP_0F;
        range(t, 0x00, 0xFF, UNDEF);
        t[0x00] = MODRM | special(S_GRP6) | msz(M_W);
        t[0x01] = MODRM | special(S_GRP7);
        set(t, MODRM | msz(M_W), 0x02, 0x03); // LAR, LSL
        t[0x05] = special(S_SYSCALL);
        set(t, I_NONE, 0x06, 0x07, 0x08, 0x09, 0x0B, 0x0E); // CLTS SYSRET INVD WBINVD UD2 FEMMS
        t[0x0D] = MODRM | MEM_ONLY | msz(M_B); // PREFETCH/PREFETCHW group (AMD)
        // 0F 0F (3DNow!) is decoded before the lookup.
        t[0x10] = MODRM | P_ALL;
        t[0x11] = MODRM | P_ALL;
        t[0x12] = MODRM | P_ALL;
        t[0x13] = MODRM | MEM_ONLY | P_NONE | P_66;
        set(t, MODRM | P_NONE | P_66, 0x14, 0x15);
        t[0x16] = MODRM | P_NONE | P_66 | P_F3;
        t[0x17] = MODRM | MEM_ONLY | P_NONE | P_66;
        t[0x18] = MODRM | msz(M_B); // PREFETCHh /0-/3, reserved-NOP /4-/7
        range(t, 0x19, 0x1F, MODRM); // hint NOPs (incl. MPX BND*, ENDBR, RDSSP)
        range(t, 0x20, 0x23, MODRM | special(S_CRDR));
        set(t, MODRM | P_NONE | P_66, 0x28, 0x29);
        t[0x2A] = MODRM | P_ALL;
        t[0x2B] = MODRM | MEM_ONLY | P_NONE | P_66;
        set(t, MODRM | P_ALL, 0x2C, 0x2D);
        set(t, MODRM | P_NONE | P_66, 0x2E, 0x2F);
        range(t, 0x30, 0x33, I_NONE); // WRMSR RDTSC RDMSR RDPMC
        t[0x34] = special(S_SYSENTER);
        t[0x35] = I_NONE; // SYSEXIT
        t[0x37] = I_NONE; // GETSEC
        // 0F 38 and 0F 3A are escapes, decoded before the lookup.
        range(t, 0x40, 0x4F, MODRM | msz(M_V)); // CMOVcc
        t[0x50] = MODRM | REG_ONLY | P_NONE | P_66;
        t[0x51] = MODRM | P_ALL;
        set(t, MODRM | P_NONE | P_F3, 0x52, 0x53);
        range(t, 0x54, 0x57, MODRM | P_NONE | P_66);
        range(t, 0x58, 0x5A, MODRM | P_ALL);
        t[0x5B] = MODRM | P_NONE | P_66 | P_F3;
        range(t, 0x5C, 0x5F, MODRM | P_ALL);
        range(t, 0x60, 0x6B, MODRM | P_NONE | P_66);
        set(t, MODRM | P_66, 0x6C, 0x6D);
        t[0x6E] = MODRM | P_NONE | P_66 | msz(M_Y);
        t[0x6F] = MODRM | P_NONE | P_66 | P_F3;
        t[0x70] = MODRM | I_B | P_ALL;
        t[0x71] = MODRM | I_B | REG_ONLY | P_NONE | P_66 | special(S_SHIFT_GRP12);
        t[0x72] = MODRM | I_B | REG_ONLY | P_NONE | P_66 | special(S_SHIFT_GRP13);
        t[0x73] = MODRM | I_B | REG_ONLY | P_NONE | P_66 | special(S_SHIFT_GRP14);
        range(t, 0x74, 0x76, MODRM | P_NONE | P_66);
        t[0x77] = I_NONE | P_NONE; // EMMS
        t[0x78] = MODRM | special(S_0F78);
        t[0x79] = MODRM | special(S_0F79);
        set(t, MODRM | P_66 | P_F2, 0x7C, 0x7D);
        t[0x7E] = MODRM | P_NONE | P_66 | P_F3;
        t[0x7F] = MODRM | P_NONE | P_66 | P_F3;
        range(t, 0x80, 0x8F, I_RELZ | branch(BranchKind.JCC));
        range(t, 0x90, 0x9F, MODRM | msz(M_B)); // SETcc
        set(t, I_NONE, 0xA0, 0xA1, 0xA2, 0xA8, 0xA9, 0xAA); // PUSH/POP FS/GS, CPUID, RSM
        set(t, MODRM | msz(M_V), 0xA3, 0xA5, 0xAB, 0xAD, 0xAF, 0xB1, 0xB3, 0xBB, 0xC1);
        set(t, MODRM | I_B | msz(M_V), 0xA4, 0xAC); // SHLD/SHRD imm8
        set(t, MODRM | REG_ONLY | special(S_PADLOCK), 0xA6, 0xA7); // VIA PadLock (MONTMUL, XSHA*, XSTORE, XCRYPT*)
        t[0xAE] = MODRM | special(S_GRP15);
        set(t, MODRM | msz(M_B), 0xB0, 0xC0); // CMPXCHG/XADD byte
        set(t, MODRM | MEM_ONLY, 0xB2, 0xB4, 0xB5); // LSS LFS LGS
        set(t, MODRM | msz(M_B), 0xB6, 0xBE);
        set(t, MODRM | msz(M_W), 0xB7, 0xBF);
        t[0xB8] = MODRM | P_F3 | msz(M_V); // POPCNT; JMPE (no prefix) does not exist in 64-bit mode
        t[0xB9] = MODRM; // UD1
        t[0xBA] = MODRM | I_B | special(S_GRP8) | msz(M_V);
        set(t, MODRM | msz(M_V), 0xBC, 0xBD); // BSF/TZCNT, BSR/LZCNT
        t[0xC2] = MODRM | I_B | P_ALL;
        t[0xC3] = MODRM | MEM_ONLY | P_NONE | msz(M_Y); // MOVNTI
        t[0xC4] = MODRM | I_B | P_NONE | P_66;
        t[0xC5] = MODRM | I_B | REG_ONLY | P_NONE | P_66;
        t[0xC6] = MODRM | I_B | P_NONE | P_66;
        t[0xC7] = MODRM | special(S_GRP9);
        range(t, 0xC8, 0xCF, I_NONE); // BSWAP
        t[0xD0] = MODRM | P_66 | P_F2;
        range(t, 0xD1, 0xD5, MODRM | P_NONE | P_66);
        t[0xD6] = MODRM | P_66 | P_F3 | P_F2;
        t[0xD7] = MODRM | REG_ONLY | P_NONE | P_66;
        range(t, 0xD8, 0xE5, MODRM | P_NONE | P_66);
        t[0xE6] = MODRM | P_66 | P_F3 | P_F2;
        t[0xE7] = MODRM | MEM_ONLY | P_NONE | P_66;
        range(t, 0xE8, 0xEF, MODRM | P_NONE | P_66);
        t[0xF0] = MODRM | MEM_ONLY | P_F2; // LDDQU
        range(t, 0xF1, 0xF6, MODRM | P_NONE | P_66);
        t[0xF7] = MODRM | REG_ONLY | P_NONE | P_66;
        range(t, 0xF8, 0xFE, MODRM | P_NONE | P_66);
        t[0xFF] = MODRM; // UD0
    }

    private static void buildMap0F38() {
        int[] t = MAP_0F38;
        range(t, 0x00, 0xFF, UNDEF);
        range(t, 0x00, 0x0B, MODRM | P_NONE | P_66);
        set(t, MODRM | P_66, 0x10, 0x14, 0x15, 0x17);
        range(t, 0x1C, 0x1E, MODRM | P_NONE | P_66);
        range(t, 0x20, 0x25, MODRM | P_66);
        set(t, MODRM | P_66, 0x28, 0x29, 0x2B);
        t[0x2A] = MODRM | MEM_ONLY | P_66; // MOVNTDQA
        range(t, 0x30, 0x35, MODRM | P_66);
        range(t, 0x37, 0x41, MODRM | P_66);
        range(t, 0x80, 0x82, MODRM | MEM_ONLY | P_66); // INVEPT INVVPID INVPCID
        range(t, 0xC8, 0xCD, MODRM | P_NONE); // SHA
        t[0xCF] = MODRM | P_66; // GF2P8MULB
        range(t, 0xDB, 0xDF, MODRM | P_66); // AES
        t[0xF0] = MODRM | P_NONE | P_66 | P_F2; // MOVBE / CRC32 (F2)
        t[0xF1] = MODRM | P_NONE | P_66 | P_F2;
        t[0xF5] = MODRM | MEM_ONLY | P_66; // WRUSS
        t[0xF6] = MODRM | P_NONE | P_66 | P_F3 | special(S_WRSS); // WRSS (mem) / ADCX / ADOX
        t[0xF8] = MODRM | MEM_ONLY | P_66 | P_F3 | P_F2; // MOVDIR64B ENQCMDS ENQCMD
        t[0xF9] = MODRM | MEM_ONLY | P_NONE; // MOVDIRI
    }

    private static void buildMap0F3A() {
        int[] t = MAP_0F3A;
        range(t, 0x00, 0xFF, UNDEF);
        int f = MODRM | I_B;
        t[0x0F] = f | P_NONE | P_66;
        range(t, 0x08, 0x0E, f | P_66);
        range(t, 0x14, 0x17, f | P_66);
        range(t, 0x20, 0x22, f | P_66);
        range(t, 0x40, 0x42, f | P_66);
        t[0x44] = f | P_66;
        range(t, 0x60, 0x63, f | P_66);
        t[0xCC] = f | P_NONE; // SHA1RNDS4
        set(t, f | P_66, 0xCE, 0xCF, 0xDF);
    }

    private static final int PP_NONE = 0;
    private static final int PP_66 = 1;
    private static final int PP_F3 = 2;
    private static final int PP_F2 = 3;

    private static void vex(int map, int pp, int flags, int... opcodes) {
        for (int op : opcodes) {
            VEX[map][pp * 256 + op] = flags | MODRM;
        }
    }

    private static void vexRange(int map, int pp, int from, int to, int flags) {
        for (int op = from; op <= to; op++) {
            VEX[map][pp * 256 + op] = flags | MODRM;
        }
    }

    private static void buildVex() {
        // VEX map 1 (0F)
        vex(1, PP_NONE, L0, 0x12, 0x16);
        vex(1, PP_NONE, 0, 0x10, 0x11, 0x14, 0x15, 0x28, 0x29, 0x2E, 0x2F, 0x51, 0x52, 0x53, 0x54,
                0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F);
        vex(1, PP_NONE, MEM_ONLY | L0, 0x13, 0x17);
        vex(1, PP_NONE, MEM_ONLY, 0x2B);
        vex(1, PP_NONE, REG_ONLY, 0x50);
        vex(1, PP_NONE, I_B, 0xC2, 0xC6);
        VEX[1][0x77] = NO_MODRM; // VZEROUPPER / VZEROALL
        vex(1, PP_NONE, special(S_VEX_AE) | L0, 0xAE);
        vex(1, PP_66, 0, 0x10, 0x11, 0x14, 0x15, 0x28, 0x29, 0x2E, 0x2F, 0x51, 0x54, 0x55, 0x56, 0x57, 0x58,
                0x59, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F);
        vex(1, PP_66, MEM_ONLY | L0, 0x12, 0x13, 0x16, 0x17);
        vex(1, PP_66, MEM_ONLY, 0x2B, 0xE7);
        vex(1, PP_66, REG_ONLY, 0x50, 0xD7);
        vexRange(1, PP_66, 0x60, 0x6D, 0);
        vex(1, PP_66, L0, 0x6E, 0x7E, 0xD6);
        vex(1, PP_66, 0, 0x6F, 0x74, 0x75, 0x76, 0x7C, 0x7D, 0x7F, 0xD0);
        vex(1, PP_66, I_B, 0x70, 0xC2, 0xC6);
        vex(1, PP_66, I_B | REG_ONLY | special(S_VEX_GRP12_14), 0x71, 0x72, 0x73);
        vex(1, PP_66, I_B | L0, 0xC4);
        vex(1, PP_66, I_B | L0 | REG_ONLY, 0xC5);
        vexRange(1, PP_66, 0xD1, 0xD5, 0);
        vexRange(1, PP_66, 0xD8, 0xE6, 0);
        vexRange(1, PP_66, 0xE8, 0xF6, 0);
        VEX[1][PP_66 * 256 + 0xF0] = 0;
        vex(1, PP_66, REG_ONLY | L0, 0xF7);
        vexRange(1, PP_66, 0xF8, 0xFE, 0);
        vex(1, PP_F3, 0, 0x10, 0x11, 0x12, 0x16, 0x2A, 0x2C, 0x2D, 0x51, 0x52, 0x53, 0x58, 0x59, 0x5A, 0x5B,
                0x5C, 0x5D, 0x5E, 0x5F, 0x6F, 0x7F, 0xE6);
        vex(1, PP_F3, L0, 0x7E);
        vex(1, PP_F3, I_B, 0x70, 0xC2);
        vex(1, PP_F2, 0, 0x10, 0x11, 0x12, 0x2A, 0x2C, 0x2D, 0x51, 0x58, 0x59, 0x5A, 0x5C, 0x5D, 0x5E, 0x5F,
                0x7C, 0x7D, 0xD0, 0xE6);
        vex(1, PP_F2, MEM_ONLY, 0xF0);
        vex(1, PP_F2, I_B, 0x70, 0xC2);
        // AVX-512 opmask instructions are VEX-encoded, register-only.
        vex(1, PP_NONE, REG_ONLY | L1, 0x41, 0x42, 0x45, 0x46, 0x47, 0x4A);
        vex(1, PP_NONE, REG_ONLY | L1, 0x4B);
        vex(1, PP_NONE, REG_ONLY | L0, 0x44, 0x98, 0x99);
        vex(1, PP_66, REG_ONLY | L1, 0x41, 0x42, 0x45, 0x46, 0x47, 0x4A);
        vex(1, PP_66, REG_ONLY | L1 | W0, 0x4B);
        vex(1, PP_66, REG_ONLY | L0, 0x44, 0x98, 0x99);
        vex(1, PP_NONE, L0, 0x90); // kmov k, k/m
        vex(1, PP_66, L0, 0x90);
        vex(1, PP_NONE, L0 | MEM_ONLY, 0x91);
        vex(1, PP_66, L0 | MEM_ONLY, 0x91);
        vex(1, PP_NONE, L0 | REG_ONLY | W0, 0x92, 0x93);
        vex(1, PP_66, L0 | REG_ONLY | W0, 0x92, 0x93);
        vex(1, PP_F2, L0 | REG_ONLY, 0x92, 0x93);

        // VEX map 2 (0F 38), no immediates
        vexRange(2, PP_66, 0x00, 0x0B, 0);
        vexRange(2, PP_66, 0x0C, 0x0F, W0);
        vex(2, PP_66, W0, 0x13, 0x18);
        vex(2, PP_66, L1 | W0, 0x16, 0x19);
        vex(2, PP_66, L1 | W0 | MEM_ONLY, 0x1A);
        vex(2, PP_66, 0, 0x17, 0x1C, 0x1D, 0x1E, 0x28, 0x29, 0x2B, 0x37, 0x40, 0x45, 0x46, 0x47, 0x78, 0x8C,
                0x8E);
        VEX[2][PP_66 * 256 + 0x8C] = MODRM | MEM_ONLY;
        VEX[2][PP_66 * 256 + 0x8E] = MODRM | MEM_ONLY;
        vexRange(2, PP_66, 0x20, 0x25, 0);
        vex(2, PP_66, MEM_ONLY, 0x2A);
        vexRange(2, PP_66, 0x2C, 0x2F, W0 | MEM_ONLY);
        vexRange(2, PP_66, 0x30, 0x35, 0);
        vex(2, PP_66, L1 | W0, 0x36);
        vexRange(2, PP_66, 0x38, 0x3F, 0);
        vex(2, PP_66, L0, 0x41);
        vex(2, PP_66, W0, 0x58, 0x59, 0x79);
        vex(2, PP_66, L1 | W0 | MEM_ONLY, 0x5A);
        vexRange(2, PP_66, 0x50, 0x53, W0); // AVX-VNNI
        vexRange(2, PP_66, 0x90, 0x93, special(S_VSIB));
        vexRange(2, PP_66, 0x96, 0x9F, 0);
        vexRange(2, PP_66, 0xA6, 0xAF, 0);
        vexRange(2, PP_66, 0xB6, 0xBF, 0);
        vex(2, PP_66, L0, 0xDB);
        vexRange(2, PP_66, 0xDC, 0xDF, 0);
        vex(2, PP_66, L0, 0xF7); // SHLX
        vex(2, PP_NONE, L0, 0xF2, 0xF5, 0xF7); // ANDN BZHI BEXTR
        vex(2, PP_NONE, L0 | special(S_GRP17), 0xF3);
        vex(2, PP_F3, L0, 0xF5, 0xF7); // PEXT SARX
        vex(2, PP_F2, L0, 0xF5, 0xF6, 0xF7); // PDEP MULX SHRX

        // VEX map 3 (0F 3A), all with imm8
        vex(3, PP_66, I_B | L1 | W1, 0x00, 0x01);
        vex(3, PP_66, I_B | W0, 0x02, 0x04, 0x05, 0x1D, 0x4A, 0x4B, 0x4C);
        vex(3, PP_66, I_B | L1 | W0, 0x06, 0x18, 0x19, 0x38, 0x39, 0x46);
        vexRange(3, PP_66, 0x08, 0x0F, I_B);
        vexRange(3, PP_66, 0x14, 0x17, I_B | L0);
        vexRange(3, PP_66, 0x20, 0x22, I_B | L0);
        vexRange(3, PP_66, 0x30, 0x33, I_B | L0 | REG_ONLY); // KSHIFT
        vex(3, PP_66, I_B, 0x40, 0x41, 0x42, 0x44, 0x48, 0x49);
        vex(3, PP_66, I_B | W1, 0xCE, 0xCF); // GF2P8AFFINE(INV)QB
        VEX[3][PP_66 * 256 + 0x41] |= L0;
        vexRange(3, PP_66, 0x5C, 0x5F, I_B);
        vexRange(3, PP_66, 0x68, 0x6F, I_B);
        vexRange(3, PP_66, 0x78, 0x7F, I_B);
        vexRange(3, PP_66, 0x60, 0x63, I_B | L0);
        vex(3, PP_66, I_B | L0, 0xDF);
        vex(3, PP_F2, I_B | L0, 0xF0); // RORX

        // Which VEX forms leave vvvv unused (then it must be 1111b or the instruction is #UD).
        noVvvv(VEX, 1, PP_NONE, 0x10, 0x11, 0x13, 0x17, 0x28, 0x29, 0x2B, 0x2E, 0x2F, 0x50, 0x51, 0x52, 0x53, 0x5A,
                0x5B, 0x77, 0xAE, 0x90, 0x91, 0x92, 0x93, 0x98, 0x99, 0x44);
        noVvvv(VEX, 1, PP_66, 0x10, 0x11, 0x13, 0x17, 0x28, 0x29, 0x2B, 0x2E, 0x2F, 0x50, 0x51, 0x5A, 0x5B, 0x6E,
                0x6F, 0x70, 0x7E, 0x7F, 0xC5, 0xD6, 0xD7, 0xE6, 0xE7, 0xF7, 0x90, 0x91, 0x92, 0x93, 0x98, 0x99, 0x44);
        noVvvv(VEX, 1, PP_F3, 0x12, 0x16, 0x2C, 0x2D, 0x5B, 0x6F, 0x70, 0x7E, 0x7F, 0xE6);
        noVvvv(VEX, 1, PP_F2, 0x12, 0x2C, 0x2D, 0x70, 0xE6, 0xF0, 0x92, 0x93);
        VEX[1][PP_F3 * 256 + 0x10] |= NO_VVVV_MEM;
        VEX[1][PP_F3 * 256 + 0x11] |= NO_VVVV_MEM;
        VEX[1][PP_F2 * 256 + 0x10] |= NO_VVVV_MEM;
        VEX[1][PP_F2 * 256 + 0x11] |= NO_VVVV_MEM;
        noVvvv(VEX, 2, PP_66, 0x0E, 0x0F, 0x13, 0x17, 0x18, 0x19, 0x1A, 0x1C, 0x1D, 0x1E, 0x20, 0x21, 0x22, 0x23,
                0x24, 0x25, 0x2A, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x41, 0x58, 0x59, 0x5A, 0x78, 0x79, 0xDB);
        noVvvv(VEX, 3, PP_66, 0x00, 0x01, 0x04, 0x05, 0x08, 0x09, 0x14, 0x15, 0x16, 0x17, 0x19, 0x1D, 0x30, 0x31,
                0x32, 0x33, 0x39, 0x60, 0x61, 0x62, 0x63, 0xDF);
        noVvvv(VEX, 3, PP_F2, 0xF0);
    }

    private static void noVvvv(int[][] table, int map, int pp, int... opcodes) {
        for (int op : opcodes) {
            if (table[map][pp * 256 + op] != 0) {
                table[map][pp * 256 + op] |= NO_VVVV;
            }
        }
    }

    private static void evex(int map, int pp, int tuple, int flags, int... opcodes) {
        for (int op : opcodes) {
            EVEX[map][pp * 256 + op] = flags | MODRM;
            EVEX_TUPLE[map][pp * 256 + op] = (byte) tuple;
        }
    }

    private static void evexRange(int map, int pp, int from, int to, int tuple, int flags) {
        for (int op = from; op <= to; op++) {
            evex(map, pp, tuple, flags, op);
        }
    }

    private static void buildEvex() {
        // EVEX map 1 (0F)
        evex(1, PP_NONE, T_FV, 0, 0x14, 0x15, 0x28, 0x29, 0x51, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5B, 0x5C,
                0x5D, 0x5E, 0x5F, 0x78, 0x79);
        evex(1, PP_NONE, T_FVM, 0, 0x10, 0x11);
        evex(1, PP_NONE, T_8B, 0, 0x12, 0x16);
        evex(1, PP_NONE, T_8B, MEM_ONLY, 0x13, 0x17);
        evex(1, PP_NONE, T_FVM, MEM_ONLY, 0x2B);
        evex(1, PP_NONE, T_4B, 0, 0x2E, 0x2F);
        evex(1, PP_NONE, T_HV, 0, 0x5A);
        evex(1, PP_NONE, T_FV, I_B, 0xC2, 0xC6);
        evex(1, PP_66, T_FV, 0, 0x14, 0x15, 0x28, 0x29, 0x51, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x5B,
                0x5C, 0x5D, 0x5E, 0x5F, 0x62, 0x66, 0x6A, 0x6B, 0x6C, 0x6D, 0x72, 0x76, 0x78, 0x79, 0x7A, 0x7B, 0xD4,
                0xDB, 0xDF, 0xE6, 0xEB, 0xEF, 0xF4, 0xFA, 0xFB, 0xFE, 0xE7, 0x6F, 0x7F, 0xD2, 0xD3, 0xE2);
        evex(1, PP_66, T_FVM, 0, 0x10, 0x11, 0x60, 0x61, 0x63, 0x64, 0x65, 0x67, 0x68, 0x69, 0x71, 0x74, 0x75,
                0xD1, 0xD5, 0xD8, 0xD9, 0xDA, 0xDC, 0xDD, 0xDE, 0xE0, 0xE1, 0xE3, 0xE4, 0xE5, 0xE8, 0xE9, 0xEA,
                0xEC, 0xED, 0xEE, 0xF1, 0xF5, 0xF6, 0xF8, 0xF9, 0xFC, 0xFD);
        // shifts by an xmm count read 16 bytes whatever the vector length
        evex(1, PP_66, T_M128, 0, 0xD1, 0xD2, 0xD3, 0xE1, 0xE2, 0xF1, 0xF2, 0xF3);
        // Unlike VEX, the EVEX shift-by-immediate groups accept a memory source (with broadcast).
        evex(1, PP_66, T_FV, I_B | special(S_EVEX_SHIFT_GROUP), 0x72, 0x73);
        evex(1, PP_66, T_FVM, I_B | special(S_EVEX_SHIFT_GROUP), 0x71);
        evex(1, PP_66, T_FVM, I_B, 0x70);
        evex(1, PP_66, T_8B, MEM_ONLY, 0x12, 0x13, 0x16, 0x17);
        evex(1, PP_66, T_FVM, MEM_ONLY, 0x2B, 0xE7);
        evex(1, PP_66, T_8B, 0, 0x2E, 0x2F, 0xD6);
        evex(1, PP_66, T_T1S, 0, 0x6E, 0x7E);
        evex(1, PP_66, T_FV, I_B, 0xC2, 0xC6);
        evex(1, PP_66, T_2B, I_B, 0xC4);
        evex(1, PP_66, T_2B, I_B | REG_ONLY, 0xC5);
        evex(1, PP_F3, T_4B, 0, 0x10, 0x11, 0x51, 0x58, 0x59, 0x5A, 0x5C, 0x5D, 0x5E, 0x5F);
        evex(1, PP_F3, T_T1S, 0, 0x2A, 0x7B);
        evex(1, PP_F3, T_4B, 0, 0x2C, 0x2D, 0x78, 0x79);
        evex(1, PP_F3, T_FVM, 0, 0x12, 0x16, 0x6F, 0x7F);
        evex(1, PP_F3, T_FV, 0, 0x5B);
        evex(1, PP_F3, T_HV, 0, 0x7A, 0xE6);
        evex(1, PP_F3, T_8B, 0, 0x7E);
        evex(1, PP_F3, T_4B, I_B, 0xC2);
        evex(1, PP_F2, T_8B, 0, 0x10, 0x11, 0x51, 0x58, 0x59, 0x5A, 0x5C, 0x5D, 0x5E, 0x5F);
        evex(1, PP_F2, T_T1S, 0, 0x2A, 0x7B);
        evex(1, PP_F2, T_8B, 0, 0x2C, 0x2D, 0x78, 0x79);
        evex(1, PP_F2, T_DUP, 0, 0x12);
        evex(1, PP_F2, T_FVM, 0, 0x6F, 0x7F);
        evex(1, PP_F2, T_FV, 0, 0x7A, 0xE6);
        evex(1, PP_F2, T_8B, I_B, 0xC2);
        evex(1, PP_F2, T_FVM, I_B, 0x70);
        evex(1, PP_F3, T_FVM, I_B, 0x70);

        // EVEX map 2 (0F 38)
        evex(2, PP_66, T_FVM, 0, 0x00, 0x04, 0x0B, 0x10, 0x11, 0x12, 0x1C, 0x1D, 0x26, 0x38, 0x3C,
                0x3E, 0x66, 0x75, 0x7D, 0x8D, 0x8F, 0x62, 0x63, 0x70, 0x71, 0x72, 0x73, 0x54, 0x8A, 0x8B, 0x88,
                0x89, 0xCF, 0xDC, 0xDD, 0xDE, 0xDF);
        evex(2, PP_66, T_FV, 0, 0x0C, 0x0D, 0x14, 0x15, 0x16, 0x1E, 0x1F, 0x27, 0x28, 0x29, 0x2B, 0x2C, 0x36,
                0x37, 0x39, 0x3A, 0x3B, 0x3D, 0x3F, 0x40, 0x42, 0x44, 0x45, 0x46, 0x47, 0x4C, 0x4E, 0x50, 0x51,
                0x52, 0x53, 0x55, 0x64, 0x65, 0x76, 0x77, 0x7E, 0x7F, 0x83, 0x96, 0x97, 0x98, 0x9A, 0x9C, 0x9E,
                0xA6, 0xA7, 0xA8, 0xAA, 0xAC, 0xAE, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xBA, 0xBC, 0xBE, 0xC4, 0xC8,
                0xCA, 0xCC);
        evex(2, PP_66, T_FVM, MEM_ONLY, 0x2A);
        evex(2, PP_66, T_T1S, 0, 0x2D, 0x43, 0x4D, 0x4F, 0x99, 0x9B, 0x9D, 0x9F, 0xA9, 0xAB, 0xAD, 0xAF, 0xB9,
                0xBB, 0xBD, 0xBF, 0xCB, 0xCD);
        evex(2, PP_66, T_HV, 0, 0x13);
        evex(2, PP_66, T_4B, 0, 0x18, 0x58);
        evex(2, PP_66, T_8B, 0, 0x19, 0x59);
        evex(2, PP_66, T_16B, MEM_ONLY, 0x1A, 0x5A);
        evex(2, PP_66, T_32B, MEM_ONLY, 0x1B, 0x5B);
        evex(2, PP_66, T_1B, 0, 0x78, 0x7A);
        evex(2, PP_66, T_2B, 0, 0x79, 0x7B);
        EVEX[2][PP_66 * 256 + 0x7A] = MODRM | REG_ONLY;
        EVEX[2][PP_66 * 256 + 0x7B] = MODRM | REG_ONLY;
        evex(2, PP_66, T_T1S, REG_ONLY, 0x7C);
        evex(2, PP_66, T_HVM, 0, 0x20, 0x23, 0x25, 0x30, 0x33, 0x35);
        evex(2, PP_66, T_QVM, 0, 0x21, 0x24, 0x31, 0x34);
        evex(2, PP_66, T_OVM, 0, 0x22, 0x32);
        evex(2, PP_66, T_T1S, special(S_VSIB), 0x90, 0x91, 0x92, 0x93, 0xA0, 0xA1, 0xA2, 0xA3, 0xC6, 0xC7);
        evex(2, PP_F3, T_HVM, 0, 0x10, 0x13, 0x15, 0x20, 0x23, 0x25, 0x30, 0x33, 0x35);
        evex(2, PP_F3, T_QVM, 0, 0x11, 0x14, 0x21, 0x24, 0x31, 0x34);
        evex(2, PP_F3, T_OVM, 0, 0x12, 0x22, 0x32);
        evex(2, PP_F3, T_FVM, 0, 0x26, 0x27);
        evex(2, PP_F3, T_FVM, REG_ONLY, 0x28, 0x29, 0x38, 0x39, 0x3A);
        evex(2, PP_F3, T_FV, 0, 0x52, 0x72);
        evex(2, PP_F2, T_FV, 0, 0x72, 0x68);
        evex(2, PP_F2, T_16B, MEM_ONLY, 0x52, 0x53, 0x9A, 0x9B, 0xAA, 0xAB);

        // EVEX map 3 (0F 3A), all with imm8
        evex(3, PP_66, T_FV, I_B, 0x00, 0x01, 0x03, 0x04, 0x05, 0x08, 0x09, 0x1E, 0x1F, 0x23, 0x25, 0x26, 0x43,
                0x50, 0x54, 0x56, 0x66, 0x70, 0x71, 0x72, 0x73, 0xCE, 0xCF);
        evex(3, PP_66, T_FVM, I_B, 0x0F, 0x3E, 0x3F, 0x42, 0x44);
        evex(3, PP_66, T_T1S, I_B, 0x0A, 0x0B, 0x16, 0x22, 0x27, 0x51, 0x55, 0x57, 0x67);
        evex(3, PP_66, T_1B, I_B, 0x14, 0x20);
        evex(3, PP_66, T_2B, I_B, 0x15);
        evex(3, PP_66, T_4B, I_B, 0x17, 0x21);
        evex(3, PP_66, T_16B, I_B, 0x18, 0x19, 0x38, 0x39);
        evex(3, PP_66, T_32B, I_B, 0x1A, 0x1B, 0x3A, 0x3B);
        evex(3, PP_66, T_HVM, I_B, 0x1D);

        // EVEX forms without a vvvv operand
        noVvvv(EVEX, 1, PP_NONE, 0x10, 0x11, 0x13, 0x17, 0x28, 0x29, 0x2B, 0x2E, 0x2F, 0x51, 0x5A, 0x5B, 0x78, 0x79);
        noVvvv(EVEX, 1, PP_66, 0x10, 0x11, 0x13, 0x17, 0x28, 0x29, 0x2B, 0x2E, 0x2F, 0x51, 0x5A, 0x5B, 0x6E, 0x6F,
                0x70, 0x78, 0x79, 0x7A, 0x7B, 0x7E, 0x7F, 0xC5, 0xD6, 0xE6, 0xE7);
        noVvvv(EVEX, 1, PP_F3, 0x12, 0x16, 0x2C, 0x2D, 0x5B, 0x6F, 0x70, 0x78, 0x79, 0x7A, 0x7E, 0x7F, 0xE6);
        noVvvv(EVEX, 1, PP_F2, 0x12, 0x2C, 0x2D, 0x6F, 0x70, 0x78, 0x79, 0x7A, 0x7F, 0xE6);
        EVEX[1][PP_F3 * 256 + 0x10] |= NO_VVVV_MEM;
        EVEX[1][PP_F3 * 256 + 0x11] |= NO_VVVV_MEM;
        EVEX[1][PP_F2 * 256 + 0x10] |= NO_VVVV_MEM;
        EVEX[1][PP_F2 * 256 + 0x11] |= NO_VVVV_MEM;
        noVvvv(EVEX, 2, PP_66, 0x13, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x24,
                0x25, 0x2A, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x42, 0x4C, 0x4E, 0x54, 0x55, 0x58, 0x59, 0x5A, 0x5B,
                0x62, 0x63, 0x78, 0x79, 0x7A, 0x7B, 0x7C, 0x88, 0x89, 0x8A, 0x8B, 0x90, 0x91, 0x92, 0x93, 0xA0, 0xA1,
                0xA2, 0xA3, 0xC4, 0xC6, 0xC7, 0xC8, 0xCA, 0xCC);
        noVvvv(EVEX, 2, PP_F3, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x28, 0x29,
                0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x38, 0x39, 0x3A);
        noVvvv(EVEX, 3, PP_66, 0x00, 0x01, 0x04, 0x05, 0x08, 0x09, 0x14, 0x15, 0x16, 0x17, 0x19, 0x1B, 0x1D, 0x26,
                0x39, 0x3B, 0x56, 0x66);

        // Maps 5 and 6 (AVX512-FP16): ModRM, no immediate; the FP16 element is 2 bytes.
        for (int pp = 0; pp < 4; pp++) {
            for (int op = 0; op < 256; op++) {
                EVEX[5][pp * 256 + op] = MODRM;
                EVEX[6][pp * 256 + op] = MODRM;
                EVEX_TUPLE[5][pp * 256 + op] = T_FV;
                EVEX_TUPLE[6][pp * 256 + op] = T_FV;
            }
        }
    }

    private static void buildXop() {
        int[] map8 = XOP[0];
        int f8 = MODRM | I_B;
        set(map8, f8, 0x85, 0x86, 0x87, 0x8E, 0x8F, 0x95, 0x96, 0x97, 0x9E, 0x9F, 0xA2, 0xA3, 0xA6, 0xB6, 0xC0,
                0xC1, 0xC2, 0xC3, 0xCC, 0xCD, 0xCE, 0xCF, 0xEC, 0xED, 0xEE, 0xEF);
        int[] map9 = XOP[1];
        set(map9, MODRM, 0x01, 0x02, 0x12, 0x80, 0x81, 0x82, 0x83, 0xC1, 0xC2, 0xC3, 0xC6, 0xC7, 0xCB, 0xD1,
                0xD2, 0xD3, 0xD6, 0xD7, 0xDB, 0xE1, 0xE2, 0xE3);
        range(map9, 0x90, 0x9B, MODRM);
        int[] mapA = XOP[2];
        set(mapA, MODRM | I_D, 0x10, 0x12);
        // XOP forms without a vvvv operand
        for (int op : new int[] {0xC0, 0xC1, 0xC2, 0xC3}) {
            map8[op] |= NO_VVVV;
        }
        for (int op : new int[] {0x12, 0x80, 0x81, 0x82, 0x83, 0xC1, 0xC2, 0xC3, 0xC6, 0xC7, 0xCB, 0xD1, 0xD2, 0xD3,
                0xD6, 0xD7, 0xDB, 0xE1, 0xE2, 0xE3}) {
            map9[op] |= NO_VVVV;
        }
        mapA[0x10] |= NO_VVVV;
        map9[0x01] |= special(S_XOP_GROUP);
        map9[0x02] |= special(S_XOP_GROUP);
        map9[0x12] |= special(S_XOP_GROUP);
        mapA[0x12] |= special(S_XOP_GROUP);
        // XOP.L must be 0 except for VPCMOV, VPERMIL2 (map 8 A2, map 9 80/81); map 8 needs W0 except
        // the operand-order-swapping VPCMOV/VPPERM (A2, A3); VFRCZ and the horizontal adds need W0.
        for (int op = 0; op < 256; op++) {
            if (map8[op] != 0 && op != 0xA2) {
                map8[op] |= L0;
            }
            if (map8[op] != 0 && op != 0xA2 && op != 0xA3) {
                map8[op] |= W0;
            }
            if (map9[op] != 0 && op != 0x80 && op != 0x81) {
                map9[op] |= L0;
            }
            if (map9[op] != 0 && (op >= 0x80 && op <= 0x83 || op >= 0xC1)) {
                map9[op] |= W0;
            }
            if (mapA[op] != 0) {
                mapA[op] |= L0;
            }
        }
    }
}
