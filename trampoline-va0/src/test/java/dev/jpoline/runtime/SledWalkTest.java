package dev.jpoline.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How many instructions a syscall number walks on the VA0 page before it reaches the entry. */
class SledWalkTest {
    /** Documented in docs/entry-path.md: 6 jumps at most below 512, then movabs + jmp *%r11. */
    private static final int MAX_BELOW_512 = 8;

    @Test
    void decodedImageReachesTheEntryFromEveryCoveredOffsetInAFewInstructions() {
        String out = NativeTestProgram.compile("sled_walk").run("decode").assertSucceeded().stdout();
        assertThat(out)
                .contains("steps nr=0: 8\n")
                .contains("steps nr=39: 7\n")
                .contains("steps nr=231: 6\n")
                .contains("steps nr=500: 3\n")
                .contains("max steps below 512: " + MAX_BELOW_512 + "\n")
                .contains("max steps on the page: 36\n")
                // Only the 12 bytes inside the first stub and the last 12 of the page are not landable.
                .contains("covered: 0-558 571-4083\n");
    }

    @Test
    void everyCoveredNumberReachesTheEntryOnThisCpu() {
        assertThat(NativeTestProgram.compile("sled_walk").run("land").assertSucceeded().stdout())
                .contains("landed: 4072 numbers reached the entry on this CPU");
    }

    @Test
    void singleSteppingCountsTheSameInstructionsAsTheDecoder() {
        assertThat(NativeTestProgram.compile("sled_walk").run("ptrace", "0", "39", "231", "500")
                        .assertSucceeded().stdout())
                .contains("executed nr=0: 8\n")
                .contains("executed nr=39: 7\n")
                .contains("executed nr=231: 6\n")
                .contains("executed nr=500: 3\n");
    }
}
