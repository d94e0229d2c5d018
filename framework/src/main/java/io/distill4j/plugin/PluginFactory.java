package io.distill4j.plugin;

import io.distill4j.plugin.Plugins;
import io.distill4j.api.Schedule;
import io.distill4j.api.Student;
import io.distill4j.api.Teacher;
import io.distill4j.api.DistillationLoss;

import io.distill4j.config.ConfigNode;

/**
 * Creates one plugin implementation from its config section. Factories are found with {@link java.util.ServiceLoader}
 * (listed in {@code META-INF/services/io.distill4j.plugin.PluginFactory}) and looked up by kind and {@code type} name in
 * {@link Plugins}.
 *
 * @param <T> the plugin contract: {@link Teacher}, {@link Student}, {@link DistillationLoss} or {@link Schedule}
 */
public interface PluginFactory<T> {
    /** The contract this factory implements. */
    Class<T> kind();

    /** The {@code type} name used in study files. */
    String type();

    /**
     * Builds an instance from a config section. Reads every key it knows (the {@code type} key is already read) and
     * validates it; the caller then calls {@link ConfigNode#finish()} to reject unknown keys.
     */
    T create(ConfigNode section);
}
