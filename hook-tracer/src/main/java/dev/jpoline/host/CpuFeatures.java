package dev.jpoline.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** CPU features that change what jpoline can promise. */
final class CpuFeatures {
    private CpuFeatures() {}

    /**
     * Whether the kernel can map the VA0 page execute-only (protection keys, enabled by the OS),
     * so that reads through NULL still fault. Without it, page 0 is readable while mapped.
     */
    static boolean hasExecuteOnlyPages() {
        try {
            return flagsOf(Files.readString(Path.of("/proc/cpuinfo"))).containsAll(Set.of("pku", "ospke"));
        } catch (IOException e) {
            return false;
        }
    }

    static Set<String> flagsOf(String cpuinfo) {
        return cpuinfo.lines().filter(l -> l.startsWith("flags")).findFirst()
                .map(l -> Set.of(l.substring(l.indexOf(':') + 1).trim().split("\\s+")))
                .orElse(Set.of());
    }
}
