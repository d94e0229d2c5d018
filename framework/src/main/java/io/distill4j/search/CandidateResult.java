package io.distill4j.search;

import com.fasterxml.jackson.databind.JsonNode;
import io.distill4j.experiment.TrialResult;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * One candidate of a search and how it ended.
 *
 * @param index its place in the candidate sequence (0-based)
 * @param genes Arbiter's flat parameters: one value in [0, 1] per searched path
 * @param assignments path to the value set there
 * @param label the assignments as a short name (as a grid cell's label)
 * @param status FINISHED (every seed trained), PRUNED or FAILED
 * @param score the objective's validation metric averaged over the seeds ({@code NaN} unless FINISHED)
 * @param trials the trials it ran, one per seed, in seed order (a pruned or failed candidate stops at that seed)
 * @param curves each trial's validation loss per epoch (epoch 1 first): the pruner's input, and a pruned trial's
 *     partial curve
 * @param reason why it was pruned or failed ({@code null} when it finished)
 * @param millis wall time of its trials
 * @param runId its MLflow run (the parent of its trials' runs)
 */
public record CandidateResult(int index, double[] genes, LinkedHashMap<String, JsonNode> assignments, String label,
        Status status, double score, List<TrialResult> trials, List<List<Double>> curves, String reason,
        long millis, String runId) {

    /** How a candidate ended; PRUNED runs end KILLED in MLflow, tagged {@code distill4j.status=PRUNED}. */
    public enum Status {
        FINISHED, PRUNED, FAILED
    }

    public CandidateResult {
        genes = genes.clone();
        assignments = new LinkedHashMap<>(assignments);
        trials = List.copyOf(trials);
        curves = curves.stream().map(List::copyOf).toList();
    }

    /** Epochs its trials trained. */
    public int epochsRun() {
        return curves.stream().mapToInt(List::size).sum();
    }
}
