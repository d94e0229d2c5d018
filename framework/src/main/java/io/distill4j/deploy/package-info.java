/**
 * Deployment of trained students to the dependency-free runtime ({@code io.distill4j.runtime}, module
 * {@code distill4j-runtime}): {@link io.distill4j.deploy.RuntimeExporter} turns a deployable DL4J graph and its
 * {@link io.distill4j.deploy.ExportInfo} (standardiser, feature specification, provenance) into a
 * {@link io.distill4j.runtime.StudentModel} file, refusing with a clear message what the runtime cannot run.
 */
package io.distill4j.deploy;
