package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.distill4j.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The corpus of malformed study files under {@code src/test/resources/studies/invalid}: each is a complete study
 * that is valid except for one mistake, and must fail {@link Study#load} with exactly the expected one-line message
 * (file, dotted path, problem). Also the {@code --set} error paths and the valid quickstart study.
 */
class StudyConfigValidationTest {
    private static final Path INVALID = Path.of("src/test/resources/studies/invalid");
    private static final Path QUICKSTART = Path.of("../configs/quickstart.yaml");
    private static final List<String> LEAKS = List.of("Exception", "org.yaml", "snakeyaml", "com.fasterxml",
            "jackson", "io.distill4j", "java.lang", "java.util", "DistillationLoss", "\tat ", "Node{", "Optional[");
    private static final String ROOT_KEYS = "backtest, chain, data, description, device, distillation, grid, mutual, "
            + "rolling, search, seed, seeds, seeds_vary, student, study, teacher, teacher_data, teachers, tracking, "
            + "training";

    static Stream<Arguments> invalidStudies() {
        return Stream.of(
                Arguments.of("01-unknown-top-level-key.yaml",
                        "epochs: unknown key 'epochs' (valid keys here: " + ROOT_KEYS + ")"),
                Arguments.of("02-unknown-teacher-key.yaml",
                        "teacher.layers: unknown key 'layers' (valid keys here: activation, dropout, hidden, "
                                + "training, type)"),
                Arguments.of("03-unknown-teacher-type.yaml",
                        "teacher.type: unknown teacher type 'tabnet' (valid types: attention, "
                                + "cnn1d, ensemble, gbt, lstm, mlp, saved, strategy, transformer)"),
                Arguments.of("04-unknown-loss-type.yaml",
                        "distillation.loss.type: unknown distillation loss type 'fitnet' (valid types: "
                                + "activation, attention, crd, cross_entropy, dist, dkd, hint, hinton, regression_kd, rkd, "
                                + "similarity)"),
                Arguments.of("05-epochs-string.yaml",
                        "training.epochs: expected an integer in [1, 100000], got the string 'ten'"),
                Arguments.of("06-alpha-out-of-range.yaml",
                        "distillation.loss.alpha: expected a number in [0, 1], got 1.5"),
                Arguments.of("07-negative-temperature.yaml",
                        "distillation.loss.temperature: expected a number in [0.001, 100], got -2"),
                Arguments.of("08-hidden-empty.yaml",
                        "student.hidden: expected a non-empty list of integers in [1, 65536], got an empty list"),
                Arguments.of("09-hidden-string-element.yaml",
                        "student.hidden[1]: expected an integer in [1, 65536], got the string 'eight'"),
                Arguments.of("10-missing-study.yaml", "study: missing (expected a string)"),
                Arguments.of("11-study-name-spaces.yaml",
                        "study: expected a name of letters, digits, '.', '_' or '-' (at most 100, starting with a "
                                + "letter or digit), got 'my first study'"),
                Arguments.of("12-missing-data.yaml", "data: missing section (expected a mapping)"),
                Arguments.of("13-csv-without-path.yaml", "data.source.path: missing (expected a string)"),
                Arguments.of("14-synthetic-with-path.yaml",
                        "data.source.path: 'path' is only valid with type: csv (this source is type: synthetic)"),
                Arguments.of("15-split-sum.yaml",
                        "data.split: train, validation and test must sum to 1, got 1.1"),
                Arguments.of("16-gap-too-small.yaml",
                        "data.split.gap: expected at least lookback + horizon = 16 + 6 = 22 bars so that no window "
                                + "or label spans two parts, got 10"),
                Arguments.of("17-schedule-unknown-parameter.yaml",
                        "distillation.schedules.beta: the loss type 'hinton' has no parameter 'beta' to schedule "
                                + "(it has: temperature, alpha, weight)"),
                Arguments.of("18-schedule-unknown-type.yaml",
                        "distillation.schedules.temperature.type: unknown schedule type 'exponential' (valid types: "
                                + "constant, cosine, linear, step)"),
                Arguments.of("19-schedule-missing-end.yaml",
                        "distillation.schedules.temperature.end: missing (expected a number in [-1000000, 1000000])"),
                Arguments.of("20-grid-one-bad-cell.yaml",
                        "distillation.loss.alpha: expected a number in [0, 1], got 2.0 "
                                + "(grid cell temperature=2,alpha=2.0)"),
                Arguments.of("21-seeds-duplicated.yaml", "seeds[2]: duplicate seed 1"),
                Arguments.of("22-unknown-loss-key.yaml",
                        "distillation.loss.beta: unknown key 'beta' (valid keys here: alpha, standardize, temperature, "
                                + "type, weight)"),
                // the test class path adds the test-only student plugin "exploding" (ExplodingStudent)
                Arguments.of("23-unknown-student-type.yaml",
                        "student.type: unknown student type 'gru' (valid types: attention, cnn1d, exploding, linear, "
                                + "lstm, mlp, sequential_lstm, transformer)"),
                Arguments.of("24-teacher-missing-type.yaml",
                        "teacher.type: missing (expected a teacher type: attention, cnn1d, ensemble, gbt, lstm, mlp, "
                                + "saved, strategy, transformer)"),
                // ---- malformed files: syntax, encoding, shape, extreme values, tags, names -------------
                Arguments.of("25-yaml-syntax-error.yaml",
                        "YAML syntax error at line 22, column 10: expected ',' or ']', but got ':'"),
                Arguments.of("26-empty-file.yaml", "file is empty (expected a mapping of study settings)"),
                Arguments.of("27-binary-garbage.yaml", "not a text file (contains NUL bytes)"),
                Arguments.of("28-only-comment.yaml", "file is empty (expected a mapping of study settings)"),
                Arguments.of("29-list-at-top-level.yaml",
                        "top level must be a mapping of study settings, got a list"),
                Arguments.of("30-huge-epochs.yaml",
                        "training.epochs: expected an integer in [1, 100000], got 1000000000000"),
                Arguments.of("31-huge-bars.yaml",
                        "data.source.bars: expected an integer in [1000, 100000000], got the number 1.0E30"),
                Arguments.of("32-huge-temperature.yaml",
                        "distillation.loss.temperature: expected a number in [0.001, 100], got 1.0E308 "
                                + "(grid cell temperature=1.0E308)"),
                Arguments.of("33-tab-indented.yaml",
                        "YAML syntax error at line 27, column 1: found character '\\t(TAB)' that cannot start any "
                                + "token. (Do not use \\t(TAB) for indentation)"),
                Arguments.of("34-utf16.yaml", "looks like UTF-16 text, not UTF-8; save the file as UTF-8"),
                Arguments.of("35-duplicate-key.yaml", "seed: duplicate key 'seed' on line 5 (first defined on line 4)"),
                Arguments.of("36-java-url-tag.yaml",
                        "description: YAML tag '!!java.net.URL' is not allowed (line 3, column 14); study files "
                                + "hold plain mappings, lists and values only"),
                Arguments.of("37-script-engine-tag.yaml",
                        "student.hidden: YAML tag '!!javax.script.ScriptEngineManager' is not allowed (line 27, "
                                + "column 11); study files hold plain mappings, lists and values only"),
                Arguments.of("38-ensemble-member-unknown-type.yaml",
                        "teacher.members[1].type: unknown teacher type 'tabnet' (valid types: attention, cnn1d, "
                                + "ensemble, gbt, lstm, mlp, saved, strategy, transformer)"),
                Arguments.of("39-ensemble-member-name-path.yaml",
                        "teacher.members[1].name: expected a name of letters, digits, '_' or '-' starting with a "
                                + "letter, got '../../etc'"),
                Arguments.of("40-study-name-dotdot.yaml",
                        "study: expected a name of letters, digits, '.', '_' or '-' (at most 100, starting with a "
                                + "letter or digit), got '../../etc'"),
                Arguments.of("41-study-name-absolute.yaml",
                        "study: expected a name of letters, digits, '.', '_' or '-' (at most 100, starting with a "
                                + "letter or digit), got '/tmp/evil'"),
                Arguments.of("42-seed-huge.yaml",
                        "seeds[1]: expected an integer seed, got the number 99999999999999999999"),
                Arguments.of("43-study-is-mapping.yaml", "study: expected a string, got a mapping"),
                Arguments.of("44-two-documents.yaml",
                        "more than one YAML document (the second starts at line 44); a study file holds exactly one"),
                Arguments.of("45-invalid-utf8.yaml",
                        "not valid UTF-8 text (invalid byte 0xE9 on line 3); save the file as UTF-8"),
                Arguments.of("46-alias-bomb.yaml",
                        "a5[7]: document too large (more than 1000000 values, after aliases)"),
                Arguments.of("47-grid-unknown-path.yaml",
                        "distillation.loss.temprature: unknown key 'temprature' (valid keys here: alpha, standardize, "
                                + "temperature, type, weight) (grid cell temprature=2)"),
                Arguments.of("48-nan-alpha.yaml",
                        "distillation.loss.alpha: expected a number in [0, 1], got the string '.nan'"),
                Arguments.of("49-hint-unknown-teacher-layer.yaml",
                        "distillation.heads.hint.teacher_layer: the teacher mlp[64,32] has no layer 'hidden_7' (its "
                                + "layers: hidden_0, hidden_1)"),
                Arguments.of("50-hint-unknown-student-layer.yaml",
                        "distillation.heads.hint: the student mlp[16,8] has no layer 'lstm_0' (its layers: hidden_0, "
                                + "hidden_1, logits)"),
                Arguments.of("51-negative-weight.yaml",
                        "distillation.loss.weight: expected a number in [0, 1000000], got -1"),
                Arguments.of("52-hint-as-the-loss.yaml",
                        "distillation.loss.type: 'hint' reads the hidden layer 'hidden_0'; the loss must train the "
                                + "logits (put feature losses under distillation.heads)"),
                // a schedule's whole range is checked against the parameter's domain before training
                Arguments.of("53-schedule-alpha-above-one.yaml",
                        "distillation.schedules.alpha: linear(0.5->1.5) gives alpha = 1.25 at epoch 4 of 5; "
                                + "expected every epoch's value in [0, 1]"),
                Arguments.of("54-schedule-temperature-to-zero.yaml",
                        "distillation.schedules.temperature: cosine(->0) gives temperature = 0 at epoch 3 of 3; "
                                + "expected every epoch's value in [0.001, 100]"),
                Arguments.of("55-seeds-vary-unknown.yaml",
                        "seeds_vary: expected one of [student, teacher_and_student], got 'teacher'"),
                // an extra head's parameters are scheduled as <head>.<parameter>
                Arguments.of("56-schedule-unknown-head.yaml",
                        "distillation.schedules.hnit.weight: no head named 'hnit' under distillation.heads (a schedule"
                                + " key is <parameter> for the main loss or <head>.<parameter> for an extra head; "
                                + "heads: hint)"),
                Arguments.of("57-schedule-head-weight-negative.yaml",
                        "distillation.schedules.hint.weight: linear(1->-1) gives weight = -1 at epoch 3 of 3; expected "
                                + "every epoch's value in [0, 1000000]"),
                // trees have no hidden activations to hint from
                Arguments.of("58-hint-on-gbt-teacher.yaml",
                        "distillation.heads.hint.teacher_layer: the teacher gbt[20x3] has no layer 'hidden_0' (it "
                                + "exposes no feature layers, e.g. trees or a rule: a feature loss needs a network "
                                + "teacher)"),
                Arguments.of("59-gbt-subsample-above-one.yaml",
                        "teacher.subsample: expected a number in [0.001, 1], got 1.5"),
                Arguments.of("60-hint-on-linear-student.yaml",
                        "distillation.heads.hint: the student linear has no layer 'hidden_0' (its layers: logits)"),
                // cross-timeframe: the teacher's bars must nest in the student's
                Arguments.of("61-teacher-data-coarser-than-data.yaml",
                        "teacher_data.source.interval: expected a bar interval that divides the student's "
                                + "(data.source: 5m), got 15m"),
                Arguments.of("62-data-start-not-a-date.yaml",
                        "data.source.start: expected a UTC date (2025-06-01) or instant (2025-06-01T12:00:00Z), got "
                                + "'2025-06-31'"),
                Arguments.of("63-resample-not-a-multiple.yaml",
                        "data.source.resample: expected an interval that is a whole multiple of interval 5m (e.g. 5m "
                                + "for 1m bars), got 3m"),
                Arguments.of("64-dkd-beta-negative.yaml",
                        "distillation.loss.beta_dkd: expected a number in [0, 1000], got -1"),
                Arguments.of("65-dist-gamma-too-large.yaml",
                        "distillation.loss.gamma: expected a number in [0, 1000], got 5000"),
                Arguments.of("66-standardize-not-boolean.yaml",
                        "distillation.loss.standardize: expected true or false, got the number 2"),
                Arguments.of("67-schedule-dkd-alpha-dkd-negative.yaml",
                        "distillation.schedules.alpha_dkd: linear(1->-1) gives alpha_dkd = -0.5 at epoch 4 of 5; "
                                + "expected every epoch's value in [0, 1000]"),
                Arguments.of("68-dist-standardize.yaml",
                        "distillation.loss.standardize: unknown key 'standardize' (valid keys here: alpha, beta, gamma, "
                                + "temperature, type, weight)"),
                Arguments.of("69-tracking-register-empty.yaml",
                        "tracking.register: expected a non-empty string"),
                // feature terms (distillation.heads): their own keys are checked like every other
                Arguments.of("70-feature-unknown-projection.yaml",
                        "distillation.heads.sp.projection: expected one of [none, linear, mlp], got"
                                + " 'cubic'"),
                Arguments.of("71-attention-unknown-teacher-layer.yaml",
                        "distillation.heads.at.teacher_layer: the teacher mlp[64,32] has no layer"
                                + " 'lstm_0' (its layers: hidden_0, hidden_1)"),
                Arguments.of("72-crd-temperature-zero.yaml",
                        "distillation.heads.crd.temperature: expected a number in [0.001, 100], got 0"),
                Arguments.of("73-rkd-negative-angle-weight.yaml",
                        "distillation.heads.rkd.angle_weight: expected a number in [0, 1000000], got -2"),
                Arguments.of("74-conv-projection-for-crd.yaml",
                        "distillation.heads.crd.projection: expected one of [linear, mlp], got 'conv'"),
                Arguments.of("75-adaptive-pooling-zero-bins.yaml",
                        "distillation.heads.hint.bins: expected an integer in [1, 1024], got 0"),
                Arguments.of("76-schedule-crd-temperature-zero.yaml",
                        "distillation.schedules.crd.temperature: linear(->0) gives temperature = 0 at"
                                + " epoch 3 of 3; expected every epoch's value in [0.001, 100]"),
                Arguments.of("77-backtest-negative-fee.yaml",
                        "backtest.fee_bps: expected a number in [0, 10000], got -1"),
                Arguments.of("78-backtest-unknown-sizing.yaml",
                        "backtest.sizing: expected one of [class, margin], got 'kelly'"),
                // a search's paths are checked like grid axes, with each space's bounds set in the study
                Arguments.of("79-search-unknown-path.yaml",
                        "search.parameters.distillation.loss.temprature: the study is invalid with 1.0 there: "
                        + "distillation.loss.temprature: unknown key 'temprature' (valid keys here: alpha, standardize, "
                        + "temperature, type, weight)"),
                Arguments.of("80-search-teacher-path.yaml",
                        "search.parameters.teacher.hidden[0]: a search cannot change 'teacher' (candidates share the "
                        + "study's data and cached teacher; search the student, distillation or training)"),
                Arguments.of("81-search-max-below-min.yaml",
                        "search.parameters.distillation.loss.alpha.max: expected a number above min (0.9), got 0.1"),
                Arguments.of("82-search-unknown-metric.yaml",
                        "search.objective.metric: expected one of [accuracy, macro_f1, log_loss, agreement, "
                        + "kl_teacher, sharpe, total_return, annual_return, max_drawdown, hit_rate, ece, brier], got "
                        + "'profit'"),
                Arguments.of("83-search-range-outside-domain.yaml",
                        "search.parameters.distillation.loss.alpha: the study is invalid with 1.5 there: "
                        + "distillation.loss.alpha: expected a number in [0, 1], got 1.5"),
                Arguments.of("84-search-with-grid.yaml",
                        "grid: a study with a search has no grid (the search chooses the values; search a path "
                        + "with a choice space instead)"),
                Arguments.of("85-search-random-without-budget.yaml",
                        "search.budget: missing (expected a mapping with candidates: N for a random search)"),
                Arguments.of("86-chain-with-student.yaml",
                        "student: a study with 'chain' has no 'student': the chain's last stage is the final student"),
                Arguments.of("87-chain-without-stages.yaml",
                        "chain.stages: expected a non-empty list of student sections (stage 1 first)"),
                Arguments.of("88-chain-epochs-per-stage.yaml",
                        "chain.epochs: expected one epoch count per stage (3), got 2"),
                Arguments.of("89-chain-stage-not-a-student.yaml",
                        "chain.stages[1].type: unknown student type 'gbt' (valid types: attention, cnn1d, exploding, "
                                + "linear, lstm, mlp, sequential_lstm, transformer)"),
                Arguments.of("90-chain-curriculum-and-schedule.yaml",
                        "distillation.schedules.temperature: chain.temperature sets the temperature of each stage; a "
                        + "schedule inside a stage may drive another parameter, not this one"),
                Arguments.of("91-chain-several-teachers.yaml",
                        "chain: a chain needs one teacher ('teacher:'), not several ('teachers:')"),
                Arguments.of("92-chain-alpha-out-of-range.yaml",
                        "chain.alpha.first: expected a number in [0, 1], got 1.5"),
                Arguments.of("93-chain-hint-layer-missing-in-a-stage.yaml",
                        "chain.stages[1]: the student mlp[16] has no layer 'hidden_1' (its layers: hidden_0, logits)"),
                Arguments.of("94-chain-stage-set-by-hand.yaml",
                        "chain.stage: is set by distill4j for each stage's trial; remove it (stages are numbered by "
                        + "their order in chain.stages)"),
                // the contrastive term's memory bank and FitNets' two-stage training
                Arguments.of("95-crd-bank-size-zero.yaml",
                        "distillation.heads.crd.memory_bank.size: expected an integer in [1, 1000000], got 0"),
                Arguments.of("96-crd-bank-unknown-update.yaml",
                        "distillation.heads.crd.memory_bank.update: expected one of [fifo, momentum], got 'lifo'"),
                Arguments.of("97-crd-bank-momentum-one.yaml",
                        "distillation.heads.crd.memory_bank.momentum: expected a number in [0, 1) (at 1 the bank "
                        + "would never change), got 1"),
                Arguments.of("98-crd-bank-momentum-with-fifo.yaml",
                        "distillation.heads.crd.memory_bank.momentum: only with update: momentum (a fifo bank "
                        + "overwrites its oldest entry)"),
                Arguments.of("99-hint-pretrain-negative.yaml",
                        "distillation.heads.hint.pretrain_epochs: expected an integer in [0, 100000], got -1"),
                Arguments.of("100-two-heads-pretrain.yaml",
                        "distillation.heads.hint2.pretrain_epochs: only one head may pre-train "
                        + "(distillation.heads.hint does already)"),
                Arguments.of("101-activation-pretrain.yaml",
                        "distillation.heads.act.pretrain_epochs: unknown key 'pretrain_epochs' (valid keys here: "
                        + "projection, student_layer, teacher, teacher_layer, teacher_pooling, type, weight)"),
                Arguments.of("102-regression-unknown-task.yaml",
                        "data.labels.task: expected one of [classification, regression], got 'forecasting'"),
                Arguments.of("103-regression-with-threshold.yaml",
                        "data.labels.threshold: a threshold makes classes; with task: regression the label is the "
                        + "forward log return itself (remove threshold, or use task: classification)"),
                Arguments.of("104-classification-with-scale.yaml",
                        "data.labels.scale: scale is for task: regression (this study's task is classification)"),
                Arguments.of("105-regression-with-hinton.yaml",
                        "distillation.loss.type: expected 'regression_kd' with data.labels.task: regression, got "
                        + "'hinton' (a loss over classes)"),
                Arguments.of("106-regression-kd-on-classes.yaml",
                        "distillation.loss.type: 'regression_kd' distils a predicted return; it needs "
                        + "data.labels.task: regression (this study's task is classification)"),
                Arguments.of("107-regression-gbt-teacher.yaml",
                        "teacher.type: expected a network teacher (mlp, lstm, attention, transformer, cnn1d) or an "
                        + "ensemble of them with data.labels.task: regression, got 'gbt' (it predicts classes only)"),
                Arguments.of("108-regression-unknown-label-loss.yaml",
                        "distillation.loss.label_loss: expected one of [mse, huber], got 'mae'"),
                Arguments.of("109-regression-chain.yaml",
                        "chain: distillation chains are not supported with data.labels.task: regression yet (their "
                        + "per-stage table measures classes)"),
                Arguments.of("110-mutual-one-student.yaml",
                        "mutual.students: expected a list of at least 2 student sections (the cohort), got 1"),
                Arguments.of("111-mutual-with-student.yaml",
                        "student: a study with 'mutual' has no 'student': its students are mutual.students"),
                Arguments.of("112-mutual-dkd-loss.yaml",
                        "distillation.loss.type: mutual learning trains every student with the 'hinton' loss (the "
                        + "peers' averaged outputs are its soft target), got 'dkd'"),
                Arguments.of("113-mutual-early-stopping.yaml",
                        "training.patience: expected 0 with mutual learning (every student of the cohort trains every "
                        + "epoch), got 3"),
                Arguments.of("114-mutual-student-set-by-hand.yaml",
                        "mutual.student: " + Mutual.MEMBER_SET_BY_HAND),
                Arguments.of("115-mutual-mixed-input-kinds.yaml",
                        "mutual.students: expected students of one input kind (they train on the same minibatches), "
                        + "got tabular and sequence students"),
                Arguments.of("116-mutual-and-chain.yaml",
                        "mutual: a study has either 'chain' or 'mutual', not both"),
                Arguments.of("117-rolling-gap-below-lookback-plus-horizon.yaml",
                        "rolling.gap_bars: expected at least lookback + horizon = 16 + 6 = 22 bars (so no train label "
                        + "reaches a later input), got 10"),
                Arguments.of("118-rolling-no-train-part.yaml",
                        "rolling.validation_bars: expected validation_bars + gap_bars (1980 + 42) below train_bars "
                        + "(2000), leaving a train part"),
                Arguments.of("119-rolling-one-window.yaml",
                        "rolling.train_bars: expected at least 2 windows in data.source.bars = 5000 (window 1 for the "
                        + "never-updated student, one later window to evaluate it on): 2 windows need 6042 bars"),
                Arguments.of("120-rolling-window-set-by-hand.yaml",
                        "rolling.window: is set by distill4j for each window's trials; remove it"),
                Arguments.of("121-rolling-unknown-key.yaml",
                        "rolling.warmstart: unknown key 'warmstart' (valid keys here: gap_bars, never_updated, "
                        + "step_bars, test_bars, train_bars, validation_bars, warm_start, window, windows)"),
                Arguments.of("122-rolling-with-grid.yaml",
                        "grid: a rolling (walk-forward) study has no grid (run one study per setting)"),
                Arguments.of("123-rolling-with-chain.yaml",
                        "rolling: a rolling (walk-forward) study cannot have 'chain' (not supported together yet)"),
                Arguments.of("124-rolling-with-mutual.yaml",
                        "rolling: a rolling (walk-forward) study cannot have 'mutual' (not supported together yet)"),
                Arguments.of("125-rkd-negative-angle-anchors.yaml",
                        "distillation.heads.rkd.angle_anchors: expected an integer in [0, 1000000], got -4"),
                Arguments.of("126-regimes-vol-quantile-one.yaml",
                        "data.regimes.vol_quantile: expected a quantile strictly between 0 and 1, got 1.0"),
                Arguments.of("127-regimes-unknown-key.yaml",
                        "data.regimes.trend_threshold: unknown key 'trend_threshold' (valid keys here: "
                                + "trend_quantile, vol_quantile, window)"),
                Arguments.of("128-regimes-window-one.yaml",
                        "data.regimes.window: expected an integer in [2, 1000], got 1"),
                Arguments.of("129-regimes-under-teacher-data.yaml",
                        "teacher_data.regimes: regimes are labelled on the student's samples: put them under "
                                + "data.regimes"),
                Arguments.of("130-distillation-regimes-without-data-regimes.yaml",
                        "distillation.regimes: per-regime alpha and temperature need data.regimes (how each sample "
                                + "gets its regime)"),
                Arguments.of("131-distillation-regimes-unknown-regime.yaml",
                        "distillation.regimes.calm: unknown regime 'calm' (regimes: high_vol, trend, mean_reversion)"),
                Arguments.of("132-distillation-regimes-with-dkd.yaml",
                        "distillation.regimes: per-regime alpha and temperature apply to the 'hinton' loss, got 'dkd'"),
                Arguments.of("133-distillation-regimes-alpha-out-of-range.yaml",
                        "distillation.regimes.trend.alpha: expected a number in [0, 1], got 1.5"),
                Arguments.of("134-distillation-regimes-neither-value.yaml",
                        "distillation.regimes.trend: expected alpha and/or temperature for this regime, got neither"),
                Arguments.of("135-recency-half-life-zero.yaml",
                        "distillation.recency.half_life_bars: expected a number in [1, 1000000000000], got 0"),
                Arguments.of("136-recency-unknown-apply-to.yaml",
                        "distillation.recency.apply_to: expected one of [soft, both], got 'hard'"),
                Arguments.of("137-recency-with-dkd.yaml",
                        "distillation.recency: recency weights need the loss type 'hinton' or 'regression_kd', got "
                        + "'dkd'"),
                Arguments.of("138-recency-missing-half-life.yaml",
                        "distillation.recency.half_life_bars: missing (expected a number in [1, 1000000000000])"),
                Arguments.of("139-sequential-with-heads.yaml",
                        "distillation.heads: not supported with a sequential_lstm student yet (it trains one loss "
                        + "head)"),
                Arguments.of("140-sequential-tbptt-one.yaml",
                        "student.tbptt: expected an integer in [2, 100000], got 1"),
                Arguments.of("141-sequential-with-rolling.yaml",
                        "rolling: not supported with a sequential_lstm student yet (it needs one teacher and every bar "
                        + "of the student's own data)"),
                Arguments.of("142-distillation-regimes-with-recency.yaml",
                        "distillation.regimes: per-regime settings are not supported with recency weights yet (use "
                        + "one of them)"),
                // declared features (data.features)
                Arguments.of("143-features-unknown-indicator.yaml",
                        "data.features.set[1].indicator: expected one of [return, volatility, rsi, range, "
                        + "volume_ratio, vwap_distance, ma_distance], got 'macd'"),
                Arguments.of("144-features-rsi-window-one.yaml",
                        "data.features.set[0].window: expected an integer in [2, 1000], got 1"),
                Arguments.of("145-features-declared-twice.yaml",
                        "data.features[2]: feature 'return_3' is declared twice (also at data.features[0]); "
                        + "expected each feature once"),
                Arguments.of("146-features-column-on-synthetic.yaml",
                        "data.features: extra columns [funding_rate] are read from a csv source (this source is "
                        + "type: synthetic)"),
                Arguments.of("147-features-range-with-window.yaml",
                        "data.features.set[0].window: range has no window (it is (high - low) / close of the bar "
                        + "itself)"),
                Arguments.of("148-features-undeclared-asset.yaml",
                        "data.features.set[1].asset: expected an asset declared in data.assets [], got 'ETHUSDT'"),
                // the regime router of a chain (chain.router)
                Arguments.of("149-chain-router-bad-tier.yaml",
                        "chain.router.trend: expected 'teacher' or 'stage k' with k in 1..2, got the string 'stage 3'"),
                Arguments.of("150-chain-router-without-regimes.yaml",
                        "chain.router: a regime router needs data.regimes (how each test sample gets its regime)"),
                Arguments.of("151-chain-router-unknown-regime.yaml",
                        "chain.router.calm: unknown regime 'calm' (regimes: high_vol, trend, mean_reversion)"),
                Arguments.of("152-chain-router-not-a-tier.yaml",
                        "chain.router.high_vol: expected 'teacher' or 'stage k' with k in 1..2, got the string "
                        + "'student'"),
                Arguments.of("153-regression-gaussian-single-teacher.yaml",
                        "distillation.loss.soft: 'gaussian' weighs the soft term by the teacher's variance, the "
                        + "disagreement of an ensemble: expected teacher.type: ensemble with at least two members, "
                        + "got 'mlp'"),
                Arguments.of("154-regression-gaussian-with-recency.yaml",
                        "distillation.recency: recency weights are not supported with regression_kd soft: gaussian "
                        + "yet (both weigh the soft term per sample)"),
                Arguments.of("155-regression-soft-unknown.yaml",
                        "distillation.loss.soft: expected one of [mse, gaussian], got 'laplace'"),
                // relation groups of the batch-level feature terms
                Arguments.of("156-group-size-one.yaml",
                        "distillation.heads.sp.group_size: expected 0 (the whole minibatch) or an integer in "
                        + "[2, 1000000] (a relation needs at least 2 rows), got 1"),
                Arguments.of("157-group-size-not-integer.yaml",
                        "distillation.heads.rkd.group_size: expected 0 (the whole minibatch) or an integer in "
                        + "[2, 1000000] (a relation needs at least 2 rows), got the number 64.5"),
                Arguments.of("158-search-group-size-one.yaml",
                        "search.parameters.distillation.heads.sp.group_size: the study is invalid with 1 there: "
                        + "distillation.heads.sp.group_size: expected 0 (the whole minibatch) or an integer in "
                        + "[2, 1000000] (a relation needs at least 2 rows), got 1"));
    }

    @Test
    void theMainLossWeightCanBeScheduledWithinItsDomain() {
        Study study = Study.load(Path.of("../configs/quickstart.yaml"),
                List.of("distillation.schedules={weight: {type: linear, end: 0.25}}"));
        assertEquals("linear(->0.25)", study.base().schedules().get("weight").describe());
        assertMessage("../configs/quickstart.yaml: distillation.schedules.weight: linear(->-1) gives weight = "
                + "-0.1428571428571428 at epoch 9 of 15; expected every epoch's value in [0, 1000000] (set by --set "
                + "distillation.schedules={weight: {type: linear, end: -1}})",
                () -> Study.load(Path.of("../configs/quickstart.yaml"),
                        List.of("distillation.schedules={weight: {type: linear, end: -1}}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidStudies")
    void invalidStudyFailsWithExactMessage(String name, String problem) {
        Path file = INVALID.resolve(name);
        assertMessage(file + ": " + problem, () -> load(file));
    }

    /** A study, or a search when the file declares one (its search section is validated too). */
    private static Object load(Path file) {
        return name(file).contains("-search-") ? io.distill4j.search.Search.load(file, List.of())
                : Study.load(file, List.of());
    }

    private static String name(Path file) {
        return file.getFileName().toString();
    }

    @Test
    void everyCorpusFileHasAnExpectedMessage() throws IOException {
        TreeSet<String> onDisk;
        try (Stream<Path> files = Files.list(INVALID)) {
            onDisk = files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        TreeSet<String> listed = invalidStudies().map(a -> (String) a.get()[0])
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(listed, onDisk);
    }

    @Test
    void problemIsReportedOnlyOnceWhenEveryCellHasIt() {
        // alpha 1.5 is wrong in the file itself, not in a grid cell: no "(grid cell ...)" note.
        ConfigException e = assertThrows(ConfigException.class,
                () -> Study.load(INVALID.resolve("06-alpha-out-of-range.yaml"), List.of()));
        assertFalse(e.getMessage().contains("grid cell"), e.getMessage());
        assertEquals("distillation.loss.alpha", e.path());
    }

    // ---- the valid quickstart study ------------------------------------------------------------

    @Test
    void quickstartLoadsWithElevenTrials() {
        Study study = Study.load(QUICKSTART, List.of());
        assertEquals("quickstart", study.name());
        assertEquals(4, study.cells().size());
        assertEquals(List.of(1, 2), study.seeds());
        assertEquals(11, study.trials().size());
        Map<Trial.Role, Long> roles = study.trials().stream()
                .collect(Collectors.groupingBy(Trial::role, Collectors.counting()));
        assertEquals(Map.of(Trial.Role.TEACHER, 1L, Trial.Role.STUDENT_ALONE, 2L, Trial.Role.DISTILLED, 8L), roles);
        assertEquals(11, study.trials().stream().map(Trial::id).distinct().count(), "trial ids are unique");
    }

    @Test
    void deviceDefaultsToAutoAndAcceptsCpuAndGpu() {
        assertEquals(io.distill4j.device.DeviceMode.AUTO, Study.load(QUICKSTART, List.of()).base().device());
        assertEquals(io.distill4j.device.DeviceMode.GPU,
                Study.load(QUICKSTART, List.of("device=gpu")).base().device());
        assertEquals(io.distill4j.device.DeviceMode.CPU,
                Study.load(QUICKSTART, List.of("device=cpu")).base().device());
        assertEquals(Study.load(QUICKSTART, List.of()).trials().stream().map(Trial::id).toList(),
                Study.load(QUICKSTART, List.of("device=gpu")).trials().stream().map(Trial::id).toList(),
                "the device does not change trial ids");
        assertMessage(QUICKSTART + ": device: expected one of [auto, cpu, gpu], got 'cuda' (set by --set device=cuda)",
                () -> Study.load(QUICKSTART, List.of("device=cuda")));
    }

    @Test
    void gridOverrideChangesTrialCount() {
        Study study = Study.load(QUICKSTART, List.of("grid.distillation.loss.alpha=[0.1, 0.3, 0.5]"));
        assertEquals(6, study.cells().size());
        assertEquals(1 + 2 + 6 * 2, study.trials().size());
        Study oneSeed = Study.load(QUICKSTART, List.of("seeds=[7]", "grid.distillation.loss.alpha=[0.3]"));
        assertEquals(1 + 1 + 2, oneSeed.trials().size());
    }

    /** A batch-level term's relation group size is a config path like any head setting: a grid axis moves it. */
    @Test
    void groupSizeIsAGridAxis() {
        Study study = Study.load(QUICKSTART, List.of("grid={distillation.heads.sp.group_size: [0, 64]}",
                "distillation.heads={sp: {type: similarity, student_layer: hidden_1, teacher_layer: hidden_1}}"));
        assertEquals(2, study.cells().size());
        List<Integer> sizes = study.trials().stream().filter(t -> t.role() == Trial.Role.DISTILLED)
                .map(t -> ((io.distill4j.loss.BatchLossFunction) t.config().newLosses().get(1).lossFunction())
                        .groupSize())
                .distinct().sorted().toList();
        assertEquals(List.of(0, 64), sizes);
        assertMessage(QUICKSTART + ": distillation.heads.sp.group_size: expected 0 (the whole minibatch) or an "
                        + "integer in [2, 1000000] (a relation needs at least 2 rows), got 1 (grid cell group_size=1; "
                        + "set by --set distillation.heads={sp: {type: similarity, student_layer: hidden_1, "
                        + "teacher_layer: hidden_1}})",
                () -> Study.load(QUICKSTART, List.of("grid={distillation.heads.sp.group_size: [1]}",
                        "distillation.heads={sp: {type: similarity, student_layer: hidden_1, teacher_layer: "
                                + "hidden_1}}")));
    }

    // ---- --set -----------------------------------------------------------------------------------

    @Test
    void setWithUnknownKeyNamesTheOverride() {
        assertMessage(QUICKSTART + ": training.epoch: unknown key 'epoch' (valid keys here: batch_size, epochs, l2, "
                        + "learning_rate, patience) (set by --set training.epoch=5)",
                () -> Study.load(QUICKSTART, List.of("training.epoch=5")));
        assertMessage(QUICKSTART + ": trainig: unknown key 'trainig' (valid keys here: " + ROOT_KEYS
                        + ") (set by --set trainig.epochs=5)",
                () -> Study.load(QUICKSTART, List.of("trainig.epochs=5")));
    }

    @Test
    void setWithInvalidValueNamesTheOverride() {
        assertMessage(QUICKSTART + ": teacher.hidden: expected a non-empty list of integers in [1, 65536], got an "
                        + "empty list (set by --set teacher.hidden=[])",
                () -> Study.load(QUICKSTART, List.of("training.epochs=3", "teacher.hidden=[]")));
    }

    @Test
    void setGridAxisWithOneBadValueNamesCellAndOverride() {
        assertMessage(QUICKSTART + ": distillation.loss.alpha: expected a number in [0, 1], got 2.0 (grid cell "
                        + "temperature=2,alpha=2.0; set by --set grid.distillation.loss.alpha=[0.5,2.0])",
                () -> Study.load(QUICKSTART, List.of("grid.distillation.loss.alpha=[0.5,2.0]")));
    }

    @Test
    void malformedSetIsRejected() {
        Map<String, String> cases = Map.of(
                "training.epochs", "--set: malformed override 'training.epochs' (expected path=value, e.g. "
                        + "training.epochs=5)",
                "=5", "--set: malformed override '=5': empty path before '=' (expected path=value, e.g. "
                        + "training.epochs=5)",
                "training..epochs=3", "--set: bad path in override 'training..epochs=3': empty segment in path "
                        + "'training..epochs'",
                "training.epochs=", "--set: training.epochs: empty value in override 'training.epochs=' (write null "
                        + "to unset, or '' for an empty string)",
                "training.epochs=[1", "--set: training.epochs: bad value in override 'training.epochs=[1': YAML "
                        + "syntax error at line 1, column 3: expected ',' or ']', but got <stream end>",
                "study.name=x", "--set: study.name: cannot set 'name' inside study, which is the string "
                        + "'quickstart', not a mapping (override 'study.name=x')");
        cases.forEach((override, expected) ->
                assertMessage(expected, () -> Study.load(QUICKSTART, List.of(override))));
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable code) {
        ConfigException e = assertThrows(ConfigException.class, code);
        String m = e.getMessage();
        assertEquals(expected, m);
        assertFalse(m.contains("\n") || m.contains("\r"), () -> "multi-line message: " + m);
        for (String leak : LEAKS) {
            assertFalse(m.contains(leak), () -> "message leaks '" + leak + "': " + m);
        }
    }
}
