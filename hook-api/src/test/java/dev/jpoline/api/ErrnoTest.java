package dev.jpoline.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ErrnoTest {
    /** glibc, loaded through JNA to compare texts with this machine's strerror. */
    interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        String strerror(int errnum);

        String strerrorname_np(int errnum);
    }

    @Test
    void everyUserVisibleErrnoMatchesGlibc() {
        int checked = 0;
        for (int n = 1; n <= 133; n++) {
            String glibcName = LibC.INSTANCE.strerrorname_np(n);
            if (glibcName == null) {
                assertThat(Errno.byNumber(n)).as("errno %d has no name on Linux", n).isEmpty();
                continue;
            }
            Errno e = Errno.byNumber(n).orElseThrow(() -> new AssertionError("missing errno"));
            assertThat(e.name()).as("name of %d", e.number()).isEqualTo(glibcName);
            assertThat(e.message()).as("message of %s", e).isEqualTo(LibC.INSTANCE.strerror(n));
            checked++;
        }
        assertThat(checked).isEqualTo(131);
    }

    @Test
    void strerrorFallsBackLikeGlibc() {
        for (int n : new int[] {41, 58, 134, 515, 4095}) {
            assertThat(Errno.strerror(n)).isEqualTo(LibC.INSTANCE.strerror(n));
        }
        assertThat(Errno.strerror(2)).isEqualTo("No such file or directory");
    }

    @Test
    void kernelRestartCodesCarryStraceExplanations() {
        assertThat(Errno.ERESTARTSYS.number()).isEqualTo(512);
        assertThat(Errno.ERESTARTSYS.message()).isEqualTo("To be restarted if SA_RESTART is set");
        assertThat(Errno.ERESTARTNOINTR.message()).isEqualTo("To be restarted");
        assertThat(Errno.ERESTARTNOHAND.message()).isEqualTo("To be restarted if no handler");
        assertThat(Errno.ERESTART_RESTARTBLOCK.number()).isEqualTo(516);
        assertThat(Errno.ERESTART_RESTARTBLOCK.message()).isEqualTo("Interrupted by signal");
        assertThat(Arrays.stream(Errno.values()).filter(Errno::isRestart))
                .containsExactlyInAnyOrder(Errno.ERESTARTSYS, Errno.ERESTARTNOINTR, Errno.ERESTARTNOHAND,
                        Errno.ERESTART_RESTARTBLOCK);
        assertThat(Errno.ENOIOCTLCMD.number()).isEqualTo(515);
        assertThat(Errno.EPROBE_DEFER.number()).isEqualTo(517);
    }

    @Test
    void aliasesResolveToTheCanonicalCode() {
        assertThat(Errno.byName("EWOULDBLOCK")).contains(Errno.EAGAIN);
        assertThat(Errno.byName("EDEADLOCK")).contains(Errno.EDEADLK);
        assertThat(Errno.byName("ENOTSUP")).contains(Errno.EOPNOTSUPP);
        assertThat(Errno.byName("ENOENT").map(Errno::number)).contains(2);
        assertThat(Errno.byName("EBOGUS")).isEmpty();
    }

    @Test
    void rawReturnValuesDecodeToErrnoOnlyInTheKernelErrorRange() {
        assertThat(Errno.fromReturn(-2)).isEqualTo(2);
        assertThat(Errno.fromReturn(-4095)).isEqualTo(4095);
        assertThat(Errno.fromReturn(-4096)).isZero();
        assertThat(Errno.fromReturn(0)).isZero();
        assertThat(Errno.fromReturn(0xffffffffffff0000L)).as("a high address is a result").isZero();
    }
}
