package dev.jpoline.rewriter.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScannerFingerprintTest {
    @TempDir Path temp;

    /** A jar of {name, content} pairs; stored (not deflated) when {@code stored}. */
    private Path jar(String file, boolean stored, String... namesAndContents) throws IOException {
        Path jar = temp.resolve(file);
        try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                byte[] content = namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8);
                ZipEntry e = new ZipEntry(namesAndContents[i]);
                if (stored) {
                    CRC32 crc = new CRC32();
                    crc.update(content);
                    e.setMethod(ZipEntry.STORED);
                    e.setSize(content.length);
                    e.setCrc(crc.getValue());
                }
                zip.putNextEntry(e);
                zip.write(content);
                zip.closeEntry();
            }
        }
        return jar;
    }

    private static String fingerprint(Path jar) throws IOException {
        CRC32C crc = new CRC32C();
        try (JarFile j = new JarFile(jar.toFile())) {
            int n = ScannerFingerprint.hashJar(j, crc);
            return n + ":" + Long.toHexString(crc.getValue());
        }
    }

    @Test
    void aJarsFingerprintFollowsItsScannerClassesOnly() throws IOException {
        String scan = "dev/jpoline/rewriter/scan/SiteScanner.class";
        String decode = "dev/jpoline/rewriter/decode/X86Decoder.class";
        String a = fingerprint(jar("a.jar", false, scan, "scanner v1", decode, "decoder v1"));
        assertThat(a).startsWith("2:");
        // Other classes, resources and the order in the jar do not matter...
        assertThat(fingerprint(jar("b.jar", false, "dev/jpoline/cli/Main.class", "anything", decode, "decoder v1",
                scan, "scanner v1", "dev/jpoline/rewriter/scan/notes.txt", "x"))).isEqualTo(a);
        // ...nor how the entries are compressed: the directory's CRC is of the uncompressed bytes.
        assertThat(fingerprint(jar("c.jar", true, scan, "scanner v1", decode, "decoder v1"))).isEqualTo(a);
        // A changed, added or renamed scanner class does.
        assertThat(fingerprint(jar("d.jar", false, scan, "scanner v2", decode, "decoder v1"))).isNotEqualTo(a);
        assertThat(fingerprint(jar("e.jar", false, scan, "scanner v1", decode, "decoder v1",
                "dev/jpoline/rewriter/decode/More.class", "new"))).isNotEqualTo(a).startsWith("3:");
        assertThat(fingerprint(jar("f.jar", false, scan, "scanner v1", "dev/jpoline/rewriter/decode/Y86Decoder.class",
                "decoder v1"))).isNotEqualTo(a);
    }
}
