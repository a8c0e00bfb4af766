package dev.jpoline.host;

import dev.jpoline.api.hooks.HookDispatcher;
import dev.jpoline.inlinehook.remote.RemoteException;
import dev.jpoline.inlinehook.remote.RemoteLibrary;
import dev.jpoline.inlinehook.remote.RemoteProcess;
import dev.jpoline.rewriter.maps.MapsEntry;
import dev.jpoline.rewriter.maps.ProcessMaps;
import dev.jpoline.runtime.RuntimeLibrary;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * jpoline in processes that already run ({@code trace -p}, {@code run --hooks -p}): the session
 * is made as for a launch, the runtime is loaded into each process with its own dlopen and joins
 * the session ({@code jpoline_attach}), every syscall site is rewritten while all its threads are
 * stopped, and then it runs traced or hooked until it ends or jpoline is told to stop (SIGINT,
 * SIGTERM, SIGHUP). Then every site is put back under another stop, the session dies (a thread
 * still in a hook is answered by its original call), and the process runs on natively; the VA0
 * page is unmapped where no thread can still be on it, else it stays (and is named).
 */
public final class Attacher {
    private static final long STOP_TIMEOUT_MS = 5_000;
    private static final long MUNMAP = 11;
    private static final int VA0_SIZE = 4096;

    private final PrintWriter diagnostics;
    private final int waitTimeoutMs;
    private HookDispatcher hooks;
    private final CountDownLatch stop = new CountDownLatch(1);
    /** Processes caught with Syscall User Dispatch, and the address of their selector byte. */
    private final java.util.Map<Long, Long> sudSelectors = new java.util.HashMap<>();
    private Path runtimeLibrary;

    public Attacher(PrintWriter diagnostics, int waitTimeoutMs) {
        this.diagnostics = diagnostics;
        this.waitTimeoutMs = waitTimeoutMs;
    }

    public Attacher withHooks(HookDispatcher dispatcher) {
        this.hooks = dispatcher;
        return this;
    }

    /** -q: no "Process N attached" and "detached" lines (strace's -q); errors are still said. */
    public Attacher quiet(boolean on) {
        this.quiet = on;
        return this;
    }

    private boolean quiet;

    /** Ends the attachment as SIGINT would (the trace's --syscall-limit); callable from any thread. */
    public void requestStop() {
        stop.countDown();
    }

    /**
     * Attaches to {@code pids}, serves them until they end or a stop is asked, detaches, and
     * returns 0; a process that cannot be attached stops everything with one line and exit
     * status 1 (or 2 for a user's mistake), after letting go of those attached before it.
     */
    public int run(List<Long> pids, HostRewriting rewriting, int ringSize, Launcher.Observer observer) {
        for (long pid : pids) {
            String refusal = refusal(pid);
            if (refusal != null) {
                diagnostics.println("jpoline: " + refusal);
                return 2;
            }
        }
        Path library = RuntimeLibrary.bundled().extract();
        runtimeLibrary = library;
        try (Session session = Session.create(Session.DEFAULT_DIRECTORY, 64, waitTimeoutMs, ringSize,
                hooks == null ? 0 : Launcher.CALL_SLOTS);
                SignalRelay relay = SignalRelay.forStop(stop::countDown)) {
            if (hooks != null) {
                Launcher.applyHookTiers(session, hooks);
            }
            if (observer != null) {
                observer.sessionCreated(session);
                observer.started(pids.get(0));
            }
            List<Long> attached = new ArrayList<>();
            List<String> detached = new ArrayList<>();
            int status = 0;
            try (RequestServer server = new RequestServer(session, rewriting.handlerFor(session),
                    error -> diagnostics.println("jpoline: rewriting failed: " + error));
                    HookServer hookServer = hooks == null ? null : new HookServer(session, hooks, diagnostics::println)) {
                if (observer != null) {
                    observer.serving();
                }
                for (long pid : pids) {
                    String failure = attach(pid, library, session, rewriting);
                    if (failure != null) {
                        diagnostics.println("jpoline: " + failure);
                        status = 1;
                        break;
                    }
                    attached.add(pid);
                    if (!quiet) {
                        diagnostics.println("jpoline: Process " + pid + " attached");
                        diagnostics.flush();
                    }
                }
                if (status == 0) {
                    awaitEnd(attached);
                }
                for (long pid : attached) {
                    detached.add(detach(pid, rewriting));
                }
                // Threads that were in a hook or writing a record when the sites went back finish now.
                session.close();
            }
            if (observer != null) {
                observer.detached(); // the last lines first, then the detach lines, as strace -p
            }
            for (String line : detached) {
                if (line != null) {
                    diagnostics.println(line);
                }
            }
            diagnostics.flush();
            return status;
        } catch (RemoteException e) {
            diagnostics.println("jpoline: " + e.getMessage());
            return 1;
        }
    }

    /** Why {@code pid} cannot be attached to, in one line; null when it can be tried. */
    private static String refusal(long pid) {
        try {
            RemoteProcess.check(pid);
        } catch (RemoteException e) {
            return e.getMessage();
        }
        ProcessMaps maps;
        try {
            maps = ProcessMaps.read(pid);
        } catch (IOException e) {
            return e.getMessage();
        }
        boolean libc = false;
        boolean jvm = false;
        for (MapsEntry e : maps.entries()) {
            libc |= e.fileName().startsWith("libc.so");
            jvm |= e.fileName().equals("libjvm.so") || e.fileName().equals("libcoreclr.so");
        }
        if (!libc) {
            return "process " + pid + " is statically linked (no libc.so.6 to load jpoline's runtime with), so -p cannot"
                    + " trace it; start it under jpoline instead: jpoline trace -- PROGRAM (its syscalls are caught"
                    + " with Syscall User Dispatch from its first instruction)";
        }
        if (jvm && !CpuFeatures.hasExecuteOnlyPages()) {
            return "process " + pid + " is a JVM, which needs reads of address 0 to fault, and this CPU cannot make"
                    + " jpoline's page there execute-only (no pku); start it under jpoline instead: jpoline trace -- java ...";
        }
        return null;
    }

    /** Loads the runtime, joins it to the session and rewrites every site under a stop; null, or why not. */
    private String attach(long pid, Path library, Session session, HostRewriting rewriting) {
        rewriting.deferStartup((int) pid);
        long result;
        // The tests' switch, as for a launch: behave as if page 0 could not be mapped.
        long noVa0 = "1".equals(System.getenv("JPOLINE_NO_VA0")) ? 1 : 0;
        try (RemoteLibrary runtime = RemoteLibrary.load(pid, library)) {
            result = runtime.call("jpoline_attach", 30_000, session.file().toString(), library.toString(), noVa0);
            if (result == -17) {
                return "process " + pid + " already runs under jpoline (its runtime has joined a session)";
            }
            if (result < 0) {
                return "process " + pid + " could not join jpoline's session: " + describe(result);
            }
            long args = runtime.buffer(40);
            if (runtime.call("jpoline_attach_sud_args", 5_000, args) == 0) {
                // No page 0: Syscall User Dispatch, which the host turns on in the other threads.
                long[] a = runtime.readLongs(args, 5);
                int refused = runtime.enableSudInOtherThreads(a[0], a[1], a[2], a[3], a[4]);
                sudSelectors.put(pid, a[2]);
                if (refused > 0) {
                    diagnostics.println("jpoline: process " + pid + ": " + refused + " thread(s) could not turn Syscall"
                            + " User Dispatch on; their syscalls are not seen");
                }
                return null;
            }
        } catch (RemoteException e) {
            return "cannot attach to process " + pid + ": " + e.getMessage();
        }
        try (RemoteProcess p = RemoteProcess.attach(pid)) {
            p.stopAll(STOP_TIMEOUT_MS);
            rewriting.rewriteAttached((int) pid, p.memory());
            p.detachAll();
        } catch (RemoteException e) {
            return "cannot rewrite process " + pid + ": " + e.getMessage();
        }
        return null;
    }

    private static String describe(long result) {
        return switch ((int) result) {
            case -1, -13 -> "it may not map page 0 (vm.mmap_min_addr is " + mmapMinAddr() + ") and has no Syscall User"
                    + " Dispatch (Linux 5.11 or later); run: sudo sysctl -w vm.mmap_min_addr=0";
            case -2 -> "the session is gone";
            case -17 -> "page 0 is mapped already";
            default -> "error " + result;
        };
    }

    /** In one read: the kernel ends a sysctl read at any other offset. */
    private static String mmapMinAddr() {
        byte[] b = new byte[32];
        try (java.io.FileInputStream in = new java.io.FileInputStream("/proc/sys/vm/mmap_min_addr")) {
            int n = in.read(b);
            return n <= 0 ? "?" : new String(b, 0, n, java.nio.charset.StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    private void awaitEnd(List<Long> pids) {
        try {
            while (!stop.await(100, TimeUnit.MILLISECONDS)) {
                boolean any = false;
                for (long pid : pids) {
                    any |= alive(pid);
                }
                if (!any) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Puts back every site of {@code pid} under a stop of all its threads, and unmaps the VA0
     * page when no thread is on it; a process that ended is only forgotten.
     */
    private String detach(long pid, HostRewriting rewriting) {
        if (!alive(pid)) {
            return null;
        }
        Long selector = sudSelectors.get(pid);
        if (selector != null) {
            // Nothing was rewritten: SUD off in every thread, and new threads stay without it.
            try {
                RemoteLibrary.leave(pid, runtimeLibrary, selector, "jpoline_attach_leave");
            } catch (RemoteException e) {
                return "jpoline: cannot detach cleanly from process " + pid + ": " + e.getMessage();
            }
            return quiet ? null : "jpoline: Process " + pid + " detached";
        }
        boolean va0Free = true;
        try (RemoteProcess p = RemoteProcess.attach(pid)) {
            p.stopAll(STOP_TIMEOUT_MS);
            rewriting.restoreAttached((int) pid, p.memory(), ProcessMaps.read(pid));
            for (int tid : p.tids()) {
                if (Long.compareUnsigned(p.registers(tid).rip(), VA0_SIZE) < 0) {
                    va0Free = false; // on the sled now; it leaves through the entry, which stays
                }
            }
            p.detachAll();
        } catch (RemoteException | IOException e) {
            return "jpoline: cannot detach cleanly from process " + pid + ": " + e.getMessage();
        }
        // The runtime's signal wrappers stay (they hand each signal to the program's action): a
        // call injected to remove them, in a thread stopped in nanosleep, made that nanosleep fail
        // with EINTR (measured; TracePidIT), which the program must never see.
        if (va0Free) {
            try {
                RemoteLibrary.syscall(pid, MUNMAP, 0, VA0_SIZE);
            } catch (RemoteException e) {
                va0Free = false;
            }
        }
        if (quiet && va0Free) {
            return null;
        }
        return "jpoline: Process " + pid + " detached" + (va0Free ? ""
                : " (jpoline's page at address 0 stays mapped: a thread was on it)");
    }
}
