package dev.jpoline.rewriter.elf;

import dev.jpoline.rewriter.maps.MapsEntry;
import dev.jpoline.rewriter.maps.ProcessMaps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Real system binaries the tests read: the libc this JVM runs on, the dynamic loader, /bin/ls. */
public final class SystemFiles {
    private SystemFiles() {}

    public static Path libc() {
        try {
            for (MapsEntry e : ProcessMaps.readSelf().executableFileEntries()) {
                if (e.fileName().startsWith("libc.so")) {
                    return Path.of(e.filePath());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("this JVM maps no libc.so");
    }

    public static Path loader() {
        Path p = Path.of("/lib64/ld-linux-x86-64.so.2");
        if (!Files.exists(p)) {
            throw new AssertionError("no x86-64 dynamic loader at " + p);
        }
        return p;
    }

    public static Path ls() {
        return Path.of("/bin/ls");
    }
}
