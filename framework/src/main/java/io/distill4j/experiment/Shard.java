package io.distill4j.experiment;

import io.distill4j.Distill4jException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One deterministic share of a study's trials ({@code distill4j run --shard i/n}), for clusters without a scheduler
 * of their own (a Slurm array, a Kubernetes indexed Job): shard {@code i} of {@code n} runs the student groups
 * {@code g} (in plan order) with {@code g mod n = i - 1}, where a group is one student trial or one whole chain (its
 * stages in order, since stage k+1 learns from stage k), plus the teacher trials those students need. Shard 1 also
 * runs every teacher trial, so its ledger holds them all; another shard trains a teacher only when the shared teacher
 * cache does not hold it yet (write-then-rename: shards racing on the same teacher keep one entry).
 *
 * <p>A shard records its trials in {@code <results>/<study>/shards/shard-i-of-n/trials/}, never in the study's own
 * ledger, so shards never overwrite each other; {@link StudyMerge} builds the study's summary and report from all
 * of them.
 *
 * @param index 1-based
 * @param count the number of shards, at least 1
 */
public record Shard(int index, int count) {
    private static final Pattern TEXT = Pattern.compile("(\\d{1,6})/(\\d{1,6})");
    private static final Pattern FOLDER = Pattern.compile("shard-(\\d{1,6})-of-(\\d{1,6})");
    /** The folder, under a study's results folder, that holds its shards. */
    public static final String SHARDS = "shards";

    public Shard {
        if (count < 1 || index < 1 || index > count) {
            throw new Distill4jException("--shard must be i/n with 1 <= i <= n, got " + index + "/" + count);
        }
    }

    /** {@code i/n}, e.g. {@code 2/3}; anything else is a one-line error. */
    public static Shard parse(String text) {
        Matcher m = TEXT.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new Distill4jException("--shard must be i/n with 1 <= i <= n (e.g. 2/3), got '" + text + "'");
        }
        return new Shard(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    /** The shard a folder name {@code shard-i-of-n} names, if it is one. */
    static java.util.Optional<Shard> ofFolderName(String name) {
        Matcher m = FOLDER.matcher(name);
        if (!m.matches()) {
            return java.util.Optional.empty();
        }
        int i = Integer.parseInt(m.group(1));
        int n = Integer.parseInt(m.group(2));
        return i >= 1 && i <= n ? java.util.Optional.of(new Shard(i, n)) : java.util.Optional.empty();
    }

    /** {@code shard-i-of-n}. */
    public String folderName() {
        return "shard-" + index + "-of-" + count;
    }

    /** {@code <results>/<study>/shards/shard-i-of-n}: what this shard writes besides models and the teacher cache. */
    public Path folder(Path results, String study) {
        return ResultsPaths.studyFolder(results, study).resolve(SHARDS).resolve(folderName());
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }

    /** The trials of {@code plan} (a study's trials in plan order) this shard runs, in plan order. */
    public List<Trial> select(List<Trial> plan) {
        Map<String, Integer> groups = new LinkedHashMap<>();
        Set<String> neededTeachers = new LinkedHashSet<>();
        Set<String> students = new LinkedHashSet<>();
        for (Trial t : plan) {
            if (t.role() == Trial.Role.TEACHER) {
                continue;
            }
            int group = groups.computeIfAbsent(groupKey(t), k -> groups.size());
            if (group % count == index - 1) {
                students.add(t.id());
                StudyConfig c = t.config();
                for (String name : c.teachers().keySet()) {
                    neededTeachers.add(StudyRunner.teacherKey(c, name, t.seed()));
                }
            }
        }
        List<Trial> out = new ArrayList<>();
        for (Trial t : plan) {
            if (t.role() == Trial.Role.TEACHER ? index == 1
                    || neededTeachers.contains(StudyRunner.teacherKey(t.config(), t.teacherName(), t.seed()))
                    : students.contains(t.id())) {
                out.add(t);
            }
        }
        return out;
    }

    /** A student trial's group: the id of its chain's first stage, or its own id. */
    private static String groupKey(Trial t) {
        Trial first = t;
        for (Trial p = ChainStages.previous(first); p != null; p = ChainStages.previous(first)) {
            first = p;
        }
        return first.id();
    }
}
