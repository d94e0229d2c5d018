package io.distill4j.model;

import io.distill4j.Distill4jException;
import io.distill4j.api.EpochReport;
import io.distill4j.api.FittedTeacher;
import io.distill4j.api.InputKind;
import io.distill4j.api.ModelInput;
import io.distill4j.api.Teacher;
import io.distill4j.api.TeacherFitContext;
import io.distill4j.api.TeacherOutputs;
import io.distill4j.config.ConfigNode;
import io.distill4j.plugin.AbstractPluginFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A gradient-boosted tree ensemble as a teacher (type {@code gbt}), trained with XGBoost on the tabular features
 * (objective {@code multi:softprob}, histogram trees) with early stopping on the validation split's multi-class log
 * loss (XGBoost's own: the validation matrix is the last watch). Only the rounds up to the best validation round are
 * used for prediction. Its output is the class probabilities {@code p}; its logits are {@code ln max(p, 1e-7)}, so
 * that {@code softmax(logits / T)} is the usual tempered target and {@code T = 1} gives back {@code p}.
 *
 * <pre>
 * teacher:
 *   type: gbt
 *   rounds: 200              # most boosting rounds
 *   max_depth: 6
 *   eta: 0.1                 # learning rate (shrinkage)
 *   subsample: 0.8           # rows sampled per tree
 *   colsample_bytree: 0.8    # features sampled per tree
 *   min_child_weight: 1
 *   lambda: 1                # L2 on leaf weights
 *   early_stopping: 10       # stop after this many rounds without a better validation log loss; 0: never
 * </pre>
 *
 * <p>Deterministic for a seed: XGBoost's {@code seed} is derived from {@link TeacherFitContext#initSeed()} and it runs
 * on one thread ({@code nthread: 1}). Trees have no hidden activations: {@link #featureLayers()} is empty. Its
 * {@linkplain Fitted#parameterCount() parameter count} is the number of tree nodes (splits and leaves) used.
 */
public record GbtTeacher(int rounds, int maxDepth, double eta, double subsample, double colsampleBytree,
        double minChildWeight, double lambda, int earlyStopping) implements Teacher {

    /** The zip entry holding XGBoost's model (its UBJSON format) in a saved gbt teacher. */
    public static final String MODEL_ENTRY = "xgboost.ubj";

    /** Reads every key, with defaults and ranges. */
    public static GbtTeacher parse(ConfigNode node) {
        return new GbtTeacher(
                node.integer("rounds", 200, 1, 100_000),
                node.integer("max_depth", 6, 1, 32),
                node.number("eta", 0.1, 1e-6, 1),
                node.number("subsample", 1, 1e-3, 1),
                node.number("colsample_bytree", 1, 1e-3, 1),
                node.number("min_child_weight", 1, 0, 1e6),
                node.number("lambda", 1, 0, 1e6),
                node.integer("early_stopping", 10, 0, 100_000));
    }

    @Override
    public String describe() {
        return "gbt[" + rounds + "x" + maxDepth + "]";
    }

    @Override
    public InputKind inputKind() {
        return InputKind.TABULAR;
    }

    /** Boosting rounds count as epochs. */
    @Override
    public int epochBudget() {
        return rounds;
    }

    @Override
    public FittedTeacher fit(TeacherFitContext ctx) {
        Regression.unsupported(ctx, "gbt");
        int classes = (int) ctx.trainLabels().size(1);
        long started = System.currentTimeMillis();
        try {
            DMatrix train = matrix(ctx.train(), ctx.trainLabels());
            DMatrix validation = matrix(ctx.validation(), ctx.validationLabels());
            Map<String, DMatrix> watches = new LinkedHashMap<>();
            watches.put("train", train);
            watches.put("validation", validation); // last: early stopping watches it
            float[][] metrics = new float[watches.size()][rounds];
            Booster booster = XGBoost.train(train, params(classes, ctx.initSeed()), rounds, watches, metrics, null,
                    null, earlyStopping);
            int used = usedRounds(booster);
            long perRound = (System.currentTimeMillis() - started) / Math.max(1, booster.getNumBoostedRound());
            for (int r = 0; r < booster.getNumBoostedRound(); r++) {
                ctx.observer().onEpoch(new EpochReport(r, rounds, metrics[0][r], metrics[1][r], Map.of(), perRound));
            }
            train.dispose();
            validation.dispose();
            return new Fitted(booster, used, classes);
        } catch (XGBoostError e) {
            throw new Distill4jException("teacher " + describe() + ": XGBoost failed: " + e.getMessage(), e);
        }
    }

    private Map<String, Object> params(int classes, long seed) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("objective", "multi:softprob");
        p.put("num_class", classes);
        p.put("eval_metric", "mlogloss");
        p.put("tree_method", "hist");
        p.put("max_depth", maxDepth);
        p.put("eta", eta);
        p.put("subsample", subsample);
        p.put("colsample_bytree", colsampleBytree);
        p.put("min_child_weight", minChildWeight);
        p.put("lambda", lambda);
        p.put("seed", Math.floorMod(seed, Integer.MAX_VALUE));
        p.put("nthread", 1);
        p.put("verbosity", 0);
        p.put("verbose_eval", "false"); // read by xgboost4j as a string: no per-round eval lines
        return p;
    }

    /** The rounds up to and including XGBoost's best iteration (all rounds when it did not stop early). */
    private static int usedRounds(Booster booster) throws XGBoostError {
        String best = booster.getAttr("best_iteration");
        return best == null ? booster.getNumBoostedRound() : Integer.parseInt(best) + 1;
    }

    private static DMatrix matrix(ModelInput input, INDArray oneHot) throws XGBoostError {
        DMatrix m = rows(input.input(InputKind.TABULAR));
        m.setLabel(oneHot.argMax(1).castTo(DataType.FLOAT).data().asFloat());
        return m;
    }

    private static DMatrix rows(INDArray x) throws XGBoostError {
        INDArray rows = x.castTo(DataType.FLOAT).dup('c');
        return new DMatrix(rows.data().asFloat(), (int) x.size(0), (int) x.size(1), Float.NaN);
    }

    /** A trained tree ensemble. */
    public static final class Fitted implements FittedTeacher {
        private final Booster booster;
        private final int usedRounds;
        private final int classes;
        private final long features;

        Fitted(Booster booster, int usedRounds, int classes) throws XGBoostError {
            this.booster = booster;
            this.usedRounds = usedRounds;
            this.classes = classes;
            this.features = booster.getNumFeature();
        }

        /** The feature width it reads. */
        public long features() {
            return features;
        }

        /** The number of classes it predicts. */
        public int classes() {
            return classes;
        }

        /** Boosting rounds used for prediction (the best validation round's). */
        public int usedRounds() {
            return usedRounds;
        }

        /** Logits {@code ln p}, no features; the input must be {@code [n, features]} as trained. */
        @Override
        public TeacherOutputs infer(ModelInput input) {
            INDArray x = input.input(InputKind.TABULAR);
            if (x.rank() != 2 || x.size(1) != features) {
                throw new IllegalArgumentException("a gbt teacher expects input [n, " + features + "], got "
                        + Arrays.toString(x.shape()));
            }
            try {
                DMatrix m = rows(x);
                float[][] p = booster.predict(m, false, usedRounds);
                m.dispose();
                INDArray probabilities = Nd4j.createFromArray(p);
                return new TeacherOutputs(Transforms.log(Transforms.max(probabilities, GraphTeacher.MIN_PROBABILITY,
                        false), false), Map.of());
            } catch (XGBoostError e) {
                throw new Distill4jException("gbt teacher: XGBoost prediction failed: " + e.getMessage(), e);
            }
        }

        /** The number of tree nodes (splits and leaves) in the trees used: {@code classes} trees per round. */
        @Override
        public long parameterCount() {
            try {
                String[] trees = booster.getModelDump("", false, "text");
                long nodes = 0;
                for (int t = 0; t < Math.min(trees.length, usedRounds * classes); t++) {
                    nodes += trees[t].lines().filter(l -> !l.isBlank()).count();
                }
                return nodes;
            } catch (XGBoostError e) {
                throw new Distill4jException("gbt teacher: cannot read its trees: " + e.getMessage(), e);
            }
        }

        /** A zip holding XGBoost's model ({@value #MODEL_ENTRY}), whose best-round attribute is kept with it. */
        @Override
        public void save(Path zip) throws IOException {
            try (OutputStream file = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(file)) {
                out.putNextEntry(new ZipEntry(MODEL_ENTRY));
                booster.setAttr("distill4j_used_rounds", Integer.toString(usedRounds));
                out.write(booster.toByteArray("ubj"));
                out.closeEntry();
            } catch (XGBoostError e) {
                throw new IOException("gbt teacher: cannot save the model: " + e.getMessage(), e);
            }
        }

        /** Whether {@code zip} is a saved gbt teacher (holds {@value #MODEL_ENTRY}). */
        public static boolean isSaved(Path zip) {
            try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
                for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                    if (e.getName().equals(MODEL_ENTRY)) {
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                return false;
            }
        }

        /** Loads a zip written by {@link #save}. */
        public static Fitted load(Path zip) throws IOException {
            try (InputStream file = Files.newInputStream(zip); ZipInputStream in = new ZipInputStream(file)) {
                for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                    if (e.getName().equals(MODEL_ENTRY)) {
                        Booster booster = XGBoost.loadModel(in.readAllBytes());
                        String used = booster.getAttr("distill4j_used_rounds");
                        booster.setParam("nthread", 1);
                        int width = (int) booster.getNumFeature();
                        DMatrix probe = new DMatrix(new float[width], 1, width, Float.NaN);
                        int classes = booster.predict(probe)[0].length;
                        probe.dispose();
                        return new Fitted(booster, used == null ? booster.getNumBoostedRound()
                                : Integer.parseInt(used), classes);
                    }
                }
                throw new IOException(zip + ": no " + MODEL_ENTRY + " in the zip (not a saved gbt teacher)");
            } catch (XGBoostError e) {
                throw new IOException(zip + ": not an XGBoost model: " + e.getMessage(), e);
            }
        }
    }

    /** Factory for {@code type: gbt}. */
    public static final class Factory extends AbstractPluginFactory<Teacher> {
        public Factory() {
            super(Teacher.class, "gbt", GbtTeacher::parse);
        }
    }
}
