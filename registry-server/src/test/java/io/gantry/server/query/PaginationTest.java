package io.gantry.server.query;

import static io.gantry.server.TestRegistry.registry;
import static io.gantry.server.TestRegistry.uniqueModel;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.ListModelVersionsRequest;
import io.gantry.v1.ListModelsRequest;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.RegisteredModel;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class PaginationTest {

  @Test
  void pages_visitEveryVersionExactlyOnce_whileNewVersionsAreInserted() {
    String model = uniqueModel("pages");
    registry().createModel(CreateModelRequest.newBuilder().setModelId(model).build());
    for (int i = 0; i < 25; i++) {
      createVersion(model);
    }

    List<Long> seen = new ArrayList<>();
    String token = "";
    int pages = 0;
    do {
      var page = registry().listModelVersions(ListModelVersionsRequest.newBuilder().setParent("models/" + model)
          .setOrderBy("version").setPageSize(4).setPageToken(token).build());
      page.getModelVersionsList().forEach(v -> seen.add(v.getVersion()));
      token = page.getNextPageToken();
      if (pages++ < 3) {
        createVersion(model); // lands after the cursor, so the walk reaches it too
      }
    } while (!token.isEmpty());

    assertThat(seen).doesNotHaveDuplicates();
    assertThat(seen).containsExactlyElementsOf(LongStream.rangeClosed(1, 28).boxed().toList());
  }

  @Test
  void descendingPages_visitEveryPreexistingVersionOnce_whileInsertsLandBeforeTheCursor() {
    String model = uniqueModel("pagesdesc");
    registry().createModel(CreateModelRequest.newBuilder().setModelId(model).build());
    for (int i = 0; i < 10; i++) {
      createVersion(model);
    }

    List<Long> seen = new ArrayList<>();
    String token = "";
    do {
      var page = registry().listModelVersions(ListModelVersionsRequest.newBuilder().setParent("models/" + model)
          .setPageSize(3).setPageToken(token).build());
      page.getModelVersionsList().forEach(v -> seen.add(v.getVersion()));
      token = page.getNextPageToken();
      createVersion(model);
    } while (!token.isEmpty());

    assertThat(seen).containsExactlyElementsOf(LongStream.iterate(10, v -> v - 1).limit(10).boxed().toList());
  }

  @Test
  void modelPages_byCreateTime_coverEveryModelOnce() {
    String prefix = uniqueModel("mpages");
    for (int i = 0; i < 7; i++) {
      registry().createModel(CreateModelRequest.newBuilder().setModelId(prefix + "-" + i).build());
    }

    List<String> seen = new ArrayList<>();
    String token = "";
    do {
      var page = registry().listModels(ListModelsRequest.newBuilder().setFilter("name LIKE '" + prefix + "-%'")
          .setOrderBy("create_time desc").setPageSize(2).setPageToken(token).build());
      page.getModelsList().forEach(m -> seen.add(m.getName()));
      token = page.getNextPageToken();
    } while (!token.isEmpty());

    assertThat(seen).containsExactly(LongStream.iterate(6, i -> i - 1).limit(7)
        .mapToObj(i -> "models/" + prefix + "-" + i).toArray(String[]::new));
  }

  @Test
  void pageSize_defaultsToFifty_andIsCappedAtOneThousand() {
    String prefix = uniqueModel("cap");
    for (int i = 0; i < 51; i++) {
      registry().createModel(CreateModelRequest.newBuilder().setModelId(prefix + "-" + i)
          .setModel(RegisteredModel.getDefaultInstance()).build());
    }
    String filter = "name LIKE '" + prefix + "-%'";

    var byDefault = registry().listModels(ListModelsRequest.newBuilder().setFilter(filter).build());
    var huge = registry().listModels(ListModelsRequest.newBuilder().setFilter(filter).setPageSize(5000).build());

    assertThat(byDefault.getModelsCount()).isEqualTo(50);
    assertThat(byDefault.getNextPageToken()).isNotEmpty();
    assertThat(huge.getModelsCount()).isEqualTo(51);
    assertThat(huge.getNextPageToken()).isEmpty();
  }

  @Test
  void anOrderOfSeveralKeys_inMixedDirections_pagesEveryVersionOnce() {
    String prefix = uniqueModel("multi");
    for (String model : List.of(prefix + "-b", prefix + "-a", prefix + "-c")) {
      registry().createModel(CreateModelRequest.newBuilder().setModelId(model).build());
      for (int i = 0; i < 3; i++) {
        createVersion(model);
      }
    }

    List<String> seen = new ArrayList<>();
    String token = "";
    do {
      var page = registry().listModelVersions(ListModelVersionsRequest.newBuilder().setParent("models/-")
          .setFilter("name LIKE '" + prefix + "-%'").setOrderBy("name asc, version desc").setPageSize(2)
          .setPageToken(token).build());
      page.getModelVersionsList().forEach(v -> seen.add(v.getName().substring(v.getName().lastIndexOf('-') + 1)));
      token = page.getNextPageToken();
    } while (!token.isEmpty());

    assertThat(seen).containsExactly("a/versions/3", "a/versions/2", "a/versions/1", "b/versions/3", "b/versions/2",
        "b/versions/1", "c/versions/3", "c/versions/2", "c/versions/1");
  }

  @Test
  void anOrderNamingAKeyTwice_orAnUnknownKey_isRefused() {
    var twice = org.assertj.core.api.Assertions.catchThrowableOfType(() -> registry().listModelVersions(
        ListModelVersionsRequest.newBuilder().setParent("models/-").setOrderBy("version, version desc").build()),
        io.grpc.StatusRuntimeException.class);
    var unknown = org.assertj.core.api.Assertions.catchThrowableOfType(() -> registry().listModels(
        ListModelsRequest.newBuilder().setOrderBy("name asc, colour").build()), io.grpc.StatusRuntimeException.class);

    assertThat(twice.getStatus().getDescription()).contains("names 'version' twice");
    assertThat(unknown.getStatus().getDescription()).contains("'colour' is not one of name, create_time, update_time");
  }

  private static ModelVersion createVersion(String model) {
    return registry().createModelVersion(CreateModelVersionRequest.newBuilder().setParent("models/" + model).build());
  }
}
