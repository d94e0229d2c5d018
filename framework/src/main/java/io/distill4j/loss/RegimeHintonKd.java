package io.distill4j.loss;

import io.distill4j.api.TeacherOutputs;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Hinton head with per-regime alpha and T ({@link RegimeHintonKdLossFunction}): what a {@code hinton} loss
 * becomes in a study with {@code distillation.regimes}. Its schedulable parameters are the loss's own
 * ({@code temperature}, {@code alpha}, {@code weight}), which hold for the regimes without a value of their own.
 *
 * <p>Each sample's regime reaches the loss as a last label column, {@code [y | v | r]}: before training, the trainer
 * {@linkplain #bind binds} every split's hard-label array to its samples' regimes, and {@link #labels} appends the
 * regimes of the split whose hard labels it is given (by identity of the array).
 */
public final class RegimeHintonKd extends LogitDistillation {
    private final RegimeHintonKdLossFunction function;
    private final List<String> regimeNames;
    private final Map<INDArray, int[]> bound = new IdentityHashMap<>();

    /**
     * @param regimeNames the regimes' names by index (for {@link #describe()})
     * @param regimeAlphas alpha per regime ({@code NaN}: the loss's); {@code regimeTemperatures} likewise
     */
    public RegimeHintonKd(String headName, String teacherName, double temperature, double alpha, double weight,
            boolean standardize, List<String> regimeNames, double[] regimeAlphas, double[] regimeTemperatures) {
        this(headName, teacherName, new RegimeHintonKdLossFunction(temperature, alpha, weight, standardize,
                regimeAlphas, regimeTemperatures), regimeNames);
    }

    private RegimeHintonKd(String headName, String teacherName, RegimeHintonKdLossFunction function,
            List<String> regimeNames) {
        super("hinton", headName, teacherName, function);
        if (regimeNames.size() != function.regimes()) {
            throw new IllegalArgumentException("one name per regime expected");
        }
        this.function = function;
        this.regimeNames = List.copyOf(regimeNames);
        declare(HintonKd.TEMPERATURE, "T", function::temperature, function::setTemperature,
                HintonKd.TEMPERATURE_DOMAIN);
        declare(HintonKd.ALPHA, HintonKd.ALPHA, function::alpha, function::setAlpha, HintonKd.ALPHA_DOMAIN);
        declareWeight();
    }

    /** {@code base} with per-regime alpha and T: same head, teacher, T, alpha, weight and standardisation. */
    public static RegimeHintonKd of(HintonKd base, List<String> regimeNames, double[] regimeAlphas,
            double[] regimeTemperatures) {
        Map<String, Double> p = base.parameters();
        return new RegimeHintonKd(base.headName(), base.teacherName(), p.get(HintonKd.TEMPERATURE),
                p.get(HintonKd.ALPHA), p.get(WEIGHT), base.standardize(), regimeNames, regimeAlphas,
                regimeTemperatures);
    }

    /** The loss function (per-regime alpha and T). */
    public RegimeHintonKdLossFunction function() {
        return function;
    }

    /**
     * Declares that the samples whose hard labels are {@code hardLabels} (this very array) have regimes
     * {@code regimes} (indices, one per row).
     */
    public synchronized void bind(INDArray hardLabels, int[] regimes) {
        if (hardLabels.size(0) != regimes.length) {
            throw new IllegalArgumentException(regimes.length + " regimes for " + hardLabels.size(0) + " samples");
        }
        for (int r : regimes) {
            if (r < 0 || r >= function.regimes()) {
                throw new IllegalArgumentException("regime index " + r + " outside [0, " + function.regimes() + ")");
            }
        }
        bound.put(hardLabels, regimes.clone());
    }

    /** {@code [hard one-hot | teacher logits | regime index]}. */
    @Override
    public synchronized INDArray labels(INDArray hardLabels, TeacherOutputs teacher) {
        int[] regimes = bound.get(hardLabels);
        if (regimes == null) {
            throw new IllegalStateException("regime-conditional distillation needs each sample's regime: bind() this "
                    + "split's hard labels to its regimes first");
        }
        INDArray column = Nd4j.createFromArray(regimes).castTo(hardLabels.dataType()).reshape(regimes.length, 1);
        return Nd4j.hstack(super.labels(hardLabels, teacher), column);
    }

    @Override
    List<String> flags() {
        List<String> out = new ArrayList<>();
        if (function.standardize()) {
            out.add(HintonKd.STANDARDIZE);
        }
        for (int r = 0; r < regimeNames.size(); r++) {
            String a = HintonKd.fmt(function.alpha(r));
            String t = HintonKd.fmt(function.temperature(r));
            out.add(regimeNames.get(r) + ":alpha=" + a + "/T=" + t);
        }
        return out;
    }
}
