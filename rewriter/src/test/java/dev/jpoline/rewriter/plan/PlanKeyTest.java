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
    void buildIdsMustBeSaneHex() {
        assertThatThrownBy(() -> FileIdentity.ofBuildId("")).hasMessageContaining("lowercase hex");
        assertThatThrownBy(() -> FileIdentity.ofBuildId("ABCD")).hasMessageContaining("lowercase hex");
        assertThatThrownBy(() -> FileIdentity.ofBuildId("abc")).hasMessageContaining("lowercase hex");
        assertThatThrownBy(() -> FileIdentity.ofBuildId("../etc")).hasMessageContaining("lowercase hex");
        assertThatThrownBy(() -> FileIdentity.ofBuildId("ab".repeat(65))).hasMessageContaining("1 to 64 bytes");
        assertThatThrownBy(() -> new PlanKey(FileIdentity.ofBuildId("ab"), -1, 0)).hasMessageContaining("non-negative");
    }
}
