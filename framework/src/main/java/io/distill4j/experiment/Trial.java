package io.distill4j.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distill4j.api.PipelineVersion;
import io.distill4j.config.ConfigHash;
import io.distill4j.config.GridCell;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One self-contained unit of work of a study: what to train (role), from which resolved config, with which seed.
 * It holds only the resolved config tree and plain values, so it can be serialised and run anywhere; its id is the
 * hash of its role, resolved config and seed, stable across runs.
 *
 * @param role teacher, student trained alone, or distilled student
 * @param cell the grid cell's label ({@code ""} without a grid; {@code -} for the teacher and baseline)
 * @param assignments the grid values of the cell
 * @param seed the trial seed: a student's seed; for a teacher {@code -1} (one teacher from the study's root seed) or,
 *     with {@code seeds_vary: teacher_and_student}, the seed whose students it serves (its training seed is
 *     {@link #trainingSeed()})
 * @param teacherName for a teacher trial, which of the study's teachers it trains ({@code teacher} for a study with
 *     one teacher); {@code null} for student trials
 * @param file the study file's name, for messages
 * @param resolved the resolved study tree of the cell (no grid, no seeds)
 */
public record Trial(Role role, String cell, LinkedHashMap<String, JsonNode> assignments, int seed,
        String teacherName, String file, ObjectNode resolved) implements Serializable {

    /** What a trial trains. */
    public enum Role {
        TEACHER("teacher"), STUDENT_ALONE("student-alone"), DISTILLED("distilled"),
        /** One stage of a {@link Chain}: distilled from the previous stage's student (stage 1: the teacher). */
        CHAIN_STAGE("chain-stage"),
        /** One student of a {@link Mutual} cohort: trained together with its peers, each learning from the others. */
        MUTUAL("mutual");

        private final String label;

        Role(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public Trial {
        assignments = new LinkedHashMap<>(assignments);
    }

    /**
     * The stable id: 12 hex characters of the hash of role, config, seed and {@link PipelineVersion#CURRENT}. The
     * {@code device} key is left out: where a trial trains does not make it another trial (and {@code --device} does
     * not change the id either).
     */
    public String id() {
        return id(PipelineVersion.CURRENT);
    }

    /** The id this trial has under pipeline version {@code pipelineVersion}. */
    String id(int pipelineVersion) {
        ObjectNode key = resolved.objectNode();
        key.put("role", role.name());
        key.put("seed", seed);
        key.put("pipeline_version", pipelineVersion);
        key.set("config", role == Role.DISTILLED || role == Role.CHAIN_STAGE || role == Role.MUTUAL ? resolved.deepCopy().without("device")
                : identity());
        return ConfigHash.shortId(key);
    }

    private ObjectNode identity() {
        StudyConfig c = config();
        return role == Role.TEACHER ? c.teacherIdentity(teacherName, seed) : c.baselineIdentity();
    }

    /**
     * The seed the trial trains with, as recorded in tracking: a teacher's root seed
     * ({@link StudyConfig#teacherSeed}), else {@link #seed}.
     */
    public long trainingSeed() {
        return role == Role.TEACHER ? config().teacherSeed(seed) : seed;
    }

    /** The validated config of this trial. */
    public StudyConfig config() {
        return StudyConfig.parse(file, resolved);
    }

    /** The method as shown in tables: {@code teacher}, {@code student-alone} or the cell label. */
    public String method() {
        return switch (role) {
            case TEACHER -> "teacher";
            case STUDENT_ALONE -> named() ? "student-alone " + cell : "student-alone";
            case DISTILLED -> cell.isEmpty() ? "distilled" : "distilled " + cell;
            case CHAIN_STAGE -> join("chain", cell) + " " + stageLabel();
            case MUTUAL -> join("mutual", cell) + " " + memberLabel() + " " + config().student().describe();
        };
    }

    /**
     * The long description of the trial, e.g. {@code distilled temperature=4,alpha=0.5 seed=1} (messages, the
     * summary, and the MLflow run's description).
     */
    public String description() {
        if (role != Role.TEACHER) {
            return method() + " seed=" + seed;
        }
        return seed < 0 ? teacherLabel() : teacherLabel() + " seed=" + seed;
    }

    /**
     * A short MLflow run name with what tells runs apart first, since the MLflow UI cuts names at about 18
     * characters: {@code kd T=4 a=0.5 s1} (a distilled cell: grid values, {@code temperature} and {@code alpha}
     * shortened to {@code T} and {@code a}), {@code alone s1} (a student-alone baseline, followed by the grid values
     * that make baselines differ, e.g. {@code alone hidden=[32,16] s1}), {@code teacher mlp[256,128,64]}.
     */
    public String runName() {
        String seedPart = seed < 0 ? "" : " s" + seed;
        return switch (role) {
            case TEACHER -> teacherLabel() + seedPart;
            case STUDENT_ALONE -> join(named() ? "alone " + cell : "alone", shortLabel()) + seedPart;
            case DISTILLED -> join("kd", shortLabel()) + seedPart;
            case CHAIN_STAGE -> join("chain " + stageLabel(), shortLabel()) + seedPart;
            case MUTUAL -> join("mutual " + memberLabel(), shortLabel()) + seedPart;
        };
    }

    /**
     * Whether a student-alone baseline has a name of its own in {@link #cell} (a mutual student's baseline: its
     * architecture, e.g. {@code mlp[16,8]}) rather than {@code -}.
     */
    private boolean named() {
        return role == Role.STUDENT_ALONE && !cell.equals("-") && !cell.isEmpty();
    }

    /** A chain stage's position, e.g. {@code s2/3} (stage 2 of 3). */
    public String stageLabel() {
        Chain chain = chain();
        return "s" + chain.stage() + "/" + chain.size();
    }

    /** A mutual student's position in its cohort, e.g. {@code m2/3} (student 2 of 3). */
    public String memberLabel() {
        Mutual mutual = mutual();
        return "m" + mutual.student() + "/" + mutual.size();
    }

    /** The cohort of a {@link Role#MUTUAL} trial (its {@link Mutual#student()} is the trial's student). */
    public Mutual mutual() {
        return Mutual.of(file, resolved).orElseThrow(() -> new IllegalStateException("trial " + id()
                + " has no mutual cohort"));
    }

    /** The chain of a {@link Role#CHAIN_STAGE} trial (its {@link Chain#stage()} is the trial's stage). */
    public Chain chain() {
        return Chain.of(file, resolved).orElseThrow(() -> new IllegalStateException("trial " + id()
                + " has no chain"));
    }

    /**
     * The trial of stage {@code k} of this chain-stage trial's chain, with the same cell and seed (e.g. the previous
     * stage, whose trained student teaches this one).
     */
    public Trial chainStage(int k) {
        return new Trial(Role.CHAIN_STAGE, cell, assignments, seed, null, file, chain().stageTree(resolved, k));
    }

    private static String join(String head, String rest) {
        return rest.isEmpty() ? head : head + " " + rest;
    }

    /** The grid values, space-separated, with the usual loss parameters shortened ({@code T=4 a=0.5}). */
    private String shortLabel() {
        if (assignments.isEmpty()) {
            return "";
        }
        String label = new GridCell(0, assignments, resolved).label();
        StringBuilder b = new StringBuilder();
        for (String part : label.split(",(?=[^,\\[\\]{}]+=)")) {
            String shortened = part.startsWith("temperature=") ? "T=" + part.substring("temperature=".length())
                    : part.startsWith("alpha=") ? "a=" + part.substring("alpha=".length()) : part;
            b.append(b.length() > 0 ? " " : "").append(shortened);
        }
        return b.toString();
    }

    /** A teacher trial's label without its seed, e.g. {@code teacher mlp[128,64]} (one summary row per label). */
    public String teacherLabel() {
        StudyConfig c = config();
        String described = "teacher " + c.teachers().get(teacherName).describe();
        return c.teachers().size() > 1 ? described + " (" + teacherName + ")" : described;
    }

    /** The grid assignments as strings, for tracking params. */
    public Map<String, String> assignmentText() {
        Map<String, String> m = new LinkedHashMap<>();
        assignments.forEach((k, v) -> m.put(k, v.isValueNode() ? v.asText() : v.toString()));
        return m;
    }
}
