package dev.jpoline.rewriter.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PlanKeyTest {
    @Test
    void cacheFileNamesAreReadableAndDifferPerKey() {
        FileIdentity byId = FileIdentity.ofBuildId("93ac61ec5a8eb1396f9fbd350e3169a558528a40");
        assertThat(new PlanKey(byId, 0x26000, 0x1550fc).cacheFileName())
                .isEqualTo("b-93ac61ec5a8eb1396f9fbd350e3169a558528a40-26000-1550fc.plan");
        FileIdentity byStat = new FileIdentity(null, 0xfe00, 260386, 151344, 1_700_000_000_123_456_789L);
        assertThat(new PlanKey(byStat, 0x4000, 0x100).cacheFileName())
                .isEqualTo("f-fe00-3f922-24f30-17979cfe3d85cd15-4000-100.plan");
        assertThat(new PlanKey(byId, 0x26000, 0x1550fd).cacheFileName())
                .isNotEqualTo(new PlanKey(byId, 0x26000, 0x1550fc).cacheFileName());
        assertThat(new PlanKey(byId, 0x26000, 0x1550fc)).isEqualTo(new PlanKey(byId, 0x26000, 0x1550fc));
    }

    @Test
    void keysAreEqualExactlyWhenEveryComponentIs() {
        FileIdentity id = FileIdentity.ofBuildId("93ac61ec");
        FileIdentity stat = new FileIdentity(null, 1, 2, 3, 4);
        PlanKey key = new PlanKey(id, 0x1000, 0x200);
        assertThat(new PlanKey(FileIdentity.ofBuildId("93ac61ec"), 0x1000, 0x200)).isEqualTo(key).hasSameHashCodeAs(key);
        assertThat(new PlanKey(new FileIdentity(null, 1, 2, 3, 4), 0x1000, 0x200))
                .isEqualTo(new PlanKey(stat, 0x1000, 0x200))
                .hasSameHashCodeAs(new PlanKey(stat, 0x1000, 0x200));
        assertThat(key).isNotEqualTo(new PlanKey(FileIdentity.ofBuildId("93ac61ed"), 0x1000, 0x200))
                .isNotEqualTo(new PlanKey(id, 0x1001, 0x200))
                .isNotEqualTo(new PlanKey(id, 0x1000, 0x201))
                .isNotEqualTo(new PlanKey(stat, 0x1000, 0x200))
                .isNotEqualTo(null)
                .isNotEqualTo("b-93ac61ec-1000-200.plan");
        for (FileIdentity other : new FileIdentity[] {new FileIdentity(null, 9, 2, 3, 4), new FileIdentity(null, 1, 9, 3, 4),
            new FileIdentity(null, 1, 2, 9, 4), new FileIdentity(null, 1, 2, 3, 9)}) {
            assertThat(other).isNotEqualTo(stat);
        }
    }

    @Test
    void buildIdsMustBeSaneHex() {
        assertThatThrownBy(() -> FileIdentity.ofBuildId("")).hasMessageContaining("lowercase hex");
        assertThatThrownBy(() -> FileIdentity.ofBuildId("ABCD")).hasMessageContaining("lowercase hex");
        assertThatThrownBy(() -> FileIdentity.ofBuildId("abc")).hasMessageContaining("lowercase hex");
        assertThatThrownBy(() -> FileIdentity.ofBuildId("../etc")).hasMessageContaining("lowercase hex");
        assertThatThrownBy(() -> FileIdentity.ofBuildId("ab".repeat(65))).hasMessageContaining("1 to 64 bytes");
        assertThatThrownBy(() -> new PlanKey(FileIdentity.ofBuildId("ab"), -1, 0)).hasMessageContaining("non-negative");
    }
}
