package io.distill4j.runtime;

/**
 * Element-wise activations, with the conventions of DL4J's implementations: {@code leakyrelu} has slope 0.01 below
 * zero, {@code elu} has alpha 1, {@code gelu} is DL4J's default (non-precise) form {@code x * sigmoid(1.702 x)},
 * {@code swish} is {@code x * sigmoid(x)}; {@code softmax} acts on the whole vector (max subtracted first).
 */
public enum Activation {
    /** {@code x}. */
    IDENTITY(0),
    /** {@code max(0, x)}. */
    RELU(1),
    /** {@code tanh(x)}. */
    TANH(2),
    /** {@code 1 / (1 + exp(-x))}. */
    SIGMOID(3),
    /** {@code x} if {@code x >= 0}, else {@code 0.01 x}. */
    LEAKYRELU(4),
    /** {@code x} if {@code x >= 0}, else {@code exp(x) - 1}. */
    ELU(5),
    /** {@code x * sigmoid(1.702 x)}. */
    GELU(6),
    /** {@code x * sigmoid(x)}. */
    SWISH(7),
    /** {@code exp(x_i - max) / sum_j exp(x_j - max)} over the vector. */
    SOFTMAX(8);

    private final int code;

    Activation(int code) {
        this.code = code;
    }

    /** The code written in model files. */
    public int code() {
        return code;
    }

    /** The activation of a file code. */
    public static Activation ofCode(int code) {
        for (Activation a : values()) {
            if (a.code == code) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown activation code " + code);
    }

    /** Applies the activation in place to {@code v[from .. from + n)}. */
    public void apply(float[] v, int from, int n) {
        int to = from + n;
        switch (this) {
            case IDENTITY -> {
            }
            case RELU -> {
                for (int i = from; i < to; i++) {
                    v[i] = v[i] > 0 ? v[i] : 0f;
                }
            }
            case TANH -> {
                for (int i = from; i < to; i++) {
                    v[i] = tanh(v[i]);
                }
            }
            case SIGMOID -> {
                for (int i = from; i < to; i++) {
                    v[i] = sigmoid(v[i]);
                }
            }
            case LEAKYRELU -> {
                for (int i = from; i < to; i++) {
                    v[i] = v[i] >= 0 ? v[i] : 0.01f * v[i];
                }
            }
            case ELU -> {
                for (int i = from; i < to; i++) {
                    v[i] = v[i] >= 0 ? v[i] : (float) Math.expm1(v[i]);
                }
            }
            case GELU -> {
                for (int i = from; i < to; i++) {
                    v[i] = v[i] * sigmoid(1.702f * v[i]);
                }
            }
            case SWISH -> {
                for (int i = from; i < to; i++) {
                    v[i] = v[i] * sigmoid(v[i]);
                }
            }
            case SOFTMAX -> softmax(v, from, n);
            default -> throw new AssertionError(this);
        }
    }

    /**
     * {@code tanh(x) = 1 - 2 / (exp(2x) + 1)}, in double: {@code Math.exp} is a JIT intrinsic where {@code Math.tanh}
     * is not (Java 17); the result is within about 1e-16 (absolute) of {@code Math.tanh} before rounding to float.
     */
    static float tanh(float x) {
        return (float) (1.0 - 2.0 / (Math.exp(2.0 * x) + 1.0));
    }

    /** The logistic function in float. */
    static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }

    private static void softmax(float[] v, int from, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = from; i < from + n; i++) {
            max = Math.max(max, v[i]);
        }
        double sum = 0;
        for (int i = from; i < from + n; i++) {
            double e = Math.exp(v[i] - max);
            v[i] = (float) e;
            sum += e;
        }
        for (int i = from; i < from + n; i++) {
            v[i] = (float) (v[i] / sum);
        }
    }
}
