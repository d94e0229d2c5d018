package io.distill4j.device;

import java.util.Locale;
import java.util.Optional;

/** The requested device: {@code auto} (a usable GPU if the CUDA backend is there, else the CPU), {@code cpu}, {@code gpu}. */
public enum DeviceMode {
    AUTO, CPU, GPU;

    /** The study-file / command-line spelling. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code auto}, {@code cpu} or {@code gpu} (case-insensitive); empty for anything else. */
    public static Optional<DeviceMode> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        for (DeviceMode m : values()) {
            if (m.label().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
