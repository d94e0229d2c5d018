package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.Distill4jException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The results-folder lock: in one JVM, and across processes with a child JVM holding it. */
@SuppressWarnings("try") // locks are held by try blocks, never used in them
class ResultsLockTest {
    @TempDir
    Path dir;

    @Test
    void secondLockInTheSameJvmFailsAtOnceNamingFolderAndHolder() {
        Path results = dir.resolve("results");
        try (ResultsLock first = ResultsLock.acquire(results)) {
            Distill4jException e = assertThrows(Distill4jException.class, () -> ResultsLock.acquire(results));
            String m = e.getMessage();
            assertTrue(m.startsWith("results folder " + results + " is in use by another distill4j run (pid "
                    + ProcessHandle.current().pid() + " on host "), m);
            assertTrue(m.contains(", started 20"), m);
            assertTrue(m.endsWith("); wait for it to finish, or choose another folder with --results"), m);
            assertFalse(m.contains("\n"), m);
            // the refused attempt must not have released the first lock
            assertThrows(Distill4jException.class, () -> ResultsLock.acquire(dir.resolve("x/../results")));
        }
        try (ResultsLock again = ResultsLock.acquire(results)) {
            assertEquals(results, again.folder());
        }
    }

    @Test
    void lockHeldOutsideThisClassInTheJvmIsReported() throws IOException {
        Path results = Files.createDirectories(dir.resolve("r"));
        try (FileChannel ch = FileChannel.open(results.resolve(ResultsLock.FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock held = ch.lock()) {
            Distill4jException e = assertThrows(Distill4jException.class, () -> ResultsLock.acquire(results));
            assertEquals("results folder " + results + " is in use by another distill4j run (holder unknown); wait "
                    + "for it to finish, or choose another folder with --results", e.getMessage());
        }
    }

    @Test
    void differentFoldersDoNotConflict() {
        try (ResultsLock a = ResultsLock.acquire(dir.resolve("a")); ResultsLock b = ResultsLock.acquire(dir.resolve("b"))) {
            assertTrue(Files.exists(dir.resolve("a").resolve(ResultsLock.FILE)));
            assertTrue(Files.exists(dir.resolve("b").resolve(ResultsLock.FILE)));
        }
    }

    @Test
    void lockHeldByAnotherProcessIsRefusedAndFreedWhenItEnds() throws Exception {
        Path results = dir.resolve("shared");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                HoldResultsLock.class.getName(), results.toString(), "60")
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = out.readLine();
            assertEquals("locked", line, "the child did not take the lock");
            Distill4jException e = assertThrows(Distill4jException.class, () -> ResultsLock.acquire(results));
            assertTrue(e.getMessage().startsWith("results folder " + results + " is in use by another distill4j run "
                    + "(pid " + child.pid() + " on host "), e.getMessage());
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        // the operating system released the killed child's lock
        try (ResultsLock mine = ResultsLock.acquire(results)) {
            assertEquals(results, mine.folder());
        }
    }
}
