package io.distill4j.api;


/**
 * A teacher as configured in a study file (plugin kind {@code teacher}): knows how to train itself on hard labels.
 *
 * <p>Implementations are immutable and built from their config section by a plugin factory ({@code io.distill4j.plugin.PluginFactory}). Training is done
 * once per data and teacher config; its outputs are cached and shared by every trial (see
 * {@code io.distill4j.train.TeacherCache}).
 */
public interface Teacher {
    /** A short description for tables and run names, e.g. {@code mlp[128,64]}. */
    String describe();

    /** The input this teacher reads. */
    InputKind inputKind();

    /** Trains the teacher from scratch on the context's data and returns the trained model. */
    FittedTeacher fit(TeacherFitContext context);

    /**
     * The names of the hidden layers whose activations {@link FittedTeacher#infer} returns as features, known from the
     * config alone (before training), so that a loss naming a layer the teacher lacks fails at validation.
     */
    default java.util.List<String> featureLayers() {
        return java.util.List.of();
    }

    /** The most epochs training can take (for progress and ETA); 0 for teachers that do not train. */
    int epochBudget();

    /**
     * Files the teacher reads besides the market data (a saved model, a positions file). Their contents are part of
     * the teacher cache key, so replacing such a file at the same path never serves stale cached outputs.
     */
    default java.util.List<java.nio.file.Path> inputFiles() {
        return java.util.List.of();
    }
}
