package dev.jpoline.inlinehook.remote;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * A library loaded into a running process with its own dlopen, and one of its functions called
 * there with string arguments: how the host puts its syscall runtime into a process it attaches
 * to ({@code jpoline trace -p}). The call runs in one thread outside the loader and the
 * allocator while the others run on (see {@link PayloadLoader}); nothing else of the process is
 * stopped, and jpoline is not attached when this returns.
 */
public final class RemoteLibrary {
    private RemoteLibrary() {}

    /**
     * Loads {@code library} into {@code pid} and returns {@code function(args...)}'s rax.
     *
     * @throws RemoteException naming what failed: the process, dlopen (with dlerror's text), the
     *     function (not in the library), a call that did not return in time
     */
    public static long loadAndCall(long pid, Path library, String function, long timeoutMillis, String... args) {
        RemoteProcess.check(pid);
        Map<String, Long> functions = RemoteHooks.payloadFunctions(library);
        Long offset = functions.get(function);
        if (offset == null) {
            throw new RemoteException(library + " has no function " + function);
        }
        RemoteImages images = RemoteImages.of(pid);
        PayloadLoader loader = new PayloadLoader(images);
        try (RemoteProcess p = RemoteProcess.open(pid)) {
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
            long base = RemoteHooks.payloadBias(p.pid(), library);
            long[] pointers = new long[args.length];
            for (int i = 0; i < args.length; i++) {
                pointers[i] = calls.put(zeroTerminated(args[i]));
            }
            long result = calls.call(tid, base + offset, timeoutMillis, pointers);
            calls.release(tid);
            p.detachAll();
            return result;
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
