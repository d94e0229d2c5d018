package io.distill4j.model;

import static io.distill4j.model.PluginContractTest.DATA;
import static io.distill4j.model.PluginContractTest.assertClose;
import static io.distill4j.model.PluginContractTest.section;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.FittedTeacher;
import io.distill4j.api.InputKind;
import io.distill4j.api.InputShape;
import io.distill4j.api.Teacher;
import io.distill4j.api.TeacherFitContext;
import io.distill4j.api.TrainingObserver;
import io.distill4j.config.ConfigException;
import io.distill4j.plugin.Plugins;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The gbt teacher on a learnable toy problem: determinism, early stopping, output convention, reload, config. */
class GbtTeacherTest {
    private static final int N = 400;
    private static final InputShape SHAPE = new InputShape(4, 1, 3);

    /** Class = which third of x0 + noise a sample falls in; validation from the same rule, other samples. */
    private static TeacherFitContext context(long seed, List<Double> validationLosses) {
        Table train = Table.of(N, 1);
        Table validation = Table.of(N, 2);
        return new TeacherFitContext(SHAPE, train, train.labels, validation, validation.labels, null, seed,
                r -> validationLosses.add(r.validationLoss()));
    }

    private record Table(INDArray x, INDArray labels) implements io.distill4j.api.ModelInput {
        static Table of(int n, long seed) {
            Random r = new Random(seed);
            INDArray x = Nd4j.zeros(DataType.FLOAT, n, 4);
            INDArray y = Nd4j.zeros(DataType.FLOAT, n, 3);
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < 4; k++) {
                    x.putScalar(i, k, r.nextGaussian());
                }
                double s = x.getDouble(i, 0) + 0.5 * r.nextGaussian();
                y.putScalar(i, s < -0.5 ? 0 : s < 0.5 ? 1 : 2, 1);
            }
            return new Table(x, y);
        }

        @Override
        public int size() {
            return (int) x.size(0);
        }

        @Override
        public INDArray input(InputKind kind) {
            return x;
        }

        @Override
        public int[] barIndices() {
            return new int[size()];
        }
    }

    private static Teacher gbt(String keys) {
        return Plugins.create(Teacher.class, section("{type: gbt, " + keys + "}"));
    }

    @Test
    void sameSeedSameOutputsOtherSeedOtherOutputs() {
        Teacher teacher = gbt("rounds: 20, max_depth: 3, subsample: 0.5, colsample_bytree: 0.5, early_stopping: 0");
        Table test = Table.of(50, 3);
        INDArray a = teacher.fit(context(5, new ArrayList<>())).infer(test).logits();
        INDArray b = teacher.fit(context(5, new ArrayList<>())).infer(test).logits();
        INDArray c = teacher.fit(context(6, new ArrayList<>())).infer(test).logits();
        assertEquals(a, b, "two fits with one seed differ");
        assertFalse(a.equals(c), "the seed is not used (subsample and colsample draw from it)");
    }

    @Test
    void logitsAreLogProbabilitiesAndTheTreesLearn() {
        FittedTeacher fitted = gbt("rounds: 30, max_depth: 2, eta: 0.3").fit(context(1, new ArrayList<>()));
        Table test = Table.of(200, 3);
        INDArray logits = fitted.infer(test).logits();
        INDArray p = Transforms.exp(logits, true);
        assertClose(Nd4j.ones(DataType.FLOAT, 200), p.sum(1), "exp(logits) rows do not sum to 1", 1e-4);
        double accuracy = logits.argMax(1).eq(test.labels().argMax(1)).castTo(DataType.FLOAT).meanNumber()
                .doubleValue();
        assertTrue(accuracy > 0.6, "accuracy " + accuracy + " on a learnable rule (chance 1/3)");
    }

    @Test
    void earlyStoppingKeepsTheBestValidationRound(@TempDir Path dir) throws Exception {
        List<Double> losses = new ArrayList<>();
        // a large learning rate on noisy labels overfits fast: the validation loss turns up early
        GbtTeacher.Fitted fitted = (GbtTeacher.Fitted) gbt("rounds: 300, max_depth: 6, eta: 1, min_child_weight: 0,"
                + " lambda: 0, early_stopping: 3").fit(context(1, losses));
        assertTrue(losses.size() < 300, "did not stop early: " + losses.size() + " rounds");
        int best = 0;
        for (int r = 0; r < losses.size(); r++) {
            best = losses.get(r) < losses.get(best) ? r : best;
        }
        assertEquals(best + 1, fitted.usedRounds(), "validation losses " + losses);
        assertEquals(losses.size(), best + 1 + 3, "stops 3 rounds after the best");
        // prediction uses only the best rounds, and so does the reloaded model
        Path zip = dir.resolve("teacher.zip");
        fitted.save(zip);
        GbtTeacher.Fitted again = GbtTeacher.Fitted.load(zip);
        assertEquals(fitted.usedRounds(), again.usedRounds());
        assertEquals(fitted.parameterCount(), again.parameterCount());
        assertClose(fitted.infer(DATA4()).logits(), again.infer(DATA4()).logits(), "reloaded", 0);
    }

    /** A cached gbt teacher.zip is a bring-your-own teacher too: same outputs, widths checked against the data. */
    @Test
    void savedTeacherLoadsAGbtZip(@TempDir Path dir) throws Exception {
        FittedTeacher fitted = gbt("rounds: 5, max_depth: 2").fit(context(1, new ArrayList<>()));
        Path zip = dir.resolve("teacher.zip");
        fitted.save(zip);
        FittedTeacher saved = new SavedTeacher(zip, InputKind.TABULAR, false, null).fit(context(1, new ArrayList<>()));
        assertClose(fitted.infer(DATA4()).logits(), saved.infer(DATA4()).logits(), "saved gbt", 0);
        TeacherFitContext wider = new TeacherFitContext(new InputShape(5, 1, 3), null, null, null, null, null, 1,
                TrainingObserver.NONE);
        String m = assertThrows(io.distill4j.Distill4jException.class,
                () -> new SavedTeacher(zip, InputKind.TABULAR, false, null).fit(wider)).getMessage();
        assertTrue(m.contains("the model reads 4 features and predicts 3 classes, the data has 5"), m);
        m = assertThrows(io.distill4j.Distill4jException.class,
                () -> new SavedTeacher(zip, InputKind.SEQUENCE, false, null).fit(context(1, new ArrayList<>())))
                .getMessage();
        assertTrue(m.contains("declare input: tabular, output: logits"), m);
    }

    private static Table DATA4() {
        return Table.of(30, 9);
    }

    @Test
    void parameterCountIsTheNodesOfTheUsedTrees() {
        // depth-1 trees on a learnable feature: every tree is one split and two leaves, 3 trees per round
        FittedTeacher fitted = gbt("rounds: 4, max_depth: 1, early_stopping: 0").fit(context(1, new ArrayList<>()));
        assertEquals(4 * 3 * 3, fitted.parameterCount());
    }

    @Test
    void rangesAreCheckedWithTheConfigPath() {
        ConfigException e = assertThrows(ConfigException.class, () -> gbt("eta: 0"));
        assertTrue(e.getMessage().contains("eta: expected a number in"), e.getMessage());
        assertThrows(ConfigException.class, () -> gbt("subsample: 1.5"));
        assertThrows(ConfigException.class, () -> gbt("max_depth: 0"));
        assertThrows(ConfigException.class, () -> gbt("rounds: 0"));
        assertThrows(ConfigException.class, () -> gbt("early_stopping: -1"));
        assertThrows(ConfigException.class, () -> gbt("learning_rate: 0.1"));
        assertTrue(gbt("rounds: 5").featureLayers().isEmpty());
    }
}
