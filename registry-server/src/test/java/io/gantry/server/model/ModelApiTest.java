package io.gantry.server.model;

import static io.gantry.server.TestRegistry.errorInfo;
import static io.gantry.server.TestRegistry.registry;
import static io.gantry.server.TestRegistry.uniqueModel;
import static io.gantry.server.TestRegistry.violations;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.FieldMask;
import io.gantry.v1.ArchiveModelVersionRequest;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.CreateModelVersionRequest;
import io.gantry.v1.DeleteModelRequest;
import io.gantry.v1.DeleteModelTagRequest;
import io.gantry.v1.GetModelRequest;
import io.gantry.v1.ListModelsRequest;
import io.gantry.v1.ModelVersion;
import io.gantry.v1.RegisteredModel;
import io.gantry.v1.SetModelTagRequest;
import io.gantry.v1.UpdateModelRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

class ModelApiTest {

  static RegisteredModel create(String id) {
    return registry().createModel(CreateModelRequest.newBuilder().setModelId(id)
        .setModel(RegisteredModel.newBuilder().setDescription("first").putTags("team", "risk")).build());
  }

  @Test
  void createdModel_isReturnedWithCreatorAndTags() {
    String id = uniqueModel("fraud");
    RegisteredModel created = create(id);

    RegisteredModel got = registry("bob").getModel(GetModelRequest.newBuilder().setName("models/" + id).build());

    assertThat(got.getName()).isEqualTo("models/" + id);
    assertThat(got.getDescription()).isEqualTo("first");
    assertThat(got.getTagsMap()).containsEntry("team", "risk");
    assertThat(got.getCreatedBy()).isEqualTo("alice");
    assertThat(got.getLatestVersion()).isZero();
    assertThat(got.getEtag()).isEqualTo(created.getEtag());
  }

  @Test
  void createModel_twice_isAlreadyExists() {
    String id = uniqueModel("dup");
    create(id);

    var e = catchThrowableOfType(() -> create(id), StatusRuntimeException.class);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(errorInfo(e).getReason()).isEqualTo("MODEL_ALREADY_EXISTS");
  }

  @Test
  void getModel_unknown_isNotFound() {
    var e = catchThrowableOfType(() -> registry().getModel(
        GetModelRequest.newBuilder().setName("models/" + uniqueModel("ghost")).build()), StatusRuntimeException.class);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(errorInfo(e).getReason()).isEqualTo("MODEL_NOT_FOUND");
  }

  @Test
  void updateModel_changesDescription_andRecordsUpdater() {
    String id = uniqueModel("upd");
    RegisteredModel created = create(id);

    RegisteredModel updated = registry("bob").updateModel(UpdateModelRequest.newBuilder()
        .setModel(RegisteredModel.newBuilder().setName(created.getName()).setDescription("second")
            .setEtag(created.getEtag()))
        .setUpdateMask(FieldMask.newBuilder().addPaths("description"))
        .build());

    assertThat(updated.getDescription()).isEqualTo("second");
    assertThat(updated.getUpdatedBy()).isEqualTo("bob");
    assertThat(updated.getCreatedBy()).isEqualTo("alice");
    assertThat(updated.getEtag()).isNotEqualTo(created.getEtag());
  }

  @Test
  void updateModel_withStaleEtag_isAborted_andChangesNothing() {
    String id = uniqueModel("stale");
    RegisteredModel created = create(id);
    registry().setModelTag(SetModelTagRequest.newBuilder().setName(created.getName()).setKey("k").setValue("v").build());

    var e = catchThrowableOfType(() -> registry().updateModel(UpdateModelRequest.newBuilder()
        .setModel(RegisteredModel.newBuilder().setName(created.getName()).setDescription("lost update")
            .setEtag(created.getEtag()))
        .build()), StatusRuntimeException.class);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
    assertThat(errorInfo(e).getReason()).isEqualTo("ETAG_MISMATCH");
    assertThat(registry().getModel(GetModelRequest.newBuilder().setName(created.getName()).build())
        .getDescription()).isEqualTo("first");
  }

  @Test
  void updateModel_ofAnotherField_isInvalidArgumentNamingUpdateMask() {
    String id = uniqueModel("mask");
    create(id);

    var e = catchThrowableOfType(() -> registry().updateModel(UpdateModelRequest.newBuilder()
        .setModel(RegisteredModel.newBuilder().setName("models/" + id))
        .setUpdateMask(FieldMask.newBuilder().addPaths("latest_version"))
        .build()), StatusRuntimeException.class);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(violations(e)).extracting(v -> v.getField()).containsExactly("update_mask");
  }

  @Test
  void tags_areSetReplacedAndDeleted() {
    String id = uniqueModel("tags");
    create(id);
    String name = "models/" + id;

    registry().setModelTag(SetModelTagRequest.newBuilder().setName(name).setKey("team").setValue("payments").build());
    RegisteredModel tagged = registry().setModelTag(
        SetModelTagRequest.newBuilder().setName(name).setKey("owner").setValue("ana").build());
    assertThat(tagged.getTagsMap()).containsEntry("team", "payments").containsEntry("owner", "ana");

    RegisteredModel untagged = registry().deleteModelTag(
        DeleteModelTagRequest.newBuilder().setName(name).setKey("team").build());
    assertThat(untagged.getTagsMap()).containsOnlyKeys("owner");

    var e = catchThrowableOfType(() -> registry().deleteModelTag(
        DeleteModelTagRequest.newBuilder().setName(name).setKey("team").build()), StatusRuntimeException.class);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(errorInfo(e).getReason()).isEqualTo("TAG_NOT_FOUND");
  }

  @Test
  void deleteModel_isRefused_whileAVersionIsNotArchived_thenAllowed() {
    String id = uniqueModel("del");
    create(id);
    ModelVersion version = registry().createModelVersion(CreateModelVersionRequest.newBuilder()
        .setParent("models/" + id).build());

    var e = catchThrowableOfType(() -> registry().deleteModel(
        DeleteModelRequest.newBuilder().setName("models/" + id).build()), StatusRuntimeException.class);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(errorInfo(e).getReason()).isEqualTo("MODEL_HAS_ACTIVE_VERSIONS");

    registry().archiveModelVersion(ArchiveModelVersionRequest.newBuilder().setName(version.getName()).build());
    registry().deleteModel(DeleteModelRequest.newBuilder().setName("models/" + id).build());

    var gone = catchThrowableOfType(() -> registry().getModel(
        GetModelRequest.newBuilder().setName("models/" + id).build()), StatusRuntimeException.class);
    assertThat(gone.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void listModels_filtersByNameAndTag() {
    String prefix = uniqueModel("lst");
    for (String suffix : new String[] {"a", "b", "c"}) {
      registry().createModel(CreateModelRequest.newBuilder().setModelId(prefix + "-" + suffix)
          .setModel(RegisteredModel.newBuilder().putTags("tier", suffix.equals("b") ? "gold" : "silver")).build());
    }

    var all = registry().listModels(ListModelsRequest.newBuilder()
        .setFilter("name LIKE \"" + prefix + "-%\"").build());
    var gold = registry().listModels(ListModelsRequest.newBuilder()
        .setFilter("name LIKE '" + prefix + "-%' AND tags.tier = \"gold\"").build());
    var notGold = registry().listModels(ListModelsRequest.newBuilder()
        .setFilter("name LIKE '" + prefix + "-%' AND tags.tier != 'gold'").setOrderBy("name desc").build());

    assertThat(all.getModelsList()).extracting(RegisteredModel::getName)
        .containsExactly("models/" + prefix + "-a", "models/" + prefix + "-b", "models/" + prefix + "-c");
    assertThat(gold.getModelsList()).extracting(RegisteredModel::getName).containsExactly("models/" + prefix + "-b");
    assertThat(notGold.getModelsList()).extracting(RegisteredModel::getName)
        .containsExactly("models/" + prefix + "-c", "models/" + prefix + "-a");
  }
}
