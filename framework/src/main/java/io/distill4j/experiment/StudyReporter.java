package io.distill4j.experiment;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Draws a study's report from its results once the summary is written (implemented by
 * {@code io.distill4j.report.StudyReport}; a hook, so that the runner does not depend on the report package). The
 * runner logs the files it returns as artifacts of the study's parent run.
 */
@FunctionalInterface
public interface StudyReporter {
    /**
     * Writes the report into {@code folder}.
     *
     * @param data the facts of each dataset of the study, by {@link DataFacts#key}
     * @param experimentId the tracking experiment of the study
     * @return the files written (a page and its charts)
     */
    List<Path> write(Study study, List<TrialResult> results, Map<String, DataFacts> data, Path folder,
            String experimentId);
}
