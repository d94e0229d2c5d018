package io.distill4j.distill;

import io.distill4j.api.EpochReport;
import io.distill4j.api.InputShape;
import io.distill4j.api.Student;
import io.distill4j.api.TrainingObserver;
import io.distill4j.eval.ClassificationMetrics;
import io.distill4j.loss.HintonKd;
import io.distill4j.loss.Softmax;
import io.distill4j.model.Networks;
import io.distill4j.train.PhaseTimes;
import io.distill4j.train.ShufflingMultiDataSetIterator;
import io.distill4j.train.TrainingDivergedException;
import io.distill4j.train.TrainingSettings;
import io.distill4j.train.ViewReusingUpdater;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Deep mutual learning (Zhang, Xiang, Hospedales, Lu, <i>Deep Mutual Learning</i>, CVPR 2018): a cohort of
 * {@code K >= 2} students trained together from scratch, with no pre-trained teacher. At every step all students see
 * the same minibatch; first every student's logits {@code z_j} on it are computed (inference mode, detached: no
 * gradient flows into a peer), then each student {@code k} takes one optimiser step on
 *
 * <pre>
 *   L_k = alpha * CE(y, softmax(z_k)) + (1 - alpha) * T^2 * KL( q_k || softmax(z_k / T) ),
 *   q_k = 1/(K-1) * sum_{j != k} softmax(z_j / T)      (the peers' current outputs, averaged)
 * </pre>
 *
 * <p>This is the Hinton loss ({@link io.distill4j.loss.HintonKdLossFunction}, reused as is) with the peers' average
 * as the soft target: it is handed to the loss as logits {@code v_k = T * log q_k}, whose {@code softmax(v_k / T)}
 * is exactly {@code q_k}. Alpha keeps the project's convention (it weighs the hard label). The paper's
 * {@code L_k = CE + lambda * KL(q_k || p_k)} with {@code lambda = 1} and {@code T = 1} is {@code alpha = 1/(1 + lambda)
 * = 0.5} with the head weight {@code 1 + lambda = 2} ({@code weight} scales the whole loss; without it the loss is the
 * paper's divided by {@code 1 + lambda}, the same minimiser). The paper's Algorithm 1 updates the students one after
 * the other within a step, the later ones seeing the earlier ones' updated outputs; here every target of a step is
 * computed before any student moves (as common implementations do), so the order of the students does not matter.
 */
public final class MutualLearning {
    /** The floor of an averaged peer probability before its log (a target row never holds {@code -inf}). */
    static final double MIN_PROBABILITY = 1e-30;

    private MutualLearning() {
    }

    /** One student of the cohort: its architecture and the seed of its initial weights. */
    public record Member(Student student, long seed) {
    }

    /** The Hinton-loss parameters every member trains with: {@code temperature}, {@code alpha} and head {@code weight}. */
    public record Loss(double temperature, double alpha, double weight) {
    }

    /** The trained cohort: each member's graph and its epoch reports, in member order. */
    public record Result(List<ComputationGraph> graphs, List<List<EpochReport>> reports, long millis) {
        public Result {
            graphs = List.copyOf(graphs);
            reports = List.copyOf(reports);
        }
    }

    /**
     * Sees every step before the students move (for tests): the step (0-based, counted over epochs), the minibatch's
     * input and labels, the students (as they are before the step's updates) and the soft-target logits {@code v_k}
     * each student then trains on.
     */
    public interface StepObserver {
        void beforeUpdate(int step, INDArray input, INDArray oneHot, List<ComputationGraph> students,
                List<INDArray> targets);
    }

    /**
     * Trains the cohort for {@code training.epochs()} epochs (no early stopping). Validation reports per member: the
     * hard-label cross-entropy as the validation loss, accuracy, macro-F1 and agreement with the first peer.
     *
     * @param shuffleSeed orders the minibatches, the same for every member
     * @param observers one per member, told of its epochs
     */
    public static Result train(String name, List<Member> members, Loss loss, InputShape shape,
            TrainingSettings training, INDArray trainInput, INDArray trainOneHot, INDArray validationInput,
            INDArray validationOneHot, long shuffleSeed, List<TrainingObserver> observers, StepObserver steps) {
        if (members.size() < 2) {
            throw new IllegalArgumentException("mutual learning needs at least 2 students, got " + members.size());
        }
        long started = System.currentTimeMillis();
        int classes = (int) trainOneHot.size(1);
        List<ComputationGraph> graphs = new ArrayList<>();
        for (Member m : members) {
            HintonKd head = new HintonKd(loss.temperature(), loss.alpha(), loss.weight());
            graphs.add(Networks.build(m.student(), List.of(head), shape, training, m.seed(),
                    Map.of(head.headName(), 2L * classes)));
            ViewReusingUpdater.install(graphs.get(graphs.size() - 1));
        }
        var iterator = new ShufflingMultiDataSetIterator(new INDArray[] {trainInput}, new INDArray[] {trainOneHot},
                training.batchSize(), shuffleSeed);
        int[] validationLabels = validationOneHot.argMax(1).toIntVector();
        List<List<EpochReport>> reports = new ArrayList<>();
        members.forEach(m -> reports.add(new ArrayList<>()));
        int step = 0;
        for (int epoch = 0; epoch < training.epochs(); epoch++) {
            long t0 = System.currentTimeMillis();
            long stepping = System.nanoTime();
            double[] sums = new double[graphs.size()];
            long samples = 0;
            iterator.reset();
            while (iterator.hasNext()) {
                org.nd4j.linalg.dataset.api.MultiDataSet batch = iterator.next();
                INDArray x = batch.getFeatures(0);
                INDArray y = batch.getLabels(0);
                List<INDArray> logits = new ArrayList<>();
                for (ComputationGraph g : graphs) {
                    logits.add(g.output(false, x)[0].dup());
                }
                List<INDArray> targets = new ArrayList<>();
                for (int k = 0; k < graphs.size(); k++) {
                    targets.add(peerTarget(logits, k, loss.temperature()));
                }
                if (steps != null) {
                    steps.beforeUpdate(step, x, y, graphs, targets);
                }
                long n = x.size(0);
                for (int k = 0; k < graphs.size(); k++) {
                    ComputationGraph g = graphs.get(k);
                    g.fit(new MultiDataSet(new INDArray[] {x},
                            new INDArray[] {Nd4j.hstack(y, targets.get(k).castTo(y.dataType()))}));
                    sums[k] += g.score() * n;
                }
                samples += n;
                step++;
            }
            PhaseTimes.since(PhaseTimes.Phase.TRAIN_STEPS, stepping);
            long validating = System.nanoTime();
            List<INDArray> validationLogits = new ArrayList<>();
            for (ComputationGraph g : graphs) {
                g.clear();
                validationLogits.add(g.output(false, validationInput)[0]);
                g.clear();
            }
            for (int k = 0; k < graphs.size(); k++) {
                double trainLoss = sums[k] / Math.max(1, samples);
                ClassificationMetrics m = ClassificationMetrics.of(validationLogits.get(k), validationLabels,
                        validationLogits.get(k == 0 ? 1 : 0));
                if (!Double.isFinite(trainLoss) || !Double.isFinite(m.logLoss())) {
                    throw new TrainingDivergedException(name + ": student " + (k + 1) + "'s "
                            + (Double.isFinite(trainLoss) ? "validation" : "training") + " loss became non-finite in "
                            + "epoch " + (epoch + 1), epoch);
                }
                Map<String, Double> values = new LinkedHashMap<>();
                values.put(EpochReport.VAL_ACCURACY, m.accuracy());
                values.put(EpochReport.VAL_MACRO_F1, m.macroF1());
                values.put(EpochReport.VAL_AGREEMENT, m.agreement());
                EpochReport report = new EpochReport(epoch, training.epochs(), trainLoss, m.logLoss(), values,
                        System.currentTimeMillis() - t0);
                reports.get(k).add(report);
                observers.get(k).onEpoch(report);
            }
            PhaseTimes.since(PhaseTimes.Phase.VALIDATION, validating);
        }
        return new Result(graphs, reports, System.currentTimeMillis() - started);
    }

    /**
     * The soft-target logits of member {@code k}: {@code v = T * log(mean_{j != k} softmax(z_j / T))} per row (the
     * average floored at {@value #MIN_PROBABILITY}), so that {@code softmax(v / T)} is the peers' average.
     */
    public static INDArray peerTarget(List<INDArray> logits, int k, double temperature) {
        int n = (int) logits.get(0).size(0);
        int c = (int) logits.get(0).size(1);
        double[][] mean = new double[n][c];
        double[] row = new double[c];
        for (int j = 0; j < logits.size(); j++) {
            if (j == k) {
                continue;
            }
            double[][] z = io.distill4j.loss.DoubleRows.of(logits.get(j));
            for (int i = 0; i < n; i++) {
                for (int a = 0; a < c; a++) {
                    row[a] = z[i][a] / temperature;
                }
                double[] p = Softmax.probabilities(row);
                for (int a = 0; a < c; a++) {
                    mean[i][a] += p[a] / (logits.size() - 1);
                }
            }
        }
        for (double[] r : mean) {
            for (int a = 0; a < c; a++) {
                r[a] = temperature * Math.log(Math.max(MIN_PROBABILITY, r[a]));
            }
        }
        return Nd4j.create(mean).castTo(DataType.FLOAT);
    }
}
