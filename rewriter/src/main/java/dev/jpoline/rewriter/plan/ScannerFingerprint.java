package dev.jpoline.rewriter.plan;

import dev.jpoline.rewriter.scan.SiteScanner;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Names the exact scanner code that made a plan, so plans stored by an older or newer decoder are
 * rebuilt rather than trusted. It is a checksum of the class files of the scan and decode packages,
 * computed once per JVM: any change to how sites are found changes it, with no version to bump.
 * From a jar it takes each class file's CRC-32 from the jar's directory rather than reading and
 * inflating the files: this runs on the way to a target's first rewrite.
 */
final class ScannerFingerprint {
    private static final String[] PACKAGES = {"dev/jpoline/rewriter/scan/", "dev/jpoline/rewriter/decode/"};
    private static volatile String siteScanner;
    private static final Comparator<JarEntry> BY_NAME = new Comparator<JarEntry>() {
        @Override
        public int compare(JarEntry a, JarEntry b) {
            return a.getName().compareTo(b.getName());
        }
    };

    private ScannerFingerprint() {}

    static String siteScanner() {
        String f = siteScanner;
        if (f == null) {
            f = compute();
            siteScanner = f;
        }
        return f;
    }

    private static String compute() {
        CRC32C crc = new CRC32C();
        int classes;
        try {
            classes = hashPackages(crc);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the scanner's class files to fingerprint them", e);
        }
        if (classes == 0) {
            throw new IllegalStateException("found no scanner class files to fingerprint");
        }
        return "scan-" + HexFormat.of().toHexDigits((int) crc.getValue()) + "-" + classes;
    }

    private static int hashPackages(CRC32C crc) throws IOException {
        CodeSource source = SiteScanner.class.getProtectionDomain().getCodeSource();
        Path location = null;
        if (source != null) {
            try {
                location = Path.of(source.getLocation().toURI());
            } catch (URISyntaxException | IllegalArgumentException e) {
                location = null;
            }
        }
        if (location != null && Files.isDirectory(location)) {
            List<Path> files = new ArrayList<>();
            for (String pkg : PACKAGES) {
                Path dir = location.resolve(pkg);
                if (Files.isDirectory(dir)) {
                    try (Stream<Path> s = Files.walk(dir)) {
                        s.filter(p -> p.toString().endsWith(".class")).forEach(files::add);
                    }
                }
            }
            files.sort(null);
            for (Path p : files) {
                crc.update(location.relativize(p).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                crc.update(Files.readAllBytes(p));
            }
            return files.size();
        }
        if (location != null && Files.isRegularFile(location)) {
            try (JarFile jar = new JarFile(location.toFile())) {
                return hashJar(jar, crc);
            }
        }
        // Unknown packaging (shaded, custom loader): fall back to the scanner class alone.
        URL own = SiteScanner.class.getResource("SiteScanner.class");
        if (own == null) {
            return 0;
        }
        try (InputStream in = own.openStream()) {
            crc.update(in.readAllBytes());
        }
        return 1;
    }

    /** The scan and decode class files of {@code jar}, each by name and the CRC-32 its directory records. */
    static int hashJar(JarFile jar, CRC32C crc) throws IOException {
        List<JarEntry> entries = new ArrayList<>();
        for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
            JarEntry je = e.nextElement();
            for (String pkg : PACKAGES) {
                if (je.getName().startsWith(pkg) && je.getName().endsWith(".class")) {
                    entries.add(je);
                }
            }
        }
        entries.sort(BY_NAME);
        byte[] entryCrc = new byte[4];
        for (JarEntry je : entries) {
            crc.update(je.getName().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            long c = je.getCrc();
            if (c < 0) {
                // No checksum in the directory (not seen in practice): read the file after all.
                try (InputStream in = jar.getInputStream(je)) {
                    crc.update(in.readAllBytes());
                }
                continue;
            }
            for (int i = 0; i < 4; i++) {
                entryCrc[i] = (byte) (c >>> (8 * i));
            }
            crc.update(entryCrc);
        }
        return entries.size();
    }
}
