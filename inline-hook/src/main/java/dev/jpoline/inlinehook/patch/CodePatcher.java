package dev.jpoline.inlinehook.patch;

/**
 * Writes code into some address space. Every change of code that jpoline makes goes through
 * this abstraction: the remote patcher that rewrites a target waiting in its constructor, and the
 * live patcher that hooks functions of the running JVM under a stop-the-world freeze.
 */
public interface CodePatcher extends AutoCloseable {
    /** Reads {@code length} bytes at {@code address} into {@code into[offset..]}. */
    void read(long address, byte[] into, int offset, int length);

    /** Writes {@code bytes[offset..offset+length)} at {@code address}, whatever the page protection. */
    void write(long address, byte[] bytes, int offset, int length);

    /**
     * Replaces {@code expected} by {@code replacement} (same length) at every address, after
     * checking all of them first: if any address does not hold {@code expected} (and does not
     * already hold {@code replacement}, from an earlier pass), nothing is written and a
     * {@link PatchException} names the first offending address and its bytes.
     *
     * @param addresses ascending addresses
     * @return how many addresses were changed (those already patched are not counted)
     */
    int replaceAll(long[] addresses, byte[] expected, byte[] replacement);

    @Override
    void close();
}
