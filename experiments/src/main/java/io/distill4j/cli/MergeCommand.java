package io.distill4j.cli;

import io.distill4j.experiment.StudyMerge;
import io.distill4j.experiment.StudyRunner;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code distill4j merge results/<study>}: the summary and report of a study run as shards ({@code --shard i/n}). */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Merge the shards of a study (run with --shard i/n, under RESULTS_DIR/shards/) into its "
                + "summary.md, summary.csv, report.html and trial ledger, as if one process had run it.")
public final class MergeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RESULTS_DIR", description = "The study's results folder, e.g. "
            + "results/quickstart.")
    Path folder;

    @Override
    public Integer call() {
        ReportCommand.requireStudyFolder(folder);
        Path results = folder.toAbsolutePath().normalize().getParent();
        StudyRunner.Outcome outcome = StudyMerge.merge(folder, io.distill4j.report.StudyReport.reporter(results));
        var out = spec.commandLine().getOut();
        out.printf("merged %d trial(s) of study %s from %s%n", outcome.results().size(), outcome.study().name(),
                folder.resolve(io.distill4j.experiment.Shard.SHARDS));
        out.println();
        RunCommand.printSummary(out, outcome);
        return outcome.summary().failures().isEmpty() ? 0 : 3;
    }
}
