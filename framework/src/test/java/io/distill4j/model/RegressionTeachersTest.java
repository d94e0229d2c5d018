package io.distill4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.Distill4jException;
import io.distill4j.api.EpochReport;
import io.distill4j.api.FittedTeacher;
import io.distill4j.api.InputShape;
import io.distill4j.api.Teacher;
import io.distill4j.api.TeacherFitContext;
import io.distill4j.config.ConfigNode;
import io.distill4j.config.StudyFileReader;
import io.distill4j.data.DataConfig;
import io.distill4j.data.features.DatasetPreparer;
import io.distill4j.data.features.PreparedData;
import io.distill4j.plugin.Plugins;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code data.labels.task: regression} for every network teacher type: one output, trained on the squared error to
 * the target, with the validation MSE as the per-epoch criterion; an ensemble averages its members' predictions; a
 * class-only teacher type is refused with one line.
 */
class RegressionTeachersTest {
    private static PreparedData data;

    @BeforeAll
    static void prepare() {
        data = DatasetPreparer.prepare(new DataConfig(new DataConfig.SyntheticSource(3000, 7, "5m"), 8, 6,
                OptionalDouble.empty(), new DataConfig.Split(0.6, 0.2, 0.2, OptionalInt.empty()),
                new DataConfig.Target(DataConfig.Task.REGRESSION, DataConfig.Scale.VOLATILITY)));
    }

    private static Teacher parse(String yaml) {
        return Plugins.create(Teacher.class, ConfigNode.root("t.yaml", StudyFileReader.parse("t.yaml",
                "teacher: " + yaml)).section("teacher"));
    }

    private static FittedTeacher fit(Teacher teacher, List<EpochReport> reports) {
        return teacher.fit(new TeacherFitContext(new InputShape(12, 8, data.outputWidth()), data.train(),
                data.train().targetColumn(), data.validation(), data.validation().targetColumn(), data.series(), 5,
                reports::add));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{type: mlp, hidden: [8]}", "{type: lstm, hidden: [4]}",
            "{type: attention, model_size: 8, heads: 2, head_size: 4, hidden: [4]}",
            "{type: transformer, model_size: 8, heads: 2, blocks: 1, ff_size: 8}", "{type: cnn1d}"})
    void everyNetworkTeacherPredictsOneValue(String yaml) {
        List<EpochReport> reports = new ArrayList<>();
        FittedTeacher t = fit(parse(yaml.replace("}", ", training: {epochs: 2, batch_size: 256}}")), reports);
        INDArray out = t.infer(data.test()).logits();
        assertArrayEquals(new long[] {data.test().size(), 1}, out.shape(), yaml);
        for (double v : out.dup().reshape(out.size(0)).toDoubleVector()) {
            assertTrue(Double.isFinite(v), yaml + " predicts " + v);
        }
        assertEquals(2, reports.size());
        EpochReport last = reports.get(1);
        assertEquals(last.validationLoss(), last.values().get(EpochReport.VAL_MSE), 0.0, "the MSE is the criterion");
        assertTrue(last.values().containsKey(EpochReport.VAL_R2) && last.values().containsKey(EpochReport.VAL_IC));
        assertTrue(!last.values().containsKey(EpochReport.VAL_ACCURACY));
    }

    @Test
    void anEnsembleAveragesItsMembersPredictions() {
        FittedTeacher t = fit(parse("{type: ensemble, weights: [3, 1], members: [{name: a, type: mlp, hidden: [4], "
                + "training: {epochs: 1}}, {name: b, type: mlp, hidden: [2], training: {epochs: 1}}]}"), new ArrayList<>());
        var out = t.infer(data.test());
        INDArray a = out.members().get("a");
        INDArray b = out.members().get("b");
        for (int i = 0; i < 5; i++) {
            assertEquals(0.75 * a.getDouble(i, 0) + 0.25 * b.getDouble(i, 0), out.logits().getDouble(i, 0), 1e-5);
        }
    }

    @Test
    void aClassOnlyTeacherIsRefused() {
        Distill4jException e = assertThrows(Distill4jException.class, () -> fit(parse("{type: gbt}"),
                new ArrayList<>()));
        assertTrue(e.getMessage().startsWith("teacher type 'gbt' predicts classes only"), e.getMessage());
    }
}
