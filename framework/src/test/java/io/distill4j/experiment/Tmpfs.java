package io.distill4j.experiment;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted on a folder, for tests that need a real full disk. Mounting needs root (or an equivalent
 * capability); {@link #mount} returns null where it is not permitted, and the test is then skipped.
 */
public final class Tmpfs implements AutoCloseable {
    private final Path dir;

    private Tmpfs(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code megabytes} on the (existing, empty) folder {@code dir}; null if not permitted. */
    public static Tmpfs mount(Path dir, int megabytes) throws IOException, InterruptedException {
        if (!System.getProperty("os.name").toLowerCase().contains("linux")) {
            return null;
        }
        return run("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", dir.toString()) == 0
                ? new Tmpfs(dir) : null;
    }

    /** Writes a file until the file system reports it is full (a real ENOSPC); returns the file. */
    public Path fill() throws IOException {
        Path filler = dir.resolve("filler.bin");
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException e) {
            if (e.getMessage() == null || !e.getMessage().contains("No space left on device")) {
                throw e;
            }
        }
        return filler;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (run("umount", dir.toString()) != 0) {
            throw new IOException("cannot unmount the test tmpfs " + dir);
        }
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            return -1; // no mount command
        }
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}
