package dev.jpoline.cli;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Decides, before anything is started, how the programs of a run will have their syscalls
 * caught: through the VA0 page (the fast path, when address 0 is mappable) or through Syscall
 * User Dispatch (a SIGSYS per syscall, when it is not). On SUD it says so in one line naming the
 * sysctl that gives the fast path; with neither it stops with one line naming both fixes.
 */
final class Va0Requirement {
    static final Path MMAP_MIN_ADDR = Path.of("/proc/sys/vm/mmap_min_addr");
    /**
     * Test switch, inherited by every process of the run: behave as if page 0 could not be
     * mapped (the runtime reads it too), so that the SUD half of the tests runs where the sysctl
     * is 0.
     */
    static final String NO_VA0_ENV = "JPOLINE_NO_VA0";
    static final String FAST_PATH_FIX = "sudo sysctl -w vm.mmap_min_addr=0";

    enum Mechanism { VA0, SUD }

    private Va0Requirement() {}

    /** Chooses for this machine; the SUD line goes to {@code err} unless {@code quiet}. */
    static Mechanism check(PrintWriter err, boolean quiet) {
        return check(MMAP_MIN_ADDR, System.getenv(), System.getProperty("os.version", ""), mayMapBelowMinimum(), err,
                quiet);
    }

    static Mechanism check(Path sysctlFile, Map<String, String> env, String kernelRelease, PrintWriter err,
            boolean quiet) {
        return check(sysctlFile, env, kernelRelease, false, err, quiet);
    }

    /**
     * @param rawio the programs run with CAP_SYS_RAWIO (root): the kernel lets them map below
     *     vm.mmap_min_addr, so they get the VA0 page whatever the sysctl says
     */
    static Mechanism check(Path sysctlFile, Map<String, String> env, String kernelRelease, boolean rawio,
            PrintWriter err, boolean quiet) {
        String why;
        if ("1".equals(env.get(NO_VA0_ENV))) {
            why = NO_VA0_ENV + "=1 is set";
            quiet = true; // the tests' switch: their expected output has no such line
        } else {
            String value = readSysctl(sysctlFile);
            if (value.equals("0") || rawio) {
                return Mechanism.VA0;
            }
            why = "vm.mmap_min_addr is " + value;
        }
        if (!hasSyscallUserDispatch(kernelRelease)) {
            throw new UserError("cannot map the VA0 page (" + why + ") and this kernel (" + kernelRelease
                    + ") has no Syscall User Dispatch, which needs Linux 5.11 or later; run: " + FAST_PATH_FIX
                    + ", or use a newer kernel");
        }
        if (!quiet) {
            err.println("jpoline: " + why + ", so syscalls are caught with Syscall User Dispatch (slower: sites"
                    + " without a jump cost a signal each); for full speed run: " + FAST_PATH_FIX + " (-q hides this line)");
            err.flush();
        }
        return Mechanism.SUD;
    }

    /**
     * The whole value in one read from offset 0: the kernel's integer sysctls answer a read at any
     * other offset with end of file, so a reader that takes a byte first (Files.readString on a
     * file that says it is empty) gets only "6" of 65536.
     */
    static String readSysctl(Path sysctlFile) {
        byte[] buffer = new byte[64];
        int n;
        try (FileInputStream in = new FileInputStream(sysctlFile.toFile())) {
            n = in.read(buffer);
        } catch (IOException e) {
            throw new UserError("cannot read " + sysctlFile + " to check that address 0 can be mapped ("
                    + e.getMessage() + "); jpoline needs Linux with vm.mmap_min_addr=0 or Syscall User Dispatch");
        }
        return n <= 0 ? "" : new String(buffer, 0, n, StandardCharsets.US_ASCII).strip();
    }

    /** CAP_SYS_RAWIO (bit 17) in this process's effective set, which the programs it starts inherit. */
    static boolean mayMapBelowMinimum() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << 17)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through: assume the sysctl applies
        }
        return false;
    }

    /** Linux 5.11 and later: x86-64 has had Syscall User Dispatch since then. */
    static boolean hasSyscallUserDispatch(String kernelRelease) {
        String[] parts = kernelRelease.split("[^0-9]+", 3);
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return major > 5 || (major == 5 && minor >= 11);
        } catch (NumberFormatException e) {
            return true; // unknown: the runtime tries and says so in one line if it cannot
        }
    }
}
