package dev.jpoline.inlinehook.remote;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.jpoline.inlinehook.memory.Libc;
import dev.jpoline.inlinehook.patch.ProcessMemoryPatcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Another process under ptrace: the one component through which jpoline stops, reads, changes
 * and resumes a running program's threads (DESIGN: the remote freeze is this stop of all threads).
 *
 * <p>Threads are seized (PTRACE_SEIZE: no SIGSTOP is sent, nothing the program can see) with
 * PTRACE_O_TRACECLONE, so a thread created while attached is traced from its first instruction;
 * threads a seized thread did not create are found by listing {@code /proc/PID/task} until a
 * listing brings no one new. Stops are PTRACE_INTERRUPT stops. A thread that meets a signal
 * while it is being stopped keeps that signal-delivery-stop as its stop, and the signal goes
 * back to it, unchanged, when it is let go.
 *
 * <p>jpoline never stays attached between operations: each one seizes, does its work and
 * detaches, so a thread created or a signal sent while jpoline waits for the user never waits
 * for jpoline. Every ptrace request must come from the thread that attached (the kernel makes a
 * thread the tracer); the methods check it.
 *
 * <p>A thread stopped inside a blocking syscall is left to restart it as the kernel would: its
 * saved registers come back with {@code orig_rax}, so a read on a pipe, a futex wait or accept
 * (-ERESTARTSYS) and nanosleep (-ERESTART_RESTARTBLOCK) carry on. epoll_wait and a few others
 * never restart and fail with EINTR when their thread is merely stopped (strace -p does that to
 * its tracee); {@link #stopAll} rewinds such a thread to the call again when no signal the
 * program catches is pending, so it goes on waiting (with its full timeout: the kernel does
 * not tell what was left).
 */
public final class RemoteProcess implements AutoCloseable {
    private static final Ptrace PT = Ptrace.INSTANCE;
    private static final int EINTR = 4;
    /** Syscalls that fail with EINTR, not a restart, when their thread is stopped (signal(7), "stop signals"). */
    private static final long[] EINTR_ON_STOP = {
        232, // epoll_wait
        281, // epoll_pwait
        441, // epoll_pwait2
        128, // rt_sigtimedwait
        220, // semtimedop
        208, // io_getevents
    };

    /** Where a seized thread is. */
    enum State { RUNNING, STOPPED, GONE }

    /** One traced thread. */
    static final class Tracee {
        final int tid;
        State state = State.RUNNING;
        /** The signal of a signal-delivery-stop, given back on resume or detach; 0 for none. */
        int pendingSignal;
        /** Stopped at PTRACE_EVENT_STOP by our interrupt (the only stop injected code may start from). */
        boolean interruptStop;
        boolean interruptSent;
        /** Signals beyond the first held during injected code; re-sent by tgkill on release. */
        final List<Integer> laterSignals = new ArrayList<>();

        Tracee(int tid) {
            this.tid = tid;
        }
    }

    private final int pid;
    private final Thread owner = Thread.currentThread();
    private final Map<Integer, Tracee> threads = new LinkedHashMap<>();
    private ProcessMemoryPatcher memory;
    private boolean exited;
    private final RealtimeBoost boost = new RealtimeBoost();
    private long releasedAt;

    private RemoteProcess(int pid) {
        this.pid = pid;
    }

    /**
     * Seizes every thread of process {@code pid}; they keep running. Errors name the cause in one
     * line: no such process, another user's process, ptrace refused by Yama, a stopped process.
     */
    public static RemoteProcess attach(long pid) {
        RemoteProcess p = open(pid);
        p.seizeAll();
        return p;
    }

    /**
     * Checks {@code pid} as {@link #attach} does and opens its memory, but seizes no thread:
     * {@link #seize} takes them one at a time (an operation that needs one thread stopped
     * leaves the others alone), {@link #seizeAll} all of them.
     */
    public static RemoteProcess open(long pid) {
        check(pid);
        Path proc = Path.of("/proc", Long.toString(pid));
        RemoteProcess p = new RemoteProcess((int) pid);
        RemoteNative.touch(); // loaded now, not inside the first stop window
        try {
            p.memory = ProcessMemoryPatcher.open(pid);
        } catch (RuntimeException e) {
            long uid = ProcStatus.uid(proc.resolve("status"));
            if (uid >= 0 && uid != PT.getuid() && PT.getuid() != 0) {
                throw p.refused(Ptrace.EPERM);
            }
            throw new RemoteException("cannot open /proc/" + pid + "/mem: " + e.getMessage(), e);
        }
        return p;
    }

    /** The open/attach checks alone: one line for no such process, jpoline itself, a zombie, a stopped process. */
    public static void check(long pid) {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            throw new RemoteException("no such process: " + pid + " (give the pid of a running process)");
        }
        if (pid == ProcessHandle.current().pid()) {
            throw new RemoteException("process " + pid + " is jpoline itself; use HookRegistry for this JVM's functions");
        }
        Path proc = Path.of("/proc", Long.toString(pid));
        if (!Files.isDirectory(proc)) {
            throw new RemoteException("no such process: " + pid);
        }
        char state = ProcStatus.state(proc.resolve("stat"));
        if (state == 'Z' || state == 'X') {
            throw new RemoteException("process " + pid + " has exited (a zombie): nothing runs there any more");
        }
        if (state == 'T' || state == 't') {
            throw new RemoteException("process " + pid + " is stopped (state " + state + "); continue it first (kill -CONT "
                    + pid + ") or detach the debugger that holds it");
        }
        long uid = ProcStatus.uid(proc.resolve("status"));
        if (uid >= 0 && uid != PT.getuid() && !Files.isReadable(proc.resolve("mem"))) {
            throw new RemoteException("process " + pid + " belongs to another user (uid " + uid
                    + "); run jpoline as that user or as root");
        }
    }

    /** The threads of the process now, from /proc/PID/task. */
    public List<Integer> listThreads() {
        return listTasks();
    }

    /** Seizes one thread (it keeps running); false when it has exited. */
    public boolean seize(int tid) {
        checkOwner();
        Tracee known = threads.get(tid);
        if (known != null && known.state != State.GONE) {
            return true;
        }
        if (PT.ptrace(Ptrace.PTRACE_SEIZE, tid, 0L, Ptrace.PTRACE_O_TRACECLONE) != 0) {
            int errno = Native.getLastError();
            if (errno == Ptrace.ESRCH || errno == Ptrace.EPERM && exiting(tid)) {
                return false;
            }
            throw threads.isEmpty() ? refused(errno) : new RemoteException("cannot trace thread " + tid
                    + " of process " + pid + ": " + Libc.describeErrno(errno));
        }
        threads.put(tid, new Tracee(tid));
        return true;
    }

    /** Stops one seized thread; false when it exited or did not stop within {@code timeoutMillis}. */
    public boolean stop(int tid, long timeoutMillis) {
        checkOwner();
        Tracee t = threads.get(tid);
        if (t == null || t.state == State.GONE) {
            return false;
        }
        if (t.state == State.RUNNING && !t.interruptSent) {
            PT.ptrace(Ptrace.PTRACE_INTERRUPT, tid, 0L, 0L);
            t.interruptSent = true;
        }
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (t.state == State.RUNNING && System.nanoTime() < deadline) {
            if (!poll(t)) {
                LockSupport.parkNanos(50_000);
            }
        }
        return t.state == State.STOPPED;
    }

    public int pid() {
        return pid;
    }

    public ProcessMemoryPatcher memory() {
        return memory;
    }

    /** The tids of the threads traced and not gone, in the order they were found. */
    public List<Integer> tids() {
        List<Integer> out = new ArrayList<>();
        for (Tracee t : threads.values()) {
            if (t.state != State.GONE) {
                out.add(t.tid);
            }
        }
        return out;
    }

    Tracee tracee(int tid) {
        Tracee t = threads.get(tid);
        if (t == null || t.state == State.GONE) {
            throw new RemoteException("thread " + tid + " of process " + pid + " is not traced (it exited?)");
        }
        return t;
    }

    /** Seizes threads listed in /proc/PID/task that are not traced yet, until a listing finds no one new. */
    public void seizeAll() {
        checkOwner();
        for (int round = 0; ; round++) {
            boolean found = false;
            for (int tid : listTasks()) {
                if (threads.containsKey(tid) && threads.get(tid).state != State.GONE) {
                    continue;
                }
                long r = PT.ptrace(Ptrace.PTRACE_SEIZE, tid, 0L, Ptrace.PTRACE_O_TRACECLONE);
                if (r != 0) {
                    int errno = Native.getLastError();
                    if (errno == Ptrace.ESRCH || errno == Ptrace.EPERM && exiting(tid)) {
                        continue; // exited between the listing and the seize
                    }
                    if (errno == Ptrace.EPERM && tracedByUs(tid)) {
                        // Born of a traced thread (PTRACE_O_TRACECLONE) before its parent's clone
                        // event was read: ours already, stopped at birth, its stop still to come.
                        Tracee born = new Tracee(tid);
                        born.interruptSent = true;
                        threads.put(tid, born);
                        found = true;
                        continue;
                    }
                    boolean none = threads.values().stream().allMatch(t -> t.state == State.GONE);
                    if (none) {
                        throw refused(errno);
                    }
                    detachAll();
                    throw new RemoteException("cannot trace thread " + tid + " of process " + pid + ": "
                            + Libc.describeErrno(errno) + "; nothing was changed");
                }
                threads.put(tid, new Tracee(tid));
                found = true;
            }
            if (!found) {
                break;
            }
            if (round > 1000) {
                detachAll();
                throw new RemoteException("process " + pid + " creates threads faster than they can be traced; nothing was changed");
            }
        }
        if (threads.isEmpty()) {
            throw new RemoteException("no such process: " + pid + " (it exited)");
        }
    }

    /**
     * Whether {@code tid} has exited or is exiting. The kernel refuses to attach a task whose exit
     * has begun with EPERM, not ESRCH, while /proc/PID/task still lists it as a zombie (Z) or dead
     * (X) thread; a short-lived thread caught there is gone, not a refusal.
     */
    private boolean exiting(int tid) {
        char state = ProcStatus.state(Path.of("/proc", Integer.toString(pid), "task", Integer.toString(tid), "stat"));
        return state == 'Z' || state == 'X' || state == '?';
    }

    /** Whether a thread of this JVM traces {@code tid} (TracerPid names the tracing thread, not its process). */
    private boolean tracedByUs(int tid) {
        String status = ProcStatus.readSmall(Path.of("/proc", Integer.toString(pid), "task", Integer.toString(tid), "status"));
        if (status == null) {
            return false;
        }
        for (String line : status.split("\n")) {
            if (line.startsWith("TracerPid:")) {
                String tracer = line.substring("TracerPid:".length()).trim();
                return !tracer.equals("0") && Files.isDirectory(Path.of("/proc/self/task", tracer));
            }
        }
        return false;
    }

    /**
     * Threads born of a traced thread (PTRACE_O_TRACECLONE) whose parent's clone event was never
     * read stay traced by us, stopped at birth, after their parent is let go: found by their
     * TracerPid and let go too, so that no thread of the target is left stopped.
     */
    private void releaseUnreportedNewborns() {
        for (int round = 0; round < 3; round++) {
            boolean any = false;
            for (int tid : listTasks()) {
                if (threads.containsKey(tid) || !tracedByUs(tid)) {
                    continue;
                }
                any = true;
                if (waitRaw(tid, 1000) != -1) {
                    PT.ptrace(Ptrace.PTRACE_DETACH, tid, 0L, 0L);
                }
            }
            if (!any) {
                return;
            }
        }
    }

    RemoteException refused(int errno) {
        if (errno == Ptrace.EPERM) {
            long uid = ProcStatus.uid(Path.of("/proc", Integer.toString(pid), "status"));
            if (uid >= 0 && uid != PT.getuid() && PT.getuid() != 0) {
                return new RemoteException("process " + pid + " belongs to another user (uid " + uid
                        + "); run jpoline as that user or as root");
            }
            String scope = ProcStatus.readSmall(Path.of("/proc/sys/kernel/yama/ptrace_scope"));
            if (scope != null && !scope.equals("0")) {
                return new RemoteException("ptrace of process " + pid + " refused by kernel.yama.ptrace_scope=" + scope
                        + "; run jpoline as root, give it CAP_SYS_PTRACE, start the program under jpoline instead,"
                        + " or (scope 1) sudo sysctl -w kernel.yama.ptrace_scope=0");
            }
            return new RemoteException("ptrace of process " + pid + " refused (EPERM): it may be setuid, traced by"
                    + " another debugger (TracerPid in /proc/" + pid + "/status) or protected by a security module");
        }
        return new RemoteException("cannot trace process " + pid + ": " + Libc.describeErrno(errno));
    }

    private List<Integer> listTasks() {
        List<Integer> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc", Integer.toString(pid), "task"))) {
            s.forEach(p -> out.add(Integer.parseInt(p.getFileName().toString())));
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw new RemoteException("cannot list the threads of process " + pid + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Stops every traced thread (and threads that appear meanwhile) and returns once all are in
     * a ptrace stop, or throws after {@code timeoutMillis} with the threads that did not stop
     * let go again.
     */
    public void stopAll(long timeoutMillis) {
        checkOwner();
        boost.raise();
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            seizeAll();
            interruptRunning();
            boolean allStopped = true;
            for (Tracee t : new ArrayList<>(threads.values())) {
                while (t.state == State.RUNNING) {
                    if (!poll(t)) {
                        if (System.nanoTime() > deadline) {
                            List<Integer> late = new ArrayList<>();
                            threads.values().stream().filter(x -> x.state == State.RUNNING).forEach(x -> late.add(x.tid));
                            throw new RemoteException("threads " + late + " of process " + pid + " did not stop within "
                                    + timeoutMillis + " ms (traced by something else, or in an uninterruptible wait)");
                        }
                        LockSupport.parkNanos(50_000);
                    }
                }
                if (t.state == State.RUNNING) {
                    allStopped = false;
                }
            }
            if (exited) {
                throw new RemoteException("process " + pid + " exited");
            }
            // Threads born meanwhile (clone events) are in `threads` already, stopped at birth;
            // a last listing catches any created by a thread before it was seized.
            boolean fresh = false;
            for (int tid : listTasks()) {
                if (!threads.containsKey(tid)) {
                    fresh = true;
                }
            }
            if (allStopped && !fresh) {
                return;
            }
        }
    }

    /** PTRACE_INTERRUPT to every running thread not yet interrupted, in one native call where possible. */
    private void interruptRunning() {
        List<Tracee> todo = new ArrayList<>();
        for (Tracee t : threads.values()) {
            if (t.state == State.RUNNING && !t.interruptSent) {
                todo.add(t);
            }
        }
        if (RemoteNative.INSTANCE != null && !todo.isEmpty()) {
            int[] tids = new int[todo.size()];
            for (int i = 0; i < tids.length; i++) {
                tids[i] = todo.get(i).tid;
            }
            RemoteNative.INSTANCE.jpoline_remote_interrupt_all(tids, tids.length);
            // A refusal is sorted out below, one by one: ESRCH of a thread that is gone, or of a
            // newborn not ready yet (its birth stop comes anyway).
        }
        for (Tracee t : todo) {
            if (RemoteNative.INSTANCE == null) {
                PT.ptrace(Ptrace.PTRACE_INTERRUPT, t.tid, 0L, 0L);
            }
            if (!Files.isDirectory(Path.of("/proc", Integer.toString(pid), "task", Integer.toString(t.tid)))) {
                t.state = State.GONE;
                continue;
            }
            t.interruptSent = true;
        }
    }

    /**
     * One wait for {@code t} without blocking; true when an event was handled. An interrupt stop
     * makes it STOPPED (rewinding an EINTR of a wait that does not restart), a signal-delivery
     * stop keeps the signal for later, a clone event adds the new thread.
     */
    private boolean poll(Tracee t) {
        int[] status = new int[1];
        int r = PT.waitpid(t.tid, status, Ptrace.__WALL | Ptrace.WNOHANG);
        if (r == 0) {
            return false;
        }
        if (r < 0) {
            // ECHILD: not (or no longer) our tracee, e.g. it exited and was reaped elsewhere.
            t.state = State.GONE;
            return true;
        }
        handle(t, status[0]);
        return true;
    }

    private void handle(Tracee t, int status) {
        if ((status & 0xff) != 0x7f) {
            // Exited or killed by a signal.
            t.state = State.GONE;
            if (t.tid == pid) {
                exited = !Files.isDirectory(Path.of("/proc", Integer.toString(pid), "task"))
                        || listTasks().isEmpty();
            }
            return;
        }
        int sig = (status >> 8) & 0xff;
        int event = (status >>> 16) & 0xff;
        if (event == Ptrace.PTRACE_EVENT_STOP) {
            t.state = State.STOPPED;
            t.interruptStop = true;
            t.interruptSent = false;
            if (sig == Ptrace.SIGTRAP) {
                rewindEintr(t);
            }
        } else if (event == Ptrace.PTRACE_EVENT_CLONE) {
            Memory msg = new Memory(8);
            PT.ptrace(Ptrace.PTRACE_GETEVENTMSG, t.tid, Pointer.NULL, msg);
            int child = (int) msg.getLong(0);
            Tracee born = new Tracee(child);
            born.interruptSent = true; // born in a PTRACE_EVENT_STOP of its own, which comes anyway
            threads.putIfAbsent(child, born);
            // The clone event stop is a stop: kept as the parent's. Continued, the parent was
            // seen not to stop again when this stop had taken the interrupt (a thread creating
            // threads without pause did not stop within 5 s); a trap still pending is cleared
            // by the detach.
            t.state = State.STOPPED;
            t.interruptStop = true;
            t.interruptSent = false;
        } else if (event == 0) {
            t.state = State.STOPPED;
            t.interruptStop = false;
            t.pendingSignal = sig;
        } else {
            PT.ptrace(Ptrace.PTRACE_CONT, t.tid, 0L, 0L);
        }
    }

    /** Waits (up to {@code timeoutMillis}) for the next event of {@code tid}; returns its raw status, or -1 on timeout. */
    int waitRaw(int tid, long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        int[] status = new int[1];
        while (true) {
            int r = PT.waitpid(tid, status, Ptrace.__WALL | Ptrace.WNOHANG);
            if (r > 0) {
                return status[0];
            }
            if (r < 0) {
                return 0; // gone: reported as exited
            }
            if (System.nanoTime() > deadline) {
                return -1;
            }
            LockSupport.parkNanos(20_000);
        }
    }

    /**
     * A thread in injected code left a clone event: its newborn, traced from birth in a
     * PTRACE_EVENT_STOP, is let go at once (a later stop of everyone seizes it again).
     */
    void releaseChild(Tracee parent) {
        Memory msg = new Memory(8);
        PT.ptrace(Ptrace.PTRACE_GETEVENTMSG, parent.tid, Pointer.NULL, msg);
        int child = (int) msg.getLong(0);
        if (waitRaw(child, 2000) != -1) {
            PT.ptrace(Ptrace.PTRACE_DETACH, child, 0L, 0L);
        }
        threads.remove(child);
    }

    private void rewindEintr(Tracee t) {
        Registers r = registers(t.tid);
        if (r.rax() != -EINTR) {
            return;
        }
        boolean listed = false;
        for (long nr : EINTR_ON_STOP) {
            listed |= r.origRax() == nr;
        }
        if (!listed || ProcStatus.caughtSignalPending(pid, t.tid)) {
            return;
        }
        setRegisters(t.tid, r.rip(r.rip() - 2).rax(r.origRax()));
    }

    /**
     * A signal that reached {@code t} while jpoline ran code in it: given back when the thread is
     * let go (PTRACE_DETACH with it), or, when one is already held, sent again then by tgkill.
     */
    void keepSignal(Tracee t, int sig) {
        if (t.pendingSignal == 0) {
            t.pendingSignal = sig;
        } else {
            t.laterSignals.add(sig);
        }
    }

    /** Resumes a thread without a pending signal (injected code) and keeps its signal for later. */
    void continueQuietly(int tid) {
        PT.ptrace(Ptrace.PTRACE_CONT, tid, 0L, 0L);
    }

    /** The registers of a stopped thread. */
    public Registers registers(int tid) {
        checkOwner();
        Memory m = Ptrace.registerBuffer();
        if (PT.ptrace(Ptrace.PTRACE_GETREGS, tid, Pointer.NULL, m) != 0) {
            throw new RemoteException("cannot read the registers of thread " + tid + ": "
                    + Libc.describeErrno(Native.getLastError()));
        }
        return new Registers(m.getLongArray(0, Registers.WORDS));
    }

    public void setRegisters(int tid, Registers r) {
        checkOwner();
        Memory m = Ptrace.registerBuffer();
        m.write(0, r.words, 0, Registers.WORDS);
        if (PT.ptrace(Ptrace.PTRACE_SETREGS, tid, Pointer.NULL, m) != 0) {
            throw new RemoteException("cannot write the registers of thread " + tid + ": "
                    + Libc.describeErrno(Native.getLastError()));
        }
    }

    /** The thread's extended state (x87, SSE, AVX...) in XSAVE layout, to put back with {@link #setExtendedState}. */
    byte[] extendedState(int tid) {
        Memory buf = new Memory(16384);
        Memory iov = new Memory(16);
        iov.setPointer(0, buf);
        iov.setLong(8, buf.size());
        if (PT.ptrace(Ptrace.PTRACE_GETREGSET, tid, new Pointer(Ptrace.NT_X86_XSTATE), iov) != 0) {
            throw new RemoteException("cannot read the extended registers of thread " + tid + ": "
                    + Libc.describeErrno(Native.getLastError()));
        }
        return buf.getByteArray(0, (int) iov.getLong(8));
    }

    void setExtendedState(int tid, byte[] state) {
        Memory buf = new Memory(state.length);
        buf.write(0, state, 0, state.length);
        Memory iov = new Memory(16);
        iov.setPointer(0, buf);
        iov.setLong(8, state.length);
        if (PT.ptrace(Ptrace.PTRACE_SETREGSET, tid, new Pointer(Ptrace.NT_X86_XSTATE), iov) != 0) {
            throw new RemoteException("cannot restore the extended registers of thread " + tid + ": "
                    + Libc.describeErrno(Native.getLastError()));
        }
    }

    /**
     * A stopped thread injected code may start from: any ptrace stop of ours. One in a
     * signal-delivery-stop keeps its signal, which PTRACE_DETACH delivers at the end.
     */
    boolean quietlyStopped(int tid) {
        Tracee t = threads.get(tid);
        return t != null && t.state == State.STOPPED;
    }

    /**
     * Lets go of one thread: it runs on untraced, with the signal it was stopped with. A running
     * thread is stopped first (PTRACE_DETACH needs a stopped tracee).
     */
    public void detach(int tid) {
        checkOwner();
        Tracee t = threads.get(tid);
        if (t == null || t.state == State.GONE) {
            return;
        }
        if (t.state == State.RUNNING) {
            if (!t.interruptSent) {
                PT.ptrace(Ptrace.PTRACE_INTERRUPT, tid, 0L, 0L);
                t.interruptSent = true;
            }
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (t.state == State.RUNNING && System.nanoTime() < deadline) {
                if (!poll(t)) {
                    LockSupport.parkNanos(50_000);
                }
            }
            if (t.state == State.GONE) {
                return;
            }
        }
        PT.ptrace(Ptrace.PTRACE_DETACH, tid, 0L, t.pendingSignal);
        t.state = State.GONE;
        threads.remove(tid);
        resend(t);
    }

    private void resend(Tracee t) {
        for (int sig : t.laterSignals) {
            PT.tgkill(pid, t.tid, sig);
        }
        t.laterSignals.clear();
    }

    /** Lets go of every thread, each with the signal it was stopped with. Never throws. */
    public void detachAll() {
        detachAllBut(0);
        relax();
    }

    /**
     * When the last release of stopped threads happened ({@link System#nanoTime}): the end of
     * the pause the target saw, which Java code after it (a safepoint, a starved VM thread) no
     * longer lengthens.
     */
    public long releasedAt() {
        return releasedAt;
    }

    /** Lets go of every thread but {@code keep} (0: none), stopped ones in one native call. Never throws. */
    public void detachAllBut(int keep) {
        List<Tracee> stopped = new ArrayList<>();
        for (Tracee t : threads.values()) {
            if (t.state == State.STOPPED && t.tid != keep) {
                stopped.add(t);
            }
        }
        if (RemoteNative.INSTANCE != null && !stopped.isEmpty()) {
            // Every stopped thread in one native call: no safepoint can fall between two (remote_release.c).
            int[] tids = new int[stopped.size()];
            int[] signals = new int[stopped.size()];
            for (int i = 0; i < tids.length; i++) {
                tids[i] = stopped.get(i).tid;
                signals[i] = stopped.get(i).pendingSignal;
            }
            RemoteNative.INSTANCE.jpoline_remote_detach_all(tids, signals, tids.length);
            releasedAt = System.nanoTime();
            for (Tracee t : stopped) {
                t.state = State.GONE;
                threads.remove(t.tid);
                resend(t);
            }
        }
        boolean more = false;
        if (keep == 0) {
            releaseUnreportedNewborns();
        }
        for (int round = 0; round < 8 && threads.keySet().stream().anyMatch(tid -> tid != keep); round++) {
            for (Tracee t : new ArrayList<>(threads.values())) {
                if (t.tid == keep) {
                    continue;
                }
                more = true;
                try {
                    detach(t.tid);
                } catch (RuntimeException e) {
                    threads.remove(t.tid);
                }
            }
        }
        if (more || releasedAt == 0) {
            releasedAt = System.nanoTime();
        }
    }

    /**
     * Ends the stop window's real-time priority (see {@link RealtimeBoost}): call when the
     * threads left traced are to run, as during a call injected while the others run.
     */
    public void relax() {
        boost.lower();
    }

    @Override
    public void close() {
        detachAll();
        if (memory != null) {
            memory.close();
        }
    }

    private void checkOwner() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("ptrace requests for process " + pid + " must come from thread "
                    + owner.getName() + ", which attached it");
        }
    }
}
