package dev.jpoline.rewriter.decode;

/**
 * Test access to {@link X86Decoder}'s complete decoder without its fast path, as the reference
 * the fast paths ({@link X86Decoder#decode}'s and {@link X86Decoder#scanStep}'s) are checked
 * against, also from other packages' tests.
 */
public final class FullDecoder {
    private final X86Decoder decoder = new X86Decoder();

    public int decode(byte[] code, int offset, int limit, long address, Instruction out) {
        return decoder.decodeFull(code, offset, limit, address, out);
    }
}
