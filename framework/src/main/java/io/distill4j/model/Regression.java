package io.distill4j.model;

import io.distill4j.Distill4jException;
import io.distill4j.api.TeacherFitContext;

/** Which teacher types support {@code data.labels.task: regression} (every network type, and ensembles of them). */
public final class Regression {
    private Regression() {
    }

    /** Whether the context is a regression task: a network output of width 1 ({@code PreparedData.outputWidth()}). */
    public static boolean isRegression(TeacherFitContext ctx) {
        return ctx.shape().classes() == 1;
    }

    /**
     * Stops a teacher type that predicts classes only with one line naming it.
     *
     * @throws Distill4jException when the context's labels are a regression target
     */
    public static void unsupported(TeacherFitContext ctx, String type) {
        if (isRegression(ctx)) {
            throw new Distill4jException("teacher type '" + type + "' predicts classes only; data.labels.task: "
                    + "regression needs a network teacher (mlp, lstm, attention, transformer, cnn1d) or an ensemble "
                    + "of them");
        }
    }
}
