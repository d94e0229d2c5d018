package io.distill4j.experiment;

import io.distill4j.tracking.MlflowFileStore;
import java.nio.file.Path;
import java.util.List;

/** Test helper: runs one shard of a study in its own JVM. Args: study results mlruns i/n. */
public final class ShardMain {
    private ShardMain() {
    }

    public static void main(String[] args) {
        Study study = Study.load(Path.of(args[0]), List.of());
        try (var store = new MlflowFileStore(Path.of(args[2]))) {
            new StudyRunner(Path.of(args[1]), store, StudyListener.NONE, 1).withShard(Shard.parse(args[3]))
                    .run(study, false);
        }
    }
}
