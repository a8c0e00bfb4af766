package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.host.CpuFeaturesAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process that maps libjvm.so on a CPU without protection keys leaves VA0 (the page would make
 * reads of address 0 succeed): single-threaded it goes on traced under Syscall User Dispatch,
 * with another thread already running it detaches and says why. Either way address 0 faults.
 */
class LeaveVa0IT {
    @TempDir Path temp;

    private Programs.Result traced(String mode, Path out) throws Exception {
        Path program = Programs.build("leave_va0");
        // A library of that file name is all the host looks at; any shared object will do.
        Path fakeJvm = Files.createDirectories(temp.resolve("jdk")).resolve("libjvm.so");
        Files.copy(Programs.build("late_lib", "-shared", "-fPIC"), fakeJvm);
        return Programs.run(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace", "-f", "-e", "trace=getpid",
                "-o", out.toString(), "--", program.toString(), fakeJvm.toString(), mode), Map.of("LC_ALL", "C"), temp,
                Programs.DEFAULT_TIMEOUT);
    }

    @Test
    void aSingleThreadedProcessStaysTracedAndAddressZeroFaults() throws Exception {
        Path out = temp.resolve("single.txt");
        Programs.Result r = traced("single", out);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("null read faulted\n");
        assertThat(r.err()).doesNotContain("jpoline");
        assertThat(Files.readString(out)).as("the getpid after the switch is traced").contains("getpid()");
    }

    @Test
    void aProcessWithAnotherThreadDetachesSayingWhyAndAddressZeroFaults() throws Exception {
        Path out = temp.resolve("threaded.txt");
        Programs.Result r = traced("threaded", out);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("null read faulted\n");
        boolean switches = !CpuFeaturesAccess.hasExecuteOnlyPages() && !Programs.underSud();
        if (switches) {
            assertThat(r.err()).contains("cannot go on under Syscall User Dispatch (it has other threads already");
            assertThat(Files.readString(out)).as("detached: untraced from the dlopen on").doesNotContain("getpid()");
        } else {
            // With protection keys, or under SUD from the start, there is nothing to leave.
            assertThat(r.err()).doesNotContain("jpoline");
            assertThat(Files.readString(out)).contains("getpid()");
        }
    }
}
