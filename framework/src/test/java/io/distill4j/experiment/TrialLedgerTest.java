package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A finished trial read back from the ledger (what {@code --resume} uses) equals the result that was recorded. */
class TrialLedgerTest {
    @TempDir
    Path dir;

    @Test
    void finishedResultRoundTripsWithTestPredictions() {
        Study study = Study.load(Path.of("../configs/quickstart.yaml"), List.of());
        Trial trial = study.trials().stream().filter(t -> t.role() == Trial.Role.DISTILLED).findFirst()
                .orElseThrow();
        TrialResult result = new TrialResult(trial, trial.id(), Map.of("accuracy", 0.5, "kl_teacher", Double.NaN),
                Map.of("accuracy", 0.25), 371, 1234, "run-1", null, Map.of("x", 1.0),
                TrialResult.predictionText(new int[] {0, 1, 2, 2, 1}));
        TrialLedger ledger = new TrialLedger(dir);
        ledger.finished(result, "0");
        TrialResult back = ledger.finishedResult(trial).orElseThrow();
        assertEquals("01221", back.testPredictions());
        assertEquals(result.test().keySet(), back.test().keySet());
        assertTrue(Double.isNaN(back.test("kl_teacher")));
        assertEquals(result.parameters(), back.parameters());
        assertEquals(result.millis(), back.millis());
        assertEquals(result.validation(), back.validation());
        assertEquals(result.withFact(TrialResult.FROM_LEDGER, 1.0).facts(), back.facts(), "facts, marked as from the ledger");
    }

    @Test
    void aResultWithoutPredictionsReadsBackWithout() {
        Study study = Study.load(Path.of("../configs/quickstart.yaml"), List.of());
        Trial teacher = study.trials().get(0);
        TrialLedger ledger = new TrialLedger(dir);
        ledger.finished(new TrialResult(teacher, teacher.id(), Map.of("accuracy", 0.5), Map.of(), 1, 1, "r", null,
                Map.of()), "0");
        assertEquals("", ledger.finishedResult(teacher).orElseThrow().testPredictions());
    }

    @Test
    void predictionsAreClassDigitsAndMatchTheLabels() {
        assertEquals("0129", TrialResult.predictionText(new int[] {0, 1, 2, 9}));
        assertThrows(IllegalArgumentException.class, () -> TrialResult.predictionText(new int[] {10}));
        Study study = Study.load(Path.of("../configs/quickstart.yaml"), List.of());
        Trial t = study.trials().get(1);
        TrialResult r = new TrialResult(t, t.id(), Map.of(), Map.of(), 1, 1, "r", null, Map.of(), "012");
        assertEquals(List.of(true, false, true), List.of(r.testCorrect(new int[] {0, 2, 2})[0],
                r.testCorrect(new int[] {0, 2, 2})[1], r.testCorrect(new int[] {0, 2, 2})[2]));
        assertThrows(IllegalArgumentException.class, () -> r.testCorrect(new int[] {0, 1}));
        assertThrows(IllegalArgumentException.class, () -> new TrialResult(t, t.id(), Map.of(), Map.of(), 1, 1, "r",
                null, Map.of(), "01x"));
    }
}
