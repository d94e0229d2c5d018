package io.distill4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end, without training: exit codes, one-line errors, the dry-run plan, help. */
class MainTest {
    private static final String QUICKSTART = "../configs/quickstart.yaml";

    @TempDir
    Path dir;

    /** The outcome of one {@link Main#execute} call. */
    record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code;
        try (PrintWriter o = new PrintWriter(out); PrintWriter e = new PrintWriter(err)) {
            code = Main.execute(args, o, e);
        }
        return new Result(code, out.toString(), err.toString());
    }

    private static void assertNoStackTrace(Result r) {
        String all = r.out() + r.err();
        assertFalse(all.contains("\tat ") || all.contains("Exception") || all.contains("internal error"),
                () -> "stack trace or internal error:\n" + all);
    }

    @Test
    void malformedStudyIsOneErrorLineAndExitTwo() throws IOException {
        String valid = Files.readString(Path.of(QUICKSTART));
        String text = valid.replace("hidden: [16, 8]", "hidden: [16, eight]");
        assertFalse(text.equals(valid), "the mistake was not inserted");
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, text);
        Result r = run("run", file.toString(), "--dry-run");
        assertEquals(Main.USER_ERROR, r.code(), r.err());
        assertEquals(List.of("error: " + file + ": student.hidden[1]: expected an integer in [1, 65536], got the "
                + "string 'eight'"),
                r.errLines());
        assertEquals("", r.out());
        assertNoStackTrace(r);
    }

    @Test
    void missingStudyFileIsOneErrorLine() {
        Path file = dir.resolve("nope.yaml");
        Result r = run("run", file.toString(), "--dry-run");
        assertEquals(Main.USER_ERROR, r.code());
        assertEquals(List.of("error: " + file + ": file not found"), r.errLines());
        assertNoStackTrace(r);
    }

    @Test
    void badOverrideIsOneErrorLine() {
        Result r = run("run", QUICKSTART, "--dry-run", "--set", "training.epochs");
        assertEquals(Main.USER_ERROR, r.code());
        assertEquals(List.of("error: --set: malformed override 'training.epochs' (expected path=value, e.g. "
                + "training.epochs=5)"), r.errLines());
        assertNoStackTrace(r);
    }

    @Test
    void dryRunOfQuickstartListsElevenTrialsWithRoles() {
        Result r = run("run", QUICKSTART, "--dry-run");
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("study quickstart (" + Path.of(QUICKSTART) + "): 4 grid cell(s), seeds [1, 2], 11 trial(s)",
                lines.get(0));
        List<String> trials = lines.subList(1, lines.size());
        assertEquals(11, trials.size(), r.out());
        Pattern row = Pattern.compile("  ([0-9a-f]{12})  (teacher|student-alone|distilled)\\s+(.+)");
        int teachers = 0;
        int alone = 0;
        int distilled = 0;
        for (String line : trials) {
            Matcher m = row.matcher(line);
            assertTrue(m.matches(), () -> "not a trial row: '" + line + "'");
            switch (m.group(2)) {
                case "teacher" -> teachers++;
                case "student-alone" -> alone++;
                default -> distilled++;
            }
        }
        assertEquals(List.of(1, 2, 8), List.of(teachers, alone, distilled));
        assertTrue(r.out().contains("distilled temperature=4,alpha=0.5 seed=2"), r.out());
        assertTrue(r.out().contains("teacher mlp[256,128,64]"), r.out());
    }

    @Test
    void dryRunWithGridOverrideChangesThePlan() {
        Result r = run("run", QUICKSTART, "--dry-run", "--set", "grid.distillation.loss.alpha=[0.5]", "--set",
                "seeds=[3]");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().findFirst().orElseThrow().endsWith("2 grid cell(s), seeds [3], 4 trial(s)"),
                r.out());
    }

    @Test
    void unknownOptionExitsTwo() {
        Result r = run("run", QUICKSTART, "--dry-run", "--frobnicate");
        assertEquals(Main.USER_ERROR, r.code());
        assertTrue(r.err().startsWith("error: Unknown option: '--frobnicate'"), r.err());
        assertEquals("", r.out());
        assertNoStackTrace(r);

        Result top = run("--frobnicate");
        assertEquals(Main.USER_ERROR, top.code());
        assertTrue(top.err().startsWith("error: "), top.err());
    }

    @Test
    void helpPrintsUsageAndExitsZero() {
        Result r = run("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("Usage: distill4j"), r.out());
        assertTrue(r.out().contains("run") && r.out().contains("data"), r.out());

        Result run = run("run", "--help");
        assertEquals(0, run.code());
        assertTrue(run.out().contains("--dry-run") && run.out().contains("--set"), run.out());
    }

    @Test
    void dataFetchWithoutSymbolExitsTwo() {
        Result r = run("data", "fetch", "--start", "2024-01-01");
        assertEquals(Main.USER_ERROR, r.code());
        assertTrue(r.err().startsWith("error: Missing required option: '--symbol="), r.err());
        assertNoStackTrace(r);
    }
}
