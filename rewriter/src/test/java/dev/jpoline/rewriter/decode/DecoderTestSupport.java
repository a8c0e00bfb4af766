package dev.jpoline.rewriter.decode;

/** Shared helpers for the decoder unit tests. */
final class DecoderTestSupport {
    static final long BASE = 0x401000L;

    private DecoderTestSupport() {}

    static byte[] hex(String text) {
        String s = text.replace(" ", "");
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    /** Decodes the instruction at the start of {@code bytes} (hex), with the whole string as limit. */
    static Instruction decode(String bytes) {
        byte[] code = hex(bytes);
        Instruction insn = new Instruction();
        new X86Decoder().decode(code, 0, code.length, BASE, insn);
        return insn;
    }
}
