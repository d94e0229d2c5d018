package io.distill4j.experiment;

import io.distill4j.Distill4jException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An exclusive lock on a results folder, held for the whole of a {@code distill4j run}, so that two runs (two
 * processes, or two runs in one JVM) never write the same summaries, students, teacher cache and MLflow store at
 * once. Use with try-with-resources:
 *
 * <pre>{@code
 * try (ResultsLock lock = ResultsLock.acquire(results)) { ... }
 * }</pre>
 *
 * <p>The lock is a {@link FileLock} on {@code <results>/.lock}; the file holds {@code pid}, {@code host} and
 * {@code started} of the holder, which a refused run quotes. The operating system releases the lock when the holding
 * process ends, however it ends, so a killed run never leaves a stale lock (the file itself stays, unlocked). A
 * {@link FileLock} belongs to the whole JVM, so locks taken in this JVM are also tracked here and a second
 * {@link #acquire} of the same folder fails the same way, without opening (and on close releasing) the lock file.
 */
public final class ResultsLock implements AutoCloseable {
    /** The lock file's name inside the results folder. */
    public static final String FILE = ".lock";
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path folder;
    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;

    private ResultsLock(Path folder, Path key, FileChannel channel, FileLock lock) {
        this.folder = folder;
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Creates {@code folder} if needed and locks it; fails at once with a one-line {@link Distill4jException} naming
     * the folder and, when readable, the holder, if another run holds it.
     */
    public static ResultsLock acquire(Path folder) {
        Path key;
        try {
            Files.createDirectories(folder);
            key = folder.toRealPath();
        } catch (IOException e) {
            throw new Distill4jException("cannot create the results folder " + folder + ": " + e.getMessage(), e);
        }
        Path file = key.resolve(FILE);
        if (!HELD.add(key)) {
            throw inUse(folder, holder(file));
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held in this JVM by someone not using this class
            }
            if (lock == null) {
                String holder = holder(file);
                channel.close();
                HELD.remove(key);
                throw inUse(folder, holder);
            }
            String info = "pid=" + ProcessHandle.current().pid() + "\nhost=" + host() + "\nstarted="
                    + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\n";
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(info.getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            return new ResultsLock(folder, key, channel, lock);
        } catch (IOException e) {
            HELD.remove(key);
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException ignored) {
                // already failing
            }
            throw new Distill4jException("cannot lock the results folder " + folder + " (" + file + "): "
                    + e.getMessage(), e);
        }
    }

    /** The locked folder, as given to {@link #acquire}. */
    public Path folder() {
        return folder;
    }

    /** Releases the lock (the lock file stays, empty). */
    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                channel.truncate(0);
                lock.release();
            }
            channel.close();
        } catch (IOException ignored) {
            // the OS releases the lock when the channel or the process goes away
        } finally {
            HELD.remove(key);
        }
    }

    private static Distill4jException inUse(Path folder, String holder) {
        return new Distill4jException("results folder " + folder + " is in use by another distill4j run ("
                + holder + "); wait for it to finish, or choose another folder with --results");
    }

    /** {@code pid 123 on host h, started 2026-01-01T00:00:00Z}, or what is known of it. */
    static String holder(Path file) {
        Map<String, String> info = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0 && line.length() < 300) {
                    info.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return "holder unknown: " + file + " is not readable";
        }
        if (!info.containsKey("pid")) {
            return "holder unknown";
        }
        return "pid " + info.get("pid") + " on host " + info.getOrDefault("host", "unknown") + ", started "
                + info.getOrDefault("started", "unknown");
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
