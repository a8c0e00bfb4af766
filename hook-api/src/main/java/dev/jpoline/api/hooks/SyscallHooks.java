package dev.jpoline.api.hooks;

import java.net.SocketAddress;
import java.util.List;

/**
 * Syscall hooks written in Java. Override the typed method of each syscall to intercept (its
 * arguments arrive decoded: paths as strings, buffers as {@link TargetBuffer} views), or the
 * generic {@link #syscall(SyscallCall)} for any other number. Every default proceeds with the
 * real syscall, so a hooks class states only what it changes.
 *
 * <p>Only the syscalls whose methods a class overrides take the HOOK tier; the rest never leave
 * the target. Overriding {@link #syscall(SyscallCall)} hooks every syscall, unless the class
 * narrows it with {@link HookSyscalls}. Return raw kernel results: {@code >= 0} for success,
 * {@code -errno} for failure ({@link SyscallCall#fail}).
 *
 * <p>A path argument is {@code null} when its pointer cannot be read (the kernel would fail the
 * call with EFAULT). Hook methods run on the host's pool, several at a time for different target
 * threads: implementations must be thread-safe.
 */
public interface SyscallHooks {
    /** Every syscall that has no typed method here, and every typed one not overridden. */
    default long syscall(SyscallCall call) {
        return call.proceed();
    }

    default long read(SyscallCall call, int fd, TargetBuffer buffer, long count) {
        return syscall(call);
    }

    default long write(SyscallCall call, int fd, TargetBuffer buffer, long count) {
        return syscall(call);
    }

    default long open(SyscallCall call, String path, int flags, int mode) {
        return syscall(call);
    }

    default long openat(SyscallCall call, int dirfd, String path, int flags, int mode) {
        return syscall(call);
    }

    /**
     * @param how the {@code struct open_how} as the program passed it, {@code size} bytes: u64
     *     flags at 0, mode at 8, resolve at 16 (a struct that grows with new kernels, so it stays a view)
     */
    default long openat2(SyscallCall call, int dirfd, String path, TargetBuffer how, long size) {
        return syscall(call);
    }

    default long creat(SyscallCall call, String path, int mode) {
        return syscall(call);
    }

    default long close(SyscallCall call, int fd) {
        return syscall(call);
    }

    default long pread64(SyscallCall call, int fd, TargetBuffer buffer, long count, long offset) {
        return syscall(call);
    }

    default long pwrite64(SyscallCall call, int fd, TargetBuffer buffer, long count, long offset) {
        return syscall(call);
    }

    /**
     * @param iovecs the {@code iovcnt} iovec elements as buffer views, the array read on first
     *     use (empty when {@code iovcnt} is outside 0..1024, which the kernel fails with EINVAL)
     */
    default long readv(SyscallCall call, int fd, List<TargetBuffer> iovecs, int iovcnt) {
        return syscall(call);
    }

    /** @param iovecs as for {@link #readv}: the data to write, one view per element */
    default long writev(SyscallCall call, int fd, List<TargetBuffer> iovecs, int iovcnt) {
        return syscall(call);
    }

    default long lseek(SyscallCall call, int fd, long offset, int whence) {
        return syscall(call);
    }

    default long stat(SyscallCall call, String path, long statbuf) {
        return syscall(call);
    }

    default long lstat(SyscallCall call, String path, long statbuf) {
        return syscall(call);
    }

    default long fstat(SyscallCall call, int fd, long statbuf) {
        return syscall(call);
    }

    default long newfstatat(SyscallCall call, int dirfd, String path, long statbuf, int flags) {
        return syscall(call);
    }

    default long statx(SyscallCall call, int dirfd, String path, int flags, int mask, long statxbuf) {
        return syscall(call);
    }

    default long access(SyscallCall call, String path, int mode) {
        return syscall(call);
    }

    default long faccessat(SyscallCall call, int dirfd, String path, int mode) {
        return syscall(call);
    }

    default long faccessat2(SyscallCall call, int dirfd, String path, int mode, int flags) {
        return syscall(call);
    }

    default long readlink(SyscallCall call, String path, TargetBuffer buffer, long size) {
        return syscall(call);
    }

    default long readlinkat(SyscallCall call, int dirfd, String path, TargetBuffer buffer, long size) {
        return syscall(call);
    }

    default long unlink(SyscallCall call, String path) {
        return syscall(call);
    }

    default long unlinkat(SyscallCall call, int dirfd, String path, int flags) {
        return syscall(call);
    }

    default long rename(SyscallCall call, String oldPath, String newPath) {
        return syscall(call);
    }

    default long renameat(SyscallCall call, int oldDirfd, String oldPath, int newDirfd, String newPath) {
        return syscall(call);
    }

    default long renameat2(SyscallCall call, int oldDirfd, String oldPath, int newDirfd, String newPath, int flags) {
        return syscall(call);
    }

    default long mkdir(SyscallCall call, String path, int mode) {
        return syscall(call);
    }

    default long mkdirat(SyscallCall call, int dirfd, String path, int mode) {
        return syscall(call);
    }

    default long rmdir(SyscallCall call, String path) {
        return syscall(call);
    }

    default long chdir(SyscallCall call, String path) {
        return syscall(call);
    }

    default long fchdir(SyscallCall call, int fd) {
        return syscall(call);
    }

    default long getcwd(SyscallCall call, TargetBuffer buffer, long size) {
        return syscall(call);
    }

    default long chmod(SyscallCall call, String path, int mode) {
        return syscall(call);
    }

    default long fchmod(SyscallCall call, int fd, int mode) {
        return syscall(call);
    }

    default long fchmodat(SyscallCall call, int dirfd, String path, int mode) {
        return syscall(call);
    }

    default long truncate(SyscallCall call, String path, long length) {
        return syscall(call);
    }

    default long ftruncate(SyscallCall call, int fd, long length) {
        return syscall(call);
    }

    default long fsync(SyscallCall call, int fd) {
        return syscall(call);
    }

    /**
     * @param inOffset the address of the loff_t to read from (the kernel advances it), or 0 for
     *     {@code inFd}'s file position; {@code outOffset} likewise
     */
    default long copyFileRange(SyscallCall call, int inFd, long inOffset, int outFd, long outOffset, long length, int flags) {
        return syscall(call);
    }

    /** @param offset the address of the loff_t to read from (the kernel advances it), or 0 for the file position */
    default long sendfile(SyscallCall call, int outFd, int inFd, long offset, long count) {
        return syscall(call);
    }

    /** @param inOffset as for {@link #copyFileRange}; must be 0 for a pipe */
    default long splice(SyscallCall call, int inFd, long inOffset, int outFd, long outOffset, long length, int flags) {
        return syscall(call);
    }

    default long getdents64(SyscallCall call, int fd, TargetBuffer buffer, long count) {
        return syscall(call);
    }

    default long dup(SyscallCall call, int fd) {
        return syscall(call);
    }

    default long dup2(SyscallCall call, int oldFd, int newFd) {
        return syscall(call);
    }

    default long dup3(SyscallCall call, int oldFd, int newFd, int flags) {
        return syscall(call);
    }

    default long pipe2(SyscallCall call, long fds, int flags) {
        return syscall(call);
    }

    default long fcntl(SyscallCall call, int fd, int command, long argument) {
        return syscall(call);
    }

    default long ioctl(SyscallCall call, int fd, long request, long argument) {
        return syscall(call);
    }

    default long socket(SyscallCall call, int domain, int type, int protocol) {
        return syscall(call);
    }

    default long connect(SyscallCall call, int fd, TargetBuffer address, int addressLength) {
        return syscall(call);
    }

    default long bind(SyscallCall call, int fd, TargetBuffer address, int addressLength) {
        return syscall(call);
    }

    /**
     * connect with its address decoded ({@link SocketAddresses#decode}: null for what Java cannot
     * represent, such as an abstract unix name; the raw bytes are at {@code call.arg(1)}). A class
     * overrides this form or the one above; when it overrides both, this one is called.
     */
    default long connect(SyscallCall call, int fd, SocketAddress address, int addressLength) {
        return connect(call, fd, call.buffer(call.arg(1), Math.max(0, addressLength)), addressLength);
    }

    /** bind with its address decoded, as {@link #connect(SyscallCall, int, SocketAddress, int)}. */
    default long bind(SyscallCall call, int fd, SocketAddress address, int addressLength) {
        return bind(call, fd, call.buffer(call.arg(1), Math.max(0, addressLength)), addressLength);
    }

    default long listen(SyscallCall call, int fd, int backlog) {
        return syscall(call);
    }

    default long accept(SyscallCall call, int fd, long address, long addressLength) {
        return syscall(call);
    }

    default long accept4(SyscallCall call, int fd, long address, long addressLength, int flags) {
        return syscall(call);
    }

    default long sendto(SyscallCall call, int fd, TargetBuffer buffer, long length, int flags, long destination, int destinationLength) {
        return syscall(call);
    }

    default long recvfrom(SyscallCall call, int fd, TargetBuffer buffer, long length, int flags, long source, long sourceLength) {
        return syscall(call);
    }

    /**
     * accept with the peer's address as the kernel returns it: {@code peer.address()} after
     * {@code call.proceed()}. Overrides this form or the one with raw pointers.
     */
    default long accept(SyscallCall call, int fd, KernelAddress peer) {
        return accept(call, fd, call.arg(1), call.arg(2));
    }

    /** accept4 with the peer's address as {@link #accept(SyscallCall, int, KernelAddress)}. */
    default long accept4(SyscallCall call, int fd, KernelAddress peer, int flags) {
        return accept4(call, fd, call.arg(1), call.arg(2), flags);
    }

    /** sendto with its destination decoded (null: none, or one Java cannot represent). */
    default long sendto(SyscallCall call, int fd, TargetBuffer buffer, long length, int flags, SocketAddress destination) {
        return sendto(call, fd, buffer, length, flags, call.arg(4), (int) call.arg(5));
    }

    /** recvfrom with its source as the kernel returns it: {@code source.address()} after {@code call.proceed()}. */
    default long recvfrom(SyscallCall call, int fd, TargetBuffer buffer, long length, int flags, KernelAddress source) {
        return recvfrom(call, fd, buffer, length, flags, call.arg(4), call.arg(5));
    }

    /** sendmsg: the destination, data (iovecs), control data and flags of its msghdr ({@link Message}). */
    default long sendmsg(SyscallCall call, int fd, Message message, int flags) {
        return syscall(call);
    }

    /** recvmsg: read the message's name, control data and flags after {@code call.proceed()}. */
    default long recvmsg(SyscallCall call, int fd, Message message, int flags) {
        return syscall(call);
    }

    default long shutdown(SyscallCall call, int fd, int how) {
        return syscall(call);
    }

    default long setsockopt(SyscallCall call, int fd, int level, int option, long value, int valueLength) {
        return syscall(call);
    }

    default long getsockopt(SyscallCall call, int fd, int level, int option, long value, long valueLength) {
        return syscall(call);
    }

    default long execve(SyscallCall call, String path, long argv, long envp) {
        return syscall(call);
    }

    /** Like {@link #execve}; {@code path} may be empty with AT_EMPTY_PATH (then {@code dirfd} is the program). */
    default long execveat(SyscallCall call, int dirfd, String path, long argv, long envp, int flags) {
        return syscall(call);
    }

    default long exitGroup(SyscallCall call, int status) {
        return syscall(call);
    }

    default long kill(SyscallCall call, int pid, int signal) {
        return syscall(call);
    }

    default long getpid(SyscallCall call) {
        return syscall(call);
    }

    default long wait4(SyscallCall call, int pid, long status, int options, long rusage) {
        return syscall(call);
    }

    default long mmap(SyscallCall call, long address, long length, int protection, int flags, int fd, long offset) {
        return syscall(call);
    }

    default long munmap(SyscallCall call, long address, long length) {
        return syscall(call);
    }

    default long mprotect(SyscallCall call, long address, long length, int protection) {
        return syscall(call);
    }
}
