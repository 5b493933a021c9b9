package io.gantry.tlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SignatureException;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** {@link NoteSigner} and {@link NoteVerifier}, against each other and against Go's golang.org/x/mod/sumdb/note. */
class SignedNoteTest {

  // From golang.org/x/mod/sumdb/note, note_test.go (TestSign, TestOpen): a key pair, a text and its
  // signed notes. Ed25519 signatures are deterministic, so ours must match byte for byte.
  private static final String PETER_SIGNER_KEY =
      "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
  private static final String PETER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
  private static final String ENOCH_KEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
  private static final String TEXT =
      "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
  private static final String PETER_SIGNATURE = "— PeterNeumann "
      + "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
  private static final String ENOCH_SIGNATURE = "— EnochRoot "
      + "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

  @Test
  void signsExactlyAsGoDoes() {
    NoteSigner signer = NoteSigner.parse(PETER_SIGNER_KEY);
    assertThat(signer.name()).isEqualTo("PeterNeumann");
    assertThat(signer.verifierKey()).isEqualTo(PETER_KEY);
    assertThat(signer.signerKey()).isEqualTo(PETER_SIGNER_KEY);
    assertThat(signer.sign(TEXT)).isEqualTo(TEXT + "\n" + PETER_SIGNATURE);
  }

  @Test
  void verifiesGoNotesIgnoringSignaturesByOtherKeys() throws SignatureException {
    String note = TEXT + "\n" + PETER_SIGNATURE + ENOCH_SIGNATURE;
    assertThat(NoteVerifier.parse(PETER_KEY).verify(note)).isEqualTo(TEXT);
    assertThat(NoteVerifier.parse(ENOCH_KEY).verify(note)).isEqualTo(TEXT);
    assertThat(NoteVerifier.parse(ENOCH_KEY).verify(TEXT + "\n" + ENOCH_SIGNATURE)).isEqualTo(TEXT);
  }

  @Test
  void rejectsANoteWithoutASignatureByTheKey() {
    assertThatThrownBy(() -> NoteVerifier.parse(ENOCH_KEY).verify(TEXT + "\n" + PETER_SIGNATURE))
        .isInstanceOf(SignatureException.class)
        .hasMessage("the note is not signed by key EnochRoot+af0cfe78");
    // The same name with another key ID is another key.
    String otherId = PETER_SIGNATURE.replace("x08go", "xxxxx");
    assertThatThrownBy(() -> NoteVerifier.parse(PETER_KEY).verify(TEXT + "\n" + otherId))
        .isInstanceOf(SignatureException.class)
        .hasMessage("the note is not signed by key PeterNeumann+c74f20a3");
  }

  @Test
  void rejectsAnInvalidSignatureByTheKeyEvenBesideAValidOne() {
    // Go's TestOpen: four base64 characters inserted into the signature.
    String mangled = PETER_SIGNATURE.substring(0, 60) + "ABCD" + PETER_SIGNATURE.substring(60);
    NoteVerifier peter = NoteVerifier.parse(PETER_KEY);
    assertThatThrownBy(() -> peter.verify(TEXT + "\n" + mangled))
        .isInstanceOf(SignatureException.class)
        .hasMessage("the signature by key PeterNeumann+c74f20a3 is not valid");
    assertThatThrownBy(() -> peter.verify(TEXT + "\n" + PETER_SIGNATURE + mangled))
        .isInstanceOf(SignatureException.class)
        .hasMessage("the signature by key PeterNeumann+c74f20a3 is not valid");
  }

  @Test
  void rejectsMalformedNotes() {
    NoteVerifier peter = NoteVerifier.parse(PETER_KEY);
    // Go's TestOpen, then more.
    String[] malformed = {
      TEXT,
      TEXT + "\n",
      TEXT + "\n" + PETER_SIGNATURE.substring(0, PETER_SIGNATURE.length() - 1),
      "\u0001" + TEXT + "\n" + PETER_SIGNATURE,
      "\ud800" + TEXT + "\n" + PETER_SIGNATURE,
      TEXT + "\n" + PETER_SIGNATURE.replace("PeterNeumann", "Bad Name"),
      TEXT + "\n" + PETER_SIGNATURE + "Unexpected line.\n",
      TEXT + "\n" + PETER_SIGNATURE.replace("—", "-"),
      TEXT + "\n" + PETER_SIGNATURE.replace("M=\n", "M\n"),
      TEXT + "\n" + "— PeterNeumann \n",
      TEXT + "\n" + "— PeterNeumann xw==\n",
      TEXT.replace("\n", "\r\n") + "\r\n" + PETER_SIGNATURE,
      TEXT + "\n" + PETER_SIGNATURE.repeat(NoteVerifier.MAX_SIGNATURES + 1),
    };
    for (String note : malformed) {
      assertThatThrownBy(() -> peter.verify(note))
          .as("%s", note)
          .isInstanceOf(SignatureException.class)
          .hasMessageStartingWith("malformed signed note: ");
    }
  }

  @Test
  void textMayHoldBlankLinesAndSignatureLookalikes() throws SignatureException {
    NoteSigner signer = NoteSigner.generate("gantry.example/audit");
    String text = "a\n\n\u2014 gantry.example/audit not-a-signature\n\nb\n";
    assertThat(signer.verifier().verify(signer.sign(text))).isEqualTo(text);
  }

  @Test
  void signsAndVerifiesACheckpoint() throws SignatureException {
    NoteSigner signer = NoteSigner.generate("gantry.example/audit");
    Checkpoint checkpoint = new Checkpoint("gantry.example/audit", 7, MerkleTree.leafHash(new byte[0]));
    String note = signer.sign(checkpoint.body());
    assertThat(note).startsWith(checkpoint.body() + "\n— gantry.example/audit ").endsWith("\n");
    assertThat(note.lines().count()).isEqualTo(5);
    NoteVerifier verifier = NoteVerifier.parse(signer.verifierKey());
    assertThat(verifier.verifyCheckpoint(note)).isEqualTo(checkpoint);
  }

  @Test
  void aValidlySignedNoteThatIsNoCheckpoint_isRefusedAsACheckpoint() {
    NoteSigner signer = NoteSigner.generate("gantry.example/audit");

    Throwable refused = catchThrowable(() -> signer.verifier().verifyCheckpoint(signer.sign("hello\n")));

    assertThat(refused).isInstanceOf(SignatureException.class).hasMessageStartingWith("the signed text is not a checkpoint");
  }

  @Test
  void rejectsTamperedTextOrSignature() {
    NoteSigner signer = NoteSigner.generate("gantry.example/audit");
    String note = signer.sign("gantry.example/audit\n7\n" + Base64.getEncoder().encodeToString(new byte[32]) + "\n");
    NoteVerifier verifier = signer.verifier();
    assertThatThrownBy(() -> verifier.verify(note.replace("\n7\n", "\n8\n")))
        .isInstanceOf(SignatureException.class)
        .hasMessageEndingWith("is not valid");
    int last = note.length() - 4; // a base64 character holding no padding bits
    String flipped = note.substring(0, last) + (note.charAt(last) == 'A' ? 'B' : 'A') + note.substring(last + 1);
    assertThatThrownBy(() -> verifier.verify(flipped))
        .isInstanceOf(SignatureException.class)
        .hasMessageEndingWith("is not valid");
  }

  @Test
  void anotherKeyWithTheSameNameDoesNotVerify() {
    NoteSigner signer = NoteSigner.generate("gantry.example/audit");
    NoteSigner impostor = NoteSigner.generate("gantry.example/audit");
    String note = impostor.sign("text\n");
    assertThatThrownBy(() -> signer.verifier().verify(note))
        .isInstanceOf(SignatureException.class)
        .hasMessageStartingWith("the note is not signed by key gantry.example/audit+");
  }

  @Test
  void verifierKeyIsNamePlusKeyIdPlusTypedPublicKey() throws Exception {
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    NoteSigner signer = NoteSigner.of("gantry.example/audit", pair);
    byte[] publicKey = Ed25519.publicKey(pair.getPublic());
    byte[] typedKey = new byte[33];
    typedKey[0] = 1;
    System.arraycopy(publicKey, 0, typedKey, 1, 32);
    byte[] hashInput = ("gantry.example/audit\n").getBytes();
    var sha256 = MerkleTree.sha256();
    sha256.update(hashInput);
    sha256.update(typedKey);
    String keyId = HexFormat.of().formatHex(sha256.digest(), 0, 4);
    assertThat(signer.verifierKey())
        .isEqualTo("gantry.example/audit+" + keyId + "+" + Base64.getEncoder().encodeToString(typedKey));
    assertThat(signer.toString()).isEqualTo("NoteSigner[" + signer.verifierKey() + "]");
  }

  @Test
  void privateKeyRoundTripsThroughPkcs8AndSignerKey() throws SignatureException {
    NoteSigner signer = NoteSigner.generate("gantry.example/audit");
    byte[] pkcs8 = signer.privateKeyPkcs8();
    assertThat(HexFormat.of().formatHex(pkcs8)).startsWith("302e020100300506032b657004220420");
    NoteSigner fromPkcs8 = NoteSigner.fromPkcs8("gantry.example/audit", pkcs8);
    NoteSigner fromSignerKey = NoteSigner.parse(signer.signerKey());
    assertThat(fromPkcs8.verifierKey()).isEqualTo(signer.verifierKey());
    assertThat(fromSignerKey.verifierKey()).isEqualTo(signer.verifierKey());
    assertThat(signer.verifier().verify(fromPkcs8.sign("x\n"))).isEqualTo("x\n");
    assertThat(fromPkcs8.sign("x\n")).isEqualTo(signer.sign("x\n"));
  }

  @Test
  void rejectsKeysThatDoNotMatch() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
    KeyPair one = generator.generateKeyPair();
    KeyPair two = generator.generateKeyPair();
    assertThatThrownBy(() -> NoteSigner.of("n", new KeyPair(one.getPublic(), two.getPrivate())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the public key does not belong to the private key");
    KeyPair ec = KeyPairGenerator.getInstance("EC").generateKeyPair();
    assertThatThrownBy(() -> NoteSigner.of("n", ec)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NoteSigner.fromPkcs8("n", ec.getPrivate().getEncoded()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NoteSigner.fromPkcs8("n", new byte[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a PKCS#8 Ed25519 private key");
  }

  @Test
  void rejectsInvalidKeyNames() {
    String[] invalid = {"", "a b", "a+b", "a\tb", "a\u00a0b", "a\u2003b", "a\u0085b", "a\nb", "\ud800"};
    for (String name : invalid) {
      assertThatThrownBy(() -> NoteSigner.generate(name))
          .as("'%s'", name)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(NoteSigner.generate("gantry.example/audit/ünïcödé").name()).isEqualTo("gantry.example/audit/ünïcödé");
  }

  @Test
  void signRejectsTextThatCannotBeANote() {
    NoteSigner signer = NoteSigner.parse(PETER_SIGNER_KEY);
    assertThatThrownBy(() -> signer.sign("abc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("note text must end with a newline");
    assertThatThrownBy(() -> signer.sign("a\rb\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("note text must not hold control characters other than newline");
  }

  @Test
  void rejectsEveryManglingOfAVerifierKey() {
    // Go's TestNewVerifier: every proper substring and every single-character change.
    assertThat(NoteVerifier.parse(PETER_KEY).name()).isEqualTo("PeterNeumann");
    for (int i = 0; i <= PETER_KEY.length(); i++) {
      for (int j = i + 1; j <= PETER_KEY.length(); j++) {
        if (i != 0 || j != PETER_KEY.length()) {
          String key = PETER_KEY.substring(i, j);
          assertThatThrownBy(() -> NoteVerifier.parse(key)).as(key).isInstanceOf(IllegalArgumentException.class);
        }
      }
    }
    for (int i = 0; i < PETER_KEY.length(); i++) {
      String key = PETER_KEY.substring(0, i) + (char) (PETER_KEY.charAt(i) + 1) + PETER_KEY.substring(i + 1);
      assertThatThrownBy(() -> NoteVerifier.parse(key)).as(key).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void explainsWhatIsWrongWithAVerifierKey() {
    String usage = "a verifier key is <name>+<hex key ID>+<base64 key>; ";
    assertThatThrownBy(() -> NoteVerifier.parse("PeterNeumann"))
        .hasMessage(usage + "this one has no two plus signs");
    assertThatThrownBy(() -> NoteVerifier.parse("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"))
        .hasMessage(usage + "the name is empty or holds spaces or control characters");
    assertThatThrownBy(() -> NoteVerifier.parse("PeterNeumann+c74f20+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"))
        .hasMessage(usage + "the key ID is not 8 hex digits");
    assertThatThrownBy(() -> NoteVerifier.parse("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T"))
        .hasMessage(usage + "the key is not base64");
    // Go's: a key of the wrong length and one of an unknown type, each with the key ID to match. (The
    // first is not even canonical base64: "EY==" has padding bits set.)
    assertThatThrownBy(() -> NoteVerifier.parse(
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="))
        .hasMessage(usage + "the key is not base64");
    assertThatThrownBy(() -> NoteVerifier.parse("PeterNeumann+c74f20a3+AQ" + "A".repeat(41) + "="))
        .hasMessage(usage + "an Ed25519 key is 32 bytes, got 31");
    assertThatThrownBy(() -> NoteVerifier.parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"))
        .hasMessage(usage + "the key is not of signature type 0x01 (Ed25519) but 0x65");
    assertThatThrownBy(() -> NoteVerifier.parse("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"))
        .hasMessage("the key ID c74f20a4 of the verifier key is not that of its name and key, c74f20a3");
  }

  @Test
  void rejectsEveryManglingOfASignerKeyWithoutQuotingIt() {
    // Go's TestNewSigner.
    for (int i = 0; i <= PETER_SIGNER_KEY.length(); i++) {
      for (int j = i + 1; j <= PETER_SIGNER_KEY.length(); j++) {
        if (i != 0 || j != PETER_SIGNER_KEY.length()) {
          assertRejectedSignerKey(PETER_SIGNER_KEY.substring(i, j));
        }
      }
    }
    for (int i = 0; i < PETER_SIGNER_KEY.length(); i++) {
      assertRejectedSignerKey(PETER_SIGNER_KEY.substring(0, i) + (char) (PETER_SIGNER_KEY.charAt(i) + 1)
          + PETER_SIGNER_KEY.substring(i + 1));
    }
  }

  private static void assertRejectedSignerKey(String key) {
    String secret = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    assertThatThrownBy(() -> NoteSigner.parse(key))
        .as(key)
        .isInstanceOf(IllegalArgumentException.class)
        .message()
        .doesNotContain(secret.substring(0, 8), secret.substring(25, 33));
  }
}
