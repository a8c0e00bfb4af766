package dev.jpoline.host;

import dev.jpoline.runtime.RuntimeLibrary;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import dev.jpoline.api.hooks.HookDispatcher;
import java.util.function.Consumer;

/**
 * Starts a program inside a session: the runtime preloaded, the session named in the
 * environment, stdin/stdout/stderr handed over untouched; serves its rewrite requests until it
 * exits, and returns its exit status the way a shell reports it (128+N for signal N).
 */
public final class Launcher {
    /** Exit status for a program that cannot be found, as a shell gives it. */
    public static final int EXIT_NOT_FOUND = 127;

    private final PrintWriter diagnostics;
    private final int waitTimeoutMs;
    private HookDispatcher hooks;
    private boolean exhaustive;

    /** Call slots of the HOOK tier: more target threads in hooks at once than this run unhooked. */
    static final int CALL_SLOTS = 64;
    /** Never given to hooks: the entry plays stack games for these (rt_sigreturn, clone, fork, vfork, clone3). */
    private static final int[] UNHOOKABLE = {15, 56, 57, 58, 435};

    public Launcher(PrintWriter diagnostics, int waitTimeoutMs) {
        this.diagnostics = diagnostics;
        this.waitTimeoutMs = waitTimeoutMs;
    }

    /**
     * Hands the syscalls that {@code dispatcher}'s hooks intercept to them (HOOK tier); every
     * other syscall stays PASS.
     */
    public Launcher withHooks(HookDispatcher dispatcher) {
        this.hooks = dispatcher;
        return this;
    }

    /** --exhaustive: Syscall User Dispatch on top of VA0, for code that was not rewritten. */
    public Launcher exhaustive(boolean on) {
        this.exhaustive = on;
        return this;
    }

    /**
     * strace's -E: variables the program's environment gets (a null value: removed), applied
     * before the program is looked up in PATH. jpoline's own variables (LD_PRELOAD, the session)
     * are set after them, a program's LD_PRELOAD kept behind jpoline's runtime.
     */
    public Launcher environment(Map<String, String> changes) {
        this.environmentChanges = new java.util.LinkedHashMap<>(changes);
        return this;
    }

    private Map<String, String> environmentChanges = Map.of();

    /**
     * strace's -u: the program runs as this user (jpoline must be root); null for jpoline's own
     * user. See {@link UserSwitch}.
     */
    public Launcher runAs(UserSwitch.Account account) {
        this.runAs = account;
        return this;
    }

    private UserSwitch.Account runAs;

    /**
     * trace: the program is followed with ptrace from its execve (docs/ptrace-window.md): a
     * dynamic one until its runtime's constructor, so that the loader's syscalls are seen too; a
     * statically linked one, which LD_PRELOAD cannot reach, to its end. The observer must then
     * also be a {@link PtraceWindowObserver}. With hooks and no such observer (run --hooks
     * --from-exec), the windows hand the loader's calls to the hooks, and static programs are
     * not followed.
     */
    public Launcher ptraceWindow(boolean on) {
        this.ptraceWindow = on;
        return this;
    }

    private boolean ptraceWindow;

    /** What the ptrace window needs of the trace: where the processes that end are told. */
    public interface PtraceWindowObserver {
        void processEnded(Orphans.Ended ended);
    }

    private void applyHookTiers(Session session) {
        applyHookTiers(session, hooks);
    }

    /** The HOOK tier for every syscall {@code hooks} intercepts, but those the entry cannot hand out. */
    static void applyHookTiers(Session session, HookDispatcher hooks) {
        java.util.BitSet numbers = hooks.hookedNumbers();
        for (int nr : UNHOOKABLE) {
            numbers.clear(nr);
        }
        numbers.stream().filter(nr -> nr < SessionLayout.TIER_COUNT)
                .forEach(nr -> session.setTier(nr, SessionLayout.TIER_HOOK));
    }

    /** Outcome of a run: the program's exit status, and what the session saw. */
    public record Outcome(int exitStatus, long processesRegistered, long processesThatGaveUp) {}

    /**
     * Runs {@code command} and waits for it.
     *
     * @param handlerFactory builds the handler that answers rewrite requests for this session
     */
    public Outcome run(List<String> command, java.util.function.Function<Session, Consumer<RewriteRequest>> handlerFactory) {
        return run(command, handlerFactory, 0, null);
    }

    /** Watches a session from its creation to its program's end (the tracer). */
    public interface Observer {
        /**
         * The session exists and the program is started, but its runtime waits for the answer to
         * its start-up request, which comes after this returns: set tiers and the capture schema.
         */
        void sessionCreated(Session session);

        /** The program started. */
        void started(long pid);

        /** The request server runs: the program is being rewritten, or will be in a moment. */
        default void serving() {}

        /**
         * The program ended (status as a shell reports it), or could not start (126); called after
         * {@link #serving()} and before the session closes.
         */
        void exited(int status);

        /** jpoline left the processes it attached to (trace -p), running or not; instead of {@link #exited}. */
        default void detached() {
            exited(0);
        }
    }

    /**
     * Runs {@code command} in a session with a trace ring of {@code ringSize} bytes (0: none),
     * telling {@code observer} (may be null) about the session and the program.
     */
    public Outcome run(List<String> command, java.util.function.Function<Session, Consumer<RewriteRequest>> handlerFactory,
            int ringSize, Observer observer) {
        Map<String, String> env = System.getenv();
        if (!environmentChanges.isEmpty()) {
            // -E applies before anything reads the environment: PATH finds the program in it.
            env = new java.util.HashMap<>(env);
            for (Map.Entry<String, String> e : environmentChanges.entrySet()) {
                if (e.getValue() == null) {
                    env.remove(e.getKey());
                } else {
                    env.put(e.getKey(), e.getValue());
                }
            }
        }
        Optional<Path> program = ProgramCheck.resolve(command.get(0), env.get("PATH"));
        if (program.isEmpty()) {
            diagnostics.println("jpoline: " + command.get(0) + ": command not found");
            return new Outcome(EXIT_NOT_FOUND, 0, 0);
        }
        Path library = runAs == null ? RuntimeLibrary.bundled().extract() : UserSwitch.sharedRuntime();
        try (Session session = Session.create(Session.DEFAULT_DIRECTORY, 64, waitTimeoutMs, ringSize,
                hooks == null ? 0 : CALL_SLOTS)) {
            if (runAs != null) {
                UserSwitch.giveSession(session.file(), runAs);
            }
            if (exhaustive) {
                // Before the program starts: its runtime reads the flag in its constructor.
                session.putInt(SessionLayout.OFF_MODE_FLAGS, SessionLayout.MODE_EXHAUSTIVE);
            }
            int unreachable = ProgramCheck.unreachableCode(program.get());
            // trace: followed with ptrace from its execve (docs/ptrace-window.md), a dynamic
            // program until its runtime's constructor, a static one (LD_PRELOAD cannot reach it)
            // to its end. Not a set-id program: a traced exec would drop its privileges.
            boolean isStatic = unreachable == SessionLayout.UNREACHABLE_STATIC;
            // run --hooks --from-exec: the same window hands the loader's calls to the hooks (a
            // static program is not followed: run does not follow one).
            boolean tracing = observer instanceof PtraceWindowObserver;
            boolean window = ptraceWindow && runAs == null && (tracing || hooks != null)
                    && (unreachable == 0 || (isStatic && tracing));
            boolean staticTree = window && isStatic;
            if (staticTree) {
                diagnostics.println(followedWithPtrace(program.get().toString()));
            } else if (unreachable != 0) {
                diagnostics.println("jpoline: " + program.get() + " runs without jpoline: "
                        + HostRewriting.unreachableReason(unreachable));
            }
            // The program starts first: its loader runs while the rest is set up here. Its
            // runtime's constructor waits for the answer to its start-up request, which the
            // request server gives only once it runs, after the tiers and the capture schema are
            // in place (records wait in the ring for the drain); the constructor reads the tiers
            // after that answer.
            Map<String, String> set = new java.util.LinkedHashMap<>();
            List<String> remove = new java.util.ArrayList<>(List.of(INHERITED_SIGNALS_ENV, INHERITED_FDS_ENV));
            environmentChanges.forEach((name, value) -> {
                if (value == null) {
                    remove.add(name);
                } else {
                    set.put(name, value);
                }
            });
            if (!staticTree) { // a static tree gets none of ours: nothing in it joins, the window sees it all
                String preload = env.get("LD_PRELOAD");
                // Ours first, so its constructor runs before any other preloaded library's.
                set.put("LD_PRELOAD", library + (preload == null || preload.isBlank() ? "" : ":" + preload));
                set.put(Session.ENV, session.file().toString());
                set.put(SIGNAL_STATE_ENV, launchSignalState(env));
                if (window) {
                    set.put(WINDOW_ENV, "1");
                }
            }
            // A jpoline the program runs measures its own (its inherited signals and descriptors).
            int pid;
            try {
                String inherited = env.get(INHERITED_FDS_ENV);
                List<byte[]> environment = Spawn.environment(set, remove, inherited != null);
                if (window) {
                    Path helper = RuntimeLibrary.execStopped().extract();
                    pid = Spawn.start(helper, execStoppedArgv(helper, env, program.get(), command), environment,
                            inherited);
                } else if (runAs == null) {
                    pid = Spawn.start(program.get(), command, environment, inherited);
                } else {
                    Path helper = UserSwitch.helper();
                    pid = Spawn.start(helper, UserSwitch.helperArgv(helper, runAs, program.get(), command), environment,
                            inherited);
                }
            } catch (Spawn.Failed e) {
                diagnostics.println("jpoline: cannot start " + program.get() + ": " + e.getMessage());
                if (observer != null) {
                    observer.sessionCreated(session);
                    observer.serving();
                    observer.exited(126);
                }
                return new Outcome(126, 0, 0);
            }
            // The window gets ready (runtime loaded, program seized) while the rest is set up.
            CompletableFuture<Void> windowGo = new CompletableFuture<>();
            PtraceWindow follower = !window ? null
                    : tracing ? PtraceWindow.follow(library, session, pid, ((PtraceWindowObserver) observer)::processEnded, windowGo)
                    : PtraceWindow.follow(library, session, pid, ended -> { }, windowGo, hooks);
            // Before the request server answers the program, which then runs its own code (a
            // shell's trap) and may get the terminal's Ctrl-C with jpoline.
            SignalRelay relay = SignalRelay.forChild(pid);
            try {
                if (hooks != null) {
                    applyHookTiers(session);
                }
                if (observer != null) {
                    observer.sessionCreated(session);
                    observer.started(pid);
                }
                if (follower != null) {
                    windowGo.complete(null); // the schema is in place: the window may record with it
                }
                Consumer<RewriteRequest> handler = handlerFactory.apply(session);
                if (follower != null) {
                    handler = windowRequests(follower, handler);
                }
                try (RequestServer server = new RequestServer(session, handler,
                        error -> diagnostics.println("jpoline: rewriting failed: " + error))) {
                    if (observer != null) {
                        observer.serving();
                    }
                    int status;
                    try (HookServer hookServer = hooks == null ? null
                            : new HookServer(session, hooks, diagnostics::println)) {
                        status = follower == null ? Spawn.waitFor(pid)
                                : afterWindow(follower, pid, staticTree ? "it runs untraced" : "the loader's syscalls are not shown");
                    }
                    relay.close();
                    if (observer != null) {
                        observer.exited(status); // with the server up: descendants still run and load code
                    }
                    return new Outcome(status, session.processesRegistered(), session.processesThatGaveUp());
                }
            } finally {
                relay.close();
            }
        } catch (UncheckedIOException e) {
            diagnostics.println("jpoline: " + e.getMessage());
            return new Outcome(1, 0, 0);
        }
    }

    /** The line for a static program that the window follows, {@code what} naming it. */
    private static String followedWithPtrace(String what) {
        return "jpoline: " + what + " is statically linked, so LD_PRELOAD cannot reach it: it is followed with ptrace"
                + " instead, at strace's speed";
    }

    /** The environment variable that tells the runtime to end the window (jpoline.h). */
    static final String WINDOW_ENV = "JPOLINE_PTRACE_WINDOW";

    /** jpoline-exec-stopped's arguments: the launch signal state, the path as strace shows it, argv. */
    private static List<String> execStoppedArgv(Path helper, Map<String, String> env, Path program, List<String> command) {
        // The path as strace's execve line shows it: as given when it has a slash, else as found along PATH.
        String path = command.get(0).contains("/") ? command.get(0) : program.toString();
        List<String> argv = new java.util.ArrayList<>(List.of(helper.toString(), launchSignalState(env), path));
        argv.addAll(command);
        return argv;
    }

    /** Exec-window requests go to the window's follower, the rest to {@code rest}. */
    private Consumer<RewriteRequest> windowRequests(PtraceWindow follower, Consumer<RewriteRequest> rest) {
        return r -> {
            if (r.kind() != SessionLayout.KIND_EXEC_WINDOW && r.kind() != SessionLayout.KIND_EXEC_WINDOW_CLOSE) {
                rest.accept(r);
                return;
            }
            int result = follower.serve(r);
            if (result == 0 && r.kind() == SessionLayout.KIND_EXEC_WINDOW && r.rangeStart() == 1) {
                diagnostics.println(followedWithPtrace("pid " + r.pid() + ": " + r.payload()));
            }
            r.finish(result);
        };
    }

    /**
     * The top-level status once the window is over, after the last process of its tree: the
     * window's follower is the host's only waiter from the program's start to the end (it seizes
     * the programs the tree execs), so it reaps the program and its orphans. {@code unfollowed}
     * says what a window that could not start means.
     */
    private int afterWindow(PtraceWindow follower, int pid, String unfollowed) {
        try {
            follower.handedOver().get(); // or the window could not start: the program is ours to wait for
            int status = new Orphans.Ended(pid, follower.topStatus().get()).shellStatus();
            follower.done().get(); // like strace -f: the trace ends with the last process
            return status;
        } catch (java.util.concurrent.ExecutionException e) {
            diagnostics.println("jpoline: " + e.getCause().getMessage() + "; " + unfollowed);
            CompletableFuture<Integer> top = follower.topStatus();
            if (top.isDone() && !top.isCompletedExceptionally()) {
                return new Orphans.Ended(pid, top.join()).shellStatus(); // reaped before the failure
            }
            return Spawn.waitFor(pid);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Spawn.waitFor(pid);
        }
    }

    /** The runtime restores this signal state in the top-level program (jpoline.h). */
    static final String SIGNAL_STATE_ENV = "JPOLINE_SIGNAL_STATE";
    /** Set by the jpoline script: the SigBlk and SigIgn it was started with, "BLOCKED,IGNORED" in hex. */
    static final String INHERITED_SIGNALS_ENV = "JPOLINE_INHERITED_SIGNALS";
    /**
     * Set by the jpoline script: the descriptors above 2 it was started with ("3,7"), which the
     * program gets too; the JVM's own are not passed on.
     */
    static final String INHERITED_FDS_ENV = "JPOLINE_INHERITED_FDS";

    /**
     * The signal mask and ignored signals the program starts with: those jpoline was started with
     * when the script says so, else none (a JVM's process launch would leave SIGQUIT blocked and
     * glibc's private signals ignored).
     */
    static String launchSignalState(Map<String, String> env) {
        String inherited = env.get(INHERITED_SIGNALS_ENV);
        if (inherited != null && inherited.matches("[0-9a-fA-F]{1,16},[0-9a-fA-F]{1,16}")) {
            return inherited;
        }
        return "0,0";
    }

}
