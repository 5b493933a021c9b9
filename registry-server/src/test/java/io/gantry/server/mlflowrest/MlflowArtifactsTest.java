package io.gantry.server.mlflowrest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.server.TestRegistry;
import io.gantry.server.artifact.Transfers;
import io.gantry.server.artifact.Transfers.Upload;
import io.gantry.server.mlflowrest.MlflowRestTest.Answer;
import io.gantry.v1.ArtifactsGrpc;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.FinalizeVersionRequest;
import io.gantry.v1.ModelVersion;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * What {@code mlflow.pyfunc.load_model("models:/NAME@ALIAS")} does against Gantry, request by request: resolve the
 * alias, ask for the download URI, list the files through MLflow's artifact proxy, download each.
 */
class MlflowArtifactsTest {

  private static final byte[] MLMODEL = "flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n"
      .getBytes(StandardCharsets.UTF_8);
  private static final byte[] WEIGHTS = "pretend these are pickled weights".getBytes(StandardCharsets.UTF_8);

  private static String storedVersion() {
    String model = TestRegistry.uniqueModel("rest-files");
    TestRegistry.registry("erin").createModel(CreateModelRequest.newBuilder().setModelId(model).build());
    ModelVersion version = TestRegistry.registry("erin").createModelVersion(CreateModelVersionRequest.newBuilder()
        .setParent("models/" + model).setManagedArtifacts(true).build());
    Upload mlmodel = Upload.of("MLmodel", MLMODEL);
    Upload weights = Upload.of("model/model.pkl", WEIGHTS);
    Transfers.upload("erin", version.getName(), mlmodel, weights);
    ArtifactsGrpc.newBlockingStub(TestRegistry.channel()).finalizeVersion(FinalizeVersionRequest.newBuilder()
        .setName(version.getName()).addFiles(mlmodel.header()).addFiles(weights.header()).build());
    return model;
  }

  private static HttpResponse<byte[]> get(String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + TestRegistry.httpPort() + path)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void aStoredVersion_isListedAndDownloadedThroughMlflowsArtifactProxy() throws Exception {
    String model = storedVersion();
    MlflowRestTest.call("POST", "/api/2.0/mlflow/registered-models/alias",
        "{\"name\": \"" + model + "\", \"alias\": \"champion\", \"version\": \"1\"}", "erin");
    Answer uri = MlflowRestTest.call("GET", "/api/2.0/mlflow/model-versions/get-download-uri?name=" + model
        + "&version=1", null, "deployer");
    String artifactUri = uri.body().get("artifact_uri").asText();
    assertThat(artifactUri).isEqualTo("mlflow-artifacts://127.0.0.1:" + TestRegistry.httpPort() + "/models/" + model
        + "/versions/1");

    String root = "models/" + model + "/versions/1";
    JsonNode top = MlflowHttp.MAPPER.readTree(get("/api/2.0/mlflow-artifacts/artifacts?path=" + root).body());
    assertThat(top.get("files").toString()).isEqualTo("[{\"path\":\"model\",\"is_dir\":true},"
        + "{\"path\":\"MLmodel\",\"is_dir\":false,\"file_size\":" + MLMODEL.length + "}]");
    JsonNode inner = MlflowHttp.MAPPER.readTree(get("/api/2.0/mlflow-artifacts/artifacts?path=" + root + "/model")
        .body());
    // by base name, as MLflow answers: its client joins "model" and the name, and would ask for model/model/model.pkl
    assertThat(inner.get("files").get(0).get("path").asText()).isEqualTo("model.pkl");

    HttpResponse<byte[]> weights = get("/api/2.0/mlflow-artifacts/artifacts/" + root + "/model/model.pkl");
    assertThat(weights.statusCode()).isEqualTo(200);
    assertThat(weights.body()).isEqualTo(WEIGHTS);
    assertThat(get("/api/2.0/mlflow-artifacts/artifacts/" + root + "/MLmodel").body()).isEqualTo(MLMODEL);

    HttpResponse<byte[]> missing = get("/api/2.0/mlflow-artifacts/artifacts/" + root + "/model/absent.pkl");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(MlflowHttp.MAPPER.readTree(missing.body()).get("error_code").asText())
        .isEqualTo("RESOURCE_DOES_NOT_EXIST");
    HttpResponse<byte[]> outside = get("/api/2.0/mlflow-artifacts/artifacts/runs/1/model.pkl");
    assertThat(outside.statusCode()).isEqualTo(404);
    HttpResponse<String> put = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + TestRegistry.httpPort() + "/api/2.0/mlflow-artifacts/artifacts/" + root + "/extra.txt"))
        .PUT(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).isEqualTo(405);
    assertThat(put.body()).contains("read-only");
  }
}
