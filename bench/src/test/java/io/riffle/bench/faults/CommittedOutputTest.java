package io.riffle.bench.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommittedOutputTest {
    @Test
    void committedPartFilesAndTheBatchFileAreRowsWithoutHeadersPendingAndHiddenFilesAreNot(@TempDir Path out)
            throws Exception {
        Path parts = Files.createDirectories(out.resolve("keyed-sum"));
        Files.writeString(parts.resolve("part-0-a-000000.csv"), "key,value\n1,10\n2,20\n");
        Files.writeString(parts.resolve("part-1-b-000000.csv"), "key,value\n3,30");
        Files.writeString(parts.resolve("part-1-b-000001.csv.pending"), "key,value\n4,40\n");
        Files.writeString(parts.resolve(".part-1-b-000002.csv.1234.tmp"), "key,value\n5,50\n");
        Files.writeString(out.resolve("keyed-sum.csv"), "key,value\n6,60\n");

        Path reference = Files.createDirectories(out.resolve("reference"));
        Files.writeString(reference.resolve("keyed-sum.csv"), "key,value\n6,60\n3,30\n2,20\n1,10\n");

        CommittedOutput.Diff diff = CommittedOutput.compare(CommittedOutput.rows(reference, "keyed-sum"),
                CommittedOutput.rows(out, "keyed-sum"));
        assertTrue(diff.identical(), diff.toString());
        assertEquals(4, diff.rows());
    }

    @Test
    void aDuplicatedRowIsExtraAndALostOneMissing(@TempDir Path dir) throws Exception {
        Path expected = Files.createDirectories(dir.resolve("expected"));
        Path actual = Files.createDirectories(dir.resolve("actual"));
        Files.writeString(expected.resolve("wordcount.csv"), "word,count\na,1\nb,2\nc,3\n");
        Files.writeString(actual.resolve("wordcount.csv"), "word,count\na,1\na,1\nc,3\nd,4\n");

        CommittedOutput.Diff diff = CommittedOutput.compare(CommittedOutput.rows(expected, "wordcount"),
                CommittedOutput.rows(actual, "wordcount"));
        assertEquals(new CommittedOutput.Diff(3, 4, 1, 2), diff);
    }
}
