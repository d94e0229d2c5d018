package io.distill4j.loss;

import io.distill4j.api.DistillationLoss;
import io.distill4j.api.ParameterDomain;
import io.distill4j.plugin.AbstractPluginFactory;
import io.distill4j.config.ConfigNode;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Map;

/**
 * Contrastive representation distillation, CRD-style (type {@code crd}; after Tian et al., ICLR 2020): InfoNCE between
 * the student's projected embedding and the teacher's, with the other examples of the minibatch as negatives; see
 * {@link ContrastiveLossFunction} for the formula, the memory bank and how it departs from the paper. Extra keys
 * {@code temperature} (default 0.1, in [0.001, 100], schedulable as {@code <head>.temperature}) and the optional
 * {@code memory_bank: {size: K, update: fifo | momentum, momentum: 0.5}} (K in [1, 1000000]; {@code momentum} in
 * [0, 1), only with {@code update: momentum}), and {@code group_size} (default 0: the whole minibatch; g: in-batch
 * negatives within relation groups of g rows, {@link BatchLossFunction}); {@code projection} defaults to
 * {@code linear} ({@code mlp} allowed):
 * the embeddings are compared at the teacher layer's width. Keys as in {@link FeatureTerm}.
 */
public final class ContrastiveKd extends FeatureTerm {
    /** The schedulable temperature's name. */
    public static final String TEMPERATURE = "temperature";
    /** The optional memory bank's section. */
    public static final String MEMORY_BANK = "memory_bank";
    private static final List<Projection> PROJECTIONS = List.of(Projection.LINEAR, Projection.MLP);
    private final ContrastiveLossFunction function;

    public ContrastiveKd(Spec spec, double weight, double temperature) {
        this(spec, new ContrastiveLossFunction(weight, temperature));
    }

    /** With a memory bank of {@code bankSize} negatives (0: none). */
    public ContrastiveKd(Spec spec, double weight, double temperature, int bankSize,
            ContrastiveLossFunction.BankUpdate update, double momentum) {
        this(spec, new ContrastiveLossFunction(weight, temperature, bankSize, update, momentum));
    }

    private ContrastiveKd(Spec spec, ContrastiveLossFunction function) {
        super("crd", spec, Projection.LINEAR, function);
        this.function = function;
    }

    @Override
    protected String extra() {
        return ",tau=" + HintonKd.fmt(function.temperature()) + function.describeBank();
    }

    @Override
    public Map<String, Double> parameters() {
        Map<String, Double> p = super.parameters();
        p.put(TEMPERATURE, function.temperature());
        return p;
    }

    @Override
    public ParameterDomain domain(String parameter) {
        return TEMPERATURE.equals(parameter) ? new ParameterDomain(0.001, 100) : super.domain(parameter);
    }

    @Override
    public void setParameter(String name, double value) {
        if (TEMPERATURE.equals(name)) {
            function.setTemperature(value);
        } else {
            super.setParameter(name, value);
        }
    }

    /** Factory for {@code type: crd}. */
    public static final class Factory extends AbstractPluginFactory<DistillationLoss> {
        public Factory() {
            super(DistillationLoss.class, "crd", Factory::parse);
        }

        private static ContrastiveKd parse(ConfigNode s) {
            Spec spec = Spec.parse(s, PROJECTIONS);
            double weight = Weights.parse(s);
            double temperature = s.number(TEMPERATURE, 0.1, 0.001, 100);
            Optional<ConfigNode> bank = s.optionalSection(MEMORY_BANK);
            if (bank.isEmpty()) {
                return withGroups(new ContrastiveKd(spec, weight, temperature), s);
            }
            ConfigNode b = bank.get();
            int size = b.integer("size", 1, 1_000_000);
            var update = ContrastiveLossFunction.BankUpdate.valueOf(b.choice("update", "fifo",
                    List.of("fifo", "momentum")).toUpperCase(Locale.ROOT));
            if (update == ContrastiveLossFunction.BankUpdate.FIFO && b.has("momentum")) {
                throw b.error("momentum", "only with update: momentum (a fifo bank overwrites its oldest entry)");
            }
            double momentum = b.number("momentum", 0.5, 0, 1);
            if (momentum == 1) {
                throw b.error("momentum", "expected a number in [0, 1) (at 1 the bank would never change), got 1");
            }
            b.finish();
            return withGroups(new ContrastiveKd(spec, weight, temperature, size, update, momentum), s);
        }
    }
}
