package io.distill4j.cli;

import io.distill4j.Distill4jException;
import io.distill4j.tracking.rest.TrackingUris;
import io.distill4j.tracking.rest.MlflowHttp;
import io.distill4j.tracking.rest.MlflowSync;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code distill4j mlflow sync STORE --to URI}: replays a local file store to a server, exactly once. */
@Command(name = "sync", mixinStandardHelpOptions = true,
        description = "Replay a local MLflow file store (e.g. results/mlruns-offline) to an MLflow server. "
                + "Already synced runs are skipped, so running it again changes nothing.")
public final class MlflowSyncCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "STORE", description = "The local file store folder.")
    Path store;

    @Option(names = "--to", required = true, paramLabel = "URI", description = "The server, http(s)://host:port.")
    String to;

    @Override
    public Integer call() {
        if (!TrackingUris.isServer(to)) {
            throw new Distill4jException("--to must be an http(s):// MLflow server, got '" + to + "'");
        }
        if (!Files.isDirectory(store)) {
            throw new Distill4jException("no MLflow file store at " + store);
        }
        var out = spec.commandLine().getOut();
        try {
            MlflowSync.Result r = MlflowSync.sync(store, TrackingUris.api(to, System.getenv(),
                    MlflowHttp.Retry.DEFAULT), line -> {
                        out.println(line);
                        out.flush();
                    });
            out.println("sync to " + to + ": " + r);
            return 0;
        } catch (MlflowHttp.Unavailable | MlflowHttp.ApiError e) {
            throw new Distill4jException(e.getMessage() + " (nothing is lost: run the sync again later)");
        }
    }
}
