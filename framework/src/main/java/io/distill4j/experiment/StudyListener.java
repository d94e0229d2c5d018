package io.distill4j.experiment;

import io.distill4j.api.EpochReport;

/** Follows a study as it runs (the command line's progress bar is one). Calls may come from several threads. */
public interface StudyListener {
    /** Before the first trial; {@code plannedEpochs} is the sum of every trial's epoch budget. */
    default void studyStarted(Study study, long plannedEpochs) {
    }

    default void trialStarted(Trial trial) {
    }

    default void epochFinished(Trial trial, EpochReport report) {
    }

    /** After a trial, successful or not; {@code epochBudget} is what it had been planned to use. */
    default void trialFinished(TrialResult result, int epochBudget) {
    }

    /** A listener that does nothing. */
    StudyListener NONE = new StudyListener() { };
}
