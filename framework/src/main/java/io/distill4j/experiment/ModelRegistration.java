package io.distill4j.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distill4j.Distill4jException;
import io.distill4j.tracking.MlflowFileStoreReader;
import io.distill4j.tracking.MlflowModel;
import io.distill4j.tracking.RunStatus;
import io.distill4j.tracking.rest.MlflowRestApi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Registers a trial's logged MLflow Model in a tracking server's Model Registry: finds the trial's finished run in
 * the study's experiment (by its tag {@code distill4j.trial_id}), creates the registered model if it does not exist
 * ({@code registered-models/create}) and a new version of it from the run's {@code model} folder
 * ({@code model-versions/create}, source = the run's artifact URI + {@code /model}, with the run id, so the
 * registry links the run), described by study, cell, seed and test metrics and tagged with the same facts.
 */
public final class ModelRegistration {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The test metrics quoted in a version's description and tags. */
    static final List<String> METRICS = List.of("accuracy", "macro_f1", "log_loss", "agreement");

    private ModelRegistration() {
    }

    /**
     * The trial {@code tracking.register} registers: among the finished trials of the summary's best distilled cell
     * (by mean validation accuracy), the one with the highest validation accuracy (never chosen on test metrics).
     */
    public static java.util.Optional<TrialResult> bestDistilledTrial(Summary summary, List<TrialResult> results) {
        return summary.bestDistilled().flatMap(row -> results.stream()
                .filter(r -> !r.failed() && r.trial().role() == Trial.Role.DISTILLED
                        && r.trial().method().equals(row.method())
                        && Double.isFinite(r.validation().getOrDefault("accuracy", Double.NaN)))
                .max(Comparator.comparingDouble((TrialResult r) -> r.validation().get("accuracy"))
                        .thenComparing(TrialResult::trialId, Comparator.reverseOrder())));
    }

    /** What was registered. */
    public record Registered(MlflowRestApi.ModelVersion version, String runId, boolean modelCreated) {
    }

    /**
     * Registers trial {@code trialId} of the study whose results folder is {@code studyResults}.
     *
     * @param experiment the study's MLflow experiment on the server
     * @throws Distill4jException when the trial has no finished record, the experiment or the trial's finished run
     *     is not on the server, or the run logged no model
     */
    public static Registered register(MlflowRestApi api, Path studyResults, String experiment, String trialId,
            String modelName) {
        if (modelName == null || modelName.isBlank()) {
            throw new Distill4jException("the registered model name must not be empty (--name)");
        }
        Path recordFile = studyResults.resolve("trials").resolve(trialId + ".json");
        JsonNode record;
        try {
            record = Files.isRegularFile(recordFile) ? JSON.readTree(recordFile.toFile()) : null;
        } catch (IOException e) {
            throw new Distill4jException("cannot read " + recordFile + ": " + e.getMessage());
        }
        if (record == null || !record.path("status").asText().equals("finished")) {
            throw new Distill4jException("no finished trial " + trialId + " in " + studyResults.resolve("trials")
                    + (record == null ? "" : " (it is " + record.path("status").asText() + ")"));
        }
        String expId = api.experimentByName(experiment).orElseThrow(() -> new Distill4jException(
                "no experiment '" + experiment + "' on " + api.http().base() + " (was the study tracked there? "
                        + "'distill4j mlflow sync' copies a local store)"));
        MlflowFileStoreReader.Run run = api.searchRuns(expId).stream()
                .filter(r -> trialId.equals(r.tags().get("distill4j.trial_id")) && r.status() == RunStatus.FINISHED)
                .max(Comparator.comparingLong(MlflowFileStoreReader.Run::startTime))
                .orElseThrow(() -> new Distill4jException("no finished run of trial " + trialId + " in experiment '"
                        + experiment + "' on " + api.http().base()));
        if (!run.tags().containsKey(MlflowModel.LOGGED_MODELS_TAG)) {
            throw new Distill4jException("run " + run.runId() + " of trial " + trialId + " logged no MLflow Model ("
                    + "no tag " + MlflowModel.LOGGED_MODELS_TAG + "); run the study again with this version");
        }
        String study = studyResults.toAbsolutePath().normalize().getFileName().toString();
        Map<String, String> facts = new TreeMap<>();
        facts.put("distill4j.study", study);
        facts.put("distill4j.trial_id", trialId);
        facts.put("distill4j.role", record.path("role").asText());
        facts.put("distill4j.method", record.path("method").asText());
        facts.put("distill4j.seed", record.path("seed").asText());
        StringBuilder metrics = new StringBuilder();
        for (String m : METRICS) {
            JsonNode v = record.path("test").path(m);
            if (v.isNumber()) {
                String text = String.format(Locale.ROOT, "%.4f", v.asDouble());
                facts.put("test_" + m, text);
                metrics.append(metrics.length() > 0 ? ", " : "").append(m).append(' ').append(text);
            }
        }
        String description = record.path("method").asText() + ", seed " + record.path("seed").asText()
                + ", study " + study + " (trial " + trialId + ", run " + run.runId() + ")"
                + (metrics.length() > 0 ? "; test: " + metrics : "");
        List<MlflowRestApi.KeyValue> tags = new ArrayList<>();
        facts.forEach((k, v) -> tags.add(new MlflowRestApi.KeyValue(k, v)));
        boolean created = api.createRegisteredModel(modelName, "Students distilled with distill4j (first registered"
                + " from study " + study + ").", List.of(new MlflowRestApi.KeyValue("distill4j.study", study)));
        MlflowRestApi.ModelVersion version = api.createModelVersion(modelName, run.artifactUri() + "/model",
                run.runId(), description, tags);
        return new Registered(version, run.runId(), created);
    }
}
