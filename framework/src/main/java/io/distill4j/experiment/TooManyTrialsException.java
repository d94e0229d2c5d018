package io.distill4j.experiment;

import io.distill4j.Distill4jException;
import java.util.Locale;

/**
 * A study larger than the caller agreed to run (the command line asks for {@code --yes} above a limit): a grid typo
 * multiplies a study quickly, so the count is shown before anything trains.
 */
public final class TooManyTrialsException extends Distill4jException {
    /**
     * @param trials the trial count, or with {@code atLeast} its lower bound (the distilled trials, cells x seeds:
     *     counted before the cells are validated)
     */
    public TooManyTrialsException(String study, long trials, boolean atLeast, int cells, int seeds, long limit) {
        super(String.format(Locale.ROOT, "study %s has %s%d trials (%d grid cell(s) x %d seed(s), plus teacher and "
                + "student-alone), more than %d; check the grid (--dry-run lists them) and run again with --yes to "
                + "train them all", study, atLeast ? "at least " : "", trials, cells, seeds, limit));
    }
}
