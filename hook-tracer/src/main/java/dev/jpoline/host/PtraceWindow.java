package dev.jpoline.host;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import dev.jpoline.api.hooks.CallAbandonedException;
import dev.jpoline.api.hooks.HookDispatcher;
import dev.jpoline.inlinehook.remote.ProcStatus;
import dev.jpoline.runtime.NativeRuntime;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Follows a process tree with ptrace where no runtime runs in it (a static executable, or a
 * dynamic program's loader until the runtime's constructor, which ends the window) and records
 * its syscalls and signals into the session's ring, through the runtime's
 * {@code jpoline_remote_*} functions loaded into this JVM: the same schema, plans and records a
 * runtime makes, so the writer formats them as it formats any other (docs/ptrace-window.md).
 *
 * <p>One thread does everything, as the kernel wants (a thread is the tracer), and it is the only
 * waiter for the whole tree: a waitpid elsewhere in the host would take the tracees' stops.
 *
 * <ul>
 *   <li>The first process is {@code jpoline-exec-stopped}, which stops itself: it is seized
 *       (PTRACE_SEIZE, never PTRACE_ATTACH: no SIGSTOP of ours) and continued, and the trace
 *       starts at its execve of the program, as strace's does.
 *   <li>Children and threads are followed from birth (fork, vfork, clone events).
 *   <li>A signal is recorded at its delivery stop and delivered unchanged.
 *   <li>A group stop (Ctrl-Z, SIGSTOP) is left stopped with PTRACE_LISTEN until SIGCONT, as
 *       without jpoline.
 *   <li>The host's death detaches every tracee (the kernel does, without PTRACE_O_EXITKILL): the
 *       program runs on, untraced.
 *   <li>Once the top-level program's runtime has taken over, the thread stays: a runtime that
 *       is about to exec asks (JPOLINE_REQUEST_EXEC_WINDOW) and the thread seizes the caller, so
 *       that the new image's loader, or a static program to its end, is followed too. It is then
 *       the host's only waiter: it reaps the program and its orphans, and says how they ended.
 *   <li>Under {@code run --hooks --from-exec} nothing is recorded: the hooked calls of each
 *       window are handed to the hooks instead ({@link PtraceCall}), at their entry stops.
 * </ul>
 */
public final class PtraceWindow {
    /*
     * libc and the runtime through JNA Function objects: an interface proxy or a direct mapping
     * costs a cold JVM about 15 ms each to set up, and the program, stopped, waits for all of it.
     */
    private static final NativeLibrary LIBC = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);
    private static final Function PTRACE = LIBC.getFunction("ptrace");
    private static final Function WAITPID = LIBC.getFunction("waitpid");
    private static final Function KILL = LIBC.getFunction("kill");
    private static final Function SYSCALL = LIBC.getFunction("syscall");
    private static final long NR_GETTID = 186;
    private static final long NR_TGKILL = 234;
    /**
     * Interrupts the follower's waitpid to hand it a thread to seize (remote_follow.c's handler
     * only raises a flag the loop checks). A real-time signal neither HotSpot nor glibc uses.
     */
    private static final int WAKE_SIGNAL = 40;

    /**
     * {@code JPOLINE_EXEC_WINDOWS=0}: no windows for the programs the tree execs (each costs a few
     * ms of ptrace stops: docs/ptrace-window.md); their loaders go unseen, as before windows.
     */
    static final String EXEC_WINDOWS_ENV = "JPOLINE_EXEC_WINDOWS";
    /**
     * Not handed to hooks in a window: their exit stop holds registers that are not the call's
     * (rt_sigreturn's restored context, an exec's new image), or they create tasks or end one
     * (rt_sigreturn, clone, fork, vfork, execve, exit, exit_group, execveat, clone3). Sorted.
     */
    private static final int[] UNHOOKABLE = {15, 56, 57, 58, 59, 60, 231, 322, 435};
    /** How long a request waits for the follower before the exec goes on without a window. */
    private static final long SEIZE_TIMEOUT_NANOS = 2_000_000_000L;

    private static long ptrace(long request, int pid, long addr, Object data) {
        return PTRACE.invokeLong(new Object[] {request, pid, addr, data});
    }

    private static void kill(int pid, int sig) {
        KILL.invokeInt(new Object[] {pid, sig});
    }

    /** The runtime's functions the window calls (entry_trace.c, remote_follow.c). */
    private Function remoteNext;
    private Function remoteSignal;
    private Function taskAdd;
    private Function taskRemove;
    private Function taskRename;
    private Function taskRecording;
    private Function taskExec;

    private int taskRecording(int tid) {
        return taskRecording.invokeInt(new Object[] {tid});
    }

    private void taskAdd(int tid, int tgid, boolean recording) {
        taskAdd.invokeInt(new Object[] {tid, tgid, recording ? 1 : 0});
    }

    private void taskRemove(int tid) {
        taskRemove.invokeVoid(new Object[] {tid});
    }

    private static final long PTRACE_CONT = 7;
    private static final long PTRACE_GETREGS = 12;
    private static final long PTRACE_SETREGS = 13;
    private static final long PTRACE_SYSCALL = 24;
    private static final long PTRACE_INTERRUPT = 0x4207;
    private static final long PTRACE_DETACH = 17;
    /** The runtime's constructor makes this call first where the host follows the loader (jpoline.h). */
    private static final long WINDOW_END_NR = 0x4a500001L;
    private static final long PTRACE_GETEVENTMSG = 0x4201;
    private static final long PTRACE_GETSIGINFO = 0x4202;
    private static final long PTRACE_SEIZE = 0x4206;
    private static final long PTRACE_LISTEN = 0x4208;
    private static final long PTRACE_GET_SYSCALL_INFO = 0x420e;
    private static final long OPTIONS = 0x01 /* TRACESYSGOOD */ | 0x02 /* TRACEFORK */ | 0x04 /* TRACEVFORK */
            | 0x08 /* TRACECLONE */ | 0x10 /* TRACEEXEC */;
    /**
     * Under run --hooks --from-exec no child or thread is followed (static programs are not): a
     * hooked call that proceeds waits for its own exit stop only, and a child stopped at its first
     * stop meanwhile (a constructor's popen, waited for by a hooked wait4) would never be let go.
     */
    private static final long HOOK_OPTIONS = 0x01 /* TRACESYSGOOD */ | 0x10 /* TRACEEXEC */;

    private long options() {
        return hooks != null ? HOOK_OPTIONS : OPTIONS;
    }

    private static final int EVENT_FORK = 1;
    private static final int EVENT_VFORK = 2;
    private static final int EVENT_CLONE = 3;
    private static final int EVENT_EXEC = 4;
    private static final int EVENT_STOP = 128;
    private static final int WUNTRACED = 2;
    private static final int WALL = 0x40000000;
    private static final int EINTR = 4;
    private static final int ECHILD = 10;
    private static final int SIGTRAP = 5;
    private static final int SIGSTOP = 19;
    private static final int SIGCONT = 18;
    private static final int SIGTSTP = 20;
    private static final int SIGTTIN = 21;
    private static final int SIGTTOU = 22;
    /** struct ptrace_syscall_info: op, arch, instruction and stack pointer, then entry or exit. */
    private static final int INFO_SIZE = 88;
    private static final int AUDIT_ARCH_X86_64 = 0xc000003e;

    /** What the follower keeps per thread in Java (the syscall state is in remote_follow.c's table). */
    private static final class Task {
        final int tid;
        int tgid;
        /** Its first stop (a new task's, or the seized helper's) is only a start. */
        boolean started;
        /**
         * Seized at its runtime's request, before its exec: it runs free (PTRACE_CONT) until the
         * exec event, and its own calls are the runtime's to record.
         */
        boolean awaitingExec;
        /** Its exec failed: it is interrupted, and let go at that stop. */
        ExecRequest release;
        /** Windows asked for and not closed (an exec from a signal handler asks again). */
        int windowRequests;
        /** A thread of a process whose window ended: interrupted, and let go at its next stop. */
        boolean detachAtStop;

        Task(int tid, int tgid) {
            this.tid = tid;
            this.tgid = tgid;
        }
    }

    private final java.nio.file.Path library;
    private final Pointer session;
    private final Consumer<Orphans.Ended> ended;
    private final int top;
    private final Map<Integer, Task> tasks = new HashMap<>();
    private final CompletableFuture<Integer> topStatus = new CompletableFuture<>();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final CompletableFuture<Boolean> handedOver = new CompletableFuture<>();
    private final Memory info = new Memory(INFO_SIZE);
    private final Memory siginfo = new Memory(128);
    private final int[] status = new int[1];
    private final Memory eventMessage = new Memory(8);

    private final CompletableFuture<Void> go;
    /** run --hooks --from-exec: the hooks the window hands its hooked calls to; null under trace. */
    private final HookDispatcher hooks;
    /** The numbers a window hands to {@link #hooks}: theirs, but the unhookable ones; empty under trace. */
    private final java.util.BitSet hooked;
    private final Memory regs = new Memory(27 * 8);
    private final Session sessionMemory;
    private final LinkedBlockingQueue<ExecRequest> requests = new LinkedBlockingQueue<>();
    private volatile int followerTid;
    private volatile boolean closed;

    /** A runtime's exec-window request, handed from a request thread to the follower. */
    private static final class ExecRequest {
        static final int PENDING = 0;
        static final int TAKEN = 1;
        static final int CANCELLED = 2;
        final RewriteRequest request;
        final int pid;
        final int tid;
        final boolean close;
        final AtomicInteger state = new AtomicInteger(PENDING);
        final CompletableFuture<Integer> answer = new CompletableFuture<>();

        ExecRequest(RewriteRequest request, boolean close) {
            this.request = request;
            this.pid = request.pid();
            this.tid = request.tid();
            this.close = close;
        }
    }

    private PtraceWindow(java.nio.file.Path library, Session session, int top, Consumer<Orphans.Ended> ended,
            CompletableFuture<Void> go, HookDispatcher hooks) {
        this.hooks = hooks;
        this.hooked = hooks == null ? new java.util.BitSet() : hooks.hookedNumbers();
        for (int nr : UNHOOKABLE) {
            hooked.clear(nr);
        }
        this.library = library;
        this.session = new Pointer(session.address());
        this.sessionMemory = session;
        this.top = top;
        this.ended = ended;
        this.go = go;
    }

    /**
     * Starts following {@code pid}, a child of this JVM that stops itself (jpoline-exec-stopped),
     * on a thread of its own, loading the runtime {@code library} there meanwhile: the program
     * waits for all of it, so none of it is left for after the stop. It is let go once {@code go}
     * completes (the session's schema is written: the records need it). {@code ended} hears of
     * every process of the tree that ends, in order.
     */
    public static PtraceWindow follow(java.nio.file.Path library, Session session, int pid, Consumer<Orphans.Ended> ended,
            CompletableFuture<Void> go) {
        return follow(library, session, pid, ended, go, null);
    }

    /**
     * As {@link #follow(Path, Session, int, Consumer, CompletableFuture)}, for {@code run --hooks
     * --from-exec}: nothing is recorded, and the calls {@code hooks} hooks go to them.
     */
    public static PtraceWindow follow(java.nio.file.Path library, Session session, int pid, Consumer<Orphans.Ended> ended,
            CompletableFuture<Void> go, HookDispatcher hooks) {
        PtraceWindow w = new PtraceWindow(library, session, pid, ended, go, hooks);
        Thread t = new Thread(w::run, "jpoline-ptrace-window");
        t.setDaemon(true);
        t.start();
        return w;
    }

    /** The top-level process's wait status, once it has ended; exceptionally if it could not be followed. */
    public CompletableFuture<Integer> topStatus() {
        return topStatus;
    }

    /**
     * True once the top-level program's runtime has taken over (the window detached from it: its
     * end is for the launcher to wait for); false when it ended inside the window (its status is
     * {@link #topStatus}).
     */
    public CompletableFuture<Boolean> handedOver() {
        return handedOver;
    }

    /** Completes when no process of the tree is left. */
    public CompletableFuture<Void> done() {
        return done;
    }

    /**
     * Answers a runtime's exec-window request (JPOLINE_REQUEST_EXEC_WINDOW or _CLOSE), on a request
     * thread: the follower seizes or lets go of the thread; 0 once it has. Returns the result.
     */
    public int serve(RewriteRequest r) {
        boolean close = r.kind() == SessionLayout.KIND_EXEC_WINDOW_CLOSE;
        if (closed || !r.fromSessionMember()) {
            return close ? 0 : -1;
        }
        if (!close && hooks != null && r.rangeStart() == 1) {
            return -1; // run does not follow static programs: they run without jpoline, as they say
        }
        ExecRequest e = new ExecRequest(r, close);
        requests.add(e);
        long deadline = System.nanoTime() + SEIZE_TIMEOUT_NANOS;
        boolean interrupted = false;
        try {
            while (true) {
                wake();
                try {
                    return e.answer.get(2, TimeUnit.MILLISECONDS);
                } catch (TimeoutException timeout) {
                    // Not taken yet (the follower records a stop, or handles one in Java): again.
                    if (closed && e.state.compareAndSet(ExecRequest.PENDING, ExecRequest.CANCELLED)) {
                        return close ? 0 : -1;
                    }
                    if (!close && System.nanoTime() > deadline
                            && e.state.compareAndSet(ExecRequest.PENDING, ExecRequest.CANCELLED)) {
                        return -110; // the exec goes on without a window
                    }
                } catch (InterruptedException stop) {
                    interrupted = true; // the server closes: cancel, or wait on for what was taken
                    if (e.state.compareAndSet(ExecRequest.PENDING, ExecRequest.CANCELLED)) {
                        return -4;
                    }
                    try {
                        return e.answer.get(SEIZE_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
                    } catch (Exception late) {
                        return -4;
                    }
                } catch (java.util.concurrent.ExecutionException impossible) {
                    return -1;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void wake() {
        int tid = followerTid;
        if (tid != 0) {
            SYSCALL.invokeLong(new Object[] {NR_TGKILL, (long) ProcessHandle.current().pid(), (long) tid, (long) WAKE_SIGNAL});
        }
    }

    private void run() {
        try {
            start();
            loop();
            done.complete(null);
        } catch (Finished f) {
            handedOver.complete(false);
            done.complete(null);
        } catch (Throwable t) {
            handedOver.completeExceptionally(t);
            topStatus.completeExceptionally(t);
            done.completeExceptionally(t);
        } finally {
            close();
        }
    }

    /** No more windows: runtimes stop asking, and what was asked is refused. */
    private void close() {
        closed = true;
        sessionMemory.putInt(SessionLayout.OFF_MODE_FLAGS,
                sessionMemory.getInt(SessionLayout.OFF_MODE_FLAGS) & ~SessionLayout.MODE_EXEC_WINDOWS);
        for (ExecRequest e; (e = requests.poll()) != null; ) {
            if (e.state.compareAndSet(ExecRequest.PENDING, ExecRequest.TAKEN)) {
                e.answer.complete(e.close ? 0 : -1);
            }
        }
        for (Task t : tasks.values()) {
            if (t.release != null) {
                t.release.answer.complete(0);
            }
        }
    }

    /** Waits for the helper's own SIGSTOP, seizes it and lets it go on to its execve. */
    private void start() throws Exception {
        NativeLibrary rt = NativeLibrary.getInstance(library.toString());
        int abi = rt.getFunction("jpoline_abi_version").invokeInt(new Object[0]);
        if (abi != NativeRuntime.JPOLINE_ABI_VERSION) {
            kill(top, SIGCONT);
            throw new IllegalStateException("native runtime " + library + " speaks ABI " + abi + ", this host "
                    + NativeRuntime.JPOLINE_ABI_VERSION + "; rebuild with: mvn -DskipTests package");
        }
        remoteNext = rt.getFunction("jpoline_remote_next");
        remoteSignal = rt.getFunction("jpoline_remote_signal");
        taskAdd = rt.getFunction("jpoline_remote_task_add");
        taskRemove = rt.getFunction("jpoline_remote_task_remove");
        taskRename = rt.getFunction("jpoline_remote_task_rename");
        taskRecording = rt.getFunction("jpoline_remote_task_recording");
        taskExec = rt.getFunction("jpoline_remote_task_exec");
        if (hooks != null) {
            Function hook = rt.getFunction("jpoline_remote_hook");
            hooked.stream().forEach(nr -> hook.invokeVoid(new Object[] {nr}));
        }
        if (rt.getFunction("jpoline_remote_wake_install").invokeInt(new Object[] {WAKE_SIGNAL}) == 0) {
            followerTid = (int) SYSCALL.invokeLong(new Object[] {NR_GETTID});
        }
        int r;
        do {
            r = WAITPID.invokeInt(new Object[] {top, status, WUNTRACED});
        } while (r < 0 && Native.getLastError() == EINTR);
        if (r != top) {
            throw new IllegalStateException("cannot wait for process " + top + ": errno " + Native.getLastError());
        }
        if (!stopped(status[0])) {
            // It ended before it stopped (it could not run at all): that is its status.
            topStatus.complete(status[0]);
            throw new Finished();
        }
        if (ptrace(PTRACE_SEIZE, top, 0, options()) != 0) {
            int errno = Native.getLastError();
            kill(top, SIGCONT);
            throw new IllegalStateException("cannot follow process " + top + " with ptrace (errno " + errno
                    + "); a Yama ptrace_scope of 2 or more forbids it: sysctl kernel.yama.ptrace_scope");
        }
        tasks.put(top, new Task(top, top));
        taskAdd(top, top, false); // recording from its execve of the program on
        try {
            go.get();
        } finally {
            kill(top, SIGCONT); // whatever happens, it must not stay stopped
        }
        if (followerTid != 0 && !"0".equals(System.getenv(EXEC_WINDOWS_ENV))) {
            // Before the program's runtime reads it at its first exec (the tiers are in place).
            int modes = SessionLayout.MODE_EXEC_WINDOWS | (loaderCallsWanted() ? SessionLayout.MODE_LOADER_WINDOWS : 0);
            sessionMemory.putInt(SessionLayout.OFF_MODE_FLAGS, sessionMemory.getInt(SessionLayout.OFF_MODE_FLAGS) | modes);
        }
    }

    /**
     * What glibc's dynamic loader calls, its error path's write included: a window for a dynamic
     * program's loader costs two stops a call, worth it only when the trace shows one of these
     * (-e trace=execve shows none) or the hooks take one. Not exit_group: the trace takes it
     * whatever the filter, for the process's end, which a window's wait status gives anyway.
     */
    private static final List<String> LOADER_CALLS = List.of("brk", "mmap", "munmap", "mprotect", "open", "openat",
            "read", "pread64", "write", "writev", "close", "stat", "fstat", "lstat", "newfstatat", "statx", "access",
            "faccessat", "faccessat2", "readlink", "readlinkat", "getcwd", "lseek", "arch_prctl", "set_tid_address",
            "set_robust_list", "rseq", "prlimit64", "getrandom", "uname");

    private boolean loaderCallsWanted() {
        dev.jpoline.api.SyscallTable table = dev.jpoline.api.SyscallTable.x86_64();
        for (String name : LOADER_CALLS) {
            int nr = table.numberOf(name); // a known name: numberOf throws for any other
            if (hooks != null ? hooked.get(nr) : sessionMemory.tier(nr) == SessionLayout.TIER_TRACE) {
                return true;
            }
        }
        return false;
    }

    /** Thrown by {@link #start} when the helper ended without stopping: nothing to follow. */
    private static final class Finished extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Finished() {
            super(null, null, false, false);
        }
    }

    private void loop() throws InterruptedException {
        while (true) {
            takeRequests();
            // Syscall stops are recorded and resumed in native code; the rest comes here.
            int tid = remoteNext.invokeInt(new Object[] {session, top, status});
            if (tid == -EINTR) {
                continue; // a request to take
            }
            if (tid == -ECHILD) {
                if (topStatus.isDone()) {
                    break; // the program and every process the host followed or reaped ended
                }
                ExecRequest e = requests.poll(20, TimeUnit.MILLISECONDS);
                if (e != null) {
                    take(e);
                }
                continue;
            }
            if (tid < 0) {
                throw new IllegalStateException("waiting for the traced processes failed: errno " + -tid);
            }
            int s = status[0];
            Task task = tasks.get(tid);
            if (!stopped(s)) {
                gone(tid, task, s);
                continue;
            }
            if (task == null && letGoAtBirth.remove(tid)) {
                letGo(tid, 0); // its first stop: a child of a thread let go
                continue;
            }
            if (task != null && task.detachAtStop) {
                int sig = (s >> 8) & 0xff;
                int event = (s >> 16) & 0xff;
                if (event == EVENT_FORK || event == EVENT_VFORK || event == EVENT_CLONE) {
                    letGoOfChild(eventMessage(tid)); // auto-attached: it has the runtime, let it go too
                }
                // A signal it was about to get, it gets (with TRACESYSGOOD a SIGTRAP without an event is one).
                boolean signal = sig != (SIGTRAP | 0x80) && event == 0;
                letGo(tid, signal ? sig : 0);
                continue;
            }
            if (task == null) {
                // A new task whose parent's event is not read yet: known now.
                task = newTask(tid, true);
            }
            int sig = (s >> 8) & 0xff;
            int event = (s >> 16) & 0xff;
            if (sig == (SIGTRAP | 0x80)) {
                task.started = true;
                long nr = entryNumber(tid);
                if (nr == WINDOW_END_NR) {
                    // The runtime's constructor: it records from here on. Let it go, untouched,
                    // and any thread a library's constructor started before it, at its next stop.
                    letGo(tid, 0);
                    letGoOfThreads(task.tgid);
                    if (tid == top) {
                        handedOver.complete(true);
                    }
                    continue;
                }
                if (hooks != null && hookedEntry(tid, nr)) {
                    hook(task);
                }
                resume(tid, 0); // a hooked call, answered; or a syscall stop the table could not read
            } else if (event != 0) {
                eventStop(task, sig, event);
            } else {
                signalStop(task, sig);
            }
        }
    }

    /** Children whose first stop is still to come, to be let go at it. */
    private final java.util.Set<Integer> letGoAtBirth = new java.util.HashSet<>();

    /** A child of a thread let go, or of one that waits for its exec: it is not ours to follow. */
    private void letGoOfChild(long child) {
        if (child <= 0) {
            return;
        }
        Task known = tasks.get((int) child);
        if (known != null) { // its first stop came first, and made it a task
            letGoAtNextStop(known);
        } else {
            letGoAtBirth.add((int) child);
        }
    }

    /** Interrupts the task, whose stops all come to Java from now on: it is let go at the next. */
    private void letGoAtNextStop(Task t) {
        t.detachAtStop = true;
        taskRemove(t.tid);
        ptrace(PTRACE_INTERRUPT, t.tid, 0, 0);
    }

    /** Detaches a task at its stop, {@code sig} delivered, and forgets it. */
    private void letGo(int tid, int sig) {
        ptrace(PTRACE_DETACH, tid, 0, sig);
        tasks.remove(tid);
        taskRemove(tid);
    }

    /** The other threads of process {@code tgid}, whose runtime took over: each is let go at its next stop. */
    private void letGoOfThreads(int tgid) {
        for (Task t : tasks.values()) {
            if (t.tgid == tgid && !t.detachAtStop) {
                letGoAtNextStop(t);
            }
        }
    }

    private void takeRequests() {
        for (ExecRequest e; (e = requests.poll()) != null; ) {
            take(e);
        }
    }

    /** Seizes a thread about to exec, or lets go of one whose exec failed. */
    private void take(ExecRequest e) {
        if (!e.state.compareAndSet(ExecRequest.PENDING, ExecRequest.TAKEN)) {
            return; // its exec went on without a window
        }
        Task known = tasks.get(e.tid);
        if (e.close) {
            if (known == null || !known.awaitingExec || --known.windowRequests > 0) {
                e.answer.complete(0); // the exec that asked first still counts on its window
            } else if (ptrace(PTRACE_INTERRUPT, e.tid, 0, 0) != 0) {
                e.answer.complete(0); // gone meanwhile
            } else {
                known.release = e; // let go at the stop that comes
            }
            return;
        }
        if (known != null) {
            // Seized already: an exec from a signal handler while the first waited. The window
            // stands, and this exec's environment must say so too.
            if (known.awaitingExec) {
                known.windowRequests++;
            }
            e.answer.complete(known.awaitingExec ? 0 : -16);
            return;
        }
        // The tid is the caller's word: it must be a thread of the process that asked; and the
        // caller must still wait (one that gave up execs without the window's variable).
        if (e.request.abandoned() || !threadOf(e.pid, e.tid) || ptrace(PTRACE_SEIZE, e.tid, 0, options()) != 0) {
            e.answer.complete(-1);
            return;
        }
        Task t = new Task(e.tid, e.pid);
        t.started = true;
        t.awaitingExec = true;
        t.windowRequests = 1;
        tasks.put(e.tid, t);
        taskAdd(e.tid, e.pid, false);
        e.answer.complete(0);
    }

    /** An entry stop of call {@code nr} of the program's that the hooks hook (remote_follow.c sent it here). */
    private boolean hookedEntry(int tid, long nr) {
        return nr >= 0 && nr < hooked.length() && hooked.get((int) nr) && taskRecording(tid) == 1;
    }

    /** Hands the call to the hooks; the thread is then at its exit stop with the hooks' answer. */
    private void hook(Task task) {
        PtraceCall call;
        try {
            call = new PtraceCall(tracer, task.tgid, task.tid);
        } catch (CallAbandonedException unreadable) {
            return; // its registers cannot be read: gone; the wait says so
        }
        try {
            call.finish(hooks.dispatch(call));
        } catch (CallAbandonedException ended) {
            // The thread ended while the call ran (its end is handled where it was waited for).
        } catch (RuntimeException e) {
            // Not a hook's own exception (the dispatcher reports and handles those): ours, reading
            // the call. The program gets EIO, as --on-hook-error fail would give it.
            System.err.println("jpoline: a hooked " + call.name() + " of process " + task.tgid + " failed: " + e);
            try {
                call.finish(call.result().orElse(-5));
            } catch (CallAbandonedException ended) {
                // gone meanwhile
            }
        }
    }

    /** What a PtraceCall needs of the tracer thread: this thread. */
    private final PtraceCall.Tracer tracer = new PtraceCall.Tracer() {
        @Override
        public long[] registers(int tid) {
            if (ptrace(PTRACE_GETREGS, tid, 0, regs) != 0) {
                throw new CallAbandonedException("cannot read the registers of thread " + tid + ": errno "
                        + Native.getLastError());
            }
            return regs.getLongArray(0, 27);
        }

        @Override
        public void setRegisters(int tid, long[] registers) {
            regs.write(0, registers, 0, 27);
            ptrace(PTRACE_SETREGS, tid, 0, regs);
        }

        @Override
        public boolean toExitStop(int tid) {
            ptrace(PTRACE_SYSCALL, tid, 0, 0);
            while (true) {
                int r = WAITPID.invokeInt(new Object[] {tid, status, WALL});
                if (r < 0) {
                    if (Native.getLastError() == EINTR) {
                        continue;
                    }
                    return false;
                }
                if (!stopped(status[0])) {
                    gone(tid, tasks.get(tid), status[0]);
                    return false;
                }
                int sig = (status[0] >> 8) & 0xff;
                if (sig == (SIGTRAP | 0x80)) {
                    return true;
                }
                // An event stop on the way (none is expected of a single call): on to the exit.
                ptrace(PTRACE_SYSCALL, tid, 0, (status[0] >> 16) != 0 ? 0 : sig);
            }
        }
    };

    /**
     * The number of the x86-64 call at whose entry stop {@code tid} is, or -1 (an exit stop, an
     * i386 call): JPOLINE_WINDOW_END_NR is the runtime's first act (jpoline.h).
     */
    private long entryNumber(int tid) {
        boolean entry = ptrace(PTRACE_GET_SYSCALL_INFO, tid, INFO_SIZE, info) > 0 && info.getByte(0) == 1
                && info.getInt(4) == AUDIT_ARCH_X86_64;
        return entry ? info.getLong(24) : -1;
    }

    private void eventStop(Task task, int sig, int event) {
        switch (event) {
            case EVENT_FORK, EVENT_VFORK, EVENT_CLONE -> {
                long child = eventMessage(task.tid);
                if (task.awaitingExec) {
                    letGoOfChild(child); // from a signal handler while it waited: its runtime records it
                } else if (child > 0 && !tasks.containsKey((int) child)) {
                    newTask((int) child, taskRecording(task.tid) == 1);
                }
                resume(task.tid, 0);
            }
            case EVENT_EXEC -> {
                // A thread that execs takes the process's id; the others are gone.
                long former = eventMessage(task.tid);
                boolean seizedForIt = task.awaitingExec;
                if (former > 0 && former != task.tid) {
                    Task was = tasks.remove((int) former);
                    seizedForIt |= was != null && was.awaitingExec;
                    taskRename.invokeVoid(new Object[] {(int) former, task.tid});
                }
                task.tgid = task.tid;
                task.started = true; // a new Task when a thread other than the leader exec'd
                if (hooks != null && staticImage(task.tid)) {
                    letGo(task.tid, 0); // run does not follow static programs (a script's static interpreter, say)
                    return;
                }
                if (seizedForIt) {
                    // The new image's calls are ours to record, from its loader's first on.
                    taskExec.invokeVoid(new Object[] {task.tid});
                    task.awaitingExec = false;
                }
                resume(task.tid, 0);
            }
            case EVENT_STOP -> {
                if (task.release != null) {
                    letGo(task.tid, 0); // the exec failed: the thread goes on as it was, not traced
                    task.release.answer.complete(0);
                    return;
                }
                boolean groupStop = sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
                if (groupStop && task.started) {
                    // Stopped as without jpoline, until a SIGCONT; then an event stop comes again.
                    ptrace(PTRACE_LISTEN, task.tid, 0, 0);
                } else {
                    task.started = true;
                    resume(task.tid, 0);
                }
            }
            default -> resume(task.tid, 0);
        }
    }

    private static boolean staticImage(int tid) {
        return ProgramCheck.unreachableCode(Path.of("/proc", Integer.toString(tid), "exe")) == SessionLayout.UNREACHABLE_STATIC;
    }

    private long eventMessage(int tid) {
        eventMessage.setLong(0, 0);
        if (ptrace(PTRACE_GETEVENTMSG, tid, 0, eventMessage) != 0) {
            return -1;
        }
        return eventMessage.getLong(0);
    }

    private void signalStop(Task task, int sig) {
        task.started = true;
        if (taskRecording(task.tid) == 1
                && ptrace(PTRACE_GETSIGINFO, task.tid, 0, siginfo) == 0) {
            long ip = ptrace(PTRACE_GET_SYSCALL_INFO, task.tid, INFO_SIZE, info) > 0 ? info.getLong(8) : 0;
            remoteSignal.invokeInt(new Object[] {session, task.tgid, task.tid, sig, siginfo, 0, ip});
        }
        resume(task.tid, sig); // delivered unchanged
    }

    private void resume(int tid, int sig) {
        Task t = tasks.get(tid);
        ptrace(t != null && t.awaitingExec ? PTRACE_CONT : PTRACE_SYSCALL, tid, 0, sig);
    }

    private Task newTask(int tid, boolean recording) {
        Task t = new Task(tid, tgidOf(tid));
        tasks.put(tid, t);
        taskAdd(tid, t.tgid, recording);
        return t;
    }

    private void gone(int tid, Task task, int waitStatus) {
        tasks.remove(tid);
        taskRemove(tid);
        if (task != null && task.release != null) {
            task.release.answer.complete(0);
        }
        int tgid = task == null ? tid : task.tgid;
        if (tid != tgid) {
            return; // a thread: its process goes on
        }
        if (tid == top) {
            topStatus.complete(waitStatus);
            handedOver.complete(false);
        }
        ended.accept(new Orphans.Ended(tid, waitStatus));
    }

    /** One stat of /proc/PID/task/TID: reading and parsing /proc/TID/status cost each exec 0.3 ms. */
    private static boolean threadOf(int pid, int tid) {
        return pid > 0 && tid > 0 && java.nio.file.Files.isDirectory(
                Path.of("/proc", Integer.toString(pid), "task", Integer.toString(tid)));
    }

    private static int tgidOf(int tid) {
        long tgid = ProcStatus.number(Path.of("/proc", Integer.toString(tid), "status"), "Tgid:");
        return tgid > 0 ? (int) tgid : tid; // gone already: its own id is as good as any
    }

    private static boolean stopped(int status) {
        return (status & 0xff) == 0x7f;
    }
}
