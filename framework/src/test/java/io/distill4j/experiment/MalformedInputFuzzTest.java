package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.Distill4jException;
import io.distill4j.data.KlineCsvReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random mutations (byte flips, deletions, duplicated or dropped lines, truncation, random unicode, YAML
 * punctuation, swapped values) of the valid study files in {@code configs/} and of a generated valid kline CSV,
 * thrown at {@link Study#load} and {@link KlineCsvReader#read}. Each case must either succeed or fail with the
 * project's own {@link Distill4jException} (one line); any other exception (a parser's, a NullPointerException, an
 * index out of bounds, ...) is an escape and fails the test, listing the mutated inputs that caused it.
 */
class MalformedInputFuzzTest {
    private static final long SEED = 20261122L;
    private static final int STUDY_CASES = 2500;
    private static final int CSV_CASES = 2500;
    private static final String UNICODE = "\u00e9\u00df\u4e2d\u0000\u0001\u001b\u007f\u0085\u00a0\u2028\u2029"
            + "\ufeff\ufffe\uffff\ud800\udc00\ud83d\ude00\u202e\t\r\n";
    private static final String YAML_PUNCT = "[]{}:,&*!|>-'\"%@`#?<";
    private static final String CSV_PUNCT = ",,\"'\n\r;.-+eE0123456789 NaInfity";

    @TempDir
    Path dir;

    @Test
    void mutatedStudyFilesFailOnlyWithOwnErrors() throws IOException {
        List<byte[]> seeds = List.of(Files.readAllBytes(Path.of("../configs/quickstart.yaml")),
                Files.readAllBytes(Path.of("../configs/btc-5m.yaml")));
        Path file = dir.resolve("fuzz.yaml");
        Escapes escapes = new Escapes();
        Random rnd = new Random(SEED);
        for (int i = 0; i < STUDY_CASES; i++) {
            byte[] mutated = mutate(seeds.get(i % seeds.size()), rnd, YAML_PUNCT);
            Files.write(file, mutated);
            escapes.check(mutated, () -> Study.load(file, List.of()));
        }
        escapes.assertNone("study");
    }

    @Test
    void randomOverridesFailOnlyWithOwnErrors() {
        Path quickstart = Path.of("../configs/quickstart.yaml");
        String[] paths = {"training.epochs", "teacher.hidden", "teacher", "grid.distillation.loss.alpha", "seeds",
            "data.source.type", "data.split", "distillation.loss", "grid", "study", "", ".", "a..b", "x.y.z",
            "teacher.members[0].name", "student.hidden[1]", "data.source.path", "tracking.experiment"};
        Escapes escapes = new Escapes();
        Random rnd = new Random(SEED + 2);
        for (int i = 0; i < 100; i++) {
            String path = paths[rnd.nextInt(paths.length)];
            String value = rnd.nextBoolean() ? randomValue(rnd) : randomUnicode(rnd) + randomValue(rnd);
            String override = rnd.nextInt(10) == 0 ? path + value : path + "=" + value;
            escapes.check(override.getBytes(StandardCharsets.UTF_8), () -> Study.load(quickstart, List.of(override)));
        }
        escapes.assertNone("--set override");
    }

    @Test
    void mutatedKlineFilesFailOnlyWithOwnErrors() throws IOException {
        byte[] valid = validCsv(new Random(SEED), 120);
        Path file = dir.resolve("fuzz.csv");
        KlineCsvReader.read(write(file, valid)); // the seed itself is valid
        Escapes escapes = new Escapes();
        Random rnd = new Random(SEED + 1);
        for (int i = 0; i < CSV_CASES; i++) {
            byte[] mutated = mutate(valid, rnd, CSV_PUNCT);
            Files.write(file, mutated);
            escapes.check(mutated, () -> KlineCsvReader.read(file));
        }
        escapes.assertNone("kline CSV");
    }

    private static Path write(Path file, byte[] bytes) throws IOException {
        return Files.write(file, bytes);
    }

    static byte[] validCsv(Random rnd, int rows) {
        StringBuilder sb = new StringBuilder("timestamp_ms,open,high,low,close,volume,turnover\n");
        double price = 100;
        long time = 1_700_000_000_000L;
        for (int i = 0; i < rows; i++) {
            double open = price;
            double close = price * (1 + (rnd.nextDouble() - 0.5) * 0.01);
            double high = Math.max(open, close) * (1 + rnd.nextDouble() * 0.002);
            double low = Math.min(open, close) * (1 - rnd.nextDouble() * 0.002);
            double volume = rnd.nextInt(10) == 0 ? 0 : rnd.nextDouble() * 1000;
            sb.append(String.format(Locale.ROOT, "%d,%.4f,%.4f,%.4f,%.4f,%.3f,%.2f%n", time, open, high, low, close, volume,
                    volume * close));
            price = close;
            time += 300_000L * (rnd.nextInt(20) == 0 ? 2 : 1); // a few gaps
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** One to three random mutations of {@code seed}. */
    static byte[] mutate(byte[] seed, Random rnd, String punct) {
        byte[] b = seed.clone();
        int n = 1 + rnd.nextInt(3);
        for (int k = 0; k < n && b.length > 0; k++) {
            b = switch (rnd.nextInt(10)) {
                case 0 -> flipBits(b, rnd);
                case 1 -> deleteRange(b, rnd);
                case 2 -> lines(b, rnd, "duplicate");
                case 3 -> lines(b, rnd, "delete");
                case 4 -> Arrays.copyOf(b, rnd.nextInt(b.length));
                case 5 -> insert(b, rnd, randomUnicode(rnd).getBytes(StandardCharsets.UTF_8));
                case 6 -> insert(b, rnd, String.valueOf(punct.charAt(rnd.nextInt(punct.length())))
                        .getBytes(StandardCharsets.UTF_8));
                case 7 -> swapValues(b, rnd);
                case 8 -> lines(b, rnd, "swap");
                default -> insert(b, rnd, randomValue(rnd).getBytes(StandardCharsets.UTF_8));
            };
        }
        return b;
    }

    private static byte[] flipBits(byte[] b, Random rnd) {
        int flips = 1 + rnd.nextInt(4);
        for (int i = 0; i < flips; i++) {
            b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
        }
        return b;
    }

    private static byte[] deleteRange(byte[] b, Random rnd) {
        int from = rnd.nextInt(b.length);
        int to = Math.min(b.length, from + 1 + rnd.nextInt(16));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b, 0, from);
        out.write(b, to, b.length - to);
        return out.toByteArray();
    }

    private static byte[] insert(byte[] b, Random rnd, byte[] what) {
        int at = rnd.nextInt(b.length + 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b, 0, at);
        out.write(what, 0, what.length);
        out.write(b, at, b.length - at);
        return out.toByteArray();
    }

    private static byte[] lines(byte[] b, Random rnd, String op) {
        List<String> lines = new ArrayList<>(Arrays.asList(new String(b, StandardCharsets.ISO_8859_1).split("\n", -1)));
        int i = rnd.nextInt(lines.size());
        int j = rnd.nextInt(lines.size());
        switch (op) {
            case "duplicate" -> lines.add(j, lines.get(i));
            case "delete" -> lines.remove(i);
            default -> {
                String t = lines.get(i);
                lines.set(i, lines.get(j));
                lines.set(j, t);
            }
        }
        return String.join("\n", lines).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Swaps the values of two {@code key: value} entries or two CSV fields. */
    private static byte[] swapValues(byte[] b, Random rnd) {
        String text = new String(b, StandardCharsets.UTF_8);
        String[] tokens = text.split("(?<=[:,\\[\\]{}\\n ])|(?=[:,\\[\\]{}\\n ])");
        List<Integer> values = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            if (!tokens[i].isBlank() && tokens[i].length() > 0 && "[]{}:,\n ".indexOf(tokens[i].charAt(0)) < 0) {
                values.add(i);
            }
        }
        if (values.size() < 2) {
            return b;
        }
        int x = values.get(rnd.nextInt(values.size()));
        int y = values.get(rnd.nextInt(values.size()));
        String t = tokens[x];
        tokens[x] = tokens[y];
        tokens[y] = t;
        return String.join("", tokens).getBytes(StandardCharsets.UTF_8);
    }

    private static String randomUnicode(Random rnd) {
        StringBuilder sb = new StringBuilder();
        int n = 1 + rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
            sb.append(rnd.nextBoolean() ? UNICODE.charAt(rnd.nextInt(UNICODE.length()))
                    : (char) rnd.nextInt(0x10000));
        }
        return sb.toString();
    }

    private static String randomValue(Random rnd) {
        String[] v = {"1e400", "-1e400", "NaN", ".nan", ".inf", "-.inf", "1e308", "-0", "0", "99999999999999999999",
            "0x1F", "0o17", "~", "null", "true", "''", "\"\"", "[]", "{}", "&a", "*a", "!!str", "!!java.net.URL",
            "<<: *a", "-", "? ", "|", ">", "---", "...", "%YAML 1.2", "\\u0000", "9223372036854775808",
            "-9223372036854775809", "1_000", "+1", "1.", ".5", "1e-400"};
        return v[rnd.nextInt(v.length)];
    }

    /** Collects escapes: exceptions other than {@link Distill4jException}, by type, with one example input each. */
    private static final class Escapes {
        private final Map<String, String> examples = new LinkedHashMap<>();
        private int count;
        private int failures;

        void check(byte[] input, Runnable code) {
            try {
                code.run();
            } catch (Distill4jException e) {
                failures++;
                String m = String.valueOf(e.getMessage());
                if (m.contains("\n") || m.contains("\r")) {
                    record("multi-line message", m, input);
                }
            } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                StackTraceElement top = e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null;
                record(e.getClass().getName() + " at " + top, String.valueOf(e.getMessage()), input);
            }
        }

        private void record(String kind, String message, byte[] input) {
            count++;
            examples.putIfAbsent(kind, message + "\n--- input ---\n" + new String(input, StandardCharsets.UTF_8));
        }

        void assertNone(String what) {
            StringBuilder sb = new StringBuilder();
            examples.forEach((k, v) -> sb.append("\n=== ").append(k).append(": ").append(v));
            assertTrue(examples.isEmpty(), count + " escape(s) from " + what + " parsing (" + failures
                    + " clean failures):" + sb);
            assertTrue(failures > 0, "no case failed: the mutations do nothing");
        }
    }

}
