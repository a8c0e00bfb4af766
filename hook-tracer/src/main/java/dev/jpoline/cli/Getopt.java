package dev.jpoline.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The options of one command, read the way strace's getopt_long reads them: short options
 * cluster ({@code -ff}, {@code -ttt}, {@code -fT}), a short option's value is the rest of its
 * word or the next word ({@code -s64}, {@code -s 64}, {@code -foFILE}), a long option's value
 * follows {@code =} or is the next word, {@code --} ends the options. {@code -h}/{@code --help}
 * and {@code -V}/{@code --version} are known to every command.
 *
 * <p>Hand-written rather than a library: the command line is on the start-up path of every
 * traced program, and a reflective parser cost jpoline about 160 ms there.
 */
final class Getopt {
    private final String command;
    private final String[] args;
    /** Option specs: "-f" is a flag, "-s N" takes a value named N; long ones alike ("--stats", "--host-timeout MS"). */
    private final String[] specs;
    /** Whether the first operand ends the options (run and trace: what follows is the program's). */
    private final boolean operandEndsOptions;
    private final List<String> operands = new ArrayList<>();
    private int index;
    private String cluster;
    private int clusterPosition;
    private String option;
    private String value;
    private String valueLabel;
    private boolean help;
    private boolean version;

    /**
     * @param command the command as the user types it ("jpoline trace"), for messages
     * @param start index of the first argument of this command in {@code args}
     */
    Getopt(String command, String[] args, int start, String[] specs, boolean operandEndsOptions) {
        this.command = command;
        this.args = args;
        this.index = start;
        this.specs = specs;
        this.operandEndsOptions = operandEndsOptions;
    }

    /**
     * The next option, spelled as in its spec ("-f", "--stats"), or null when the options end:
     * at the end of the arguments, after {@code --}, at the first operand of a command whose
     * operands end the options, or at a help or version request.
     */
    String next() {
        option = null;
        value = null;
        while (true) {
            if (cluster != null) {
                if (clusterPosition < cluster.length()) {
                    return shortOption(cluster.charAt(clusterPosition++));
                }
                cluster = null;
            }
            if (index >= args.length) {
                return null;
            }
            String arg = args[index++];
            if (arg.equals("--")) {
                takeTheRestAsOperands();
                return null;
            }
            if (arg.startsWith("--")) {
                return longOption(arg);
            }
            if (arg.length() > 1 && arg.charAt(0) == '-') {
                cluster = arg;
                clusterPosition = 1;
                continue;
            }
            operands.add(arg);
            if (operandEndsOptions) {
                takeTheRestAsOperands();
                return null;
            }
        }
    }

    private void takeTheRestAsOperands() {
        while (index < args.length) {
            operands.add(args[index++]);
        }
    }

    private String shortOption(char letter) {
        if (letter == 'h' || letter == 'V') {
            return stop(letter == 'h');
        }
        String spec = find("-" + letter);
        if (spec == null) {
            throw usage("Unknown option: '-" + letter + "'");
        }
        option = "-" + letter;
        if (spec.length() > 2) {
            valueLabel = spec.substring(3);
            if (clusterPosition < cluster.length()) {
                value = cluster.substring(clusterPosition);
                cluster = null;
            } else if (index < args.length) {
                value = args[index++];
            } else {
                throw missingValue();
            }
        }
        return option;
    }

    private String longOption(String arg) {
        int eq = arg.indexOf('=');
        String name = eq < 0 ? arg : arg.substring(0, eq);
        if (name.equals("--help") || name.equals("--version")) {
            return stop(name.equals("--help"));
        }
        String spec = find(name);
        if (spec == null) {
            throw usage("Unknown option: '" + name + "'");
        }
        option = name;
        if (spec.length() == name.length()) {
            if (eq >= 0) {
                throw usage(name + " takes no value, got '" + arg + "'");
            }
        } else {
            valueLabel = spec.substring(name.length() + 1);
            if (eq >= 0) {
                value = arg.substring(eq + 1);
            } else if (index < args.length) {
                value = args[index++];
            } else {
                throw missingValue();
            }
        }
        return option;
    }

    private String stop(boolean isHelp) {
        if (isHelp) {
            help = true;
        } else {
            version = true;
        }
        cluster = null;
        index = args.length;
        return null;
    }

    /** The spec whose name is exactly {@code name}, or null. */
    private String find(String name) {
        for (String spec : specs) {
            if (spec.startsWith(name) && (spec.length() == name.length() || spec.charAt(name.length()) == ' ')) {
                return spec;
            }
        }
        return null;
    }

    /** The value of the option {@link #next} just returned. */
    String value() {
        return value;
    }

    /** The value as a whole number; a one-line error naming the option otherwise. */
    int intValue() {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw usage(option + " takes a whole number " + valueLabel + ", got '" + value + "'");
        }
    }

    boolean helpRequested() {
        return help;
    }

    boolean versionRequested() {
        return version;
    }

    /** Everything that is not an option, in order: for run and trace, the program and its arguments. */
    List<String> operands() {
        return operands;
    }

    /** The operands, of which there must be at least one; {@code missing} says which, when there is none. */
    List<String> requireOperands(String missing) {
        if (operands.isEmpty()) {
            throw usage(missing);
        }
        return operands;
    }

    private UserError missingValue() {
        return usage(option + " needs a value: " + option + " " + valueLabel);
    }

    /** A user error that ends with where to read more. */
    UserError usage(String message) {
        return new UserError(message + "; see: " + command + " --help");
    }
}
