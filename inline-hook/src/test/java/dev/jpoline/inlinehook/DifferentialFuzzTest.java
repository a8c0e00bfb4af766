package dev.jpoline.inlinehook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.sun.jna.Callback;
import com.sun.jna.Function;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Differential fuzzing: C functions of many prologue shapes, built at -O0 to -O3 (and with
 * endbr64), each hooked with a transparent and a transforming detour, native and Java; for
 * thousands of random inputs the hooked function gives the original's result (or that result
 * composed with the detour's change), the trampoline always the original's, and disabling
 * gives the original's again. A function the engine refuses must be refused for a reason
 * that holds (a branch into its first bytes) with its bytes untouched.
 */
class DifferentialFuzzTest {
    private static final int INPUTS = 2000;
    private static final boolean AVX2 = cpuHas("avx2");
    private static final Map<String, String> REFUSALS = new TreeMap<>();
    private static int hooked;

    interface L1 extends Callback {
        long invoke(long a);
    }

    interface L2 extends Callback {
        long invoke(long a, long b);
    }

    interface D2 extends Callback {
        double invoke(double a, double b);
    }

    interface L8 extends Callback {
        long invoke(long a, long b, long c, long d, long e, long f, long g, long h);
    }

    /** A target: its name, how to call it with random inputs, a Java detour of its signature. */
    enum Shape {
        LEAF_ADD("leaf_add", 2), EARLY_CALL("early_call", 1), BIG_FRAME("big_frame", 1), EARLY_JCC("early_jcc", 2),
        LOOP_SUM("loop_sum", 1), SWITCHY("switchy", 2), AVX_SUM("avx_sum", 1), RIP_COUNTER("rip_counter", 1),
        SSE_POLY("sse_poly", -2), MANY_ARGS("many_args", 8), VAR_SUM("var_sum", 4);

        final String symbol;
        /** Integer arguments; -2: two doubles. */
        final int arity;

        Shape(String symbol, int arity) {
            this.symbol = symbol;
            this.arity = arity;
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (String level : HookTargets.LEVELS) {
            for (Shape s : Shape.values()) {
                all.add(Arguments.of(level, s, "rel32"));
                all.add(Arguments.of(level, s, "absolute"));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{1} at {0}, {2} jump")
    @MethodSource("cases")
    void hookedResultsMatchTheOriginalComposedWithTheDetour(String level, Shape shape, String jump) {
        if (shape == Shape.AVX_SUM && !AVX2) {
            return; // the function cannot run here at all
        }
        HookTargets t = HookTargets.at(level);
        long target = t.address(shape.symbol);
        Function fn = t.function(shape.symbol);
        long[][] inputs = inputs(shape, level.hashCode() * 31L + shape.ordinal());
        Object[] baseline = callAll(t, shape, fn, inputs);
        byte[] before = t.bytes(target, 16);
        boolean absolute = jump.equals("absolute");
        HookRegistry registry = new HookRegistry(!absolute);

        for (String mode : List.of("native-same", "native-plus", "java-same", "java-plus")) {
            boolean plus = mode.endsWith("plus");
            Hook hook;
            try {
                hook = mode.startsWith("native")
                        ? registry.create(target, t.address(shape.symbol + (plus ? "_plus" : "_same")))
                        : registry.create(target, javaDetour(shape, plus));
            } catch (HookException e) {
                if (absolute && e.reason() == HookException.Reason.PROLOGUE_TOO_SHORT) {
                    return; // shorter than 14 bytes: only the rel32 jump fits, checked in its own case
                }
                assertThat(e.reason()).as("%s at %s: %s", shape, level, e.getMessage())
                        .isEqualTo(HookException.Reason.BRANCH_INTO_PROLOGUE);
                assertThat(t.bytes(target, 16)).as("a refused hook writes nothing").isEqualTo(before);
                synchronized (REFUSALS) {
                    REFUSALS.put(shape + "@" + level + "/" + jump, e.getMessage());
                }
                return;
            }
            try (hook) {
                javaOriginal = new Pointer(hook.trampoline());
                if (mode.startsWith("native")) {
                    t.setOriginal(shape.symbol, hook.trampoline());
                }
                assertThat(hook.patchLength()).isEqualTo(absolute ? 14 : 5);
                hook.enable();
                assertThat(t.bytes(target, 16)).isNotEqualTo(before);
                Object[] hookedResults = callAll(t, shape, fn, inputs);
                Object[] throughTrampoline = callAll(t, shape, Function.getFunction(new Pointer(hook.trampoline())), inputs);
                hook.disable();
                assertThat(t.bytes(target, 16)).as("disable puts the original bytes back").isEqualTo(before);
                Object[] after = callAll(t, shape, fn, inputs);
                for (int i = 0; i < inputs.length; i++) {
                    Object want = plus ? plusThousand(baseline[i]) : baseline[i];
                    if (!want.equals(hookedResults[i])) {
                        fail("%s at %s, %s detour, input %s: hooked gave %s, want %s (patch %d bytes, stolen %d)", shape,
                                level, mode, java.util.Arrays.toString(inputs[i]), hookedResults[i], want,
                                hook.patchLength(), hook.stolenLength());
                    }
                    assertThat(throughTrampoline[i]).as("trampoline, input %d", i).isEqualTo(baseline[i]);
                    assertThat(after[i]).as("after disable, input %d", i).isEqualTo(baseline[i]);
                }
            }
            synchronized (REFUSALS) {
                hooked++;
            }
        }
    }

    @AfterAll
    static void report() {
        System.out.printf("differential fuzz: %d hooks checked, %d (shape, level) refused: %s%n", hooked,
                REFUSALS.size(), REFUSALS.keySet());
        // Refusals are fine only where a loop or branch really lands in the first bytes; most
        // shapes must hook at every level.
        assertThat(REFUSALS.size()).as("refused: %s", REFUSALS).isLessThanOrEqualTo(12);
    }

    private static volatile Pointer javaOriginal;

    private static Callback javaDetour(Shape shape, boolean plus) {
        long add = plus ? 1000 : 0;
        switch (shape.arity) {
            case 1:
                return (L1) a -> Function.getFunction(javaOriginal).invokeLong(new Object[] {a}) + add;
            case 2:
                return (L2) (a, b) -> Function.getFunction(javaOriginal).invokeLong(new Object[] {a, b}) + add;
            case -2:
                return (D2) (a, b) -> Function.getFunction(javaOriginal).invokeDouble(new Object[] {a, b}) + add;
            case 8:
                return (L8) (a, b, c, d, e, f, g, h) -> Function.getFunction(javaOriginal)
                        .invokeLong(new Object[] {a, b, c, d, e, f, g, h}) + add;
            case 4:
                // variadic: the test always passes n and three more
                return (L8) (a, b, c, d, e, f, g, h) -> Function.getFunction(javaOriginal)
                        .invokeLong(new Object[] {a, b, c, d}) + add;
            default:
                throw new AssertionError(shape);
        }
    }

    private static Object plusThousand(Object v) {
        return v instanceof Double ? (Object) ((Double) v + 1000) : (Object) ((Long) v + 1000);
    }

    private static long[][] inputs(Shape shape, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long[][] in = new long[INPUTS][Math.abs(shape.arity)];
        for (long[] row : in) {
            for (int j = 0; j < row.length; j++) {
                row[j] = switch (r.nextInt(4)) {
                    case 0 -> r.nextLong();
                    case 1 -> r.nextLong(-100, 100);
                    case 2 -> r.nextInt();
                    default -> r.nextLong(0, 1 << 20);
                };
            }
        }
        return in;
    }

    private static Object[] callAll(HookTargets t, Shape shape, Function fn, long[][] inputs) {
        if (shape == Shape.RIP_COUNTER) {
            t.function("rip_reset").invokeVoid(new Object[0]);
        }
        Object[] out = new Object[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            long[] a = inputs[i];
            out[i] = switch (shape.arity) {
                case 1 -> fn.invokeLong(new Object[] {a[0]});
                case 2 -> fn.invokeLong(new Object[] {a[0], a[1]});
                case -2 -> fn.invokeDouble(new Object[] {(double) a[0] / 7.0, (double) a[1] / 3.0});
                case 8 -> fn.invokeLong(new Object[] {a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]});
                case 4 -> fn.invokeLong(new Object[] {3L, a[1], a[2], a[3]});
                default -> throw new AssertionError(shape);
            };
        }
        return out;
    }

    static boolean cpuHas(String flag) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    return List.of(line.substring(line.indexOf(':') + 1).trim().split(" ")).contains(flag);
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
