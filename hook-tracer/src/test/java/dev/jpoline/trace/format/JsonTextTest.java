package dev.jpoline.trace.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** JSON strings of rendered texts: always valid JSON, whatever bytes a path holds. */
class JsonTextTest {
    private static String json(byte[] b) {
        LineBuffer out = new LineBuffer();
        JsonText.string(out, b, 0, b.length);
        return out.toString();
    }

    private static String json(String s) {
        return JsonText.string(new LineBuffer(), s).toString();
    }

    @Test
    void stracesEscapesStayAsTheyAreWithTheirBackslashesEscaped() {
        assertThat(json("\"hello\\n\"...")).isEqualTo("\"\\\"hello\\\\n\\\"...\"");
        assertThat(json("\"\\x46\\x0c\"")).isEqualTo("\"\\\"\\\\x46\\\\x0c\\\"\"");
    }

    @Test
    void controlCharactersAreJsonEscapes() {
        assertThat(json(new byte[] {'a', '\n', '\t', '\r', '\b', '\f', 0, 0x1f, 0x7f, 'z'}))
                .isEqualTo("\"a\\n\\t\\r\\b\\f\\u0000\\u001f\\u007fz\"");
    }

    @Test
    void wellFormedUtf8PassesAsItIs() {
        String text = "/tmp/é€😀";
        assertThat(json(text.getBytes(StandardCharsets.UTF_8))).isEqualTo("\"" + text + "\"");
    }

    @Test
    void bytesThatAreNotUtf8BecomeStracesHexEscape() {
        assertThat(json(new byte[] {'a', (byte) 0xff, 'b'})).isEqualTo("\"a\\\\xffb\"");
        // a lone continuation byte, an overlong '/', a surrogate, a sequence cut short
        assertThat(json(new byte[] {(byte) 0x80})).isEqualTo("\"\\\\x80\"");
        assertThat(json(new byte[] {(byte) 0xc0, (byte) 0xaf})).isEqualTo("\"\\\\xc0\\\\xaf\"");
        assertThat(json(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80})).isEqualTo("\"\\\\xed\\\\xa0\\\\x80\"");
        assertThat(json(new byte[] {'x', (byte) 0xe2, (byte) 0x82})).isEqualTo("\"x\\\\xe2\\\\x82\"");
        assertThat(json(new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}))
                .as("beyond U+10FFFF").isEqualTo("\"\\\\xf4\\\\x90\\\\x80\\\\x80\"");
    }

    @Test
    void aRangeOfTheBuffer() {
        byte[] b = "0123456789".getBytes(StandardCharsets.US_ASCII);
        LineBuffer out = new LineBuffer();
        JsonText.string(out, b, 2, 5);
        assertThat(out.toString()).isEqualTo("\"234\"");
    }
}
