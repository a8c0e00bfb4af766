package dev.jpoline.rewriter.plan;

import static dev.jpoline.rewriter.elf.ProgramHeader.PF_R;
import static dev.jpoline.rewriter.elf.ProgramHeader.PF_X;
import static dev.jpoline.rewriter.elf.ProgramHeader.PT_LOAD;
import static dev.jpoline.rewriter.elf.ProgramHeader.PT_NOTE;
import static dev.jpoline.rewriter.elf.SectionHeader.SHF_ALLOC;
import static dev.jpoline.rewriter.elf.SectionHeader.SHF_EXECINSTR;
import static dev.jpoline.rewriter.elf.SectionHeader.SHT_PROGBITS;

import dev.jpoline.rewriter.elf.TestElf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small ELF files whose syscall sites are known exactly, for any correct linear sweep. */
final class PlanFixtures {
    private PlanFixtures() {}

    /** First text segment: file 0x1000, vaddr 0x401000. Sites at +5 (syscall) and +7 (sysenter). */
    static final byte[] TEXT_A = {
        (byte) 0xb8, 0x27, 0x00, 0x00, 0x00, // mov eax, 39 (getpid)
        0x0f, 0x05,                           // syscall
        0x0f, 0x34,                           // sysenter
        (byte) 0xc3,                          // ret
        (byte) 0x90, (byte) 0x90, (byte) 0x90, (byte) 0x90, (byte) 0x90, (byte) 0x90,
    };

    /** Second text segment: file 0x3000, vaddr 0x403000. One syscall at +2. */
    static final byte[] TEXT_B = {
        0x31, (byte) 0xc0,                    // xor eax, eax
        0x0f, 0x05,                           // syscall
        (byte) 0xc3,                          // ret
    };

    static final long A_OFFSET = 0x1000;
    static final long B_OFFSET = 0x3000;

    static byte[] twoTextSegments(byte[] buildId) {
        TestElf elf = new TestElf().type(2)
                .put((int) A_OFFSET, TEXT_A)
                .put((int) B_OFFSET, TEXT_B)
                .put(0x2000, "read-only data".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .segment(PT_LOAD, PF_R | PF_X, A_OFFSET, 0x401000, TEXT_A.length, TEXT_A.length, 0x1000)
                .segment(PT_LOAD, PF_R, 0x2000, 0x402000, 14, 14, 0x1000)
                .segment(PT_LOAD, PF_R | PF_X, B_OFFSET, 0x403000, TEXT_B.length, TEXT_B.length, 0x1000)
                .section(".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 0x401000, A_OFFSET, 10)
                .section(".pad", SHT_PROGBITS, SHF_ALLOC, 0x40100a, A_OFFSET + 10, 6)
                .section(".rodata", SHT_PROGBITS, SHF_ALLOC, 0x402000, 0x2000, 14)
                .section(".text2", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 0x403000, B_OFFSET, TEXT_B.length);
        if (buildId != null) {
            byte[] note = TestElf.buildIdNote(buildId);
            elf.put(0x800, note).segment(PT_NOTE, PF_R, 0x800, 0x400800, note.length, note.length, 4);
        }
        return elf.build();
    }

    static Path write(Path dir, String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }
}
