package io.distill4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.experiment.Study;
import io.distill4j.experiment.Trial;
import io.distill4j.experiment.TrialResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The line printed per finished trial: a trial a resume took from the ledger does not claim a training time; a trial
 * trained in a fused network names it.
 */
class ProgressBarTest {
    private static String finishedLine(Map<String, Double> facts) {
        Study study = Study.load(Path.of("../configs/quickstart.yaml"), List.of());
        Trial trial = study.trials().get(1);
        StringWriter text = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(text, true));
        bar.studyStarted(study, 10);
        bar.trialFinished(new TrialResult(trial, trial.id(), Map.of("accuracy", 0.5), Map.of(), 371, 7900, "r", null,
                facts), 15);
        return text.toString().strip();
    }

    @Test
    void aTrainedTrialShowsItsTime() {
        String line = finishedLine(Map.of());
        assertTrue(line.endsWith("test accuracy 0.5000 in 7.9s"), line);
    }

    @Test
    void aTrialFromTheLedgerSaysSo() {
        String line = finishedLine(Map.of(TrialResult.FROM_LEDGER, 1.0));
        assertTrue(line.endsWith("test accuracy 0.5000, taken from the ledger (trained by an earlier run)"), line);
        assertEquals(-1, line.indexOf("7.9s"), line);
    }

    @Test
    void aFusedTrialNamesItsNetwork() {
        String line = finishedLine(Map.of(io.distill4j.experiment.FusedTrials.GROUP, 2.0,
                io.distill4j.experiment.FusedTrials.BLOCKS, 5.0));
        assertTrue(line.endsWith("test accuracy 0.5000 in 7.9s (trained in fused network 2 with 5 students)"), line);
    }
}
