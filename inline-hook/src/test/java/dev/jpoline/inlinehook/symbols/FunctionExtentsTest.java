package dev.jpoline.inlinehook.symbols;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.jpoline.inlinehook.memory.CodeBlock;
import dev.jpoline.inlinehook.memory.NearMemory;
import dev.jpoline.rewriter.elf.FunctionSymbol;
import dev.jpoline.rewriter.maps.ProcessMaps;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class FunctionExtentsTest {
    private final FunctionExtents extents = FunctionExtents.global();

    @Test
    void libcFunctionsSpanTheirDynamicSymbols() throws Exception {
        for (String name : new String[] {"getpid", "qsort", "fopen"}) {
            FunctionSymbol symbol = SymbolsTest.libcSymbol(name);
            assertThat(symbol.size()).isPositive();
            long address = Symbols.lookup(null, name);
            for (long inside : new long[] {address, address + symbol.size() - 1}) {
                FunctionExtent extent = extents.containing(inside).orElseThrow();
                assertThat(extent.start()).as(name).isEqualTo(address);
                assertThat(extent.end()).as(name).isEqualTo(address + symbol.size());
                assertThat(extent.name()).as(name).isNotNull();
                assertThat(extent.file()).isEqualTo(SymbolsTest.libcPath());
                assertThat(extent.fileOffsetStart()).isEqualTo(symbol.value()); // libc's text: offset == vaddr
            }
        }
    }

    @Test
    void aStrippedIfuncImplementationIsCoveredByItsFde() throws Exception {
        long strlen = Symbols.lookup(null, "strlen");
        long bias = Symbols.moduleAddress("libc.so.6", 0);
        FunctionExtent extent = extents.containing(strlen).orElseThrow();
        assertThat(extent.contains(strlen)).isTrue();
        long[] fde = null;
        for (long[] f : readelfFdes(Path.of(SymbolsTest.libcPath()))) {
            if (f[0] <= strlen - bias && strlen - bias < f[1]) {
                fde = f;
            }
        }
        assertThat(fde).as("readelf shows an FDE covering strlen's implementation").isNotNull();
        if (extent.name() == null) { // a stripped libc: the extent is the FDE's
            assertThat(extent.start() - bias).isEqualTo(fde[0]);
            assertThat(extent.end() - bias).isEqualTo(fde[1]);
        }
    }

    @Test
    void theUnwindIndexAgreesWithReadelf() throws Exception {
        Path libc = Path.of(SymbolsTest.libcPath());
        List<long[]> fdes = readelfFdes(libc);
        EhFrameIndex index = FunctionExtents.unwindOf(libc);
        assertThat(index.size()).isEqualTo(fdes.size());
        assertThat(index.unreadable()).isZero();
        int step = Math.max(1, fdes.size() / 50);
        int compared = 0;
        for (int k = 0; k < fdes.size(); k += step) {
            long[] f = fdes.get(k);
            if (f[1] == f[0]) {
                continue;
            }
            int i = index.indexContaining(f[0]);
            assertThat(i).as("FDE 0x%x..0x%x", f[0], f[1]).isNotNegative();
            assertThat(new long[] {index.begin(i), index.end(i)}).as("FDE %d", k).containsExactly(f[0], f[1]);
            assertThat(index.indexContaining(f[1] - 1)).isEqualTo(i);
            compared++;
        }
        assertThat(compared).isGreaterThanOrEqualTo(45);
    }

    /** {begin, end} of every FDE in {@code readelf --debug-dump=frames}, skipped when readelf is missing. */
    static List<long[]> readelfFdes(Path file) throws Exception {
        Process readelf;
        try {
            readelf = new ProcessBuilder("readelf", "--debug-dump=frames", file.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (java.io.IOException e) {
            assumeThat(false).as("readelf is installed").isTrue();
            throw e;
        }
        Pattern pc = Pattern.compile(" FDE cie=[0-9a-f]+ pc=([0-9a-f]+)\\.\\.([0-9a-f]+)");
        List<long[]> out = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(readelf.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                Matcher m = pc.matcher(line);
                if (m.find()) {
                    out.add(new long[] {Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16)});
                }
            }
        }
        assertThat(readelf.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).isNotEmpty();
        return out;
    }

    @Test
    void theLoadedImageAloneGivesTheSameUnwindTableAsTheFile() throws Exception {
        // What a library deleted since it was mapped is left with: its headers and tables in memory.
        ProcessMaps maps = ProcessMaps.readSelf();
        long strlen = Symbols.lookup(null, "strlen");
        LoadedImage image = LoadedImage.of(maps, maps.entryContaining(strlen));
        FunctionExtents.FileIndex loaded = FunctionExtents.fromMemory(image);
        assertThat(image.bias(loaded.headers)).isEqualTo(Symbols.moduleAddress("libc.so.6", 0));
        assertThat(loaded.symbols).isNull();
        EhFrameIndex file = FunctionExtents.unwindOf(Path.of(SymbolsTest.libcPath()));
        assertThat(loaded.unwind.size()).isEqualTo(file.size());
        for (int i = 0; i < file.size(); i++) {
            assertThat(loaded.unwind.begin(i)).isEqualTo(file.begin(i));
            assertThat(loaded.unwind.end(i)).isEqualTo(file.end(i));
        }
    }

    @Test
    void heapMemoryHasNoExtentAndIsNotExecutable() {
        Memory heap = new Memory(64);
        long address = Pointer.nativeValue(heap);
        assertThat(extents.containing(address)).isEmpty();
        assertThat(extents.isExecutable(address)).isFalse();
        assertThat(extents.containing(8)).isEmpty();
        assertThat(extents.isExecutable(8)).isFalse();
    }

    @Test
    void libcTextIsExecutable() {
        assertThat(extents.isExecutable(Symbols.lookup(null, "getpid"))).isTrue();
    }

    @Test
    void anonymousCodeIsExecutableButHasNoExtent() {
        CodeBlock block = NearMemory.global().allocateAnywhere(64);
        try {
            assertThat(extents.isExecutable(block.address())).isTrue();
            assertThat(extents.containing(block.address())).isEmpty();
        } finally {
            block.free();
        }
    }

    @Test
    void theJvmsExportedFunctions() {
        long create = Symbols.lookup("libjvm.so", "JNI_CreateJavaVM");
        Optional<FunctionExtent> extent = extents.containing(create);
        assertThat(extent).isPresent();
        assertThat(extent.get().start()).isEqualTo(create);
        assertThat(extent.get().name()).isEqualTo("JNI_CreateJavaVM");
        assertThat(extent.get().file()).endsWith("/libjvm.so");
    }
}
