package dev.jpoline.rewriter.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.rewriter.elf.SystemFiles;
import dev.jpoline.rewriter.maps.MapsEntry;
import dev.jpoline.rewriter.maps.ProcessMaps;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A plan mapped onto this very JVM points at the syscall bytes libc has in memory. */
class ProcessMappingTest {
    @Test
    void libcSitesMappedOntoThisProcessHoldTheExpectedBytes() throws Exception {
        Path libc = SystemFiles.libc();
        FilePlan plan = new Planner().plan(libc);
        List<MapsEntry> text = ProcessMaps.readSelf().entriesForFile(libc.toString()).stream()
                .filter(MapsEntry::executable).toList();
        assertThat(text).isNotEmpty();
        int checked = 0;
        try (FileChannel mem = FileChannel.open(Path.of("/proc/self/mem"), StandardOpenOption.READ)) {
            ByteBuffer two = ByteBuffer.allocate(2);
            for (MapsEntry e : text) {
                MappedSites sites = plan.mapOnto(e);
                for (int i = 0; i < sites.count(); i++) {
                    long address = sites.addresses()[i];
                    assertThat(e.contains(address)).isTrue();
                    two.clear();
                    while (two.hasRemaining()) {
                        mem.read(two, address + two.position());
                    }
                    assertThat(two.array()).as("bytes at 0x%x", address).containsExactly(sites.expectedBytes(i));
                    checked++;
                }
            }
        }
        assertThat(checked).isEqualTo(plan.siteCount()); // every site lies in an executable mapping
    }
}
