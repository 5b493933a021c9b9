package io.gantry.server.query;

import static io.gantry.server.TestRegistry.registry;
import static io.gantry.server.TestRegistry.uniqueModel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.ListModelVersionsRequest;
import io.gantry.v1.ListModelsRequest;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.RegisteredModel;
import io.grpc.StatusRuntimeException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code ILIKE} and {@code IN} in the filters of gRPC list calls, against the database. */
class FilterOperatorsTest {

  @Test
  void ilike_matchesInAnyCase_andInMatchesAnyOfItsValues() {
    String model = uniqueModel("Ops-Taxi");
    registry().createModel(CreateModelRequest.newBuilder().setModelId(model)
        .setModel(RegisteredModel.newBuilder().putTags("team", "Risk")).build());
    for (String run : List.of("r1", "r2", "r3")) {
      registry().createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/" + model)
          .setModelVersion(ModelVersion.newBuilder().setRunId(run)).build());
    }

    assertThat(registry().listModels(ListModelsRequest.newBuilder()
        .setFilter("name ILIKE '" + model.toUpperCase() + "' AND tags.team ILIKE 'risk'").build()).getModelsList())
        .extracting(RegisteredModel::getName).containsExactly("models/" + model);
    assertThat(registry().listModels(ListModelsRequest.newBuilder()
        .setFilter("name LIKE '" + model.toUpperCase() + "'").build()).getModelsList()).isEmpty();
    assertThat(registry().listModelVersions(ListModelVersionsRequest.newBuilder().setParent("models/" + model)
        .setFilter("run_id IN ('r1', 'r3') AND version IN (1, 2, 3)").setOrderBy("version").build())
        .getModelVersionsList()).extracting(ModelVersion::getVersion).containsExactly(1L, 3L);
    assertThat(registry().listModelVersions(ListModelVersionsRequest.newBuilder().setParent("models/" + model)
        .setFilter("NOT run_id IN ('r1', 'r3')").build()).getModelVersionsList())
        .extracting(ModelVersion::getVersion).containsExactly(2L);
  }

  @Test
  void ilike_onANumberOrAnEnumeration_isRefused() {
    var number = catchThrowableOfType(() -> registry().listModelVersions(ListModelVersionsRequest.newBuilder()
        .setParent("models/-").setFilter("version ILIKE 1").build()), StatusRuntimeException.class);
    var status = catchThrowableOfType(() -> registry().listModelVersions(ListModelVersionsRequest.newBuilder()
        .setParent("models/-").setFilter("status ILIKE 'ready'").build()), StatusRuntimeException.class);
    var badStatusInList = catchThrowableOfType(() -> registry().listModelVersions(ListModelVersionsRequest
        .newBuilder().setParent("models/-").setFilter("status IN (READY, GONE)").build()),
        StatusRuntimeException.class);

    assertThat(number.getStatus().getDescription()).contains("version is a number");
    assertThat(status.getStatus().getDescription()).contains("only = and != apply to status");
    assertThat(badStatusInList.getStatus().getDescription()).contains("'GONE' is not one of");
  }
}
