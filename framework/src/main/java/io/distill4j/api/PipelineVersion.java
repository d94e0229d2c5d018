package io.distill4j.api;

/**
 * The version of the code that turns bars into samples (features, labels, splits, standardisation) and trains
 * networks (graph assembly, losses, the epoch loop, early stopping, seeding). It is part of every trial id and of the
 * teacher cache key, so results made by older code are never reused by a rerun or {@code --resume}.
 *
 * <p>Bump {@link #CURRENT} with every change to that code's output; {@code PipelineVersionTest} fingerprints the
 * output of a small synthetic market and a tiny deterministic training run, and fails when the output changed but the
 * version did not.
 */
public final class PipelineVersion {
    /** The current pipeline version. */
    public static final int CURRENT = 3;

    private PipelineVersion() {
    }
}
