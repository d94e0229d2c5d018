package io.distill4j.loss;

import io.distill4j.api.DistillationLoss;
import io.distill4j.plugin.AbstractPluginFactory;
import java.util.List;

/**
 * Gram / similarity matching (type {@code similarity}): the student keeps the teacher's pattern of similarities
 * between the examples of a minibatch, in the similarity-preserving form of Tung and Mori (ICCV 2019), see
 * {@link SimilarityLossFunction}. For vector layers this is the batch Gram matrix {@code S S^T}; a sequence layer
 * ({@code [n, channels, steps]}) enters flattened, so its Gram entry is the inner product of two examples' whole
 * channel x time activations. Widths may differ, so {@code projection} defaults to {@code none} ({@code linear},
 * {@code mlp} allowed); {@code group_size} (default 0: the whole minibatch) computes it within relation groups of
 * that many rows ({@link BatchLossFunction}). Keys as in {@link FeatureTerm}.
 */
public final class SimilarityPreserving extends FeatureTerm {
    private static final List<Projection> PROJECTIONS = List.of(Projection.NONE, Projection.LINEAR, Projection.MLP);
    public SimilarityPreserving(Spec spec, double weight) {
        super("similarity", spec, Projection.NONE, new SimilarityLossFunction(weight));
    }

    /** Factory for {@code type: similarity}. */
    public static final class Factory extends AbstractPluginFactory<DistillationLoss> {
        public Factory() {
            super(DistillationLoss.class, "similarity", s -> withGroups(new SimilarityPreserving(
                    Spec.parse(s, PROJECTIONS), Weights.parse(s)), s));
        }
    }
}
