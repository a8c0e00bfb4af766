package dev.jpoline.bench;

import dev.jpoline.rewriter.maps.MapsEntry;
import dev.jpoline.rewriter.maps.ProcessMaps;
import dev.jpoline.rewriter.plan.FilePlan;
import dev.jpoline.rewriter.plan.PlanCache;
import dev.jpoline.rewriter.plan.Planner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * How long it takes to get the rewrite plan of this JVM's libc: computed from scratch, read from a
 * warm on-disk cache by a cache with nothing in memory (a new process), and from memory. Every
 * variant includes the key computation (open, ELF headers, build-id note), as a real lookup does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PlanBench {
    private Path libc;
    private Path cacheDir;
    private Planner planner;
    private PlanCache warmMemory;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        libc = findLibc();
        cacheDir = Files.createTempDirectory("jpoline-planbench");
        planner = new Planner();
        new PlanCache(cacheDir, planner).plansFor(libc); // warms the disk
        warmMemory = new PlanCache(cacheDir, planner);
        warmMemory.plansFor(libc);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try (Stream<Path> files = Files.walk(cacheDir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    /** A fresh planner, no cache: read the text segment and sweep it. */
    @Benchmark
    public FilePlan cold() throws IOException {
        return new Planner().plan(libc);
    }

    /** A new cache over a warm directory: what a freshly started host pays per library. */
    @Benchmark
    public FilePlan diskCache() throws IOException {
        return new PlanCache(cacheDir, planner).plansFor(libc);
    }

    @Benchmark
    public FilePlan memory() throws IOException {
        return warmMemory.plansFor(libc);
    }

    private static Path findLibc() throws IOException {
        for (MapsEntry e : ProcessMaps.readSelf().executableFileEntries()) {
            if (e.fileName().startsWith("libc.so")) {
                return Path.of(e.filePath());
            }
        }
        throw new IllegalStateException("this JVM maps no libc.so; PlanBench needs one");
    }
}
