package io.distill4j.experiment;

import java.nio.file.Path;

/**
 * Test helper run in a child JVM: takes the lock on the results folder {@code args[0]}, prints {@code locked}, and
 * holds it for {@code args[1]} seconds (or until killed).
 */
public final class HoldResultsLock {
    private HoldResultsLock() {
    }

    @SuppressWarnings("try") // the lock is held by the try block, never used in it
    public static void main(String[] args) throws InterruptedException {
        try (ResultsLock lock = ResultsLock.acquire(Path.of(args[0]))) {
            System.out.println("locked");
            System.out.flush();
            Thread.sleep(Long.parseLong(args[1]) * 1000L);
        }
    }
}
