package io.distill4j.experiment;

import io.distill4j.EnvironmentException;
import io.distill4j.api.DistillationLoss;
import io.distill4j.data.features.PreparedData;
import io.distill4j.distill.FusedDistiller;
import io.distill4j.distill.StudentDistiller;
import io.distill4j.model.MlpNetwork;
import io.distill4j.train.PhaseTimes;
import io.distill4j.train.TeacherCache;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Horizontally fused training inside a study ({@link FusedDistiller}): the pending student trials that share a
 * student architecture (an MLP without dropout), a training budget and the data, and whose one loss head is a logit
 * loss (Hinton KD, DKD, DIST; the student-alone baseline's cross-entropy), are trained together, one fused network per
 * group (or per share of a group when several workers run: a group of G trials on W workers is cut into W chunks of
 * about G/W trials). Each trial then runs through the {@link TrialExecutor} as always, but takes its trained student
 * and epoch reports from here instead of training ({@link #take}), so evaluation, export, tracking, the ledger and the
 * summary are those of a trial trained alone. Everything else (feature terms, several heads, regime-conditional or
 * recency-weighted losses, chains, walk-forward windows, sequence and other students) trains alone, as does a group
 * whose fused training fails (a non-finite loss, anything thrown): a failure there never loses a trial.
 *
 * <p>A trial trained fused says so in its facts: {@value #GROUP} (the group's number in this process, from 1) and
 * {@value #BLOCKS} (how many students the fused network trained); its {@code train_seconds} and
 * {@code train_cpu_seconds} are its share (the group's time divided by its students).
 */
public final class FusedTrials {
    private static final Logger LOG = LoggerFactory.getLogger(FusedTrials.class);
    /** The fact naming a fused trial's group. */
    public static final String GROUP = "fused_group";
    /** The fact giving the number of students in a fused trial's network. */
    public static final String BLOCKS = "fused_blocks";

    /**
     * The most multiply-adds of one fused network's dense layers per minibatch forward pass: N students of W weights
     * each at minibatch size B take {@code N^2 * W * B} (the layers are block-diagonal, so the zero blocks are stored,
     * multiplied and updated too), while DL4J's per-operation cost is paid once. On the quickstart's 12 -> 16 -> 8 -> 3
     * student (W = 371, B = 256) the thread CPU time of its 10 students fell steadily from 1 to 10 students per network
     * (README "Performance notes"), so a network may hold up to 13 of them ({@code N^2 W B <= 2^24}); at B = 256 a
     * student of 2,912 weights (12 -> 64 -> 32 -> 3) fuses by 4, one of 16,385 weights or more not at all; at B = 1024
     * a student of 9,920 weights (12 -> 128 -> 64 -> 3) does not fuse: in pairs its grid trained about 15% slower
     * than alone (README, "Second sitting"). System property {@code distill4j.fused.max_blocks} caps N further (for
     * measurements).
     */
    static final long MAX_FUSED_WORK = 1L << 24;

    /** The most students per fused network for students of {@code weights} weights each at minibatch size {@code batch}. */
    static int maxBlocks(long weights, int batch) {
        double most = (double) MAX_FUSED_WORK / Math.max(1, weights) / Math.max(1, batch);
        int n = (int) Math.max(1, Math.floor(Math.sqrt(most)));
        return Math.max(1, Math.min(n, Integer.getInteger("distill4j.fused.max_blocks", Integer.MAX_VALUE)));
    }

    /** The weights (biases excluded) of a trial's MLP student on its data. */
    private long weights(Trial trial) {
        StudyConfig c = trial.config();
        var shape = new TrialData(executor.context().data(c), executor.context().scope()).shape();
        long total = 0;
        long in = shape.features();
        for (int width : ((MlpNetwork) c.student()).hidden()) {
            total += in * width;
            in = width;
        }
        return total + in * shape.classes();
    }

    /** A trial trained fused: its outcome, its share of the group's wall and CPU seconds, its facts. */
    record Done(FusedDistiller.Trained trained, double seconds, double cpuSeconds, Map<String, Double> facts) {
    }

    private final TrialExecutor executor;
    private final Map<String, Done> done = new ConcurrentHashMap<>();
    private final AtomicInteger groups = new AtomicInteger();

    FusedTrials(TrialExecutor executor) {
        this.executor = executor;
    }

    /** What trials must share to train together, or empty when {@code trial} trains alone. */
    Optional<String> key(Trial trial) {
        StudyConfig c = trial.config();
        boolean student = trial.role() == Trial.Role.DISTILLED || trial.role() == Trial.Role.STUDENT_ALONE;
        if (!student || trial.window() >= 0 || trial.neverUpdated() || !(c.student() instanceof MlpNetwork mlp)
                || mlp.dropout() > 0 || c.data().target().regression() || c.regimeDistillation().isPresent()
                || executor.context().crossTimeframe(c).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(c.student() + "|" + c.training() + "|" + DataFacts.key(c));
    }

    /**
     * The groups of {@code trials} that can train fused, each cut into up to {@code workers} chunks (more when a
     * chunk would exceed {@link #MAX_FUSED_WORK}), in the trials' order; chunks of fewer than 2 trials are left
     * out (those trials train alone).
     */
    public List<List<Trial>> groups(List<Trial> trials, int workers) {
        Map<String, List<Trial>> byKey = new LinkedHashMap<>();
        for (Trial t : trials) {
            key(t).ifPresent(k -> byKey.computeIfAbsent(k, x -> new ArrayList<>()).add(t));
        }
        List<List<Trial>> out = new ArrayList<>();
        for (List<Trial> group : byKey.values()) {
            int most = maxBlocks(weights(group.get(0)), group.get(0).config().training().batchSize());
            if (most < 2) {
                continue;
            }
            int chunks = Math.max(Math.max(1, Math.min(workers, group.size() / 2)), (group.size() + most - 1) / most);
            for (int i = 0; i < chunks; i++) {
                List<Trial> chunk = group.subList(i * group.size() / chunks, (i + 1) * group.size() / chunks);
                if (chunk.size() >= 2) {
                    out.add(List.copyOf(chunk));
                }
            }
        }
        return out;
    }

    /**
     * Trains {@code trials} as one fused network; each trial's outcome waits for its run ({@link #take}). A trial
     * whose losses do not qualify, and every trial of a group whose fused training fails, is left to train alone.
     */
    public void train(List<Trial> trials) {
        List<Trial> members = new ArrayList<>();
        List<FusedDistiller.Block> blocks = new ArrayList<>();
        TrialData first = null;
        try {
            for (Trial t : trials) {
                PreparedData prepared = executor.context().data(t.config());
                TrialData data = new TrialData(prepared, executor.context().scope());
                Map<String, TeacherCache.Entry> teachers = executor.teachers(t);
                List<DistillationLoss> losses = TrialExecutor.losses(t, prepared.target().task());
                StudentDistiller.SplitData train = executor.trainData(t, data, teachers);
                if (!FusedDistiller.fusable(t.config().student(), losses, train, data.shape())) {
                    continue;
                }
                members.add(t);
                blocks.add(new FusedDistiller.Block(t.description(), losses, TrialExecutor.schedules(t, losses),
                        train, executor.validationData(t, data, teachers), TrialExecutor.initSeed(t),
                        TrialExecutor.shuffleSeed(t)));
                first = first == null ? data : first;
            }
        } catch (RuntimeException e) { // e.g. a teacher missing from the cache: each trial reports it when it runs
            rethrowMachine(e);
            LOG.warn("fused training skipped ({}); the trials train one by one", e.toString());
            return;
        }
        if (members.size() < 2) {
            return;
        }
        int group = groups.incrementAndGet();
        long wall = System.nanoTime();
        long cpu = TrialExecutor.threadCpuNanos();
        long allocated = PhaseTimes.allocatedBytes();
        List<FusedDistiller.Trained> trained;
        PhaseTimes.enter(members.get(0).role().label());
        try {
            StudyConfig c = members.get(0).config();
            trained = FusedDistiller.train(c.student(), first.shape(), c.training(), blocks);
        } catch (RuntimeException e) {
            rethrowMachine(e);
            LOG.warn("fused training of {} students failed ({}); they train one by one", members.size(),
                    e.getMessage());
            return;
        } finally {
            PhaseTimes.since(PhaseTimes.Phase.TRIAL, wall); // the parts above are part of the scope's trial time
            PhaseTimes.allocatedSince(allocated, 0); // its trials are counted when they run
            PhaseTimes.leave();
        }
        double seconds = (System.nanoTime() - wall) / 1e9 / members.size();
        double cpuSeconds = cpu < 0 ? Double.NaN : (TrialExecutor.threadCpuNanos() - cpu) / 1e9 / members.size();
        Map<String, Double> facts = Map.of(GROUP, (double) group, BLOCKS, (double) members.size());
        for (int i = 0; i < members.size(); i++) {
            done.put(members.get(i).id(), new Done(trained.get(i), seconds, cpuSeconds, facts));
        }
    }

    private static void rethrowMachine(RuntimeException e) {
        Optional<EnvironmentException> machine = EnvironmentException.of(e);
        if (machine.isPresent()) {
            throw machine.get();
        }
    }

    /** The fused outcome of {@code trial}, removed, or null when it was not trained fused. */
    Done take(Trial trial) {
        return done.remove(trial.id());
    }
}
