package io.distill4j.experiment;

import io.distill4j.AtomicFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

import java.nio.file.Files;
import java.nio.file.Path;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What happened to every trial of a study, one small JSON file per trial under {@code results/<study>/trials/}
 * ({@code <trial-id>.json}) plus {@code study.json} for the parent run. Each file is written to a temporary file and
 * renamed, so a process killed at any moment leaves only complete records.
 *
 * <p>A record is {@code started} (with the tracking run it opened), {@code finished} (with the trial's metrics) or
 * {@code failed}. {@code distill4j run --resume} takes finished trials from here instead of training them again, and
 * any run still {@code started} belongs to a process that died: it is ended in tracking as FAILED.
 */
public final class TrialLedger {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The record name of the study's parent run. */
    public static final String STUDY = "study";

    private final Path folder;

    public TrialLedger(Path folder) {
        this.folder = folder;
    }

    /** A record: which run a trial (or the study) opened, in which experiment, and how far it got. */
    public record Entry(String id, String status, String experimentId, String runId) {
    }

    /** Records that {@code id} opened {@code runId}. */
    public void started(String id, String experimentId, String runId) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", id).put("status", "started").put("experiment_id", experimentId).put("run_id", runId);
        write(id, n);
    }

    /** Records a finished trial and its results. */
    public void finished(TrialResult r, String experimentId) {
        write(r.trialId(), result(r, "finished", experimentId));
    }

    /** Records a failed trial (a resume trains it again). */
    public void failed(TrialResult r, String experimentId) {
        write(r.trialId(), result(r, "failed", experimentId));
    }

    /** Records that the study ended (its parent run closed normally). */
    public void studyFinished(String experimentId, String runId) {
        ended(STUDY, experimentId, runId);
    }

    /** Records that the run {@code id} opened ended normally (a study's or a search candidate's, not a trial's). */
    public void ended(String id, String experimentId, String runId) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", id).put("status", "finished").put("experiment_id", experimentId).put("run_id", runId);
        write(id, n);
    }

    /** The finished result of a trial, if the ledger has one. */
    public Optional<TrialResult> finishedResult(Trial trial) {
        return read(trial.id()).filter(n -> n.path("status").asText().equals("finished"))
                .map(n -> TrialCodec.decodeResult(trial, n).withFact(TrialResult.FROM_LEDGER, 1.0));
    }

    /**
     * The recorded result of a trial, finished or failed (for reports regenerated from saved results), if the ledger
     * has one.
     */
    public Optional<TrialResult> recordedResult(Trial trial) {
        return read(trial.id()).filter(n -> n.path("status").asText().equals("finished")
                || n.path("status").asText().equals("failed")).map(n -> TrialCodec.decodeResult(trial, n));
    }

    /** The recorded results (finished or failed) of {@code trials}, in their order; trials without one are left out. */
    public List<TrialResult> recordedResults(List<Trial> trials) {
        List<TrialResult> out = new ArrayList<>();
        for (Trial t : trials) {
            recordedResult(t).ifPresent(out::add);
        }
        return out;
    }

    /** The status of record {@code id} ({@code started}, {@code finished}, {@code failed}, ...), if there is one. */
    public Optional<String> status(String id) {
        return read(id).map(n -> n.path("status").asText());
    }

    /** Copies record {@code id} as it is into {@code to} (write-then-rename there too). */
    public void copyTo(String id, TrialLedger to) {
        JsonNode n = read(id).orElseThrow(() -> new IllegalArgumentException("no record " + id + " in " + folder));
        to.write(id, (ObjectNode) n);
    }

    /** The folder of the records. */
    public Path folder() {
        return folder;
    }

    /** The tracking experiment id the study's parent run was recorded in, if the ledger has it. */
    public Optional<String> studyExperimentId() {
        return read(STUDY).map(n -> n.path("experiment_id").asText(null));
    }

    /** Every record still {@code started}: trials (and a study) whose process stopped before they ended. */
    public List<Entry> interrupted() {
        List<Entry> out = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return out;
        }
        try (Stream<Path> files = Files.list(folder)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList()) {
                JsonNode n = readFile(p);
                if (n != null && n.path("status").asText().equals("started")) {
                    out.add(new Entry(n.path("id").asText(), "started", n.path("experiment_id").asText(),
                            n.path("run_id").asText()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Marks an interrupted record as dealt with (its run was ended in tracking). */
    public void closeInterrupted(Entry e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", e.id()).put("status", "interrupted").put("experiment_id", e.experimentId())
                .put("run_id", e.runId());
        write(e.id(), n);
    }

    private static ObjectNode result(TrialResult r, String status, String experimentId) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", r.trialId()).put("status", status).put("experiment_id", experimentId);
        n.setAll(TrialCodec.encode(r));
        return n;
    }

    private Optional<JsonNode> read(String id) {
        Path p = folder.resolve(id + ".json");
        return Files.isRegularFile(p) ? Optional.ofNullable(readFile(p)) : Optional.empty();
    }

    /** A record, or {@code null} for an unreadable one (it is then treated as absent: the trial runs again). */
    private static JsonNode readFile(Path p) {
        try {
            return JSON.readTree(p.toFile());
        } catch (IOException e) {
            return null;
        }
    }

    private void write(String id, ObjectNode node) {
        try {
            Files.createDirectories(folder);
            Path tmp = Files.createTempFile(folder, ".tmp-", ".part");
            Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
            Path target = folder.resolve(id + ".json");
            AtomicFiles.replace(tmp, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the trial record " + folder.resolve(id + ".json") + ": "
                    + e.getMessage(), e);
        }
    }
}
