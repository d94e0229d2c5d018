package io.distill4j.search;

import io.distill4j.experiment.StudyListener;
import io.distill4j.tracking.MlflowFileStore;
import java.nio.file.Path;
import java.util.List;

/** Test helper: runs a search in its own JVM (so that a test can kill it). Args: study results mlruns resume. */
public final class SearchMain {
    private SearchMain() {
    }

    public static void main(String[] args) {
        Search search = Search.load(Path.of(args[0]), List.of());
        try (var store = new MlflowFileStore(Path.of(args[2]))) {
            new SearchRunner(Path.of(args[1]), store, SearchListener.NONE, StudyListener.NONE, 1, null)
                    .run(search, Boolean.parseBoolean(args[3]));
        }
    }
}
