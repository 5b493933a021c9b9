package io.gantry.server.mlflowrest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.server.ops.HttpCall;
import io.gantry.v1.ArtifactsGrpc;
import io.gantry.v1.ModelRegistryGrpc;
import io.gantry.v1.PromotionsGrpc;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What MLflow's HTTP endpoints share: the caller's credentials as gRPC metadata, stubs, and JSON answers. */
final class MlflowHttp {

  static final ObjectMapper MAPPER = new ObjectMapper();
  private static final long CALL_SECONDS = 30;
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> USER = Metadata.Key.of("x-gantry-user", Metadata.ASCII_STRING_MARSHALLER);

  private MlflowHttp() {}

  /**
   * The caller's credentials as gRPC metadata: a bearer token as is; on the loopback default ({@code headerIdentity})
   * the basic-auth user name (MLflow's {@code MLFLOW_TRACKING_USERNAME}) or {@code X-Gantry-User}. Every value of a
   * header that came more than once goes on, so that the identity interceptor refuses the request (and audits it) as
   * it refuses such a gRPC call.
   */
  static Metadata credentials(HttpCall call, boolean headerIdentity) {
    Metadata metadata = new Metadata();
    List<String> authorizations = call.headers("Authorization");
    List<String> users = call.headers("X-Gantry-User");
    if (headerIdentity && authorizations.stream().anyMatch(MlflowHttp::isBasic)) {
      users = authorizations.stream().filter(MlflowHttp::isBasic).map(MlflowHttp::basicUser).toList();
    }
    for (String authorization : authorizations) {
      if (!(headerIdentity && isBasic(authorization))) {
        metadata.put(AUTHORIZATION, authorization);
      }
    }
    for (String user : users) {
      if (!user.isEmpty()) {
        metadata.put(USER, user);
      }
    }
    return metadata;
  }

  private static boolean isBasic(String authorization) {
    return authorization.regionMatches(true, 0, "Basic ", 0, 6);
  }

  private static String basicUser(String authorization) {
    try {
      String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
          StandardCharsets.UTF_8);
      return decoded.contains(":") ? decoded.substring(0, decoded.indexOf(':')) : decoded;
    } catch (IllegalArgumentException e) {
      throw MlflowError.invalid("the Authorization header's basic credentials are not base64");
    }
  }

  static ObjectNode error(MlflowError error) {
    return MlflowMessages.JSON.objectNode().put("error_code", error.errorCode).put("message", error.getMessage());
  }

  static void respond(HttpCall call, int status, JsonNode body) throws IOException {
    call.setHeader("Content-Type", "application/json");
    call.respond(status, MAPPER.writeValueAsBytes(body));
  }

  /** Stubs that carry the HTTP caller's credentials, each call with a deadline. */
  record Calls(Channel channel, Metadata credentials) {
    ModelRegistryGrpc.ModelRegistryBlockingStub registry() {
      return carry(ModelRegistryGrpc.newBlockingStub(channel));
    }

    PromotionsGrpc.PromotionsBlockingStub promotions() {
      return carry(PromotionsGrpc.newBlockingStub(channel));
    }

    ArtifactsGrpc.ArtifactsBlockingStub artifacts() {
      return carry(ArtifactsGrpc.newBlockingStub(channel));
    }

    private <S extends AbstractStub<S>> S carry(S stub) {
      return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(credentials))
          .withDeadlineAfter(CALL_SECONDS, TimeUnit.SECONDS);
    }
  }
}
