package io.distill4j.search;

/** Follows a search as it runs (the command line's progress line is one). Calls come from the search's thread. */
public interface SearchListener {
    /** The search starts: at most {@code candidates} candidates. */
    default void searchStarted(String study, int candidates) {
    }

    /**
     * A candidate ended (finished, pruned or failed; or taken from an earlier run by a resume).
     *
     * @param done candidates ended so far
     * @param planned the candidate budget
     * @param best the best score so far ({@code NaN} while none finished)
     * @param etaMillis estimated time to the end of the budget, from the mean time per candidate run in this process
     *     ({@code -1} while unknown)
     */
    default void candidateEnded(CandidateResult candidate, int done, int planned, double best, long etaMillis) {
    }

    /** Nothing. */
    SearchListener NONE = new SearchListener() { };
}
