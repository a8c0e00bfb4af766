package dev.jpoline.trace.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Expected texts are strace 6.1's for write(2) calls with the same bytes (see GoldenSyscallTest). */
class StringQuoterTest {
    private static String buf(byte[] b, long len) {
        return StringQuoter.buffer(Payload.complete(b), len, 32, false);
    }

    private static String buf(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return buf(b, b.length);
    }

    @Test
    void controlBytesUseNamedEscapesOrShortestOctal() {
        byte[] b = new byte[40];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) i;
        }
        assertThat(buf(b, 40)).isEqualTo("\"\\0\\1\\2\\3\\4\\5\\6\\7\\10\\t\\n\\v\\f\\r\\16\\17\\20\\21\\22\\23\\24\\25\\26\\27"
                + "\\30\\31\\32\\33\\34\\35\\36\\37\"...");
    }

    @Test
    void quotesBackslashesAndHighBytes() {
        assertThat(buf("a\"b\\c\td\ne\rf\u000bg\fh\u007f\u0080\u00ff0\u00019\u0001x"))
                .isEqualTo("\"a\\\"b\\\\c\\td\\ne\\rf\\vg\\fh\\177\\200\\3770\\19\\1x\"");
    }

    @Test
    void octalEscapesWidenWhenAnOctalDigitFollows() {
        assertThat(buf("\u00001")).isEqualTo("\"\\0001\"");
        assertThat(buf("\u00008")).isEqualTo("\"\\08\"");
        assertThat(buf("\u00017")).isEqualTo("\"\\0017\"");
        assertThat(buf("\u0001")).isEqualTo("\"\\1\"");
    }

    @Test
    void utf8IsPrintedByteByByte() {
        byte[] b = "h\u00e9llo".getBytes(StandardCharsets.UTF_8);
        assertThat(buf(b, b.length)).isEqualTo("\"h\\303\\251llo\"");
    }

    @Test
    void cuttingAtTheLimit() {
        String digits = "0123456789012345678901234567890123456789";
        byte[] b = digits.getBytes(StandardCharsets.US_ASCII);
        assertThat(buf(b, 32)).isEqualTo("\"01234567890123456789012345678901\"");
        assertThat(buf(b, 33)).isEqualTo("\"01234567890123456789012345678901\"...");
        assertThat(StringQuoter.buffer(Payload.complete(b), 5, 0, false)).isEqualTo("\"\"...");
        assertThat(StringQuoter.buffer(Payload.complete(new byte[0]), 0, 32, false)).isEqualTo("\"\"");
    }

    @Test
    void nulTerminatedStringsAndPaths() {
        assertThat(StringQuoter.string(Payload.ofString("abcdef"), 6)).isEqualTo("\"abcdef\"");
        assertThat(StringQuoter.string(Payload.ofString("abcdefg"), 6)).isEqualTo("\"abcdef\"...");
        assertThat(StringQuoter.string(Payload.truncated("abc".getBytes()), 6)).isEqualTo("\"abc\"...");
        String longPath = "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache";
        assertThat(StringQuoter.path(Payload.ofString(longPath))).isEqualTo("\"" + longPath + "\"");
    }

    @Test
    void forcedHexForRandomBytes() {
        byte[] b = {0x46, 0x0c, 0x7b, 0x59, 0x63, (byte) 0xe4, 0x00, 0x46};
        assertThat(StringQuoter.buffer(Payload.complete(b), 8, 32, true))
                .isEqualTo("\"\\x46\\x0c\\x7b\\x59\\x63\\xe4\\x00\\x46\"");
    }

    @Test
    void aBufferLengthIsASizeT() {
        // strace 6.1: write(1, "hello world\0\1\33\3;,\0\0\0\4\0\0\0\20\360\377\377x\0\0\0"..., 18446744073709551615)
        byte[] b = "hello world".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(buf(b, -1)).isEqualTo("\"hello world\"...");
        assertThat(buf(b, -100)).isEqualTo("\"hello world\"...");
    }

    @Test
    void aWindowOnALargerArrayQuotesOnlyItsBytes() {
        byte[] b = "xx\"ab\0001yy".getBytes(StandardCharsets.ISO_8859_1);
        Payload p = Payload.wrap(b, 2, 5, false);
        assertThat(StringQuoter.path(p)).isEqualTo("\"\\\"ab\\0001\"");
        assertThat(StringQuoter.string(p, 3)).isEqualTo("\"\\\"ab\"...");
        assertThat(p).isEqualTo(Payload.complete("\"ab\0001".getBytes(StandardCharsets.ISO_8859_1)));
        assertThat(p.bytes()).hasSize(5);
    }
}
