package dev.jpoline.api.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jpoline.api.Errno;
import dev.jpoline.api.SyscallTable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HookDispatcherTest {
    private static final SyscallTable TABLE = SyscallTable.x86_64();
    private static final int AT_FDCWD = -100;

    public static final class NoSecrets implements SyscallHooks {
        @Override
        public long openat(SyscallCall call, int dirfd, String path, int flags, int mode) {
            if (path != null && path.startsWith("/etc/shadow")) {
                return call.fail(Errno.EACCES);
            }
            return call.proceed();
        }
    }

    private final List<String> reports = new ArrayList<>();

    private HookDispatcher dispatcher(SyscallHooks... hooks) {
        return new HookDispatcher(List.of(hooks), HookDispatcher.OnError.PROCEED, reports::add);
    }

    @Test
    void onlyOverriddenSyscallsAreHooked() {
        HookDispatcher d = dispatcher(new NoSecrets());
        assertThat(d.hookedNumbers().stream().boxed().toList()).containsExactly(TABLE.numberOf("openat"));
    }

    @Test
    void typedHookSeesTheDecodedPathAndDecides() {
        HookDispatcher d = dispatcher(new NoSecrets());
        SimulatedCall shadow = SimulatedCall.of("openat", AT_FDCWD, 0x1000, 0, 0);
        shadow.withString(0x1000L, "/etc/shadow");
        assertThat(d.dispatch(shadow)).isEqualTo(-13);
        assertThat(shadow.kernelCalls()).isEmpty();

        SimulatedCall passwd = SimulatedCall.of("openat", AT_FDCWD, 0x2000, 0, 0);
        passwd.withString(0x2000L, "/etc/passwd");
        passwd.kernelReturns(3);
        assertThat(d.dispatch(passwd)).isEqualTo(3);
        assertThat(passwd.kernelCalls()).containsExactly("openat(-100, 8192, 0, 0)");
    }

    @Test
    void anUnreadablePathArrivesAsNullAndTheKernelDecides() {
        HookDispatcher d = dispatcher(new NoSecrets());
        SimulatedCall bad = SimulatedCall.of("openat", AT_FDCWD, 0xdead, 0, 0);
        bad.kernelReturns(-14);
        assertThat(d.dispatch(bad)).isEqualTo(-14);
    }

    @HookSyscalls({"getpid", "getppid"})
    public static final class CountingGeneric implements SyscallHooks {
        int seen;

        @Override
        public long syscall(SyscallCall call) {
            seen++;
            return call.proceed() + 1000;
        }
    }

    @Test
    void aGenericHookIsNarrowedByTheAnnotation() {
        CountingGeneric hooks = new CountingGeneric();
        HookDispatcher d = dispatcher(hooks);
        assertThat(d.hookedNumbers().stream().boxed().toList())
                .containsExactlyInAnyOrder(TABLE.numberOf("getpid"), TABLE.numberOf("getppid"));
        SimulatedCall getpid = SimulatedCall.of("getpid");
        getpid.kernelReturns(7);
        assertThat(d.dispatch(getpid)).isEqualTo(1007);
        assertThat(hooks.seen).isEqualTo(1);
    }

    public static final class Everything implements SyscallHooks {
        @Override
        public long syscall(SyscallCall call) {
            return call.proceed();
        }
    }

    @Test
    void aGenericHookWithoutNamesHooksEverySyscall() {
        assertThat(dispatcher(new Everything()).hookedNumbers().cardinality()).isEqualTo(TABLE.all().size());
    }

    public static final class Redirect implements SyscallHooks {
        @Override
        public long openat(SyscallCall call, int dirfd, String path, int flags, int mode) {
            return "/old".equals(path) ? call.proceedWithString(1, "/new") : call.proceed();
        }
    }

    public static final class ReadOnly implements SyscallHooks {
        @Override
        public long openat(SyscallCall call, int dirfd, String path, int flags, int mode) {
            return call.proceed(call.arg(0), call.arg(1), flags & ~3, mode);
        }
    }

    @Test
    void hooksApplyInOrderAndProceedGoesDownTheChain() {
        HookDispatcher d = dispatcher(new ReadOnly(), new NoSecrets());
        SimulatedCall open = SimulatedCall.of("openat", AT_FDCWD, 0x1000, 2 /* O_RDWR */, 0);
        open.withString(0x1000L, "/tmp/x");
        open.kernelReturns(5);
        assertThat(d.dispatch(open)).isEqualTo(5);
        // ReadOnly changed the flags, NoSecrets let it through, the kernel saw the change.
        assertThat(open.kernelCalls()).containsExactly("openat(-100, 4096, 0, 0)");

        SimulatedCall redirected = SimulatedCall.of("openat", AT_FDCWD, 0x3000, 0, 0);
        redirected.withString(0x3000L, "/old");
        dispatcher(new Redirect()).dispatch(redirected);
        assertThat(redirected.kernelCalls()).containsExactly("openat with argument 1 = \"/new\"");
    }

    public static final class Throwing implements SyscallHooks {
        @Override
        public long getpid(SyscallCall call) {
            throw new IllegalStateException("boom");
        }

        @Override
        public long close(SyscallCall call, int fd) {
            call.proceed();
            throw new IllegalStateException("after proceeding");
        }
    }

    @Test
    void aThrowingHookProceedsUnchangedAndIsReportedOncePerMethod() {
        HookDispatcher d = dispatcher(new Throwing());
        SimulatedCall getpid = SimulatedCall.of("getpid");
        getpid.kernelReturns(99);
        assertThat(d.dispatch(getpid)).isEqualTo(99);
        assertThat(d.dispatch(getpid)).isEqualTo(99);
        assertThat(reports).hasSize(1);
        assertThat(reports.get(0)).contains("Throwing.getpid threw", "proceeds unchanged", "IllegalStateException: boom");

        SimulatedCall close = SimulatedCall.of("close", 3);
        assertThat(d.dispatch(close)).isZero();
        assertThat(close.kernelCalls()).as("a syscall the hook already ran is not run twice").hasSize(1);
    }

    @Test
    void failEioPolicyFailsTheCall() {
        HookDispatcher d = new HookDispatcher(List.of(new Throwing()), HookDispatcher.OnError.FAIL_EIO, reports::add);
        SimulatedCall getpid = SimulatedCall.of("getpid");
        assertThat(d.dispatch(getpid)).isEqualTo(-5);
        assertThat(getpid.kernelCalls()).isEmpty();
        assertThat(reports.get(0)).contains("fails with EIO");
    }

    @HookSyscalls("no_such_call")
    public static final class BadName implements SyscallHooks {}

    @Test
    void unknownNamesInTheAnnotationAreAClearError() {
        assertThatThrownBy(() -> dispatcher(new BadName()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown syscall 'no_such_call'");
    }

    @Test
    void buffersAreReadOnDemandAndBounded() {
        List<Long> readsAt = new ArrayList<>();
        SyscallHooks hooks = new SyscallHooks() {
            @Override
            public long write(SyscallCall call, int fd, TargetBuffer buffer, long count) {
                readsAt.add(buffer.address());
                assertThat(buffer.length()).isEqualTo(count);
                assertThat(buffer.readText(5)).isEqualTo("hello");
                return call.proceed();
            }
        };
        SimulatedCall write = SimulatedCall.of("write", 1, 0x5000, 11);
        write.withString(0x5000L, "hello world");
        write.kernelReturns(11);
        assertThat(dispatcher(hooks).dispatch(write)).isEqualTo(11);
        assertThat(readsAt).containsExactly(0x5000L);
    }

    /** An iovec array of (base, length) pairs, little-endian as on x86-64. */
    private static byte[] iovecArray(long... baseAndLength) {
        ByteBuffer b = ByteBuffer.allocate(baseAndLength.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : baseAndLength) {
            b.putLong(v);
        }
        return b.array();
    }

    @Test
    void writevHandsItsIovecsAsBufferViews() {
        List<String> seen = new ArrayList<>();
        SyscallHooks hooks = new SyscallHooks() {
            @Override
            public long writev(SyscallCall call, int fd, List<TargetBuffer> iovecs, int iovcnt) {
                assertThat(iovecs).hasSize(iovcnt);
                for (TargetBuffer b : iovecs) {
                    seen.add(b.address() + ":" + b.length() + ":" + b.readText(100));
                }
                return call.proceed();
            }
        };
        SimulatedCall writev = SimulatedCall.of("writev", 1, 0x7000, 2)
                .withBytes(0x7000, iovecArray(0x8000, 5, 0x9000, 1))
                .withBytes(0x8000, "hello".getBytes(StandardCharsets.UTF_8))
                .withBytes(0x9000, "\n".getBytes(StandardCharsets.UTF_8))
                .kernelReturns(6);
        assertThat(dispatcher(hooks).dispatch(writev)).isEqualTo(6);
        assertThat(seen).containsExactly(0x8000 + ":5:hello", 0x9000 + ":1:\n");
        assertThat(writev.kernelCalls()).containsExactly("writev(1, 28672, 2)");
    }

    @Test
    void readvCanFillItsIovecsWithoutTheKernel() {
        SyscallHooks hooks = new SyscallHooks() {
            @Override
            public long readv(SyscallCall call, int fd, List<TargetBuffer> iovecs, int iovcnt) {
                iovecs.get(0).write("abc".getBytes(StandardCharsets.UTF_8));
                iovecs.get(1).write("de".getBytes(StandardCharsets.UTF_8));
                return call.returning(5);
            }
        };
        SimulatedCall readv = SimulatedCall.of("readv", 3, 0x7000, 2).withBytes(0x7000, iovecArray(0x8000, 3, 0x9000, 10));
        assertThat(dispatcher(hooks).dispatch(readv)).isEqualTo(5);
        assertThat(readv.kernelCalls()).isEmpty();
        assertThat(readv.read(0x8000, 3)).asString(StandardCharsets.UTF_8).isEqualTo("abc");
        assertThat(readv.read(0x9000, 2)).asString(StandardCharsets.UTF_8).isEqualTo("de");
        assertThatThrownBy(() -> iovecsOf(readv, 0x7000, 2).get(1).write(new byte[11]))
                .as("each view is bounded by its iov_len").isInstanceOf(IllegalArgumentException.class);
    }

    private static List<TargetBuffer> iovecsOf(SyscallCall call, long address, int count) {
        return call.iovecs(address, count);
    }

    @Test
    void iovecsAreReadOnlyWhenLookedAtAndBadCountsGiveNone() {
        // Nothing mapped at 0x7000: a hook that does not look at the data never faults.
        SyscallHooks counting = new SyscallHooks() {
            @Override
            public long writev(SyscallCall call, int fd, List<TargetBuffer> iovecs, int iovcnt) {
                return call.proceed();
            }
        };
        SimulatedCall unmapped = SimulatedCall.of("writev", 1, 0x7000, 2).kernelReturns(-14);
        assertThat(dispatcher(counting).dispatch(unmapped)).isEqualTo(-14);
        assertThat(iovecsOf(unmapped, 0x7000, 2)).hasSize(2);
        assertThatThrownBy(() -> iovecsOf(unmapped, 0x7000, 2).get(0)).isInstanceOf(TargetMemoryException.class);
        // The kernel fails these with EINVAL; there is nothing to view.
        assertThat(iovecsOf(unmapped, 0x7000, -1)).isEmpty();
        assertThat(iovecsOf(unmapped, 0x7000, 1025)).isEmpty();
        assertThat(iovecsOf(unmapped, 0, 0)).isEmpty();
        // An iov_len above SSIZE_MAX reads as an empty view, as read's negative count does.
        SimulatedCall huge = SimulatedCall.of("writev", 1, 0x7000, 1).withBytes(0x7000, iovecArray(0x8000, -1));
        assertThat(iovecsOf(huge, 0x7000, 1).get(0).length()).isZero();
    }

    /** Fails every copy into descriptor 4, whichever of the three calls does it. */
    public static final class FullDisk implements SyscallHooks {
        @Override
        public long copyFileRange(SyscallCall call, int inFd, long inOffset, int outFd, long outOffset, long length, int flags) {
            return outFd == 4 ? call.fail(Errno.ENOSPC) : call.proceed();
        }

        @Override
        public long sendfile(SyscallCall call, int outFd, int inFd, long offset, long count) {
            return outFd == 4 ? call.fail(Errno.ENOSPC) : call.proceed();
        }

        @Override
        public long splice(SyscallCall call, int inFd, long inOffset, int outFd, long outOffset, long length, int flags) {
            return outFd == 4 ? call.fail(Errno.ENOSPC) : call.proceed();
        }
    }

    @Test
    void theCallsThatMoveDataInTheKernelAreTypedToo() {
        HookDispatcher d = dispatcher(new FullDisk());
        assertThat(d.hookedNumbers().stream().boxed().toList()).containsExactlyInAnyOrder(
                TABLE.numberOf("copy_file_range"), TABLE.numberOf("sendfile"), TABLE.numberOf("splice"));
        // copy_file_range(in, &off_in, out, &off_out, len, flags): arguments in register order
        assertThat(d.dispatch(SimulatedCall.of("copy_file_range", 3, 0, 4, 0, 1 << 20, 0))).isEqualTo(-28);
        SimulatedCall other = SimulatedCall.of("copy_file_range", 3, 0x7000, 5, 0x7008, 100, 0).kernelReturns(100);
        assertThat(d.dispatch(other)).isEqualTo(100);
        assertThat(other.kernelCalls()).containsExactly("copy_file_range(3, 28672, 5, 28680, 100, 0)");
        // sendfile(out, in, &offset, count): the destination comes first
        assertThat(d.dispatch(SimulatedCall.of("sendfile", 4, 3, 0, 4096))).isEqualTo(-28);
        assertThat(d.dispatch(SimulatedCall.of("sendfile", 3, 4, 0, 4096).kernelReturns(7))).isEqualTo(7);
        // splice(in, &off_in, out, &off_out, len, flags)
        assertThat(d.dispatch(SimulatedCall.of("splice", 3, 0, 4, 0, 65536, 1))).isEqualTo(-28);
        assertThat(d.dispatch(SimulatedCall.of("splice", 4, 0, 3, 0, 65536, 1).kernelReturns(9))).isEqualTo(9);
    }

    /** Denies /etc/shadow through openat2 unless RESOLVE_NO_SYMLINKS is asked, and any execveat of /bin/sh. */
    public static final class Strict implements SyscallHooks {
        List<String> execs = new ArrayList<>();

        @Override
        public long openat2(SyscallCall call, int dirfd, String path, TargetBuffer how, long size) {
            ByteBuffer fields = ByteBuffer.wrap(how.read(24)).order(ByteOrder.LITTLE_ENDIAN);
            long resolve = fields.getLong(16);
            return "/etc/shadow".equals(path) && (resolve & 0x04) == 0 ? call.fail(Errno.EACCES) : call.proceed();
        }

        @Override
        public long execveat(SyscallCall call, int dirfd, String path, long argv, long envp, int flags) {
            execs.add(dirfd + " " + path + " " + flags);
            return "/bin/sh".equals(path) ? call.fail(Errno.EPERM) : call.proceed();
        }
    }

    @Test
    void openat2SeesItsOpenHowAndExecveatItsPath() {
        Strict strict = new Strict();
        HookDispatcher d = dispatcher(strict);
        assertThat(d.hookedNumbers().stream().boxed().toList())
                .containsExactlyInAnyOrder(TABLE.numberOf("openat2"), TABLE.numberOf("execveat"));
        byte[] plain = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 0).putLong(16, 0).array();
        SimulatedCall open = SimulatedCall.of("openat2", AT_FDCWD, 0x1000, 0x2000, 24)
                .withString(0x1000, "/etc/shadow").withBytes(0x2000, plain);
        assertThat(d.dispatch(open)).isEqualTo(-13);
        assertThat(open.kernelCalls()).isEmpty();
        byte[] noSymlinks = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(16, 0x04).array();
        SimulatedCall careful = SimulatedCall.of("openat2", AT_FDCWD, 0x1000, 0x2000, 24)
                .withString(0x1000, "/etc/shadow").withBytes(0x2000, noSymlinks).kernelReturns(3);
        assertThat(d.dispatch(careful)).isEqualTo(3);
        assertThat(careful.kernelCalls()).containsExactly("openat2(-100, 4096, 8192, 24)");

        int atEmptyPath = 0x1000;
        assertThat(d.dispatch(SimulatedCall.of("execveat", AT_FDCWD, 0x1000, 0x3000, 0x4000, 0).withString(0x1000, "/bin/sh")))
                .isEqualTo(-1);
        SimulatedCall byFd = SimulatedCall.of("execveat", 5, 0x1000, 0x3000, 0x4000, atEmptyPath).withString(0x1000, "")
                .kernelReturns(0);
        assertThat(d.dispatch(byFd)).isZero();
        assertThat(byFd.kernelCalls()).containsExactly("execveat(5, 4096, 12288, 16384, 4096)");
        assertThat(strict.execs).containsExactly("-100 /bin/sh 0", "5  4096");
    }

    @Test
    void everyTypedMethodNamesARealSyscallAndDecodesWithoutError() {
        assertThat(TypedHooks.ALL).hasSizeGreaterThanOrEqualTo(60);
        SyscallHooks proceedAll = new SyscallHooks() {};
        for (TypedHooks.Binding b : TypedHooks.ALL) {
            assertThat(TABLE.byName(b.syscall())).as(b.syscall()).isPresent();
            SimulatedCall call = SimulatedCall.of(b.syscall(), 1, 0x100, 16, 0x200, 0, 0);
            call.withString(0x100L, "/a");
            call.withString(0x200L, "/b");
            call.kernelReturns(1);
            assertThat(b.invoker().invoke(proceedAll, call)).as(b.syscall()).isEqualTo(1);
        }
    }
}
