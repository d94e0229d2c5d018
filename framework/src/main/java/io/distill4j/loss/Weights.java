package io.distill4j.loss;

import io.distill4j.api.DistillationLoss;
import io.distill4j.config.ConfigNode;

/** The {@value DistillationLoss#WEIGHT} parameter every loss has: its domain, in one place. */
final class Weights {
    /** The largest weight a study file may set. */
    static final double MAX = DistillationLoss.WEIGHT_DOMAIN.max();

    private Weights() {
    }

    /** {@code weight} if it is a finite number >= 0, else an {@link IllegalArgumentException}. */
    static double check(double weight) {
        if (!(weight >= 0) || !Double.isFinite(weight)) {
            throw new IllegalArgumentException(DistillationLoss.WEIGHT + " must be a finite number >= 0, got " + weight);
        }
        return weight;
    }

    /** The optional {@code weight} key of a loss section (default 1). */
    static double parse(ConfigNode section) {
        return section.number(DistillationLoss.WEIGHT, 1.0, DistillationLoss.WEIGHT_DOMAIN.min(), MAX);
    }
}
