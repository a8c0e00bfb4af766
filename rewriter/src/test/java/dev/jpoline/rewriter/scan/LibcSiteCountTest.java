package dev.jpoline.rewriter.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jpoline.rewriter.decode.ElfSections;
import dev.jpoline.rewriter.decode.ObjdumpListing;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scanner finds exactly the syscall/sysenter instructions objdump lists in libc's executable
 * sections, at the same addresses, and none of them is suspicious (libc's text holds no data and
 * decodes without a single invalid instruction).
 */
class LibcSiteCountTest {
    static final Path LIBC = Path.of("/lib/x86_64-linux-gnu/libc.so.6");

    @Test
    void libcSitesMatchObjdump() throws Exception {
        assertThat(LIBC).as("libc must exist on any Linux x86-64 machine").isReadable();
        assumeTrue(ObjdumpListing.available(), "skipped: /usr/bin/objdump not installed");
        ElfSections elf = new ElfSections(LIBC);
        ObjdumpListing objdump = new ObjdumpListing(LIBC);
        SiteScanner scanner = new SiteScanner();
        List<Long> scanned = new ArrayList<>();
        List<Long> listed = new ArrayList<>();
        long objdumpLines = 0;
        long invalidBytes = 0;
        int suspicious = 0;
        for (ElfSections.Section section : elf.executableSections()) {
            ScanResult result = scanner.scan(elf.bytes, (int) section.fileOffset(), (int) section.size(),
                    section.address(), new long[0]);
            for (int offset : result.siteOffsets()) {
                scanned.add(section.address() + offset);
            }
            suspicious += result.suspicious().size();
            invalidBytes += result.invalidBytes();
            ObjdumpListing.SectionListing listing = objdump.sections.get(section.name());
            objdumpLines += listing.syscallLines + listing.sysenterLines;
            for (int i = 0; i < listing.siteCount; i++) {
                listed.add(listing.siteAddresses[i]);
            }
        }
        System.out.printf("[scan] libc: %d sites (objdump: %d syscall/sysenter lines), %d suspicious, %d invalid bytes%n",
                scanned.size(), objdumpLines, suspicious, invalidBytes);
        assertThat(scanned).hasSize((int) objdumpLines).containsExactlyElementsOf(listed);
        assertThat(scanned.size()).as("libc makes raw syscalls").isGreaterThan(100);
        assertThat(suspicious).isZero();
        assertThat(invalidBytes).isZero();
    }
}
