package dev.jpoline.trace;

import dev.jpoline.trace.format.FdResolver;
import dev.jpoline.trace.format.TraceRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code -y}: what a descriptor refers to. Records are drained after the fact, when the process
 * may have closed the descriptor or exited, so the paths of successful open/openat/creat calls
 * with absolute names are remembered per process (until close), and everything else is read from
 * {@code /proc/TID/fd/N} at drain time (best effort). Used from the draining thread only.
 */
final class FdPaths implements FdResolver {
    private static final int NR_OPEN = 2;
    private static final int NR_CLOSE = 3;
    private static final int NR_CREAT = 85;
    private static final int NR_OPENAT = 257;

    private final Map<Integer, Integer> processOf = new HashMap<>();
    private final Map<Integer, Map<Integer, String>> open = new HashMap<>();

    /** Before a record's line is formatted: learn what its result opened. */
    void before(TraceRecord r) {
        processOf.put(r.tid(), r.pid());
        if (!r.hasReturn() || r.returnValue() < 0) {
            return;
        }
        int pathArg = switch ((int) r.number()) {
            case NR_OPEN, NR_CREAT -> 0;
            case NR_OPENAT -> 1;
            default -> -1;
        };
        if (pathArg < 0) {
            return;
        }
        r.payload(pathArg).ifPresent(p -> {
            String path = new String(p.bytes(), StandardCharsets.UTF_8);
            if (path.startsWith("/") && !p.truncated()) {
                open.computeIfAbsent(r.pid(), k -> new HashMap<>()).put((int) r.returnValue(), path);
            }
        });
    }

    /** After it: forget what it closed. */
    void after(TraceRecord r) {
        if (r.number() == NR_CLOSE && r.hasReturn() && r.returnValue() == 0) {
            Map<Integer, String> table = open.get(r.pid());
            if (table != null) {
                table.remove((int) r.arg(0));
            }
        }
    }

    @Override
    public Optional<String> resolve(int tid, int fd) {
        Map<Integer, String> table = open.get(processOf.getOrDefault(tid, tid));
        if (table != null && table.containsKey(fd)) {
            return Optional.of(table.get(fd));
        }
        try {
            Path link = fd == -100 ? Path.of("/proc/" + tid + "/cwd") : Path.of("/proc/" + tid + "/fd/" + fd);
            return Optional.of(Files.readSymbolicLink(link).toString());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
