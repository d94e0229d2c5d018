package io.distill4j.data.features;

/**
 * Which fine-bar sample a coarse-bar sample may use, without look-ahead (cross-timeframe distillation: a teacher on
 * 1-minute bars, a student on 5-minute bars).
 *
 * <p>A sample's inputs end with its own bar, so a sample whose bar opens at {@code u} has inputs that are all known
 * at {@code u + fineIntervalMs}. The coarse sample whose bar opens at {@code t} is decided at its close,
 * {@code t + coarseIntervalMs}. Its aligned fine sample is the latest one with
 * {@code u + fineIntervalMs <= t + coarseIntervalMs}, provided it is fresh: its inputs end after the coarse bar
 * opened ({@code u + fineIntervalMs > t}), i.e. it is less than one coarse interval older than the close. With no
 * such sample (a gap, the start of the data, a purged stretch) there is none ({@code -1}). When both intervals are
 * equal, the aligned sample is the one of the same bar.
 */
public final class TimeAlignment {
    private TimeAlignment() {
    }

    /**
     * The index of the aligned fine sample of the coarse sample opening at {@code coarseOpenMs}, or {@code -1}.
     *
     * @param fineOpenMs the open time of every fine sample's bar, ascending
     */
    public static int align(long coarseOpenMs, long coarseIntervalMs, long[] fineOpenMs, long fineIntervalMs) {
        long close = coarseOpenMs + coarseIntervalMs;
        long latestOpen = close - fineIntervalMs; // u <= close - fine
        int lo = 0;
        int hi = fineOpenMs.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (fineOpenMs[mid] <= latestOpen) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found >= 0 && fineOpenMs[found] + fineIntervalMs > coarseOpenMs ? found : -1;
    }

    /** {@link #align} for every coarse sample. */
    public static int[] alignAll(long[] coarseOpenMs, long coarseIntervalMs, long[] fineOpenMs, long fineIntervalMs) {
        int[] out = new int[coarseOpenMs.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = align(coarseOpenMs[k], coarseIntervalMs, fineOpenMs, fineIntervalMs);
        }
        return out;
    }
}
