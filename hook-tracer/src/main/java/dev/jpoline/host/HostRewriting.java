package dev.jpoline.host;

import dev.jpoline.inlinehook.patch.PatchException;
import dev.jpoline.inlinehook.patch.ProcessMemoryPatcher;
import dev.jpoline.rewriter.maps.MapsEntry;
import dev.jpoline.rewriter.maps.ProcessMaps;
import dev.jpoline.rewriter.plan.MappedSites;
import dev.jpoline.rewriter.plan.PlanCache;
import dev.jpoline.rewriter.plan.Planner;
import dev.jpoline.runtime.UserCacheDirectory;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Answers targets' rewrite requests: finds the executable file mappings concerned, takes their
 * plans from the cache (computing them on a miss), announces every site, then rewrites each
 * {@code syscall} (0F 05) to {@code call *%rax} (FF D0) through {@code /proc/PID/mem}.
 *
 * <p>{@code sysenter} sites are listed by the planner but never rewritten: from 64-bit code it
 * enters the kernel's 32-bit compatibility path, so routing it through the 64-bit entry would
 * change what it does.
 */
public final class HostRewriting {
    private static final byte[] SYSCALL = {0x0f, 0x05};
    private static final byte[] CALL_RAX = {(byte) 0xff, (byte) 0xd0};
    /** The runtime's own text issues the real syscalls and must never be rewritten. */
    private static final String RUNTIME_FILE_PREFIX = "libjpoline-";

    private final PlanCache plans;
    private final PrintWriter diagnostics;
    private final AtomicLong sitesRewritten = new AtomicLong();
    private final AtomicLong requestsServed = new AtomicLong();

    public HostRewriting(PlanCache plans, PrintWriter diagnostics) {
        this.plans = plans;
        this.diagnostics = diagnostics;
    }

    /** Uses the plan cache under the per-user cache directory. */
    public static HostRewriting create(PrintWriter diagnostics) {
        try {
            Path directory = UserCacheDirectory.open().resolve("plans");
            return new HostRewriting(new PlanCache(directory, new Planner(), w -> diagnostics.println("jpoline: " + w)),
                    diagnostics);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the plan cache: " + e.getMessage(), e);
        }
    }

    public Consumer<RewriteRequest> handlerFor(Session session) {
        return this::serve;
    }

    public long sitesRewritten() {
        return sitesRewritten.get();
    }

    public long requestsServed() {
        return requestsServed.get();
    }

    private record Work(MapsEntry entry, long[] sites) {}

    void serve(RewriteRequest request) {
        List<Work> work;
        try {
            work = plan(request);
        } catch (IOException e) {
            diagnostics.println("jpoline: pid " + request.pid() + ": cannot plan its code: " + e.getMessage());
            request.finish(-5);
            return;
        }
        long[] all = work.stream().flatMapToLong(w -> Arrays.stream(w.sites())).sorted().toArray();
        try {
            request.announce(all);
        } catch (RewriteRequest.TargetGone gone) {
            request.finish(-110);
            return;
        }
        if (!request.beginPatching()) {
            request.finish(-110);
            return;
        }
        int rewritten = 0;
        try (ProcessMemoryPatcher patcher = ProcessMemoryPatcher.open(request.pid())) {
            for (Work w : work) {
                try {
                    rewritten += patcher.replaceAll(w.sites(), SYSCALL, CALL_RAX);
                } catch (PatchException e) {
                    diagnostics.println("jpoline: pid " + request.pid() + ": " + w.entry().filePath() + " left as it is: "
                            + e.getMessage());
                }
            }
        } catch (PatchException e) {
            diagnostics.println("jpoline: pid " + request.pid() + ": " + e.getMessage());
            request.finish(-1);
            return;
        }
        sitesRewritten.addAndGet(rewritten);
        requestsServed.incrementAndGet();
        request.finish(rewritten);
    }

    private List<Work> plan(RewriteRequest request) throws IOException {
        ProcessMaps maps = ProcessMaps.read(request.pid());
        List<Work> work = new ArrayList<>();
        for (MapsEntry entry : maps.executableFileEntries()) {
            if (entry.pseudo() || entry.fileName().startsWith(RUNTIME_FILE_PREFIX)) {
                continue;
            }
            if (!request.isStartup() && (Long.compareUnsigned(entry.end(), request.rangeStart()) <= 0
                    || Long.compareUnsigned(entry.start(), request.rangeEnd()) >= 0)) {
                continue;
            }
            Path file = mappedFile(request.pid(), entry);
            if (file == null) {
                continue;
            }
            MappedSites mapped = plans.plansFor(file).mapOnto(entry);
            long[] syscalls = new long[mapped.count()];
            int n = 0;
            for (int i = 0; i < mapped.count(); i++) {
                if (mapped.secondBytes()[i] == MappedSites.SYSCALL_SECOND_BYTE) {
                    syscalls[n++] = mapped.addresses()[i];
                }
            }
            if (n > 0) {
                work.add(new Work(entry, Arrays.copyOf(syscalls, n)));
            }
        }
        return work;
    }

    /**
     * The file behind a mapping: its path when that still names the same inode, else the
     * kernel's handle on the mapped file itself; null (with a diagnostic) when neither works.
     */
    private Path mappedFile(long pid, MapsEntry entry) {
        Path byName = Path.of(entry.filePath());
        try {
            if (!entry.deleted() && ((Long) Files.getAttribute(byName, "unix:ino")) == entry.inode()) {
                return byName;
            }
        } catch (IOException | UnsupportedOperationException e) {
            // Fall through to the mapping's own handle.
        }
        Path handle = Path.of("/proc", Long.toString(pid), "map_files",
                Long.toHexString(entry.start()) + "-" + Long.toHexString(entry.end()));
        if (Files.isReadable(handle)) {
            return handle;
        }
        diagnostics.println("jpoline: pid " + pid + ": " + entry.path() + " was replaced or removed since it was mapped;"
                + " its code is left as it is");
        return null;
    }
}
