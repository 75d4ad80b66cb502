package io.riffle.engine.expr;

import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.batch.Validity;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FieldVector;

/**
 * Set operations on selections (ascending row indices) for OR and NOT, and the selection of a bool
 * column's true or false rows. Like the kernels: stateless, allocation-free once {@code out} is large
 * enough, and each loop writes every candidate row and advances only past the kept ones.
 */
final class Selections {
    private Selections() {
    }

    /** The rows in {@code a} or {@code b}; {@code out} must be neither. */
    static int union(SelectionVector a, SelectionVector b, SelectionVector out) {
        int na = a.size();
        int nb = b.size();
        out.ensureCapacity(na + nb);
        int[] x = a.rows();
        int[] y = b.rows();
        int[] rows = out.rows();
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < na && j < nb) {
            int u = x[i];
            int v = y[j];
            rows[k++] = Math.min(u, v);
            i += u <= v ? 1 : 0;
            j += v <= u ? 1 : 0;
        }
        while (i < na) {
            rows[k++] = x[i++];
        }
        while (j < nb) {
            rows[k++] = y[j++];
        }
        out.setSize(k);
        return k;
    }

    /** The rows in {@code a} but not in {@code b}; {@code out} must be neither. */
    static int difference(SelectionVector a, SelectionVector b, SelectionVector out) {
        int na = a.size();
        int nb = b.size();
        out.ensureCapacity(na);
        int[] x = a.rows();
        int[] y = b.rows();
        int[] rows = out.rows();
        int j = 0;
        int k = 0;
        for (int i = 0; i < na; i++) {
            int u = x[i];
            while (j < nb && y[j] < u) {
                j++;
            }
            boolean drop = j < nb && y[j] == u;
            rows[k] = u;
            k += drop ? 0 : 1;
        }
        out.setSize(k);
        return k;
    }

    /**
     * The rows of {@code in} (null: rows {@code 0 .. rowCount - 1}) where the bool vector holds
     * {@code want}; null values never match. {@code in} and {@code out} may be the same.
     */
    static int selectBools(FieldVector bools, boolean want, int rowCount, SelectionVector in, SelectionVector out) {
        int n = in == null ? rowCount : in.size();
        out.ensureCapacity(n);
        int[] source = in == null ? null : in.rows();
        int[] rows = out.rows();
        long data = bools.getDataBufferAddress();
        long validity = Validity.hasNulls(bools) ? bools.getValidityBufferAddress() : 0L;
        int wanted = want ? 1 : 0;
        int k = 0;
        for (int j = 0; j < n; j++) {
            int i = source == null ? j : source[j];
            boolean keep = bit(data, i) == wanted & (validity == 0L || bit(validity, i) == 1);
            rows[k] = i;
            k += keep ? 1 : 0;
        }
        out.setSize(k);
        return k;
    }

    private static int bit(long address, int row) {
        return (MemoryUtil.getByte(address + (row >>> 3)) >>> (row & 7)) & 1;
    }
}
