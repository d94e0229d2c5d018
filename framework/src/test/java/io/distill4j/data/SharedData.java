package io.distill4j.data;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Test helper: locates the shared real-data folder {@code ../shared/data} beside the repository root. */
public final class SharedData {
    private SharedData() {
    }

    /**
     * The file {@code relative} under {@code shared/data}, found by walking up from the working directory; the
     * calling test is skipped (with the reason) when the folder or file is absent.
     */
    public static Path file(String relative) {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path candidate = d.resolve("shared").resolve("data").resolve(relative);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        assumeTrue(false, "real data shared/data/" + relative + " not found above " + dir + "; skipping");
        throw new AssertionError("unreachable");
    }
}
