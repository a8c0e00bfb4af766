package dev.jpoline.host;

import dev.jpoline.inlinehook.patch.PatchException;
import dev.jpoline.inlinehook.remote.ProcStatus;
import dev.jpoline.inlinehook.patch.ProcessMemoryPatcher;
import dev.jpoline.rewriter.maps.MapsEntry;
import dev.jpoline.rewriter.maps.ProcessMaps;
import dev.jpoline.rewriter.plan.FilePlan;
import dev.jpoline.rewriter.plan.MappedSites;
import dev.jpoline.rewriter.plan.PlanCache;
import dev.jpoline.rewriter.plan.Planner;
import dev.jpoline.rewriter.plan.SiteJump;
import dev.jpoline.runtime.UserCacheDirectory;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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

    /**
     * Result that tells a target to detach: its code is restored, it unmaps the VA0 page and
     * runs natively from then on. Mirrors JPOLINE_RESULT_DETACH in session.h.
     */
    public static final int RESULT_DETACH = -1000;

    /**
     * Result that tells a target to leave VA0 for Syscall User Dispatch: its code is restored,
     * it unmaps the VA0 page and stays traced, every syscall trapping into the same entry (it
     * detaches, saying why, where it cannot). Mirrors JPOLINE_RESULT_SUD in session.h.
     */
    public static final int RESULT_SUD = -1001;

    /**
     * The answer to an unrewritten site in a read-only file mapping: the target rewrites that one
     * site itself, atomically (JPOLINE_RESULT_REWRITE_SITE in session.h).
     */
    public static final int RESULT_REWRITE_SITE = -1002;

    /**
     * Libraries of runtimes that read through null pointers on purpose and rely on the fault
     * (implicit null checks). With the VA0 page mapped, such reads succeed unless the CPU can
     * make the page execute-only, so these processes must not keep the page.
     */
    private static final List<String> NEEDS_FAULTING_NULL_READS = List.of("libjvm.so", "libcoreclr.so");

    private final PlanCache plans;
    /**
     * Plans by the identity of the mapped file as one stat shows it, so that the many processes
     * of a session mapping the same libc cost a stat each rather than an ELF header read.
     */
    private final Map<MappedFileKey, FilePlan> plansByMappedFile = new ConcurrentHashMap<>();
    /** Read from /proc/cpuinfo when a runtime that needs faulting null reads first shows up; most runs never ask. */
    private volatile Boolean executeOnlyPages;
    private final PrintWriter diagnostics;
    private final AtomicLong sitesRewritten = new AtomicLong();
    private final AtomicLong sitesJumpPatched = new AtomicLong();
    private final AtomicLong requestsServed = new AtomicLong();
    /**
     * Processes jpoline attached to (trace -p): their start-up request is answered with the sites
     * announced but not rewritten; the attacher rewrites them while every thread is stopped.
     */
    private final Map<Integer, List<Work>> deferred = new ConcurrentHashMap<>();
    /** Every site rewritten in an attached process, so that detaching can put each one back. */
    private final Map<Integer, java.util.Set<Long>> attachedSites = new ConcurrentHashMap<>();

    public HostRewriting(PlanCache plans, PrintWriter diagnostics) {
        this.plans = plans;
        this.diagnostics = diagnostics;
    }

    /** Uses the plan cache under the per-user cache directory. */
    public static HostRewriting create(PrintWriter diagnostics) {
        try {
            Path directory = UserCacheDirectory.open().resolve("plans");
            return new HostRewriting(new PlanCache(directory, new Planner(), new Warnings(diagnostics)), diagnostics);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the plan cache: " + e.getMessage(), e);
        }
    }

    /*
     * Named classes rather than lambdas here and below: this runs before and while a target waits
     * for its first rewrite, and each first-run lambda spins a class unless the CDS archive has it.
     */

    /** The plan cache's warnings, as jpoline's one-line diagnostics. */
    private static final class Warnings implements Consumer<String> {
        private final PrintWriter diagnostics;

        Warnings(PrintWriter diagnostics) {
            this.diagnostics = diagnostics;
        }

        @Override
        public void accept(String warning) {
            diagnostics.println("jpoline: " + warning);
        }
    }

    private static final class Handler implements Consumer<RewriteRequest> {
        private final HostRewriting rewriting;

        Handler(HostRewriting rewriting) {
            this.rewriting = rewriting;
        }

        @Override
        public void accept(RewriteRequest request) {
            rewriting.serve(request);
        }
    }

    public Consumer<RewriteRequest> handlerFor(Session session) {
        return new Handler(this);
    }

    public long sitesRewritten() {
        return sitesRewritten.get();
    }

    /** Sites jump-patched in processes under Syscall User Dispatch. */
    public long sitesJumpPatched() {
        return sitesJumpPatched.get();
    }

    public long requestsServed() {
        return requestsServed.get();
    }

    private record Work(MapsEntry entry, FilePlan plan, long[] sites) {}

    private record MappedFileKey(Path path, long inode, long size, long mtimeNanos) {
        // By hand: a record's generated equals and hashCode are bootstrapped through method
        // handles on first use, milliseconds while the first target waits.
        @Override
        public boolean equals(Object o) {
            return o instanceof MappedFileKey k && k.inode == inode && k.size == size && k.mtimeNanos == mtimeNanos
                    && k.path.equals(path);
        }

        @Override
        public int hashCode() {
            return ((path.hashCode() * 31 + Long.hashCode(inode)) * 31 + Long.hashCode(size)) * 31
                    + Long.hashCode(mtimeNanos);
        }
    }

    void serve(RewriteRequest request) {
        if (!request.fromSessionMember()) {
            if (!exited(request.pid())) {
                diagnostics.println("jpoline: refused a request naming pid " + request.pid()
                        + ": it is not a process of this trace (it does not map the session)");
            }
            request.finish(-1);
            return;
        }
        if (request.kind() == SessionLayout.KIND_UNREWRITTEN_SITE) {
            long site = request.rangeStart();
            MapsEntry mapping = mappingOf(request.pid(), site);
            boolean rewrite = lazilyRewritable(request.pid(), site, mapping);
            diagnostics.println("jpoline: pid " + request.pid() + ": a syscall at " + whereIs(site, mapping)
                    + " was not rewritten; Syscall User Dispatch caught it"
                    + (rewrite ? ", and it is rewritten now" : "") + " (--exhaustive)");
            request.finish(rewrite ? RESULT_REWRITE_SITE : 0);
            return;
        }
        if (request.kind() == SessionLayout.KIND_UNREACHABLE_EXEC) {
            diagnostics.println("jpoline: pid " + request.pid() + ": " + request.payload() + " runs without jpoline: "
                    + unreachableReason((int) request.rangeStart()));
            request.finish(0);
            return;
        }
        if (request.underSud()) {
            // No VA0 page to land on: its syscalls trap into the runtime as they are, except at
            // the sites that can be jump-patched. The answer also tells it the tiers are in place.
            int jumped = jumpPatch(request);
            requestsServed.incrementAndGet();
            request.finish(jumped);
            return;
        }
        List<Work> work;
        try {
            work = plan(request);
        } catch (IOException e) {
            if (!exited(request.pid())) { // killed as it started (a shell's kill $!): nothing to report
                diagnostics.println("jpoline: pid " + request.pid() + ": cannot plan its code: " + e.getMessage());
            }
            request.finish(-5);
            return;
        }
        Work needsNullFaults = null;
        int siteCount = 0;
        for (Work w : work) {
            if (needsNullFaults == null && NEEDS_FAULTING_NULL_READS.contains(w.entry().fileName())) {
                needsNullFaults = w;
            }
            siteCount += w.sites().length;
        }
        if (needsNullFaults != null && !executeOnlyPages()) {
            leaveVa0(request, needsNullFaults.entry().fileName());
            return;
        }
        long[] all = new long[siteCount];
        int n = 0;
        for (Work w : work) {
            System.arraycopy(w.sites(), 0, all, n, w.sites().length);
            n += w.sites().length;
        }
        Arrays.sort(all);
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
        if (request.isStartup() && deferred.containsKey(request.pid())) {
            deferred.put(request.pid(), work); // rewritten by rewriteAttached, every thread stopped
            requestsServed.incrementAndGet();
            request.finish(0);
            return;
        }
        int rewritten = 0;
        try (ProcessMemoryPatcher patcher = ProcessMemoryPatcher.open(request.pid())) {
            for (Work w : work) {
                try {
                    rewritten += patcher.replaceAll(w.sites(), SYSCALL, CALL_RAX);
                    java.util.Set<Long> kept = attachedSites.get(request.pid());
                    if (kept != null) {
                        for (long site : w.sites()) {
                            kept.add(site);
                        }
                    }
                } catch (PatchException e) {
                    if (exited(request.pid())) {
                        break; // killed while being rewritten: nothing is left to report
                    }
                    diagnostics.println("jpoline: pid " + request.pid() + ": " + w.entry().filePath() + " left as it is: "
                            + e.getMessage());
                }
            }
        } catch (PatchException e) {
            if (!exited(request.pid())) {
                diagnostics.println("jpoline: pid " + request.pid() + ": " + e.getMessage());
            }
            request.finish(-1);
            return;
        }
        sitesRewritten.addAndGet(rewritten);
        requestsServed.incrementAndGet();
        request.finish(rewritten);
    }

    /**
     * Under Syscall User Dispatch: makes every site of the request's mappings that has a hop jump
     * to a trampoline in the process's jump pool instead of trapping (SudJumps). Returns the
     * number of sites that jump now, or -110 when the process stopped waiting. Whatever cannot be
     * done (no pool, no plan, a process attached to with -p, whose threads run) leaves the sites
     * trapping, which is always correct.
     */
    private int jumpPatch(RewriteRequest request) {
        long poolAddress = request.jumpPool();
        int pid = request.pid();
        if (poolAddress == 0 || deferred.containsKey(pid) || !threadOf(pid, request.tid())) {
            return 0;
        }
        // A write through /proc/PID/mem is not atomic: patch only code no other thread can be
        // running, all of it at a start-up with one thread, and what a mapping request just mapped.
        if (request.isStartup() && threadCount(pid) != 1) {
            return 0;
        }
        List<SiteJump> candidates = new ArrayList<>();
        try {
            for (Work w : plan(request)) {
                candidates.addAll(w.plan().jumpsOnto(w.entry()));
            }
        } catch (IOException e) {
            return 0;
        }
        if (candidates.isEmpty()) {
            return 0;
        }
        try (ProcessMemoryPatcher memory = ProcessMemoryPatcher.open(pid)) {
            SudJumps.Pool pool;
            List<SiteJump> jumps;
            List<SiteJump> verified = SudJumps.verified(memory, candidates);
            // The mark in the pool is the process's: two requests of it must not take the same slots.
            synchronized (SudJumps.lockFor(pid)) {
                pool = SudJumps.readPool(memory, poolAddress);
                if (pool == null) {
                    diagnostics.println("jpoline: pid " + pid + ": 0x" + Long.toHexString(poolAddress)
                            + " holds no jump pool; its syscalls keep trapping");
                    return 0;
                }
                jumps = SudJumps.reachable(pool, verified);
                SudJumps.reserve(memory, pool, jumps);
            }
            long[] sites = new long[jumps.size()];
            for (int i = 0; i < sites.length; i++) {
                sites[i] = jumps.get(i).site();
            }
            Arrays.sort(sites);
            request.announce(sites); // in the site table before any of them jumps to the entry
            if (!request.beginPatching()) {
                return -110;
            }
            int patched = SudJumps.patch(memory, pool, jumps);
            sitesJumpPatched.addAndGet(patched);
            return patched;
        } catch (RewriteRequest.TargetGone gone) {
            return -110;
        } catch (PatchException e) {
            if (!exited(pid)) {
                diagnostics.println("jpoline: pid " + pid + ": some syscall sites keep trapping: " + e.getMessage());
            }
            return 0;
        }
    }

    /** Whether {@code tid} is a thread of {@code pid}: the request names the process it came from. */
    private static boolean threadOf(int pid, int tid) {
        return tid > 0 && Files.exists(Path.of("/proc", Integer.toString(pid), "task", Integer.toString(tid)));
    }

    /** The process's thread count from /proc, or -1. */
    private static int threadCount(int pid) {
        return (int) ProcStatus.number(Path.of("/proc", Integer.toString(pid), "status"), "Threads:");
    }

    /**
     * Marks {@code pid} as attached to: its start-up request (from jpoline_attach) is answered
     * without rewriting, and every site rewritten in it from now on is remembered for
     * {@link #restoreAttached}.
     */
    public void deferStartup(int pid) {
        deferred.put(pid, List.of());
        attachedSites.put(pid, java.util.concurrent.ConcurrentHashMap.newKeySet());
    }

    /**
     * Rewrites the sites announced to attached process {@code pid} at its start-up; the caller
     * holds every thread of it stopped. Returns the number rewritten.
     */
    public int rewriteAttached(int pid, ProcessMemoryPatcher patcher) {
        List<Work> work = deferred.remove(pid);
        int rewritten = 0;
        java.util.Set<Long> kept = attachedSites.get(pid);
        for (Work w : work == null ? List.<Work>of() : work) {
            try {
                rewritten += patcher.replaceAll(w.sites(), SYSCALL, CALL_RAX);
                for (long site : w.sites()) {
                    kept.add(site);
                }
            } catch (PatchException e) {
                diagnostics.println("jpoline: pid " + pid + ": " + w.entry().filePath() + " left as it is: " + e.getMessage());
            }
        }
        sitesRewritten.addAndGet(rewritten);
        return rewritten;
    }

    /**
     * Puts back every site rewritten in attached process {@code pid} (the caller holds its
     * threads stopped); a site whose mapping is gone (a library closed) is skipped. Returns the
     * number restored.
     */
    public int restoreAttached(int pid, ProcessMemoryPatcher patcher, ProcessMaps maps) {
        java.util.Set<Long> kept = attachedSites.remove(pid);
        if (kept == null || kept.isEmpty()) {
            return 0;
        }
        long[] sites = kept.stream().mapToLong(Long::longValue).filter(a -> {
            MapsEntry e = maps.entryContaining(a);
            return e != null && e.executable() && e.contains(a + 1);
        }).sorted().toArray();
        try {
            return patcher.replaceAll(sites, CALL_RAX, SYSCALL);
        } catch (PatchException e) {
            diagnostics.println("jpoline: pid " + pid + ": some syscall sites could not be put back: " + e.getMessage());
            return 0;
        }
    }

    /**
     * Whether the process has exited (gone, or a zombie whose memory is released): a target
     * killed while its code was being rewritten (a shell killing a child it just started).
     */
    static boolean exited(int pid) {
        if (exitedNow(pid)) {
            return true;
        }
        // A dying process loses its memory a moment before it turns into a zombie.
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return exitedNow(pid);
    }

    private static boolean exitedNow(int pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException e) {
            return true;
        }
        int close = stat.lastIndexOf(')');
        if (close < 0 || close + 2 >= stat.length()) {
            return false;
        }
        char state = stat.charAt(close + 2);
        return state == 'Z' || state == 'X';
    }

    private boolean executeOnlyPages() {
        Boolean known = executeOnlyPages;
        if (known == null) {
            known = CpuFeatures.hasExecuteOnlyPages();
            executeOnlyPages = known;
        }
        return known;
    }

    static String unreachableReason(int code) {
        switch (code) {
            case SessionLayout.UNREACHABLE_SETUID: return "it is setuid, and the loader ignores LD_PRELOAD for it";
            case SessionLayout.UNREACHABLE_SETGID: return "it is setgid, and the loader ignores LD_PRELOAD for it";
            case SessionLayout.UNREACHABLE_FOREIGN: return "it is not an x86-64 program, so jpoline's runtime cannot load in it";
            default: return "it is statically linked, so LD_PRELOAD cannot reach it";
        }
    }

    /**
     * Gives the process back its original code and tells it to unmap the VA0 page and go on
     * under Syscall User Dispatch, because it is about to run a runtime that needs reads of
     * address 0 to fault (the page is readable without protection keys). The target says so
     * itself if it cannot switch and detaches instead.
     */
    private void leaveVa0(RewriteRequest request, String library) {
        if (!request.beginPatching()) {
            request.finish(-110);
            return;
        }
        try (ProcessMemoryPatcher patcher = ProcessMemoryPatcher.open(request.pid())) {
            // The mapping that asked holds nothing rewritten yet; every earlier one may.
            for (Work w : request.isStartup() ? List.<Work>of() : everyRewrittenMapping(request.pid())) {
                patcher.replaceAll(w.sites(), CALL_RAX, SYSCALL);
            }
        } catch (IOException | PatchException e) {
            diagnostics.println("jpoline: pid " + request.pid() + ": cannot restore its code before it loads " + library
                    + ": " + e.getMessage());
            request.finish(-5);
            return;
        }
        request.finish(RESULT_SUD);
    }

    /** The mapping of the process that holds {@code address}; null if none (or the process is gone). */
    private static MapsEntry mappingOf(long pid, long address) {
        try {
            for (MapsEntry e : ProcessMaps.read(pid).entries()) {
                if (Long.compareUnsigned(address, e.start()) >= 0 && Long.compareUnsigned(address, e.end()) < 0) {
                    return e;
                }
            }
        } catch (IOException e) {
            // The process is gone or unreadable: no mapping to tell of.
        }
        return null;
    }

    /**
     * Whether the target may rewrite the trapped site itself: a `syscall` (the trap proved it
     * runs there) in a read-only, executable, private file mapping other than the runtime's, in
     * one aligned word (the target swaps it with one 8-byte compare-and-swap). JIT output and
     * other anonymous or writable code may change under us, so it keeps trapping.
     */
    private static boolean lazilyRewritable(long pid, long site, MapsEntry e) {
        if ((site & 7) == 7 || e == null || Long.compareUnsigned(site + 2, e.end()) > 0 || !e.perms().equals("r-xp")
                || !e.path().startsWith("/")
                || Path.of(e.path()).getFileName().toString().startsWith(RUNTIME_FILE_PREFIX)) {
            return false;
        }
        byte[] bytes = new byte[2];
        try (java.io.RandomAccessFile mem = new java.io.RandomAccessFile("/proc/" + pid + "/mem", "r")) {
            mem.seek(site);
            mem.readFully(bytes);
        } catch (IOException | RuntimeException gone) {
            return false; // it keeps trapping, which is always correct
        }
        return bytes[0] == SYSCALL[0] && bytes[1] == SYSCALL[1];
    }

    /** "0x7f…(libfoo.so+0x1234)" or "0x7f…(anonymous memory)". */
    private static String whereIs(long address, MapsEntry e) {
        String hex = "0x" + Long.toHexString(address);
        if (e == null) {
            return hex;
        }
        return e.path().startsWith("/") ? hex + " (" + e.path() + "+0x"
                + Long.toHexString(address - e.start() + e.offset()) + ")"
                : hex + " (" + (e.path().isEmpty() ? "anonymous memory" : e.path()) + ")";
    }

    private List<Work> everyRewrittenMapping(long pid) throws IOException {
        ProcessMaps maps = ProcessMaps.read(pid);
        List<Work> work = new ArrayList<>();
        for (MapsEntry entry : maps.executableFileEntries()) {
            Work w = siteWork(pid, entry);
            if (w != null) {
                work.add(w);
            }
        }
        return work;
    }

    private List<Work> plan(RewriteRequest request) throws IOException {
        ProcessMaps maps = ProcessMaps.read(request.pid());
        List<Work> work = new ArrayList<>();
        for (MapsEntry entry : maps.executableFileEntries()) {
            if (!request.isStartup() && (Long.compareUnsigned(entry.end(), request.rangeStart()) <= 0
                    || Long.compareUnsigned(entry.start(), request.rangeEnd()) >= 0)) {
                continue;
            }
            Work w = siteWork(request.pid(), entry);
            if (w != null) {
                work.add(w);
            }
        }
        return work;
    }

    /** The syscall sites of one mapping (sysenter excluded), or null when it has none or no usable file. */
    private Work siteWork(long pid, MapsEntry entry) throws IOException {
        if (entry.pseudo() || entry.fileName().startsWith(RUNTIME_FILE_PREFIX)) {
            return null;
        }
        FilePlan plan = planFor(pid, entry);
        if (plan == null) {
            return null;
        }
        MappedSites mapped = plan.mapOnto(entry);
        long[] syscalls = new long[mapped.count()];
        int n = 0;
        for (int i = 0; i < mapped.count(); i++) {
            if (mapped.secondBytes()[i] == MappedSites.SYSCALL_SECOND_BYTE) {
                syscalls[n++] = mapped.addresses()[i];
            }
        }
        // A runtime library is reported even without sites: detaching depends on it being seen.
        return n > 0 || NEEDS_FAULTING_NULL_READS.contains(entry.fileName()) ? new Work(entry, plan, Arrays.copyOf(syscalls, n)) : null;
    }

    /**
     * The plan of the file behind a mapping: found by its path when that still names the same
     * inode, else through the kernel's handle on the mapped file itself; null (with a
     * diagnostic) when neither works.
     */
    private FilePlan planFor(long pid, MapsEntry entry) throws IOException {
        Path byName = Path.of(entry.filePath());
        if (!entry.deleted()) {
            try {
                Map<String, Object> stat = Files.readAttributes(byName, "unix:ino,size,lastModifiedTime");
                if ((Long) stat.get("ino") == entry.inode()) {
                    MappedFileKey key = new MappedFileKey(byName, entry.inode(), (Long) stat.get("size"),
                            ((FileTime) stat.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS));
                    FilePlan plan = plansByMappedFile.get(key);
                    if (plan == null) {
                        plan = plans.plansFor(byName);
                        plansByMappedFile.put(key, plan);
                    }
                    return plan;
                }
            } catch (IOException | UnsupportedOperationException e) {
                // Fall through to the mapping's own handle.
            }
        }
        Path handle = Path.of("/proc", Long.toString(pid), "map_files",
                Long.toHexString(entry.start()) + "-" + Long.toHexString(entry.end()));
        if (Files.isReadable(handle)) {
            return plans.plansFor(handle);
        }
        diagnostics.println("jpoline: pid " + pid + ": " + entry.path() + " was replaced or removed since it was mapped;"
                + " its code is left as it is");
        return null;
    }
}
