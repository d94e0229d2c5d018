package io.distill4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distill4j.config.StudyFileReader;
import io.distill4j.experiment.StudyRunner;
import io.distill4j.experiment.TrialLedger;
import io.distill4j.tracking.Tracker;
import io.distill4j.tracking.rest.TrackingUris;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Logs a study's bench to the runs the study recorded (found through its trial ledger, {@code trials/*.json}), in the
 * study's tracking store: on each model's run the metrics {@code latency.<path>.p50_ns}, {@code .p90_ns},
 * {@code .p99_ns}, {@code .p99_9_ns}, {@code .max_ns} and {@code .calls} of every path measured for it, and
 * {@code bench.parameters} / {@code bench.macs_per_sample}; on the study's parent run the table as the artifact
 * {@value #TABLE_ARTIFACT}, the updated {@code summary.md} and the tag {@code distill4j.bench_utc}.
 */
public final class BenchTracking {
    /** The parent run's artifact holding the bench's markdown. */
    public static final String TABLE_ARTIFACT = "bench.md";

    private static final ObjectMapper JSON = new ObjectMapper();

    private BenchTracking() {
    }

    /**
     * The tracking URI of a study's results folder: {@code cliUri}, else {@code tracking.uri} of the study file the
     * study saved ({@code study.yaml}), else {@code MLFLOW_TRACKING_URI}, else {@code <results>/mlruns} (the
     * study folder's parent being the results folder), as {@code distill4j run} resolves it.
     */
    public static String uri(Path studyFolder, String cliUri, Map<String, String> env) {
        Path saved = studyFolder.resolve(StudyRunner.STUDY_FILE);
        String studyUri = null;
        if (Files.isRegularFile(saved)) {
            JsonNode u = StudyFileReader.read(saved).path("tracking").path("uri");
            studyUri = u.isTextual() ? u.asText() : null;
        }
        return TrackingUris.resolve(cliUri, studyUri, env, studyFolder.toAbsolutePath().normalize().getParent());
    }

    /** A trial's run as its ledger record names it, or {@code null} when the record has none. */
    public record RunRef(String experimentId, String runId) {
    }

    /** The run of ledger record {@code id} ({@link TrialLedger#STUDY} for the parent), or {@code null}. */
    public static RunRef runOf(Path studyFolder, String id) throws IOException {
        Path p = studyFolder.resolve("trials").resolve(id + ".json");
        if (!Files.isRegularFile(p)) {
            return null;
        }
        JsonNode n = JSON.readTree(p.toFile());
        String e = n.path("experiment_id").asText("");
        String r = n.path("run_id").asText("");
        return e.isEmpty() || r.isEmpty() ? null : new RunRef(e, r);
    }

    /** The metrics of one model's rows ({@code model} as the report labels it). */
    public static Map<String, Double> metricsOf(BenchReport report, String model) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (BenchReport.LatencyRow r : report.latencyRows()) {
            if (r.model().equals(model)) {
                String k = "latency." + r.key() + ".";
                m.put(k + "p50_ns", (double) r.histogram().getValueAtPercentile(50));
                m.put(k + "p90_ns", (double) r.histogram().getValueAtPercentile(90));
                m.put(k + "p99_ns", (double) r.histogram().getValueAtPercentile(99));
                m.put(k + "p99_9_ns", (double) r.histogram().getValueAtPercentile(99.9));
                m.put(k + "max_ns", (double) r.histogram().getMaxValue());
                m.put(k + "calls", (double) r.calls());
            }
        }
        for (BenchReport.SizeRow s : report.sizeRows()) {
            if (s.model().equals(model)) {
                m.put("bench.parameters", (double) s.parameters());
                if (s.macs().matches("\\d+")) {
                    m.put("bench.macs_per_sample", Double.parseDouble(s.macs()));
                }
            }
        }
        return m;
    }

    /**
     * Logs the bench: {@code runs} maps each model label of the report to its ledger record id.
     *
     * @return how many runs got metrics
     */
    public static int log(Tracker tracker, Path studyFolder, BenchReport report, Map<String, String> runs,
            String utc) throws IOException {
        int logged = 0;
        for (Map.Entry<String, String> e : runs.entrySet()) {
            RunRef ref = runOf(studyFolder, e.getValue());
            Map<String, Double> metrics = metricsOf(report, e.getKey());
            if (ref != null && !metrics.isEmpty()) {
                tracker.appendToRun(ref.experimentId(), ref.runId(), metrics, Map.of(), Map.of());
                logged++;
            }
        }
        RunRef parent = runOf(studyFolder, TrialLedger.STUDY);
        if (parent != null) {
            Map<String, byte[]> artifacts = new LinkedHashMap<>();
            artifacts.put(TABLE_ARTIFACT, report.markdown().getBytes(StandardCharsets.UTF_8));
            Path summary = studyFolder.resolve("summary.md");
            if (Files.isRegularFile(summary)) {
                artifacts.put("summary.md", Files.readAllBytes(summary));
            }
            tracker.appendToRun(parent.experimentId(), parent.runId(), Map.of(),
                    Map.of("distill4j.bench_utc", utc), artifacts);
        }
        return logged;
    }
}
