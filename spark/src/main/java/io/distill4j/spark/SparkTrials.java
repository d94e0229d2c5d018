package io.distill4j.spark;

import io.distill4j.Distill4jException;
import io.distill4j.device.DeviceEnvironment;
import io.distill4j.device.TaskDevice;
import io.distill4j.experiment.TrialDispatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.resource.ResourceInformation;

/**
 * The Spark engine of {@code distill4j run|search --engine spark}: every task (a trial, a search candidate) is its
 * own Spark job of one task (the task as a string in, its result as a string out), all of a batch submitted at once,
 * so Spark runs as many at a time as it has task slots, retries a failed task ({@code spark.task.maxFailures}; in
 * local mode {@code local[N,F]}), and a task that failed for good comes back naming Spark's reason. The driver hears
 * of each task as it ends. The master comes from {@code --master}, else from {@code spark-submit}
 * ({@code spark.master}), else {@code local[*]}. With {@code --gpus-per-task 1} every task asks Spark's resource
 * scheduling for one GPU ({@code spark.task.resource.gpu.amount}) and trains on the one Spark assigned it.
 */
public final class SparkTrials implements TrialDispatcher {
    /** The resource name of GPUs in Spark's resource scheduling. */
    static final String GPU = "gpu";

    private final JavaSparkContext spark;
    private final String trackingUri;

    SparkTrials(String master, String trackingUri, int gpusPerTask) {
        this.spark = new JavaSparkContext(conf(master, gpusPerTask));
        this.trackingUri = trackingUri;
    }

    /**
     * The application's configuration: the master, and with {@code gpusPerTask} (0 or 1) one GPU per task and, unless
     * set already (by {@code spark-submit --conf}), one per executor. A cluster also needs the executors to find
     * their GPUs ({@code spark.executor.resource.gpu.discoveryScript}, or the worker's on standalone): README
     * "Scaling out".
     */
    static SparkConf conf(String master, int gpusPerTask) {
        SparkConf conf = new SparkConf().setAppName("distill4j");
        if (master != null) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        if (gpusPerTask > 0) {
            conf.set("spark.task.resource." + GPU + ".amount", String.valueOf(gpusPerTask));
            if (!conf.contains("spark.executor.resource." + GPU + ".amount")) {
                conf.set("spark.executor.resource." + GPU + ".amount", String.valueOf(gpusPerTask));
            }
        }
        return conf;
    }

    /** Runs a task on an executor, on the GPU Spark assigned it if any (a plain class: Spark ships it). */
    static final class RunTask implements Function<String, String> {
        private static final long serialVersionUID = 1L;
        private final Work work;

        RunTask(Work work) {
            this.work = work;
        }

        @Override
        public String call(String task) {
            TaskContext context = TaskContext.get();
            return work.run(task, device(context == null ? Map.of() : context.resourcesJMap()));
        }
    }

    /** The device tag of a task's resources ({@code gpu:<address>}), null when Spark assigned it no GPU. */
    static String device(Map<String, ResourceInformation> resources) {
        ResourceInformation gpu = resources.get(GPU);
        return gpu == null ? null : TaskDevice.of(Arrays.asList(gpu.addresses()));
    }

    @Override
    public void runTasks(List<String> tasks, List<String> labels, Work work, Consumer<Done> done) {
        List<JavaFutureAction<List<String>>> jobs = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            spark.setJobDescription(labels.get(i));
            jobs.add(spark.parallelize(List.of(tasks.get(i)), 1).map(new RunTask(work)).collectAsync());
        }
        boolean[] reported = new boolean[jobs.size()];
        int left = jobs.size();
        try {
            while (left > 0) {
                boolean any = false;
                for (int i = 0; i < jobs.size(); i++) {
                    if (!reported[i] && jobs.get(i).isDone()) {
                        reported[i] = true;
                        left--;
                        any = true;
                        done.accept(outcome(i, jobs.get(i)));
                    }
                }
                if (!any) {
                    Thread.sleep(50);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            jobs.forEach(j -> j.cancel(true));
            throw new Distill4jException("interrupted");
        }
    }

    private static Done outcome(int index, JavaFutureAction<List<String>> job) throws InterruptedException {
        try {
            return new Done(index, job.get().get(0), null);
        } catch (ExecutionException e) {
            return new Done(index, null, "the Spark task failed for good: " + reason(e.getCause()));
        }
    }

    /** The first line of Spark's failure: it holds the task's own exception and message. */
    private static String reason(Throwable e) {
        String m = e == null ? "unknown" : String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    @Override
    public int slots() {
        return spark.defaultParallelism();
    }

    @Override
    public String trackingUri() {
        return trackingUri;
    }

    @Override
    public String describe() {
        String gpus = spark.getConf().get("spark.task.resource." + GPU + ".amount", null);
        return "spark " + spark.master() + " (application " + spark.sc().applicationId() + ", "
                + spark.defaultParallelism() + " task slot(s)" + (gpus == null ? "" : ", " + gpus + " GPU per task")
                + ")";
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
            return open(master, trackingUri, 0);
        }

        @Override
        public TrialDispatcher open(String master, String trackingUri, int gpusPerTask) {
            checkGpus(gpusPerTask, DeviceEnvironment.cudaBackendPresent());
            return new SparkTrials(master, trackingUri, gpusPerTask);
        }
    }

    /** Refuses a GPU request that this build cannot serve, before Spark starts. */
    static void checkGpus(int gpusPerTask, boolean cudaBuild) {
        if (gpusPerTask < 0 || gpusPerTask > 1) {
            throw new Distill4jException("--gpus-per-task must be 0 or 1 (a trial trains on one device), got "
                    + gpusPerTask);
        }
        if (gpusPerTask > 0 && !cudaBuild) {
            throw new Distill4jException("--gpus-per-task 1 needs the CUDA backend, and this build is CPU-only: run "
                    + "./distill4j --cuda --spark ... (the executors need the same build)");
        }
    }
}
