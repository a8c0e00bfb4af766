package dev.jpoline.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The native runtime {@code libjpoline.so} as shipped inside the jar, and its extraction to a
 * file that {@code LD_PRELOAD} can name.
 *
 * <p>The file is named by a hash of its content, so a changed runtime never overwrites one that
 * running targets still map. It is written to a temporary file and renamed into place, so a
 * concurrent first run sees either no file or the whole file.
 */
public final class RuntimeLibrary {
    /** Class-path location of the library built by this module. */
    public static final String RESOURCE = "/dev/jpoline/runtime/linux-x86-64/libjpoline.so";

    private static final String PREFIX = "libjpoline-";
    private static final String SUFFIX = ".so";
    /** Older extractions are removed after this long, leaving time for targets that still use them. */
    private static final Duration STALE_AFTER = Duration.ofDays(7);
    /** How often a directory is looked through for stale extractions. */
    static final Duration PRUNE_EVERY = Duration.ofDays(1);
    static final String PRUNED_MARKER = ".pruned";

    /** trace -u's static helper (user_switch/user_switch.c), built beside the library. */
    static final String USER_SWITCH_RESOURCE = "/dev/jpoline/runtime/linux-x86-64/jpoline-user-switch";
    private static final String USER_SWITCH_PREFIX = "jpoline-user-switch-";
    static final String EXEC_STOPPED_RESOURCE = "/dev/jpoline/runtime/linux-x86-64/jpoline-exec-stopped";
    private static final String EXEC_STOPPED_PREFIX = "jpoline-exec-stopped-";

    private final byte[] content;
    private final String sha256;
    /** The extracted file's name around the hash: the library's, or the helper's. */
    private final String prefix;
    private final String suffix;

    private RuntimeLibrary(byte[] content) {
        this(content, sha256Hex(content));
    }

    private RuntimeLibrary(byte[] content, String sha256) {
        this(content, sha256, PREFIX, SUFFIX);
    }

    private RuntimeLibrary(byte[] content, String sha256, String prefix, String suffix) {
        this.content = content;
        this.sha256 = sha256;
        this.prefix = prefix;
        this.suffix = suffix;
    }

    /**
     * Beside the library, "SHA256 SIZE" of it, written by the build (trampoline-va0's pom): hashing
     * 35 KB at start-up, interpreted and after setting up the JDK's security providers, took
     * 25-40 ms of CPU on the way to starting every program.
     */
    static final String DIGEST_RESOURCE = RESOURCE + ".sha256";

    private static RuntimeLibrary bundled;

    /**
     * The library bundled with this build, read once per JVM; synchronized so that a caller
     * arriving while another thread reads it waits for that rather than doing it again.
     */
    public static synchronized RuntimeLibrary bundled() {
        if (bundled == null) {
            bundled = readBundled();
        }
        return bundled;
    }

    private static RuntimeLibrary readBundled() {
        byte[] content = readResource(RESOURCE);
        try {
            String digest = builtDigest(content.length);
            return digest != null ? new RuntimeLibrary(content, digest) : new RuntimeLibrary(content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled native runtime", e);
        }
    }

    /**
     * trace -u's helper as bundled with this build, extracted like the library (by content hash,
     * atomically, owner-only): it runs as the caller, before it changes credentials.
     */
    public static RuntimeLibrary userSwitch() {
        byte[] content = readResource(USER_SWITCH_RESOURCE);
        return new RuntimeLibrary(content, sha256Hex(content), USER_SWITCH_PREFIX, "");
    }

    /**
     * The first process of a program traced with ptrace (docs/ptrace-window.md), as bundled with
     * this build, extracted like the library: it stops itself, then execs the program.
     */
    public static RuntimeLibrary execStopped() {
        byte[] content = readResource(EXEC_STOPPED_RESOURCE);
        return new RuntimeLibrary(content, sha256Hex(content), EXEC_STOPPED_PREFIX, "");
    }

    private static byte[] readResource(String resource) {
        try (InputStream in = RuntimeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the native runtime's " + resource
                        + " is missing from the class path; rebuild with: mvn -DskipTests package");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled " + resource, e);
        }
    }

    /** The build's digest of the bundled library, or null when it is missing or not for these bytes. */
    static String builtDigest(int size) throws IOException {
        try (InputStream in = RuntimeLibrary.class.getResourceAsStream(DIGEST_RESOURCE)) {
            if (in == null) {
                return null;
            }
            return parseDigest(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII), size);
        }
    }

    /** The hex digest of a "SHA256 SIZE" line, when SIZE is {@code size}; otherwise null. */
    static String parseDigest(String line, int size) {
        String[] f = line.strip().split(" ");
        if (f.length != 2 || f[0].length() != 64 || !f[1].equals(Integer.toString(size))) {
            return null;
        }
        for (int i = 0; i < 64; i++) {
            char c = f[0].charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return null;
            }
        }
        return f[0];
    }

    /** A library with the given bytes (tests, and hosts that ship their own build). */
    public static RuntimeLibrary of(byte[] content) {
        return new RuntimeLibrary(content.clone());
    }

    public String sha256() {
        return sha256;
    }

    /** File name inside the cache directory: the content hash decides it. */
    public String fileName() {
        return prefix + sha256.substring(0, 32) + suffix;
    }

    /**
     * Extracts into {@code dir} for other users to load (trace -u): the directory is this
     * user's, writable by nobody else, and the file readable by everyone.
     */
    public Path extractShared(Path dir) {
        UserCacheDirectory.openShared(dir);
        Path target = dir.resolve(fileName());
        try {
            if (!holdsThisContent(target)) {
                writeAtomically(dir, target, "r-xr-xr-x");
            } else if (!Files.getPosixFilePermissions(target, LinkOption.NOFOLLOW_LINKS)
                    .contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("r-xr-xr-x"));
            }
            pruneStale(dir, target); // other builds' copies, as in the private cache
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the native runtime to " + target, e);
        }
    }

    /** Extracts into the default per-user cache directory. */
    public Path extract() {
        return extract(UserCacheDirectory.open());
    }

    /**
     * Returns a path inside {@code cacheDir} holding exactly this library, owner-only. An existing
     * file with the right content is reused untouched; a missing or damaged one is (re)written
     * atomically.
     */
    public Path extract(Path cacheDir) {
        UserCacheDirectory.open(cacheDir);
        Path target = cacheDir.resolve(fileName());
        try {
            if (!holdsThisContent(target)) {
                writeAtomically(cacheDir, target, "r-x------");
            }
            pruneStale(cacheDir, target);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the native runtime to " + target
                    + "; check the disk or set " + UserCacheDirectory.OVERRIDE_ENV, e);
        }
    }

    private boolean holdsThisContent(Path file) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) != content.length) {
            return false;
        }
        return Arrays.equals(Files.readAllBytes(file), content);
    }

    private void writeAtomically(Path dir, Path target, String mode) throws IOException {
        Path temp = Files.createTempFile(dir, ".extract-", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                out.write(java.nio.ByteBuffer.wrap(content));
                out.force(true);
            }
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(mode));
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the cache directory does not support atomic rename", e);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Removes other builds' extractions older than {@link #STALE_AFTER}, at most once a day per
     * directory (a marker file's age says when it last did): it reads the whole directory, on
     * the way to starting every program.
     */
    private static void pruneStale(Path dir, Path keep) {
        Path marker = dir.resolve(PRUNED_MARKER);
        long now = System.currentTimeMillis();
        try {
            if (now - Files.getLastModifiedTime(marker, LinkOption.NOFOLLOW_LINKS).toMillis() < PRUNE_EVERY.toMillis()) {
                return;
            }
        } catch (IOException e) {
            // No marker yet: prune, and leave one.
        }
        try {
            if (!Files.exists(marker, LinkOption.NOFOLLOW_LINKS)) {
                Files.createFile(marker, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            Files.setLastModifiedTime(marker, FileTime.fromMillis(now));
        } catch (IOException e) {
            return; // a directory we cannot write to has nothing we could remove either
        }
        Instant cutoff = Instant.now().minus(STALE_AFTER);
        try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
            for (Path p : old) {
                if (p.equals(keep)) {
                    continue;
                }
                FileTime modified = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
                if (modified.toInstant().isBefore(cutoff)) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            // Pruning is housekeeping; failing at it must not stop a run.
        }
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
