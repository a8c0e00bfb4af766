package dev.jpoline.inlinehook.freeze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.jna.Pointer;
import dev.jpoline.inlinehook.HookException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stop-the-world freeze in this very JVM, against Java threads and native threads of the
 * test library ({@code src/test/c/freeze_test.c}) in every state a thread can be in.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FreezeTest {
    private static final long TIMEOUT_MS = 5000;
    private static Path library;
    private static FreezeTestLibrary lib;

    /** Java threads a test started; every one is stopped and joined after it. */
    private final List<Thread> javaThreads = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();

    @BeforeAll
    static void buildLibrary() {
        library = FreezeTestLibrary.build();
        lib = FreezeTestLibrary.load(library);
    }

    @AfterEach
    void stopThreads() throws InterruptedException {
        stop.set(true);
        lib.jpt_stop_all();
        for (Thread t : javaThreads) {
            t.interrupt();
            t.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(t.isAlive()).as("thread %s ended", t.getName()).isFalse();
        }
    }

    private Thread startJava(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        javaThreads.add(t);
        t.start();
        return t;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(1);
        }
    }

    private static long tasks() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/task"))) {
            return s.count();
        }
    }

    /** The permissions column of the mapping that holds address. */
    private static String permissions(long address) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            String[] f = line.split("\\s+");
            String[] range = f[0].split("-");
            if (Long.compareUnsigned(Long.parseUnsignedLong(range[0], 16), address) <= 0
                    && Long.compareUnsigned(address, Long.parseUnsignedLong(range[1], 16)) < 0) {
                return f[1];
            }
        }
        throw new AssertionError(String.format("0x%x is not mapped", address));
    }

    private static byte[] read(long address, int length) {
        return new Pointer(address).getByteArray(0, length);
    }

    /** mov eax, value; ret */
    private static byte[] returning(int value) {
        return new byte[] {(byte) 0xB8, (byte) value, 0, 0, 0, (byte) 0xC3};
    }

    @Test
    void parksEveryThreadOfEveryKindAndReleasesThemAll() throws Exception {
        AtomicLong busy = new AtomicLong();
        AtomicLong slept = new AtomicLong();
        for (int i = 0; i < 4; i++) {
            startJava("busy-" + i, () -> {
                while (!stop.get()) {
                    busy.incrementAndGet();
                }
            });
            startJava("sleeper-" + i, () -> {
                while (!stop.get()) {
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                    slept.incrementAndGet();
                }
            });
        }
        // Java threads blocked in read(2) on a pipe.
        List<Pipe> pipes = new ArrayList<>();
        ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < 3; i++) {
            Pipe pipe = Pipe.open();
            pipes.add(pipe);
            int n = i;
            startJava("reader-" + i, () -> {
                ByteBuffer b = ByteBuffer.allocate(16);
                try {
                    while (b.position() < 5 && pipe.source().read(b) >= 0) {
                        // until the whole message is there
                    }
                    received.add(n + ":" + new String(b.array(), 0, b.position(), java.nio.charset.StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    received.add(n + ": " + e);
                }
            });
        }
        assertThat(lib.jpt_start_spinners(4)).isZero();
        assertThat(lib.jpt_start_pipe_readers(4)).isZero();
        assertThat(lib.jpt_start_sleepers(4)).isZero();
        assertThat(lib.jpt_start_futex_waiters(4)).isZero();
        await("every thread runs", () -> busy.get() > 0 && slept.get() > 0 && lib.jpt_spin_total() > 0
                && lib.jpt_sleep_rounds() > 0);
        Thread.sleep(50); // the readers and waiters reach their blocking calls

        FreezeResult result = null;
        long before = 0;
        for (int attempt = 0; attempt < 20; attempt++) {
            // The JVM starts and stops threads of its own (compiler threads): count again until stable.
            before = tasks();
            result = Freeze.apply(List.of(), TIMEOUT_MS);
            if (tasks() == before) {
                break;
            }
        }
        assertThat(result.threads()).as("every thread but the caller parked").isEqualTo((int) before - 1);
        assertThat(result.threads()).isGreaterThan(27);
        assertThat(result.anomalies()).isZero();
        for (int i = 0; i < 20; i++) {
            assertThat(Freeze.apply(List.of(), TIMEOUT_MS).threads()).isGreaterThan(27);
        }

        long busyBefore = busy.get(), sleptBefore = slept.get(), spinsBefore = lib.jpt_spin_total();
        long roundsBefore = lib.jpt_sleep_rounds();
        await("every thread goes on after the freezes", () -> busy.get() > busyBefore && slept.get() > sleptBefore
                && lib.jpt_spin_total() > spinsBefore && lib.jpt_sleep_rounds() > roundsBefore);
        // The blocked ones return with their data: restarted reads and futex waits.
        assertThat(lib.jpt_pipe_feed_and_check()).as("native pipe readers that got their byte").isEqualTo(4);
        assertThat(lib.jpt_futex_release_and_count(4)).as("native futex waiters that returned").isEqualTo(4);
        for (int i = 0; i < pipes.size(); i++) {
            pipes.get(i).sink().write(ByteBuffer.wrap(("msg" + i + "!").getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        }
        await("the Java readers got their messages", () -> received.size() == pipes.size());
        assertThat(received).containsExactlyInAnyOrder("0:msg0!", "1:msg1!", "2:msg2!");
        for (Pipe p : pipes) {
            p.sink().close();
            p.source().close();
        }
    }

    @Test
    void movesAThreadFromOneCopyOfALoopIntoTheOther() throws Exception {
        long[] a = new long[5];
        long[] b = new long[5];
        assertThat(lib.jpt_loop_boundaries(a, b)).isEqualTo(5);
        assertThat(lib.jpt_start_looper()).isZero();
        await("the thread loops in copy A", () -> lib.jpt_loop_count_a() > 1000);
        assertThat(lib.jpt_loop_count_b()).isZero();

        // The move range is copy A; its last instruction is a 1-byte ret.
        PatchStep step = new PatchStep(0, null, a[0], a[4] + 1, a, b, null, null, b[0], b[4] + 1, null);
        FreezeResult result = Freeze.apply(List.of(step), TIMEOUT_MS);

        assertThat(result.ipFixups()).isEqualTo(1);
        assertThat(result.anomalies()).isZero();
        assertThat(result.busy()).as("the thread is in copy B after the move").containsExactly(1);
        long countA = lib.jpt_loop_count_a();
        long countB = lib.jpt_loop_count_b();
        await("copy B counts", () -> lib.jpt_loop_count_b() > countB + 1000);
        assertThat(lib.jpt_loop_count_a()).as("copy A no longer runs").isEqualTo(countA);
    }

    @Test
    void movesTheContextOfAnotherSignalsHandlerRunningOnASigaltstack() throws Exception {
        long[] a = new long[5];
        long[] b = new long[5];
        lib.jpt_loop_boundaries(a, b);
        assertThat(lib.jpt_start_nested_looper()).isPositive();
        await("the thread loops in copy A", () -> lib.jpt_loop_count_a() > 1000);
        // Its handler waits on the sigaltstack; the loop's rip is in the context saved there.
        assertThat(lib.jpt_nested_interrupt()).isEqualTo(1);
        long countA = lib.jpt_loop_count_a();

        PatchStep step = new PatchStep(0, null, a[0], a[4] + 1, a, b, null, null, b[0], b[4] + 1, null);
        FreezeResult result = Freeze.apply(List.of(step), TIMEOUT_MS);
        assertThat(result.ipFixups()).as("the interrupted context's rip was moved").isEqualTo(1);
        assertThat(result.anomalies()).isZero();
        assertThat(result.busy()).as("the thread will resume in copy B").containsExactly(1);

        lib.jpt_nested_release();
        await("copy B counts once the handler returned", () -> lib.jpt_loop_count_b() > 1000);
        assertThat(lib.jpt_loop_count_a()).as("copy A no longer runs").isEqualTo(countA);
    }

    @Test
    void anInstructionPointerBetweenBoundariesIsAnAnomalyAndStays() throws Exception {
        long[] a = new long[5];
        long[] b = new long[5];
        lib.jpt_loop_boundaries(a, b);
        assertThat(lib.jpt_start_looper()).isZero();
        await("the thread loops in copy A", () -> lib.jpt_loop_count_a() > 1000);

        // A map with no boundary at all: whatever instruction the thread is at, it matches nothing.
        PatchStep step = new PatchStep(0, null, a[0], a[4] + 1, new long[] {a[0] + 1}, new long[] {b[0]},
                null, null, 0, 0, null);
        FreezeResult result = Freeze.apply(List.of(step), TIMEOUT_MS);

        assertThat(result.ipFixups()).isZero();
        assertThat(result.anomalies()).isEqualTo(1);
        long countA = lib.jpt_loop_count_a();
        await("copy A still counts", () -> lib.jpt_loop_count_a() > countA + 1000);
        assertThat(lib.jpt_loop_count_b()).isZero();
    }

    @Test
    void rewritesAReturnAddressOnABlockedThreadsStack() throws Exception {
        long after = lib.jpt_ret_after_address();
        long alt = lib.jpt_ret_alt_address();
        assertThat(lib.jpt_start_returner()).isZero();
        await("the thread waits inside the callee", () -> lib.jpt_returner_waiting() == 1);
        Thread.sleep(20);

        FreezeResult query = Freeze.apply(List.of(PatchStep.query(0, 0, after)), TIMEOUT_MS);
        assertThat(query.busy()).as("one thread will return to the call site").containsExactly(1);
        assertThat(query.returnFixups()).isZero();

        PatchStep step = new PatchStep(0, null, 0, 0, null, null, new long[] {after}, new long[] {alt}, 0, 0,
                new long[] {after});
        FreezeResult result = Freeze.apply(List.of(step, PatchStep.query(0, 0, alt)), TIMEOUT_MS);
        assertThat(result.returnFixups()).isEqualTo(1);
        assertThat(result.busy()).as("busy after the fix-ups: nobody returns to the old address, one to the new")
                .containsExactly(0, 1);

        assertThat(lib.jpt_returner_finish()).as("1: returned to the old address, 2: to the new").isEqualTo(2);
    }

    @Test
    void aThreadBlockingTheSignalTimesOutAndNothingIsWritten() throws Exception {
        int sig = Freeze.signal();
        assertThat(sig).isBetween(38, 64);
        int tid = lib.jpt_start_blocker(sig);
        long probe = FreezeTestLibrary.address(library, "jpt_probe");
        byte[] original = read(probe, 6);
        assertThat(lib.jpt_probe()).isEqualTo(7);

        long started = System.nanoTime();
        HookException e = catchThrowableOfType(() -> Freeze.apply(List.of(PatchStep.write(probe, returning(9))), 300),
                HookException.class);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertThat(e).isNotNull();
        assertThat(e.reason()).isEqualTo(HookException.Reason.FREEZE_TIMEOUT);
        assertThat(e.getMessage()).contains("thread " + tid + " (").contains("within 300 ms")
                .contains("blocks the freeze signal " + sig).contains("nothing was written");
        assertThat(tookMs).isBetween(300L, 10_000L);
        assertThat(read(probe, 6)).isEqualTo(original);
        assertThat(lib.jpt_probe()).isEqualTo(7);
        long rounds = lib.jpt_blocker_rounds();
        await("the blocking thread runs on", () -> lib.jpt_blocker_rounds() > rounds + 5);

        // Unblocked, it gets the timed-out freeze's signal, whose handler finds it stale and returns.
        assertThat(lib.jpt_blocker_unblock()).as("pending before unblocking * 2 + pending after").isEqualTo(2);
        long later = lib.jpt_blocker_rounds();
        await("the thread runs on after its stale signal", () -> lib.jpt_blocker_rounds() > later + 5);

        long before = tasks();
        FreezeResult result = Freeze.apply(List.of(PatchStep.write(probe, returning(8))), TIMEOUT_MS);
        assertThat(result.threads()).isGreaterThanOrEqualTo((int) before - 3); // the JVM's own may come and go
        assertThat(lib.jpt_probe()).isEqualTo(8);
        Freeze.apply(List.of(PatchStep.write(probe, original)), TIMEOUT_MS);
        assertThat(lib.jpt_probe()).isEqualTo(7);
        long last = lib.jpt_blocker_rounds();
        await("the thread runs on after a freeze that parked it", () -> lib.jpt_blocker_rounds() > last + 5);
    }

    @Test
    void writesReadOnlyTextWhileAnotherThreadCallsIt() throws Exception {
        long one = FreezeTestLibrary.address(library, "jpt_one");
        assertThat(permissions(one)).isEqualTo("r-xp");
        byte[] original = read(one, 6);
        assertThat(original).isEqualTo(returning(1));
        assertThat(lib.jpt_start_caller()).isZero();
        await("the caller calls", () -> lib.jpt_caller_results(1) > 10_000);

        FreezeResult result = Freeze.apply(List.of(PatchStep.write(one, returning(2))), TIMEOUT_MS);
        try {
            assertThat(result.coresSerialized()).isEqualTo(lib.jpt_membarrier_sync_core() == 1);
            assertThat(read(one, 6)).isEqualTo(returning(2));
            assertThat(permissions(one)).as("W^X: the text was never made writable").isEqualTo("r-xp");
            long twos = lib.jpt_caller_results(2);
            await("the new code runs", () -> lib.jpt_caller_results(2) > twos + 10_000);
            long ones = lib.jpt_caller_results(1);
            Thread.sleep(20);
            assertThat(lib.jpt_caller_results(1)).as("the old code no longer runs").isEqualTo(ones);
            assertThat(lib.jpt_caller_results(0)).as("results other than 1 or 2").isZero();
        } finally {
            Freeze.apply(List.of(PatchStep.write(one, original)), TIMEOUT_MS);
        }
        assertThat(lib.jpt_one()).isEqualTo(1);
        assertThat(lib.jpt_caller_results(0)).isZero();
    }

    @Test
    void aWriteOutsideMappedMemoryWritesNothing() throws Exception {
        long probe = FreezeTestLibrary.address(library, "jpt_probe");
        byte[] original = read(probe, 6);
        List<PatchStep> steps = List.of(PatchStep.write(probe, returning(5)), PatchStep.write(0x10000, returning(5)));
        HookException e = catchThrowableOfType(() -> Freeze.apply(steps, TIMEOUT_MS), HookException.class);
        assertThat(e).isNotNull();
        assertThat(e.reason()).isEqualTo(HookException.Reason.SYSTEM);
        assertThat(e.getMessage()).contains("step 1").contains("not mapped").contains("nothing was written");
        assertThat(read(probe, 6)).isEqualTo(original);
    }

    @Test
    void survivesThreadsComingAndGoingDuringFreezes() throws Exception {
        assertThat(lib.jpt_start_churners(2)).isZero();
        AtomicLong javaChurned = new AtomicLong();
        startJava("java-churner", () -> {
            while (!stop.get()) {
                Thread t = new Thread(() -> {
                    // short-lived
                });
                t.start();
                try {
                    t.join();
                } catch (InterruptedException e) {
                    return;
                }
                javaChurned.incrementAndGet();
            }
        });
        await("threads churn", () -> lib.jpt_churned() > 100 && javaChurned.get() > 10);
        long heldBefore = Freeze.held.get();
        long nativeBefore = lib.jpt_churned();
        long javaBefore = javaChurned.get();
        long maxNanos = 0;
        for (int i = 0; i < 200; i++) {
            FreezeResult r = Freeze.apply(List.of(), TIMEOUT_MS);
            assertThat(r.threads()).isGreaterThan(5);
            maxNanos = Math.max(maxNanos, r.nanos());
        }
        await("threads still churn", () -> lib.jpt_churned() > nativeBefore + 100 && javaChurned.get() > javaBefore + 10);
        System.out.printf("[freeze] 200 freezes during thread churn: longest pause %.2f ms, %d native and %d Java"
                + " threads came and went, %d exiting threads held in glibc's locks%n", maxNanos / 1e6,
                lib.jpt_churned() - nativeBefore, javaChurned.get() - javaBefore, Freeze.held.get() - heldBefore);
    }

    @Test
    void freezesABusyJvmWithoutDeadlock() throws Exception {
        AtomicLong gcs = new AtomicLong();
        AtomicLong allocated = new AtomicLong();
        for (int i = 0; i < 3; i++) {
            startJava("gc-" + i, () -> {
                while (!stop.get()) {
                    System.gc();
                    gcs.incrementAndGet();
                }
            });
            startJava("alloc-" + i, () -> {
                List<byte[]> live = new ArrayList<>();
                while (!stop.get()) {
                    live.add(new byte[1024 + (int) (allocated.incrementAndGet() % 4096)]);
                    if (live.size() > 4000) {
                        live.subList(0, 2000).clear();
                    }
                }
            });
        }
        await("the JVM is busy", () -> gcs.get() > 3 && allocated.get() > 10_000);
        long probe = FreezeTestLibrary.address(library, "jpt_probe");
        byte[] original = read(probe, 6);
        long[] pauses = new long[300];
        int done = 0;
        // At least 50 freezes, and up to 300 while a minute lasts: on a starved machine (2 cores,
        // six threads spinning, each freeze waits until every one of them got a core) a freeze
        // takes far longer, and a deadlock would still show as a call that never returns.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try {
            for (int i = 0; i < 300 && (i < 50 || System.nanoTime() < deadline); i++, done++) {
                // Every tenth freeze writes code too: the probe returns 7 or 8 in turn.
                List<PatchStep> steps = i % 10 == 0
                        ? List.of(PatchStep.write(probe, returning(i % 20 == 0 ? 8 : 7)))
                        : List.of(PatchStep.query(probe, probe + 6));
                FreezeResult r = Freeze.apply(steps, TIMEOUT_MS);
                pauses[i] = r.nanos();
                assertThat(r.busy()).hasSize(1);
            }
        } finally {
            Freeze.apply(List.of(PatchStep.write(probe, original)), TIMEOUT_MS);
        }
        assertThat(lib.jpt_probe()).isEqualTo(7);
        long gcsBefore = gcs.get();
        long allocatedBefore = allocated.get();
        await("the JVM goes on", () -> gcs.get() > gcsBefore && allocated.get() > allocatedBefore);
        pauses = Arrays.copyOf(pauses, done);
        Arrays.sort(pauses);
        System.out.printf("[freeze] %d freezes in a busy JVM (%d collections meanwhile): median %.2f ms, max %.2f ms%n",
                done, gcs.get(), pauses[done / 2] / 1e6, pauses[done - 1] / 1e6);
    }

    /** Not a benchmark (the machine is shared): a print of how long the pause is, for the record. */
    @Test
    void measuresThePauseWithMoreAndMoreNativeThreads() throws Exception {
        int jvmThreads = (int) tasks();
        for (int extra : new int[] {1, 16, 128}) {
            assertThat(lib.jpt_start_idle(extra)).isZero();
            Thread.sleep(50);
            for (int i = 0; i < 5; i++) {
                Freeze.apply(List.of(), TIMEOUT_MS);
            }
            int runs = 40;
            long[] pauses = new long[runs];
            long[] calls = new long[runs];
            int threads = 0;
            for (int i = 0; i < runs; i++) {
                long started = System.nanoTime();
                FreezeResult r = Freeze.apply(List.of(), TIMEOUT_MS);
                calls[i] = System.nanoTime() - started;
                pauses[i] = r.nanos();
                threads = r.threads();
            }
            Arrays.sort(pauses);
            Arrays.sort(calls);
            System.out.printf("[freeze] %3d extra idle native threads (%d parked in all, the JVM has %d):"
                            + " pause median %.2f ms, p90 %.2f ms, max %.2f ms; whole call median %.2f ms%n",
                    extra, threads, jvmThreads, pauses[runs / 2] / 1e6, pauses[runs * 9 / 10] / 1e6,
                    pauses[runs - 1] / 1e6, calls[runs / 2] / 1e6);
            lib.jpt_stop_all();
        }
    }
}
