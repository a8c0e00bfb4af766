package dev.jpoline.inlinehook.remote;

import dev.jpoline.inlinehook.symbols.LoadedImage;
import dev.jpoline.rewriter.maps.MapsEntry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Loads a library into a target with the target's own {@code dlopen}, called in one of its
 * threads, and finds the thread that may safely make that call.
 *
 * <p>dlopen takes the loader's lock and allocates. A thread stopped inside the dynamic loader
 * or the allocator may hold those locks (the allocator's are not recursive): calling dlopen in
 * it would wait for itself forever. So the call goes to a thread whose instruction pointer and
 * the return addresses on the top of whose stack lie in neither, and the other threads run
 * meanwhile, so a lock one of them holds is released as it would be. The search of the stack is
 * conservative (a stale word counts): a thread wrongly thought unsafe only costs a wait.
 */
final class PayloadLoader {
    static final int RTLD_NOW = 2;
    /** The stack words searched above rsp: the innermost frames, where a lock holder's callers are. */
    private static final int STACK_WORDS = 1024;
    /** Exported functions of libc that hold the allocator's or the loader's locks while they run. */
    private static final Set<String> LOCKING = Set.of("malloc", "free", "calloc", "realloc", "reallocarray",
            "memalign", "posix_memalign", "aligned_alloc", "valloc", "pvalloc", "malloc_trim", "malloc_usable_size",
            "mallopt", "mallinfo", "mallinfo2", "malloc_stats", "malloc_info", "__libc_malloc", "__libc_free",
            "__libc_calloc", "__libc_realloc", "__libc_memalign", "cfree", "fork", "_Fork", "vfork", "pthread_create",
            "dlopen", "dlclose", "dlsym", "dlvsym", "dladdr", "dladdr1", "dlinfo", "dlmopen", "dl_iterate_phdr",
            "__libc_dlopen_mode", "__libc_dlsym", "__libc_dlclose", "_dl_find_object");

    /** Address ranges a thread must not be in, as {lo, hi} pairs. */
    private final List<long[]> unsafe = new ArrayList<>();
    private final RemoteImages images;

    PayloadLoader(RemoteImages images) {
        this.images = images;
        for (LoadedImage image : images.images()) {
            String name = image.fileName();
            if (name.startsWith("ld-linux") || name.startsWith("ld-musl") || name.startsWith("ld64.so")) {
                for (MapsEntry e : image.entries()) {
                    if (e.executable()) {
                        unsafe.add(new long[] {e.start(), e.end()});
                    }
                }
            } else if (name.startsWith("libc.so") || name.startsWith("libc-") || name.startsWith("libpthread")
                    || name.startsWith("libdl")) {
                for (RemoteImages.Function f : images.functionsNamed(image, LOCKING)) {
                    unsafe.add(new long[] {f.start(), f.end()});
                }
            }
        }
    }

    /** A stopped thread that may call dlopen, or -1 when every thread is in the loader or the allocator. */
    int safeThread(RemoteProcess p) {
        for (int tid : p.tids()) {
            if (p.quietlyStopped(tid) && safe(p, tid)) {
                return tid;
            }
        }
        return -1;
    }

    boolean safe(RemoteProcess p, int tid) {
        Registers r = p.registers(tid);
        if (inUnsafe(r.rip())) {
            return false;
        }
        MapsEntry stack = images.mappingAt(r.rsp());
        if (stack == null) {
            return false;
        }
        long start = r.rsp() & ~7L;
        int length = (int) Math.min(stack.end() - start, STACK_WORDS * 8L);
        byte[] words = new byte[length];
        try {
            p.memory().read(start, words, 0, length);
        } catch (RuntimeException e) {
            return false;
        }
        ByteBuffer b = ByteBuffer.wrap(words).order(ByteOrder.LITTLE_ENDIAN);
        for (int at = 0; at + 8 <= length; at += 8) {
            if (inUnsafe(b.getLong(at))) {
                return false;
            }
        }
        return true;
    }

    private boolean inUnsafe(long address) {
        for (long[] range : unsafe) {
            if (address >= range[0] && address < range[1]) {
                return true;
            }
        }
        return false;
    }

    /**
     * dlopen({@code path}, RTLD_NOW) in thread {@code tid}; returns the handle, or throws with
     * dlerror's text. Only {@code tid} should be traced meanwhile: the others must be free to
     * release the locks dlopen waits for.
     */
    long dlopen(RemoteCall calls, int tid, String path) {
        long dlopen = libcFunction("dlopen", "__libc_dlopen_mode");
        long handle = calls.call(tid, dlopen, 30_000, calls.putString(path), RTLD_NOW);
        if (handle != 0) {
            return handle;
        }
        String why = "no reason given";
        try {
            long dlerror = libcFunction("dlerror", null);
            long text = calls.call(tid, dlerror, 5_000);
            if (text != 0) {
                why = calls.readString(text, 1024);
            }
        } catch (RemoteException e) {
            why = "dlerror unavailable: " + e.getMessage();
        }
        throw new RemoteException("process " + images.maps().pid() + " could not load " + path + ": " + why);
    }

    private long libcFunction(String name, String fallback) {
        List<LoadedImage> libc = images.named("libc.so.6");
        if (libc.isEmpty()) {
            throw new RemoteException("process " + images.maps().pid() + " has no libc.so.6 mapped (a static program?):"
                    + " jpoline cannot load a library into it");
        }
        try {
            return images.function("libc.so.6:" + name).start();
        } catch (RemoteException e) {
            if (fallback == null) {
                throw e;
            }
            return images.function("libc.so.6:" + fallback).start();
        }
    }
}
