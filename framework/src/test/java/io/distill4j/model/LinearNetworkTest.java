package io.distill4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distill4j.api.InputKind;
import io.distill4j.api.InputShape;
import io.distill4j.api.Student;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.api.VertexNames;
import io.distill4j.config.ConfigException;
import io.distill4j.loss.HardLabelCrossEntropy;
import io.distill4j.loss.HintonKd;
import io.distill4j.plugin.Plugins;
import io.distill4j.train.TrainingSettings;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/** The {@code linear} student is multinomial logistic regression, assembled like every other student. */
class LinearNetworkTest {
    private static final InputShape SHAPE = PluginContractTest.SHAPE;

    @Test
    void deployableModelIsExactlySoftmaxOfAnAffineMapOfTheFeatures() {
        Student linear = Plugins.create(Student.class, PluginContractTest.section("{type: linear}"));
        HardLabelCrossEntropy loss = new HardLabelCrossEntropy();
        HintonKd kd = new HintonKd(4, 0.5); // a distillation head too: the deployable model drops it, keeps W and b
        ComputationGraph graph = Networks.build(linear, List.of(loss, kd), SHAPE,
                new TrainingSettings(1, 32, 0.05, 0, 0), 3);
        INDArray x = PluginContractTest.DATA.input(InputKind.TABULAR);
        INDArray y = PluginContractTest.LABELS;
        TeacherOutputs teacher = new TeacherOutputs(Nd4j.randn(5, new long[] {x.size(0), SHAPE.classes()})
                .castTo(y.dataType()), Map.of());
        graph.fit(new MultiDataSet(new INDArray[] {x},
                new INDArray[] {loss.labels(y, null), kd.labels(y, teacher)}));

        ComputationGraph deployable = Networks.deployable(graph);
        assertEquals(Set.of(VertexNames.LOGITS, VertexNames.PROBABILITIES), // besides the input
                Set.copyOf(deployable.getConfiguration().getVertices().keySet()));
        long expectedParameters = (SHAPE.features() + 1L) * SHAPE.classes();
        assertEquals(expectedParameters, Networks.parameterCount(graph));
        assertEquals(expectedParameters, deployable.numParams());

        INDArray w = deployable.getLayer(VertexNames.LOGITS).getParam("W"); // [features, classes]
        INDArray b = deployable.getLayer(VertexNames.LOGITS).getParam("b"); // [classes]
        assertEquals(List.of((long) SHAPE.features(), (long) SHAPE.classes()), List.of(w.size(0), w.size(1)));
        INDArray p = deployable.output(false, x)[0];
        for (int n = 0; n < x.size(0); n++) {
            double[] z = new double[SHAPE.classes()];
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < z.length; k++) {
                z[k] = b.getDouble(k);
                for (int f = 0; f < SHAPE.features(); f++) {
                    z[k] += x.getDouble(n, f) * w.getDouble(f, k);
                }
                max = Math.max(max, z[k]);
            }
            double sum = 0;
            for (int k = 0; k < z.length; k++) {
                z[k] = Math.exp(z[k] - max);
                sum += z[k];
            }
            for (int k = 0; k < z.length; k++) {
                assertEquals(z[k] / sum, p.getDouble(n, k), 1e-5, "sample " + n + " class " + k);
            }
        }
    }

    @Test
    void hasNoKeysNoFeatureLayersAndAWidthThatIsTheInputs() {
        Student linear = Plugins.create(Student.class, PluginContractTest.section("{type: linear}"));
        assertEquals("linear", linear.describe());
        assertEquals(List.of(), linear.featureLayers());
        assertEquals(7, linear.outputSize(new InputShape(7, 1, 3)));
        assertThrows(UnsupportedOperationException.class, linear::outputSize);
        ConfigException e = assertThrows(ConfigException.class, () -> Plugins.create(Student.class,
                PluginContractTest.section("{type: linear, hidden: [4]}")));
        assertTrue(e.getMessage().startsWith("contract.yaml: hidden:"), e.getMessage());
    }
}
