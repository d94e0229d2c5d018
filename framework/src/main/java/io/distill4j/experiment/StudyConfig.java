package io.distill4j.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distill4j.api.DistillationLoss;
import io.distill4j.api.PipelineVersion;
import io.distill4j.api.Seeds;
import io.distill4j.plugin.Plugins;
import io.distill4j.api.Schedule;
import io.distill4j.api.Student;
import io.distill4j.api.Teacher;
import io.distill4j.config.ConfigNode;
import io.distill4j.data.DataConfig;
import io.distill4j.device.DeviceMode;
import io.distill4j.schedule.Schedules;
import io.distill4j.train.TrainingSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One fully resolved study configuration (one grid cell), validated. Every section is read through
 * {@link ConfigNode}, so an unknown key, a wrong type or an out-of-range value anywhere fails with file, path and
 * expectation before any training starts.
 *
 * <pre>
 * study: quickstart              # name: letters, digits, '.', '_', '-'
 * description: "..."             # optional
 * seed: 42                       # root seed of the teachers (split into teacher.init and teacher.shuffle)
 * seeds_vary: student            # student | teacher_and_student: whether each of `seeds` also trains its own teacher
 * device: auto                   # auto | cpu | gpu (see io.distill4j.device; --device on the command line wins)
 * data: {...}                    # see DataConfig; data.regimes: see io.distill4j.regime.RegimeConfig
 * teacher_data: {...}            # optional, as data: the teachers' finer bars of the same market (cross-timeframe)
 * teacher: {type: mlp, ...}      # a Teacher plugin (an ensemble is one teacher: one averaged target)
 * # or, for one KD term per teacher:
 * # teachers: {mlp: {type: mlp}, lstm: {type: lstm}}
 * student: {type: mlp, ...}      # a Student plugin
 * distillation:
 *   loss: {type: hinton, temperature: 4, alpha: 0.5}
 *   schedules:                   # optional: parameter (main loss) or head.parameter -> Schedule (one teacher only)
 *     temperature: {type: cosine, start: 8, end: 2}
 *     hint.weight: {type: linear, end: 0}
 *   terms:                       # with `teachers`: weight (normalised to sum 1) and temperature per teacher
 *     mlp: {weight: 2, temperature: 4}
 *   regimes: {high_vol: {alpha: 0.8, temperature: 2}}   # optional: per-regime hinton alpha/T (needs data.regimes)
 *   recency: {half_life_bars: 5000, apply_to: soft}   # optional: per-sample age weights (loss.RecencyWeights)
 *   heads:                       # optional extra loss terms on hidden layers, each its own head
 *     hint: {type: hint, student_layer: hidden_0, teacher_layer: hidden_1, weight: 0.5}
 * training: {epochs: 20, batch_size: 256, learning_rate: 0.005, l2: 0, patience: 0}   # every student's budget
 * backtest: {sizing: class, fee_bps: 2, slippage_bps: 1}   # optional: how predictions are traded (eval.Backtest)
 * tracking: {experiment: quickstart, uri: http://127.0.0.1:5000, register: btc-student}   # all optional
 * grid: {distillation.loss.temperature: [1, 4]}
 * seeds: [1, 2]
 * </pre>
 */
public record StudyConfig(
        String file,
        ObjectNode tree,
        String name,
        String description,
        long seed,
        DataConfig data,
        Map<String, Teacher> teachers,
        Student student,
        JsonNode lossSection,
        Map<String, Schedule> schedules,
        Map<String, Term> terms,
        TrainingSettings training,
        String trackingExperiment,
        String trackingUri,
        DeviceMode device,
        SeedsVary seedsVary,
        java.util.Optional<DataConfig> teacherData,
        String trackingRegister,
        io.distill4j.eval.Backtest.Settings backtest) {

    /**
     * What the study's {@code seeds} vary: the students only (one teacher, trained from the root {@code seed}, serves
     * every seed), or also the teacher (seed {@code s} trains its own teacher, from
     * {@code Seeds.derive(seed, "teacher.seed=" + s)}, and seed {@code s}'s students distil from it, so the spread
     * over seeds includes the teacher's).
     */
    public enum SeedsVary {
        STUDENT("student"), TEACHER_AND_STUDENT("teacher_and_student");

        private final String key;

        SeedsVary(String key) {
            this.key = key;
        }

        /** The value in the study file. */
        public String key() {
            return key;
        }

        static SeedsVary parse(ConfigNode root) {
            String value = root.choice("seeds_vary", STUDENT.key, List.of(STUDENT.key, TEACHER_AND_STUDENT.key));
            return value.equals(STUDENT.key) ? STUDENT : TEACHER_AND_STUDENT;
        }
    }

    /** One teacher's KD term in a multi-teacher study. */
    public record Term(double weight, double temperature) {
    }

    /** The default student budget. */
    public static final TrainingSettings DEFAULT_TRAINING = new TrainingSettings(20, 256, 5e-3, 0, 0);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    /** The teacher types that predict classes only (no {@code data.labels.task: regression}). */
    private static final java.util.Set<String> CLASS_ONLY_TEACHERS = java.util.Set.of("gbt", "strategy", "saved");

    /**
     * {@code data.labels.task: regression} needs the {@code regression_kd} loss, one teacher of a network type (or an
     * ensemble of them) and no cross-timeframe teacher data; {@code regression_kd} needs that task.
     */
    private static void checkTask(ConfigNode root, ConfigNode lossNode, DistillationLoss probe, DataConfig data,
            Map<String, Teacher> teachers, boolean multi) {
        boolean regressionLoss = probe instanceof io.distill4j.loss.RegressionKd;
        if (!data.target().regression()) {
            if (regressionLoss) {
                throw lossNode.error("type", "'regression_kd' distils a predicted return; it needs "
                        + "data.labels.task: regression (this study's task is classification)");
            }
            return;
        }
        if (!regressionLoss) {
            throw lossNode.error("type", "expected 'regression_kd' with data.labels.task: regression, got '"
                    + lossNode.string("type") + "' (a loss over classes)");
        }
        if (multi) {
            throw root.error("teachers", "several teachers are not supported with data.labels.task: regression yet "
                    + "(use one teacher, or an ensemble teacher)");
        }
        if (root.has("teacher_data")) {
            throw root.error("teacher_data", "cross-timeframe teachers are not supported with data.labels.task: "
                    + "regression yet");
        }
        if (root.has("chain")) {
            throw root.error("chain", "distillation chains are not supported with data.labels.task: regression yet "
                    + "(their per-stage table measures classes)");
        }
        ConfigNode teacher = root.section("teacher");
        String type = teacher.string("type");
        if (CLASS_ONLY_TEACHERS.contains(type)) {
            throw teacher.error("type", "expected a network teacher (mlp, lstm, attention, transformer, cnn1d) or "
                    + "an ensemble of them with data.labels.task: regression, got '" + type + "' (it predicts classes "
                    + "only)");
        }
        if (type.equals("ensemble")) {
            for (ConfigNode member : teacher.sectionList("members")) {
                String m = member.string("type");
                if (CLASS_ONLY_TEACHERS.contains(m)) {
                    throw member.error("type", "expected a network member with data.labels.task: regression, got '"
                            + m + "' (it predicts classes only)");
                }
            }
        }
        if (probe instanceof io.distill4j.loss.RegressionKd r && r.gaussian()
                && (!type.equals("ensemble") || teacher.sectionList("members").size() < 2)) {
            throw lossNode.error(io.distill4j.loss.RegressionKd.SOFT, "'gaussian' weighs the soft term by the "
                    + "teacher's variance, the disagreement of an ensemble: expected teacher.type: ensemble with at "
                    + "least two members, got '" + type + "'" + (type.equals("ensemble") ? " with one member" : ""));
        }
    }

    /** Parses and validates a resolved study tree (grid and seeds already removed or accepted). */
    public static StudyConfig parse(String file, ObjectNode tree) {
        ConfigNode root = ConfigNode.root(file, tree);
        root.accept("grid", "seeds", "search"); // read by Grid and by io.distill4j.search
        root.accept(Chain.KEY); // read below when present (see Chain)
        root.accept(Mutual.KEY); // read below when present (see Mutual)
        root.accept(Rolling.KEY); // read below when present (see Rolling)
        String name = root.string("study");
        if (!NAME.matcher(name).matches()) {
            throw root.error("study", "expected a name of letters, digits, '.', '_' or '-' (at most 100, starting "
                    + "with a letter or digit), got '" + name + "'");
        }
        String description = root.string("description", "");
        long seed = root.longValue("seed", 42, 0, Long.MAX_VALUE);
        DeviceMode device = DeviceMode.parse(root.choice("device", "auto", List.of("auto", "cpu", "gpu")))
                .orElseThrow();
        SeedsVary seedsVary = SeedsVary.parse(root);
        DataConfig data = DataConfig.parse(root.section("data"));
        java.util.Optional<DataConfig> teacherData = root.optionalSection("teacher_data").map(DataConfig::parse);
        checkRegimes(root);
        if (teacherData.isPresent()) {
            checkTeacherInterval(root, data, teacherData.get());
        }
        Map<String, Teacher> teachers = parseTeachers(root);
        int chainStage = tree.path(Chain.KEY).path("stage").asInt(0);
        if (chainStage != 0 && !root.has("student")) {
            throw root.section(Chain.KEY).error("stage", Chain.STAGE_SET_BY_HAND);
        }
        int mutualMember = tree.path(Mutual.KEY).path("student").asInt(0);
        if (mutualMember != 0 && !root.has("student")) {
            throw root.section(Mutual.KEY).error("student", Mutual.MEMBER_SET_BY_HAND);
        }
        Student student = root.has(Chain.KEY) && chainStage == 0 ? chainStudent(root)
                : root.has(Mutual.KEY) && mutualMember == 0 ? mutualStudent(root)
                : Plugins.create(Student.class, root.section("student"));
        ConfigNode distillation = root.section("distillation");
        ConfigNode lossNode = distillation.section("loss");
        DistillationLoss probe = Plugins.create(DistillationLoss.class, lossNode);
        boolean multi = root.has("teachers");
        checkTask(root, lossNode, probe, data, teachers, multi);
        Map<String, Term> terms = new LinkedHashMap<>();
        if (multi) {
            if (!(probe instanceof io.distill4j.loss.HintonKd)) {
                throw lossNode.error("type", "with several teachers the loss must be 'hinton' (one KD term per "
                        + "teacher), got '" + lossNode.string("type") + "'");
            }
            if (distillation.has("schedules")) {
                throw distillation.error("schedules", "schedules are not supported with several teachers yet");
            }
            double temperature = probe.parameters().get("temperature");
            ConfigNode termsNode = distillation.optionalSection("terms").orElse(null);
            for (String teacherName : teachers.keySet()) {
                ConfigNode t = termsNode == null ? null : termsNode.optionalSection(teacherName).orElse(null);
                terms.put(teacherName, t == null ? new Term(1.0, temperature)
                        : new Term(t.number("weight", 1.0, 1e-9, 1e9), t.number("temperature", temperature, 1e-3, 100)));
                if (t != null) {
                    t.finish();
                }
            }
            if (termsNode != null) {
                for (String key : termsNode.keys()) {
                    if (!teachers.containsKey(key)) {
                        throw termsNode.error(key, "no teacher named '" + key + "' (teachers: "
                                + String.join(", ", teachers.keySet()) + ")");
                    }
                }
            }
        } else if (distillation.has("terms")) {
            throw distillation.error("terms", "terms need several named teachers ('teachers:' instead of 'teacher:')");
        }
        if (!probe.inputVertex().equals(io.distill4j.api.VertexNames.LOGITS)) {
            throw lossNode.error("type", "'" + lossNode.string("type") + "' reads the hidden layer '"
                    + probe.inputVertex() + "'; the loss must train the logits (put feature losses under "
                    + "distillation.heads)");
        }
        // a chain's later stages are taught by the previous stage's student: their layers are checked per stage below
        Map<String, Teacher> layerTeachers = chainStage >= 2 ? null : teachers;
        if (!multi) {
            checkLayers(lossNode, probe, student, layerTeachers);
        }
        Map<String, DistillationLoss> headProbes = new LinkedHashMap<>();
        distillation.optionalSection("heads").ifPresent(h -> {
            java.util.Set<String> names = new java.util.HashSet<>();
            String pretraining = null;
            for (String key : h.keys()) {
                ConfigNode section = h.section(key);
                DistillationLoss head = Plugins.create(DistillationLoss.class, section);
                headProbes.put(key, head);
                if (head.pretrainingEpochs() > 0) {
                    if (pretraining != null) {
                        throw section.error("pretrain_epochs", "only one head may pre-train (distillation.heads."
                                + pretraining + " does already)");
                    }
                    pretraining = key;
                }
                if (head.teacherName() != null && !teachers.containsKey(head.teacherName())) {
                    throw section.error("teacher", "no teacher named '" + head.teacherName() + "' (teachers: "
                            + String.join(", ", teachers.keySet()) + ")");
                }
                checkLayers(section, head, student, layerTeachers);
                if (head.inputVertex().equals(io.distill4j.api.VertexNames.LOGITS) || !names.add(head.headName())) {
                    throw h.error(key, "an extra head must read a hidden student layer, one head per layer (got '"
                            + head.inputVertex() + "')");
                }
            }
        });
        TrainingSettings training = root.optionalSection("training").map(t -> {
            TrainingSettings settings = TrainingSettings.parse(t, DEFAULT_TRAINING);
            t.finish();
            return settings;
        }).orElse(DEFAULT_TRAINING);
        Map<String, Schedule> schedules = new LinkedHashMap<>();
        distillation.optionalSection("schedules").ifPresent(s -> {
            for (String key : s.keys()) {
                String parameter = scheduledParameter(key);
                DistillationLoss target = probe;
                String type = lossNode.json().get("type").asText();
                if (!parameter.equals(key)) {
                    String head = key.substring(0, key.length() - parameter.length() - 1);
                    target = headProbes.get(head);
                    if (target == null) {
                        throw s.error(key, "no head named '" + head + "' under distillation.heads (a schedule key is"
                                + " <parameter> for the main loss or <head>.<parameter> for an extra head"
                                + (headProbes.isEmpty() ? "" : "; heads: " + String.join(", ", headProbes.keySet()))
                                + ")");
                    }
                    type = tree.get("distillation").get("heads").get(head).get("type").asText();
                }
                if (!target.parameters().containsKey(parameter)) {
                    throw s.error(key, "the loss type '" + type + "' has no parameter '" + parameter
                            + "' to schedule (" + (target.parameters().isEmpty() ? "it has no schedulable parameters"
                            : "it has: " + String.join(", ", target.parameters().keySet())) + ")");
                }
                Schedule schedule = Plugins.create(Schedule.class, s.section(key));
                Schedules.checkRange(s, key, parameter, schedule, target, training.epochs());
                schedules.put(key, schedule);
            }
            s.finish();
        });
        checkRegimeDistillation(root, distillation, lossNode, probe, multi);
        checkRecency(distillation, lossNode, probe, multi);
        checkSequential(root, distillation, student);
        distillation.finish();
        if (root.has(Chain.KEY)) {
            checkChain(root, distillation, probe, headProbes, teachers, training, schedules);
        }
        if (root.has(Mutual.KEY)) {
            checkMutual(root, lossNode, probe, distillation, data, training);
        }
        if (root.has(Rolling.KEY)) {
            checkRolling(root, data);
        }
        String[] tracking = root.optionalSection("tracking").map(t -> {
            String e = t.string("experiment", name);
            String u = t.string("uri", "");
            String r = t.string("register", "");
            t.finish();
            return new String[] {e, u.isBlank() ? null : u, r.isBlank() ? null : r};
        }).orElse(new String[] {name, null, null});
        String experiment = tracking[0];
        io.distill4j.eval.Backtest.Settings backtest = root.optionalSection("backtest").map(b -> {
            var defaults = io.distill4j.eval.Backtest.Settings.DEFAULT;
            String sizing = b.choice("sizing", defaults.sizing().name().toLowerCase(java.util.Locale.ROOT),
                    List.of("class", "margin"));
            var settings = new io.distill4j.eval.Backtest.Settings(
                    io.distill4j.eval.Backtest.Sizing.valueOf(sizing.toUpperCase(java.util.Locale.ROOT)),
                    new io.distill4j.eval.Backtest.Costs(b.number("fee_bps", defaults.costs().feeBps(), 0, 10_000),
                            b.number("slippage_bps", defaults.costs().slippageBps(), 0, 10_000)));
            b.finish();
            return settings;
        }).orElse(io.distill4j.eval.Backtest.Settings.DEFAULT);
        root.finish();
        return new StudyConfig(file, tree, name, description, seed, data, teachers, student,
                tree.get("distillation").get("loss").deepCopy(), Map.copyOf(schedules), terms, training, experiment,
                tracking[1], device, seedsVary, teacherData, tracking[2], backtest);
    }

    /**
     * The first student of a mutual-learning cohort, for the study's own config; a study with {@code mutual} has no
     * {@code student:}.
     */
    private static Student mutualStudent(ConfigNode root) {
        if (root.has("student")) {
            throw root.error("student", "a study with 'mutual' has no 'student': its students are mutual.students");
        }
        Mutual.parse(root.section(Mutual.KEY)); // at least two valid students
        return Plugins.create(Student.class, root.section(Mutual.KEY).sectionList("students").get(0));
    }

    /**
     * Validates {@code mutual} (see {@link Mutual#parse}) against the rest: the loss is {@code hinton} (the peers'
     * average is its soft target), on the logits alone (no extra heads, no schedules, no per-regime settings), one teacher (the reference),
     * classes (no regression), no chain, no search and no early stopping (every member trains every epoch).
     */
    private static void checkMutual(ConfigNode root, ConfigNode lossNode, DistillationLoss probe,
            ConfigNode distillation, DataConfig data, TrainingSettings training) {
        if (!(probe instanceof io.distill4j.loss.HintonKd hinton)) {
            throw lossNode.error("type", "mutual learning trains every student with the 'hinton' loss (the peers' "
                    + "averaged outputs are its soft target), got '" + lossNode.string("type") + "'");
        }
        if (hinton.standardize()) {
            throw lossNode.error(io.distill4j.loss.HintonKd.STANDARDIZE, "is not supported with mutual learning "
                    + "(expected false)");
        }
        if (root.has(Chain.KEY)) {
            throw root.error(Mutual.KEY, "a study has either 'chain' or 'mutual', not both");
        }
        if (root.has("teachers")) {
            throw root.error(Mutual.KEY, "mutual learning needs one reference teacher ('teacher:'), not several "
                    + "('teachers:')");
        }
        if (root.has("search")) {
            throw root.error(Mutual.KEY, "a study with a search has no mutual cohort (a search of cohorts is not "
                    + "supported)");
        }
        if (data.target().regression()) {
            throw root.error(Mutual.KEY, "mutual learning is not supported with data.labels.task: regression yet "
                    + "(expected classification)");
        }
        for (String key : List.of("heads", "schedules", io.distill4j.regime.RegimeDistillation.KEY)) {
            if (distillation.has(key)) {
                throw distillation.error(key, "is not supported with mutual learning yet (every student has one "
                        + "hinton head on its logits); remove it");
            }
        }
        Mutual mutual = Mutual.parse(root.section(Mutual.KEY));
        java.util.Set<io.distill4j.api.InputKind> kinds = new java.util.LinkedHashSet<>();
        for (int k = 1; k <= mutual.size(); k++) {
            kinds.add(mutual.member(root.file(), k).inputKind());
        }
        if (kinds.size() > 1) {
            throw root.section(Mutual.KEY).error("students", "expected students of one input kind (they train on the "
                    + "same minibatches), got " + String.join(" and ", kinds.stream()
                            .map(k -> k.name().toLowerCase(java.util.Locale.ROOT)).toList()) + " students");
        }
        if (training.patience() > 0) {
            throw root.section("training").error("patience", "expected 0 with mutual learning (every student of "
                    + "the cohort trains every epoch), got " + training.patience());
        }
    }

    /**
     * The market regimes of the samples ({@code data.regimes}), if the study labels them: validated here; they are
     * labelled on the student's data only (a {@code teacher_data.regimes} is refused).
     */
    private static void checkRegimes(ConfigNode root) {
        root.section("data").optionalSection(io.distill4j.regime.RegimeConfig.KEY)
                .ifPresent(io.distill4j.regime.RegimeConfig::parse);
        root.optionalSection("teacher_data").filter(t -> t.has(io.distill4j.regime.RegimeConfig.KEY))
                .ifPresent(t -> {
                    throw t.error(io.distill4j.regime.RegimeConfig.KEY, "regimes are labelled on the student's "
                            + "samples: put them under data.regimes");
                });
    }

    /**
     * {@code distillation.regimes} (per-regime alpha and T): needs {@code data.regimes}, the {@code hinton} loss, one
     * teacher and no chain.
     */
    private static void checkRegimeDistillation(ConfigNode root, ConfigNode distillation, ConfigNode lossNode,
            DistillationLoss probe, boolean multi) {
        String key = io.distill4j.regime.RegimeDistillation.KEY;
        if (!distillation.has(key)) {
            return;
        }
        if (!root.section("data").has(io.distill4j.regime.RegimeConfig.KEY)) {
            throw distillation.error(key, "per-regime alpha and temperature need data.regimes (how each sample gets "
                    + "its regime)");
        }
        if (!(probe instanceof io.distill4j.loss.HintonKd)) {
            throw distillation.error(key, "per-regime alpha and temperature apply to the 'hinton' loss, got '"
                    + lossNode.string("type") + "'");
        }
        if (multi) {
            throw distillation.error(key, "per-regime settings are not supported with several teachers yet");
        }
        if (root.has(Chain.KEY)) {
            throw distillation.error(key, "per-regime settings are not supported in a chain yet");
        }
        if (distillation.has(io.distill4j.loss.RecencyWeights.KEY)) {
            throw distillation.error(key, "per-regime settings are not supported with recency weights yet (use one "
                    + "of them)");
        }
        io.distill4j.regime.RegimeDistillation.parse(distillation.section(key));
    }

    /** The study's {@code distillation.regimes} (per-regime alpha and T), if any. */
    public java.util.Optional<io.distill4j.regime.RegimeDistillation> regimeDistillation() {
        return io.distill4j.regime.RegimeDistillation.of(file, tree);
    }

    /** The study's {@code data.regimes}, if it labels market regimes ({@link io.distill4j.regime.RegimeLabeller}). */
    public java.util.Optional<io.distill4j.regime.RegimeConfig> regimes() {
        return io.distill4j.regime.RegimeConfig.of(file, tree);
    }

    /**
     * Validates {@code distillation.recency} ({@link io.distill4j.loss.RecencyWeights}): only for the {@code hinton}
     * and {@code regression_kd} losses of a one-teacher study.
     */
    private static void checkRecency(ConfigNode distillation, ConfigNode lossNode, DistillationLoss probe,
            boolean multi) {
        if (io.distill4j.loss.RecencyWeights.parse(distillation).isEmpty()) {
            return;
        }
        if (multi) {
            throw distillation.error(io.distill4j.loss.RecencyWeights.KEY, "recency weights are not supported with "
                    + "several teachers yet (use one teacher)");
        }
        if (!(probe instanceof io.distill4j.loss.HintonKd || probe instanceof io.distill4j.loss.RegressionKd)) {
            throw distillation.error(io.distill4j.loss.RecencyWeights.KEY, "recency weights need the loss type "
                    + "'hinton' or 'regression_kd', got '" + lossNode.string("type") + "'");
        }
        if (probe instanceof io.distill4j.loss.RegressionKd r && r.gaussian()) {
            throw distillation.error(io.distill4j.loss.RecencyWeights.KEY, "recency weights are not supported with "
                    + "regression_kd soft: gaussian yet (both weigh the soft term per sample)");
        }
    }

    /**
     * A {@code sequential_lstm} student ({@link io.distill4j.sequence.SequentialLstm}) trains one loss head over every
     * bar of its split: no extra heads, schedules, per-regime settings, several teachers, cross-timeframe teacher data,
     * chain or rolling windows.
     */
    private static void checkSequential(ConfigNode root, ConfigNode distillation, Student student) {
        if (!(student instanceof io.distill4j.sequence.SequentialLstm)) {
            return;
        }
        String type = io.distill4j.sequence.SequentialLstm.TYPE;
        for (String key : List.of("heads", "schedules", "terms", io.distill4j.regime.RegimeDistillation.KEY)) {
            if (distillation.has(key)) {
                throw distillation.error(key, "not supported with a " + type + " student yet (it trains one loss "
                        + "head)");
            }
        }
        for (String key : List.of("teachers", "teacher_data", Chain.KEY, Rolling.KEY)) {
            if (root.has(key)) {
                throw root.error(key, "not supported with a " + type + " student yet (it needs one teacher and "
                        + "every bar of the student's own data)");
            }
        }
    }

    /**
     * The recency weights of the distillation terms ({@code distillation.recency}), if the study sets them (validated
     * by {@link #parse}).
     */
    public java.util.Optional<io.distill4j.loss.RecencyWeights> recency() {
        return io.distill4j.loss.RecencyWeights.parse(ConfigNode.root(file, tree).section("distillation"));
    }

    /** The final student of a chain (its last stage), for the study's own config; a chain has no {@code student:}. */
    private static Student chainStudent(ConfigNode root) {
        if (root.has("student")) {
            throw root.error("student", "a study with 'chain' has no 'student': the chain's last stage is the final "
                    + "student");
        }
        List<ConfigNode> stages = root.section(Chain.KEY).sectionList("stages");
        if (stages.isEmpty()) {
            throw root.section(Chain.KEY).error("stages", "expected a non-empty list of student sections (stage 1 "
                    + "first)");
        }
        return Plugins.create(Student.class, stages.get(stages.size() - 1));
    }

    /**
     * Validates {@code chain} (see {@link Chain#parse}) against the rest: one teacher, no schedule of a parameter a
     * curriculum sets, and every head's layers in each stage's student and in its teacher (the study's teacher for
     * stage 1, the previous stage's student after).
     */
    private static void checkChain(ConfigNode root, ConfigNode distillation, DistillationLoss probe,
            Map<String, DistillationLoss> heads, Map<String, Teacher> teachers, TrainingSettings training,
            Map<String, Schedule> schedules) {
        ConfigNode node = root.section(Chain.KEY);
        if (teachers.size() > 1) {
            throw root.error(Chain.KEY, "a chain needs one teacher ('teacher:'), not several ('teachers:')");
        }
        if (root.has("search")) {
            throw root.error(Chain.KEY, "a study with a search has no chain (a search of chains is not supported)");
        }
        Chain chain = Chain.parse(node, training.epochs(), probe);
        if (node.has(ChainRouter.KEY) && !root.section("data").has(io.distill4j.regime.RegimeConfig.KEY)) {
            throw node.error(ChainRouter.KEY, "a regime router needs data.regimes (how each test sample gets its "
                    + "regime)");
        }
        for (String key : schedules.keySet()) {
            if (key.equals("temperature") && chain.temperatureMax() != null
                    || key.equals("alpha") && chain.alphaFirst() != null) {
                throw distillation.section("schedules").error(key, "chain." + key + " sets the " + key + " of each "
                        + "stage; a schedule inside a stage may drive another parameter, not this one");
            }
        }
        List<ConfigNode> stageNodes = node.sectionList("stages");
        Map<String, Teacher> teacher = teachers;
        for (int k = 0; k < chain.size(); k++) {
            Student stage = Plugins.create(Student.class, stageNodes.get(k));
            ConfigNode where = stageNodes.get(k);
            checkLayers(where, probe, stage, teacher);
            for (DistillationLoss head : heads.values()) {
                checkLayers(where, head, stage, teacher);
            }
            teacher = Map.of(teachers.keySet().iterator().next(),
                    new ChainStages.StageTeacher(stage, stage.describe() + " (stage " + (k + 1) + ")", null));
        }
    }

    /** The mutual-learning cohort of this config, if the study declares one (see {@link Mutual}). */
    public java.util.Optional<Mutual> mutual() {
        return Mutual.of(file, tree);
    }

    /**
     * Validates {@code rolling} (see {@link Rolling#parse}) against the rest: a walk-forward study re-splits
     * {@code data} per window, so it has no chain, no mutual cohort, no {@code teacher_data} and no search.
     */
    private static void checkRolling(ConfigNode root, DataConfig data) {
        for (String other : List.of(Chain.KEY, Mutual.KEY, "teacher_data", "search")) {
            if (root.has(other)) {
                throw root.error(Rolling.KEY, "a rolling (walk-forward) study cannot have '" + other
                        + "' (not supported together yet)");
            }
        }
        Rolling.parse(root.section(Rolling.KEY), data);
    }

    /** The walk-forward windows of this config, if the study declares them (see {@link Rolling}). */
    public java.util.Optional<Rolling> rolling() {
        return Rolling.of(file, tree);
    }

    /** The chain of this config, if the study declares one (see {@link Chain}). */
    public java.util.Optional<Chain> chain() {
        return Chain.of(file, tree);
    }

    /**
     * With two synthetic sources the intervals are known now: the teacher's must divide the student's. (A CSV file's
     * interval is known when it is read, and checked then: {@link io.distill4j.data.features.CrossTimeframeData}.)
     */
    private static void checkTeacherInterval(ConfigNode root, DataConfig data, DataConfig teacherData) {
        if (data.source() instanceof DataConfig.SyntheticSource s
                && teacherData.source() instanceof DataConfig.SyntheticSource t) {
            long coarse = s.barIntervalMs();
            long fine = t.barIntervalMs();
            if (fine > coarse || coarse % fine != 0) {
                String where = t.resample().isPresent() ? "resample" : "interval";
                throw root.section("teacher_data").section("source").error(where, "expected a bar interval that "
                        + "divides the student's (data.source: " + s.resample().orElse(s.interval()) + "), got "
                        + t.resample().orElse(t.interval()));
            }
        }
    }

    /**
     * The layers a loss reads exist: its input vertex among the student's feature layers (or {@code logits}), each of
     * its {@link DistillationLoss#teacherLayers()} among its teacher's {@link Teacher#featureLayers()}.
     */
    private static void checkLayers(ConfigNode node, DistillationLoss loss, Student student,
            Map<String, Teacher> teachers) {
        String input = loss.inputVertex();
        if (!input.equals(io.distill4j.api.VertexNames.LOGITS) && !student.featureLayers().contains(input)) {
            throw node.error("the student " + student.describe() + " has no layer '" + input + "' (its layers: "
                    + String.join(", ", java.util.stream.Stream.concat(student.featureLayers().stream(),
                            java.util.stream.Stream.of(io.distill4j.api.VertexNames.LOGITS)).toList()) + ")");
        }
        if (teachers == null) {
            return; // checked against the stage's own teacher by checkChain
        }
        Teacher teacher = loss.teacherName() == null ? null : teachers.get(loss.teacherName());
        for (Map.Entry<String, String> e : loss.teacherLayers().entrySet()) {
            List<String> layers = teacher == null ? List.of() : teacher.featureLayers();
            if (!layers.contains(e.getValue())) {
                throw node.error(e.getKey(), "the teacher " + (teacher == null ? "'" + loss.teacherName() + "'"
                        : teacher.describe()) + " has no layer '" + e.getValue() + "' " + (layers.isEmpty()
                                ? "(it exposes no feature layers, e.g. trees or a rule: a feature loss needs a "
                                        + "network teacher)"
                                : "(its layers: " + String.join(", ", layers) + ")"));
            }
        }
    }

    private static final Pattern TEACHER_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,39}");

    /** {@code teacher:} (one teacher, named {@value DistillationLoss#DEFAULT_TEACHER}) or {@code teachers:}. */
    private static Map<String, Teacher> parseTeachers(ConfigNode root) {
        Map<String, Teacher> teachers = new LinkedHashMap<>();
        if (root.has("teachers")) {
            if (root.has("teacher")) {
                throw root.error("teachers", "use either 'teacher' (one teacher) or 'teachers' (one KD term per "
                        + "named teacher), not both");
            }
            ConfigNode node = root.section("teachers");
            if (node.keys().size() < 2) {
                throw node.error("expected at least two named teachers (for one teacher use 'teacher:')");
            }
            for (String name : node.keys()) {
                if (!TEACHER_NAME.matcher(name).matches()) {
                    throw node.error(name, "expected a teacher name of letters, digits, '_' or '-' starting with a "
                            + "letter");
                }
                teachers.put(name, Plugins.create(Teacher.class, node.section(name)));
            }
        } else {
            root.accept("teachers");
            teachers.put(DistillationLoss.DEFAULT_TEACHER, Plugins.create(Teacher.class, root.section("teacher")));
        }
        return java.util.Collections.unmodifiableMap(teachers);
    }

    /** The first (or only) teacher: agreement, KL and retention are reported against it. */
    public Teacher teacher() {
        return teachers.values().iterator().next();
    }

    /** The name of the first (or only) teacher. */
    public String primaryTeacher() {
        return teachers.keySet().iterator().next();
    }

    /**
     * The student's loss heads for a distilled trial: the configured loss for one teacher; for several teachers, a
     * hard-label head weighted {@code alpha} and one Hinton head per teacher weighted
     * {@code (1 - alpha) * w_i / sum(w)} at its own temperature:
     * {@code alpha * CE + (1 - alpha) * sum_i w_i T_i^2 KL_i / sum(w)}; then one head per entry of
     * {@code distillation.heads} (extra loss terms on hidden layers, e.g. FitNets hints).
     */
    public List<DistillationLoss> newLosses() {
        DistillationLoss configured = newLoss();
        List<DistillationLoss> losses = new java.util.ArrayList<>();
        if (terms.isEmpty()) {
            losses.add(configured);
        } else {
            addTerms(configured, losses);
        }
        JsonNode heads = tree.get("distillation").get("heads");
        if (heads != null) {
            heads.fields().forEachRemaining(h -> losses.add(Plugins.create(DistillationLoss.class,
                    ConfigNode.root(file, h.getValue()).accept()))); // validated in parse
        }
        return List.copyOf(losses);
    }

    /** The parameter a schedule key drives: {@code alpha} for {@code alpha} and for {@code hint.alpha}. */
    public static String scheduledParameter(String key) {
        return key.substring(key.lastIndexOf('.') + 1);
    }

    /**
     * The loss among {@code losses} (from {@link #newLosses()}) that a schedule key drives: the main loss for
     * {@code <parameter>}, the head {@code distillation.heads.<head>} for {@code <head>.<parameter>}.
     */
    public DistillationLoss scheduledLoss(String key, List<DistillationLoss> losses) {
        String parameter = scheduledParameter(key);
        if (parameter.equals(key)) {
            return losses.get(0);
        }
        List<String> heads = new java.util.ArrayList<>();
        tree.get("distillation").get("heads").fieldNames().forEachRemaining(heads::add);
        int index = heads.indexOf(key.substring(0, key.length() - parameter.length() - 1));
        return losses.get(losses.size() - heads.size() + index);
    }

    private void addTerms(DistillationLoss configured, List<DistillationLoss> losses) {
        double alpha = configured.parameters().get("alpha");
        double total = terms.values().stream().mapToDouble(Term::weight).sum();
        if (alpha > 0) {
            losses.add(new io.distill4j.loss.HardLabelCrossEntropy(alpha));
        }
        if (alpha < 1) {
            terms.forEach((name, term) -> losses.add(new io.distill4j.loss.HintonKd("kd_" + name,
                    term.temperature(), 0.0, (1 - alpha) * term.weight() / total, name,
                    configured instanceof io.distill4j.loss.HintonKd h && h.standardize())));
        }
    }

    /** A fresh, live instance of the configured distillation loss (one per trial). */
    public DistillationLoss newLoss() {
        return Plugins.create(DistillationLoss.class,
                ConfigNode.root(file, lossSection).accept()); // validated in parse; paths are relative here
    }

    /**
     * The root seed of the teacher that serves trial seed {@code trialSeed}: the study's {@code seed}, or with
     * {@code seeds_vary: teacher_and_student} one derived from it per trial seed.
     */
    public long teacherSeed(int trialSeed) {
        return seedsVary == SeedsVary.STUDENT ? seed : Seeds.derive(seed, "teacher.seed=" + trialSeed);
    }

    /**
     * The sub-trees a named teacher depends on: data (and {@code teacher_data}), its own section, its root seed for trial seed
     * {@code trialSeed} (see {@link #teacherSeed}) and the {@link PipelineVersion}; not its name.
     */
    public ObjectNode teacherIdentity(String teacherName, int trialSeed) {
        ObjectNode id = tree.objectNode();
        id.set("data", tree.get("data"));
        if (tree.has("teacher_data")) {
            id.set("teacher_data", tree.get("teacher_data"));
        }
        id.set("teacher", tree.has("teachers") ? tree.get("teachers").get(teacherName) : tree.get("teacher"));
        if (tree.has(Rolling.KEY)) { // one teacher per walk-forward window
            id.set(Rolling.KEY, rollingWindowIdentity());
        }
        id.put("seed", teacherSeed(trialSeed));
        id.put("pipeline_version", PipelineVersion.CURRENT);
        return id;
    }

    /**
     * The sub-trees a student-alone baseline depends on: data (and {@code teacher_data}, which decides which student
     * samples have an aligned teacher output), student and training budget.
     */
    public ObjectNode baselineIdentity() {
        ObjectNode id = tree.objectNode();
        id.set("data", tree.get("data"));
        if (tree.has("teacher_data")) {
            id.set("teacher_data", tree.get("teacher_data"));
        }
        id.set("student", tree.get("student"));
        id.set("training", tree.get("training"));
        if (tree.has(Rolling.KEY)) { // one baseline per walk-forward window
            id.set(Rolling.KEY, rollingWindowIdentity());
        }
        return id;
    }

    /** The walk-forward section without what does not change a window's data ({@code warm_start}). */
    JsonNode rollingWindowIdentity() {
        ObjectNode r = ((ObjectNode) tree.get(Rolling.KEY)).deepCopy();
        r.remove("warm_start");
        r.remove("never_updated");
        return r;
    }
}
