package dev.jpoline.rewriter.elf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The reader against real system files, every answer cross-checked with readelf's. */
class ElfFileRealFilesTest {
    static Stream<Path> files() {
        return Stream.of(SystemFiles.libc(), SystemFiles.loader(), SystemFiles.ls());
    }

    @ParameterizedTest
    @MethodSource("files")
    void programHeadersMatchReadelf(Path file) throws Exception {
        List<String> ours = new ArrayList<>();
        try (ElfFile elf = ElfFile.open(file)) {
            for (ProgramHeader p : elf.programHeaders()) {
                String flags = (p.readable() ? "R" : "") + (p.writable() ? "W" : "") + (p.executable() ? "E" : "");
                ours.add(String.join(" ", p.typeName(), Long.toHexString(p.offset()), Long.toHexString(p.vaddr()),
                        Long.toHexString(p.paddr()), Long.toHexString(p.filesz()), Long.toHexString(p.memsz()),
                        flags, Long.toHexString(p.align())));
            }
        }
        assertThat(ours).isNotEmpty().containsExactlyElementsOf(Readelf.programHeaders(file));
    }

    @ParameterizedTest
    @MethodSource("files")
    void sectionsMatchReadelf(Path file) throws Exception {
        List<String> ours = new ArrayList<>();
        try (ElfFile elf = ElfFile.open(file)) {
            for (SectionHeader s : elf.sections()) {
                if (s.index() == 0) {
                    continue;
                }
                String flags = (s.writable() ? "W" : "") + (s.alloc() ? "A" : "") + (s.executable() ? "X" : "");
                ours.add(String.join(" ", Integer.toString(s.index()), s.name(), Long.toHexString(s.addr()),
                        Long.toHexString(s.offset()), Long.toHexString(s.size()), flags));
            }
            assertThat(elf.section(".text")).get().matches(SectionHeader::executable);
        }
        assertThat(ours).hasSizeGreaterThan(10).containsExactlyElementsOf(Readelf.sections(file));
    }

    @ParameterizedTest
    @MethodSource("files")
    void buildIdMatchesReadelf(Path file) throws Exception {
        String expected = Readelf.buildId(file);
        try (ElfFile elf = ElfFile.open(file)) {
            assertThat(elf.buildId()).isEqualTo(java.util.Optional.ofNullable(expected));
        }
    }

    @ParameterizedTest
    @MethodSource("files")
    void typeAndLinkageMatchReadelf(Path file) throws Exception {
        try (ElfFile elf = ElfFile.open(file)) {
            assertThat(elf.type().name()).isEqualTo(Readelf.type(file));
            assertThat(elf.isDynamic()).isTrue();
            assertThat(elf.isStatic()).isFalse();
            boolean readelfShowsInterp = Readelf.run("-lW", file).contains("Requesting program interpreter");
            assertThat(elf.hasInterpreter()).isEqualTo(readelfShowsInterp);
            if (readelfShowsInterp) {
                assertThat(elf.interpreter()).get().asString().startsWith("/").contains("ld-linux-x86-64");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("files")
    void functionSymbolsMatchReadelf(Path file) throws Exception {
        try (ElfFile elf = ElfFile.open(file)) {
            FunctionSymbols syms = elf.functionSymbols();
            List<String> ours = new ArrayList<>();
            for (FunctionSymbol s : syms.all()) {
                ours.add(Long.toHexString(s.value()) + " " + s.size() + " " + s.name());
            }
            assertThat(ours).containsExactlyInAnyOrderElementsOf(Readelf.functionSymbols(file, syms.tableName()));
            // Every sized function is found by any address inside it, first byte to last.
            for (FunctionSymbol s : syms.all()) {
                if (s.size() > 0) {
                    assertThat(syms.containing(s.value())).matches(f -> f.contains(s.value()), "contains first byte");
                    long last = s.value() + s.size() - 1;
                    assertThat(syms.containing(last)).matches(f -> f.contains(last), "contains last byte");
                }
            }
        }
    }

    @org.junit.jupiter.api.Test
    void libcExportsTheSyscallWrappersByName() throws Exception {
        try (ElfFile elf = ElfFile.open(SystemFiles.libc())) {
            FunctionSymbols syms = elf.functionSymbols();
            assertThat(syms.tableName()).isIn(".symtab", ".dynsym");
            FunctionSymbol getpid = syms.all().stream().filter(s -> s.name().equals("getpid")).findFirst().orElseThrow();
            assertThat(getpid.size()).isPositive();
            assertThat(syms.containing(getpid.value() + getpid.size() - 1).value()).isEqualTo(getpid.value());
            assertThat(syms.containing(0)).isNull();
            // Distribution libcs carry a build-id; the plan cache keys on it.
            assertThat(elf.buildId()).get().asString().matches("[0-9a-f]{32,}");
        }
    }

    @ParameterizedTest
    @MethodSource("files")
    void dataRangesCoverNoCodeAndEveryNonCodeSectionOfTheTextSegment(Path file) throws Exception {
        try (ElfFile elf = ElfFile.open(file)) {
            assertThat(elf.executableLoadSegments()).isNotEmpty();
            for (ProgramHeader seg : elf.executableLoadSegments()) {
                long segStart = seg.vaddr();
                long segEnd = seg.vaddr() + seg.filesz();
                long[] data = elf.dataRangesIn(seg);
                assertThat(data.length % 2).isZero();
                for (int i = 0; i < data.length; i += 2) {
                    assertThat(data[i]).isLessThan(data[i + 1]).isGreaterThanOrEqualTo(segStart);
                    assertThat(data[i + 1]).isLessThanOrEqualTo(segEnd);
                    if (i > 0) {
                        assertThat(data[i]).isGreaterThan(data[i - 1]); // sorted and merged
                    }
                }
                for (SectionHeader s : elf.sections()) {
                    if (!s.alloc() || s.size() == 0 || s.addr() >= segEnd || s.addr() + s.size() <= segStart) {
                        continue;
                    }
                    long from = Math.max(s.addr(), segStart);
                    long to = Math.min(s.addr() + s.size(), segEnd);
                    if (s.executable()) {
                        assertThat(overlaps(data, from, to)).as("code section %s marked as data", s.name()).isFalse();
                    } else if (s.hasFileBytes()) {
                        assertThat(covers(data, from, to)).as("data section %s not marked", s.name()).isTrue();
                    }
                }
            }
        }
    }

    private static boolean overlaps(long[] ranges, long from, long to) {
        for (int i = 0; i < ranges.length; i += 2) {
            if (ranges[i] < to && from < ranges[i + 1]) {
                return true;
            }
        }
        return false;
    }

    private static boolean covers(long[] ranges, long from, long to) {
        for (int i = 0; i < ranges.length; i += 2) {
            if (ranges[i] <= from && to <= ranges[i + 1]) {
                return true;
            }
        }
        return false;
    }
}
