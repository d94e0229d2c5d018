package io.distill4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.experiment.StudyListener;
import io.distill4j.experiment.TrialPrunedException;
import io.distill4j.tracking.MlflowFileStore;
import io.distill4j.tracking.MlflowFileStoreReader;
import io.distill4j.tracking.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The median rule by hand, and pruning in a tiny search checked against the rule recomputed from the curves. */
class MedianPrunerTest {
    @Test
    void prunesAboveTheMedianOfFinishedCandidatesAfterWarmup() {
        MedianPruner p = new MedianPruner(Optional.of(new SearchConfig.Pruning(2, 2)));
        p.add(List.of(List.of(1.0, 0.9, 0.8, 0.7)));
        assertTrue(p.verdict(2, 4, 5.0).isEmpty(), "one finished candidate: fewer than min_candidates");
        p.add(List.of(List.of(1.2, 0.7, 0.6, 0.5), List.of(1.1, 0.5, 0.4, 0.3)));
        // epoch 2: values 0.9, 0.7, 0.5 -> median 0.7
        assertTrue(p.verdict(2, 4, 0.7).isEmpty(), "at the median: goes on");
        assertEquals("validation loss 0.7100 above the median 0.7000 of 3 finished trial(s) after the same epoch",
                p.verdict(2, 4, 0.71).orElseThrow());
        assertTrue(p.verdict(1, 4, 9.0).isEmpty(), "before warmup_epochs");
        assertTrue(p.verdict(4, 4, 9.0).isEmpty(), "never at the last epoch");
        assertEquals(0.6, MedianPruner.median(List.of(0.8, 0.4, 0.6)), 0.0);
        assertEquals(0.5, MedianPruner.median(List.of(0.8, 0.4, 0.6, 0.2)), 1e-15); // (0.4 + 0.6) / 2
        assertTrue(new MedianPruner(Optional.empty()).verdict(3, 4, 1e9).isEmpty(), "off: never prunes");
    }

    @Test
    void aSearchPrunesExactlyTheTrialsTheRuleNames(@TempDir Path dir) throws Exception {
        String study = SearchTest.STUDY.replace("budget: {candidates: 3}",
                "budget: {candidates: 5}\n  pruning: {type: median, warmup_epochs: 1, min_candidates: 1}")
                .replace("seeds: [1, 2]", "seeds: [1]");
        Search search = Search.load(SearchTest.write(dir, study), List.of());
        SearchRunner.Outcome out;
        try (var store = new MlflowFileStore(dir.resolve("mlruns"))) {
            out = new SearchRunner(dir.resolve("results"), store, SearchListener.NONE, StudyListener.NONE, 1, null)
                    .run(search, false);
        }
        int epochs = 4;
        List<List<Double>> finished = new ArrayList<>();
        int pruned = 0;
        for (CandidateResult c : out.candidates()) {
            List<Double> curve = c.curves().get(0);
            // the rule, recomputed from the curves of the candidates that finished before this one
            int stop = -1;
            for (int e = 1; e < epochs && stop < 0 && !finished.isEmpty(); e++) {
                List<Double> earlier = new ArrayList<>();
                for (List<Double> f : finished) {
                    earlier.add(f.get(e - 1));
                }
                earlier.sort(null);
                int n = earlier.size();
                double median = n % 2 == 1 ? earlier.get(n / 2) : (earlier.get(n / 2 - 1) + earlier.get(n / 2)) / 2;
                if (curve.get(e - 1) > median) {
                    stop = e;
                }
            }
            if (stop > 0) {
                pruned++;
                assertEquals(CandidateResult.Status.PRUNED, c.status(), "candidate " + c.index());
                assertEquals(stop, curve.size(), "its partial curve ends at the pruned epoch");
                assertEquals((double) stop, c.trials().get(0).facts().get(TrialPrunedException.PRUNED_EPOCH));
                assertTrue(Double.isNaN(c.score()));
            } else {
                assertEquals(CandidateResult.Status.FINISHED, c.status(), "candidate " + c.index() + ": " + c.reason());
                assertEquals(epochs, curve.size());
                finished.add(curve);
            }
        }
        assertTrue(pruned >= 1, "this search prunes at least one candidate");
        assertTrue(out.best().orElseThrow().status() == CandidateResult.Status.FINISHED);
        String text = Files.readString(out.folder().resolve("search.md"));
        assertTrue(text.contains("Pruning (median, from epoch 1, after 1 finished candidates) saved "), text);

        var reader = new MlflowFileStoreReader(dir.resolve("mlruns"));
        String exp = reader.experiments().stream().filter(e -> e.name().equals("tiny-search")).findFirst()
                .orElseThrow().experimentId();
        var runs = reader.runs(exp);
        var prunedRuns = runs.stream().filter(r -> "PRUNED".equals(r.tags().get("distill4j.status"))).toList();
        assertEquals(2L * pruned, prunedRuns.size(), "each pruned candidate's run and its trial's run");
        prunedRuns.forEach(r -> assertEquals(RunStatus.KILLED, r.status()));
        prunedRuns.stream().filter(r -> r.tags().containsKey("distill4j.pruned_epoch")).forEach(r -> assertEquals(
                Integer.parseInt(r.tags().get("distill4j.pruned_epoch")), r.metrics().get(io.distill4j.api.EpochReport.VAL_CROSS_ENTROPY).size(),
                "the trial's run keeps its curve up to the pruned epoch"));
    }
}
