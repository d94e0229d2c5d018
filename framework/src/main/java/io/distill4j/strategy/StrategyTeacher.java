package io.distill4j.strategy;

import io.distill4j.api.FittedTeacher;
import io.distill4j.api.InputKind;
import io.distill4j.api.ModelInput;
import io.distill4j.plugin.AbstractPluginFactory;
import io.distill4j.api.Teacher;
import io.distill4j.api.TeacherFitContext;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.config.ConfigNode;
import io.distill4j.data.features.Labels;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A backtested strategy as a teacher (type {@code strategy}): its position at each sample's bar becomes a soft target
 * over {@code sell / hold / buy} (short / flat / long) by label smoothing,
 *
 * <pre>
 *   q(position's class) = 1 - smoothing,   q(each other class) = smoothing / 2,   teacher logits = ln q
 * </pre>
 *
 * so that a student learns to imitate the strategy from market features. The {@code agreement} metric of a student
 * is then how often it takes the strategy's position on the test split.
 *
 * <pre>
 * teacher:
 *   type: strategy
 *   rule: ma_crossover        # ma_crossover | positions_csv
 *   fast: 12                  # ma_crossover: fast SMA bars
 *   slow: 48                  # ma_crossover: slow SMA bars (> fast)
 *   band: 0.0005              # ma_crossover: flat while |SMA_fast / SMA_slow - 1| <= band
 *   volatility_window: 48     # ma_crossover: bars of 1-bar log returns in the realised volatility
 *   volatility_quantile: 0.8  # ma_crossover: flat above this quantile of the TRAIN bars' realised volatility
 *   path: positions.csv       # positions_csv: timestamp_ms,position (-1, 0, 1), a step function
 *   smoothing: 0.1            # in [0, 0.5)
 * </pre>
 */
public record StrategyTeacher(String rule, int fast, int slow, double band, int volatilityWindow,
        double volatilityQuantile, Path path, double smoothing) implements Teacher {

    /** Rules accepted in study files. */
    public static final List<String> RULES = List.of("ma_crossover", "positions_csv");

    @Override
    public String describe() {
        return rule.equals("ma_crossover")
                ? "strategy(ma " + fast + "/" + slow + ", vol<q" + volatilityQuantile + ")"
                : "strategy(" + path.getFileName() + ")";
    }

    @Override
    public InputKind inputKind() {
        return InputKind.TABULAR; // it reads the bars, not the features
    }

    @Override
    public List<Path> inputFiles() {
        return path == null ? List.of() : List.of(path);
    }

    @Override
    public int epochBudget() {
        return 0;
    }

    @Override
    public FittedTeacher fit(TeacherFitContext context) {
        io.distill4j.model.Regression.unsupported(context, "strategy");
        int[] positions;
        if (rule.equals("positions_csv")) {
            positions = Positions.fromCsv(path, context.bars());
        } else {
            double[] vol = Positions.realisedVolatility(context.bars(), volatilityWindow);
            double[] trainVol = Arrays.stream(context.train().barIndices()).mapToDouble(i -> vol[i])
                    .filter(Double::isFinite).sorted().toArray();
            double threshold = trainVol.length == 0 ? Double.POSITIVE_INFINITY
                    : trainVol[(int) Math.min(trainVol.length - 1, Math.floor(volatilityQuantile * trainVol.length))];
            positions = Positions.movingAverageCrossover(context.bars(), fast, slow, band, volatilityWindow,
                    threshold);
        }
        return new Fitted(positions, smoothing, describe());
    }

    /** The strategy's positions over every bar, served as soft-target logits. */
    static final class Fitted implements FittedTeacher {
        private final int[] positions;
        private final double smoothing;
        private final String description;

        Fitted(int[] positions, double smoothing, String description) {
            this.positions = positions;
            this.smoothing = smoothing;
            this.description = description;
        }

        @Override
        public TeacherOutputs infer(ModelInput input) {
            int[] bars = input.barIndices();
            for (int b : bars) {
                if (b < 0 || b >= positions.length) {
                    throw new IllegalArgumentException("the strategy has positions for " + positions.length
                            + " bars; a sample refers to bar " + b);
                }
            }
            float[][] logits = new float[bars.length][3];
            float on = (float) Math.log(1 - smoothing);
            float off = (float) Math.log(Math.max(smoothing / 2, 1e-9));
            for (int i = 0; i < bars.length; i++) {
                int cls = classOf(positions[bars[i]]);
                for (int k = 0; k < 3; k++) {
                    logits[i][k] = k == cls ? on : off;
                }
            }
            return new TeacherOutputs(Nd4j.createFromArray(logits).castTo(DataType.FLOAT), Map.of());
        }

        static int classOf(int position) {
            return position < 0 ? Labels.SELL : position > 0 ? Labels.BUY : Labels.HOLD;
        }

        @Override
        public long parameterCount() {
            return 0;
        }

        /** A zip with the positions over every bar ({@code positions.txt}) and the rule's description. */
        @Override
        public void save(Path zip) throws IOException {
            try (OutputStream file = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(file)) {
                out.putNextEntry(new ZipEntry("strategy.txt"));
                out.write((description + "\nsmoothing=" + smoothing + "\n").getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
                out.putNextEntry(new ZipEntry("positions.txt"));
                StringBuilder b = new StringBuilder();
                for (int p : positions) {
                    b.append(p).append('\n');
                }
                out.write(b.toString().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
    }

    /** Factory for {@code type: strategy}. */
    public static final class Factory extends AbstractPluginFactory<Teacher> {
        public Factory() {
            super(Teacher.class, "strategy", Factory::parse);
        }

        private static Teacher parse(ConfigNode s) {
            String rule = s.choice("rule", "ma_crossover", RULES);
            double smoothing = s.number("smoothing", 0.1, 0, 0.499);
            if (rule.equals("positions_csv")) {
                Path path = s.existingFile("path", "positions file");
                return new StrategyTeacher(rule, 0, 0, 0, 0, 0, path, smoothing);
            }
            int fast = s.integer("fast", 12, 1, 100_000);
            int slow = s.integer("slow", 48, 2, 100_000);
            if (slow <= fast) {
                throw s.error("slow", "expected more bars than fast (" + fast + "), got " + slow);
            }
            return new StrategyTeacher(rule, fast, slow, s.number("band", 0.0005, 0, 1),
                    s.integer("volatility_window", 48, 2, 100_000), s.number("volatility_quantile", 0.8, 0.01, 1),
                    null, smoothing);
        }
    }
}
