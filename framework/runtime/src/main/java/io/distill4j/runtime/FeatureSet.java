package io.distill4j.runtime;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The features a study computes from its bars: the 12 built-in ones ({@link #DEFAULT}, {@link FeatureStream}) or a
 * declared list of {@link FeatureSpec}s ({@link DeclaredFeatureStream}). Its {@link #canonical} text is what a model
 * file's {@code feature.set} metadata holds; immutable.
 */
public final class FeatureSet {
    /** The values of another asset's bar a set reads, in {@link #inputs} order. */
    public static final List<String> ASSET_FIELDS = List.of("open", "high", "low", "close", "volume");
    /** The 12 built-in features. */
    public static final FeatureSet DEFAULT = new FeatureSet(List.of());

    private final List<FeatureSpec> specs;
    private final List<String> names;
    private final List<String> columns;
    private final List<String> assets;
    private final List<String> inputs;
    private final int warmup;

    private FeatureSet(List<FeatureSpec> specs) {
        this.specs = List.copyOf(specs);
        List<String> n = new ArrayList<>();
        List<String> c = new ArrayList<>();
        List<String> a = new ArrayList<>();
        int w = specs.isEmpty() ? FeatureStream.WARMUP : 0;
        for (FeatureSpec s : specs) {
            n.add(s.name());
            if (s.isColumn()) {
                c.add(s.column());
            }
            if (!s.asset().isEmpty() && !a.contains(s.asset())) {
                a.add(s.asset());
            }
            w = Math.max(w, s.warmup());
        }
        this.names = specs.isEmpty() ? FeatureStream.NAMES : List.copyOf(n);
        this.columns = List.copyOf(c);
        this.assets = List.copyOf(a);
        List<String> in = new ArrayList<>(c);
        for (String asset : a) {
            for (String field : ASSET_FIELDS) {
                in.add(asset + "." + field);
            }
        }
        this.inputs = List.copyOf(in);
        this.warmup = w;
    }

    /**
     * A declared set, in column order.
     *
     * @throws IllegalArgumentException when it is empty or two features have one name
     */
    public static FeatureSet of(List<FeatureSpec> specs) {
        if (specs.isEmpty()) {
            throw new IllegalArgumentException("a declared feature set needs at least one feature");
        }
        Set<String> seen = new HashSet<>();
        for (FeatureSpec s : specs) {
            if (!seen.add(s.name())) {
                throw new IllegalArgumentException("feature '" + s.name() + "' is declared twice");
            }
        }
        return new FeatureSet(specs);
    }

    /** Parses {@link #canonical} text ({@code ""} is {@link #DEFAULT}). */
    public static FeatureSet parse(String canonical) {
        if (canonical.isBlank()) {
            return DEFAULT;
        }
        List<FeatureSpec> specs = new ArrayList<>();
        for (String part : canonical.split(";")) {
            specs.add(FeatureSpec.parse(part));
        }
        return of(specs);
    }

    /** Whether this is the 12 built-in features. */
    public boolean isDefault() {
        return specs.isEmpty();
    }

    /** The declared features (empty for {@link #DEFAULT}). */
    public List<FeatureSpec> specs() {
        return specs;
    }

    /** The feature names, in column order. */
    public List<String> names() {
        return names;
    }

    /** The extra source columns the set reads (the first of its {@link #inputs}). */
    public List<String> columns() {
        return columns;
    }

    /** The other assets whose bars the set reads, in order of first use. */
    public List<String> assets() {
        return assets;
    }

    /**
     * What a bar brings besides its own open, high, low, close and volume, in the order {@link BarFeatures#update}
     * takes them: the extra columns, then per asset of {@link #assets} its {@code open, high, low, close, volume}
     * ({@code ETHUSDT.close}) at the same open time, all {@code NaN} when that asset has no such bar.
     */
    public List<String> inputs() {
        return inputs;
    }

    /** Earlier bars of the same run a row needs: the largest warm-up of its features (20 for the default). */
    public int warmup() {
        return warmup;
    }

    /** {@code ""} for {@link #DEFAULT}, else the specs' canonical texts joined by {@code ;}. */
    public String canonical() {
        List<String> parts = new ArrayList<>();
        for (FeatureSpec s : specs) {
            parts.add(s.canonical());
        }
        return String.join(";", parts);
    }

    /** A new bar-by-bar computer of this set (its own state; not thread-safe). */
    public BarFeatures newStream(long intervalMs) {
        return isDefault() ? new FeatureStream(intervalMs) : new DeclaredFeatureStream(this, intervalMs);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureSet f && f.specs.equals(specs);
    }

    @Override
    public int hashCode() {
        return specs.hashCode();
    }

    @Override
    public String toString() {
        return isDefault() ? "default" : canonical();
    }
}
