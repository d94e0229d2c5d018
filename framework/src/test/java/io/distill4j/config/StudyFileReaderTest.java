package io.distill4j.config;

import static io.distill4j.config.Messages.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StudyFileReaderTest {
    static final String QUICKSTART = String.join("\n",
            "study: quickstart",
            "description: \"A first study\"",
            "data: {source: {type: synthetic, bars: 20000, seed: 7}, labels: {horizon: 12}}",
            "teacher: {type: mlp, hidden: [128, 64]}",
            "student: {type: mlp, hidden: [16, 8]}",
            "distillation:",
            "  loss: {type: hinton, temperature: 4, alpha: 0.5}",
            "  schedules:",
            "    temperature: {type: cosine, start: 8, end: 2}",
            "training: {epochs: 20, batch_size: 256, learning_rate: 0.005}",
            "grid:",
            "  distillation.loss.temperature: [1, 4]",
            "  distillation.loss.alpha: [0.1, 0.5]",
            "seeds: [1, 2]",
            "tracking: {uri: results/mlruns}",
            "");

    @TempDir
    Path dir;

    private ConfigException parse(String expected, String text) {
        return assertMessage(expected, () -> StudyFileReader.parse("study.yaml", text));
    }

    // ---- valid input -------------------------------------------------------------------------

    @Test
    void readsTheQuickstartStudyWithTypesAndKeyOrder() throws Exception {
        Path f = dir.resolve("quickstart.yaml");
        Files.writeString(f, QUICKSTART);
        ObjectNode root = StudyFileReader.read(f);
        assertEquals(List.of("study", "description", "data", "teacher", "student", "distillation", "training", "grid",
                "seeds", "tracking"), ConfigNode.root("q", root).keys());
        assertTrue(root.at("/data/source/bars").isInt());
        assertEquals(20000, root.at("/data/source/bars").intValue());
        assertTrue(root.at("/training/learning_rate").isDouble());
        assertEquals(0.005, root.at("/training/learning_rate").doubleValue());
        assertEquals("[128,64]", root.get("teacher").get("hidden").toString());
        assertEquals("A first study", root.get("description").textValue());
        assertTrue(root.get("grid").has("distillation.loss.temperature"));
    }

    @Test
    void plainScalarsFollowTheYaml12CoreSchema() {
        ObjectNode r = StudyFileReader.parse("s.yaml",
                "a: yes\nb: on\nc: true\nd: '4'\ne: 4\nf: 4.0\ng: ~\nh: 1e3\ni: 0x10\nj: 12345678901\nk: .inf\nl: 007\n");
        assertEquals("yes", r.get("a").textValue());
        assertEquals("on", r.get("b").textValue());
        assertTrue(r.get("c").booleanValue());
        assertEquals("4", r.get("d").textValue());
        assertTrue(r.get("e").isInt());
        assertTrue(r.get("f").isDouble());
        assertTrue(r.get("g").isNull());
        assertEquals(1000.0, r.get("h").doubleValue());
        assertEquals(16, r.get("i").intValue());
        assertTrue(r.get("j").isLong());
        assertEquals(".inf", r.get("k").textValue());
        assertEquals(7, r.get("l").intValue());
    }

    @Test
    void aliasesAreCopiesAndABomIsIgnored() {
        ObjectNode r = StudyFileReader.parse("s.yaml", "\uFEFFbase: &b {hidden: [8, 4]}\nteacher: *b\n");
        assertEquals(r.get("base"), r.get("teacher"));
        ((ObjectNode) r.get("teacher")).put("hidden", 1);
        assertEquals("[8,4]", r.get("base").get("hidden").toString());
    }

    // ---- file level --------------------------------------------------------------------------

    @Test
    void missingFile() {
        assertMessage("study.yaml: file not found",
                () -> StudyFileReader.read(dir.resolve("nope.yaml"), "study.yaml"));
    }

    @Test
    void directoryInsteadOfFile() {
        assertMessage("study.yaml: is a directory, not a study file", () -> StudyFileReader.read(dir, "study.yaml"));
    }

    @Test
    void emptyFile() throws Exception {
        Path f = dir.resolve("empty.yaml");
        Files.write(f, new byte[0]);
        assertMessage("study.yaml: file is empty (expected a mapping of study settings)",
                () -> StudyFileReader.read(f, "study.yaml"));
    }

    @Test
    void onlyCommentsIsEmpty() {
        parse("study.yaml: file is empty (expected a mapping of study settings)", "# nothing here\n\n   \n");
    }

    @Test
    void nulBytes() throws Exception {
        Path f = dir.resolve("model.bin");
        Files.write(f, new byte[] {'P', 'K', 3, 4, 0, 0, 0, 1});
        assertMessage("study.yaml: not a text file (contains NUL bytes)", () -> StudyFileReader.read(f, "study.yaml"));
    }

    @Test
    void invalidUtf8() throws Exception {
        Path f = dir.resolve("latin1.yaml");
        Files.write(f, "study: x\ndescription: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        assertMessage("study.yaml: not valid UTF-8 text (invalid byte 0xE9 on line 2); save the file as UTF-8",
                () -> StudyFileReader.read(f, "study.yaml"));
    }

    @Test
    void controlCharacter() {
        parse("study.yaml: contains the control character U+0007 at line 2, column 4 (not a text file?)",
                "a: 1\nb: \u0007\n");
    }

    // ---- syntax ------------------------------------------------------------------------------

    @Test
    void mappingValueInsideAScalar() {
        parse("study.yaml: YAML syntax error at line 2, column 17: mapping values are not allowed here",
                "study: q\ntraining: epochs: 5\n");
    }

    @Test
    void unclosedFlowList() {
        parse("study.yaml: YAML syntax error at line 3, column 1: expected ',' or ']', but got <stream end>",
                "study: q\nseeds: [1, 2\n");
    }

    @Test
    void tabIndentation() {
        ConfigException e = assertMessage(
                "study.yaml: YAML syntax error at line 2, column 1: found character '\\t(TAB)' that cannot start any"
                        + " token. (Do not use \\t(TAB) for indentation)",
                () -> StudyFileReader.parse("study.yaml", "training:\n\tepochs: 5\n"));
        assertEquals("", e.path());
    }

    @Test
    void topLevelList() {
        parse("study.yaml: top level must be a mapping of study settings, got a list", "- 1\n- 2\n");
    }

    @Test
    void topLevelScalar() {
        parse("study.yaml: top level must be a mapping of study settings, got the string 'hello'", "hello\n");
    }

    @Test
    void twoDocuments() {
        parse("study.yaml: more than one YAML document (the second starts at line 2); a study file holds exactly one",
                "study: a\n---\nstudy: b\n");
    }

    @Test
    void duplicateKeyNamesKeyAndLines() {
        ConfigException e = parse(
                "study.yaml: training.epochs: duplicate key 'epochs' on line 4 (first defined on line 2)",
                "training:\n  epochs: 5\n  batch_size: 8\n  epochs: 6\n");
        assertEquals("training.epochs", e.path());
    }

    @Test
    void javaTypeTagIsRejected() {
        parse("study.yaml: data.source: YAML tag '!!java.net.URL' is not allowed (line 2, column 11); study files"
                + " hold plain mappings, lists and values only", "data:\n  source: !!java.net.URL [\"http://x\"]\n");
    }

    @Test
    void pythonStyleTagIsRejected() {
        parse("study.yaml: x: YAML tag '!!python/object/apply:os.system' is not allowed (line 1, column 4); study"
                + " files hold plain mappings, lists and values only", "x: !!python/object/apply:os.system [ls]\n");
    }

    @Test
    void evenHarmlessTagsAreRejected() {
        parse("study.yaml: seeds[1]: YAML tag '!!str' is not allowed (line 1, column 12); study files hold plain"
                + " mappings, lists and values only", "seeds: [1, !!str 2]\n");
        parse("study.yaml: teacher: YAML tag '!mlp' is not allowed (line 1, column 10); study files hold plain"
                + " mappings, lists and values only", "teacher: !mlp {hidden: 1}\n");
    }

    @Test
    void numericKey() {
        parse("study.yaml: data: keys must be strings, got the number 1 as a key (line 2, column 3); quote it if you"
                + " mean the text '1'", "data:\n  1: a\n");
    }

    @Test
    void complexKey() {
        parse("study.yaml: keys must be strings, got a list as a key (line 1, column 3)", "? [a, b]\n: 1\n");
    }

    @Test
    void nullKey() {
        parse("study.yaml: data: empty key (line 2, column 3)", "data:\n  ~: 1\n");
    }

    @Test
    void mergeKey() {
        parse("study.yaml: student: merge keys (<<) are not supported (line 3, column 3)",
                "base: &b {type: mlp}\nstudent:\n  <<: *b\n  hidden: [4]\n");
    }

    @Test
    void unknownAlias() {
        parse("study.yaml: teacher: unknown alias *nothing (line 1, column 10)", "teacher: *nothing\n");
    }

    @Test
    void aliasBombIsStopped() {
        StringBuilder b = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i <= 8; i++) {
            b.append("a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 10; j++) {
                b.append(j > 0 ? ", " : "").append("*a").append(i - 1);
            }
            b.append("]\n");
        }
        parse("study.yaml: a5[7]: document too large (more than 1000000 values, after aliases)",
                b.toString());
    }

    @Test
    void deepNestingIsStopped() {
        parse("study.yaml: a" + "[0]".repeat(64) + ": nested more than 64 levels deep (line 1, column 68)",
                "a: " + "[".repeat(100) + "]".repeat(100) + "\n");
    }

    @Test
    void fileNameInMessagesIsThePathAsGiven() throws Exception {
        Path f = dir.resolve("list.yaml");
        Files.writeString(f, "- a\n");
        assertMessage(f + ": top level must be a mapping of study settings, got a list", () -> StudyFileReader.read(f));
    }
}
