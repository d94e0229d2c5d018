package io.distill4j.regime;

import com.fasterxml.jackson.databind.JsonNode;
import io.distill4j.config.ConfigNode;
import java.util.Arrays;
import java.util.Optional;

/**
 * The {@code distillation.regimes} section: alpha and T per {@link MarketRegime} for the {@code hinton} loss
 * (regime-conditional distillation, {@link io.distill4j.loss.RegimeHintonKdLossFunction}); a regime or value left
 * out keeps the loss's own (schedulable) alpha or T. Needs {@code data.regimes}.
 *
 * <pre>
 * distillation:
 *   loss: {type: hinton, temperature: 4, alpha: 0.5}
 *   regimes:
 *     high_vol: {alpha: 0.8, temperature: 2}   # lean on the labels, sharper targets when volatility is high
 *     trend: {temperature: 6}                   # alpha 0.5 from the loss
 * </pre>
 *
 * @param alphas alpha by regime index, {@code NaN} where the loss's applies
 * @param temperatures T by regime index, {@code NaN} where the loss's applies
 */
public record RegimeDistillation(double[] alphas, double[] temperatures) {
    /** The key of the section under {@code distillation}. */
    public static final String KEY = "regimes";

    public RegimeDistillation {
        alphas = alphas.clone();
        temperatures = temperatures.clone();
    }

    @Override
    public double[] alphas() {
        return alphas.clone();
    }

    @Override
    public double[] temperatures() {
        return temperatures.clone();
    }

    /** Parses {@code distillation.regimes}: regime names as keys, each with {@code alpha} and/or {@code temperature}. */
    public static RegimeDistillation parse(ConfigNode node) {
        int n = MarketRegime.values().length;
        double[] alphas = new double[n];
        double[] temperatures = new double[n];
        Arrays.fill(alphas, Double.NaN);
        Arrays.fill(temperatures, Double.NaN);
        if (node.keys().isEmpty()) {
            throw node.error("expected a mapping of regimes (" + String.join(", ", MarketRegime.keys())
                    + ") to {alpha, temperature}, got an empty one");
        }
        for (String key : node.keys()) {
            if (!MarketRegime.keys().contains(key)) {
                throw node.error(key, "unknown regime '" + key + "' (regimes: " + String.join(", ",
                        MarketRegime.keys()) + ")");
            }
            ConfigNode r = node.section(key);
            int i = MarketRegime.of(key).ordinal();
            alphas[i] = r.optionalNumber("alpha", 0, 1).orElse(Double.NaN);
            temperatures[i] = r.optionalNumber("temperature", 1e-3, 100).orElse(Double.NaN);
            if (Double.isNaN(alphas[i]) && Double.isNaN(temperatures[i])) {
                throw node.error(key, "expected alpha and/or temperature for this regime, got neither");
            }
            r.finish();
        }
        return new RegimeDistillation(alphas, temperatures);
    }

    /** The {@code distillation.regimes} section of a study tree, if any (validated by {@code StudyConfig.parse}). */
    public static Optional<RegimeDistillation> of(String file, JsonNode study) {
        return ConfigNode.root(file, study).section("distillation").optionalSection(KEY)
                .map(RegimeDistillation::parse);
    }
}
