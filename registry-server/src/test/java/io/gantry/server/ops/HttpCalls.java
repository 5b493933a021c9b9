package io.gantry.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.server.TestRegistry;
import io.gantry.v1.GetModelRequest;
import io.gantry.v1.ListAliasHistoryRequest;
import io.gantry.v1.ResolveAliasRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * Requests to the shared server's HTTP port as the tests need them: through {@code java.net.http} with any header it
 * lets a caller set, or as raw bytes on a socket for what it does not (a forged or missing {@code Host}).
 */
final class HttpCalls {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private HttpCalls() {}

  static String base() {
    return "http://127.0.0.1:" + TestRegistry.httpPort();
  }

  /** One request; {@code headers} are name/value pairs. */
  static HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path)).method(method,
        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The status line and everything after it, for a request written byte for byte. */
  record Raw(int status, String headers, String body) {}

  /** A GET with the {@code Host} line given as is ({@code null}: none) in the {@code protocol} given. */
  static Raw get(int port, String path, String protocol, String host) throws IOException {
    String request = "GET " + path + " " + protocol + "\r\n" + (host == null ? "" : "Host: " + host + "\r\n")
        + "Connection: close\r\n\r\n";
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int end = response.indexOf("\r\n\r\n");
      return new Raw(Integer.parseInt(response.substring(9, 12)), response.substring(0, end),
          response.substring(end + 4));
    }
  }

  /** A model whose {@code champion} is version 1 of two, made the way MLflow's client makes it. */
  static String modelWithChampion(String prefix) throws Exception {
    String model = TestRegistry.uniqueModel(prefix);
    mlflowWrite("registered-models/create", "{\"name\": \"" + model + "\"}");
    mlflowWrite("model-versions/create", "{\"name\": \"" + model + "\", \"source\": \"s3://ml/b/1\"}");
    mlflowWrite("model-versions/create", "{\"name\": \"" + model + "\", \"source\": \"s3://ml/b/2\"}");
    mlflowWrite("registered-models/alias",
        "{\"name\": \"" + model + "\", \"alias\": \"champion\", \"version\": \"1\"}");
    return model;
  }

  private static void mlflowWrite(String endpoint, String json) throws Exception {
    HttpResponse<String> answer = send("POST", "/api/2.0/mlflow/" + endpoint, json, "Content-Type",
        "application/json", "X-Gantry-User", "alice");
    assertThat(answer.statusCode()).as(endpoint + ": " + answer.body()).isEqualTo(200);
  }

  /** Whether the registry holds a model of that name, asked over gRPC. */
  static boolean exists(String model) {
    try {
      TestRegistry.registry().getModel(GetModelRequest.newBuilder().setName("models/" + model).build());
      return true;
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
      return false;
    }
  }

  /** The version {@code champion} points at, asked over gRPC. */
  static long champion(String model) {
    return TestRegistry.registry().resolveAlias(ResolveAliasRequest.newBuilder()
        .setName("models/" + model + "/aliases/champion").build()).getVersion();
  }

  /** How often {@code champion} has moved, its first setting included. */
  static int championMoves(String model) {
    return TestRegistry.registry().listAliasHistory(ListAliasHistoryRequest.newBuilder()
        .setParent("models/" + model + "/aliases/champion").build()).getMovesCount();
  }
}
