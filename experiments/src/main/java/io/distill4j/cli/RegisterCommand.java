package io.distill4j.cli;

import io.distill4j.Distill4jException;
import io.distill4j.experiment.ModelRegistration;
import io.distill4j.tracking.rest.MlflowHttp;
import io.distill4j.tracking.rest.TrackingUris;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code distill4j register STUDY-RESULTS --trial ID --name MODEL}: a trial's logged model becomes a new version of
 * a registered model on an MLflow server (see {@link ModelRegistration}).
 */
@Command(name = "register", mixinStandardHelpOptions = true,
        description = "Register a trial's logged MLflow Model (e.g. the best distilled student) in an MLflow "
                + "server's Model Registry: creates the registered model if needed and a new version linked to "
                + "the trial's run.")
public final class RegisterCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "STUDY-RESULTS",
            description = "The study's results folder, e.g. results/quickstart (holds trials/<id>.json).")
    Path studyResults;

    @Option(names = "--trial", required = true, paramLabel = "ID", description = "The trial id (summary, runs).")
    String trial;

    @Option(names = "--name", required = true, paramLabel = "MODEL", description = "The registered model's name.")
    String name;

    @Option(names = "--tracking-uri", paramLabel = "URI",
            description = "The http(s):// MLflow server (default: MLFLOW_TRACKING_URI).")
    String trackingUri;

    @Option(names = "--experiment", paramLabel = "NAME",
            description = "The study's experiment (default: the name of the study's results folder).")
    String experiment;

    @Override
    public Integer call() {
        if (!Files.isDirectory(studyResults.resolve("trials"))) {
            throw new Distill4jException("no study results at " + studyResults + " (expected a folder with trials/, "
                    + "e.g. results/quickstart)");
        }
        String uri = TrackingUris.resolve(trackingUri, null, System.getenv(), studyResults);
        if (!TrackingUris.isServer(uri)) {
            throw new Distill4jException("registering needs an http(s):// MLflow server (--tracking-uri or "
                    + "MLFLOW_TRACKING_URI), got '" + uri + "'");
        }
        String exp = experiment != null ? experiment
                : studyResults.toAbsolutePath().normalize().getFileName().toString();
        try {
            var r = ModelRegistration.register(TrackingUris.api(uri, System.getenv(), MlflowHttp.Retry.DEFAULT),
                    studyResults, exp, trial, name);
            spec.commandLine().getOut().printf("registered %s version %s (%s) from run %s, source %s%n",
                    r.version().name(), r.version().version(), r.modelCreated() ? "new model" : "existing model",
                    r.runId(), r.version().source());
            return 0;
        } catch (MlflowHttp.Unavailable | MlflowHttp.ApiError e) {
            throw new Distill4jException(e.getMessage());
        }
    }
}
