package io.distill4j.cli;

import io.distill4j.experiment.Shard;
import io.distill4j.experiment.TrialDispatcher;
import io.distill4j.tracking.rest.TrackingUris;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** Where {@code run} and {@code search} train: {@code --engine}, {@code --master}, {@code --gpus-per-task}. */
final class EngineOptions {
    @Option(names = "--engine", paramLabel = "local|spark", defaultValue = "local",
            description = "Where trials run: local (this process, --workers threads; default) or spark (Spark tasks: "
                    + "a study's teachers first, then its students; a search's teachers, then its candidates with the "
                    + "generator on this driver; needs the optional spark module, see README 'Scaling out').")
    String engine;

    @Option(names = "--master", paramLabel = "URL",
            description = "With --engine spark: the Spark master (local[N], spark://host:7077, yarn, k8s://...); "
                    + "default: spark-submit's, else local[*].")
    String master;

    @Option(names = "--gpus-per-task", paramLabel = "N", defaultValue = "0",
            description = "With --engine spark: 1 asks Spark's resource scheduling for one GPU per task "
                    + "(spark.task.resource.gpu.amount) and trains each trial on the GPU Spark assigned it; needs the "
                    + "CUDA build (./distill4j --cuda --spark). Default: ${DEFAULT-VALUE}.")
    int gpusPerTask;

    /** The cluster engine (null for local), checked against the other options and {@code shard} (may be null). */
    TrialDispatcher.Factory factory(Shard shard) {
        if (engine.equals("local")) {
            if (master != null || gpusPerTask != 0) {
                throw new io.distill4j.Distill4jException((master != null ? "--master" : "--gpus-per-task")
                        + " needs --engine spark (the local engine runs in this process; it trains on --device)");
            }
            return null;
        }
        if (shard != null) {
            throw new io.distill4j.Distill4jException("--shard and --engine " + engine + " do not combine: the engine"
                    + " spreads the whole study itself");
        }
        return TrialDispatcher.find(engine).orElseThrow(() -> new io.distill4j.Distill4jException("--engine "
                + engine + " is not in this build: " + (engine.equals("spark") ? "run ./distill4j --spark ... "
                + "(builds the optional spark module, about 155 MB of Spark jars; see README 'Scaling out')"
                : "the engines are local and spark")));
    }

    /** Starts {@code factory}'s engine (null: none) for workers logging to {@code uri}, and prints its line. */
    TrialDispatcher open(TrialDispatcher.Factory factory, String uri, PrintWriter out) {
        if (factory == null) {
            return null;
        }
        TrialDispatcher dispatcher = factory.open(master, workerUri(uri), gpusPerTask);
        out.println("engine " + dispatcher.describe());
        out.flush();
        return dispatcher;
    }

    /** The tracking URI as workers in other processes must see it: a file store as an absolute path. */
    static String workerUri(String uri) {
        return TrackingUris.isServer(uri) ? uri : TrackingUris.fileStore(uri).toAbsolutePath().normalize().toString();
    }
}
