package io.gantry.server.attestation;

import static io.gantry.db.Tables.AUDIT_EVENT;

import io.gantry.server.audit.Action;
import io.gantry.server.common.CanonicalJson;
import io.gantry.server.common.Digests;
import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import io.gantry.server.promotion.CandidateMapper;
import io.gantry.server.promotion.Promotion;
import io.gantry.server.promotion.PromotionRepository;
import io.gantry.server.version.VersionRepository;
import io.gantry.tlog.NoteSigner;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Signed promotion attestations: for an applied promotion, an in-toto Statement v1 in a DSSE envelope signed with the
 * server's Ed25519 attestation key. The statement is built from what the registry stored when the promotion applied,
 * in canonical JSON, and Ed25519 signatures are deterministic: asking again gives the same bytes.
 */
public final class AttestationService {

  public static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
  public static final String PREDICATE_TYPE = "https://gantry.dev/attestations/promotion/v1";
  public static final String PAYLOAD_TYPE = "application/vnd.in-toto+json";

  /** An attestation: the envelope, the statement it carries, and the key that signed it. */
  public record Attestation(String promotion, String envelope, String statement, String keyId) {}

  private final DSLContext dsl;
  private final PromotionRepository promotions;
  private final VersionRepository versions;
  private final NoteSigner key;
  private final String auditLog;

  /** @param auditLog the audit log's origin, naming the log the move's seq belongs to */
  public AttestationService(DSLContext dsl, PromotionRepository promotions, VersionRepository versions, NoteSigner key,
      String auditLog) {
    this.dsl = dsl;
    this.promotions = promotions;
    this.versions = versions;
    this.key = key;
    this.auditLog = auditLog;
  }

  public String keyId() {
    return HexFormat.of().formatHex(Digests.sha256(key.publicKey()));
  }

  /** The public key, PEM. */
  public String publicKeyPem() {
    return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(key.publicKeyDer()) + "\n-----END PUBLIC KEY-----\n";
  }

  public Attestation attest(UUID id) {
    Promotion promotion = promotions.find(dsl, id).orElseThrow(() -> new GantryException(
        ErrorCode.PROMOTION_NOT_FOUND, "promotion promotions/" + id + " not found"));
    if (promotion.state() != Promotion.State.APPLIED || promotion.version().isEmpty()) {
      throw new GantryException(ErrorCode.PROMOTION_NOT_APPLIED, promotion.name() + " is "
          + promotion.state().name().toLowerCase() + (promotion.version().isEmpty() ? " (a removal)" : "")
          + ": only a promotion that moved an alias to a version has an attestation");
    }
    int number = promotion.version().get();
    var version = versions.find(dsl, promotion.modelId(), number).orElseThrow();
    String digest = CandidateMapper.contentDigest(version);
    Map<String, Object> predicate = new LinkedHashMap<>();
    predicate.put("promotion", promotion.name());
    predicate.put("model", "models/" + promotion.modelId());
    predicate.put("version", number);
    predicate.put("alias", promotion.alias());
    predicate.put("content_digest", digest);
    predicate.put("policy_set_digest", promotion.policySetDigest());
    List<Map<String, Object>> verdicts = new ArrayList<>();
    promotion.verdicts().forEach(v -> verdicts.add(Map.of("policy", v.policy(), "outcome", v.outcome().name(),
        "message", v.message())));
    predicate.put("verdicts", verdicts);
    List<Map<String, Object>> approvals = new ArrayList<>();
    promotion.decisions().stream().filter(Promotion.Decision::approved).forEach(d -> approvals.add(Map.of(
        "principal", d.principal(), "time", d.time().toInstant().toString(), "comment", d.comment())));
    predicate.put("approvals", approvals);
    predicate.put("requester", promotion.requester());
    predicate.put("applied_time", promotion.updateTime().toInstant().toString());
    predicate.put("audit", Map.of("log", auditLog, "seq", moveSeq(promotion)));
    Map<String, Object> statement = new LinkedHashMap<>();
    statement.put("_type", STATEMENT_TYPE);
    statement.put("subject", List.of(Map.of("name", "models/" + promotion.modelId() + "/versions/" + number,
        "digest", Map.of("sha256", digest.substring(digest.indexOf(':') + 1)))));
    statement.put("predicateType", PREDICATE_TYPE);
    statement.put("predicate", predicate);
    String statementJson = CanonicalJson.write(statement);
    byte[] payload = statementJson.getBytes(StandardCharsets.UTF_8);
    byte[] signature = key.signBytes(pae(PAYLOAD_TYPE, payload));
    String envelope = CanonicalJson.write(Map.of(
        "payloadType", PAYLOAD_TYPE,
        "payload", Base64.getEncoder().encodeToString(payload),
        "signatures", List.of(Map.of("keyid", keyId(), "sig", Base64.getEncoder().encodeToString(signature)))));
    return new Attestation(promotion.name(), envelope, statementJson, keyId());
  }

  /** DSSE's pre-authentication encoding: what the signature covers. */
  public static byte[] pae(String payloadType, byte[] payload) {
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    byte[] head = ("DSSEv1 " + type.length + " " + payloadType + " " + payload.length + " ")
        .getBytes(StandardCharsets.UTF_8);
    byte[] pae = new byte[head.length + payload.length];
    System.arraycopy(head, 0, pae, 0, head.length);
    System.arraycopy(payload, 0, pae, head.length, payload.length);
    return pae;
  }

  /** The seq of the ALIAS_MOVED event the promotion recorded when it applied. */
  private long moveSeq(Promotion promotion) {
    Long seq = dsl.select(AUDIT_EVENT.SEQ).from(AUDIT_EVENT)
        .where(AUDIT_EVENT.RESOURCE.eq(promotion.aliasName()))
        .and(AUDIT_EVENT.ACTION.eq(Action.ALIAS_MOVED.name()))
        .and(AUDIT_EVENT.CANONICAL.contains("\"promotion\":\"" + promotion.name() + "\""))
        .orderBy(AUDIT_EVENT.SEQ)
        .limit(1)
        .fetchOne(AUDIT_EVENT.SEQ);
    if (seq == null) {
      throw new IllegalStateException("no ALIAS_MOVED event records " + promotion.name());
    }
    return seq;
  }
}
