package dev.jpoline.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exports a host reaches through JNA. Nothing here maps page 0 in the test JVM. */
class NativeRuntimeTest {
    private static final int FIRST_STUB = 558;

    @TempDir Path temp;

    private NativeRuntime load() {
        return NativeRuntime.load(RuntimeLibrary.bundled().extract(temp.resolve("cache")));
    }

    @Test
    void pageImageIsAJumpLacedSledEndingInAnAbsoluteJumpToTheEntry() {
        NativeRuntime rt = load();
        byte[] page = new byte[NativeRuntime.VA0_SIZE];
        long entry = rt.jpoline_entry_address();
        rt.jpoline_va0_build(page, entry);

        assertThat(page[0]).isEqualTo((byte) 0xEB);
        assertThat(page[1]).isBetween((byte) 0x26, (byte) 0x65);
        ByteBuffer stub = ByteBuffer.wrap(page, FIRST_STUB, 13).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(stub.get()).isEqualTo((byte) 0x49); // movabs $entry, %r11
        assertThat(stub.get()).isEqualTo((byte) 0xBB);
        assertThat(stub.getLong()).isEqualTo(entry);
        assertThat(new byte[] {stub.get(), stub.get(), stub.get()}).containsExactly(0x41, 0xFF, 0xE3); // jmp *%r11
    }

    @Test
    void tiersAndSitesAreSetThroughTheApi() {
        NativeRuntime rt = load();
        assertThat(rt.jpoline_set_tier(1, NativeRuntime.TIER_TRACE)).isZero();
        assertThat(rt.jpoline_get_tier(1)).isEqualTo(NativeRuntime.TIER_TRACE);
        assertThat(rt.jpoline_set_tier(1, 7)).isEqualTo(-22);
        assertThat(rt.jpoline_set_tier(1, NativeRuntime.TIER_PASS)).isZero();

        long before = rt.jpoline_sites_count();
        assertThat(rt.jpoline_sites_add(new long[] {0x10_0000_1000L, 0x10_0000_2000L}, 2)).isZero();
        assertThat(rt.jpoline_sites_contains(0x10_0000_2000L)).isOne();
        assertThat(rt.jpoline_sites_contains(0x10_0000_2002L)).isZero();
        assertThat(rt.jpoline_sites_count()).isEqualTo(before + 2);
        assertThat(rt.jpoline_sites_add(new long[] {0}, 1)).isEqualTo(-22);
    }

    @Test
    void installFailuresNameTheFix() {
        assertThat(NativeRuntime.va0InstallProblem(-NativeRuntime.EPERM))
                .contains("run: sysctl -w vm.mmap_min_addr=0");
        assertThat(NativeRuntime.va0InstallProblem(-NativeRuntime.EEXIST)).contains("already maps address 0");
    }
}
