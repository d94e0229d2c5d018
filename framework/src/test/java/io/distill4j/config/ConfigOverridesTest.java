package io.distill4j.config;

import static io.distill4j.config.Messages.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigOverridesTest {
    private final ObjectNode study = StudyFileReader.parse("q.yaml", StudyFileReaderTest.QUICKSTART);

    private ObjectNode apply(String... overrides) {
        return ConfigOverrides.applied(study, List.of(overrides));
    }

    private void fails(String expected, String override) {
        ConfigException e = assertMessage(expected, () -> apply(override));
        assertEquals("--set", e.file());
    }

    @Test
    void valuesAreParsedAsYaml() {
        ObjectNode r = apply("training.epochs=4", "training.learning_rate=0.5", "x.flag=true", "x.name=abc",
                "x.list=[1, 2]", "x.map={a: 1}", "x.quoted='4'", "x.none=null");
        assertEquals(4, r.at("/training/epochs").intValue());
        assertTrue(r.at("/training/epochs").isInt());
        assertEquals(0.5, r.at("/training/learning_rate").doubleValue());
        assertTrue(r.at("/x/flag").isBoolean());
        assertEquals("abc", r.at("/x/name").textValue());
        assertEquals("[1,2]", r.at("/x/list").toString());
        assertEquals("{\"a\":1}", r.at("/x/map").toString());
        assertEquals("4", r.at("/x/quoted").textValue());
        assertTrue(r.at("/x/none").isNull());
        assertEquals(20, study.at("/training/epochs").intValue(), "applied() must not modify its input");
    }

    @Test
    void createsMissingKeysAndIntermediateMappings() {
        ObjectNode r = apply("training.optimizer.type=adam", "training.weight_decay=0.01");
        assertEquals("adam", r.at("/training/optimizer/type").textValue());
        assertEquals(0.01, r.at("/training/weight_decay").doubleValue());
        assertEquals(List.of("epochs", "batch_size", "learning_rate", "optimizer", "weight_decay"),
                ConfigNode.root("r", r).section("training").keys());
    }

    @Test
    void replacesWholeListsAndListElements() {
        ObjectNode r = apply("teacher.hidden=[256, 128, 64]", "student.hidden[1]=4", "seeds=[7]");
        assertEquals("[256,128,64]", r.at("/teacher/hidden").toString());
        assertEquals("[16,4]", r.at("/student/hidden").toString());
        assertEquals("[7]", r.get("seeds").toString());
    }

    @Test
    void laterOverridesWin() {
        assertEquals(9, apply("training.epochs=3", "training.epochs=9").at("/training/epochs").intValue());
    }

    @Test
    void gridAxesAreSingleKeysAfterGridDot() {
        ObjectNode r = apply("grid.distillation.loss.alpha=[0.3]", "grid.training.epochs=[5, 10]");
        assertEquals(List.of("distillation.loss.temperature", "distillation.loss.alpha", "training.epochs"),
                ConfigNode.root("r", r).section("grid").keys());
        assertEquals("[0.3]", r.get("grid").get("distillation.loss.alpha").toString());
        assertFalse(r.has("distillation.loss.alpha"));
        Grid g = Grid.of("r", r);
        assertEquals(4, g.size());
        assertEquals("temperature=1,alpha=0.3,epochs=5", g.cells().get(0).label());
    }

    @Test
    void gridCanBeCreatedOrRemoved() {
        ObjectNode none = StudyFileReader.parse("s.yaml", "study: s\n");
        ConfigOverrides.apply(none, List.of("grid.training.epochs=[1, 2]"));
        assertEquals(2, Grid.of("s", none).size());
        assertEquals(1, Grid.of("q", apply("grid=null")).size());
    }

    @Test
    void parseKeepsTheText() {
        ConfigOverrides.Override o = ConfigOverrides.parse("training.epochs=5");
        assertEquals("training.epochs", o.path());
        assertEquals(IntNode.valueOf(5), o.value());
        assertEquals("training.epochs=5", o.text());
    }

    // ---- malformed -----------------------------------------------------------------------------

    @Test
    void noEqualsSign() {
        fails("--set: malformed override 'no equals sign' (expected path=value, e.g. training.epochs=5)",
                "no equals sign");
    }

    @Test
    void emptyPath() {
        fails("--set: malformed override '=5': empty path before '=' (expected path=value, e.g. training.epochs=5)",
                "=5");
    }

    @Test
    void emptySegment() {
        fails("--set: bad path in override 'a..b=1': empty segment in path 'a..b'", "a..b=1");
    }

    @Test
    void badCharactersInPath() {
        fails("--set: bad path in override 'training.learning rate=1': bad segment 'learning rate' in path"
                + " 'training.learning rate' (keys are letters, digits, _ or -, optionally followed by [index])",
                "training.learning rate=1");
    }

    @Test
    void badGridAxisPath() {
        fails("--set: bad path in override 'grid.a..b=[1]': grid axis: empty segment in path 'a..b'", "grid.a..b=[1]");
    }

    @Test
    void emptyValue() {
        fails("--set: training.epochs: empty value in override 'training.epochs=' (write null to unset, or '' for"
                + " an empty string)", "training.epochs=");
    }

    @Test
    void malformedValue() {
        fails("--set: teacher.hidden: bad value in override 'teacher.hidden=[1, 2': YAML syntax error at line 1,"
                + " column 6: expected ',' or ']', but got <stream end>", "teacher.hidden=[1, 2");
    }

    @Test
    void taggedValue() {
        fails("--set: x: bad value in override 'x=!!javax.script.ScriptEngineManager [[]]': YAML tag"
                + " '!!javax.script.ScriptEngineManager' is not allowed (line 1, column 1); study files hold plain"
                + " mappings, lists and values only", "x=!!javax.script.ScriptEngineManager [[]]");
    }

    @Test
    void settingThroughAScalar() {
        fails("--set: training.epochs.max: cannot set 'max' inside training.epochs, which is the number 20, not a"
                + " mapping (override 'training.epochs.max=3')", "training.epochs.max=3");
    }

    @Test
    void indexOutOfRange() {
        fails("--set: teacher.hidden[5]: index [5] is out of range: teacher.hidden has 2 elements"
                + " (override 'teacher.hidden[5]=3')", "teacher.hidden[5]=3");
    }

    @Test
    void gridAxisWhenGridIsNotAMapping() {
        ObjectNode s = StudyFileReader.parse("s.yaml", "grid: [1]\n");
        assertMessage("--set: grid.training.epochs: cannot set a grid axis: grid is a list, not a mapping"
                + " (override 'grid.training.epochs=[1]')",
                () -> ConfigOverrides.apply(s, List.of("grid.training.epochs=[1]")));
    }

    @Test
    void allOverridesAreCheckedBeforeAnyIsApplied() {
        ObjectNode copy = study.deepCopy();
        assertMessage("--set: malformed override 'oops' (expected path=value, e.g. training.epochs=5)",
                () -> ConfigOverrides.apply(copy, List.of("training.epochs=1", "oops")));
        assertEquals(study, copy);
    }
}
