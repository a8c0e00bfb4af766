package dev.jpoline.inlinehook.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Patches the read-only text of a real child process ({@code sleep}) and reads it back. */
class ProcessMemoryPatcherTest {
    private Process child;
    private long text;

    @BeforeEach
    void startChild() throws Exception {
        child = new ProcessBuilder("sleep", "60").start();
        text = firstExecutableMappingOf(child.pid(), 20);
        // The test writes bytes that are not sleep's code into its text: the child must not run
        // them (under load it may still be starting up), so it is stopped while it is patched.
        Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(child.pid())).start();
        if (!stop.waitFor(10, TimeUnit.SECONDS) || stop.exitValue() != 0) {
            throw new AssertionError("could not stop the child " + child.pid());
        }
    }

    @AfterEach
    void killChild() throws Exception {
        child.destroyForcibly();
        child.waitFor(10, TimeUnit.SECONDS);
    }

    /** Start address of the child's first r-xp mapping, retrying while exec is still replacing the image. */
    private static long firstExecutableMappingOf(long pid, int attempts) throws Exception {
        for (int attempt = 0; attempt < attempts; attempt++) {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/maps"))) {
                String[] f = line.split("\\s+");
                if (f[1].equals("r-xp") && f.length > 5 && f[5].endsWith("/sleep")) {
                    return Long.parseUnsignedLong(f[0].substring(0, f[0].indexOf('-')), 16);
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("sleep's text mapping did not appear in /proc/" + pid + "/maps");
    }

    private byte[] readBack(ProcessMemoryPatcher patcher, long address, int length) {
        byte[] bytes = new byte[length];
        patcher.read(address, bytes, 0, length);
        return bytes;
    }

    @Test
    void writesThroughReadOnlyTextAndReadsItBack() {
        try (ProcessMemoryPatcher patcher = ProcessMemoryPatcher.open(child.pid())) {
            byte[] pattern = {(byte) 0xCC, 0x0F, 0x05, (byte) 0xFF, (byte) 0xD0};
            patcher.write(text + 0x40, pattern, 0, pattern.length);
            assertThat(readBack(patcher, text + 0x40, pattern.length)).containsExactly(pattern);
        }
    }

    @Test
    void replaceAllChecksEverySiteBeforeWritingAny() {
        try (ProcessMemoryPatcher patcher = ProcessMemoryPatcher.open(child.pid())) {
            byte[] syscall = {0x0F, 0x05};
            byte[] call = {(byte) 0xFF, (byte) 0xD0};
            // Two sites in one page, one in the next page, and one whose bytes are not a syscall.
            long[] sites = {text + 0x10, text + 0x20, text + 0x1010};
            for (long site : sites) {
                patcher.write(site, syscall, 0, 2);
            }
            byte[] other = {0x48, (byte) 0x89};
            patcher.write(text + 0x1020, other, 0, 2);

            long[] withBadSite = {text + 0x10, text + 0x20, text + 0x1010, text + 0x1020};
            assertThatThrownBy(() -> patcher.replaceAll(withBadSite, syscall, call))
                    .isInstanceOf(PatchException.class)
                    .hasMessageContaining(String.format("expected 0f05 at 0x%x but found 4889", text + 0x1020))
                    .hasMessageContaining("nothing was written");
            for (long site : sites) {
                assertThat(readBack(patcher, site, 2)).containsExactly(syscall);
            }

            assertThat(patcher.replaceAll(sites, syscall, call)).isEqualTo(3);
            for (long site : sites) {
                assertThat(readBack(patcher, site, 2)).containsExactly(call);
            }
            // Applying the same plan again is harmless and changes nothing.
            assertThat(patcher.replaceAll(sites, syscall, call)).isZero();
        }
    }

    @Test
    void unsortedAddressesAreRefused() {
        try (ProcessMemoryPatcher patcher = ProcessMemoryPatcher.open(child.pid())) {
            assertThatThrownBy(() -> patcher.replaceAll(new long[] {text + 8, text}, new byte[] {1, 2}, new byte[] {3, 4}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must ascend");
        }
    }

    @Test
    void aGoneProcessIsNamed() throws Exception {
        child.destroyForcibly();
        child.waitFor(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> ProcessMemoryPatcher.open(child.pid()).close())
                .isInstanceOf(PatchException.class)
                .hasMessageContaining("process " + child.pid() + " is gone");
    }

    @Test
    void readingUnmappedMemoryIsAClearError() {
        try (ProcessMemoryPatcher patcher = ProcessMemoryPatcher.open(child.pid())) {
            assertThatThrownBy(() -> readBack(patcher, 0x10, 4))
                    .isInstanceOf(PatchException.class)
                    .hasMessageContaining("cannot read 4 bytes at 0x10");
        }
    }
}
