/**
 * Evaluation: classification metrics against labels and the teacher, statistics over seeds (mean, spread, Welch and
 * paired t-tests with p-values), the moving-block bootstrap over time-ordered test samples, and the chance baselines
 * (majority class, persistence), and feature similarity between a teacher and a student (linear CKA, projected
 * cosine).
 */
package io.distill4j.eval;
