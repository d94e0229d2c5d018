/**
 * distill4j: knowledge-distillation studies on trading models, built on Deeplearning4j.
 *
 * <p>Data flow: study file ({@code config}, {@code experiment}) → data ({@code data}) → teacher, trained once and
 * cached ({@code model}, {@code train}) → student distillation ({@code loss}, {@code schedule}, {@code train}) →
 * evaluation ({@code eval}) → tracking ({@code tracking}) → results. The four plugin contracts live in
 * {@code api}. This package holds only the user-facing error type shared by all of them.
 */
package io.distill4j;
