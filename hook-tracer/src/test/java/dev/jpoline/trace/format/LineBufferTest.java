package dev.jpoline.trace.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The buffer's numbers are the JDK's, its text is what a StringBuilder and a UTF-8 writer would give. */
class LineBufferTest {
    private static final long[] EDGES = {0, 1, -1, 7, 8, 9, 10, 99, 100, 255, 256, 4095, 4096, Integer.MAX_VALUE,
        Integer.MIN_VALUE, Integer.MAX_VALUE + 1L, Integer.MIN_VALUE - 1L, 0xffffffffL, Long.MAX_VALUE, Long.MIN_VALUE,
        Long.MIN_VALUE + 1, 999_999_999_999L, 1_000_000_000_000_000_000L};

    @Test
    void numbersAreTheJdksNumbers() {
        Random rnd = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            long v = i < EDGES.length ? EDGES[i] : rnd.nextInt(4) == 0 ? rnd.nextInt() : rnd.nextLong() >> rnd.nextInt(64);
            assertThat(new LineBuffer().decimal(v).toString()).isEqualTo(Long.toString(v));
            assertThat(new LineBuffer().decimal((int) v).toString()).isEqualTo(Integer.toString((int) v));
            assertThat(new LineBuffer().unsigned(v).toString()).isEqualTo(Long.toUnsignedString(v));
            assertThat(new LineBuffer().hexDigits(v).toString()).isEqualTo(Long.toHexString(v));
            assertThat(new LineBuffer().hex(v).toString()).isEqualTo(v == 0 ? "0" : "0x" + Long.toHexString(v));
            assertThat(new LineBuffer().octalDigits(v).toString()).isEqualTo(Long.toOctalString(v));
            long small = Math.abs(v % 10_000_000);
            assertThat(new LineBuffer().zeroPadded(small, 6).toString()).isEqualTo(String.format("%06d", small));
        }
    }

    @Test
    void textIsUtf8AndColumnsCountUtf16Chars() throws Exception {
        String s = "3</tmp/h\u00e9llo \ud834\udd1e \u20ac>";
        LineBuffer b = new LineBuffer(4);
        b.append("read(").append(s).append(',').spaces(3);
        String expected = "read(" + s + ",   ";
        assertThat(b.toString()).isEqualTo(expected);
        assertThat(b.charsSince(0)).isEqualTo(expected.length());
        assertThat(b.charsSince(5)).isEqualTo(expected.length() - 5);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        b.writeTo(bytes);
        assertThat(bytes.toByteArray()).isEqualTo(expected.getBytes(StandardCharsets.UTF_8));
        StringWriter chars = new StringWriter();
        b.writeTo(chars);
        assertThat(chars.toString()).isEqualTo(expected);
        b.delete(0, 5);
        assertThat(b.toString()).isEqualTo(expected.substring(5));
    }

    @Test
    void asciiGoesToAWriterAsIs() throws Exception {
        LineBuffer b = new LineBuffer();
        for (int i = 0; i < 5000; i++) {
            b.append("4242  getpid() = ").decimal(i).append('\n');
        }
        StringWriter w = new StringWriter();
        b.writeTo(w);
        assertThat(w.toString()).isEqualTo(b.toString()).startsWith("4242  getpid() = 0\n").endsWith("= 4999\n");
    }
}
