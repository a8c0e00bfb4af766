package dev.jpoline.inlinehook.symbols;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import dev.jpoline.inlinehook.HookException;
import dev.jpoline.rewriter.elf.ElfFile;
import dev.jpoline.rewriter.elf.FunctionSymbol;
import dev.jpoline.rewriter.maps.MapsEntry;
import dev.jpoline.rewriter.maps.ProcessMaps;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SymbolsTest {
    /** libc's path as this process maps it. */
    static String libcPath() throws Exception {
        for (MapsEntry e : ProcessMaps.readSelf().entries()) {
            if (e.fileName().startsWith("libc.so")) {
                return e.filePath();
            }
        }
        throw new AssertionError("libc is not mapped");
    }

    static MapsEntry libcText() throws Exception {
        String libc = libcPath();
        for (MapsEntry e : ProcessMaps.readSelf().entriesForFile(libc)) {
            if (e.executable()) {
                return e;
            }
        }
        throw new AssertionError("libc has no executable mapping");
    }

    static FunctionSymbol libcSymbol(String name) throws Exception {
        try (ElfFile elf = ElfFile.open(Path.of(libcPath()))) {
            for (FunctionSymbol s : elf.functionSymbols().all()) {
                if (s.name().equals(name)) {
                    return s;
                }
            }
        }
        throw new AssertionError(name + " is not in libc's symbols");
    }

    private static long jnaAddress(String function) {
        return Pointer.nativeValue(NativeLibrary.getInstance("c").getFunction(function));
    }

    @Test
    void getpidInTheGlobalScopeIsLibcs() throws Exception {
        long getpid = Symbols.lookup(null, "getpid");
        assertThat(getpid).isEqualTo(jnaAddress("getpid"));
        assertThat(libcText().contains(getpid)).isTrue();
    }

    @Test
    void strlenResolvesToTheImplementationNotTheIfuncResolver() throws Exception {
        long strlen = Symbols.lookup(null, "strlen");
        assertThat(strlen).isEqualTo(jnaAddress("strlen"));
        assertThat(libcText().contains(strlen)).isTrue();
        FunctionSymbol resolver = libcSymbol("strlen"); // the IFUNC symbol's value is its resolver
        long resolverAddress = Symbols.moduleAddress("libc.so.6", resolver.value());
        assertThat(resolver.contains(strlen - (resolverAddress - resolver.value()))).isFalse();
        assertThat(strlen).isNotEqualTo(resolverAddress);
    }

    @Test
    void librariesByTheirSonameAndByTheirPath() throws Exception {
        long getpid = Symbols.lookup(null, "getpid");
        assertThat(Symbols.lookup("libc.so.6", "getpid")).isEqualTo(getpid);
        assertThat(Symbols.lookup(libcPath(), "getpid")).isEqualTo(getpid);
    }

    @Test
    void anUnknownSymbolIsNotFound() {
        assertThatThrownBy(() -> Symbols.lookup(null, "jpoline_no_such_function"))
                .isInstanceOfSatisfying(HookException.class,
                        e -> assertThat(e.reason()).isEqualTo(HookException.Reason.SYMBOL_NOT_FOUND))
                .hasMessageContaining("jpoline_no_such_function")
                .hasMessageContaining("global scope");
        assertThatThrownBy(() -> Symbols.lookup("libc.so.6", "jpoline_no_such_function"))
                .isInstanceOfSatisfying(HookException.class,
                        e -> assertThat(e.reason()).isEqualTo(HookException.Reason.SYMBOL_NOT_FOUND))
                .hasMessageContaining("jpoline_no_such_function")
                .hasMessageContaining("libc.so.6");
    }

    @Test
    void aLibraryNotLoadedIsNotFoundAndNotLoaded() throws Exception {
        assertThatThrownBy(() -> Symbols.lookup("libjpoline-absent.so.7", "f"))
                .isInstanceOfSatisfying(HookException.class,
                        e -> assertThat(e.reason()).isEqualTo(HookException.Reason.SYMBOL_NOT_FOUND))
                .hasMessageContaining("libjpoline-absent.so.7")
                .hasMessageContaining("not loaded")
                .hasMessageContaining("System.load");
        // A library that exists on disk but is not loaded stays unloaded.
        Path libm = Path.of("/usr/lib/x86_64-linux-gnu/libmvec.so.1");
        if (Files.exists(libm) && ProcessMaps.readSelf().entriesForFile(libm.toRealPath().toString()).isEmpty()) {
            assertThatThrownBy(() -> Symbols.lookup(libm.toString(), "_ZGVbN2v_cos"))
                    .isInstanceOf(HookException.class);
            assertThat(ProcessMaps.readSelf().entriesForFile(libm.toRealPath().toString())).isEmpty();
        }
    }

    @Test
    void moduleOffsetsAreElfVirtualAddresses() throws Exception {
        FunctionSymbol getpid = libcSymbol("getpid");
        long expected = Symbols.lookup(null, "getpid");
        assertThat(Symbols.moduleAddress("libc.so.6", getpid.value())).isEqualTo(expected);
        assertThat(Symbols.moduleAddress(libcPath(), getpid.value())).isEqualTo(expected);
        Path viaLink = Path.of("/lib/x86_64-linux-gnu/libc.so.6");
        if (Files.exists(viaLink) && !viaLink.toString().equals(libcPath())) {
            assertThat(Symbols.moduleAddress(viaLink.toString(), getpid.value())).isEqualTo(expected);
        }
    }

    @Test
    void aSonameNamesTheFileItWasResolvedTo() throws Exception {
        // The JVM's libzip loads zlib as libz.so.1, a link to libz.so.1.2.x, the name the maps show.
        String zlib = null;
        for (MapsEntry e : ProcessMaps.readSelf().entries()) {
            if (e.fileName().startsWith("libz.so.1.")) {
                zlib = e.filePath();
            }
        }
        assumeThat(zlib).as("zlib is loaded").isNotNull();
        long base = Symbols.moduleAddress(Path.of(zlib).getFileName().toString(), 0);
        assertThat(Symbols.moduleAddress("libz.so.1", 0)).isEqualTo(base);
        assertThat(Symbols.moduleAddress(zlib, 0)).isEqualTo(base);
    }

    @Test
    void offsetsOutsideTheSegmentsAndUnmappedModulesAreNotFound() {
        assertThatThrownBy(() -> Symbols.moduleAddress("libc.so.6", 0x7fff_0000_0000L))
                .isInstanceOfSatisfying(HookException.class,
                        e -> assertThat(e.reason()).isEqualTo(HookException.Reason.SYMBOL_NOT_FOUND))
                .hasMessageContaining("outside the loaded segments");
        assertThatThrownBy(() -> Symbols.moduleAddress("libjpoline-absent.so", 0x1000))
                .isInstanceOfSatisfying(HookException.class,
                        e -> assertThat(e.reason()).isEqualTo(HookException.Reason.SYMBOL_NOT_FOUND))
                .hasMessageContaining("libjpoline-absent.so")
                .hasMessageContaining("not mapped");
    }

    /** zlib, copied under a name of its own, gives a library the test may load twice or delete. */
    static Path copyOfZlib(Path dir, String name) throws Exception {
        Path zlib = Path.of("/usr/lib/x86_64-linux-gnu/libz.so.1");
        assumeThat(Files.exists(zlib)).as("zlib is installed").isTrue();
        Path copy = dir.resolve(name);
        Files.copy(zlib, copy);
        return copy;
    }

    @Test
    void twoFilesOfOneNameAreAmbiguousUntilNamedByPath(@TempDir Path dir) throws Exception {
        Path first = copyOfZlib(Files.createDirectory(dir.resolve("a")), "libjpoline-twice.so");
        Path second = copyOfZlib(Files.createDirectory(dir.resolve("b")), "libjpoline-twice.so");
        System.load(first.toString());
        System.load(second.toString());
        long offset = 0x1000;
        assertThatThrownBy(() -> Symbols.moduleAddress("libjpoline-twice.so", offset))
                .isInstanceOfSatisfying(HookException.class,
                        e -> assertThat(e.reason()).isEqualTo(HookException.Reason.SYMBOL_NOT_FOUND))
                .hasMessageContaining("ambiguous")
                .hasMessageContaining(first.toRealPath().toString())
                .hasMessageContaining(second.toRealPath().toString())
                .hasMessageContaining("full path");
        long a = Symbols.moduleAddress(first.toString(), offset);
        long b = Symbols.moduleAddress(second.toString(), offset);
        assertThat(a).isNotEqualTo(b);
        // The symbol each copy defines lies at the same offset from each copy's bias.
        long version = Symbols.lookup(first.toString(), "zlibVersion");
        long versionInSecond = Symbols.lookup(second.toString(), "zlibVersion");
        assertThat(version - a).isEqualTo(versionInSecond - b);
    }

    @Test
    void aDeletedLibraryIsPlacedFromItsLoadedHeaders(@TempDir Path dir) throws Exception {
        Path copy = copyOfZlib(dir, "libjpoline-deleted.so");
        long value;
        try (ElfFile elf = ElfFile.open(copy)) {
            value = elf.functionSymbols().all().stream().filter(s -> s.name().equals("zlibVersion"))
                    .findFirst().orElseThrow().value();
        }
        System.load(copy.toString());
        long expected = Symbols.lookup(copy.toString(), "zlibVersion");
        Files.delete(copy);
        assertThat(Symbols.moduleAddress("libjpoline-deleted.so", value)).isEqualTo(expected);
        FunctionExtent extent = FunctionExtents.global().containing(expected).orElseThrow();
        assertThat(extent.contains(expected)).isTrue();
        assertThat(extent.file()).endsWith("libjpoline-deleted.so");
    }
}
