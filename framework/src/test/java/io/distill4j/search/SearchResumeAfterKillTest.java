package io.distill4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.experiment.ChildJvm;
import io.distill4j.experiment.StudyListener;
import io.distill4j.tracking.MlflowFileStore;
import io.distill4j.tracking.MlflowFileStoreReader;
import io.distill4j.tracking.RunStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A genetic search (whose candidates depend on the scores reported before them) killed with SIGKILL in a child JVM
 * after two candidates, then resumed: the same candidate sequence, scores and best configuration as an uninterrupted
 * search, no candidate trained twice, and no run left RUNNING. Tagged slow (three searches, one in a child JVM):
 * {@code ./mvnw -B -o -pl framework test -DexcludedGroups= -Dgroups=slow -Dtest=SearchResumeAfterKillTest}.
 */
@Tag("slow")
class SearchResumeAfterKillTest {
    private static final String STUDY = SearchTest.STUDY.replace("strategy: random", "strategy: genetic")
            .replace("budget: {candidates: 3}", "budget: {candidates: 6}\n  population: 4\n  include_default: false")
            .replace("seeds: [1, 2]", "seeds: [1]");

    @Test
    void killedMidSearchThenResumedEqualsAnUninterruptedSearch(@TempDir Path dir) throws Exception {
        Path file = SearchTest.write(dir, STUDY);
        Search search = Search.load(file, List.of());
        assertEquals(SearchConfig.Strategy.GENETIC, search.config().strategy());
        Path results = dir.resolve("results");
        Path mlruns = dir.resolve("mlruns");
        killAfter(file, results, mlruns, 2);
        Path records = results.resolve("tiny-search").resolve("search").resolve("candidates");
        List<String> before = names(records);
        assertTrue(before.size() >= 2 && before.size() < 6, "killed mid-search: " + before);
        List<Long> recorded = new ArrayList<>();
        for (String n : before) {
            recorded.add(Files.getLastModifiedTime(records.resolve(n)).toMillis());
        }

        SearchRunner.Outcome resumed;
        try (var store = new MlflowFileStore(mlruns)) {
            resumed = new SearchRunner(results, store, SearchListener.NONE, StudyListener.NONE, 1, null)
                    .run(search, true);
        }
        for (int i = 0; i < before.size(); i++) {
            assertEquals(recorded.get(i), Files.getLastModifiedTime(records.resolve(before.get(i))).toMillis(),
                    "candidate " + before.get(i) + " was not trained again");
        }
        SearchRunner.Outcome reference;
        try (var store = new MlflowFileStore(dir.resolve("mlruns-reference"))) {
            reference = new SearchRunner(dir.resolve("results-reference"), store, SearchListener.NONE,
                    StudyListener.NONE, 1, null).run(search, false);
        }
        assertEquals(6, reference.candidates().size());
        assertEquals(reference.candidates().size(), resumed.candidates().size());
        for (int i = 0; i < reference.candidates().size(); i++) {
            CandidateResult a = resumed.candidates().get(i);
            CandidateResult b = reference.candidates().get(i);
            assertEquals(b.assignments(), a.assignments(), "candidate " + i);
            assertEquals(b.status(), a.status(), "candidate " + i);
            assertEquals(b.score(), a.score(), 1e-9, "candidate " + i);
        }
        assertEquals(reference.best().orElseThrow().assignments(), resumed.best().orElseThrow().assignments());
        assertEquals(withoutComments(reference.folder().resolve("best.yaml")), // the header names its own folder
                withoutComments(resumed.folder().resolve("best.yaml")));

        var reader = new MlflowFileStoreReader(mlruns);
        String exp = reader.experiments().stream().filter(e -> e.name().equals("tiny-search")).findFirst()
                .orElseThrow().experimentId();
        List<MlflowFileStoreReader.Run> runs = reader.runs(exp);
        assertEquals(List.of(), runs.stream().filter(r -> r.status() == RunStatus.RUNNING)
                .map(MlflowFileStoreReader.Run::runName).toList(), "runs left RUNNING");
        var candidateRuns = runs.stream().filter(r -> "candidate".equals(r.tags().get("distill4j.role"))).toList();
        assertEquals(6, candidateRuns.stream().map(r -> r.tags().get("distill4j.candidate")).distinct().count());
        assertTrue(runs.stream().anyMatch(r -> "search".equals(r.tags().get("distill4j.role"))
                && r.status() == RunStatus.FAILED
                && r.tags().getOrDefault("distill4j.error", "").startsWith("interrupted")),
                "the killed search's run is ended as interrupted");
    }

    private static void killAfter(Path study, Path results, Path mlruns, int candidates) throws Exception {
        Files.createDirectories(results);
        Process child = ChildJvm.start(SearchMain.class, results.getParent().resolve("child.log"), study.toString(),
                results.toString(), mlruns.toString(), "false");
        Path records = results.resolve("tiny-search").resolve("search").resolve("candidates");
        long deadline = System.currentTimeMillis() + 900_000;
        try {
            while (names(records).size() < candidates) {
                assertTrue(child.isAlive(), "the child ended before it could be killed; see " + results.getParent()
                        .resolve("child.log"));
                assertTrue(System.currentTimeMillis() < deadline, "the child made no progress");
                Thread.sleep(20);
            }
        } finally {
            child.destroyForcibly(); // also when the test fails: no child outlives it
        }
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    }

    private static List<String> withoutComments(Path file) throws IOException {
        return Files.readAllLines(file).stream().filter(l -> !l.startsWith("#")).toList();
    }

    /** The candidate records written so far, by index. */
    private static List<String> names(Path records) throws IOException {
        if (!Files.isDirectory(records)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(records)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9]+\\.json"))
                    .sorted(java.util.Comparator.comparingInt(n -> Integer.parseInt(n.replace(".json", ""))))
                    .toList();
        }
    }
}
