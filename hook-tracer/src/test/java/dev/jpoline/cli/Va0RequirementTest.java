package dev.jpoline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jpoline.cli.Va0Requirement.Mechanism;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Va0RequirementTest {
    @TempDir Path temp;
    private final StringWriter said = new StringWriter();
    private final PrintWriter err = new PrintWriter(said);

    @Test
    void zeroMeansTheVa0PageSilently() throws Exception {
        Path sysctl = Files.writeString(temp.resolve("mmap_min_addr"), "0\n");
        assertThat(Va0Requirement.check(sysctl, Map.of(), "6.18.44", err, false)).isEqualTo(Mechanism.VA0);
        assertThat(said.toString()).isEmpty();
    }

    @Test
    void nonZeroMeansSyscallUserDispatchWithOneLineNamingTheSysctl() throws Exception {
        Path sysctl = Files.writeString(temp.resolve("mmap_min_addr"), "65536\n");
        assertThat(Va0Requirement.check(sysctl, Map.of(), "6.18.44", err, false)).isEqualTo(Mechanism.SUD);
        assertThat(said.toString()).isEqualTo("jpoline: vm.mmap_min_addr is 65536, so syscalls are caught with Syscall"
                + " User Dispatch (slower: sites without a jump cost a signal each); for full speed run: sudo sysctl -w"
                + " vm.mmap_min_addr=0"
                + " (-q hides this line)" + System.lineSeparator());
    }

    @Test
    void rootMapsPageZeroWhateverTheSysctlSays() throws Exception {
        Path sysctl = Files.writeString(temp.resolve("mmap_min_addr"), "65536\n");
        assertThat(Va0Requirement.check(sysctl, Map.of(), "6.18.44", true, err, false)).isEqualTo(Mechanism.VA0);
        assertThat(said.toString()).isEmpty();
    }

    @Test
    void quietSaysNothing() throws Exception {
        Path sysctl = Files.writeString(temp.resolve("mmap_min_addr"), "65536\n");
        assertThat(Va0Requirement.check(sysctl, Map.of(), "6.18.44", err, true)).isEqualTo(Mechanism.SUD);
        assertThat(said.toString()).isEmpty();
    }

    @Test
    void theTestSwitchChoosesSudWhereThePageCouldBeMapped() throws Exception {
        Path sysctl = Files.writeString(temp.resolve("mmap_min_addr"), "0\n");
        assertThat(Va0Requirement.check(sysctl, Map.of("JPOLINE_NO_VA0", "1"), "6.18.44", err, true))
                .isEqualTo(Mechanism.SUD);
    }

    @Test
    void neitherPageZeroNorSudNamesBothFixes() throws Exception {
        Path sysctl = Files.writeString(temp.resolve("mmap_min_addr"), "65536\n");
        assertThatThrownBy(() -> Va0Requirement.check(sysctl, Map.of(), "5.10.0-28-amd64", err, false))
                .isInstanceOf(UserError.class)
                .hasMessage("cannot map the VA0 page (vm.mmap_min_addr is 65536) and this kernel (5.10.0-28-amd64) has"
                        + " no Syscall User Dispatch, which needs Linux 5.11 or later; run: sudo sysctl -w"
                        + " vm.mmap_min_addr=0, or use a newer kernel");
    }

    /** The kernel's integer sysctls end a read at any offset but 0: the value must come in one read. */
    @Test
    void theRealSysctlIsReadWhole() throws Exception {
        String value = Va0Requirement.readSysctl(Va0Requirement.MMAP_MIN_ADDR);
        assertThat(value).matches("[0-9]+");
        assertThat(Long.parseLong(value)).isIn(0L, 4096L, 8192L, 32768L, 65536L);
    }

    @Test
    void kernelReleases() {
        assertThat(Va0Requirement.hasSyscallUserDispatch("5.11.0")).isTrue();
        assertThat(Va0Requirement.hasSyscallUserDispatch("6.1.0-18-amd64")).isTrue();
        assertThat(Va0Requirement.hasSyscallUserDispatch("5.10.209")).isFalse();
        assertThat(Va0Requirement.hasSyscallUserDispatch("4.19.0")).isFalse();
    }

    @Test
    void unreadableSettingIsAClearError() {
        assertThatThrownBy(() -> Va0Requirement.check(temp.resolve("missing"), Map.of(), "6.18.44", err, false))
                .isInstanceOf(UserError.class)
                .hasMessageContaining("vm.mmap_min_addr=0");
    }
}
