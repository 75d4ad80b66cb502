package io.riffle.engine.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.scheduler.channel.Channel;
import io.riffle.scheduler.channel.InputGate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which operator input each channel feeds, and an input's end passed on once every channel of it has ended. */
class SubtaskInputsTest {
    private final List<Channel> channels = new ArrayList<>();
    private final List<String> ends = new ArrayList<>();

    @AfterEach
    void close() {
        for (Channel c : channels) {
            c.close();
        }
    }

    private final class TwoInputs extends Operator {
        private final String name;

        TwoInputs(String name) {
            this.name = name;
        }

        @Override
        public void process(RecordBatch batch, Output out) {
        }

        @Override
        public void endOfInput(int input, Output out) {
            ends.add(name + " input " + input);
        }
    }

    private static final Output END = new Output() {
        @Override
        public void emit(RecordBatch batch) {
        }

        @Override
        public void emitWatermark(long watermark) {
        }
    };

    private InputGate gate(int count) {
        Channel[] cs = new Channel[count];
        for (int c = 0; c < count; c++) {
            cs[c] = new Channel("c" + c, 16);
            channels.add(cs[c]);
        }
        return new InputGate(cs);
    }

    private void end(InputGate gate, int channel) {
        assertTrue(channels.get(channel).offerEndOfInput());
        gate.poll((c, slot) -> true, 64);
    }

    @Test
    void anInputsEndIsPassedOnceEveryChannelOfItHasEndedAndOnlyOnce() {
        InputGate gate = gate(3);
        // Channels 0 and 1 feed input 0 of the join (position 1); channel 2 its input 1.
        SubtaskInputs inputs = new SubtaskInputs(gate, new int[] {1, 1, 1}, new int[] {0, 0, 1});
        Chain chain = Chain.of(List.of(
                new Chain.Member(new TwoInputs("map"), "map", 1, new OperatorMetrics("map", 1, false)),
                new Chain.Member(new TwoInputs("join"), "join", 2, new OperatorMetrics("join", 1, false))),
                END, "x", 0, 1, null);
        assertEquals(1, inputs.linkOf(2));
        assertEquals(1, inputs.inputOf(2));
        assertArrayEquals(new ChainLink[] {chain.link(1), chain.link(1)}, inputs.operatorsFed(chain));

        end(gate, 0);
        inputs.passInputEnds(chain);
        assertEquals(List.of(), ends, "channel 1 of input 0 goes on");
        end(gate, 2);
        inputs.passInputEnds(chain);
        assertEquals(List.of("join input 1"), ends);
        end(gate, 1);
        inputs.passInputEnds(chain);
        inputs.passInputEnds(chain);
        assertEquals(List.of("join input 1", "join input 0"), ends);
    }

    @Test
    void aGateNeedsAnOperatorInputPerChannel() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SubtaskInputs(gate(2), new int[] {0}, new int[] {0}));
        assertEquals("a gate of 2 channels needs as many operator inputs, got 1 and 1", e.getMessage());
    }
}
