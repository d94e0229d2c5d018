package io.distill4j.data.bybit;

import io.distill4j.Distill4jException;
import java.util.Locale;

/** A Bybit v5 product category: USDT/USDC perpetuals and futures, coin-margined contracts, or spot. */
public enum BybitCategory {
    LINEAR,
    INVERSE,
    SPOT;

    /** Bybit's {@code category} request value: {@code linear}, {@code inverse} or {@code spot}. */
    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Reads {@code linear}, {@code inverse} or {@code spot} (case-insensitive).
     *
     * @throws Distill4jException naming the accepted values otherwise
     */
    public static BybitCategory parse(String text) {
        String t = text == null ? "" : text.trim();
        for (BybitCategory c : values()) {
            if (c.apiName().equalsIgnoreCase(t)) {
                return c;
            }
        }
        throw new Distill4jException("unknown Bybit category '" + text + "': expected linear, inverse or spot");
    }

    @Override
    public String toString() {
        return apiName();
    }
}
