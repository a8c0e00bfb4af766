package dev.jpoline.trace;

import dev.jpoline.api.Errno;
import dev.jpoline.api.SyscallFilter;
import dev.jpoline.api.consts.Signals;
import dev.jpoline.host.Session;
import dev.jpoline.host.SessionLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * strace's {@code -e inject=SET:...} and {@code -e fault=SET:...}, parsed here and written into
 * the session, where the runtime applies them in the target (entry_inject.c): every thread
 * counts the invocations of each injected syscall itself, as strace counts per tracee. The
 * supported tokens are error=, retval=, signal=, delay_enter=, delay_exit= and when=; syscall=,
 * poke_enter= and poke_exit= are refused with a clear line. A syscall named by several rules
 * follows the first, as in strace.
 */
public final class InjectRules {
    static final int MAX_RULES = 16;
    static final int MAX_SYSCALLS = 32;
    private static final int RULE_SIZE = 48;
    private static final Pattern WHEN = Pattern.compile("(\\d+)(?:\\.\\.(\\d+))?(\\+(\\d+)?)?");
    private static final Pattern DELAY = Pattern.compile("(\\d+(?:\\.\\d+)?)(s|ms|us|ns)?");

    /** One rule: what to do, and on which invocations ({@code step} 0: only {@code first}). */
    public record Rule(int[] syscalls, int flags, long value, int signal, long delayEnterNanos, long delayExitNanos,
            long first, long last, long step) {}

    private final List<Rule> rules = new ArrayList<>();

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    public List<Rule> rules() {
        return List.copyOf(rules);
    }

    /** Adds {@code -e inject=spec} ({@code fault}: {@code -e fault=spec}, whose error defaults to ENOSYS). */
    public void add(String spec, boolean fault) {
        String option = fault ? "-e fault=" : "-e inject=";
        String[] tokens = spec.split(":", -1);
        int[] syscalls;
        try {
            syscalls = SyscallFilter.parse(tokens[0]).numbers();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + spec + ": " + e.getMessage());
        }
        int flags = 0;
        long value = 0;
        int signal = 0;
        long delayEnter = 0;
        long delayExit = 0;
        long first = 1;
        long last = SessionLayout.INJECT_NO_LAST;
        long step = 1;
        for (int i = 1; i < tokens.length; i++) {
            String t = tokens[i];
            int eq = t.indexOf('=');
            String key = eq < 0 ? t : t.substring(0, eq);
            String v = eq < 0 ? "" : t.substring(eq + 1);
            switch (key) {
                case "error" -> {
                    flags |= SessionLayout.INJECT_ERROR;
                    value = -errno(option, spec, v);
                }
                case "retval" -> {
                    if (fault) {
                        throw new IllegalArgumentException(option + spec + ": -e fault= takes error= and when= only; use"
                                + " -e inject= for retval=");
                    }
                    flags |= SessionLayout.INJECT_RETVAL;
                    try {
                        value = Long.parseUnsignedLong(v.startsWith("0x") ? v.substring(2) : v, v.startsWith("0x") ? 16 : 10);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(option + spec + ": retval=" + v + " is not a number");
                    }
                }
                case "signal" -> {
                    if (fault) {
                        throw new IllegalArgumentException(option + spec + ": -e fault= takes error= and when= only; use"
                                + " -e inject= for signal=");
                    }
                    flags |= SessionLayout.INJECT_SIGNAL;
                    signal = signal(option, spec, v);
                }
                case "delay_enter", "delay_exit" -> {
                    if (fault) {
                        throw new IllegalArgumentException(option + spec + ": -e fault= takes error= and when= only; use"
                                + " -e inject= for " + key + "=");
                    }
                    long ns = delay(option, spec, key, v);
                    if (key.equals("delay_enter")) {
                        flags |= SessionLayout.INJECT_DELAY_ENTER;
                        delayEnter = ns;
                    } else {
                        flags |= SessionLayout.INJECT_DELAY_EXIT;
                        delayExit = ns;
                    }
                }
                case "when" -> {
                    Matcher m = WHEN.matcher(v);
                    if (!m.matches()) {
                        throw new IllegalArgumentException(option + spec + ": when=" + v + " is not FIRST[..LAST][+[STEP]]");
                    }
                    first = range(option, spec, "first", m.group(1));
                    last = m.group(2) == null ? SessionLayout.INJECT_NO_LAST : range(option, spec, "last", m.group(2));
                    if (m.group(2) != null && last < first) {
                        throw new IllegalArgumentException(option + spec + ": when=" + v + ": last is before first");
                    }
                    // FIRST alone: that invocation only; FIRST..LAST without '+': each of them.
                    step = m.group(3) == null ? (m.group(2) == null ? 0 : 1)
                            : m.group(4) == null ? 1 : range(option, spec, "step", m.group(4));
                }
                case "syscall", "poke_enter", "poke_exit" -> throw new IllegalArgumentException(option + spec + ": "
                        + key + "= is not supported yet (supported: error=, retval=, signal=, delay_enter=, delay_exit=,"
                        + " when=)");
                default -> throw new IllegalArgumentException(option + spec + ": unknown token '" + t
                        + "' (tokens: error=, retval=, signal=, delay_enter=, delay_exit=, when=)");
            }
        }
        if (fault && (flags & SessionLayout.INJECT_ERROR) == 0) {
            flags |= SessionLayout.INJECT_ERROR;
            value = -Errno.ENOSYS.number();
        }
        if (flags == 0) {
            throw new IllegalArgumentException(option + spec + ": give one of error=, retval=, signal=, delay_enter=,"
                    + " delay_exit=");
        }
        if ((flags & SessionLayout.INJECT_ERROR) != 0 && (flags & SessionLayout.INJECT_RETVAL) != 0) {
            throw new IllegalArgumentException(option + spec + ": error= and retval= exclude each other");
        }
        if (rules.size() == MAX_RULES) {
            throw new IllegalArgumentException(option + spec + ": at most " + MAX_RULES + " injection rules");
        }
        rules.add(new Rule(syscalls, flags, value, signal, delayEnter, delayExit, first, last, step));
        if (syscallRules().size() > MAX_SYSCALLS) {
            rules.remove(rules.size() - 1);
            throw new IllegalArgumentException(option + spec + ": injection rules may name at most " + MAX_SYSCALLS
                    + " syscalls in all");
        }
    }

    /** Each injected syscall and the index of the first rule naming it. */
    Map<Integer, Integer> syscallRules() {
        Map<Integer, Integer> first = new LinkedHashMap<>();
        for (int r = 0; r < rules.size(); r++) {
            for (int nr : rules.get(r).syscalls()) {
                first.putIfAbsent(nr, r);
            }
        }
        return first;
    }

    /** The syscalls the rules name: they must reach the runtime's TRACE tier. */
    public int[] syscalls() {
        return syscallRules().keySet().stream().mapToInt(Integer::intValue).toArray();
    }

    /** Writes the rules into the session (before the program runs). */
    public void write(Session s) {
        for (int r = 0; r < rules.size(); r++) {
            Rule rule = rules.get(r);
            int at = SessionLayout.OFF_INJECT_RULES + r * RULE_SIZE;
            s.putInt(at + 4, rule.signal());
            s.putInt(at + 8, (int) rule.first());
            s.putInt(at + 12, (int) rule.last());
            s.putInt(at + 16, (int) rule.step());
            s.putLong(at + 24, rule.value());
            s.putLong(at + 32, rule.delayEnterNanos());
            s.putLong(at + 40, rule.delayExitNanos());
            s.putInt(at, rule.flags()); // last: a rule with flags is complete
        }
        int slot = 0;
        for (Map.Entry<Integer, Integer> e : syscallRules().entrySet()) {
            if (e.getKey() >= SessionLayout.TIER_COUNT) {
                continue;
            }
            s.memory().put(SessionLayout.OFF_INJECT_SLOT_RULE + slot, (byte) (int) e.getValue());
            s.memory().put(SessionLayout.OFF_INJECT_SLOT + e.getKey(), (byte) (slot + 1));
            slot++;
        }
    }

    private static int errno(String option, String spec, String v) {
        if (v.matches("\\d+")) {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= 4095) {
                return n;
            }
        } else {
            var e = Errno.byName(v);
            if (e.isPresent()) {
                return e.get().number();
            }
        }
        throw new IllegalArgumentException(option + spec + ": error=" + v + " is not an errno name (ENOENT) nor 1-4095");
    }

    private static int signal(String option, String spec, String v) {
        if (v.matches("\\d+")) {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= Signals.MAX) {
                return n;
            }
        } else {
            var n = Signals.number(v);
            if (n.isPresent()) {
                return n.get();
            }
        }
        throw new IllegalArgumentException(option + spec + ": signal=" + v + " is not a signal name (SIGUSR1) nor 1-"
                + Signals.MAX);
    }

    /** strace's time specification: a number of microseconds, or with a unit s, ms, us or ns. */
    private static long delay(String option, String spec, String key, String v) {
        Matcher m = DELAY.matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException(option + spec + ": " + key + "=" + v + " is not a time (100, 5ms, 1.5s)");
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "us" : m.group(2);
        double ns = n * switch (unit) {
            case "s" -> 1e9;
            case "ms" -> 1e6;
            case "ns" -> 1;
            default -> 1e3;
        };
        return (long) Math.ceil(ns);
    }

    private static long range(String option, String spec, String what, String digits) {
        long n;
        try {
            n = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > 65535) {
            throw new IllegalArgumentException(option + spec + ": when=: " + what + " must be 1-65535, got " + digits);
        }
        return n;
    }
}
