package io.distill4j.plugin;

import io.distill4j.api.DistillationLoss;

import io.distill4j.plugin.PluginFactory;

import io.distill4j.config.ConfigNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The plugin registry: maps a config {@code type} name to the factory of each plugin kind. */
public final class Plugins {
    private static final Map<String, PluginFactory<?>> FACTORIES = load();

    private Plugins() {
    }

    private static Map<String, PluginFactory<?>> load() {
        Map<String, PluginFactory<?>> map = new TreeMap<>();
        for (PluginFactory<?> f : ServiceLoader.load(PluginFactory.class)) {
            PluginFactory<?> previous = map.put(key(f.kind(), f.type()), f);
            if (previous != null) {
                throw new IllegalStateException("two " + f.kind().getSimpleName() + " plugins named '" + f.type()
                        + "': " + previous.getClass().getName() + " and " + f.getClass().getName());
            }
        }
        return map;
    }

    /** The kind as users read it in messages: {@code DistillationLoss} is "distillation loss". */
    static String displayName(Class<?> kind) {
        return kind.getSimpleName().replaceAll("(?<=[a-z0-9])(?=[A-Z])", " ").toLowerCase(java.util.Locale.ROOT);
    }

    private static String key(Class<?> kind, String type) {
        return kind.getSimpleName() + ":" + type;
    }

    /** The type names registered for a kind, sorted. */
    public static List<String> types(Class<?> kind) {
        List<String> out = new ArrayList<>();
        String prefix = kind.getSimpleName() + ":";
        for (String k : FACTORIES.keySet()) {
            if (k.startsWith(prefix)) {
                out.add(k.substring(prefix.length()));
            }
        }
        return out;
    }

    /**
     * Creates the plugin a config section declares with its {@code type} key, then rejects unknown keys.
     *
     * @throws io.distill4j.config.ConfigException for an unknown type (listing the valid ones) or a bad section
     */
    public static <T> T create(Class<T> kind, ConfigNode section) {
        List<String> valid = types(kind);
        String what = displayName(kind);
        if (!section.has("type")) {
            section.accept("type");
            throw section.error("type", "missing (expected a " + what + " type: " + String.join(", ", valid) + ")");
        }
        String type = section.string("type");
        PluginFactory<?> factory = FACTORIES.get(key(kind, type));
        if (factory == null) {
            throw section.error("type", "unknown " + what + " type '" + type + "' (valid types: "
                    + String.join(", ", valid) + ")");
        }
        T instance = kind.cast(factory.create(section));
        section.finish();
        return instance;
    }
}
