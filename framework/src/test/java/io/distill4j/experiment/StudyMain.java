package io.distill4j.experiment;

import io.distill4j.tracking.MlflowFileStore;
import java.nio.file.Path;
import java.util.List;

/** Test helper: runs a study in its own JVM (so that a test can kill it). Args: study results mlruns resume. */
public final class StudyMain {
    private StudyMain() {
    }

    public static void main(String[] args) {
        Study study = Study.load(Path.of(args[0]), List.of());
        try (var store = new MlflowFileStore(Path.of(args[2]))) {
            new StudyRunner(Path.of(args[1]), store, StudyListener.NONE, 1).run(study, Boolean.parseBoolean(args[3]));
        }
    }
}
