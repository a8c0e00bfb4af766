package dev.jpoline.cli;

import dev.jpoline.runtime.NativeRuntime;
import dev.jpoline.runtime.RuntimeLibrary;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;

/** {@code jpoline --version}: the build's version and which native runtime it carries. */
final class VersionProvider {
    private VersionProvider() {}

    static String[] lines() throws IOException {
        return new String[] {
            "jpoline " + version(),
            "native runtime libjpoline.so sha256:" + RuntimeLibrary.bundled().sha256().substring(0, 16)
                    + " (ABI " + NativeRuntime.JPOLINE_ABI_VERSION + ")",
            "Java " + System.getProperty("java.version") + " on " + System.getProperty("os.name") + " "
                    + System.getProperty("os.arch")
        };
    }

    static void print(PrintWriter out) throws IOException {
        for (String line : lines()) {
            out.println(line);
        }
    }

    static String version() throws IOException {
        try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                throw new IOException("version.properties is missing from the jar; rebuild jpoline");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        }
    }
}
