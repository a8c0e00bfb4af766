package dev.jpoline.rewriter.plan;

/**
 * Absolute addresses of plan sites in one running process, with the bytes expected there.
 *
 * <p>Every site starts with {@code 0F}; {@code secondBytes[i]} is {@code 05} (syscall) or
 * {@code 34} (sysenter). Whoever patches reads both bytes at {@code addresses[i]} first and skips
 * (and reports) a site whose bytes differ: the process may have changed its own code.
 */
public record MappedSites(long[] addresses, byte[] secondBytes) {
    public static final byte FIRST_BYTE = 0x0f;
    public static final byte SYSCALL_SECOND_BYTE = 0x05;
    public static final byte SYSENTER_SECOND_BYTE = 0x34;

    public int count() {
        return addresses.length;
    }

    /** The two bytes the original instruction at site {@code i} has. */
    public byte[] expectedBytes(int i) {
        return new byte[] {FIRST_BYTE, secondBytes[i]};
    }
}
