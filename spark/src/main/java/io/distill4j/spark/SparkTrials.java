package io.distill4j.spark;

import io.distill4j.experiment.Trial;
import io.distill4j.experiment.TrialDispatcher;
import io.distill4j.experiment.TrialResult;
import io.distill4j.experiment.TrialTask;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;

/**
 * The Spark engine of {@code distill4j run --engine spark}: every trial of a batch is its own Spark job of one task
 * ({@link TrialTask} as a string in, its result as a string out), all submitted at once, so Spark runs as many at a
 * time as it has task slots, retries a failed task ({@code spark.task.maxFailures}; in local mode
 * {@code local[N,F]}), and a trial whose task failed for good comes back as a failed result naming Spark's reason.
 * The master comes from {@code --master}, else from {@code spark-submit} ({@code spark.master}), else
 * {@code local[*]}.
 */
public final class SparkTrials implements TrialDispatcher {
    private final JavaSparkContext spark;
    private final String trackingUri;

    SparkTrials(String master, String trackingUri) {
        SparkConf conf = new SparkConf().setAppName("distill4j");
        if (master != null) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        this.spark = new JavaSparkContext(conf);
        this.trackingUri = trackingUri;
    }

    /** Runs a task on an executor (a plain function class: Spark serialises it to the workers). */
    static final class RunTask implements Function<String, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String call(String task) {
            return TrialTask.run(task);
        }
    }

    @Override
    public List<TrialResult> run(List<Trial> trials, Batch batch) {
        List<JavaFutureAction<List<String>>> jobs = new ArrayList<>();
        for (Trial t : trials) {
            spark.setJobDescription(t.role().label() + " " + t.description() + " (trial " + t.id() + ")");
            jobs.add(spark.parallelize(List.of(TrialTask.encode(t, batch, trackingUri)), 1).map(new RunTask())
                    .collectAsync());
        }
        List<TrialResult> out = new ArrayList<>();
        for (int i = 0; i < trials.size(); i++) {
            Trial t = trials.get(i);
            try {
                out.add(TrialTask.decode(t, jobs.get(i).get().get(0)));
            } catch (ExecutionException e) {
                out.add(new TrialResult(t, t.id(), Map.of(), Map.of(), 0, 0, null,
                        "the Spark task failed for good: " + reason(e.getCause()), Map.of()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                jobs.forEach(j -> j.cancel(true));
                throw new io.distill4j.Distill4jException("interrupted");
            }
        }
        return out;
    }

    /** The first line of Spark's failure: it holds the task's own exception and message. */
    private static String reason(Throwable e) {
        String m = e == null ? "unknown" : String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    @Override
    public String describe() {
        return "spark " + spark.master() + " (application " + spark.sc().applicationId() + ", "
                + spark.defaultParallelism() + " task slot(s))";
    }

    @Override
    public void close() {
        spark.stop();
    }

    /** {@code --engine spark}. */
    public static final class Factory implements TrialDispatcher.Factory {
        @Override
        public String engine() {
            return "spark";
        }

        @Override
        public TrialDispatcher open(String master, String trackingUri) {
            return new SparkTrials(master, trackingUri);
        }
    }
}
