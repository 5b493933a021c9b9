package io.gantry.server.attestation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gantry.proto.Structs;
import io.gantry.server.TestRegistry;
import io.gantry.server.artifact.Transfers;
import io.gantry.server.artifact.Transfers.Upload;
import io.gantry.v1.ArtifactsGrpc;
import io.gantry.v1.AttestationsGrpc;
import io.gantry.v1.AuditAction;
import io.gantry.v1.AuditGrpc;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.FinalizeVersionRequest;
import io.gantry.v1.GetAttestationKeyRequest;
import io.gantry.v1.GetPromotionAttestationRequest;
import io.gantry.v1.ListAuditEventsRequest;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.PolicyBinding;
import io.gantry.v1.PolicySpec;
import io.gantry.v1.Promotion;
import io.gantry.v1.PromotionAttestation;
import io.gantry.v1.PromotionState;
import io.gantry.v1.RequestPromotionRequest;
import io.gantry.v1.SetPromotionPolicyRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Attestations of applied promotions, checked the way a third party would: DSSE over PAE, Ed25519, the subject. */
class AttestationApiTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static AttestationsGrpc.AttestationsBlockingStub attestations() {
    return AttestationsGrpc.newBlockingStub(TestRegistry.channel());
  }

  /** A model whose version 1 holds files Gantry stores, so its subject digest is its manifest digest. */
  private static ModelVersion storedVersion(String model) {
    TestRegistry.registry("erin").createModel(CreateModelRequest.newBuilder().setModelId(model).build());
    ModelVersion version = TestRegistry.registry("erin").createModelVersion(CreateModelVersionRequest.newBuilder()
        .setParent("models/" + model).setManagedArtifacts(true).build());
    Upload mlmodel = Upload.of("MLmodel", "flavors: {}\n".getBytes(StandardCharsets.UTF_8));
    Transfers.upload("erin", version.getName(), mlmodel);
    return ModelVersion.newBuilder(version).setManifestDigest(ArtifactsGrpc.newBlockingStub(TestRegistry.channel())
        .finalizeVersion(FinalizeVersionRequest.newBuilder().setName(version.getName())
            .addFiles(mlmodel.header()).build()).getManifestDigest()).build();
  }

  static PublicKey publicKey(String pem) throws Exception {
    String base64 = pem.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "")
        .replaceAll("\\s", "");
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(Base64.getDecoder()
        .decode(base64)));
  }

  static boolean verifies(PublicKey key, String payloadType, byte[] payload, byte[] signature) throws Exception {
    Signature ed25519 = Signature.getInstance("Ed25519");
    ed25519.initVerify(key);
    ed25519.update(("DSSEv1 " + payloadType.length() + " " + payloadType + " " + payload.length + " ")
        .getBytes(StandardCharsets.UTF_8));
    ed25519.update(payload);
    return ed25519.verify(signature);
  }

  @Test
  void anAppliedPromotion_hasASignedStatement_aThirdPartyCanCheck() throws Exception {
    String model = TestRegistry.uniqueModel("attested");
    ModelVersion version = storedVersion(model);
    Promotion applied = TestRegistry.promotions("carol").requestPromotion(RequestPromotionRequest.newBuilder()
        .setModel("models/" + model).setAlias("champion").setVersion(1).build());
    assertThat(applied.getState()).isEqualTo(PromotionState.PROMOTION_STATE_APPLIED);

    PromotionAttestation attestation = attestations().getPromotionAttestation(GetPromotionAttestationRequest
        .newBuilder().setName(applied.getName()).build());
    JsonNode envelope = JSON.readTree(attestation.getEnvelope());
    assertThat(envelope.get("payloadType").asText()).isEqualTo("application/vnd.in-toto+json");
    byte[] payload = Base64.getDecoder().decode(envelope.get("payload").asText());
    assertThat(new String(payload, StandardCharsets.UTF_8)).isEqualTo(attestation.getStatement());
    JsonNode signature = envelope.get("signatures").get(0);
    var key = attestations().getAttestationKey(GetAttestationKeyRequest.getDefaultInstance());
    assertThat(signature.get("keyid").asText()).isEqualTo(key.getKeyId()).isEqualTo(attestation.getKeyId());
    byte[] sig = Base64.getDecoder().decode(signature.get("sig").asText());
    assertThat(verifies(publicKey(key.getPublicKeyPem()), "application/vnd.in-toto+json", payload, sig)).isTrue();

    JsonNode statement = JSON.readTree(payload);
    assertThat(statement.get("_type").asText()).isEqualTo("https://in-toto.io/Statement/v1");
    assertThat(statement.get("predicateType").asText()).isEqualTo("https://gantry.dev/attestations/promotion/v1");
    JsonNode subject = statement.get("subject").get(0);
    assertThat(subject.get("name").asText()).isEqualTo("models/" + model + "/versions/1");
    assertThat("sha256:" + subject.get("digest").get("sha256").asText()).isEqualTo(version.getManifestDigest());
    JsonNode predicate = statement.get("predicate");
    assertThat(predicate.get("alias").asText()).isEqualTo("champion");
    assertThat(predicate.get("requester").asText()).isEqualTo("carol");
    assertThat(predicate.get("policy_set_digest").asText()).isEqualTo(applied.getPolicySetDigest());
    long moveSeq = AuditGrpc.newBlockingStub(TestRegistry.channel()).listAuditEvents(ListAuditEventsRequest
        .newBuilder().setResourcePrefix("models/" + model + "/aliases/champion")
        .setAction(AuditAction.AUDIT_ACTION_ALIAS_MOVED).build()).getEvents(0).getSeq();
    assertThat(predicate.get("audit").get("seq").asLong()).isEqualTo(moveSeq);

    assertThat(attestations().getPromotionAttestation(GetPromotionAttestationRequest.newBuilder()
        .setName(applied.getName()).build()).getEnvelope()).as("the same bytes every time")
        .isEqualTo(attestation.getEnvelope());
    byte[] tampered = attestation.getStatement().replace("champion", "championx").getBytes(StandardCharsets.UTF_8);
    assertThat(verifies(publicKey(key.getPublicKeyPem()), "application/vnd.in-toto+json", tampered, sig)).isFalse();
  }

  @Test
  void aPromotionThatDidNotApply_hasNoAttestation() {
    String model = TestRegistry.uniqueModel("unattested");
    storedVersion(model);
    TestRegistry.promotions("admin").setPromotionPolicy(SetPromotionPolicyRequest.newBuilder().setBinding(
        PolicyBinding.newBuilder().setModelPattern(model).setAlias("champion").addPolicies(PolicySpec.newBuilder()
            .setType("approvals").setParams(Structs.toStruct(Map.of("count", 1))))).build());
    Promotion waiting = TestRegistry.promotions("carol").requestPromotion(RequestPromotionRequest.newBuilder()
        .setModel("models/" + model).setAlias("champion").setVersion(1).build());
    var refused = catchThrowableOfType(() -> attestations().getPromotionAttestation(GetPromotionAttestationRequest
        .newBuilder().setName(waiting.getName()).build()), StatusRuntimeException.class);
    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(TestRegistry.errorInfo(refused).getReason()).isEqualTo("PROMOTION_NOT_APPLIED");
    assertThat(refused.getStatus().getDescription()).contains("awaiting_approval");
  }
}
