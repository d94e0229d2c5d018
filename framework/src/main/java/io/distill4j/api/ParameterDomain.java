package io.distill4j.api;

/**
 * The values a loss parameter may take, a closed interval {@code [min, max]} of finite numbers: what the loss
 * section accepts and what every epoch of a {@link Schedule} driving the parameter must stay in.
 */
public record ParameterDomain(double min, double max) {
    public ParameterDomain {
        if (!(min <= max)) {
            throw new IllegalArgumentException("empty domain [" + min + ", " + max + "]");
        }
    }

    /** Whether {@code value} is finite and in {@code [min, max]}. */
    public boolean contains(double value) {
        return Double.isFinite(value) && value >= min && value <= max;
    }

    /** {@code [min, max]}, numbers written as in config messages ({@code [0.001, 100]}). */
    @Override
    public String toString() {
        return "[" + format(min) + ", " + format(max) + "]";
    }

    /** A number as messages show it: integers without a fraction, others in their shortest form. */
    public static String format(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e15 ? Long.toString((long) x) : Double.toString(x);
    }
}
