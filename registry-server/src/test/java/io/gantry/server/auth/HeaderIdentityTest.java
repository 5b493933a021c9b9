package io.gantry.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gantry.server.TestRegistry;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.ModelRegistryGrpc;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The loopback default names callers by a header; a call naming two is refused, not judged by one of them. */
class HeaderIdentityTest {

  private static final Metadata.Key<String> USER = Metadata.Key.of("x-gantry-user", Metadata.ASCII_STRING_MARSHALLER);

  @Test
  void aCallWithTwoUserHeaders_isRefused() {
    Metadata headers = new Metadata();
    headers.put(USER, "alice");
    headers.put(USER, "bob");
    StatusRuntimeException e = catchThrowableOfType(() -> ModelRegistryGrpc.newBlockingStub(TestRegistry.channel())
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)).createModel(CreateModelRequest
            .newBuilder().setModelId(TestRegistry.uniqueModel("two-users")).build()), StatusRuntimeException.class);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(e.getStatus().getDescription()).isEqualTo("more than one x-gantry-user header: send one");
  }

  @Test
  void anMlflowRequestWithTwoUserNames_isRefused() throws Exception {
    TestRegistry.channel();
    for (String header : new String[] {"X-Gantry-User", "Authorization"}) {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + TestRegistry.httpPort()
              + "/api/2.0/mlflow/registered-models/create"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"" + TestRegistry.uniqueModel("two") + "\"}"));
      for (String user : new String[] {"alice", "bob"}) {
        request.header(header, header.equals("Authorization") ? "Basic " + Base64.getEncoder()
            .encodeToString((user + ":x").getBytes(StandardCharsets.UTF_8)) : user);
      }
      HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(header).isEqualTo(401);
      assertThat(new ObjectMapper().readTree(response.body()).get("message").asText())
          .isEqualTo("more than one x-gantry-user header: send one");
    }
  }
}
