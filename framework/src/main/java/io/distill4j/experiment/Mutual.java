package io.distill4j.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distill4j.api.Student;
import io.distill4j.config.ConfigNode;
import io.distill4j.plugin.Plugins;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A deep-mutual-learning cohort (the study's {@code mutual:} section; Zhang et al., <i>Deep Mutual Learning</i>,
 * CVPR 2018; training in {@link io.distill4j.distill.MutualLearning}): two or more students trained together from
 * scratch, each learning at every step from the hard labels and from its peers' current outputs, with the study's
 * {@code distillation.loss} (type {@code hinton}: its {@code temperature}, {@code alpha} and {@code weight}; alpha
 * weighs the hard label, so the paper's {@code CE + KL} is {@code alpha: 0.5, weight: 2, temperature: 1}).
 *
 * <pre>
 * mutual:
 *   students: [{type: mlp, hidden: [16, 8]}, {type: mlp, hidden: [32, 16]}]
 * distillation:
 *   loss: {type: hinton, temperature: 1, alpha: 0.5, weight: 2}
 * </pre>
 *
 * <p>The study's teacher is trained as usual but never teaches the cohort: it is the reference of the agreement and
 * retention columns. Each student {@code k} of a seed is its own trial (role {@link Trial.Role#MUTUAL}); its resolved
 * config carries {@code mutual.student: k} (1-based) and that student as {@code student}, written by
 * {@link #memberTree}; the user's file never sets it. Each student's baseline is its architecture trained alone with
 * the same budget.
 *
 * @param students the cohort's student sections, in order
 * @param student the member a trial's config is for (1-based), or 0 for the study's own config
 */
public record Mutual(List<JsonNode> students, int student) {

    /** The key of the section. */
    public static final String KEY = "mutual";

    /** The problem with a {@code mutual.student} in a study file. */
    static final String MEMBER_SET_BY_HAND = "is set by distill4j for each student's trial; remove it (students are "
            + "numbered by their order in mutual.students)";

    public Mutual {
        students = List.copyOf(students);
    }

    /** The number of students {@code K}. */
    public int size() {
        return students.size();
    }

    /** The cohort of a config tree, if it has one (validated by {@link StudyConfig#parse}). */
    public static Optional<Mutual> of(String file, JsonNode tree) {
        if (!tree.has(KEY)) {
            return Optional.empty();
        }
        return Optional.of(parse(ConfigNode.root(file, tree).section(KEY)));
    }

    /** Parses and validates {@code mutual}: at least two students, each a valid student section. */
    static Mutual parse(ConfigNode node) {
        List<ConfigNode> nodes = node.sectionList("students");
        if (nodes.size() < 2) {
            throw node.error("students", "expected a list of at least 2 student sections (the cohort), got "
                    + nodes.size());
        }
        List<JsonNode> students = new ArrayList<>();
        for (ConfigNode s : nodes) {
            Plugins.create(Student.class, s); // validates the section
            students.add(s.json());
        }
        int student = node.integer("student", 0, 0, students.size());
        node.finish();
        return new Mutual(students, student);
    }

    /** Student {@code k} (1-based) of the cohort. */
    Student member(String file, int k) {
        return Plugins.create(Student.class, ConfigNode.root(file, students.get(k - 1)));
    }

    /**
     * The resolved config of member {@code k} (1-based): {@code student} is the member's section and
     * {@code mutual.student} is {@code k}; the same {@code k} gives the same tree from the study's config and from any
     * member's.
     */
    public ObjectNode memberTree(ObjectNode tree, int k) {
        ObjectNode out = tree.deepCopy();
        out.set("student", students.get(k - 1).deepCopy());
        ((ObjectNode) out.get(KEY)).put("student", k);
        return out;
    }

    /** The cohort's own config (the study's, without a member): what every member's trial trains together. */
    public ObjectNode cohortTree(ObjectNode tree) {
        ObjectNode out = tree.deepCopy();
        out.remove("student");
        ((ObjectNode) out.get(KEY)).remove("student");
        return out;
    }

    /**
     * The resolved config of member {@code k}'s baseline: the study's config without {@code mutual}, with the member
     * as {@code student}, trained alone with the same {@code training} budget.
     */
    public ObjectNode aloneTree(ObjectNode tree, int k) {
        ObjectNode out = tree.deepCopy();
        out.remove(KEY);
        out.set("student", students.get(k - 1).deepCopy());
        return out;
    }
}
