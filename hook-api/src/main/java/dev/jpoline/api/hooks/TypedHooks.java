package dev.jpoline.api.hooks;

import java.util.List;

/** The typed methods of {@link SyscallHooks}: which syscall each serves and how its arguments decode. */
final class TypedHooks {
    private TypedHooks() {}

    /** Calls one typed method with the call's arguments decoded. */
    interface Invoker {
        long invoke(SyscallHooks hooks, SyscallCall call);
    }

    /**
     * @param syscall the syscall's name in the table
     * @param method the Java method's name
     * @param parameterTypes the method's parameters after the {@link SyscallCall}
     */
    record Binding(String syscall, String method, List<Class<?>> parameterTypes, Invoker invoker) {}

    private static final int PATH_MAX = 4096;

    static String path(SyscallCall call, int index) {
        long address = call.arg(index);
        if (address == 0) {
            return null;
        }
        try {
            return call.readString(address, PATH_MAX);
        } catch (TargetMemoryException e) {
            return null;
        }
    }

    private static final Class<?> I = int.class;
    private static final Class<?> L = long.class;
    private static final Class<?> S = String.class;
    private static final Class<?> B = TargetBuffer.class;
    /** A {@code List<TargetBuffer>} of iovecs (methods are matched by erased types). */
    private static final Class<?> V = List.class;
    private static final Class<?> A = java.net.SocketAddress.class;
    private static final Class<?> K = KernelAddress.class;
    private static final Class<?> M = Message.class;

    static final List<Binding> ALL = List.of(
            new Binding("read", "read", List.of(I, B, L), (h, c) -> h.read(c, (int) c.arg(0), c.buffer(c.arg(1), Math.max(0, c.arg(2))), c.arg(2))),
            new Binding("write", "write", List.of(I, B, L), (h, c) -> h.write(c, (int) c.arg(0), c.buffer(c.arg(1), Math.max(0, c.arg(2))), c.arg(2))),
            new Binding("open", "open", List.of(S, I, I), (h, c) -> h.open(c, path(c, 0), (int) c.arg(1), (int) c.arg(2))),
            new Binding("openat", "openat", List.of(I, S, I, I), (h, c) -> h.openat(c, (int) c.arg(0), path(c, 1), (int) c.arg(2), (int) c.arg(3))),
            new Binding("openat2", "openat2", List.of(I, S, B, L), (h, c) -> h.openat2(c, (int) c.arg(0), path(c, 1), c.buffer(c.arg(2), Math.max(0, c.arg(3))), c.arg(3))),
            new Binding("creat", "creat", List.of(S, I), (h, c) -> h.creat(c, path(c, 0), (int) c.arg(1))),
            new Binding("close", "close", List.of(I), (h, c) -> h.close(c, (int) c.arg(0))),
            new Binding("pread64", "pread64", List.of(I, B, L, L), (h, c) -> h.pread64(c, (int) c.arg(0), c.buffer(c.arg(1), Math.max(0, c.arg(2))), c.arg(2), c.arg(3))),
            new Binding("pwrite64", "pwrite64", List.of(I, B, L, L), (h, c) -> h.pwrite64(c, (int) c.arg(0), c.buffer(c.arg(1), Math.max(0, c.arg(2))), c.arg(2), c.arg(3))),
            new Binding("readv", "readv", List.of(I, V, I), (h, c) -> h.readv(c, (int) c.arg(0), c.iovecs(c.arg(1), (int) c.arg(2)), (int) c.arg(2))),
            new Binding("writev", "writev", List.of(I, V, I), (h, c) -> h.writev(c, (int) c.arg(0), c.iovecs(c.arg(1), (int) c.arg(2)), (int) c.arg(2))),
            new Binding("lseek", "lseek", List.of(I, L, I), (h, c) -> h.lseek(c, (int) c.arg(0), c.arg(1), (int) c.arg(2))),
            new Binding("stat", "stat", List.of(S, L), (h, c) -> h.stat(c, path(c, 0), c.arg(1))),
            new Binding("lstat", "lstat", List.of(S, L), (h, c) -> h.lstat(c, path(c, 0), c.arg(1))),
            new Binding("fstat", "fstat", List.of(I, L), (h, c) -> h.fstat(c, (int) c.arg(0), c.arg(1))),
            new Binding("newfstatat", "newfstatat", List.of(I, S, L, I), (h, c) -> h.newfstatat(c, (int) c.arg(0), path(c, 1), c.arg(2), (int) c.arg(3))),
            new Binding("statx", "statx", List.of(I, S, I, I, L), (h, c) -> h.statx(c, (int) c.arg(0), path(c, 1), (int) c.arg(2), (int) c.arg(3), c.arg(4))),
            new Binding("access", "access", List.of(S, I), (h, c) -> h.access(c, path(c, 0), (int) c.arg(1))),
            new Binding("faccessat", "faccessat", List.of(I, S, I), (h, c) -> h.faccessat(c, (int) c.arg(0), path(c, 1), (int) c.arg(2))),
            new Binding("faccessat2", "faccessat2", List.of(I, S, I, I), (h, c) -> h.faccessat2(c, (int) c.arg(0), path(c, 1), (int) c.arg(2), (int) c.arg(3))),
            new Binding("readlink", "readlink", List.of(S, B, L), (h, c) -> h.readlink(c, path(c, 0), c.buffer(c.arg(1), Math.max(0, c.arg(2))), c.arg(2))),
            new Binding("readlinkat", "readlinkat", List.of(I, S, B, L), (h, c) -> h.readlinkat(c, (int) c.arg(0), path(c, 1), c.buffer(c.arg(2), Math.max(0, c.arg(3))), c.arg(3))),
            new Binding("unlink", "unlink", List.of(S), (h, c) -> h.unlink(c, path(c, 0))),
            new Binding("unlinkat", "unlinkat", List.of(I, S, I), (h, c) -> h.unlinkat(c, (int) c.arg(0), path(c, 1), (int) c.arg(2))),
            new Binding("rename", "rename", List.of(S, S), (h, c) -> h.rename(c, path(c, 0), path(c, 1))),
            new Binding("renameat", "renameat", List.of(I, S, I, S), (h, c) -> h.renameat(c, (int) c.arg(0), path(c, 1), (int) c.arg(2), path(c, 3))),
            new Binding("renameat2", "renameat2", List.of(I, S, I, S, I), (h, c) -> h.renameat2(c, (int) c.arg(0), path(c, 1), (int) c.arg(2), path(c, 3), (int) c.arg(4))),
            new Binding("mkdir", "mkdir", List.of(S, I), (h, c) -> h.mkdir(c, path(c, 0), (int) c.arg(1))),
            new Binding("mkdirat", "mkdirat", List.of(I, S, I), (h, c) -> h.mkdirat(c, (int) c.arg(0), path(c, 1), (int) c.arg(2))),
            new Binding("rmdir", "rmdir", List.of(S), (h, c) -> h.rmdir(c, path(c, 0))),
            new Binding("chdir", "chdir", List.of(S), (h, c) -> h.chdir(c, path(c, 0))),
            new Binding("fchdir", "fchdir", List.of(I), (h, c) -> h.fchdir(c, (int) c.arg(0))),
            new Binding("getcwd", "getcwd", List.of(B, L), (h, c) -> h.getcwd(c, c.buffer(c.arg(0), Math.max(0, c.arg(1))), c.arg(1))),
            new Binding("chmod", "chmod", List.of(S, I), (h, c) -> h.chmod(c, path(c, 0), (int) c.arg(1))),
            new Binding("fchmod", "fchmod", List.of(I, I), (h, c) -> h.fchmod(c, (int) c.arg(0), (int) c.arg(1))),
            new Binding("fchmodat", "fchmodat", List.of(I, S, I), (h, c) -> h.fchmodat(c, (int) c.arg(0), path(c, 1), (int) c.arg(2))),
            new Binding("truncate", "truncate", List.of(S, L), (h, c) -> h.truncate(c, path(c, 0), c.arg(1))),
            new Binding("ftruncate", "ftruncate", List.of(I, L), (h, c) -> h.ftruncate(c, (int) c.arg(0), c.arg(1))),
            new Binding("fsync", "fsync", List.of(I), (h, c) -> h.fsync(c, (int) c.arg(0))),
            new Binding("copy_file_range", "copyFileRange", List.of(I, L, I, L, L, I), (h, c) -> h.copyFileRange(c, (int) c.arg(0), c.arg(1), (int) c.arg(2), c.arg(3), c.arg(4), (int) c.arg(5))),
            new Binding("sendfile", "sendfile", List.of(I, I, L, L), (h, c) -> h.sendfile(c, (int) c.arg(0), (int) c.arg(1), c.arg(2), c.arg(3))),
            new Binding("splice", "splice", List.of(I, L, I, L, L, I), (h, c) -> h.splice(c, (int) c.arg(0), c.arg(1), (int) c.arg(2), c.arg(3), c.arg(4), (int) c.arg(5))),
            new Binding("getdents64", "getdents64", List.of(I, B, L), (h, c) -> h.getdents64(c, (int) c.arg(0), c.buffer(c.arg(1), Math.max(0, c.arg(2))), c.arg(2))),
            new Binding("dup", "dup", List.of(I), (h, c) -> h.dup(c, (int) c.arg(0))),
            new Binding("dup2", "dup2", List.of(I, I), (h, c) -> h.dup2(c, (int) c.arg(0), (int) c.arg(1))),
            new Binding("dup3", "dup3", List.of(I, I, I), (h, c) -> h.dup3(c, (int) c.arg(0), (int) c.arg(1), (int) c.arg(2))),
            new Binding("pipe2", "pipe2", List.of(L, I), (h, c) -> h.pipe2(c, c.arg(0), (int) c.arg(1))),
            new Binding("fcntl", "fcntl", List.of(I, I, L), (h, c) -> h.fcntl(c, (int) c.arg(0), (int) c.arg(1), c.arg(2))),
            new Binding("ioctl", "ioctl", List.of(I, L, L), (h, c) -> h.ioctl(c, (int) c.arg(0), c.arg(1), c.arg(2))),
            new Binding("socket", "socket", List.of(I, I, I), (h, c) -> h.socket(c, (int) c.arg(0), (int) c.arg(1), (int) c.arg(2))),
            new Binding("connect", "connect", List.of(I, B, I), (h, c) -> h.connect(c, (int) c.arg(0), c.buffer(c.arg(1), Math.max(0, c.arg(2))), (int) c.arg(2))),
            new Binding("bind", "bind", List.of(I, B, I), (h, c) -> h.bind(c, (int) c.arg(0), c.buffer(c.arg(1), Math.max(0, c.arg(2))), (int) c.arg(2))),
            new Binding("listen", "listen", List.of(I, I), (h, c) -> h.listen(c, (int) c.arg(0), (int) c.arg(1))),
            new Binding("accept", "accept", List.of(I, L, L), (h, c) -> h.accept(c, (int) c.arg(0), c.arg(1), c.arg(2))),
            new Binding("accept4", "accept4", List.of(I, L, L, I), (h, c) -> h.accept4(c, (int) c.arg(0), c.arg(1), c.arg(2), (int) c.arg(3))),
            new Binding("sendto", "sendto", List.of(I, B, L, I, L, I), (h, c) -> h.sendto(c, (int) c.arg(0), c.buffer(c.arg(1), Math.max(0, c.arg(2))), c.arg(2), (int) c.arg(3), c.arg(4), (int) c.arg(5))),
            new Binding("recvfrom", "recvfrom", List.of(I, B, L, I, L, L), (h, c) -> h.recvfrom(c, (int) c.arg(0), c.buffer(c.arg(1), Math.max(0, c.arg(2))), c.arg(2), (int) c.arg(3), c.arg(4), c.arg(5))),
            // The decoded-address forms come after the raw ones: a class overriding both gets these.
            new Binding("connect", "connect", List.of(I, A, I), (h, c) -> h.connect(c, (int) c.arg(0), SocketAddresses.read(c, c.arg(1), (int) c.arg(2)), (int) c.arg(2))),
            new Binding("bind", "bind", List.of(I, A, I), (h, c) -> h.bind(c, (int) c.arg(0), SocketAddresses.read(c, c.arg(1), (int) c.arg(2)), (int) c.arg(2))),
            new Binding("accept", "accept", List.of(I, K), (h, c) -> h.accept(c, (int) c.arg(0), new KernelAddress(c, c.arg(1), c.arg(2)))),
            new Binding("accept4", "accept4", List.of(I, K, I), (h, c) -> h.accept4(c, (int) c.arg(0), new KernelAddress(c, c.arg(1), c.arg(2)), (int) c.arg(3))),
            new Binding("sendto", "sendto", List.of(I, B, L, I, A), (h, c) -> h.sendto(c, (int) c.arg(0), c.buffer(c.arg(1), Math.max(0, c.arg(2))), c.arg(2), (int) c.arg(3), SocketAddresses.read(c, c.arg(4), (int) c.arg(5)))),
            new Binding("recvfrom", "recvfrom", List.of(I, B, L, I, K), (h, c) -> h.recvfrom(c, (int) c.arg(0), c.buffer(c.arg(1), Math.max(0, c.arg(2))), c.arg(2), (int) c.arg(3), new KernelAddress(c, c.arg(4), c.arg(5)))),
            new Binding("sendmsg", "sendmsg", List.of(I, M, I), (h, c) -> h.sendmsg(c, (int) c.arg(0), new Message(c, c.arg(1)), (int) c.arg(2))),
            new Binding("recvmsg", "recvmsg", List.of(I, M, I), (h, c) -> h.recvmsg(c, (int) c.arg(0), new Message(c, c.arg(1)), (int) c.arg(2))),
            new Binding("shutdown", "shutdown", List.of(I, I), (h, c) -> h.shutdown(c, (int) c.arg(0), (int) c.arg(1))),
            new Binding("setsockopt", "setsockopt", List.of(I, I, I, L, I), (h, c) -> h.setsockopt(c, (int) c.arg(0), (int) c.arg(1), (int) c.arg(2), c.arg(3), (int) c.arg(4))),
            new Binding("getsockopt", "getsockopt", List.of(I, I, I, L, L), (h, c) -> h.getsockopt(c, (int) c.arg(0), (int) c.arg(1), (int) c.arg(2), c.arg(3), c.arg(4))),
            new Binding("execve", "execve", List.of(S, L, L), (h, c) -> h.execve(c, path(c, 0), c.arg(1), c.arg(2))),
            new Binding("execveat", "execveat", List.of(I, S, L, L, I), (h, c) -> h.execveat(c, (int) c.arg(0), path(c, 1), c.arg(2), c.arg(3), (int) c.arg(4))),
            new Binding("exit_group", "exitGroup", List.of(I), (h, c) -> h.exitGroup(c, (int) c.arg(0))),
            new Binding("kill", "kill", List.of(I, I), (h, c) -> h.kill(c, (int) c.arg(0), (int) c.arg(1))),
            new Binding("getpid", "getpid", List.of(), (h, c) -> h.getpid(c)),
            new Binding("wait4", "wait4", List.of(I, L, I, L), (h, c) -> h.wait4(c, (int) c.arg(0), c.arg(1), (int) c.arg(2), c.arg(3))),
            new Binding("mmap", "mmap", List.of(L, L, I, I, I, L), (h, c) -> h.mmap(c, c.arg(0), c.arg(1), (int) c.arg(2), (int) c.arg(3), (int) c.arg(4), c.arg(5))),
            new Binding("munmap", "munmap", List.of(L, L), (h, c) -> h.munmap(c, c.arg(0), c.arg(1))),
            new Binding("mprotect", "mprotect", List.of(L, L, I), (h, c) -> h.mprotect(c, c.arg(0), c.arg(1), (int) c.arg(2))));
}
