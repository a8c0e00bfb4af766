package dev.jpoline.trace.format;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.api.consts.XlatStyle;
import org.junit.jupiter.api.Test;

/** PEEKUSER/POKEUSER offsets as strace 6.1 names them on x86-64, in the three -X styles. */
class PtraceOffsetTest {
    @Test
    void registersAreEightTimesTheirSysRegNameUpToSs() {
        assertThat(ArgDecoder.userOffset(0, XlatStyle.ABBREV)).isEqualTo("8*R15");
        assertThat(ArgDecoder.userOffset(8 * 16, XlatStyle.ABBREV)).isEqualTo("8*RIP");
        assertThat(ArgDecoder.userOffset(8 * 16 + 1, XlatStyle.ABBREV)).isEqualTo("8*RIP+1");
        assertThat(ArgDecoder.userOffset(8 * 18, XlatStyle.ABBREV)).as("eflags").isEqualTo("8*EFL");
        assertThat(ArgDecoder.userOffset(8 * 20, XlatStyle.ABBREV)).isEqualTo("8*SS");
        assertThat(ArgDecoder.userOffset(8 * 21, XlatStyle.ABBREV)).as("fs_base").isEqualTo("8*SS+8");
        assertThat(ArgDecoder.userOffset(215, XlatStyle.ABBREV)).isEqualTo("8*SS+55");
    }

    @Test
    void fieldsAfterTheRegistersAreOffsetofsAndBeyondTheStructIsHex() {
        assertThat(ArgDecoder.userOffset(216, XlatStyle.ABBREV)).isEqualTo("offsetof(struct user, u_fpvalid)");
        assertThat(ArgDecoder.userOffset(232, XlatStyle.ABBREV)).isEqualTo("offsetof(struct user, i387)+8");
        assertThat(ArgDecoder.userOffset(856, XlatStyle.ABBREV)).isEqualTo("offsetof(struct user, u_debugreg)+8");
        assertThat(ArgDecoder.userOffset(912, XlatStyle.ABBREV)).isEqualTo("sizeof(struct user)");
        assertThat(ArgDecoder.userOffset(920, XlatStyle.ABBREV)).isEqualTo("0x398");
        assertThat(ArgDecoder.userOffset(-8, XlatStyle.ABBREV)).isEqualTo("0xfffffffffffffff8");
    }

    @Test
    void rawIsTheNumberAndVerboseAddsTheNameInAComment() {
        assertThat(ArgDecoder.userOffset(128, XlatStyle.RAW)).isEqualTo("0x80");
        assertThat(ArgDecoder.userOffset(128, XlatStyle.VERBOSE)).isEqualTo("0x80 /* 8*RIP */");
        assertThat(ArgDecoder.userOffset(4096, XlatStyle.VERBOSE)).isEqualTo("0x1000");
    }
}
