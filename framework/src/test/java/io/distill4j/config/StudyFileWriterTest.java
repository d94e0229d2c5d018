package io.distill4j.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StudyFileWriterTest {
    @TempDir
    Path dir;

    @Test
    void writesBlockYamlInKeyOrder() {
        ObjectNode s = StudyFileReader.parse("s.yaml", "study: q\nteacher: {type: mlp, hidden: [128, 64]}\n"
                + "stages: [{name: warm, epochs: 2}, {name: main, params: {lr: 0.001}}]\nempty: {}\nnone: []\n"
                + "nested: [[1, 2], [{a: 1}]]\n");
        assertEquals(String.join("\n",
                "study: q",
                "teacher:",
                "  type: mlp",
                "  hidden: [128, 64]",
                "stages:",
                "  - name: warm",
                "    epochs: 2",
                "  - name: main",
                "    params:",
                "      lr: 0.001",
                "empty: {}",
                "none: []",
                "nested:",
                "  - [1, 2]",
                "  -",
                "    - a: 1",
                ""), StudyFileWriter.toYaml(s));
    }

    @Test
    void writesNumbersInPlainDecimalsThatReadBackEqual() {
        var f = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
        // expected texts written by hand: what a person writes in a study file, never Java's 1.0E-4
        String[][] cases = {{"0.0001", "0.0001"}, {"1.0E-4", "0.0001"}, {"2.0", "2.0"}, {"0.005", "0.005"},
            {"1.5E7", "15000000.0"}, {"-0.25", "-0.25"}, {"3.0E-12", "0.000000000003"}};
        for (String[] c : cases) {
            double d = Double.parseDouble(c[0]);
            String text = StudyFileWriter.number(f.numberNode(d));
            assertEquals(c[1], text, c[0]);
            assertEquals(d, Double.parseDouble(text), 0.0, c[0]);
            assertEquals(d, StudyFileReader.parse("s.yaml", "x: " + text + "\n").get("x").doubleValue(), 0.0);
        }
        assertEquals("42", StudyFileWriter.number(f.numberNode(42)));
        ObjectNode s = StudyFileReader.parse("s.yaml", "study: q\ntraining: {l2: 0.0001, learning_rate: 5.0e-3}\n");
        assertEquals("study: q\ntraining:\n  l2: 0.0001\n  learning_rate: 0.005\n", StudyFileWriter.toYaml(s));
        assertEquals("[256, 128, 64]", StudyFileWriter.text(StudyFileReader.parse("s.yaml", "h: [256, 128, 64]\n")
                .get("h")));
    }

    @Test
    void quotesStringsThatWouldReadBackDifferently() {
        ObjectNode s = StudyFileReader.parse("s.yaml", "a: '4'\nb: 'true'\nc: 'null'\nd: 'x: y'\ne: ''\nf: \"l1\\nl2\"\n"
                + "g: 'yes'\n'key with: colon': 1\nh: '#no comment'\ni: results/mlruns\nj: '1e3'\nk: caf\u00e9\n");
        String out = StudyFileWriter.toYaml(s);
        assertEquals(String.join("\n",
                "a: \"4\"",
                "b: \"true\"",
                "c: \"null\"",
                "d: \"x: y\"",
                "e: \"\"",
                "f: \"l1\\nl2\"",
                "g: yes",
                "\"key with: colon\": 1",
                "h: \"#no comment\"",
                "i: results/mlruns",
                "j: \"1e3\"",
                "k: \"caf\u00e9\"",
                ""), out);
        assertEquals(s, StudyFileReader.parse("out.yaml", out));
    }

    @Test
    void roundTripsTheQuickstartStudyAndResolvedCells() {
        ObjectNode q = StudyFileReader.parse("q.yaml", StudyFileReaderTest.QUICKSTART);
        assertEquals(q, StudyFileReader.parse("out.yaml", StudyFileWriter.toYaml(q)));
        for (GridCell c : Grid.of("q.yaml", q).cells()) {
            Path f = dir.resolve("cell" + c.index() + ".yaml");
            StudyFileWriter.write(f, c.resolved());
            assertEquals(c.resolved(), StudyFileReader.read(f));
        }
    }

    @Test
    void roundTripsNumbersAndNulls() {
        ObjectNode s = StudyFileReader.parse("s.yaml",
                "a: 1.0e-4\nb: 12345678901234567890123\nc: -7\nd: null\ne: 2.5\nf: 1e300\ng: [null, true, -0.0]\n");
        assertEquals(s, StudyFileReader.parse("out.yaml", StudyFileWriter.toYaml(s)));
    }

    @Test
    void commentHeaderIsIgnoredOnReading() {
        ObjectNode s = StudyFileReader.parse("s.yaml", "study: q\n");
        String out = StudyFileWriter.toYaml(s, "resolved config\nhash: abc");
        assertEquals("# resolved config\n# hash: abc\nstudy: q\n", out);
        assertEquals(s, StudyFileReader.parse("out.yaml", out));
    }
}
