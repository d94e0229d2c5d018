/**
 * Reading study files: YAML into a tree, command-line overrides and grid cells applied by config path, and
 * {@link io.distill4j.config.ConfigNode}, the cursor every section parser uses so that bad values and unknown keys
 * are reported with file, path and expectation.
 */
package io.distill4j.config;
