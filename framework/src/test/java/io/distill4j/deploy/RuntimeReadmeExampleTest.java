package io.distill4j.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.KlineSeries;
import io.distill4j.data.KlineCsvWriter;
import io.distill4j.runtime.SignalStream;
import io.distill4j.runtime.StudentModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's trading loop compiles against the runtime and prints the signals a {@link SignalStream} gives. */
class RuntimeReadmeExampleTest {
    private static final String MARKER = "<!-- runtime-example";

    @TempDir
    Path dir;

    @Test
    void readmeTradingLoopCompilesAndPrintsEverySignal() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int at = readme.indexOf(MARKER);
        assertTrue(at >= 0, "README has no runtime example");
        int start = readme.indexOf("```java\n", at) + "```java\n".length();
        String code = readme.substring(start, readme.indexOf("```", start));
        Path src = dir.resolve("TradingLoop.java");
        Files.writeString(src, code);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", dir.toString(), "-cp", System.getProperty("java.class.path"),
                src.toString());
        assertEquals(0, rc, "the README example does not compile");

        StudentModel model = RuntimeExporter.export(DeployFixtures.student("{type: mlp, hidden: [16, 8]}", 4),
                DeployFixtures.info(false));
        Path file = dir.resolve("student.d4jr");
        model.save(file);
        KlineSeries s = DeployFixtures.SERIES;
        Path csv = dir.resolve("bars.csv");
        KlineCsvWriter.write(s, csv);

        List<String> expected = new ArrayList<>();
        SignalStream stream = model.newSignalStream();
        float[] p = new float[3];
        String[] actions = {"sell", "hold", "buy"};
        for (int i = 0; i < s.size(); i++) {
            if (stream.onBar(s.timeMs()[i], s.open()[i], s.high()[i], s.low()[i], s.close()[i], s.volume()[i], p)) {
                int a = SignalStream.argmax(p, 3);
                expected.add(String.format(Locale.ROOT, "%d %s %.3f", s.timeMs()[i], actions[a], p[a]));
            }
        }

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream original = System.out;
        Locale locale = Locale.getDefault();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
                getClass().getClassLoader())) {
            Locale.setDefault(Locale.ROOT);
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            loader.loadClass("TradingLoop").getMethod("main", String[].class)
                    .invoke(null, (Object) new String[] {file.toString(), csv.toString()});
        } finally {
            System.setOut(original);
            Locale.setDefault(locale);
        }
        List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(expected.size() > 2000, "signals " + expected.size());
        assertEquals(expected, lines);
    }
}
