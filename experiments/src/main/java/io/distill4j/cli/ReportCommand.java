package io.distill4j.cli;

import io.distill4j.Distill4jException;
import io.distill4j.report.StudyReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code distill4j report results/<study>}: redraws a study's report from its saved results, without training. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Regenerate results/<study>/report.html (and report/*.png) from the saved results of a study "
                + "run: no training; the data is prepared again from the study's data section.")
public final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RESULTS_DIR", description = "A study's results folder, e.g. "
            + "results/quickstart.")
    Path folder;

    /** Refuses a study results folder that does not exist. */
    static void requireStudyFolder(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new Distill4jException("no results folder at " + folder + " (expected results/<study>)");
        }
    }

    @Override
    public Integer call() {
        requireStudyFolder(folder);
        List<Path> written;
        try {
            written = StudyReport.regenerate(folder);
        } catch (IllegalArgumentException e) {
            throw new Distill4jException(e.getMessage());
        }
        var out = spec.commandLine().getOut();
        out.println("report: " + written.get(0) + " (" + (written.size() - 1) + " chart(s) under "
                + folder.resolve("report") + ")");
        return 0;
    }
}
