package io.distill4j;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The last step of every write that must never be seen half done (ledger records, tracking files, models, klines,
 * summaries): a complete temporary file renamed over its target.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /**
     * Moves {@code tmp} over {@code target} atomically; on a file system without atomic renames, with a plain
     * replacing move.
     */
    public static void replace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
