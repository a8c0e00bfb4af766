package dev.jpoline.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What ProgramCheck says of a program before it starts, as entry_exec.c says it of an exec. */
class ProgramCheckTest {
    @TempDir Path temp;

    /** An ELF header of that class and machine, no program headers: only the first checks read it. */
    private Path elf(int elfClass, int machine) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 0x464c457f).put(4, (byte) elfClass).put(5, (byte) 1).putShort(18, (short) machine);
        Path p = temp.resolve("elf-" + elfClass + "-" + machine);
        Files.write(p, b.array());
        return p;
    }

    @Test
    void aProgramOfAnotherClassOrMachineIsForeign() throws Exception {
        assertThat(ProgramCheck.unreachableCode(elf(1, 3))).as("i386").isEqualTo(SessionLayout.UNREACHABLE_FOREIGN);
        assertThat(ProgramCheck.unreachableCode(elf(2, 183))).as("aarch64").isEqualTo(SessionLayout.UNREACHABLE_FOREIGN);
        assertThat(HostRewriting.unreachableReason(ProgramCheck.unreachableCode(elf(1, 3)))).isEqualTo(
                "it is not an x86-64 program, so jpoline's runtime cannot load in it");
    }

    @Test
    void anX86Program() throws Exception {
        assertThat(ProgramCheck.unreachableCode(Path.of("/bin/true"))).as("dynamic").isZero();
        assertThat(ProgramCheck.unreachableCode(elf(2, 62))).as("no PT_INTERP: static")
                .isEqualTo(SessionLayout.UNREACHABLE_STATIC);
        Path script = Files.writeString(temp.resolve("script"), "#!/bin/sh\ntrue\n");
        assertThat(ProgramCheck.unreachableCode(script)).as("a script: its interpreter is checked").isZero();
    }
}
