package io.distill4j.experiment;

import io.distill4j.Distill4jException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * {@code distill4j merge results/<study>}: builds a sharded study's summary and report (see {@link Shard}) from the
 * ledgers of all its shards, as if one process had run it. Every shard {@code 1..n} must have finished (its study
 * record says so) and run the same study file; each trial's record is taken from the lowest-numbered shard that
 * finished it (a teacher several shards needed has the same result in each: training is deterministic), else from
 * one that recorded it failed. The chosen records are copied into the study's own ledger ({@code trials/}), so
 * {@code report}, {@code register} and {@code run --resume} work on the merged folder as on an unsharded run.
 */
public final class StudyMerge {
    private StudyMerge() {
    }

    /**
     * Merges the shards under {@code studyFolder}/shards, writes {@code summary.md}, {@code summary.csv},
     * {@code study.yaml} and (with a reporter) the report into {@code studyFolder}.
     *
     * @param reporter draws the report, or null for none
     * @return the merged outcome (no parent run: each shard logged its own)
     */
    public static StudyRunner.Outcome merge(Path studyFolder, StudyReporter reporter) {
        Map<Integer, Path> shards = shards(studyFolder);
        Path first = shards.values().iterator().next();
        String text = read(first.resolve(StudyRunner.STUDY_FILE));
        for (var e : shards.entrySet()) {
            if (!read(e.getValue().resolve(StudyRunner.STUDY_FILE)).equals(text)) {
                throw new Distill4jException(e.getValue().resolve(StudyRunner.STUDY_FILE) + " differs from "
                        + first.resolve(StudyRunner.STUDY_FILE) + ": the shards ran different studies (same name, "
                        + "another config or --set); run every shard of one study file");
            }
        }
        Study study = Study.load(first.resolve(StudyRunner.STUDY_FILE), List.of());
        TrialLedger merged = new TrialLedger(studyFolder.resolve("trials"));
        List<TrialLedger> ledgers = shards.values().stream().map(p -> new TrialLedger(p.resolve("trials"))).toList();
        List<String> missing = new ArrayList<>();
        for (Trial t : study.trials()) {
            TrialLedger from = ledgers.stream().filter(l -> l.status(t.id()).orElse("").equals("finished"))
                    .findFirst().orElseGet(() -> ledgers.stream()
                            .filter(l -> l.status(t.id()).orElse("").equals("failed")).findFirst().orElse(null));
            if (from == null) {
                missing.add(t.id() + " (" + t.description() + ")");
            } else {
                from.copyTo(t.id(), merged);
            }
        }
        if (!missing.isEmpty()) {
            throw new Distill4jException("no shard under " + studyFolder.resolve(Shard.SHARDS) + " recorded "
                    + missing.size() + " trial(s) of study '" + study.name() + "', e.g. " + missing.get(0)
                    + "; were the shards run with another --shard count?");
        }
        ledgers.get(0).copyTo(TrialLedger.STUDY, merged);
        List<Trial> ordered = new ArrayList<>(study.trials().stream().filter(t -> t.role() == Trial.Role.TEACHER)
                .toList()); // the runner's order: teachers, then students level by level
        ordered.addAll(study.trials().stream().filter(t -> t.role() != Trial.Role.TEACHER)
                .sorted(Comparator.comparingInt(StudyRunner::level)).toList());
        List<TrialResult> results = merged.recordedResults(ordered);
        TrialContext context = TrialContext.at(ResultsPaths.teacherCache(studyFolder.toAbsolutePath().getParent()),
                EvaluationScope.VALIDATION_AND_TEST, "cpu");
        StudyRunner.WrittenSummary written = StudyRunner.writeSummary(study, results, context, studyFolder);
        StudyRunner.writeStudyFile(study, studyFolder);
        if (reporter != null) {
            reporter.write(study, results, written.facts(), studyFolder, merged.studyExperimentId().orElse(null));
        }
        return new StudyRunner.Outcome(study, results, written.summary(), studyFolder, null);
    }

    /** The finished shards {@code 1..n} of a study folder, by index; a missing or unfinished one is an error. */
    private static Map<Integer, Path> shards(Path studyFolder) {
        Path root = studyFolder.resolve(Shard.SHARDS);
        TreeMap<Integer, Path> found = new TreeMap<>();
        Integer count = null;
        if (Files.isDirectory(root)) {
            try (Stream<Path> dirs = Files.list(root)) {
                for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
                    var shard = Shard.ofFolderName(d.getFileName().toString());
                    if (shard.isEmpty()) {
                        continue;
                    }
                    if (count != null && count != shard.get().count()) {
                        throw new Distill4jException(root + " holds shards of " + count + " and of "
                                + shard.get().count() + ": keep the shards of one run (--shard i/n, one n) only");
                    }
                    count = shard.get().count();
                    found.put(shard.get().index(), d);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
            }
        }
        if (count == null) {
            throw new Distill4jException("no shards in " + root + " (expected shard-i-of-n folders written by "
                    + "distill4j run STUDY --shard i/n with --results " + studyFolder.toAbsolutePath().getParent()
                    + ")");
        }
        for (int i = 1; i <= count; i++) {
            Shard s = new Shard(i, count);
            Path d = found.get(i);
            if (d == null) {
                throw new Distill4jException("shard " + s + " is missing (no " + root.resolve(s.folderName())
                        + "): run it with --shard " + s + ", then merge again");
            }
            String status = new TrialLedger(d.resolve("trials")).status(TrialLedger.STUDY).orElse("not started");
            if (!status.equals("finished") || !Files.isRegularFile(d.resolve(StudyRunner.STUDY_FILE))) {
                throw new Distill4jException("shard " + s + " has not finished (" + d.resolve("trials")
                        .resolve(TrialLedger.STUDY + ".json") + ": " + status + "): run it again with --shard " + s
                        + " --resume, then merge again");
            }
        }
        return found;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Distill4jException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
