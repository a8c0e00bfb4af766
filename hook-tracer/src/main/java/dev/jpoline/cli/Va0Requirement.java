package dev.jpoline.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The host-side check that address 0 is mappable, made before anything is started, so that a
 * user learns the fix instead of getting an untraced run or a crash in the target.
 */
final class Va0Requirement {
    static final Path MMAP_MIN_ADDR = Path.of("/proc/sys/vm/mmap_min_addr");

    private Va0Requirement() {}

    /** Throws a {@link UserError} naming the fix unless {@code vm.mmap_min_addr} is 0. */
    static void check() {
        check(MMAP_MIN_ADDR);
    }

    static void check(Path sysctlFile) {
        String value;
        try {
            value = Files.readString(sysctlFile).strip();
        } catch (IOException e) {
            throw new UserError("cannot read " + sysctlFile + " to check that address 0 can be mapped ("
                    + e.getMessage() + "); jpoline needs Linux with vm.mmap_min_addr=0");
        }
        if (!value.equals("0")) {
            throw new UserError("cannot map the VA0 page: vm.mmap_min_addr is " + value
                    + "; run: sudo sysctl -w vm.mmap_min_addr=0");
        }
    }
}
