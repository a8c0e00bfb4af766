package dev.jpoline.inlinehook.memory;

import java.util.Objects;

/**
 * A block of executable memory from {@link NearMemory}: a trampoline or a relay slot.
 *
 * <p>The block's pages stay read+execute, never writable: {@link #write} goes through
 * {@code /proc/self/mem}. Writing code that another thread may be running is the caller's
 * business (the freeze); a block fresh from the allocator runs nowhere and holds {@code int3}.
 */
public final class CodeBlock {
    private final NearMemory owner;
    final NearMemory.Chunk chunk;
    final long address;
    private final int size;
    final int firstGranule;
    final int granules;
    /** Guarded by the owner's lock; volatile for {@link #isFree()} from other threads. */
    volatile boolean freed;

    CodeBlock(NearMemory owner, NearMemory.Chunk chunk, long address, int size, int firstGranule, int granules) {
        this.owner = owner;
        this.chunk = chunk;
        this.address = address;
        this.size = size;
        this.firstGranule = firstGranule;
        this.granules = granules;
    }

    /** The address of the block's first byte; a multiple of 64. */
    public long address() {
        return address;
    }

    /** The size asked for; reads and writes stay inside it. */
    public int size() {
        return size;
    }

    /** Writes {@code code} at {@code offset} within the block. */
    public void write(int offset, byte[] code) {
        Objects.requireNonNull(code, "code");
        check(offset, code.length);
        if (code.length > 0) {
            owner.write(address + offset, code);
        }
    }

    /** Reads {@code length} bytes at {@code offset} within the block. */
    public byte[] read(int offset, int length) {
        check(offset, length);
        return length == 0 ? new byte[0] : owner.read(address + offset, length);
    }

    /**
     * Returns the block to its chunk; its bytes become {@code int3} again, and a chunk left with
     * no block is unmapped. No thread may be running the block's code any more. Freeing twice does
     * nothing.
     */
    public void free() {
        owner.release(this);
    }

    public boolean isFree() {
        return freed;
    }

    private void check(int offset, int length) {
        if (freed) {
            throw new IllegalStateException(String.format("the code block at 0x%x was freed", address));
        }
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IndexOutOfBoundsException(String.format("%d bytes at offset %d do not fit the %d-byte block at 0x%x",
                    length, offset, size, address));
        }
    }

    @Override
    public String toString() {
        return String.format("CodeBlock[0x%x, %d bytes%s]", address, size, freed ? ", freed" : "");
    }
}
