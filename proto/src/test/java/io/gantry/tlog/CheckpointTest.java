package io.gantry.tlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckpointTest {

  /** The example of c2sp.org/tlog-checkpoint. */
  private static final String SPEC_EXAMPLE =
      "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

  private static final byte[] ROOT = Base64.getDecoder().decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");

  @Test
  void bodyIsOriginSizeAndBase64RootEachOnALine() {
    assertThat(new Checkpoint("example.com/behind-the-sofa", 20852163, ROOT).body()).isEqualTo(SPEC_EXAMPLE);
    assertThat(new Checkpoint("gantry.example/audit", 0, MerkleTree.emptyRootHash()).body())
        .isEqualTo("gantry.example/audit\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
  }

  @Test
  void parsesTheSpecExample() {
    Checkpoint checkpoint = Checkpoint.parse(SPEC_EXAMPLE);
    assertThat(checkpoint.origin()).isEqualTo("example.com/behind-the-sofa");
    assertThat(checkpoint.treeSize()).isEqualTo(20852163);
    assertThat(checkpoint.rootHash()).isEqualTo(ROOT);
    assertThat(checkpoint.extensions()).isEmpty();
    assertThat(checkpoint).isEqualTo(new Checkpoint("example.com/behind-the-sofa", 20852163, ROOT));
  }

  @Test
  void keepsExtensionLines() {
    String body = SPEC_EXAMPLE + "— not a signature\nx\n";
    Checkpoint checkpoint = Checkpoint.parse(body);
    assertThat(checkpoint.extensions()).containsExactly("— not a signature", "x");
    assertThat(checkpoint.body()).isEqualTo(body);
  }

  @Test
  void parseRoundTripsEveryBody() {
    for (long size : new long[] {0, 1, 9, 10, Long.MAX_VALUE}) {
      Checkpoint checkpoint = new Checkpoint("o", size, ROOT, List.of("ext"));
      assertThat(Checkpoint.parse(checkpoint.body())).isEqualTo(checkpoint).hasSameHashCodeAs(checkpoint);
    }
  }

  @Test
  void rejectsABodyNotEndingInANewline() {
    assertThatThrownBy(() -> Checkpoint.parse(SPEC_EXAMPLE.stripTrailing()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("checkpoint must end with a newline");
  }

  @Test
  void rejectsMissingAndEmptyLines() {
    assertThatThrownBy(() -> Checkpoint.parse("example.com/log\n5\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("checkpoint must have an origin, a tree size and a root hash line, got 2 line(s)");
    assertThatThrownBy(() -> Checkpoint.parse("\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("checkpoint must have an origin, a tree size and a root hash line, got 1 line(s)");
    assertThatThrownBy(() -> Checkpoint.parse("\n" + SPEC_EXAMPLE.substring(SPEC_EXAMPLE.indexOf('\n') + 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("origin must not be empty");
    assertThatThrownBy(() -> Checkpoint.parse(SPEC_EXAMPLE + "\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("extension line must not be empty");
  }

  @Test
  void rejectsABadTreeSize() {
    for (String size : new String[] {"", "01", "-1", "+1", "1e3", " 1", "1_000", "٣"}) {
      assertThatThrownBy(() -> Checkpoint.parse("o\n" + size + "\n" + base64(ROOT) + "\n"))
          .as("size '%s'", size)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("tree size must be a decimal number without leading zeros, got '" + size + "'");
    }
    assertThatThrownBy(() -> Checkpoint.parse("o\n9223372036854775808\n" + base64(ROOT) + "\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tree size 9223372036854775808 is too large");
  }

  @Test
  void rejectsARootHashThatIsNotCanonicalBase64() {
    String canonical = base64(ROOT);
    String[] bad = {
      "", canonical.replace("=", ""), canonical + "=", canonical.replace('/', '_'), " " + canonical,
      canonical.replace("2I=", "2J="), // the same bytes, with a padding bit set
    };
    for (String hash : bad) {
      assertThatThrownBy(() -> Checkpoint.parse("o\n1\n" + hash + "\n"))
          .as("hash '%s'", hash)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("root hash must be ");
    }
  }

  @Test
  void rejectsARootHashOfTheWrongLength() {
    assertThatThrownBy(() -> Checkpoint.parse("o\n1\n" + base64(new byte[31]) + "\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("root hash must be 32 bytes, got 31");
    assertThatThrownBy(() -> new Checkpoint("o", 1, new byte[33]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("root hash must be 32 bytes, got 33");
  }

  @Test
  void constructorRejectsWhatCouldNotBeALine() {
    assertThatThrownBy(() -> new Checkpoint("a\nb", 1, ROOT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("origin must be one line of text without control characters, got 'a\nb'");
    assertThatThrownBy(() -> new Checkpoint("a\tb", 1, ROOT)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Checkpoint("", 1, ROOT)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Checkpoint("o", -1, ROOT)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Checkpoint("o", 1, ROOT, List.of(""))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Checkpoint.parse("o\n1\n" + base64(ROOT) + "\nx\ry\n"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void isImmutable() {
    byte[] root = ROOT.clone();
    Checkpoint checkpoint = new Checkpoint("o", 1, root);
    root[0] ^= 1;
    checkpoint.rootHash()[0] ^= 1;
    assertThat(checkpoint.rootHash()).isEqualTo(ROOT);
  }

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }
}
