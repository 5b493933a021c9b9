package io.gantry.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Struct;
import com.google.protobuf.util.Values;
import io.gantry.client.ArtifactDirectory;
import io.gantry.client.GantryClient;
import io.gantry.client.LocalArtifact;
import io.gantry.client.ResourceNames;
import io.gantry.client.TransferListener;
import io.gantry.proto.Manifests;
import io.gantry.tlog.NoteVerifier;
import io.gantry.v1.AttestationKey;
import io.gantry.v1.GetAttestationKeyRequest;
import io.gantry.v1.GetPromotionAttestationRequest;
import io.gantry.v1.PromotionAttestation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "attest", description = "Signed attestations of applied promotions (in-toto Statement v1 in a DSSE "
    + "envelope, Ed25519; docs/attestations.md).",
    subcommands = {AttestCommand.Get.class, AttestCommand.Key.class, AttestCommand.Verify.class})
final class AttestCommand extends CommandGroup {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PAYLOAD_TYPE = "application/vnd.in-toto+json";

  @Command(name = "get", description = "Print the DSSE envelope of an applied promotion (or write it to --out).")
  static final class Get implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(paramLabel = "PROMOTION", description = "promotions/UUID, or the UUID alone.")
    String promotion;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the envelope to FILE.")
    Path out;

    @Override
    public Integer call() throws IOException {
      String name = common.resourceName(() -> ResourceNames.promotion(promotion));
      PromotionAttestation attestation;
      try (GantryClient client = common.connect()) {
        attestation = client.attestations().getPromotionAttestation(GetPromotionAttestationRequest.newBuilder()
            .setName(name).build());
      }
      if (out != null) {
        Files.writeString(out, attestation.getEnvelope() + "\n");
        common.stdout().println("wrote the attestation of " + name + " to " + out);
      } else if (common.json()) {
        common.printer().message(attestation);
      } else {
        common.stdout().println(attestation.getEnvelope());
      }
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "key", description = "Print the public key that verifies attestations (PEM).")
  static final class Key implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Override
    public Integer call() {
      try (GantryClient client = common.connect()) {
        AttestationKey key = client.attestations().getAttestationKey(GetAttestationKeyRequest.getDefaultInstance());
        if (common.json()) {
          common.printer().message(key);
        } else {
          common.stdout().print(key.getPublicKeyPem());
        }
      }
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "verify", description = "Check an attestation offline: the Ed25519 signature over DSSE's PAE with "
      + "the given key, and with --files, that the files in a directory are the attested version's (their manifest "
      + "digest is the statement's subject digest). Exit code 1 when anything does not hold; -o json: one object "
      + "with what was checked, verified (true or false) and the problem.")
  static final class Verify implements Callable<Integer> {
    @Mixin CommonOptions common;

    /** What was checked, for -o json. */
    private final Struct.Builder report = Struct.newBuilder();

    @Parameters(paramLabel = "ENVELOPE", description = "The envelope file (gantry attest get --out).")
    Path envelopeFile;

    @Option(names = "--key", paramLabel = "PEM", required = true, description = "The public key (gantry attest key).")
    Path keyFile;

    @Option(names = "--files", paramLabel = "DIR", description = "The downloaded files of the attested version.")
    Path files;

    @Option(names = "--alias", paramLabel = "ALIAS",
        description = "Require the promotion to have moved this alias: a deploy gate on 'promoted to champion'.")
    String alias;

    @Option(names = "--model", paramLabel = "MODEL", description = "Require the attested version to be of this model.")
    String model;

    @Option(names = "--checkpoint", description = "Also prove, against the server's latest signed checkpoint, that "
        + "the move's audit event is in the log and is this promotion's (asks the server: --target; needs the "
        + "auditor role).")
    boolean checkpoint;

    @Option(names = "--audit-key", paramLabel = "KEY|@FILE",
        description = "With --checkpoint: check the checkpoint with this verifier key rather than the server's.")
    String auditKey;

    @Override
    public Integer call() {
      JsonNode envelope;
      PublicKey key;
      try {
        envelope = JSON.readTree(Files.readString(envelopeFile));
        key = publicKey(Files.readString(keyFile));
      } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
        throw common.usageError("cannot read the envelope or the key: " + e.getMessage());
      }
      if (!PAYLOAD_TYPE.equals(envelope.path("payloadType").asText())) {
        return verdict("not an in-toto envelope: payloadType is '"
            + envelope.path("payloadType").asText() + "'");
      }
      byte[] payload;
      try {
        payload = Base64.getDecoder().decode(envelope.path("payload").asText());
      } catch (IllegalArgumentException e) {
        return verdict("the payload is not base64");
      }
      String keyId = keyId(key);
      boolean signed = false;
      for (JsonNode signature : envelope.path("signatures")) {
        if (keyId.equals(signature.path("keyid").asText()) && verifies(key, payload, signature.path("sig").asText())) {
          signed = true;
        }
      }
      if (!signed) {
        return verdict("no signature of key " + keyId + " verifies this envelope");
      }
      JsonNode statement;
      try {
        statement = JSON.readTree(payload);
      } catch (IOException e) {
        return verdict("the payload is not a JSON statement");
      }
      JsonNode subject = statement.path("subject").path(0);
      JsonNode predicate = statement.path("predicate");
      say("signature  good (key %s)", keyId);
      say("subject    %s sha256:%s", subject.path("name").asText(), subject.path("digest").path("sha256").asText());
      say("promotion  %s moved %s to version %s (audit %s seq %s)", predicate.path("promotion").asText(),
          predicate.path("alias").asText(), predicate.path("version").asText(),
          predicate.path("audit").path("log").asText(), predicate.path("audit").path("seq").asText());
      report.putFields("key_id", Values.of(keyId))
          .putFields("subject", Values.of(subject.path("name").asText()))
          .putFields("subject_sha256", Values.of(subject.path("digest").path("sha256").asText()))
          .putFields("promotion", Values.of(predicate.path("promotion").asText()))
          .putFields("model", Values.of(predicate.path("model").asText()))
          .putFields("alias", Values.of(predicate.path("alias").asText()))
          .putFields("version", Values.of(predicate.path("version").asLong()))
          .putFields("audit_log", Values.of(predicate.path("audit").path("log").asText()))
          .putFields("audit_seq", Values.of(predicate.path("audit").path("seq").asLong()));
      if (alias != null && !alias.equals(predicate.path("alias").asText())) {
        return verdict("the attested promotion moved "
            + predicate.path("alias").asText() + ", not " + alias);
      }
      if (model != null && !ResourceNames.model(model).equals(predicate.path("model").asText())) {
        return verdict("the attested version is of " + predicate.path("model").asText()
            + ", not " + ResourceNames.model(model));
      }
      if (files != null) {
        String digest = manifestDigest(files);
        if (!digest.equals("sha256:" + subject.path("digest").path("sha256").asText())) {
          return verdict("the files in " + files + " are not the attested version's: "
              + "their manifest digest is " + digest);
        }
        say("files      match (%s)", digest);
        report.putFields("files_digest", Values.of(digest));
      }
      if (checkpoint) {
        String problem = moveProblem(predicate);
        if (problem != null) {
          return verdict("the move is not proven in the audit log: " + problem);
        }
      }
      return verdict(null);
    }

    /** A line of the text output; -o json prints the report at the end instead. */
    private void say(String format, Object... args) {
      if (!common.json()) {
        common.stdout().printf(format + "%n", args);
      }
    }

    /** The report (-o json), then the exit code: 0 when {@code problem} is null, else 1 with the problem on stderr. */
    private int verdict(String problem) {
      report.putFields("verified", Values.of(problem == null));
      if (problem != null) {
        report.putFields("problem", Values.of(problem));
      }
      if (common.json()) {
        common.printer().report(report.build());
      }
      return problem == null ? GantryCli.EXIT_OK : common.fail(GantryCli.EXIT_NOT_VERIFIED, problem);
    }

    /** Why the attested move is not proven to be in the audit log, or null once printed as proven. */
    private String moveProblem(JsonNode predicate) {
      long seq = predicate.path("audit").path("seq").asLong(-1);
      if (seq < 0) {
        return "the statement names no audit seq";
      }
      NoteVerifier pinned = auditKey == null ? null
          : AuditCommand.noteVerifier(AuditArguments.verifierKey(auditKey, common), common);
      try (GantryClient client = common.connect()) {
        AuditCommand.Inclusion inclusion = AuditCommand.prove(client, seq, 0, pinned, common);
        if (inclusion.problem() != null) {
          return inclusion.problem();
        }
        JsonNode event = JSON.readTree(inclusion.event());
        if (!"ALIAS_MOVED".equals(event.path("action").asText())
            || !predicate.path("promotion").asText().equals(event.path("payload").path("promotion").asText())) {
          return "event " + seq + " is not the ALIAS_MOVED event of " + predicate.path("promotion").asText();
        }
        say("audit      the move is event %d, included in the checkpoint of size %d (%s)", seq,
            inclusion.checkpoint().getTreeSize(), inclusion.checkpoint().getOrigin());
        report.putFields("checkpoint_size", Values.of(inclusion.checkpoint().getTreeSize()));
        return null;
      } catch (IOException e) {
        return "event " + seq + " is not JSON";
      }
    }

    private String manifestDigest(Path dir) {
      try {
        List<LocalArtifact> artifacts = ArtifactDirectory.hash(dir, ArtifactDirectory.regularFiles(dir),
            TransferListener.NONE);
        return Manifests.digest(artifacts.stream().map(LocalArtifact::header).toList());
      } catch (IOException | IllegalArgumentException e) {
        throw common.usageError("cannot read the files of " + dir + ": " + e.getMessage());
      }
    }
  }

  private static PublicKey publicKey(String pem) throws GeneralSecurityException {
    String base64 = pem.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "")
        .replaceAll("\\s", "");
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(Base64.getDecoder()
        .decode(base64)));
  }

  /** Hex SHA-256 of the raw 32-byte key: the last 32 bytes of its X.509 form. */
  private static String keyId(PublicKey key) {
    byte[] der = key.getEncoded();
    byte[] raw = java.util.Arrays.copyOfRange(der, der.length - 32, der.length);
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Ed25519 over DSSE's pre-authentication encoding of the payload. */
  private static boolean verifies(PublicKey key, byte[] payload, String signature) {
    try {
      Signature ed25519 = Signature.getInstance("Ed25519");
      ed25519.initVerify(key);
      ed25519.update(("DSSEv1 " + PAYLOAD_TYPE.length() + " " + PAYLOAD_TYPE + " " + payload.length + " ")
          .getBytes(StandardCharsets.UTF_8));
      ed25519.update(payload);
      return ed25519.verify(Base64.getDecoder().decode(signature));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }
}
