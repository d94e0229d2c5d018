package io.distill4j.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.deeplearning4j.arbiter.optimize.distribution.LogUniformDistribution;
import org.deeplearning4j.arbiter.optimize.parameter.continuous.ContinuousParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.discrete.DiscreteParameterSpace;
import org.deeplearning4j.arbiter.optimize.parameter.integer.IntegerParameterSpace;

/**
 * The search's parameters as one Arbiter {@link ParameterSpace}: one Arbiter leaf per searched path
 * ({@link ContinuousParameterSpace} for {@code uniform}, the same over a {@link LogUniformDistribution} for
 * {@code log_uniform}, {@link IntegerParameterSpace}, and a {@link DiscreteParameterSpace} of choice indices), in
 * declared order, so a candidate's {@code double[]} in {@code [0, 1]} (Arbiter's flat parameters) holds one gene per
 * path. Its value is the candidate's assignments: path to the JSON value set there. Continuous values are rounded to
 * {@value #SIGNIFICANT_DIGITS} significant digits, so they read well in labels and in {@code best.yaml}.
 */
public final class CandidateSpace implements ParameterSpace<LinkedHashMap<String, JsonNode>> {
    /** Significant digits kept of continuous values. */
    public static final int SIGNIFICANT_DIGITS = 4;

    private final List<SearchConfig.Parameter> parameters;
    private final List<ParameterSpace<?>> leaves = new ArrayList<>();

    public CandidateSpace(List<SearchConfig.Parameter> parameters) {
        this.parameters = List.copyOf(parameters);
        for (SearchConfig.Parameter p : parameters) {
            leaves.add(switch (p.kind()) {
                case UNIFORM -> new ContinuousParameterSpace(p.min(), p.max());
                case LOG_UNIFORM -> new ContinuousParameterSpace(new LogUniformDistribution(p.min(), p.max()));
                case INTEGER -> new IntegerParameterSpace((int) p.min(), (int) p.max());
                case CHOICE -> {
                    List<Integer> indices = new ArrayList<>();
                    for (int i = 0; i < p.values().size(); i++) {
                        indices.add(i);
                    }
                    yield new DiscreteParameterSpace<>(indices);
                }
            });
        }
    }

    public List<SearchConfig.Parameter> parameters() {
        return parameters;
    }

    /** The assignments of a candidate whose genes are {@code flat} (one value in [0, 1] per path). */
    @Override
    public LinkedHashMap<String, JsonNode> getValue(double[] flat) {
        if (flat.length != leaves.size()) {
            throw new IllegalArgumentException("expected " + leaves.size() + " genes, got " + flat.length);
        }
        LinkedHashMap<String, JsonNode> out = new LinkedHashMap<>();
        for (int i = 0; i < leaves.size(); i++) {
            SearchConfig.Parameter p = parameters.get(i);
            Object raw = leaves.get(i).getValue(flat);
            out.put(p.path(), p.kind() == SearchConfig.Kind.CHOICE ? p.values().get((Integer) raw).deepCopy()
                    : json(p, ((Number) raw).doubleValue()));
        }
        return out;
    }

    /** A numeric value of {@code p} as it is written into the config. */
    static JsonNode json(SearchConfig.Parameter p, double value) {
        if (p.kind() == SearchConfig.Kind.INTEGER) {
            return IntNode.valueOf((int) Math.round(value));
        }
        double rounded = new BigDecimal(value).round(new MathContext(SIGNIFICANT_DIGITS)).doubleValue();
        return DoubleNode.valueOf(Math.min(p.max(), Math.max(p.min(), rounded)));
    }

    /** A value as shown in messages and labels. */
    static String text(JsonNode v) {
        return v.isTextual() ? v.asText() : v.toString();
    }

    @Override
    public int numParameters() {
        return leaves.size();
    }

    @Override
    public List<ParameterSpace> collectLeaves() {
        return new ArrayList<>(leaves);
    }

    @Override
    public Map<String, ParameterSpace> getNestedSpaces() {
        Map<String, ParameterSpace> out = new LinkedHashMap<>();
        for (int i = 0; i < leaves.size(); i++) {
            out.put(parameters.get(i).path(), leaves.get(i));
        }
        return out;
    }

    @Override
    public boolean isLeaf() {
        return false;
    }

    /** Not a leaf: Arbiter's generators index the leaves themselves. */
    @Override
    public void setIndices(int... indices) {
        throw new UnsupportedOperationException("a composite space has no index of its own");
    }
}
