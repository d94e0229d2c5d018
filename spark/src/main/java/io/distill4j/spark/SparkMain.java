package io.distill4j.spark;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code spark-submit} entry point: the {@code distill4j} command line, where {@code run} and {@code search}
 * default to {@code --engine spark} and the master {@code spark-submit} was given, e.g.
 * {@code spark-submit --class io.distill4j.spark.SparkMain --master spark://host:7077 distill4j-spark.jar run
 * configs/quickstart.yaml}.
 */
public final class SparkMain {
    private SparkMain() {
    }

    public static void main(String[] args) {
        List<String> a = new ArrayList<>(List.of(args));
        if (!a.isEmpty() && (a.get(0).equals("run") || a.get(0).equals("search")) && !a.contains("--engine")) {
            a.add("--engine");
            a.add("spark");
        }
        io.distill4j.cli.Main.main(a.toArray(String[]::new));
    }
}
