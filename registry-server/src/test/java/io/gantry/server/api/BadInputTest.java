package io.gantry.server.api;

import static io.gantry.server.TestRegistry.registry;
import static io.gantry.server.TestRegistry.rowCounts;
import static io.gantry.server.TestRegistry.uniqueModel;
import static io.gantry.server.TestRegistry.violations;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gantry.server.TestRegistry;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.GetModelRequest;
import io.gantry.v1.GetModelVersionRequest;
import io.gantry.v1.ListModelVersionsRequest;
import io.gantry.v1.ListModelsRequest;
import io.gantry.v1.MlflowFiles;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.RegisteredModel;
import io.gantry.v1.ReportEvaluationRequest;
import io.gantry.v1.SetModelTagRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kind of bad input is INVALID_ARGUMENT naming the field, and stores nothing. */
class BadInputTest {

  private static String model;
  private static String pageToken;

  @BeforeAll
  static void aModelWithVersions() {
    model = uniqueModel("bad");
    registry().createModel(CreateModelRequest.newBuilder().setModelId(model).build());
    for (int i = 0; i < 3; i++) {
      registry().createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/" + model).build());
    }
    pageToken = registry().listModelVersions(ListModelVersionsRequest.newBuilder()
        .setParent("models/" + model).setPageSize(1).build()).getNextPageToken();
  }

  static Stream<Arguments> badRequests() {
    return Stream.of(
        bad("empty model id", "model_id", () -> createModel("")),
        bad("300-character model id", "model_id", () -> createModel("m".repeat(300))),
        bad("path escape in model id", "model_id", () -> createModel("../x")),
        bad("control character in model id", "model_id", () -> createModel("fraud\u0007bell")),
        bad("unicode in model id", "model_id", () -> createModel("modèle")),
        bad("tag key over 250 characters", "model.tags", () -> registry().createModel(
            CreateModelRequest.newBuilder().setModelId(uniqueModel("t"))
                .setModel(RegisteredModel.newBuilder().putTags("k".repeat(251), "v")).build())),
        bad("tag value over 5000 characters", "model.tags", () -> registry().createModel(
            CreateModelRequest.newBuilder().setModelId(uniqueModel("t"))
                .setModel(RegisteredModel.newBuilder().putTags("team", "v".repeat(5001))).build())),
        bad("set tag with empty key", "key", () -> registry().setModelTag(
            SetModelTagRequest.newBuilder().setName("models/" + model).setKey("").setValue("v").build())),
        bad("malformed resource name", "name", () -> registry().getModel(
            GetModelRequest.newBuilder().setName("model/" + model).build())),
        bad("version zero", "name", () -> registry().getModelVersion(
            GetModelVersionRequest.newBuilder().setName("models/" + model + "/versions/0").build())),
        bad("version not a number", "name", () -> registry().getModelVersion(
            GetModelVersionRequest.newBuilder().setName("models:/" + model + "/latest;drop").build())),
        bad("source that is no URI", "model_version.source", () -> createVersion(
            ModelVersion.newBuilder().setSource("s3://bucket/with space"))),
        bad("MLmodel over 256 KiB", "model_version.files.mlmodel", () -> createVersion(ModelVersion.newBuilder()
            .setFiles(MlflowFiles.newBuilder().setMlmodel("flavors: {}\n" + "#".repeat(1 << 21))))),
        bad("bad request id", "request_id", () -> registry().createModelVersion(CreateModelVersionRequest
            .newBuilder().setParent("models/" + model).setRequestId("'; DROP TABLE model_version; --").build())),
        bad("evaluation without metrics", "metrics", () -> registry().reportEvaluation(
            ReportEvaluationRequest.newBuilder().setName("models/" + model + "/versions/1").setDataset("d").build())),
        bad("evaluation without dataset", "dataset", () -> registry().reportEvaluation(
            ReportEvaluationRequest.newBuilder().setName("models/" + model + "/versions/1")
                .putMetrics("rmse", 1).build())),
        bad("NaN metric", "metrics[rmse]", () -> reportMetric(Double.NaN)),
        bad("infinite metric", "metrics[rmse]", () -> reportMetric(Double.POSITIVE_INFINITY)),
        bad("negative infinite metric", "metrics[rmse]", () -> reportMetric(Double.NEGATIVE_INFINITY)),
        bad("filter with OR 1=1", "filter", () -> listModels("name = 'x' OR 1=1")),
        bad("filter with a statement", "filter", () -> listModels("name = 'x'; DROP TABLE registered_model")),
        bad("filter on an unknown column", "filter", () -> listModels("password = 'x'")),
        bad("filter with unterminated string", "filter", () -> listModels("name = 'x")),
        bad("filter comparing text with a number", "filter", () -> listModels("name = 3")),
        bad("filter with a bad time", "filter", () -> listModels("create_time > 'yesterday'")),
        bad("filter LIKE on a number", "filter", () -> listVersions("version LIKE '1%'", "")),
        bad("filter on metrics without a key", "filter", () -> listVersions("metrics.holdout < 1", "")),
        bad("order by an unknown field", "order_by", () -> registry().listModels(
            ListModelsRequest.newBuilder().setOrderBy("name; DROP TABLE x").build())),
        bad("negative page size", "page_size", () -> registry().listModels(
            ListModelsRequest.newBuilder().setPageSize(-1).build())),
        bad("page token that is not base64", "page_token", () -> listVersions("", "%%%")),
        bad("page token with a flipped byte", "page_token", () -> listVersions("", flipped(pageToken))),
        bad("page token of another query", "page_token", () -> listVersions("status = READY", pageToken)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void badInput_isInvalidArgumentNamingTheField_andStoresNothing(String what, String field, Runnable call) {
    Map<String, Integer> before = rowCounts();

    var e = catchThrowableOfType(call::run, StatusRuntimeException.class);

    assertThat(e).as(what).isNotNull();
    assertThat(e.getStatus().getCode()).as(what).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(TestRegistry.errorInfo(e).getReason()).isEqualTo("INVALID_FIELD");
    assertThat(violations(e)).as(what).extracting(v -> v.getField()).contains(field);
    assertThat(violations(e)).allSatisfy(v -> assertThat(v.getDescription()).isNotBlank());
    assertThat(rowCounts()).as(what).isEqualTo(before);
  }

  @Test
  void filterInjection_isNeverExecuted_tablesStayIntact() {
    catchThrowableOfType(() -> listModels("name = 'x' OR 1=1"), StatusRuntimeException.class);

    var stillThere = registry().getModel(GetModelRequest.newBuilder().setName("models/" + model).build());
    var quotedInjection = registry().listModels(ListModelsRequest.newBuilder()
        .setFilter("name = \"x' OR '1'='1\"").build());

    assertThat(stillThere.getLatestVersion()).isEqualTo(3);
    assertThat(quotedInjection.getModelsList()).isEmpty();
  }

  @Test
  void messageOverSixteenMiB_isRefusedByTheTransport_andTheServerStaysUp() {
    var e = catchThrowableOfType(() -> createVersion(ModelVersion.newBuilder().setDescription("x".repeat(20 << 20))),
        StatusRuntimeException.class);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(registry().getModel(GetModelRequest.newBuilder().setName("models/" + model).build()).getName())
        .isEqualTo("models/" + model);
  }

  @Test
  void identityHeader_withControlCharacters_isUnauthenticated() {
    var e = catchThrowableOfType(() -> registry("eve admin").getModel(
        GetModelRequest.newBuilder().setName("models/" + model).build()), StatusRuntimeException.class);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
  }

  private static Arguments bad(String what, String field, Runnable call) {
    return Arguments.of(what, field, call);
  }

  private static void createModel(String id) {
    registry().createModel(CreateModelRequest.newBuilder().setModelId(id).build());
  }

  private static void createVersion(ModelVersion.Builder version) {
    registry().createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/" + model)
        .setModelVersion(version).build());
  }

  private static void reportMetric(double value) {
    registry().reportEvaluation(ReportEvaluationRequest.newBuilder().setName("models/" + model + "/versions/1")
        .setDataset("holdout").putMetrics("mae", 1.5).putMetrics("rmse", value).build());
  }

  private static void listModels(String filter) {
    registry().listModels(ListModelsRequest.newBuilder().setFilter(filter).build());
  }

  private static void listVersions(String filter, String token) {
    registry().listModelVersions(ListModelVersionsRequest.newBuilder().setParent("models/" + model)
        .setPageSize(1).setFilter(filter).setPageToken(token).build());
  }

  private static String flipped(String token) {
    char[] chars = token.toCharArray();
    int middle = chars.length / 2;
    chars[middle] = chars[middle] == 'A' ? 'B' : 'A';
    return new String(chars);
  }
}
