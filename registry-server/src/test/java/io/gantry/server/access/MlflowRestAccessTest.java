package io.gantry.server.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gantry.v1.AuditAction;
import io.gantry.v1.AuditGrpc;
import io.gantry.v1.ListAuditEventsRequest;
import io.gantry.v1.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MLflow's REST API on a server that verifies callers: the MLflow client's bearer token ({@code MLFLOW_TRACKING_TOKEN})
 * is checked as on gRPC, roles apply, refusals answer in MLflow's form and are audited, writes carry the caller.
 */
class MlflowRestAccessTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final VerifiedServer gantry = new VerifiedServer(java.util.Map.of("GANTRY_HTTP_HOST", "0.0.0.0",
      "GANTRY_HTTP_INSECURE", "true"));

  @BeforeAll
  static void grantRoles() {
    gantry.grant("user:mlflow-ci", Role.ROLE_PUBLISHER, "mlflow-*");
    gantry.grant("user:viewer", Role.ROLE_VIEWER, "*");
  }

  private static HttpResponse<String> post(String path, String json, String bearer) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gantry.server.httpPort()
        + "/api/2.0/mlflow/" + path)).POST(HttpRequest.BodyPublishers.ofString(json))
        .header("Content-Type", "application/json");
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aTokenThroughRest_isTheSameCaller_withTheSameRoles() throws Exception {
    String token = gantry.token("mlflow-ci");
    HttpResponse<String> created = post("registered-models/create", "{\"name\": \"mlflow-churn\"}", token);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
    assertThat(JSON.readTree(created.body()).get("registered_model").get("user_id").asText()).isEqualTo("mlflow-ci");

    HttpResponse<String> outside = post("registered-models/create", "{\"name\": \"fraud\"}", token);
    assertThat(outside.statusCode()).isEqualTo(403);
    JsonNode denied = JSON.readTree(outside.body());
    assertThat(denied.get("error_code").asText()).isEqualTo("PERMISSION_DENIED");
    assertThat(denied.get("message").asText()).startsWith("mlflow-ci needs the publisher role");

    HttpResponse<String> viewer = post("model-versions/create", "{\"name\": \"mlflow-churn\", \"source\": \"s3://x\"}",
        gantry.jwt("viewer"));
    assertThat(viewer.statusCode()).isEqualTo(403);

    HttpResponse<String> anonymous = post("registered-models/create", "{\"name\": \"mlflow-x\"}", null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(anonymous.body()).get("error_code").asText()).isEqualTo("UNAUTHENTICATED");

    var audit = gantry.as(AuditGrpc.newBlockingStub(gantry.channel), VerifiedServer.ROOT);
    assertThat(audit.listAuditEvents(ListAuditEventsRequest.newBuilder().setActor("mlflow-ci")
        .setAction(AuditAction.AUDIT_ACTION_MODEL_CREATED).build()).getEvents(0).getResource())
        .isEqualTo("models/mlflow-churn");
  }

  @Test
  void twoAuthorizationHeaders_areRefused_andAudited() throws Exception {
    String token = gantry.token("mlflow-ci");
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + gantry.server.httpPort() + "/api/2.0/mlflow/registered-models/create"))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + token)
        .header("Authorization", "Bearer " + gantry.jwt("viewer"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"mlflow-two\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(response.body()).get("message").asText())
        .isEqualTo("more than one authorization header: send one");
    var audit = gantry.as(AuditGrpc.newBlockingStub(gantry.channel), VerifiedServer.ROOT);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(audit.listAuditEvents(
        ListAuditEventsRequest.newBuilder().setActor("unauthenticated")
            .setAction(AuditAction.AUDIT_ACTION_CREDENTIAL_REJECTED).build()).getEventsList())
        .anySatisfy(event -> assertThat(RefusalTesting.list(event, "reasons"))
            .containsExactly("more than one authorization header: send one")));
  }
}
