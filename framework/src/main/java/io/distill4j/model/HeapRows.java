package io.distill4j.model;

import org.bytedeco.javacpp.FloatPointer;

/**
 * Working arrays held as one heap array per row, and their copies to and from native memory. A loop over one row of
 * several such arrays indexes them all alike, which Java 17's C2 vectorises; it does not vectorise a loop that reads
 * one flat array at several offsets (README, "Seventh sitting").
 */
final class HeapRows {
    private HeapRows() {
    }

    /** {@code old} when it has at least {@code count} rows of at least {@code length} floats, else new such rows. */
    static float[][] atLeast(float[][] old, int count, int length) {
        if (old.length >= count && (count == 0 || old[0].length >= length)) {
            return old;
        }
        float[][] rows = new float[Math.max(count, old.length)][];
        int width = Math.max(length, old.length == 0 ? 0 : old[0].length);
        for (int r = 0; r < rows.length; r++) {
            rows[r] = new float[width];
        }
        return rows;
    }

    /** Rows {@code first .. first + count - 1} of {@code rows}, {@code length} floats each, from consecutive memory. */
    static void read(FloatPointer from, float[][] rows, int first, int count, int length) {
        long start = from.position();
        for (int r = 0; r < count; r++) {
            from.position(start + (long) r * length).get(rows[first + r], 0, length);
        }
        from.position(start);
    }

    /** Rows {@code first .. first + count - 1} of {@code rows}, {@code length} floats each, into consecutive memory. */
    static void write(float[][] rows, int first, int count, int length, FloatPointer to) {
        long start = to.position();
        for (int r = 0; r < count; r++) {
            to.position(start + (long) r * length).put(rows[first + r], 0, length);
        }
        to.position(start);
    }
}
