package io.distill4j.schedule;

import io.distill4j.plugin.AbstractPluginFactory;
import io.distill4j.api.DistillationLoss;
import io.distill4j.api.ParameterDomain;
import io.distill4j.api.Schedule;
import io.distill4j.config.ConfigNode;
import java.util.function.Function;

/**
 * The built-in schedules. Epochs are 0-based; {@code progress = epoch / (epochs - 1)} runs from 0 at the first epoch
 * to 1 at the last (0 when there is one epoch). Where {@code start} is omitted, the loss section's configured value
 * is the start, so a grid over the loss parameter also moves the schedule's start.
 *
 * <pre>
 * constant:  value                                     (type: constant)
 * linear:    start + (end - start) * progress          (type: linear, start, end)
 * cosine:    end + (start - end) * (1 + cos(pi * progress)) / 2   (type: cosine, start, end)
 * step:      start * factor ^ floor(epoch / every)     (type: step, start, factor, every)
 * </pre>
 */
public final class Schedules {
    private Schedules() {
    }

    /**
     * Checks a schedule's whole range before training: its value at every epoch {@code 0 .. epochs - 1} (from the
     * loss's configured value, as in training) must lie in the parameter's {@link ParameterDomain}, so that a
     * schedule cannot fail every trial mid-run.
     *
     * @param section the {@code schedules} section, for the error's file and path
     * @param key the schedule's key in that section ({@code alpha}, or {@code <head>.<parameter>} for an extra head)
     * @param parameter the loss parameter the schedule drives
     * @throws io.distill4j.config.ConfigException naming the parameter's path, the epoch (1-based) and the value
     */
    public static void checkRange(ConfigNode section, String key, String parameter, Schedule schedule,
            DistillationLoss loss, int epochs) {
        ParameterDomain domain = loss.domain(parameter);
        double configured = loss.parameters().get(parameter);
        for (int epoch = 0; epoch < epochs; epoch++) {
            double v = schedule.valueAt(epoch, epochs, configured);
            if (!domain.contains(v)) {
                throw section.error(key, schedule.describe() + " gives " + parameter + " = "
                        + ParameterDomain.format(v) + " at epoch " + (epoch + 1) + " of " + epochs + "; expected "
                        + "every epoch's value in " + domain);
            }
        }
    }

    static double progress(int epoch, int epochs) {
        return epochs <= 1 ? 0.0 : Math.min(1.0, (double) epoch / (epochs - 1));
    }

    static String fmt(double x) {
        return ParameterDomain.format(x);
    }

    /** Keeps the configured value. */
    public record Constant() implements Schedule {
        @Override
        public double valueAt(int epoch, int epochs, double configured) {
            return configured;
        }

        @Override
        public String describe() {
            return "constant";
        }
    }

    /** Linear interpolation from {@code start} (or the configured value) to {@code end}. */
    public record Linear(Double start, double end) implements Schedule {
        @Override
        public double valueAt(int epoch, int epochs, double configured) {
            double s = start == null ? configured : start;
            return s + (end - s) * progress(epoch, epochs);
        }

        @Override
        public String describe() {
            return "linear(" + (start == null ? "" : fmt(start)) + "->" + fmt(end) + ")";
        }
    }

    /** Cosine annealing from {@code start} (or the configured value) to {@code end}. */
    public record Cosine(Double start, double end) implements Schedule {
        @Override
        public double valueAt(int epoch, int epochs, double configured) {
            double s = start == null ? configured : start;
            return end + (s - end) * (1 + Math.cos(Math.PI * progress(epoch, epochs))) / 2;
        }

        @Override
        public String describe() {
            return "cosine(" + (start == null ? "" : fmt(start)) + "->" + fmt(end) + ")";
        }
    }

    /** Multiplies by {@code factor} every {@code every} epochs. */
    public record Step(Double start, double factor, int every) implements Schedule {
        @Override
        public double valueAt(int epoch, int epochs, double configured) {
            double s = start == null ? configured : start;
            return s * Math.pow(factor, Math.floorDiv(epoch, every));
        }

        @Override
        public String describe() {
            return "step(" + (start == null ? "" : fmt(start)) + "x" + fmt(factor) + "/" + every + ")";
        }
    }

    private static Double optionalStart(ConfigNode s) {
        return s.optionalNumber("start", -1e6, 1e6).orElse(null);
    }

    private abstract static class Base extends AbstractPluginFactory<Schedule> {
        Base(String type, Function<ConfigNode, Schedule> create) {
            super(Schedule.class, type, create);
        }
    }

    /** Factory for {@code type: constant}. */
    public static final class ConstantFactory extends Base {
        public ConstantFactory() {
            super("constant", s -> new Constant());
        }
    }

    /** Factory for {@code type: linear}. */
    public static final class LinearFactory extends Base {
        public LinearFactory() {
            super("linear", s -> new Linear(optionalStart(s), s.number("end", -1e6, 1e6)));
        }
    }

    /** Factory for {@code type: cosine}. */
    public static final class CosineFactory extends Base {
        public CosineFactory() {
            super("cosine", s -> new Cosine(optionalStart(s), s.number("end", -1e6, 1e6)));
        }
    }

    /** Factory for {@code type: step}. */
    public static final class StepFactory extends Base {
        public StepFactory() {
            super("step", s -> new Step(optionalStart(s), s.number("factor", 1e-6, 1e6),
                    s.integer("every", 1, 1_000_000)));
        }
    }
}
