package io.gantry.server.api;

import io.gantry.server.attestation.AttestationService;
import io.gantry.server.common.Names;
import io.gantry.v1.AttestationKey;
import io.gantry.v1.AttestationsGrpc;
import io.gantry.v1.GetAttestationKeyRequest;
import io.gantry.v1.GetPromotionAttestationRequest;
import io.gantry.v1.PromotionAttestation;
import io.grpc.stub.StreamObserver;

/** The gRPC face of {@code gantry.v1.Attestations}. No rules live here. */
public final class AttestationsEndpoint extends AttestationsGrpc.AttestationsImplBase {

  private final AttestationService attestations;

  public AttestationsEndpoint(AttestationService attestations) {
    this.attestations = attestations;
  }

  @Override
  public void getPromotionAttestation(GetPromotionAttestationRequest request,
      StreamObserver<PromotionAttestation> observer) {
    Rpc.unary(observer, () -> {
      var attestation = attestations.attest(Names.parsePromotionName("name", request.getName()));
      return PromotionAttestation.newBuilder().setPromotion(attestation.promotion())
          .setEnvelope(attestation.envelope()).setStatement(attestation.statement())
          .setKeyId(attestation.keyId()).build();
    });
  }

  @Override
  public void getAttestationKey(GetAttestationKeyRequest request, StreamObserver<AttestationKey> observer) {
    Rpc.unary(observer, () -> AttestationKey.newBuilder().setKeyId(attestations.keyId())
        .setPublicKeyPem(attestations.publicKeyPem()).build());
  }
}
