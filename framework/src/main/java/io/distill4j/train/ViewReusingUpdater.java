package io.distill4j.train;

import io.distill4j.loss.DoubleRows;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.AdamUpdater;

/**
 * DL4J's graph updater (the same optimiser, regularisation and state) that applies each step through the views it
 * made once, at its creation, instead of new ones every step.
 *
 * <p>In DL4J 1.0.0-M2.1 a graph's gradient object hands out its flattened gradient as a fresh reshaped view, which the
 * updater cannot tell from a gradient of another network. It then takes its "external gradient" path: for every
 * updater block and every parameter, twice a step (before and after the optimiser, for regularisation), it reshapes
 * the whole parameter and gradient arrays and cuts out the parameter's interval, and it cuts the minibatch division
 * subsets again. Each of those views is a new ND4J buffer registered with ND4J's deallocator. Measured on the MLP
 * teacher of {@code distill4j bench training}: about 8% of its training thread's time went to these views.
 *
 * <p>This updater hands DL4J the network's own flattened gradient array when the step's gradient is exactly that
 * memory (the same address and length) and the network still trains on the parameter and gradient arrays it had when
 * the updater was made; DL4J then runs its own non-external path, on the per-parameter views it keeps. The arithmetic
 * is DL4J's, on the same memory, in the same order, so the parameters after every step are the same bit for bit
 * ({@code ViewReusingUpdaterTest}). Any other gradient goes through DL4J's external path as before.
 *
 * <p>Its Adam blocks step in one Java pass ({@link JavaAdamUpdater}), with ND4J's arithmetic bit for bit.
 */
public final class ViewReusingUpdater extends ComputationGraphUpdater {
    private final ComputationGraph graph;
    private final INDArray params;
    private final INDArray gradients;
    private long ownSteps;

    private ViewReusingUpdater(ComputationGraph graph, INDArray state) {
        super(graph, state);
        this.graph = graph;
        this.params = graph.params();
        this.gradients = graph.getFlattenedGradients();
        for (UpdaterBlock block : getUpdaterBlocks()) {
            if (block.getGradientUpdater() != null && block.getGradientUpdater().getClass() == AdamUpdater.class) {
                block.setGradientUpdater(JavaAdamUpdater.of((AdamUpdater) block.getGradientUpdater()));
            }
        }
    }

    /**
     * Puts this updater on {@code graph} (an initialised graph), keeping the state of the updater it had, if any;
     * does nothing when it is already there, or when the system property {@code distill4j.updater.dl4j} is
     * {@code true} (DL4J's own, for measurements).
     */
    public static void install(ComputationGraph graph) {
        if (Boolean.getBoolean("distill4j.updater.dl4j")) {
            return;
        }
        ComputationGraphUpdater current = graph.getUpdater(false);
        if (current instanceof ViewReusingUpdater u && u.graph == graph) {
            return;
        }
        if (graph.getFlattenedGradients() == null) {
            graph.initGradientsView();
        }
        graph.setUpdater(new ViewReusingUpdater(graph, current == null ? null : current.getStateViewArray()));
    }

    @Override
    public synchronized void update(Gradient gradient, int iteration, int epoch, int batchSize,
            LayerWorkspaceMgr workspaceMgr) {
        INDArray flat = gradient.gradient();
        boolean own = flat != null && sameMemory(flat, gradients) && sameMemory(graph.params(), params)
                && graph.getFlattenedGradients() == gradients;
        if (own) {
            ownSteps++;
        }
        super.update(own ? new OwnGradient(gradient, getFlattenedGradientsView()) : gradient, iteration, epoch,
                batchSize, workspaceMgr);
    }

    /** The steps applied through the views made at creation (for tests). */
    long ownSteps() {
        return ownSteps;
    }

    private static boolean sameMemory(INDArray a, INDArray b) {
        return a.length() == b.length() && a.dataType() == b.dataType() && DoubleRows.isRowMajorContiguous(a)
                && DoubleRows.isRowMajorContiguous(b) && DoubleRows.address(a) == DoubleRows.address(b);
    }

    /** A step's gradient whose flattened array is the network's own gradient view (the same object). */
    private record OwnGradient(Gradient step, INDArray view) implements Gradient {
        @Override
        public Map<String, INDArray> gradientForVariable() {
            return step.gradientForVariable();
        }

        @Override
        public INDArray gradient(List<String> order) {
            return step.gradient(order);
        }

        @Override
        public INDArray gradient() {
            return view;
        }

        @Override
        public void clear() {
            step.clear();
        }

        @Override
        public INDArray getGradientFor(String variable) {
            return step.getGradientFor(variable);
        }

        @Override
        public INDArray setGradientFor(String variable, INDArray newGradient) {
            return step.setGradientFor(variable, newGradient);
        }

        @Override
        public INDArray setGradientFor(String variable, INDArray gradient, Character flatteningOrder) {
            return step.setGradientFor(variable, gradient, flatteningOrder);
        }

        @Override
        public Character flatteningOrderForVariable(String variable) {
            return step.flatteningOrderForVariable(variable);
        }
    }
}
