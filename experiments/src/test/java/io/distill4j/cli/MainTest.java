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
    void searchDryRunPrintsThePlanForEachStrategy() {
        for (String strategy : List.of("random", "grid", "genetic")) {
            Result r = run("search", "../configs/search-t-alpha-gamma.yaml", "--dry-run",
                    "--set", "search.strategy=" + strategy);
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().startsWith("search search-t-alpha-gamma: " + strategy + ", at most 8 candidate(s) x "
                    + "seeds [1, 2], objective validation accuracy (maximize), pruning median"), r.out());
            assertTrue(r.out().contains("  distillation.heads.hint.weight: log_uniform [0.01, 1.0]"), r.out());
        }
    }

    @Test
    void searchOfAStudyWithoutSearchSectionIsOneErrorLine() {
        Result r = run("search", QUICKSTART, "--dry-run");
        assertEquals(Main.USER_ERROR, r.code(), r.err());
        assertEquals(List.of("error: " + QUICKSTART + ": search: missing section (expected a mapping: strategy, "
                + "budget, objective, parameters); 'distill4j run' runs a study without one"), r.errLines());
        assertNoStackTrace(r);
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
        List<String> trials = lines.subList(1, lines.size() - 1);
        assertEquals(11, trials.size(), r.out());
        assertEquals("data synthetic(seed=7,bars=30000,intervalMs=300000): 30000 bars of 5m: 0 gaps, "
                + "0 zero-volume bars", lines.get(lines.size() - 1));
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

    @Test
    void doctorOnTheCpuBackend() {
        Result r = run("doctor");
        assertEquals(0, r.code(), r.err());
        assertNoStackTrace(r);
        List<String> lines = r.out().lines().toList();
        assertEquals("distill4j doctor", lines.get(0));
        for (String key : List.of("java:", "os:", "cpu:", "memory:", "OMP_NUM_THREADS:", "backends on class path:",
                "nd4j backend:", "nd4j data type:", "blas vendor:", "gpu", "device auto:")) {
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(key)), () -> "no line '" + key + "':\n" + r.out());
        }
        assertTrue(r.out().contains("memory:                  ") && r.out().contains("GiB physical, JVM max heap"),
                r.out());
        assertTrue(r.out().contains("backends on class path:  cpu (nd4j-native) yes, cuda (nd4j-cuda-11.6) no"),
                r.out());
        assertTrue(r.out().contains("nd4j backend:            CpuBackend (org.nd4j.linalg.cpu.nativecpu.CpuBackend)"),
                r.out());
        assertTrue(r.out().contains("nd4j data type:          FLOAT"), r.out());
        assertTrue(r.out().contains("OMP_NUM_THREADS:         1"), r.out()); // surefire sets it, like the launcher
        assertTrue(r.out().contains("device auto:             auto: CUDA backend not on the class path, using CPU"),
                r.out());
    }

    @Test
    void doctorGpuLinesWarnForUncoveredArchitectures() {
        var smi = new io.distill4j.device.NvidiaSmi.Result(io.distill4j.device.NvidiaSmi.parseQuery(
                "Tesla T4, 7.5, 15360 MiB, 535.104.05\nNVIDIA H100 80GB HBM3, 9.0, 81559 MiB, 535.104.05\n"),
                java.util.Optional.of("12.2"), java.util.Optional.empty());
        List<String> lines = DoctorCommand.gpuLines(smi);
        assertEquals("gpu 0:                   Tesla T4, compute capability 7.5 (sm_75), 15360 MiB, driver 535.104.05, "
                + "driver supports CUDA 12.2", lines.get(0));
        assertEquals("                         sm_75 (Turing) supported: native code", lines.get(1));
        assertTrue(lines.get(3).startsWith("WARNING: gpu 1 (NVIDIA H100 80GB HBM3): sm_90 not covered: ND4J "
                + "1.0.0-M2.1's CUDA binaries (sm_37..sm_86, no PTX) have no machine code for Hopper and no PTX"),
                lines.get(3));
        assertTrue(lines.get(3).endsWith("run on the CPU (the default build, --device cpu), or use a Kepler..Ada GPU "
                + "(sm_37..sm_89)."), lines.get(3));
        assertEquals(4, lines.size());

        var old = new io.distill4j.device.NvidiaSmi.Result(io.distill4j.device.NvidiaSmi.parseQuery(
                "Tesla K80, 3.7, 11441 MiB, 418.226.00\n"), java.util.Optional.of("10.1"), java.util.Optional.empty());
        assertTrue(DoctorCommand.gpuLines(old).get(2).startsWith("WARNING: the driver supports only CUDA 10.1"),
                String.join("\n", DoctorCommand.gpuLines(old)));
        assertEquals(List.of("gpu:                     none (nvidia-smi not found on the PATH)"),
                DoctorCommand.gpuLines(new io.distill4j.device.NvidiaSmi.Result(List.of(), java.util.Optional.empty(),
                        java.util.Optional.of("nvidia-smi not found on the PATH"))));
    }
}
