package dev.jpoline.inlinehook.memory;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The few libc functions the inline-hook engine calls directly: mapping memory and asking the
 * dynamic loader for symbols. One binding for the whole module, so the loaded library and its
 * calling options are the same everywhere.
 *
 * <p>Errors are reported through the return value as in C; {@code errno} is then
 * {@link Native#getLastError()} (JNA saves it after every call, per thread), and
 * {@link #describeErrno(int)} turns it into text for a message.
 */
public interface Libc extends Library {
    Libc INSTANCE = Native.load(Platform.C_LIBRARY_NAME, Libc.class);

    int PROT_NONE = 0;
    int PROT_READ = 0x1;
    int PROT_WRITE = 0x2;
    int PROT_EXEC = 0x4;

    int MAP_PRIVATE = 0x02;
    int MAP_FIXED = 0x10;
    int MAP_ANONYMOUS = 0x20;
    /** Like MAP_FIXED but fails with EEXIST instead of replacing a mapping (Linux 4.17; older kernels ignore it). */
    int MAP_FIXED_NOREPLACE = 0x100000;
    /** {@code (void *) -1}. */
    long MAP_FAILED = -1L;

    int RTLD_LAZY = 0x1;
    int RTLD_NOW = 0x2;
    /** Return a handle only if the object is already loaded; never load it. */
    int RTLD_NOLOAD = 0x4;

    int EPERM = 1;
    int ENOMEM = 12;
    int EACCES = 13;
    int EEXIST = 17;
    int EINVAL = 22;
    int EOPNOTSUPP = 95;

    Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);

    int munmap(Pointer addr, long length);

    Pointer dlopen(String file, int mode);

    Pointer dlsym(Pointer handle, String symbol);

    int dlclose(Pointer handle);

    /** {@code dlinfo} request: store the object's {@code struct link_map *} (l_addr, l_name, ...) in {@code info}. */
    int RTLD_DI_LINKMAP = 2;

    int dlinfo(Pointer handle, int request, com.sun.jna.ptr.PointerByReference info);

    /** The loader's last error on this thread, cleared by the call; null when there is none. */
    String dlerror();

    String strerror(int errnum);

    /** {@code "ENOMEM (Cannot allocate memory)"}, or {@code "errno 123 (...)"} for names not listed here. */
    static String describeErrno(int errno) {
        String name;
        switch (errno) {
            case EPERM: name = "EPERM"; break;
            case 9: name = "EBADF"; break;
            case 11: name = "EAGAIN"; break;
            case ENOMEM: name = "ENOMEM"; break;
            case EACCES: name = "EACCES"; break;
            case 14: name = "EFAULT"; break;
            case 16: name = "EBUSY"; break;
            case EEXIST: name = "EEXIST"; break;
            case 19: name = "ENODEV"; break;
            case EINVAL: name = "EINVAL"; break;
            case 23: name = "ENFILE"; break;
            case 24: name = "EMFILE"; break;
            case EOPNOTSUPP: name = "EOPNOTSUPP"; break;
            default: name = "errno " + errno;
        }
        String text;
        try {
            text = INSTANCE.strerror(errno);
        } catch (RuntimeException | LinkageError e) {
            text = null;
        }
        return text == null ? name : name + " (" + text + ")";
    }
}
