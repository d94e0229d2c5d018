package io.distill4j.cli;

import io.distill4j.experiment.Study;
import io.distill4j.experiment.StudyListener;
import io.distill4j.experiment.Trial;
import io.distill4j.experiment.TrialResult;
import io.distill4j.api.EpochReport;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A progress bar over a study's epochs with an ETA, on standard error. On a terminal it redraws one line; otherwise
 * (CI, pipes) it prints one line per finished trial.
 */
final class ProgressBar implements StudyListener {
    private final PrintWriter err;
    private final boolean terminal = System.console() != null;
    private long planned;
    private long done;
    private int trials;
    private int finished;
    private long started;
    private String current = "";
    private final Map<String, Integer> epochsByTrial = new HashMap<>();

    ProgressBar(PrintWriter err) {
        this.err = err;
    }

    @Override
    public synchronized void studyStarted(Study study, long plannedEpochs) {
        planned = Math.max(1, plannedEpochs);
        trials = study.trials().size();
        started = System.nanoTime();
    }

    @Override
    public synchronized void trialStarted(Trial trial) {
        current = trial.description();
        draw();
    }

    @Override
    public synchronized void epochFinished(Trial trial, EpochReport report) {
        done++;
        epochsByTrial.merge(trial.id(), 1, Integer::sum);
        current = trial.description() + " epoch " + (report.epoch() + 1) + "/" + report.epochs();
        draw();
    }

    @Override
    public synchronized void trialFinished(TrialResult result, int epochBudget) {
        finished++;
        // early stopping, a cached teacher or a failure use fewer epochs than planned: the rest counts as done
        int ran = epochsByTrial.getOrDefault(result.trialId(), 0);
        done += Math.max(0, epochBudget - ran);
        epochsByTrial.remove(result.trialId());
        String status = result.failed() ? "FAILED: " + result.failure()
                : result.test().containsKey("r2") // a regression study
                        ? String.format(Locale.ROOT, "test R2 %.4f, IC %.4f", result.test("r2"), result.test("ic"))
                        : String.format(Locale.ROOT, "test accuracy %.4f", result.test("accuracy"));
        if (terminal) {
            err.print("\r\033[K");
        }
        Double group = result.facts().get(io.distill4j.experiment.FusedTrials.GROUP);
        Double students = result.facts().get(io.distill4j.experiment.FusedTrials.BLOCKS);
        String how = result.fromLedger() ? ", taken from the ledger (trained by an earlier run)"
                : group == null || students == null ? " in " + duration(result.millis())
                : String.format(Locale.ROOT, " in %s (trained in fused network %d with %d students)",
                        duration(result.millis()), group.intValue(), students.intValue());
        err.printf("[%d/%d] %s (%s) %s%s%n", finished, trials, result.trial().description(), result.trialId(), status,
                how);
        draw();
    }

    private void draw() {
        if (!terminal) {
            return;
        }
        double fraction = Math.min(1.0, (double) done / planned);
        int width = 24;
        int filled = (int) Math.round(fraction * width);
        double elapsed = (System.nanoTime() - started) / 1e9;
        String eta = done == 0 ? "?" : duration((long) (elapsed / done * (planned - done) * 1000));
        String line = String.format(Locale.ROOT, "[%s%s] %3.0f%% trials %d/%d ETA %s | %s", "#".repeat(filled),
                ".".repeat(width - filled), fraction * 100, finished, trials, eta, current);
        err.print("\r\033[K" + (line.length() > 150 ? line.substring(0, 150) : line));
        err.flush();
    }

    void finish() {
        if (terminal) {
            err.print("\r\033[K");
        }
        err.printf("done in %s%n", duration((long) ((System.nanoTime() - started) / 1e6)));
        err.flush();
    }

    static String duration(long millis) {
        long s = Math.max(0, millis / 1000);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, (s % 3600) / 60)
                : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60)
                : String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
    }
}
