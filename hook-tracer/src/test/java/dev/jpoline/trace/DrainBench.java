package dev.jpoline.trace;

import dev.jpoline.api.SyscallFilter;
import dev.jpoline.trace.format.TraceOptions;
import dev.jpoline.trace.ring.RingFixture;
import dev.jpoline.trace.ring.RingRecord;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The consumer alone: fills a session's ring with records, then times {@link Tracer}'s drain thread
 * turning them into a {@code -o FILE} trace (the CLI's writer stack). Not a test; run by hand:
 *
 * <pre>
 * mvn -q -o -DskipTests -pl hook-tracer -am package test-compile
 * java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
 *     -cp hook-tracer/target/classes:hook-tracer/target/test-classes:hook-tracer/target/jpoline.jar \
 *     dev.jpoline.trace.DrainBench getpid|tar RECORDS ROUNDS [OUT] [-c|stream]
 * </pre>
 *
 * <p>{@code stream}: write through the OutputStream constructor instead of the CLI's Writer stack.
 */
public final class DrainBench {
    private static final int PID = 4242;

    public static void main(String[] args) throws Exception {
        String workload = args[0];
        int records = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        Path out = Path.of(args.length > 3 ? args[3] : "/tmp/drainbench.txt");
        boolean summaryOnly = args.length > 4 && args[4].equals("-c");
        boolean stream = args.length > 4 && args[4].equals("stream");
        List<RingRecord> templates = workload.equals("tar") ? tar() : List.of(getpid());
        long bytes = 0;
        for (int i = 0; i < records; i++) {
            bytes += RingFixture.size(templates.get(i % templates.size()).parts());
        }
        int ringSize = Integer.highestOneBit((int) Math.min(1L << 30, bytes * 2 + 65536));
        try (RingFixture ring = new RingFixture(Path.of("/dev/shm"), ringSize)) {
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < records; i++) {
                    if (!ring.put(templates.get(i % templates.size()))) {
                        throw new IllegalStateException("ring full at " + i);
                    }
                }
                TraceWriter writer;
                if (stream) {
                    writer = new TraceWriter(TraceOptions.defaults(), false, TraceWriter.Mode.FILE,
                            new java.io.BufferedOutputStream(Files.newOutputStream(out), 1 << 16), out, n -> true,
                            TraceWriter.Status.ALL, true, false, PID);
                } else {
                    Writer file = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(out),
                            StandardCharsets.UTF_8), 1 << 20);
                    writer = new TraceWriter(TraceOptions.defaults(), false, TraceWriter.Mode.FILE, file, out,
                            n -> true, TraceWriter.Status.ALL, !summaryOnly, summaryOnly, PID);
                }
                TraceWriter made = writer;
                Tracer tracer = new Tracer(SyscallFilter::all, 32, summaryOnly, () -> made,
                        new PrintWriter(System.err, true));
                com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
                long cpu = os.getProcessCpuTime();
                long start = System.nanoTime();
                tracer.sessionCreated(ring.session());
                tracer.serving();
                tracer.exited(0);
                long ns = System.nanoTime() - start;
                cpu = os.getProcessCpuTime() - cpu;
                writer.close();
                System.out.printf("%s round %d: %d records in %.1f ms, %.1f ns/record (process CPU %.1f ns/record)%n",
                        workload, round, records, ns / 1e6, (double) ns / records, (double) cpu / records);
            }
        }
    }

    private static RingRecord getpid() {
        return new RingRecord(RingRecord.Kind.FULL, PID, PID, 39, true, new long[] {0, 0x7ffd1234, 0, 0, 0, 0}, PID,
                0, 0, List.of());
    }

    private static RingRecord.Part entry(int arg, byte[] bytes) {
        return new RingRecord.Part(arg, false, -1, bytes, false);
    }

    private static RingRecord.Part exit(int arg, byte[] bytes) {
        return new RingRecord.Part(arg, true, -1, bytes, false);
    }

    private static RingRecord full(int nr, long ret, long[] args, RingRecord.Part... parts) {
        return new RingRecord(RingRecord.Kind.FULL, PID, PID, nr, true, args, ret, 0, 0, List.of(parts));
    }

    private static byte[] stat(int mode, long size) {
        byte[] b = new byte[144];
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bb.putLong(0, 2049).putLong(8, 1234567).putLong(16, 1).putInt(24, mode).putLong(48, size);
        return b;
    }

    /** Roughly tar -cf /dev/null /usr/include's mix: mostly newfstatat, then fcntl, getdents64, openat, close. */
    static List<RingRecord> tar() {
        List<RingRecord> list = new ArrayList<>();
        String[] names = {"chariter.h", "glxtokens.h", "LoopFuse.h", "ccomplex", "kdf.h", "securproto.h",
            "sembuf.h", "Random.h", "siginfo-arch.h", "ssl.h", "fcntl2.h", "x86_64-linux-gnu", "openssl"};
        long addr = 0x5558c4e7f910L;
        byte[] dirents = new byte[7448];
        java.nio.ByteBuffer d = java.nio.ByteBuffer.wrap(dirents).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int off = 0; off + 32 <= dirents.length - 24; off += 32) {
            d.putShort(off + 16, (short) 32);
        }
        for (int i = 0; i < 200; i++) {
            String name = names[i % names.length] + (i / names.length == 0 ? "" : Integer.toString(i));
            int dirfd = 5 + i % 6;
            if (i % 20 == 0) {
                list.add(full(257, dirfd + 1, new long[] {dirfd, addr, 0x2a0900, 0, 0, 0},
                        entry(1, name.getBytes(StandardCharsets.UTF_8))));
                list.add(full(262, 0, new long[] {dirfd + 1, addr + 64, addr + 512, 0x1000, 0, 0},
                        entry(1, new byte[0]), exit(2, stat(040755, 4096))));
                list.add(full(72, 0, new long[] {dirfd + 1, 2, 1, 0, 0, 0}));
                list.add(full(72, 0x28800, new long[] {dirfd + 1, 3, 0, 0, 0, 0}));
                list.add(full(217, 7448, new long[] {dirfd + 1, addr, 32768, 0, 0, 0}, exit(1, dirents)));
                list.add(full(217, 0, new long[] {dirfd + 1, addr, 32768, 0, 0, 0}, exit(1, new byte[0])));
                list.add(full(3, 0, new long[] {dirfd + 1, 0, 0, 0, 0, 0}));
            }
            list.add(full(262, 0, new long[] {dirfd, addr + 128, addr + 512, 0x100, 0, 0},
                    entry(1, name.getBytes(StandardCharsets.UTF_8)), exit(2, stat(0100644, 1000 + 37L * i))));
        }
        return list;
    }
}
