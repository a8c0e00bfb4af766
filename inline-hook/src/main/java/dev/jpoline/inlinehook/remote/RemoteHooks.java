package dev.jpoline.inlinehook.remote;

import dev.jpoline.inlinehook.HookException;
import dev.jpoline.inlinehook.freeze.PatchStep;
import dev.jpoline.inlinehook.relocate.BoundaryMap;
import dev.jpoline.inlinehook.relocate.Prologue;
import dev.jpoline.inlinehook.relocate.Relocation;
import dev.jpoline.inlinehook.relocate.Relocator;
import dev.jpoline.inlinehook.symbols.LoadedImage;
import dev.jpoline.inlinehook.write.CodeWriter;
import dev.jpoline.rewriter.elf.ElfFile;
import dev.jpoline.rewriter.elf.ElfType;
import dev.jpoline.rewriter.elf.FunctionSymbol;
import dev.jpoline.rewriter.maps.MapsEntry;
import dev.jpoline.rewriter.maps.ProcessMaps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Inline hooks in another, running process (DynHook's use): a library is loaded into it with its
 * own dlopen, a function of it is replaced by a detour of that library, and the original stays
 * callable through a trampoline whose address an entry function of the library receives before
 * the hook goes live.
 *
 * <p>The pipeline is the in-process one (relocator, writer, a freeze), with memory near the
 * target mapped by an injected mmap and the freeze a stop of every thread by ptrace
 * ({@link RemoteProcess}, {@link RemoteFreeze}). The target is stopped twice, briefly: to read
 * and plan (and map the trampoline page), and to write the jumps; dlopen and the entry function
 * run in between in one thread while the others run. jpoline is not attached in between
 * operations: {@link #restore} attaches again.
 */
public final class RemoteHooks {
    /** The time every thread gets to reach a ptrace stop. */
    private static final long STOP_TIMEOUT_MS = 5_000;
    /** How long jpoline waits for a thread that is not inside the loader or the allocator. */
    private static final long SAFE_THREAD_WAIT_NS = 2_000_000_000L;
    private static final int PAGE = 4096;
    private static final int RELAY = 16;
    private static final long NEAR = (1L << 31) - (1L << 20);
    private static final long LOW_FLOOR = 0x10000;

    /** {@code LIB@TARGET:DETOUR[:ENTRY]}, TARGET being {@code SYMBOL} or {@code MODULE:SYMBOL}. */
    public record Spec(Path library, String target, String detour, String entry) {
        /**
         * Parses DynHook's spelling. With three fields after the {@code @} the first is a module
         * when it names one (holds ".so" or a "/"): {@code LIB@MODULE:SYMBOL:DETOUR}; else
         * {@code LIB@TARGET:DETOUR:ENTRY}. Four fields are {@code LIB@MODULE:SYMBOL:DETOUR:ENTRY}.
         */
        public static Spec parse(String text) {
            int at = text.indexOf('@');
            if (at <= 0 || at == text.length() - 1) {
                throw new RemoteException("--hook '" + text + "': expected LIB@TARGET:DETOUR[:ENTRY], e.g."
                        + " ./libpayload.so@compute:my_compute:install");
            }
            Path lib = Path.of(text.substring(0, at)).toAbsolutePath().normalize();
            String[] f = text.substring(at + 1).split(":", -1);
            for (String part : f) {
                if (part.isEmpty()) {
                    throw new RemoteException("--hook '" + text + "': an empty name between ':'s");
                }
            }
            return switch (f.length) {
                case 2 -> new Spec(lib, f[0], f[1], null);
                case 3 -> f[0].contains(".so") || f[0].contains("/")
                        ? new Spec(lib, f[0] + ":" + f[1], f[2], null)
                        : new Spec(lib, f[0], f[1], f[2]);
                case 4 -> new Spec(lib, f[0] + ":" + f[1], f[2], f[3]);
                default -> throw new RemoteException("--hook '" + text + "': expected LIB@TARGET:DETOUR[:ENTRY]"
                        + " (TARGET may be MODULE:SYMBOL), not " + f.length + " fields");
            };
        }

        @Override
        public String toString() {
            return library + "@" + target + ":" + detour + (entry == null ? "" : ":" + entry);
        }
    }

    /** One live hook: where it is and what it left in the target. */
    public record Installed(Spec spec, String function, long target, byte[] original, byte[] patch, long block,
            long trampoline, BoundaryMap boundaries) {
        public int jumpLength() {
            return patch.length;
        }
    }

    private final long pid;
    private final List<Installed> hooks;
    private final Map<Path, String> payloads;
    /** The libc syscall instruction the calls single-step, 0 when there was none. */
    private final long gadget;

    private RemoteHooks(long pid, List<Installed> hooks, Map<Path, String> payloads, long gadget) {
        this.pid = pid;
        this.hooks = hooks;
        this.payloads = payloads;
        this.gadget = gadget;
    }

    public long pid() {
        return pid;
    }

    public List<Installed> hooks() {
        return List.copyOf(hooks);
    }

    /** Where the stop-the-world pauses went, for the caller's report (nanoseconds). */
    public record Pauses(long plan, long write) {}

    private Pauses lastPauses;

    public Pauses pauses() {
        return lastPauses;
    }

    /**
     * Installs every hook of {@code specs} in process {@code pid}, or none: a refusal (no such
     * symbol, a prologue the relocator cannot move, a library dlopen refuses) changes nothing of
     * the target's code. A payload that was loaded before a later refusal stays loaded.
     */
    public static RemoteHooks install(long pid, List<Spec> specs) {
        RemoteProcess.check(pid);
        Map<Path, Map<String, Long>> payloadSymbols = new LinkedHashMap<>();
        for (Spec s : specs) {
            Map<String, Long> syms = payloadSymbols.computeIfAbsent(s.library(), RemoteHooks::payloadFunctions);
            for (String name : s.entry() == null ? List.of(s.detour()) : List.of(s.detour(), s.entry())) {
                if (!syms.containsKey(name)) {
                    throw new RemoteException("--hook " + s + ": " + s.library() + " has no function " + name
                            + " (nm " + s.library() + ")");
                }
            }
        }
        // Everything that reads files runs before the target is stopped: symbols, the loader's
        // and allocator's ranges, and a first relocation of every prologue, so a refusal comes
        // before any stop and the stop itself only re-checks the bytes.
        RemoteImages images = RemoteImages.of(pid);
        PayloadLoader loader = new PayloadLoader(images);
        List<Target> targets = new ArrayList<>();
        for (Spec s : specs) {
            targets.add(Target.resolve(images, s));
        }
        try (RemoteProcess p = RemoteProcess.open(pid)) {
            return install(p, specs, targets, loader, payloadSymbols, RemoteCall.findGadget(p, images));
        }
    }

    /** A function to hook, found and checked before any stop: its bytes as read then. */
    private record Target(Spec spec, RemoteImages.Function fn, byte[] code) {
        static Target resolve(RemoteImages images, Spec s) {
            RemoteImages.Function fn = images.function(s.target());
            if (fn.end() <= fn.start()) {
                throw new RemoteException("cannot hook " + fn + ": its symbol has no size, so its end is unknown");
            }
            LoadedImage image = images.imageAt(fn.start());
            if (image == null || !image.executableAt(fn.start())) {
                throw new RemoteException("cannot hook " + fn + ": it is not in executable memory of process "
                        + images.maps().pid());
            }
            byte[] code = readFunction(images.maps().pid(), fn);
            try {
                new Relocator().steal(fn.start(), code, fn.start(), 5);
            } catch (HookException e) {
                throw new RemoteException("cannot hook " + fn + ": " + e.getMessage(), e);
            }
            return new Target(s, fn, code);
        }
    }

    private static byte[] readFunction(long pid, RemoteImages.Function fn) {
        byte[] code = new byte[(int) Math.min(fn.end() - fn.start(), 16L << 20)];
        try (dev.jpoline.inlinehook.patch.ProcessMemoryPatcher m = dev.jpoline.inlinehook.patch.ProcessMemoryPatcher.open(pid)) {
            m.read(fn.start(), code, 0, code.length);
        } catch (RuntimeException e) {
            throw new RemoteException("cannot read " + fn + " in process " + pid + ": " + e.getMessage(), e);
        }
        return code;
    }

    /**
     * With a syscall gadget in libc only one thread is ever stopped until the jumps are written:
     * the scratch page, the trampoline pages, dlopen and the entry functions all run in it while
     * the others run on. Without one (a libc already rewritten by jpoline) the scratch page needs
     * a stop of every thread, as long as planning takes.
     */
    private static RemoteHooks install(RemoteProcess p, List<Spec> specs, List<Target> targets, PayloadLoader loader,
            Map<Path, Map<String, Long>> payloadSymbols, long gadget) {
        long t0 = System.nanoTime();
        int tid = gadget != 0 ? stopOneSafeThread(p, loader) : stopWithSafeThread(p, loader);
        RemoteCall calls = RemoteCall.bootstrap(p, tid, gadget);
        ProcessMaps maps = readMaps(p.pid());
        List<Planned> planned = new ArrayList<>();
        boolean done = false;
        long planPause;
        try {
            for (Target t : targets) {
                planned.add(plan(p, calls, tid, maps, t));
            }
            // dlopen and the entry functions run while the other threads do.
            if (gadget == 0) {
                p.detachAllBut(tid);
                planPause = p.releasedAt() - t0;
            } else {
                planPause = 0; // only `tid` was stopped
            }
            p.relax();
            Map<Path, String> loaded = new LinkedHashMap<>();
            Map<Path, Long> bias = new LinkedHashMap<>();
            for (Spec s : specs) {
                if (!loaded.containsKey(s.library())) {
                    loader.dlopen(calls, tid, s.library().toString());
                    loaded.put(s.library(), s.library().toString());
                    bias.put(s.library(), payloadBias(p.pid(), s.library()));
                }
            }
            List<Installed> installed = new ArrayList<>();
            for (Planned pl : planned) {
                Spec s = pl.spec();
                long base = bias.get(s.library());
                long detour = base + payloadSymbols.get(s.library()).get(s.detour());
                Installed h = pl.finish(p, detour);
                if (s.entry() != null) {
                    calls.call(tid, base + payloadSymbols.get(s.library()).get(s.entry()), 10_000, h.trampoline());
                }
                installed.add(h);
            }
            long t1 = System.nanoTime();
            p.stopAll(STOP_TIMEOUT_MS);
            List<PatchStep> steps = new ArrayList<>();
            for (Installed h : installed) {
                checkUnchanged(p, h.target(), h.original(), "hook");
                steps.add(enableStep(h));
            }
            RemoteFreeze.apply(p, steps);
            done = true;
            long released;
            if (gadget != 0) {
                p.detachAllBut(tid); // the others go first; the scratch page needs only `tid`
                released = p.releasedAt();
                calls.release(tid);
            } else {
                calls.release(tid);
                p.detachAllBut(tid);
                released = p.releasedAt();
            }
            p.detachAll();
            RemoteHooks result = new RemoteHooks(p.pid(), installed, loaded, gadget);
            result.lastPauses = new Pauses(planPause, released - t1);
            return result;
        } finally {
            if (!done) {
                unmapBlocks(p, tid, calls, planned);
            }
        }
    }

    /**
     * One thread stopped, outside the loader and the allocator, the others untraced: each is
     * stopped in turn and let go again unless it qualifies; waits (bounded) for one.
     */
    static int stopOneSafeThread(RemoteProcess p, PayloadLoader loader) {
        long deadline = System.nanoTime() + SAFE_THREAD_WAIT_NS;
        while (true) {
            for (int tid : p.listThreads()) {
                if (p.seize(tid) && p.stop(tid, STOP_TIMEOUT_MS) && p.quietlyStopped(tid) && loader.safe(p, tid)) {
                    return tid;
                }
                p.detach(tid);
            }
            if (p.listThreads().isEmpty()) {
                throw new RemoteException("process " + p.pid() + " exited");
            }
            if (System.nanoTime() > deadline) {
                throw new RemoteException("every thread of process " + p.pid() + " stayed inside the dynamic loader or the"
                        + " allocator for 2 s (calling dlopen there could deadlock it); nothing was changed, try again");
            }
            LockSupport.parkNanos(10_000_000);
        }
    }

    /** Every thread stopped, and one of them outside the loader and the allocator; waits (bounded) for one. */
    static int stopWithSafeThread(RemoteProcess p, PayloadLoader loader) {
        long deadline = System.nanoTime() + SAFE_THREAD_WAIT_NS;
        while (true) {
            p.stopAll(STOP_TIMEOUT_MS);
            int tid = loader.safeThread(p);
            if (tid >= 0) {
                return tid;
            }
            p.detachAll();
            if (System.nanoTime() > deadline) {
                throw new RemoteException("every thread of process " + p.pid() + " stayed inside the dynamic loader or the"
                        + " allocator for 2 s (calling dlopen there could deadlock it); nothing was changed, try again");
            }
            LockSupport.parkNanos(10_000_000);
            p.seizeAll();
        }
    }

    /** A hook planned while everything is stopped: the function read, the prologue stolen, the page mapped. */
    private record Planned(Spec spec, RemoteImages.Function fn, byte[] code, Prologue prologue, long block, boolean near) {
        Installed finish(RemoteProcess p, long detour) {
            Relocation r = new Relocator().relocate(prologue, block + RELAY);
            byte[] relay = CodeWriter.absoluteJump(detour);
            byte[] patch = near ? CodeWriter.relativeJump(fn.start(), block) : CodeWriter.absoluteJump(detour);
            byte[] original = Arrays.copyOfRange(code, 0, patch.length);
            p.memory().write(block, relay, 0, relay.length);
            p.memory().write(r.trampolineAddress(), r.code(), 0, r.codeLength());
            return new Installed(spec, fn.toString(), fn.start(), original, patch, block, r.trampolineAddress(),
                    r.boundaries());
        }
    }

    private static Planned plan(RemoteProcess p, RemoteCall calls, int tid, ProcessMaps maps, Target t) {
        Spec s = t.spec();
        RemoteImages.Function fn = t.fn();
        byte[] code = new byte[t.code().length];
        p.memory().read(fn.start(), code, 0, code.length); // as it is now, stopped
        long block = mapNear(calls, tid, maps, fn.start());
        boolean near = block != 0;
        Prologue prologue;
        try {
            prologue = new Relocator().steal(fn.start(), code, fn.start(), near ? 5 : 14);
            if (!near) {
                block = mapAnywhere(p, calls, tid);
            }
        } catch (HookException e) {
            if (near) {
                calls.syscall(tid, RemoteCall.SYS_MUNMAP, block, PAGE);
            }
            throw new RemoteException("cannot hook " + fn + ": " + e.getMessage(), e);
        }
        if (RELAY + prologue.maxTrampolineSize() > PAGE) {
            throw new RemoteException("cannot hook " + fn + ": its trampoline would not fit a page");
        }
        return new Planned(s, fn, code, prologue, block, near);
    }

    /** A read-execute page within ±2 GiB of {@code near}, mapped in the target; 0 when no gap there takes one. */
    private static long mapNear(RemoteCall calls, int tid, ProcessMaps maps, long near) {
        List<MapsEntry> used = new ArrayList<>(maps.entries());
        used.sort((a, b) -> Long.compareUnsigned(a.start(), b.start()));
        long best = 0;
        long bestDistance = Long.MAX_VALUE;
        long cursor = LOW_FLOOR;
        for (int i = 0; i <= used.size(); i++) {
            long gapEnd = i < used.size() ? used.get(i).start() : (1L << 47) - PAGE;
            if (gapEnd - cursor >= 3L * PAGE) {
                // A page in the gap, one page of room left at each side, as near to `near` as the gap allows.
                long lo = cursor + PAGE;
                long hi = gapEnd - 2L * PAGE;
                long candidate = Math.max(lo, Math.min(hi, near & -PAGE));
                long distance = Math.abs(candidate - near);
                if (distance < bestDistance && distance < NEAR) {
                    best = candidate;
                    bestDistance = distance;
                }
            }
            if (i < used.size()) {
                cursor = Math.max(cursor, used.get(i).end());
                if (used.get(i).path().equals("[stack]")) {
                    cursor = Math.max(cursor, used.get(i).end());
                }
            }
        }
        if (best == 0) {
            return 0;
        }
        long r = calls.syscall(tid, RemoteCall.SYS_MMAP, best, PAGE, RemoteCall.PROT_READ | RemoteCall.PROT_EXEC,
                RemoteCall.MAP_PRIVATE | RemoteCall.MAP_ANONYMOUS | RemoteCall.MAP_FIXED_NOREPLACE, -1, 0);
        if (r != best) {
            if (r > 0) {
                calls.syscall(tid, RemoteCall.SYS_MUNMAP, r, PAGE); // an old kernel took the address as a hint
            }
            return 0;
        }
        return r;
    }

    private static long mapAnywhere(RemoteProcess p, RemoteCall calls, int tid) {
        long r = calls.syscall(tid, RemoteCall.SYS_MMAP, 0, PAGE, RemoteCall.PROT_READ | RemoteCall.PROT_EXEC,
                RemoteCall.MAP_PRIVATE | RemoteCall.MAP_ANONYMOUS, -1, 0);
        if (r < 0 && r > -4096) {
            throw new RemoteException("process " + p.pid() + " could not map a page for a trampoline: errno " + -r);
        }
        return r;
    }

    private static void unmapBlocks(RemoteProcess p, int tid, RemoteCall calls, List<Planned> planned) {
        try {
            p.stopAll(STOP_TIMEOUT_MS);
            for (Planned pl : planned) {
                calls.syscall(tid, RemoteCall.SYS_MUNMAP, pl.block(), PAGE);
            }
            calls.release(tid);
        } catch (RuntimeException e) {
            // Best effort: a page the target never runs is all that stays.
        }
    }

    private static PatchStep enableStep(Installed h) {
        BoundaryMap map = h.boundaries();
        int n = map.size() - 1;
        long[] from = new long[n];
        long[] to = new long[n];
        for (int i = 1; i <= n; i++) {
            from[i - 1] = h.target() + map.originalOffset(i);
            to[i - 1] = h.trampoline() + map.trampolineOffset(i);
        }
        return new PatchStep(h.target(), h.patch(), h.target() + 1, h.target() + h.original().length, from, to,
                map.returnFrom(), map.returnTo(), 0, 0, new long[0]);
    }

    private static void checkUnchanged(RemoteProcess p, long address, byte[] expected, String verb) {
        byte[] now = new byte[expected.length];
        p.memory().read(address, now, 0, now.length);
        if (!Arrays.equals(now, expected)) {
            throw new RemoteException(String.format("cannot %s 0x%x: its bytes changed meanwhile (%s, expected %s);"
                    + " nothing was written", verb, address, HexFormat.of().formatHex(now), HexFormat.of().formatHex(expected)));
        }
    }

    /**
     * Puts every original back under one stop of all threads. A trampoline no thread is in nor
     * returns into is unmapped; one in use stays, as does every payload (a thread may still be
     * inside a detour, and unloading it under that thread would crash it). Returns one line per
     * hook saying what stayed behind.
     */
    public List<String> restore() {
        List<String> report = new ArrayList<>();
        Map<Path, long[]> texts = new LinkedHashMap<>(); // read before the stop: it reads files
        for (Installed h : hooks) {
            texts.computeIfAbsent(h.spec().library(), lib -> payloadText((int) pid, lib));
        }
        try (RemoteProcess p = RemoteProcess.attach(pid)) {
            long t0 = System.nanoTime();
            p.stopAll(STOP_TIMEOUT_MS);
            List<PatchStep> steps = new ArrayList<>();
            List<Installed> restorable = new ArrayList<>();
            for (Installed h : hooks) {
                byte[] now = new byte[h.patch().length];
                p.memory().read(h.target(), now, 0, now.length);
                if (!Arrays.equals(now, h.patch())) {
                    report.add(h.function() + ": left as found, its bytes were changed by someone else ("
                            + HexFormat.of().formatHex(now) + ")");
                    continue;
                }
                restorable.add(h);
                steps.add(PatchStep.write(h.target(), h.original()));
            }
            RemoteFreeze.apply(p, steps);
            int tid = p.tids().get(0);
            // Which trampolines may go is decided while everyone is stopped: a trampoline may go
            // only when no thread is in it, returns into it, or is in the detour (which may still
            // call the original through it).
            List<long[]> ranges = new ArrayList<>(); // per hook: its trampoline page, its payload's text
            for (Installed h : restorable) {
                long[] text = texts.get(h.spec().library());
                ranges.add(new long[] {h.block(), h.block() + PAGE});
                ranges.add(text != null ? text : new long[] {0, -1L >>> 1}); // unknown text: everything counts
            }
            boolean[] used = RemoteFreeze.referenced(p, ranges);
            List<Boolean> free = new ArrayList<>();
            for (int i = 0; i < restorable.size(); i++) {
                free.add(!used[2 * i] && !used[2 * i + 1]);
            }
            long released = 0;
            if (gadget != 0) {
                p.detachAllBut(tid); // the unmapping needs only `tid`
                released = p.releasedAt();
            }
            for (int i = 0; i < restorable.size(); i++) {
                Installed h = restorable.get(i);
                String payload = payloads.getOrDefault(h.spec().library(), h.spec().library().toString());
                if (free.get(i) && unmap(p, tid, h.block())) {
                    report.add(h.function() + ": original restored; left behind: " + payload + " (still loaded)");
                } else {
                    report.add(h.function() + ": original restored; left behind: its trampoline page at 0x"
                            + Long.toHexString(h.block()) + " (" + PAGE + " bytes; a thread may still use it) and "
                            + payload + " (still loaded)");
                }
            }
            p.detachAll();
            lastPauses = new Pauses(0, (released != 0 ? released : p.releasedAt()) - t0);
        }
        return report;
    }

    private boolean unmap(RemoteProcess p, int tid, long block) {
        try {
            return (gadget != 0 ? RemoteCall.viaGadget(p, tid, gadget, RemoteCall.SYS_MUNMAP, block, PAGE)
                    : RemoteCall.syscallAtEntryPoint(p, tid, RemoteCall.SYS_MUNMAP, block, PAGE)) == 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static ProcessMaps readMaps(int pid) {
        try {
            return ProcessMaps.read(pid);
        } catch (IOException e) {
            throw new RemoteException(e.getMessage(), e);
        }
    }

    /** The function symbols of a payload library, by name: its ELF virtual addresses. */
    static Map<String, Long> payloadFunctions(Path library) {
        if (!Files.isRegularFile(library)) {
            throw new RemoteException("--hook: no such library " + library);
        }
        try (ElfFile elf = ElfFile.open(library)) {
            if (elf.type() != ElfType.DYN) {
                throw new RemoteException("--hook: " + library + " is not a shared library (build it with -shared -fPIC)");
            }
            Map<String, Long> out = new LinkedHashMap<>();
            for (FunctionSymbol f : elf.functionSymbols().all()) {
                if (f.value() != 0) {
                    out.putIfAbsent(f.name(), f.value());
                }
            }
            return out;
        } catch (IOException | RuntimeException e) {
            if (e instanceof RemoteException r) {
                throw r;
            }
            throw new RemoteException("--hook: cannot read " + library + " as an ELF library: " + e.getMessage(), e);
        }
    }

    /** [lo, hi) of the payload's executable mappings in the target, or null when it is not found. */
    private static long[] payloadText(int pid, Path library) {
        long lo = Long.MAX_VALUE, hi = 0;
        for (LoadedImage image : RemoteImages.of(pid).images()) {
            if (sameFile(Path.of(image.path()), library)) {
                for (MapsEntry e : image.entries()) {
                    if (e.executable()) {
                        lo = Math.min(lo, e.start());
                        hi = Math.max(hi, e.end());
                    }
                }
            }
        }
        return hi == 0 ? null : new long[] {lo, hi};
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return a.equals(b) || Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /** The load bias of the payload once loaded: found in the maps by its path. */
    static long payloadBias(int pid, Path library) {
        RemoteImages images = RemoteImages.of(pid);
        for (LoadedImage image : images.images()) {
            Path mapped = Path.of(image.path());
            try {
                if (mapped.equals(library) || Files.isSameFile(mapped, library)) {
                    try (ElfFile elf = image.openFile()) {
                        return image.bias(elf.programHeaders());
                    }
                }
            } catch (IOException e) {
                // not this one
            }
        }
        throw new RemoteException("process " + pid + " loaded " + library + " but it is not in its maps");
    }
}
