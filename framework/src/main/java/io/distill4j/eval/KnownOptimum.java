package io.distill4j.eval;

/**
 * The best any model can do when the true conditional class probabilities are known (synthetic data): the Bayes rule
 * predicts {@code argmax_k p_k}, and the true probabilities themselves are the forecast with the lowest expected log
 * loss. Each model's share of the learnable signal is {@code (model - chance) / (optimum - chance)}, for accuracy
 * with chance the majority-class accuracy.
 *
 * @param accuracy the realised test accuracy of the Bayes rule
 * @param logLoss the realised mean {@code -ln p(label)} of the true probabilities
 * @param expectedAccuracy {@code mean_i max_k p_ik}, the Bayes rule's accuracy in expectation over the labels' noise
 */
public record KnownOptimum(double accuracy, double logLoss, double expectedAccuracy) {
    /** The optimum of true probabilities {@code [n][C]} against the realised labels. */
    public static KnownOptimum of(double[][] trueProbabilities, int[] labels) {
        int n = trueProbabilities.length;
        double[][] logits = new double[n][];
        double expected = 0;
        for (int i = 0; i < n; i++) {
            double[] p = trueProbabilities[i];
            logits[i] = new double[p.length];
            for (int k = 0; k < p.length; k++) {
                logits[i][k] = Math.log(Math.max(p[k], 1e-300));
            }
            expected += p[ClassificationMetrics.argmax(p)] / n;
        }
        ClassificationMetrics m = ClassificationMetrics.of(logits, labels, null);
        return new KnownOptimum(m.accuracy(), m.logLoss(), expected);
    }

    /** {@code (value - chance) / (optimum - chance)}: the share of the learnable signal a value reaches. */
    public static double share(double value, double chance, double optimum) {
        return (value - chance) / (optimum - chance);
    }
}
