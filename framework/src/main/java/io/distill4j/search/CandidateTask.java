package io.distill4j.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distill4j.device.TaskDevice;
import io.distill4j.experiment.EvaluationScope;
import io.distill4j.experiment.ResultsPaths;
import io.distill4j.experiment.StudyListener;
import io.distill4j.experiment.Trial;
import io.distill4j.experiment.TrialCodec;
import io.distill4j.experiment.TrialDispatcher;
import io.distill4j.experiment.TrialExecutor;
import io.distill4j.experiment.TrialLedger;
import io.distill4j.experiment.TrialTask;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A search's teacher or candidate as a task for a cluster worker ({@code distill4j search --engine spark}): the
 * search (its study file's tree), what to run and where it records, as one string. On the worker, {@link #run}
 * rebuilds the search and runs the teacher or the candidate exactly as {@link SearchRunner} does in-process (on the
 * train and validation splits only), recording into the shared results folder and tracking server; a candidate
 * gets the {@link MedianPruner}'s history as the driver had it when its batch started, so it is pruned as it would
 * be in-process.
 */
public final class CandidateTask {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CandidateTask() {
    }

    /** The task of one of the search's teachers. */
    static String teacher(Search search, Trial teacher, TrialDispatcher.Batch batch, String trackingUri) {
        ObjectNode n = common(search, "teacher", batch, trackingUri);
        n.set("trial", TrialCodec.encode(teacher));
        return n.toString();
    }

    /** The task of a candidate, with the pruner's {@code history} ({@link MedianPruner#history}). */
    static String candidate(Search search, SearchRunner.Pending c, List<List<List<Double>>> history,
            TrialDispatcher.Batch batch, String trackingUri) {
        ObjectNode n = common(search, "candidate", batch, trackingUri);
        n.put("index", c.index());
        ArrayNode genes = n.putArray("genes");
        for (double g : c.genes()) {
            genes.add(g);
        }
        ObjectNode values = n.putObject("assignments");
        c.assignments().forEach((k, v) -> values.set(k, v.deepCopy()));
        ArrayNode pruner = n.putArray("pruner");
        for (List<List<Double>> curves : history) {
            ArrayNode candidate = pruner.addArray();
            for (List<Double> curve : curves) {
                ArrayNode values2 = candidate.addArray();
                curve.forEach(values2::add);
            }
        }
        return n.toString();
    }

    private static ObjectNode common(Search search, String kind, TrialDispatcher.Batch batch, String trackingUri) {
        ObjectNode n = JSON.createObjectNode();
        n.put("kind", kind);
        n.put("file", search.file());
        n.set("tree", search.tree());
        ArrayNode overrides = n.putArray("overrides");
        search.overrides().forEach(overrides::add);
        n.put("results", batch.results().toAbsolutePath().normalize().toString());
        n.put("tracking_uri", trackingUri);
        n.put("experiment_id", batch.experimentId());
        n.put("parent_run_id", batch.parentRunId());
        return n;
    }

    /**
     * Runs a task from {@link #teacher} or {@link #candidate} in this JVM, on {@code device} (null: the backend's
     * default), and returns the teacher's result ({@link TrialCodec}) or the candidate's (its record's JSON).
     */
    public static String run(String task, String device) {
        JsonNode n = SearchRunner.json(task);
        List<String> overrides = new ArrayList<>();
        n.path("overrides").forEach(o -> overrides.add(o.asText()));
        Search search = Search.of(n.path("file").asText(), (ObjectNode) n.get("tree"), overrides);
        Path results = Path.of(n.path("results").asText());
        TaskDevice.bind(device);
        TrialExecutor executor = TrialTask.executor(results, EvaluationScope.VALIDATION_ONLY, device);
        SearchRunner runner = new SearchRunner(results, TrialTask.tracker(n.path("tracking_uri").asText(), results,
                search.file()), SearchListener.NONE, StudyListener.NONE, 1, executor.context().device());
        Path folder = ResultsPaths.studyFolder(results, search.name()).resolve("search");
        TrialLedger ledger = new TrialLedger(folder.resolve("trials"));
        String experimentId = n.path("experiment_id").asText();
        String parentRunId = n.path("parent_run_id").asText();
        if (n.path("kind").asText().equals("teacher")) {
            Trial teacher = TrialCodec.decodeTrial(n.get("trial"));
            return TrialCodec.encode(runner.teacher(teacher, executor, new TrialDispatcher.Batch(results,
                    experimentId, parentRunId), ledger)).toString();
        }
        MedianPruner pruner = new MedianPruner(search.config().pruning());
        for (JsonNode candidate : n.path("pruner")) {
            List<List<Double>> curves = new ArrayList<>();
            candidate.forEach(curve -> curves.add(SearchRunner.curve(curve)));
            pruner.add(curves);
        }
        CandidateResult r = runner.runCandidate(search, n.path("index").asInt(), SearchRunner.genes(n),
                SearchRunner.values(n.path("assignments")), executor,
                experimentId, parentRunId, ledger, pruner, folder.resolve("candidates"));
        return SearchRunner.toJson(r).toString();
    }

    /** {@link #run} as a worker's {@link TrialDispatcher.Work}. */
    public static final class Work implements TrialDispatcher.Work {
        private static final long serialVersionUID = 1L;

        @Override
        public String run(String task, String device) {
            return CandidateTask.run(task, device);
        }
    }
}
