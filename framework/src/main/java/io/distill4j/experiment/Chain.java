package io.distill4j.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distill4j.api.DistillationLoss;
import io.distill4j.api.Student;
import io.distill4j.config.ConfigNode;
import io.distill4j.plugin.Plugins;
import java.util.ArrayList;
import java.util.List;

/**
 * A progressive-distillation chain (the study's {@code chain:} section): students {@code S_1 .. S_N} trained one
 * after the other, stage {@code k}'s trained student being stage {@code k+1}'s teacher (stage 1's teacher is the
 * study's teacher). A teacher-assistant study (Mirzadeh et al., <i>Improved Knowledge Distillation via Teacher
 * Assistant</i>, AAAI 2020) is a chain of two stages: the assistant, then the final student.
 *
 * <p>Curricula across stages, for stage {@code k = 0 .. N-1} (0-based):
 * <pre>
 * T_k     = T_max * (1 - k/N)^gamma_T                                   (temperature: {max, gamma})
 * alpha_k = alpha_first + (alpha_last - alpha_first) * (k/(N-1))^gamma_a  (alpha: {first, last, gamma}; N = 1: first)
 * </pre>
 * They set the {@code temperature} and {@code alpha} of {@code distillation.loss} for each stage; alpha keeps the
 * project's convention (it weighs the hard label), so a rising alpha curriculum leans the later, smaller students more
 * on the labels. A per-epoch schedule inside a stage may drive any other parameter (not one a curriculum sets).
 *
 * <pre>
 * chain:
 *   stages: [{type: mlp, hidden: [64, 64]}, {type: mlp, hidden: [32, 16]}, {type: mlp, hidden: [16, 8]}]
 *   epochs: [8, 8, 8]                  # optional, per stage; default training.epochs each
 *   temperature: {max: 4, gamma: 1}    # optional curriculum
 *   alpha: {first: 0.5, last: 0.5, gamma: 1}   # optional curriculum
 * </pre>
 *
 * <p>The study's {@code student} is the chain's last stage (a study with {@code chain} has no {@code student:}). A
 * stage trial's resolved config carries its stage as {@code chain.stage} (1-based), written by {@link #stageTree};
 * the user's file never sets it.
 *
 * @param stages the stages' student sections, in order
 * @param epochs each stage's epoch budget
 * @param stage the stage a trial's config is for (1-based), or 0 for the study's own config
 */
public record Chain(List<JsonNode> stages, List<Integer> epochs, Double temperatureMax, double temperatureGamma,
        Double alphaFirst, Double alphaLast, double alphaGamma, int stage) {

    /** The key of the chain section. */
    public static final String KEY = "chain";

    /** The problem with a {@code chain.stage} in a study file. */
    static final String STAGE_SET_BY_HAND = "is set by distill4j for each stage's trial; remove it (stages are "
            + "numbered by their order in chain.stages)";

    public Chain {
        stages = List.copyOf(stages);
        epochs = List.copyOf(epochs);
    }

    /** The number of stages {@code N}. */
    public int size() {
        return stages.size();
    }

    /** The total epoch budget of the chain: the one-shot and the student-alone baselines get exactly this. */
    public int totalEpochs() {
        return epochs.stream().mapToInt(Integer::intValue).sum();
    }

    /** {@code T_k} of stage {@code k} (0-based), or {@code null} without a temperature curriculum. */
    public Double temperature(int k) {
        return temperatureMax == null ? null : temperatureMax * Math.pow(1 - (double) k / size(), temperatureGamma);
    }

    /** {@code alpha_k} of stage {@code k} (0-based), or {@code null} without an alpha curriculum. */
    public Double alpha(int k) {
        if (alphaFirst == null) {
            return null;
        }
        double x = size() == 1 ? 0 : (double) k / (size() - 1);
        return alphaFirst + (alphaLast - alphaFirst) * Math.pow(x, alphaGamma);
    }

    /** The chain of a config tree, if it has one (validated by {@link StudyConfig#parse}). */
    public static java.util.Optional<Chain> of(String file, JsonNode tree) {
        if (!tree.has(KEY)) {
            return java.util.Optional.empty();
        }
        ConfigNode root = ConfigNode.root(file, tree);
        int epochs = tree.path("training").path("epochs").asInt(StudyConfig.DEFAULT_TRAINING.epochs());
        return java.util.Optional.of(parse(root.section(KEY), epochs, null));
    }

    /**
     * Parses and validates {@code chain}: at least one stage, each a valid student; one epoch count per stage;
     * curricula within the loss's domains (checked on {@code loss} when given, which must have the parameter).
     */
    static Chain parse(ConfigNode node, int defaultEpochs, DistillationLoss loss) {
        List<ConfigNode> stageNodes = node.sectionList("stages");
        if (stageNodes.isEmpty()) {
            throw node.error("stages", "expected a non-empty list of student sections (stage 1 first)");
        }
        List<JsonNode> stages = new ArrayList<>();
        for (ConfigNode s : stageNodes) {
            Plugins.create(Student.class, s); // validates the section
            stages.add(s.json());
        }
        List<Integer> epochs = node.integerList("epochs", java.util.Collections.nCopies(stages.size(), defaultEpochs),
                1, 100_000);
        if (epochs.size() != stages.size()) {
            throw node.error("epochs", "expected one epoch count per stage (" + stages.size() + "), got "
                    + epochs.size());
        }
        Double tMax = null;
        double tGamma = 1;
        if (node.has("temperature")) {
            ConfigNode t = node.section("temperature");
            tMax = t.number("max", 1e-3, 100);
            tGamma = t.number("gamma", 1, 0, 100);
            t.finish();
            requireParameter(node, "temperature", loss);
        }
        Double aFirst = null;
        Double aLast = null;
        double aGamma = 1;
        if (node.has("alpha")) {
            ConfigNode a = node.section("alpha");
            aFirst = a.number("first", 0, 1);
            aLast = a.number("last", aFirst, 0, 1);
            aGamma = a.number("gamma", 1, 0, 100);
            a.finish();
            requireParameter(node, "alpha", loss);
        }
        int stage = node.integer("stage", 0, 0, stages.size());
        if (node.has(ChainRouter.KEY)) {
            ChainRouter.parse(node.section(ChainRouter.KEY), stages.size()); // validates it; read by ChainRouter.of
        }
        node.finish();
        Chain chain = new Chain(stages, epochs, tMax, tGamma, aFirst, aLast, aGamma, stage);
        if (tMax != null && loss != null) {
            for (int k = 0; k < chain.size(); k++) {
                double t = chain.temperature(k);
                if (!loss.domain("temperature").contains(t)) {
                    throw node.error("temperature", "stage " + (k + 1) + "'s temperature " + t + " is outside the "
                            + "loss's domain " + loss.domain("temperature") + " (T_k = max * (1 - k/N)^gamma)");
                }
            }
        }
        return chain;
    }

    private static void requireParameter(ConfigNode node, String parameter, DistillationLoss loss) {
        if (loss != null && !loss.parameters().containsKey(parameter)) {
            throw node.error(parameter, "a " + parameter + " curriculum needs a loss with a '" + parameter
                    + "' parameter (distillation.loss has: " + String.join(", ", loss.parameters().keySet()) + ")");
        }
    }

    /**
     * The resolved config of stage {@code k} (1-based) of the chain in {@code tree} (the study's config or any
     * stage's): {@code student} is the stage's, {@code training.epochs} its budget, the loss's temperature and alpha
     * the curricula's values for the stage, and {@code chain.stage} is {@code k}. The same {@code k} gives the same
     * tree from the study's config and from any stage's.
     */
    public ObjectNode stageTree(ObjectNode tree, int k) {
        ObjectNode out = tree.deepCopy();
        out.set("student", stages.get(k - 1).deepCopy());
        trainingOf(out).put("epochs", epochs.get(k - 1));
        ObjectNode loss = object(object(out, "distillation"), "loss");
        if (temperatureMax != null) {
            loss.put("temperature", temperature(k - 1));
        }
        if (alphaFirst != null) {
            loss.put("alpha", alpha(k - 1));
        }
        ObjectNode chain = (ObjectNode) out.get(KEY);
        var list = chain.putArray("epochs");
        epochs.forEach(list::add);
        chain.put("stage", k);
        return out;
    }

    /**
     * The resolved config of the equal-compute baselines: the study's config without {@code chain}, with the last
     * stage as {@code student} and {@link #totalEpochs()} as {@code training.epochs}. Distilled, it is the one-shot
     * student (the study's loss as written, straight from the study's teacher); its student-alone baseline is the
     * student trained alone with the same budget.
     */
    public ObjectNode oneShotTree(ObjectNode tree) {
        ObjectNode out = tree.deepCopy();
        out.remove(KEY);
        out.set("student", stages.get(size() - 1).deepCopy());
        trainingOf(out).put("epochs", totalEpochs());
        return out;
    }

    private static ObjectNode trainingOf(ObjectNode tree) {
        return object(tree, "training");
    }

    private static ObjectNode object(ObjectNode parent, String key) {
        return parent.get(key) instanceof ObjectNode o ? o : parent.putObject(key);
    }
}
