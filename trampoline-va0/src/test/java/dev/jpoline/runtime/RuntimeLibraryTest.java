package dev.jpoline.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeLibraryTest {
    private static final long SYS_GETPID = 39;
    private static final long SYS_GETTID = 186;

    @TempDir Path temp;

    /**
     * The runtime's initial-exec TLS comes out of glibc's static TLS surplus when it is dlopen'ed
     * into a JVM (inline hooks, the freeze), which other late-loaded libraries share: 584 bytes
     * made that load fail in the test JVM. Per-thread state beyond this goes elsewhere (see
     * entry_inject.c).
     */
    @Test
    void itsStaticTlsStaysWithinWhatADlopenIntoAJvmCanHave() throws Exception {
        Path file = RuntimeLibrary.bundled().extract(temp.resolve("tls"));
        Process readelf = new ProcessBuilder("readelf", "-lW", file.toString()).redirectErrorStream(true).start();
        String out = new String(readelf.getInputStream().readAllBytes());
        assertThat(readelf.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String tls = out.lines().filter(l -> l.strip().startsWith("TLS")).findFirst().orElseThrow();
        long memSize = Long.decode(tls.strip().split("\\s+")[5]);
        assertThat(memSize).as("PT_TLS MemSiz: " + tls).isLessThanOrEqualTo(456);
    }

    @Test
    void bundledRuntimeIsAnElfSharedObject() {
        byte[] head = new byte[4];
        RuntimeLibrary lib = RuntimeLibrary.bundled();
        Path file = lib.extract(temp.resolve("cache"));
        try {
            System.arraycopy(Files.readAllBytes(file), 0, head, 0, 4);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertThat(head).containsExactly(0x7f, 'E', 'L', 'F');
        assertThat(lib.fileName()).startsWith("libjpoline-").endsWith(".so").contains(lib.sha256().substring(0, 32));
    }

    @Test
    void theBuildsDigestIsTheSha256OfTheBundledBytes() throws Exception {
        byte[] bytes;
        try (var in = RuntimeLibrary.class.getResourceAsStream(RuntimeLibrary.RESOURCE)) {
            bytes = in.readAllBytes();
        }
        String computed = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        // The build writes it; without it the library would be hashed at every start.
        assertThat(RuntimeLibrary.builtDigest(bytes.length)).isEqualTo(computed);
        assertThat(RuntimeLibrary.bundled().sha256()).isEqualTo(computed);
        assertThat(RuntimeLibrary.builtDigest(bytes.length + 1)).as("a digest of other bytes is not taken").isNull();
    }

    @Test
    void onlyAWellFormedDigestLineOfTheRightSizeIsTaken() {
        String hex = "a84b3638552e4d71fb1a16490da1453b73ba1dadcbc69df4243466296260d670";
        assertThat(RuntimeLibrary.parseDigest(hex + " 35088\n", 35088)).isEqualTo(hex);
        assertThat(RuntimeLibrary.parseDigest(hex + " 35088", 35089)).isNull();
        assertThat(RuntimeLibrary.parseDigest(hex.substring(1) + " 35088", 35088)).isNull();
        assertThat(RuntimeLibrary.parseDigest(hex.toUpperCase() + " 35088", 35088)).isNull();
        assertThat(RuntimeLibrary.parseDigest(hex + "  libjpoline.so", 35088)).isNull();
        assertThat(RuntimeLibrary.parseDigest("", 0)).isNull();
    }

    @Test
    void extractedRuntimeLoadsAndComputesNatively() {
        Path file = RuntimeLibrary.bundled().extract(temp.resolve("cache"));
        NativeRuntime runtime = NativeRuntime.load(file);

        assertThat(runtime.jpoline_abi_version()).isEqualTo(NativeRuntime.JPOLINE_ABI_VERSION);
        // The pid comes from a syscall the runtime issues itself, not from Java.
        assertThat(runtime.jpoline_raw_syscall6(SYS_GETPID, 0, 0, 0, 0, 0, 0))
                .isEqualTo(ProcessHandle.current().pid());
        // The JVM was not started from a session, so the constructor must have stayed out.
        assertThat(runtime.jpoline_session_joined()).isZero();
        // A bad syscall number returns -ENOSYS as the kernel gives it, untranslated.
        assertThat(runtime.jpoline_raw_syscall6(100_000, 0, 0, 0, 0, 0, 0)).isEqualTo(-38);
        assertThat(runtime.jpoline_raw_syscall6(SYS_GETTID, 0, 0, 0, 0, 0, 0)).isPositive();
    }

    @Test
    void extractionIsReusedWhenUnchanged() throws Exception {
        Path cache = temp.resolve("cache");
        RuntimeLibrary lib = RuntimeLibrary.of(new byte[] {1, 2, 3, 4});
        Path first = lib.extract(cache);
        Object inode = Files.getAttribute(first, "unix:ino");
        var modified = Files.getLastModifiedTime(first);

        Path second = RuntimeLibrary.of(new byte[] {1, 2, 3, 4}).extract(cache);

        assertThat(second).isEqualTo(first);
        assertThat(Files.getAttribute(second, "unix:ino")).isEqualTo(inode);
        assertThat(Files.getLastModifiedTime(second)).isEqualTo(modified);
    }

    @Test
    void otherBuildsOlderThanAWeekArePrunedAtMostOnceADay() throws Exception {
        Path cache = temp.resolve("cache");
        Path weekOld = RuntimeLibrary.of(new byte[] {5}).extract(cache);
        Path marker = cache.resolve(RuntimeLibrary.PRUNED_MARKER);
        java.nio.file.attribute.FileTime eightDaysAgo =
                java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(java.time.Duration.ofDays(8)));
        Files.setLastModifiedTime(weekOld, eightDaysAgo);

        // Pruned less than a day ago (the first extraction left the marker): the old file stays.
        RuntimeLibrary.of(new byte[] {6}).extract(cache);
        assertThat(weekOld).exists();
        assertThat(marker).exists();

        // A day later it is looked at again, and the week-old extraction goes; the one in use stays.
        Files.setLastModifiedTime(marker, java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(RuntimeLibrary.PRUNE_EVERY).minusSeconds(60)));
        Path current = RuntimeLibrary.of(new byte[] {6}).extract(cache);
        assertThat(weekOld).doesNotExist();
        assertThat(current).exists();
        assertThat(Files.getLastModifiedTime(marker).toInstant()).isAfter(java.time.Instant.now().minusSeconds(60));
    }

    @Test
    void changedContentGetsItsOwnFileAndLeavesTheOldOneForRunningTargets() throws Exception {
        Path cache = temp.resolve("cache");
        Path oldFile = RuntimeLibrary.of(new byte[] {1, 2, 3}).extract(cache);
        Path newFile = RuntimeLibrary.of(new byte[] {9, 9, 9, 9}).extract(cache);

        assertThat(newFile).isNotEqualTo(oldFile);
        assertThat(Files.readAllBytes(newFile)).containsExactly(9, 9, 9, 9);
        assertThat(Files.readAllBytes(oldFile)).containsExactly(1, 2, 3);
    }

    @Test
    void damagedExtractionIsReplaced() throws Exception {
        Path cache = temp.resolve("cache");
        RuntimeLibrary lib = RuntimeLibrary.of(new byte[] {5, 6, 7, 8});
        Path file = lib.extract(cache);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Files.write(file, new byte[] {5, 6, 0, 8});

        Path again = lib.extract(cache);

        assertThat(again).isEqualTo(file);
        assertThat(Files.readAllBytes(again)).containsExactly(5, 6, 7, 8);
    }

    @Test
    void extractionIsOwnerOnly() throws Exception {
        Path cache = temp.resolve("cache");
        Path file = RuntimeLibrary.of(new byte[] {1}).extract(cache);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("r-x------");
        try (var leftovers = Files.list(cache)) {
            assertThat(leftovers.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(file.getFileName().toString(), RuntimeLibrary.PRUNED_MARKER);
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache.resolve(RuntimeLibrary.PRUNED_MARKER))))
                .isEqualTo("rw-------");
    }

    @Test
    void aCacheDirectoryOthersCanWriteIsRefusedWithTheFix() throws Exception {
        Path cache = Files.createDirectory(temp.resolve("open"));
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertThatThrownBy(() -> RuntimeLibrary.of(new byte[] {1}).extract(cache))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("writable by others")
                .hasMessageContaining("chmod 700 " + cache);
    }

    @Test
    void aSymlinkedCacheDirectoryIsRefused() throws Exception {
        Path real = Files.createDirectory(temp.resolve("real"));
        Path link = Files.createSymbolicLink(temp.resolve("link"), real);

        assertThatThrownBy(() -> RuntimeLibrary.of(new byte[] {1}).extract(link))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not a plain directory");
    }

    @Test
    void concurrentFirstRunsNeverSeeAHalfWrittenFile() throws Exception {
        byte[] big = new byte[4 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31 + 7);
        }
        Path cache = temp.resolve("cache");
        int threads = 8;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<byte[]>> seen = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Callable<byte[]> run = () -> {
                    start.await(10, TimeUnit.SECONDS);
                    return Files.readAllBytes(RuntimeLibrary.of(big).extract(cache));
                };
                seen.add(pool.submit(run));
            }
            for (Future<byte[]> f : seen) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(big);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
