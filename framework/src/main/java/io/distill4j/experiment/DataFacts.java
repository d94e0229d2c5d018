package io.distill4j.experiment;

import io.distill4j.data.features.PreparedData;
import io.distill4j.data.features.SampleSplit;
import io.distill4j.eval.ChanceBaselines;
import io.distill4j.eval.Backtest;
import io.distill4j.eval.ClassificationMetrics;
import io.distill4j.eval.KnownOptimum;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the summary needs to know about a study's prepared data (taken once from {@link PreparedData}, not
 * persisted): the test labels and label horizon (for the block bootstrap), the class balance of every split and the
 * test predictions of the chance baselines (majority class of train, persistence), the test bars (for the
 * buy-and-hold backtest) and, for synthetic data, the known optimum.
 */
public final class DataFacts {
    /** The split names, in order. */
    public static final List<String> SPLITS = List.of("train", "validation", "test");
    private static final List<String> CLASSES = List.of("sell", "hold", "buy");

    private final int horizon;
    private final int[] testLabels;
    private final int majorityClass;
    private final int[] persistence;
    private final Map<String, double[]> classFractions;
    private final String quality;
    private io.distill4j.api.KlineSeries series;
    private int[] testBars;
    private int[] trainBars;
    private long intervalMs;
    private KnownOptimum optimum;

    /**
     * @param testLabels the test split's labels, in time order
     * @param persistence the persistence prediction of every test sample
     * @param classFractions sell/hold/buy shares of each split, by {@link #SPLITS} name
     */
    public DataFacts(int horizon, int[] testLabels, int majorityClass, int[] persistence,
            Map<String, double[]> classFractions) {
        this(horizon, testLabels, majorityClass, persistence, classFractions, "quality not recorded");
    }

    /** @param quality the data's source and quality in one line ({@code DataDescription.describe()}) */
    public DataFacts(int horizon, int[] testLabels, int majorityClass, int[] persistence,
            Map<String, double[]> classFractions, String quality) {
        if (persistence.length != testLabels.length) {
            throw new IllegalArgumentException("persistence has " + persistence.length + " predictions for "
                    + testLabels.length + " test samples");
        }
        this.horizon = horizon;
        this.testLabels = testLabels.clone();
        this.majorityClass = majorityClass;
        this.persistence = persistence.clone();
        this.classFractions = new LinkedHashMap<>(classFractions);
        this.quality = quality;
    }

    /**
     * The key of a config's dataset: the hash of its {@code data} section, and of its {@code teacher_data} when it has
     * one (which decides the student's samples; one prepared dataset per key).
     */
    public static String key(StudyConfig config) {
        if (config.tree().has(Rolling.KEY)) { // each walk-forward window is its own dataset
            var both = config.tree().objectNode();
            both.set("data", config.tree().get("data"));
            both.set(Rolling.KEY, config.rollingWindowIdentity());
            return io.distill4j.config.ConfigHash.of(both);
        }
        if (!config.tree().has("teacher_data")) {
            return io.distill4j.config.ConfigHash.of(config.tree().get("data"));
        }
        var both = config.tree().objectNode();
        both.set("data", config.tree().get("data"));
        both.set("teacher_data", config.tree().get("teacher_data"));
        return io.distill4j.config.ConfigHash.of(both);
    }

    /** The facts of a prepared dataset. */
    public static DataFacts of(PreparedData data) {
        var series = data.series();
        SampleSplit test = data.test();
        int[] persistence = ChanceBaselines.persistence(series.close(), series.timeMs(),
                data.description().intervalMs(), test.barIndices(), data.horizon(), data.labelThreshold());
        Map<String, double[]> fractions = new LinkedHashMap<>();
        fractions.put("train", ChanceBaselines.classFractions(data.train().labels()));
        fractions.put("validation", ChanceBaselines.classFractions(data.validation().labels()));
        fractions.put("test", ChanceBaselines.classFractions(test.labels()));
        DataFacts facts = new DataFacts(data.horizon(), test.labels(),
                ChanceBaselines.majorityClass(data.train().labels()), persistence, fractions,
                data.description().describe() + (data.note().isEmpty() ? "" : "; " + data.note()));
        facts.series = series;
        facts.testBars = test.barIndices().clone();
        facts.trainBars = data.train().barIndices().clone();
        facts.intervalMs = data.description().intervalMs();
        facts.optimum = data.trueProbabilities(test).map(p -> KnownOptimum.of(p, test.labels())).orElse(null);
        return facts;
    }

    /**
     * The best possible test accuracy and log-loss, from the generator's true class probabilities: present for
     * synthetic data whose label horizon the generator's law covers.
     */
    public Optional<KnownOptimum> optimum() {
        return Optional.ofNullable(optimum);
    }

    /** The backtest of holding +1 on every test sample (buy-and-hold, closed at gaps), when the bars are known. */
    public Optional<Backtest.Result> buyAndHold(Backtest.Costs costs) {
        double[] ones = new double[testLabels.length];
        java.util.Arrays.fill(ones, 1.0);
        return backtest(ones, costs);
    }

    /** The backtest of positions on the test samples, when the bars are known. */
    public Optional<Backtest.Result> backtest(double[] positions, Backtest.Costs costs) {
        if (series == null) {
            return Optional.empty();
        }
        return Optional.of(Backtest.run(positions, testBars, series.timeMs(), series.close(), intervalMs, costs));
    }

    /** The data's source and quality (bars, interval, gaps, missing and zero-volume bars, warnings). */
    public String quality() {
        return quality;
    }

    /**
     * Each test sample's market regime ({@link io.distill4j.regime.MarketRegime#ordinal()}), by the labeller of
     * {@code regimes} fitted on the train samples, as the trials label them.
     */
    public int[] testRegimes(io.distill4j.regime.RegimeConfig regimes) {
        if (series == null) {
            throw new IllegalStateException("the bars of these data facts are not known");
        }
        return io.distill4j.regime.RegimeLabeller.fit(series, trainBars, regimes).label(series, testBars);
    }

    /** Bars ahead the labels look. */
    public int horizon() {
        return horizon;
    }

    /** The test labels, a copy. */
    public int[] testLabels() {
        return testLabels.clone();
    }

    /** The name of the train split's most frequent class. */
    public String majorityClassName() {
        return CLASSES.get(majorityClass);
    }

    /** Test metrics of predicting the train split's majority class for every sample. */
    public ClassificationMetrics majorityMetrics() {
        int[] all = new int[testLabels.length];
        java.util.Arrays.fill(all, majorityClass);
        return ChanceBaselines.metrics(all, testLabels);
    }

    /** Test metrics of the persistence baseline. */
    public ClassificationMetrics persistenceMetrics() {
        return ChanceBaselines.metrics(persistence, testLabels);
    }

    /** The class balance of a split, e.g. {@code sell 0.331, hold 0.335, buy 0.334}. */
    public String balance(String split) {
        return balanceText(classFractions.get(split));
    }

    /** Class fractions as text, e.g. {@code sell 0.331, hold 0.335, buy 0.334}. */
    public static String balanceText(double[] fractions) {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < CLASSES.size(); k++) {
            b.append(k == 0 ? "" : ", ").append(CLASSES.get(k)).append(' ')
                    .append(String.format(Locale.ROOT, "%.3f", fractions[k]));
        }
        return b.toString();
    }
}
