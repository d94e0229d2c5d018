package io.distill4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.data.KlineCsvCorpusTest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file of the malformed-input corpora (framework test resources) through the command line: one
 * {@code error:} line naming the file (and the row or config path), exit code 2, never a stack trace. Study files
 * and the kline files a study reads fail at {@code run --dry-run} already; a run checks the data before any trial
 * starts, so the message is printed once.
 */
class MalformedInputCliTest {
    private static final Path STUDIES = Path.of("../framework/src/test/resources/studies/invalid");
    private static final Path KLINES = Path.of("../framework/src/test/resources/klines/invalid");

    @TempDir
    Path dir;

    static Stream<Path> studies() throws IOException {
        return list(STUDIES);
    }

    static Stream<Path> klines() throws IOException {
        return list(KLINES);
    }

    private static Stream<Path> list(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("studies")
    void malformedStudyIsOneLineAndExitTwo(Path file) {
        // a study with a broken search section is a valid study for 'run': the search command reads the section
        String command = file.getFileName().toString().contains("-search-") ? "search" : "run";
        String[] r = run(command, file.toString(), "--dry-run");
        assertEquals(String.valueOf(Main.USER_ERROR), r[0], r[2]);
        List<String> lines = r[2].lines().toList();
        assertEquals(1, lines.size(), r[2]);
        assertTrue(lines.get(0).startsWith("error: " + file + ": "), lines.get(0));
        assertEquals("", r[1]);
        assertClean(r);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("klines")
    void malformedKlineFileStopsTheRunWithOneLineAndExitTwo(Path csv) throws IOException {
        Path yaml = dir.resolve("klines.yaml");
        Files.writeString(yaml, KlineCsvCorpusTest.studyFor(csv));
        String[] r = run("run", yaml.toString(), "--results", dir.resolve("results").toString());
        assertEquals(String.valueOf(Main.USER_ERROR), r[0], r[2]);
        List<String> errors = r[2].lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, errors.size(), r[2]);
        String expected = "error: " + csv.toAbsolutePath().normalize() + ": ";
        assertTrue(errors.get(0).startsWith(expected), errors.get(0));
        assertClean(r);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("klines")
    void malformedKlineFileFailsTheDryRun(Path csv) throws IOException {
        Path yaml = dir.resolve("klines.yaml");
        Files.writeString(yaml, KlineCsvCorpusTest.studyFor(csv));
        String[] r = run("run", yaml.toString(), "--dry-run");
        assertEquals(String.valueOf(Main.USER_ERROR), r[0], r[1] + r[2]);
        List<String> lines = r[2].lines().toList();
        assertEquals(1, lines.size(), r[2]);
        assertTrue(lines.get(0).startsWith("error: " + csv.toAbsolutePath().normalize() + ": "), lines.get(0));
        assertEquals("", r[1]);
        assertClean(r);
    }

    @Test
    void aDataErrorIsPrintedOnce() throws IOException {
        Path csv = KLINES.resolve("15-text-in-number.csv");
        Path yaml = dir.resolve("klines.yaml");
        Files.writeString(yaml, KlineCsvCorpusTest.studyFor(csv));
        String[] r = run("run", yaml.toString(), "--results", dir.resolve("results").toString());
        assertEquals(String.valueOf(Main.USER_ERROR), r[0], r[2]);
        String all = r[1] + r[2];
        assertEquals(1, all.split("not a number: 'ten'", -1).length - 1, all);
    }

    private static void assertClean(String[] r) {
        String all = r[1] + r[2];
        assertFalse(all.contains("\tat ") || all.contains("Exception") || all.contains("internal error"),
                () -> "stack trace or internal error:\n" + all);
    }

    /** Exit code, out and err of one {@link Main#execute} call. */
    static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code;
        try (PrintWriter o = new PrintWriter(out); PrintWriter e = new PrintWriter(err)) {
            code = Main.execute(args, o, e);
        }
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }
}
