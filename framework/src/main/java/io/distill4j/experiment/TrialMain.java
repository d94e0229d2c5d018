package io.distill4j.experiment;

import io.distill4j.Distill4jException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs one trial in this JVM from its serialised description and a teacher cache location, and writes its result as
 * JSON: the entry point of a trial run in another process (a child JVM, a cluster task).
 *
 * <pre>java -cp ... io.distill4j.experiment.TrialMain trial.json cache-folder result.json [validation-only]</pre>
 *
 * <p>A student trial needs its teachers in the cache (their trials ran first, anywhere that writes to the same
 * folder). Nothing is tracked and no model is exported: the caller does that with the result. Exit status 0 when a
 * result was written (the trial may have failed; the result says so), 2 for bad arguments or an unreadable trial.
 */
public final class TrialMain {
    private TrialMain() {
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args)));
    }

    static int run(List<String> args) {
        if (args.size() < 3 || args.size() > 4 || (args.size() == 4 && !args.get(3).equals("validation-only"))) {
            System.err.println("usage: TrialMain <trial.json> <teacher-cache-folder> <result.json> [validation-only]");
            return 2;
        }
        try {
            Trial trial = TrialCodec.decodeTrial(TrialCodec.JSON.readTree(Path.of(args.get(0)).toFile()));
            EvaluationScope scope = args.size() == 4 ? EvaluationScope.VALIDATION_ONLY
                    : EvaluationScope.VALIDATION_AND_TEST;
            TrialExecutor executor = new TrialExecutor(TrialContext.at(Path.of(args.get(1)), scope,
                    TrialContext.backendDevice()));
            TrialResult result = executor.execute(trial, TrialListener.NONE);
            Files.write(Path.of(args.get(2)),
                    TrialCodec.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(TrialCodec.encode(result)));
            return 0;
        } catch (IOException | IllegalArgumentException | Distill4jException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
    }
}
