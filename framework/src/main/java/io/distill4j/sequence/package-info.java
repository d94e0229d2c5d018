/**
 * Sequential students: an LSTM student trained on the training split as consecutive bars with its state carried
 * from one truncated-backpropagation segment to the next ({@link SequentialLstm}, {@link SequentialDistiller}), so
 * that it runs bar by bar in production, state carried, exactly as it was trained; and the layout of a split as
 * parallel contiguous streams ({@link BarStreams}).
 */
package io.distill4j.sequence;
