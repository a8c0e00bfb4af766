package dev.jpoline.host;

import static dev.jpoline.host.SessionLayout.*;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.jpoline.runtime.NativeRuntime;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.concurrent.locks.LockSupport;

/**
 * The host's side of a session: a private shared-memory file that targets map (see
 * docs/session.md). Creating one starts the heartbeat by which targets tell a live host from a
 * dead one; closing it marks it dead, so every target still waiting resumes at once.
 */
public final class Session implements AutoCloseable {
    /** The variable that names the session file to targets. */
    public static final String ENV = "JPOLINE_SESSION";
    static final Path DEFAULT_DIRECTORY = Path.of("/dev/shm");
    static final long HEARTBEAT_PERIOD_MS = 100;

    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final MappedByteBuffer memory;
    /** The mapping's native address, found on first use: JNA's start (~15 ms) is off the way to the program's start. */
    private volatile long address;
    private final int slots;
    private final int callSlots;
    /** Where the call slots start: after the request slots and the ring. */
    private final int callSlotsBase;
    private final Thread heartbeat;
    private volatile boolean closed;

    private Session(Path file, MappedByteBuffer memory, int slots, int callSlotsBase, int callSlots) {
        this.file = file;
        this.memory = memory;
        this.slots = slots;
        this.callSlots = callSlots;
        this.callSlotsBase = callSlotsBase;
        this.heartbeat = new Thread(new Heartbeat(this), "jpoline-heartbeat");
        this.heartbeat.setDaemon(true);
    }

    /**
     * Beats every {@link #HEARTBEAT_PERIOD_MS} until the session closes. A plain thread rather
     * than a scheduled executor and a lambda: it starts right before the program does.
     */
    private static final class Heartbeat implements Runnable {
        private final Session session;

        Heartbeat(Session session) {
            this.session = session;
        }

        @Override
        public void run() {
            long period = HEARTBEAT_PERIOD_MS * 1_000_000L;
            long next = System.nanoTime() + period;
            while (!session.closed) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                    continue; // parkNanos may return early: re-check the time and whether to stop
                }
                session.beat();
                next += period;
            }
        }
    }

    /** Creates a session in {@code /dev/shm} with {@code slots} request slots. */
    public static Session create(int slots, int waitTimeoutMs) {
        return create(DEFAULT_DIRECTORY, slots, waitTimeoutMs);
    }

    public static Session create(Path directory, int slots, int waitTimeoutMs) {
        return create(directory, slots, waitTimeoutMs, 0);
    }

    /**
     * Creates a session with a trace ring of {@code ringSize} bytes (a power of two of at least
     * 4096, or 0 for none) and room for the capture schema (docs/trace.md).
     */
    public static Session create(Path directory, int slots, int waitTimeoutMs, int ringSize) {
        return create(directory, slots, waitTimeoutMs, ringSize, 0);
    }

    /**
     * As above, with {@code callSlots} call slots for the HOOK tier (0: no hooks), placed after
     * the ring (docs/hooks.md).
     */
    public static Session create(Path directory, int slots, int waitTimeoutMs, int ringSize, int callSlots) {
        if (ringSize != 0 && (ringSize < 4096 || Integer.bitCount(ringSize) != 1)) {
            throw new IllegalArgumentException("ring size must be a power of two >= 4096: " + ringSize);
        }
        Path file = directory.resolve("jpoline-" + ProcessHandle.current().pid() + "-" + randomHex());
        int size = totalSize(slots, ringSize) + callSlots * CALL_SLOT_SIZE;
        try {
            // createFile is O_EXCL and the mode is set at creation: never world-readable, not even briefly.
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            MappedByteBuffer memory;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                memory = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
            }
            Session session = new Session(file, memory, slots, totalSize(slots, ringSize), callSlots);
            session.initialise(size, waitTimeoutMs, ringSize);
            removeAbandoned(directory, Files.getOwner(file, LinkOption.NOFOLLOW_LINKS));
            return session;
        } catch (IOException e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // The original failure is the one worth reporting.
            }
            throw new UncheckedIOException("cannot create the session file " + file + ": " + e.getMessage()
                    + "; jpoline needs a writable " + directory, e);
        }
    }

    /**
     * Removes the session files of hosts that died without removing theirs (a SIGKILLed host
     * cannot): files named {@code jpoline-PID-...}, owned by {@code owner}, whose PID is gone. A
     * target of such a host already mapped it or can no longer join it. Best effort: returns how
     * many it removed.
     */
    static int removeAbandoned(Path directory, java.nio.file.attribute.UserPrincipal owner) {
        int removed = 0;
        try (java.nio.file.DirectoryStream<Path> files = Files.newDirectoryStream(directory, "jpoline-*")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                int dash = name.indexOf('-', "jpoline-".length());
                long pid;
                try {
                    pid = Long.parseLong(name.substring("jpoline-".length(), dash < 0 ? name.length() : dash));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (dash < 0 || Files.exists(Path.of("/proc/" + pid))
                        || !Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)
                        || !owner.equals(Files.getOwner(f, LinkOption.NOFOLLOW_LINKS))) {
                    continue;
                }
                if (Files.deleteIfExists(f)) {
                    removed++;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Tidying up must never stop a run.
        }
        return removed;
    }

    /**
     * 16 hex digits from the kernel's random source, so that the name cannot be guessed ahead.
     * Read directly: SecureRandom sets up the JDK's provider machinery first, milliseconds on the
     * way to starting the program.
     */
    private static String randomHex() throws UncheckedIOException {
        byte[] random = new byte[8];
        try (InputStream in = new FileInputStream("/dev/urandom")) {
            if (in.readNBytes(random, 0, random.length) != random.length) {
                throw new IOException("short read");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /dev/urandom to name the session file: " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(random);
    }

    private void initialise(int size, int waitTimeoutMs, int ringSize) {
        if (ringSize != 0) {
            memory.order(ByteOrder.LITTLE_ENDIAN);
            memory.putLong(OFF_SCHEMA_OFFSET, schemaOffset(slots));
            memory.putLong(OFF_RING_OFFSET, ringOffset(slots));
            memory.putLong(OFF_RING_SIZE, ringSize);
        }
        memory.order(ByteOrder.LITTLE_ENDIAN);
        memory.putInt(OFF_ABI_VERSION, NativeRuntime.JPOLINE_ABI_VERSION);
        memory.putInt(OFF_TOTAL_SIZE, size);
        memory.putInt(OFF_STATE, SESSION_LIVE);
        memory.putInt(OFF_HOST_PID, (int) ProcessHandle.current().pid());
        memory.putInt(OFF_SLOT_COUNT, slots);
        memory.putInt(OFF_WAIT_TIMEOUT_MS, waitTimeoutMs);
        memory.putInt(OFF_CALL_SLOTS_OFFSET, callSlots == 0 ? 0 : callSlotsBase);
        memory.putInt(OFF_CALL_SLOT_COUNT, callSlots);
        beat();
        // The magic goes last: a target that sees it sees a complete header.
        LONG.setRelease(memory, OFF_MAGIC, MAGIC);
        heartbeat.start();
    }

    private void beat() {
        // System.nanoTime is CLOCK_MONOTONIC on Linux: the clock targets compare against.
        LONG.setRelease(memory, OFF_HEARTBEAT_NS, System.nanoTime());
    }

    public Path file() {
        return file;
    }

    public int slotCount() {
        return slots;
    }

    public int callSlotCount() {
        return callSlots;
    }

    /** Offset of call slot {@code index} in the session. */
    int callSlotOffset(int index) {
        return callSlotsBase + index * CALL_SLOT_SIZE;
    }

    void putByte(int offset, byte value) {
        memory.put(offset, value);
    }

    public boolean isLive() {
        return (int) INT.getVolatile(memory, OFF_STATE) == SESSION_LIVE;
    }

    public void setTier(int syscall, int tier) {
        if (syscall < 0 || syscall >= TIER_COUNT) {
            throw new IllegalArgumentException("syscall number out of range: " + syscall);
        }
        memory.put(OFF_TIERS + syscall, (byte) tier);
    }

    /** The mapped session memory (little-endian); the trace consumer reads the ring through it. */
    public java.nio.ByteBuffer memory() {
        return memory;
    }

    /** Native address of the mapping (for futex words). */
    public long address() {
        long a = address;
        if (a == 0) {
            a = Pointer.nativeValue(Native.getDirectBufferPointer(memory));
            address = a;
        }
        return a;
    }

    public int tier(int syscall) {
        return memory.get(OFF_TIERS + syscall);
    }

    public long processesRegistered() {
        return (long) LONG.getVolatile(memory, OFF_PROCESSES_REGISTERED);
    }

    public long processesThatGaveUp() {
        return (long) LONG.getVolatile(memory, OFF_PROCESSES_GAVE_UP);
    }

    // Raw access for the request protocol (package-private: the layout is not API).

    byte getByte(int offset) {
        return memory.get(offset);
    }

    public int getInt(int offset) {
        return (int) INT.getVolatile(memory, offset);
    }

    public void putInt(int offset, int value) {
        INT.setRelease(memory, offset, value);
    }

    boolean compareAndSetInt(int offset, int expected, int value) {
        return INT.compareAndSet(memory, offset, expected, value);
    }

    public int getAndAddInt(int offset, int delta) {
        return (int) INT.getAndAdd(memory, offset, delta);
    }

    public long getLong(int offset) {
        return (long) LONG.getVolatile(memory, offset);
    }

    public void putLong(int offset, long value) {
        LONG.setRelease(memory, offset, value);
    }

    /**
     * Copies {@code count} values from {@code values[from]} on to {@code offset} with plain
     * stores, in one bulk copy rather than a release store each (a VarHandle call per value is
     * slow while the code is still interpreted, as on a target's first request). They become
     * visible with the caller's next release store or compare-and-set, which must follow.
     */
    void putLongsPlain(int offset, long[] values, int from, int count) {
        memory.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(offset).asLongBuffer().put(values, from, count);
    }

    public void awaitChange(int offset, int expected, long timeoutNanos) {
        Futex.await(address() + offset, expected, timeoutNanos);
    }

    public void wake(int offset) {
        Futex.wakeAll(address() + offset);
    }

    /** Marks the session dead (waiting targets resume unrewritten) and removes its file. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        LockSupport.unpark(heartbeat);
        putInt(OFF_STATE, SESSION_DEAD);
        wake(OFF_DOORBELL);
        for (int s = 0; s < slots; s++) {
            wake(slotOffset(s) + SLOT_STATE);
        }
        wake(OFF_HOOK_DOORBELL);
        for (int c = 0; c < callSlots; c++) {
            wake(callSlotOffset(c) + CALL_STATE);
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A leftover file in /dev/shm is harmless (dead, owner-only); nothing to lose here.
        }
    }
}
