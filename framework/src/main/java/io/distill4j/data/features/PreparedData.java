package io.distill4j.data.features;

import io.distill4j.api.KlineSeries;
import io.distill4j.data.DataConfig;
import io.distill4j.data.synthetic.Regime;
import io.distill4j.data.synthetic.SyntheticSeries;
import io.distill4j.runtime.FeatureSet;
import java.util.List;
import java.util.Optional;

/**
 * A dataset ready for training: provenance, feature names, label threshold, fitted standardisation and the three
 * time-ordered splits. Built by {@link DatasetPreparer#prepare(io.distill4j.data.DataConfig)}.
 */
public final class PreparedData {
    private final DataDescription description;
    private final FeatureSet featureSet;
    private final double labelThreshold;
    private final Standardiser standardiser;
    private final int lookback;
    private final int horizon;
    private final int gapBars;
    private final SampleSplit train;
    private final SampleSplit validation;
    private final SampleSplit test;
    private final SyntheticSeries synthetic;
    private final KlineSeries series;
    private final DataConfig.Target target;
    private final double targetScale;
    private String note = "";

    PreparedData(DataDescription description, FeatureSet featureSet, double labelThreshold, Standardiser standardiser, int lookback,
            int horizon, int gapBars, SampleSplit train, SampleSplit validation, SampleSplit test, SyntheticSeries synthetic,
            KlineSeries series, DataConfig.Target target, double targetScale) {
        this.series = series;
        this.target = target;
        this.targetScale = targetScale;
        this.description = description;
        this.featureSet = featureSet;
        this.labelThreshold = labelThreshold;
        this.standardiser = standardiser;
        this.lookback = lookback;
        this.horizon = horizon;
        this.gapBars = gapBars;
        this.train = train;
        this.validation = validation;
        this.test = test;
        this.synthetic = synthetic;
    }

    /**
     * The same data with other splits (subsets of these, over the same bars) and a one-line note on how they were
     * chosen, appended to {@link #note()}.
     */
    PreparedData withSplits(SampleSplit train, SampleSplit validation, SampleSplit test, String note) {
        PreparedData out = new PreparedData(description, featureSet, labelThreshold, standardiser, lookback, horizon, gapBars,
                train, validation, test, synthetic, series, target, targetScale);
        out.note = this.note.isEmpty() ? note : this.note + "; " + note;
        return out;
    }

    /** The split named {@code train}, {@code validation} or {@code test}. */
    public SampleSplit split(String name) {
        return switch (name) {
            case "train" -> train;
            case "validation" -> validation;
            case "test" -> test;
            default -> throw new IllegalArgumentException("unknown split '" + name + "'");
        };
    }

    /** How the samples were chosen beyond the data section (e.g. a cross-timeframe alignment), or empty. */
    public String note() {
        return note;
    }

    /** The bars the samples come from ({@link SampleSplit#barIndices()} index into it). */
    public KlineSeries series() {
        return series;
    }

    public DataDescription description() {
        return description;
    }

    /** The feature names, in column order. */
    public List<String> featureNames() {
        return featureSet.names();
    }

    /** The feature set the rows were computed with ({@code data.features}). */
    public FeatureSet featureSet() {
        return featureSet;
    }

    /** Always 3: sell, hold, buy. */
    public int numClasses() {
        return Labels.NUM_CLASSES;
    }

    /** What the labels are ({@code data.labels.task} and {@code scale}). */
    public DataConfig.Target target() {
        return target;
    }

    /** The width of a network's output for this data: {@link #numClasses()}, or 1 for regression. */
    public int outputWidth() {
        return target.regression() ? 1 : numClasses();
    }

    /**
     * The divisor of the regression targets ({@link SampleSplit#targets()}): the standard deviation of the train
     * split's forward returns with {@code scale: volatility} (fitted on train only), else 1.
     */
    public double targetScale() {
        return targetScale;
    }

    /** The threshold {@code t} on the forward log return (configured, or fitted on train for {@code auto}). */
    public double labelThreshold() {
        return labelThreshold;
    }

    /** The standardisation fitted on the train rows. */
    public Standardiser standardiser() {
        return new Standardiser(standardiser.mean().clone(), standardiser.std().clone());
    }

    public int lookback() {
        return lookback;
    }

    public int horizon() {
        return horizon;
    }

    /** The purge gap used between parts, in bars. */
    public int gapBars() {
        return gapBars;
    }

    public SampleSplit train() {
        return train;
    }

    public SampleSplit validation() {
        return validation;
    }

    public SampleSplit test() {
        return test;
    }

    /** The regime of every bar of the source series (synthetic data only). */
    public Optional<Regime[]> regimes() {
        return Optional.ofNullable(synthetic).map(s -> s.regimes().clone());
    }

    /**
     * The true probabilities of {@code [sell, hold, buy]} of every sample of {@code split}, {@code [n][3]}, from the
     * generator's law ({@link SyntheticSeries#classProbabilities}): present for synthetic data whose label horizon is
     * at most {@link SyntheticSeries#lead()}, empty otherwise.
     */
    public Optional<double[][]> trueProbabilities(SampleSplit split) {
        if (synthetic == null || horizon > synthetic.lead()) {
            return Optional.empty();
        }
        int[] bars = split.barIndices();
        double[][] p = new double[bars.length][];
        for (int k = 0; k < bars.length; k++) {
            p[k] = synthetic.classProbabilities(bars[k], horizon, labelThreshold);
        }
        return Optional.of(p);
    }
}
