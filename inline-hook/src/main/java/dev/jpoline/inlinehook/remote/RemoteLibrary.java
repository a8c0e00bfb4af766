package dev.jpoline.inlinehook.remote;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * A library loaded into a running process with its own dlopen, and its functions called there:
 * how the host puts its syscall runtime into a process it attaches to ({@code trace -p}). The
 * calls run in one thread outside the loader and the allocator while the others run on (see
 * {@link PayloadLoader}); jpoline is not attached once {@link #close} returns.
 *
 * <p>Also the two steps of Syscall User Dispatch in a process that already runs, which only the
 * host can make: SUD is per thread, and the other threads are running already. The selector is
 * one byte of the runtime for the whole process; while every thread is stopped it is set to
 * ALLOW, so that the injected syscalls (from libc's instruction, or jpoline's scratch page,
 * both outside the runtime's region) pass, and set back before anyone runs.
 */
public final class RemoteLibrary implements AutoCloseable {
    private static final long NR_RT_SIGPROCMASK = 14, NR_PRCTL = 157;
    private static final long PR_SET_SYSCALL_USER_DISPATCH = 59, PR_SYS_DISPATCH_OFF = 0, PR_SYS_DISPATCH_ON = 1;
    private static final long SIG_UNBLOCK = 1;
    private static final long SIGSYS_BIT = 1L << (31 - 1);
    private static final byte SELECTOR_ALLOW = 0, SELECTOR_BLOCK = 1;

    private final RemoteProcess process;
    private final RemoteCall calls;
    private final int tid;
    private final long base;
    private final Map<String, Long> functions;
    private final Path library;

    private RemoteLibrary(RemoteProcess process, RemoteCall calls, int tid, long base, Map<String, Long> functions,
            Path library) {
        this.process = process;
        this.calls = calls;
        this.tid = tid;
        this.base = base;
        this.functions = functions;
        this.library = library;
    }

    /**
     * Loads {@code library} into {@code pid} (dlopen in a stopped thread).
     *
     * @throws RemoteException naming what failed: the process, dlopen (with dlerror's text)
     */
    public static RemoteLibrary load(long pid, Path library) {
        RemoteProcess.check(pid);
        Map<String, Long> functions = RemoteHooks.payloadFunctions(library);
        RemoteImages images = RemoteImages.of(pid);
        PayloadLoader loader = new PayloadLoader(images);
        RemoteProcess p = RemoteProcess.open(pid);
        try {
            long gadget = RemoteCall.findGadget(p, images);
            if (gadget == 0) {
                throw new RemoteException(images.named("libc.so.6").isEmpty()
                        ? "process " + pid + " has no libc.so.6 (a static program?): jpoline cannot load " + library
                                + " into it"
                        : "process " + pid + " has no syscall instruction left in its libc: it runs under jpoline already");
            }
            int tid = RemoteHooks.stopOneSafeThread(p, loader);
            RemoteCall calls = RemoteCall.bootstrap(p, tid, gadget);
            loader.dlopen(calls, tid, library.toString());
            return new RemoteLibrary(p, calls, tid, RemoteHooks.payloadBias(p.pid(), library), functions, library);
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /** {@code function(args)} in the loaded library; a String argument is passed as a C string. */
    public long call(String function, long timeoutMillis, Object... args) {
        Long offset = functions.get(function);
        if (offset == null) {
            throw new RemoteException(library + " has no function " + function);
        }
        long[] values = new long[args.length];
        for (int i = 0; i < args.length; i++) {
            values[i] = args[i] instanceof String s ? calls.put(zeroTerminated(s)) : ((Number) args[i]).longValue();
        }
        return calls.call(tid, base + offset, timeoutMillis, values);
    }

    /** Room for {@code size} bytes (at most 256) a function may fill, in the calling thread's stack; read with {@link #readLongs}. */
    public long buffer(int size) {
        return calls.writableRoom(tid, size);
    }

    public long[] readLongs(long address, int count) {
        byte[] b = new byte[count * 8];
        process.memory().read(address, b, 0, b.length);
        long[] out = new long[count];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
        return out;
    }

    /**
     * Turns Syscall User Dispatch on in every thread but the one the library's calls ran in
     * (which did it itself), as that thread did: region [start, start + length), the runtime's
     * {@code selector}; SIGSYS unblocked first (a forced SIGSYS on a thread that blocks it would
     * kill it). Every thread is stopped meanwhile. Returns the threads that refused.
     */
    public int enableSudInOtherThreads(long start, long length, long selector, long entry, long sudMark) {
        process.stopAll(5_000);
        setSelector(process, selector, SELECTOR_ALLOW);
        int refused = 0;
        long mask = calls.put(longBytes(SIGSYS_BIT));
        try {
            for (int t : process.tids()) {
                enterInsteadOfRestart(t, start, length, entry, sudMark);
                if (t == tid) {
                    continue;
                }
                calls.syscall(t, NR_RT_SIGPROCMASK, SIG_UNBLOCK, mask, 0, 8);
                if (calls.syscall(t, NR_PRCTL, PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, start, length, selector) != 0) {
                    refused++;
                }
            }
            calls.release(tid); // the scratch page goes while the selector still lets its syscall pass
        } finally {
            setSelector(process, selector, SELECTOR_BLOCK);
        }
        process.detachAll();
        return refused;
    }

    /**
     * jpoline leaves a process: with a {@code selector} (Syscall User Dispatch) SUD goes off in
     * every thread first; then {@code leaveFunction} of {@code library} (already loaded) runs in
     * one thread. Every thread is stopped meanwhile.
     */
    public static void leave(long pid, Path library, long selector, String leaveFunction) {
        Map<String, Long> functions = RemoteHooks.payloadFunctions(library);
        RemoteImages images = RemoteImages.of(pid);
        try (RemoteProcess p = RemoteProcess.attach(pid)) {
            long gadget = RemoteCall.findGadget(p, images);
            if (gadget == 0) {
                throw new RemoteException("process " + pid + " has no syscall instruction jpoline can run");
            }
            p.stopAll(5_000);
            int tid = outsideSyscalls(p);
            if (selector != 0) {
                setSelector(p, selector, SELECTOR_ALLOW); // SUD off makes it unread; until then, let ours pass
                for (int t : p.tids()) {
                    RemoteCall.viaGadget(p, t, gadget, NR_PRCTL, PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_OFF, 0, 0, 0);
                }
            }
            RemoteCall calls = RemoteCall.bootstrap(p, tid, gadget);
            calls.call(tid, RemoteHooks.payloadBias(p.pid(), library) + functions.get(leaveFunction), 5_000);
            calls.release(tid);
            p.detachAll();
        }
    }

    /**
     * A stopped thread that is not in the middle of a syscall it will restart, else the first:
     * measured, a function call injected into a thread stopped in nanosleep made that nanosleep
     * fail with EINTR after the restart (its restart_syscall found nothing to resume), where a
     * thread outside any syscall is left exactly as it was.
     */
    static int outsideSyscalls(RemoteProcess p) {
        for (int t : p.tids()) {
            Registers r = p.registers(t);
            if (r.origRax() < 0 || r.rax() < -516 || r.rax() > -512) {
                return t;
            }
        }
        return p.tids().get(0);
    }

    /**
     * A thread stopped in a syscall the kernel will restart, made from the program's code: under
     * SUD that restart would be trapped, and a restart_syscall (nanosleep, futex and poll with a
     * timeout) loses its restart block in the SIGSYS frame's rt_sigreturn (nanosleep then fails
     * with EINTR). It goes to the runtime's entry instead, as the SIGSYS handler would send it
     * but without a signal frame: the address after its syscall pushed on its stack (the slot a
     * rewritten site's call writes), r11 the SUD mark, rax the call to make (restart_syscall
     * for -ERESTART_RESTARTBLOCK, else the syscall itself, whose arguments are still in place)
     * and orig_rax -1, so that the kernel restarts nothing itself. The entry makes the call from
     * the runtime's region, where SUD lets it pass, and it is traced as any other.
     */
    private void enterInsteadOfRestart(int t, long start, long length, long entry, long sudMark) {
        Registers r = process.registers(t);
        long rax = r.rax();
        boolean restarts = r.origRax() >= 0 && rax <= -512 && rax >= -516 && rax != -515;
        long at = r.rip() - 2;
        if (!restarts || (at >= start && at < start + length)) {
            return;
        }
        long nr = rax == -516 ? 219 : r.origRax();
        long sp = r.rsp() - 8;
        process.memory().write(sp, longBytes(r.rip()), 0, 8);
        Registers moved = r.copy().rsp(sp).rip(entry).rax(nr).origRax(-1);
        moved.words[Registers.R11] = sudMark;
        process.setRegisters(t, moved);
    }

    private static void setSelector(RemoteProcess p, long selector, byte value) {
        p.memory().write(selector, new byte[] {value}, 0, 1);
    }

    private static byte[] longBytes(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    /** Unmaps the scratch page and lets go of the process. */
    @Override
    public void close() {
        try {
            if (process.quietlyStopped(tid)) {
                calls.release(tid);
            }
        } catch (RuntimeException e) {
            // A page of ours left behind is all that costs.
        } finally {
            process.close();
        }
    }

    private static byte[] zeroTerminated(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] z = new byte[b.length + 1];
        System.arraycopy(b, 0, z, 0, b.length);
        return z;
    }

    /**
     * Runs {@code syscall nr(args)} in one stopped thread of {@code pid} (single-stepping its
     * libc's own syscall instruction) and returns its raw result: how the host unmaps a page it
     * no longer needs there. Only that thread is stopped, for the syscall's time.
     */
    public static long syscall(long pid, long nr, long... args) {
        RemoteImages images = RemoteImages.of(pid);
        try (RemoteProcess p = RemoteProcess.open(pid)) {
            long gadget = RemoteCall.findGadget(p, images);
            if (gadget == 0) {
                throw new RemoteException("process " + pid + " has no syscall instruction jpoline can run");
            }
            for (int tid : p.listThreads()) {
                if (p.seize(tid) && p.stop(tid, 5_000) && p.quietlyStopped(tid)) {
                    long r = RemoteCall.viaGadget(p, tid, gadget, nr, args);
                    p.detachAll();
                    return r;
                }
                p.detach(tid);
            }
            throw new RemoteException("no thread of process " + pid + " could be stopped");
        }
    }
}
