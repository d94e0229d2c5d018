package io.distill4j.experiment;

import io.distill4j.api.DistillationLoss;
import io.distill4j.data.features.PreparedData;
import io.distill4j.data.features.SampleSplit;
import io.distill4j.loss.DoubleRows;
import io.distill4j.loss.HintonKd;
import io.distill4j.loss.RegimeHintonKd;
import io.distill4j.regime.MarketRegime;
import io.distill4j.regime.RegimeDistillation;
import io.distill4j.regime.RegimeLabeller;
import io.distill4j.regime.RegimeMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The market regimes of a trial's samples ({@code data.regimes}): the labeller fitted on the prepared data's train
 * split, the per-regime metrics of a model's outputs on a split, and the regime-conditional form of the loss
 * ({@code distillation.regimes}).
 */
final class TrialRegimes {
    private TrialRegimes() {
    }

    /** The study's regime labeller, its thresholds fitted on the train split of {@code prepared}; empty without one. */
    static Optional<RegimeLabeller> labeller(StudyConfig c, PreparedData prepared) {
        return c.regimes().map(r -> RegimeLabeller.fit(prepared.series(), prepared.train().barIndices(), r));
    }

    /** Each sample's regime index on {@code split}. */
    static int[] of(RegimeLabeller labeller, PreparedData prepared, SampleSplit split) {
        return labeller.label(prepared.series(), split.barIndices());
    }

    /** The per-regime metrics ({@link RegimeMetrics}) of outputs on {@code split}: classes, or one return column. */
    static Map<String, Double> metrics(INDArray outputs, SampleSplit split, PreparedData prepared,
            RegimeLabeller labeller) {
        int[] regimes = of(labeller, prepared, split);
        if (outputs.size(1) == 1) {
            return RegimeMetrics.ofReturns(TrialExecutor.column(outputs), split.targets(), split.timeMs(), regimes);
        }
        return RegimeMetrics.ofClasses(DoubleRows.of(outputs), split.labels(), regimes);
    }

    /**
     * The losses of a distilled student: with {@code distillation.regimes}, the main {@code hinton} loss becomes its
     * regime-conditional form ({@link RegimeHintonKd}, same parameters plus alpha and T per regime).
     */
    static List<DistillationLoss> conditional(StudyConfig c, List<DistillationLoss> losses) {
        Optional<RegimeDistillation> settings = c.regimeDistillation();
        if (settings.isEmpty()) {
            return losses;
        }
        List<DistillationLoss> out = new ArrayList<>(losses);
        out.set(0, RegimeHintonKd.of((HintonKd) losses.get(0), MarketRegime.keys(), settings.get().alphas(),
                settings.get().temperatures()));
        return out;
    }

    /**
     * Binds each split's hard-label array to its samples' regimes (by the trial's {@link #labeller}), for a
     * regime-conditional loss among {@code losses} (nothing to do otherwise).
     */
    static void bind(List<DistillationLoss> losses, Optional<RegimeLabeller> regimes, PreparedData prepared,
            Map<SampleSplit, INDArray> hardLabels) {
        for (DistillationLoss loss : losses) {
            if (loss instanceof RegimeHintonKd conditional) {
                RegimeLabeller labeller = regimes.orElseThrow();
                hardLabels.forEach((split, labels) -> conditional.bind(labels, of(labeller, prepared, split)));
            }
        }
    }

    /** The fitted thresholds as result facts. */
    static Map<String, Double> facts(RegimeLabeller labeller) {
        return Map.of("regime_vol_threshold", labeller.volThreshold(), "regime_trend_threshold",
                labeller.trendThreshold());
    }
}
