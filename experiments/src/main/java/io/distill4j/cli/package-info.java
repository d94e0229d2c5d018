/**
 * The {@code distill4j} command line (picocli). {@link io.distill4j.cli.DataFetchCommand} is {@code data fetch}.
 * User mistakes surface as {@link io.distill4j.Distill4jException}: one line, exit code 2.
 */
package io.distill4j.cli;
