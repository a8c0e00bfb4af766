package dev.jpoline.rewriter.elf;

import static dev.jpoline.rewriter.elf.ProgramHeader.PF_R;
import static dev.jpoline.rewriter.elf.ProgramHeader.PF_W;
import static dev.jpoline.rewriter.elf.ProgramHeader.PF_X;
import static dev.jpoline.rewriter.elf.ProgramHeader.PT_DYNAMIC;
import static dev.jpoline.rewriter.elf.ProgramHeader.PT_INTERP;
import static dev.jpoline.rewriter.elf.ProgramHeader.PT_LOAD;
import static dev.jpoline.rewriter.elf.ProgramHeader.PT_NOTE;
import static dev.jpoline.rewriter.elf.SectionHeader.SHF_ALLOC;
import static dev.jpoline.rewriter.elf.SectionHeader.SHF_EXECINSTR;
import static dev.jpoline.rewriter.elf.SectionHeader.SHT_NOTE;
import static dev.jpoline.rewriter.elf.SectionHeader.SHT_PROGBITS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reader on small hand-laid files: exact answers, and one clear error per kind of damage. */
class ElfFileSyntheticTest {
    private static final byte[] ID = {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 1, 2, 3, 4, 5};

    /** An old-style single R+X segment from file offset 0: headers, .text, .rodata all in it. */
    private static TestElf oldStyleExecutable() {
        return new TestElf().type(2)
                .put(0x1000, new byte[0x100]) // .text
                .put(0x1100, "constant data".getBytes(StandardCharsets.US_ASCII)) // .rodata
                .segment(PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x1140, 0x1140, 0x1000)
                .segment(PT_INTERP, PF_R, 0x1100, 0x401100, 8, 8, 1)
                .section(".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 0x401000, 0x1000, 0x100)
                .section(".rodata", SHT_PROGBITS, SHF_ALLOC, 0x401100, 0x1100, 0x40);
    }

    @Test
    void dataRangesAreEverythingInTheSegmentOutsideCodeSections() throws Exception {
        ElfFile elf = ElfFile.parse(oldStyleExecutable().build());
        ProgramHeader text = elf.executableLoadSegments().get(0);
        // ELF header and padding before .text, then .rodata after it, are data.
        assertThat(elf.dataRangesIn(text)).containsExactly(0x400000L, 0x401000L, 0x401100L, 0x401140L);
        assertThat(elf.type()).isEqualTo(ElfType.EXEC);
        assertThat(elf.hasInterpreter()).isTrue();
        assertThat(elf.interpreter()).hasValue("constant");
    }

    @Test
    void adjacentCodeSectionsLeaveOnlyTheGapAsData() throws Exception {
        ElfFile elf = ElfFile.parse(new TestElf()
                .put(0x1000, new byte[0x300])
                .segment(PT_LOAD, PF_R | PF_X, 0x1000, 0x1000, 0x300, 0x300, 0x1000)
                .section(".plt", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 0x1000, 0x1000, 0x80)
                .section(".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 0x1080, 0x1080, 0x100)
                .section(".jtab", SHT_PROGBITS, SHF_ALLOC, 0x1200, 0x1200, 0x20)
                .section(".fini", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 0x1240, 0x1240, 0xc0)
                .build());
        ProgramHeader seg = elf.executableLoadSegments().get(0);
        assertThat(elf.dataRangesIn(seg)).containsExactly(0x1180L, 0x1240L);
    }

    @Test
    void withoutSectionHeadersNothingIsKnownToBeData() throws Exception {
        byte[] bytes = new TestElf().put(0x1000, new byte[0x100])
                .segment(PT_LOAD, PF_R | PF_X, 0x1000, 0x1000, 0x100, 0x100, 0x1000).build();
        Arrays.fill(bytes, 40, 48, (byte) 0); // e_shoff = 0: no section header table
        ElfFile elf = ElfFile.parse(bytes);
        assertThat(elf.sections()).isEmpty();
        assertThat(elf.dataRangesIn(elf.executableLoadSegments().get(0))).isEmpty();
        assertThat(elf.functionSymbols().size()).isZero();
        assertThat(elf.buildId()).isEmpty();
    }

    @Test
    void readsProgramHeaderFieldsAndSegmentBytes() throws Exception {
        byte[] code = {0x0f, 0x05, (byte) 0xc3};
        ElfFile elf = ElfFile.parse(new TestElf().put(0x2000, code)
                .segment(PT_LOAD, PF_R, 0, 0, 0x1000, 0x1000, 0x1000)
                .segment(PT_LOAD, PF_R | PF_X, 0x2000, 0x3000, 3, 0x10, 0x1000)
                .segment(PT_LOAD, PF_R | PF_W, 0x2003, 0x4003, 0, 0x100, 0x1000)
                .segment(PT_DYNAMIC, PF_R | PF_W, 0x2003, 0x4003, 0, 0, 8)
                .build(), "synthetic");
        assertThat(elf.programHeaders()).hasSize(4);
        ProgramHeader text = elf.programHeaders().get(1);
        assertThat(text).isEqualTo(new ProgramHeader(1, PT_LOAD, PF_R | PF_X, 0x2000, 0x3000, 0x3000, 3, 0x10, 0x1000));
        assertThat(elf.executableLoadSegments()).containsExactly(text);
        assertThat(elf.readSegment(text)).containsExactly(code);
        assertThat(elf.isDynamic()).isTrue();
        assertThat(elf.hasInterpreter()).isFalse();
        assertThat(elf.name()).isEqualTo("synthetic");
    }

    @Test
    void staticFilesHaveNeitherInterpreterNorDynamicSegment() throws Exception {
        ElfFile elf = ElfFile.parse(new TestElf().type(2).put(0x1000, new byte[16])
                .segment(PT_LOAD, PF_R | PF_X, 0x1000, 0x401000, 16, 16, 0x1000).build());
        assertThat(elf.isStatic()).isTrue();
        assertThat(elf.isDynamic()).isFalse();
        assertThat(elf.interpreter()).isEmpty();
    }

    @Test
    void buildIdComesFromThePtNoteSegment() throws Exception {
        byte[] otherNote = {4, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 'G', 'N', 'U', 0, 0, 0, 0, 0};
        byte[] notes = concat(otherNote, TestElf.buildIdNote(ID));
        ElfFile elf = ElfFile.parse(new TestElf().put(0x1000, notes)
                .segment(PT_NOTE, PF_R, 0x1000, 0x1000, notes.length, notes.length, 4).build());
        assertThat(elf.buildId()).hasValue("deadbeef0102030405");
    }

    @Test
    void buildIdFallsBackToTheNoteSection() throws Exception {
        byte[] note = TestElf.buildIdNote(ID);
        ElfFile elf = ElfFile.parse(new TestElf().put(0x1000, note)
                .section(".note.gnu.build-id", SHT_NOTE, SHF_ALLOC, 0x1000, 0x1000, note.length).build());
        assertThat(elf.programHeaders()).isEmpty();
        assertThat(elf.buildId()).hasValue("deadbeef0102030405");
    }

    @Test
    void aNoteRunningPastItsAreaIsNotTrusted() throws Exception {
        byte[] note = TestElf.buildIdNote(ID);
        ElfFile elf = ElfFile.parse(new TestElf().put(0x1000, note)
                .segment(PT_NOTE, PF_R, 0x1000, 0x1000, note.length - 4, note.length - 4, 4).build());
        assertThat(elf.buildId()).isEmpty();
    }

    @Test
    void functionLookupFindsInnermostAndMostVisibleAndIgnoresObjects() throws Exception {
        ElfFile elf = ElfFile.parse(new TestElf()
                .function("outer", 0x1000, 0x100, 1)
                .function("inner", 0x1040, 0x10, 0)
                .function("__alias_local", 0x1200, 0x20, 0)
                .function("alias_global", 0x1200, 0x20, 1)
                .function("alias_weak", 0x1200, 0x20, 2)
                .function("no_size", 0x1300, 0, 1)
                .object("a_table", 0x1400, 0x100)
                .build());
        FunctionSymbols syms = elf.functionSymbols();
        assertThat(syms.tableName()).isEqualTo(".symtab");
        assertThat(syms.size()).isEqualTo(6);
        assertThat(syms.nameContaining(0x1000)).isEqualTo("outer");
        assertThat(syms.nameContaining(0x1045)).isEqualTo("inner");
        assertThat(syms.nameContaining(0x1050)).isEqualTo("outer"); // after inner ends, still in outer
        assertThat(syms.nameContaining(0x10ff)).isEqualTo("outer");
        assertThat(syms.nameContaining(0x1100)).isNull();
        assertThat(syms.nameContaining(0x1210)).isEqualTo("alias_global");
        assertThat(syms.nameContaining(0x1300)).isNull(); // a zero-size symbol contains nothing
        assertThat(syms.nameContaining(0x1410)).isNull(); // objects are not functions
        assertThat(syms.nameContaining(0xfff)).isNull();
        assertThat(syms.containing(0x1045)).isEqualTo(new FunctionSymbol("inner", 0x1040, 0x10));
        assertThat(syms.all()).extracting(FunctionSymbol::value).isSorted();
    }

    @Test
    void dynsymIsUsedWhenThereIsNoSymtab() throws Exception {
        ElfFile elf = ElfFile.parse(new TestElf().function("exported", 0x2000, 8, 1).asDynsym().build());
        assertThat(elf.functionSymbols().tableName()).isEqualTo(".dynsym");
        assertThat(elf.functionSymbols().nameContaining(0x2007)).isEqualTo("exported");
    }

    @Test
    void symtabIsPreferredOverDynsymInARealUnstrippedBinary(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc is not installed");
        Path src = dir.resolve("t.c");
        Files.writeString(src, "static int helper(int x) { return x * 3; }\n"
                + "int main(int c, char **v) { (void) v; return helper(c); }\n");
        Path exe = dir.resolve("t");
        Process gcc = new ProcessBuilder("/usr/bin/gcc", "-O0", "-o", exe.toString(), src.toString())
                .redirectErrorStream(true).start();
        String out = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gcc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gcc.exitValue()).as(out).isZero();
        try (ElfFile elf = ElfFile.open(exe)) {
            assertThat(elf.section(".dynsym")).isPresent();
            FunctionSymbols syms = elf.functionSymbols();
            assertThat(syms.tableName()).isEqualTo(".symtab");
            FunctionSymbol helper = syms.all().stream().filter(s -> s.name().equals("helper")).findFirst().orElseThrow();
            assertThat(syms.nameContaining(helper.value() + 1)).isEqualTo("helper");
            assertThat(Readelf.functionSymbols(exe, ".symtab"))
                    .contains(Long.toHexString(helper.value()) + " " + helper.size() + " helper");
        }
    }

    // ---- malformed input: one clear error each ----

    @Test
    void rejectsNonElf() {
        assertThatThrownBy(() -> ElfFile.parse("#!/bin/sh\necho hi\n".getBytes(StandardCharsets.US_ASCII), "script"))
                .isInstanceOf(ElfFormatException.class).hasMessage("ELF script: not an ELF file (bad magic)");
        assertThatThrownBy(() -> ElfFile.parse(new byte[2]))
                .isInstanceOf(ElfFormatException.class).hasMessageContaining("not an ELF file (only 2 bytes)");
    }

    @Test
    void rejects32Bit() {
        assertThatThrownBy(() -> ElfFile.parse(new TestElf().elfClass(1).build()))
                .isInstanceOf(ElfFormatException.class).hasMessageContaining("32-bit ELF (ELFCLASS32) is not supported");
    }

    @Test
    void rejectsWrongMachine() {
        assertThatThrownBy(() -> ElfFile.parse(new TestElf().machine(183).build()))
                .isInstanceOf(ElfFormatException.class)
                .hasMessageContaining("wrong machine: e_machine=183 (AArch64), expected 62 (x86-64)");
    }

    @Test
    void rejectsBigEndian() {
        byte[] b = new TestElf().build();
        b[5] = 2;
        assertThatThrownBy(() -> ElfFile.parse(b)).hasMessageContaining("not little-endian");
    }

    @Test
    void rejectsTruncatedHeader() {
        byte[] b = Arrays.copyOf(new TestElf().build(), 40);
        assertThatThrownBy(() -> ElfFile.parse(b))
                .isInstanceOf(ElfFormatException.class).hasMessageContaining("truncated: 40 bytes");
    }

    @Test
    void rejectsTruncatedProgramHeaders() {
        byte[] full = new TestElf().segment(PT_LOAD, PF_R, 0, 0, 0x40, 0x40, 0x1000)
                .segment(PT_LOAD, PF_R | PF_X, 0, 0, 0x40, 0x40, 0x1000).build();
        byte[] b = Arrays.copyOf(full, 64 + 56 + 10);
        assertThatThrownBy(() -> ElfFile.parse(b))
                .isInstanceOf(ElfFormatException.class)
                .hasMessageContaining("truncated: program header table at 0x40+0x70");
    }

    @Test
    void rejectsTruncatedSectionTableAndSegmentOnUse() throws Exception {
        byte[] full = new TestElf().put(0x1000, new byte[0x100])
                .segment(PT_LOAD, PF_R | PF_X, 0x1000, 0x1000, 0x100, 0x100, 0x1000)
                .section(".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 0x1000, 0x1000, 0x100).build();
        ElfFile cut = ElfFile.parse(Arrays.copyOf(full, 0x1080)); // headers intact, text and tables cut
        assertThatThrownBy(cut::sections).isInstanceOf(ElfFormatException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> cut.readSegment(cut.executableLoadSegments().get(0)))
                .isInstanceOf(ElfFormatException.class)
                .hasMessageContaining("truncated: segment 0 (LOAD) at 0x1000+0x100 extends past the end");
    }

    @Test
    void openNamesTheFileInErrors(@TempDir Path dir) throws IOException {
        Path notElf = dir.resolve("notes.txt");
        Files.writeString(notElf, "plain text, long enough to pass the size check easily");
        assertThatThrownBy(() -> ElfFile.open(notElf))
                .isInstanceOf(ElfFormatException.class).hasMessage("ELF " + notElf + ": not an ELF file (bad magic)");
        Path real = dir.resolve("ok.so");
        byte[] note = TestElf.buildIdNote(ID);
        Files.write(real, new TestElf().put(0x1000, note)
                .segment(PT_NOTE, PF_R, 0x1000, 0x1000, note.length, note.length, 4).build());
        try (ElfFile elf = ElfFile.open(real)) {
            assertThat(elf.buildId()).isEqualTo(Optional.of("deadbeef0102030405"));
            assertThat(elf.fileSize()).isEqualTo(Files.size(real));
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
