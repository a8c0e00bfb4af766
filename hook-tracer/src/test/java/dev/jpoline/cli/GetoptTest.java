package dev.jpoline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GetoptTest {
    private static final String[] SPECS = {"-f", "-t", "-T", "-s N", "-o FILE", "-e EXPR", "--stats", "--host-timeout MS"};

    /** Every option as "name" or "name=value", then "|" and the operands. */
    private static List<String> read(boolean operandEndsOptions, String... args) {
        Getopt g = new Getopt("jpoline test", args, 0, SPECS, operandEndsOptions);
        List<String> seen = new ArrayList<>();
        for (String o = g.next(); o != null; o = g.next()) {
            seen.add(g.value() == null ? o : o + "=" + g.value());
        }
        seen.add("|");
        seen.addAll(g.operands());
        return seen;
    }

    private static List<String> read(String... args) {
        return read(true, args);
    }

    @Test
    void shortFlagsClusterAsInStrace() {
        assertThat(read("-ff", "-ttt", "-fT", "prog")).containsExactly("-f", "-f", "-t", "-t", "-t", "-f", "-T", "|", "prog");
    }

    @Test
    void aShortOptionsValueIsTheRestOfItsWordOrTheNextWord() {
        assertThat(read("-s64", "-s", "7", "-fo", "out.txt", "-foout2", "-etrace=open", "p"))
                .containsExactly("-s=64", "-s=7", "-f", "-o=out.txt", "-f", "-o=out2", "-e=trace=open", "|", "p");
    }

    @Test
    void aValueIsTakenAsItIsEvenWhenItLooksLikeAnOption() {
        // getopt's rule: a required argument is the next word, whatever it is.
        assertThat(read("-s", "-1", "-o", "--", "p")).containsExactly("-s=-1", "-o=--", "|", "p");
    }

    @Test
    void aLongOptionsValueFollowsAnEqualsSignOrIsTheNextWord() {
        assertThat(read("--host-timeout=500", "--host-timeout", "600", "--stats", "p"))
                .containsExactly("--host-timeout=500", "--host-timeout=600", "--stats", "|", "p");
    }

    @Test
    void doubleDashEndsTheOptions() {
        assertThat(read("-f", "--", "-T", "--stats")).containsExactly("-f", "|", "-T", "--stats");
        assertThat(read(false, "--", "--stats")).containsExactly("|", "--stats");
    }

    @Test
    void theFirstOperandEndsTheOptionsWhenItNamesAProgram() {
        assertThat(read("-f", "ls", "-l", "--stats")).containsExactly("-f", "|", "ls", "-l", "--stats");
        assertThat(read("-", "x")).containsExactly("|", "-", "x");
    }

    @Test
    void optionsAndOperandsMayMixWhenOperandsAreFiles() {
        assertThat(read(false, "a", "--stats", "b", "-f")).containsExactly("--stats", "-f", "|", "a", "b");
    }

    @Test
    void helpAndVersionStopTheParsingWhereverTheyAre() {
        Getopt help = new Getopt("jpoline test", new String[] {"-fh", "-Q"}, 0, SPECS, true);
        assertThat(help.next()).isEqualTo("-f");
        assertThat(help.next()).isNull();
        assertThat(help.helpRequested()).isTrue();
        assertThat(help.versionRequested()).isFalse();

        Getopt version = new Getopt("jpoline test", new String[] {"--stats", "--version", "--bogus"}, 0, SPECS, true);
        assertThat(version.next()).isEqualTo("--stats");
        assertThat(version.next()).isNull();
        assertThat(version.versionRequested()).isTrue();
        assertThat(version.operands()).isEmpty();
    }

    @Test
    void argumentsBeforeTheStartAreNotRead() {
        Getopt g = new Getopt("jpoline test", new String[] {"jpoline", "test", "-f", "p"}, 2, SPECS, true);
        assertThat(g.next()).isEqualTo("-f");
        assertThat(g.next()).isNull();
        assertThat(g.operands()).containsExactly("p");
    }

    @Test
    void anUnknownShortOptionIsNamedAlone() {
        assertThatThrownBy(() -> read("-fQ", "p")).isInstanceOf(UserError.class)
                .hasMessage("Unknown option: '-Q'; see: jpoline test --help");
    }

    @Test
    void anUnknownLongOptionIsNamedWithoutItsValue() {
        assertThatThrownBy(() -> read("--bogus=1", "p")).hasMessage("Unknown option: '--bogus'; see: jpoline test --help");
        // No abbreviations: a prefix of a long option is not that option.
        assertThatThrownBy(() -> read("--stat", "p")).hasMessage("Unknown option: '--stat'; see: jpoline test --help");
        assertThatThrownBy(() -> read("--host", "5")).hasMessage("Unknown option: '--host'; see: jpoline test --help");
    }

    @Test
    void aMissingValueNamesTheOptionAndWhatItTakes() {
        assertThatThrownBy(() -> read("-f", "-s")).isInstanceOf(UserError.class)
                .hasMessage("-s needs a value: -s N; see: jpoline test --help");
        assertThatThrownBy(() -> read("-fo")).hasMessage("-o needs a value: -o FILE; see: jpoline test --help");
        assertThatThrownBy(() -> read("--host-timeout"))
                .hasMessage("--host-timeout needs a value: --host-timeout MS; see: jpoline test --help");
    }

    @Test
    void aFlagGivenAValueIsRefused() {
        assertThatThrownBy(() -> read("--stats=yes", "p"))
                .hasMessage("--stats takes no value, got '--stats=yes'; see: jpoline test --help");
    }

    @Test
    void aBadNumberNamesTheOptionAndTheValue() {
        Getopt g = new Getopt("jpoline test", new String[] {"-s", "abc", "--host-timeout=99999999999", "-s=3"}, 0, SPECS, true);
        assertThat(g.next()).isEqualTo("-s");
        assertThatThrownBy(g::intValue).isInstanceOf(UserError.class)
                .hasMessage("-s takes a whole number N, got 'abc'; see: jpoline test --help");
        assertThat(g.next()).isEqualTo("--host-timeout");
        assertThatThrownBy(g::intValue)
                .hasMessage("--host-timeout takes a whole number MS, got '99999999999'; see: jpoline test --help");
        // strace's spelling: a short option's value is the rest of the word, '=' included.
        assertThat(g.next()).isEqualTo("-s");
        assertThatThrownBy(g::intValue).hasMessage("-s takes a whole number N, got '=3'; see: jpoline test --help");
    }

    @Test
    void signedNumbersAreNumbers() {
        Getopt g = new Getopt("jpoline test", new String[] {"-s", "+5", "-s-2"}, 0, SPECS, true);
        g.next();
        assertThat(g.intValue()).isEqualTo(5);
        g.next();
        assertThat(g.intValue()).isEqualTo(-2);
    }

    @Test
    void missingOperandsSayWhatIsMissing() {
        Getopt g = new Getopt("jpoline test", new String[] {"-f"}, 0, SPECS, true);
        while (g.next() != null) {
            // only -f
        }
        assertThatThrownBy(() -> g.requireOperands("name the program: jpoline test PROGRAM"))
                .isInstanceOf(UserError.class)
                .hasMessage("name the program: jpoline test PROGRAM; see: jpoline test --help");
    }
}
