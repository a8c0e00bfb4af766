package dev.jpoline.trace;

import dev.jpoline.trace.format.LineBuffer;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Where a trace's lines go, whatever their format: one output (stderr, -o FILE) in batches, or
 * with -ff a file FILE.TID per thread. Lines are appended to {@link #buffer()} and ended with
 * {@link #endLine(int)}: a record costs no String and no write of its own.
 */
final class TraceOutput {
    /** Lines are handed to the output once this many bytes are buffered. */
    private static final int BATCH_BYTES = 32 * 1024;

    private final LineBuffer out = new LineBuffer(BATCH_BYTES + 4096);
    /** One of these is set, or neither with -ff. */
    private final Writer single;
    private final OutputStream singleStream;
    /** Whether {@link #close()} closes the single output (not stderr). */
    private final boolean closesSingle;
    /** -ff's FILE, or null. */
    private final Path ffBase;
    private final Map<Integer, OutputStream> perThread = new HashMap<>();

    /** {@code ffBase}: -ff's FILE (lines go to FILE.TID), or null for the single output. */
    TraceOutput(Writer single, OutputStream singleStream, boolean closesSingle, Path ffBase) {
        this.single = single;
        this.singleStream = singleStream;
        this.closesSingle = closesSingle;
        this.ffBase = ffBase;
    }

    /** Whether lines go to a file per thread (-ff). */
    boolean perThread() {
        return ffBase != null;
    }

    /** Where the next line is appended. */
    LineBuffer buffer() {
        return out;
    }

    /** Ends the line just appended: with -ff it goes to the thread's file, otherwise into the batch. */
    void endLine(int tid) {
        out.append('\n');
        try {
            if (perThread()) {
                OutputStream w = perThread.get(tid);
                if (w == null) {
                    w = new BufferedOutputStream(Files.newOutputStream(Path.of(ffBase + "." + tid)), 1 << 16);
                    perThread.put(tid, w);
                }
                out.writeTo(w);
                out.clear();
            } else if (out.length() >= BATCH_BYTES) {
                writeBatch();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Hands the buffered lines to the output (which may buffer them further). */
    private void writeBatch() throws IOException {
        if (out.length() == 0) {
            return;
        }
        if (singleStream != null) {
            out.writeTo(singleStream);
        } else {
            out.writeTo(single);
        }
        out.clear();
    }

    void flush() {
        try {
            if (!perThread()) {
                writeBatch();
            }
            if (single != null) {
                single.flush();
            }
            if (singleStream != null) {
                singleStream.flush();
            }
            for (OutputStream w : perThread.values()) {
                w.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void close() {
        try {
            flush();
            for (OutputStream w : perThread.values()) {
                w.close();
            }
            if (closesSingle) {
                if (single != null) {
                    single.close();
                }
                if (singleStream != null) {
                    singleStream.close();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
