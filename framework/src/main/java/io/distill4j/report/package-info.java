/**
 * The study report: {@link io.distill4j.report.StudyReport} draws a study's saved results as PNG charts (JFreeChart)
 * and writes one self-contained {@code report.html} with the charts embedded as data URIs and the summary tables.
 */
package io.distill4j.report;
