package io.distill4j.plugin;

import io.distill4j.plugin.PluginFactory;

import io.distill4j.config.ConfigNode;
import java.util.Objects;
import java.util.function.Function;

/**
 * The usual {@link PluginFactory}: a kind, a {@code type} name and a function from the config section to the
 * instance. A plugin's factory is a subclass with a public no-argument constructor (as {@link java.util.ServiceLoader}
 * needs) that passes these three.
 *
 * @param <T> the plugin contract
 */
public abstract class AbstractPluginFactory<T> implements PluginFactory<T> {
    private final Class<T> kind;
    private final String type;
    private final Function<ConfigNode, ? extends T> create;

    protected AbstractPluginFactory(Class<T> kind, String type, Function<ConfigNode, ? extends T> create) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.type = Objects.requireNonNull(type, "type");
        this.create = Objects.requireNonNull(create, "create");
    }

    @Override
    public final Class<T> kind() {
        return kind;
    }

    @Override
    public final String type() {
        return type;
    }

    @Override
    public final T create(ConfigNode section) {
        return create.apply(section);
    }
}
