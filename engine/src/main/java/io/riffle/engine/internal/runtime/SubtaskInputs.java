package io.riffle.engine.internal.runtime;

import java.util.Arrays;

import io.riffle.scheduler.channel.InputGate;

/**
 * A subtask's input channels and which operator input each feeds. The channels of one input (an operator's
 * input that channels feed: every upstream subtask of an edge, or of several edges into the same input)
 * form a group, whose end is passed to its operator once every channel of it has ended.
 */
final class SubtaskInputs {
    private final InputGate gate;
    /** Per channel, the position in the chain of the operator it feeds. */
    private final int[] channelLink;
    /** Per channel, the input of the operator it feeds. */
    private final int[] channelInput;
    /** Per channel, its input's index into {@link #inputLink}, {@link #inputNumber} and {@link #inputEnded}. */
    private final int[] channelGroup;
    /** Per input, the operator's position in the chain and the input's number. */
    private final int[] inputLink;
    private final int[] inputNumber;
    /** Per input, whether its end was passed to its operator. */
    private final boolean[] inputEnded;
    /** The gate's ended channels the last time ends were passed on. */
    private int endsSeen;

    /**
     * Channel {@code c} of {@code gate} feeds input {@code channelInput[c]} of the operator at position
     * {@code channelLink[c]} of the chain.
     */
    SubtaskInputs(InputGate gate, int[] channelLink, int[] channelInput) {
        if (channelLink.length != gate.channelCount() || channelInput.length != gate.channelCount()) {
            throw new IllegalArgumentException("a gate of " + gate.channelCount() + " channels needs as many"
                    + " operator inputs, got " + channelLink.length + " and " + channelInput.length);
        }
        this.gate = gate;
        this.channelLink = channelLink.clone();
        this.channelInput = channelInput.clone();
        int channels = channelLink.length;
        this.channelGroup = new int[channels];
        int[] linkOf = new int[channels];
        int[] numberOf = new int[channels];
        int inputs = 0;
        for (int c = 0; c < channels; c++) {
            int g = 0;
            while (g < inputs && (linkOf[g] != channelLink[c] || numberOf[g] != channelInput[c])) {
                g++;
            }
            if (g == inputs) {
                linkOf[g] = channelLink[c];
                numberOf[g] = channelInput[c];
                inputs++;
            }
            channelGroup[c] = g;
        }
        this.inputLink = Arrays.copyOf(linkOf, inputs);
        this.inputNumber = Arrays.copyOf(numberOf, inputs);
        this.inputEnded = new boolean[inputs];
    }

    InputGate gate() {
        return gate;
    }

    /** The position in the chain of the operator channel {@code channel} feeds. */
    int linkOf(int channel) {
        return channelLink[channel];
    }

    /** The input of its operator that channel {@code channel} feeds. */
    int inputOf(int channel) {
        return channelInput[channel];
    }

    /** Per input, the operator it feeds (an operator of two fed inputs appears twice). */
    ChainLink[] operatorsFed(Chain chain) {
        ChainLink[] fed = new ChainLink[inputLink.length];
        for (int g = 0; g < fed.length; g++) {
            fed[g] = chain.link(inputLink[g]);
        }
        return fed;
    }

    /** Tells the operator of each input whose channels have all ended, once, before the chain ends. */
    void passInputEnds(Chain chain) {
        if (chain.isEmpty() || gate.endedCount() == endsSeen) {
            return;
        }
        endsSeen = gate.endedCount();
        for (int g = 0; g < inputEnded.length; g++) {
            if (inputEnded[g]) {
                continue;
            }
            boolean all = true;
            for (int c = 0; c < channelGroup.length && all; c++) {
                all = channelGroup[c] != g || gate.isEnded(c);
            }
            if (all) {
                inputEnded[g] = true;
                chain.link(inputLink[g]).endOfInput(inputNumber[g]);
            }
        }
    }
}
