/**
 * The plugin registry: factories found with {@link java.util.ServiceLoader} build each {@code io.distill4j.api}
 * contract from its config section, by kind and {@code type} name; an unknown name lists the valid ones.
 */
package io.distill4j.plugin;
