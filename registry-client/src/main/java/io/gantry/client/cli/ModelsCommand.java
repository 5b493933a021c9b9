package io.gantry.client.cli;

import com.google.protobuf.FieldMask;
import io.gantry.client.GantryClient;
import io.gantry.client.ResourceNames;
import io.gantry.v1.CreateModelRequest;
import io.gantry.v1.DeleteModelRequest;
import io.gantry.v1.DeleteModelTagRequest;
import io.gantry.v1.GetModelRequest;
import io.gantry.v1.ListModelsRequest;
import io.gantry.v1.ListModelsResponse;
import io.gantry.v1.ModelRegistryGrpc.ModelRegistryBlockingStub;
import io.gantry.v1.RegisteredModel;
import io.gantry.v1.SetModelTagRequest;
import io.gantry.v1.UpdateModelRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "models", description = "Create, read, change and delete registered models.",
    subcommands = {
        ModelsCommand.CreateModel.class, ModelsCommand.GetModel.class, ModelsCommand.ListModels.class,
        ModelsCommand.UpdateModel.class, ModelsCommand.DeleteModel.class, ModelsCommand.TagModel.class})
final class ModelsCommand extends CommandGroup {

  @Command(name = "create", description = "Register a new model.")
  static final class CreateModel implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(paramLabel = "NAME", description = "Model name, e.g. taxi-fare.")
    String name;

    @Option(names = "--description", paramLabel = "TEXT", defaultValue = "",
        description = "What the model is for; Markdown is shown as written.")
    String description;

    @Option(names = "--tag", paramLabel = "KEY=VALUE", description = "A tag; repeat for more.")
    Map<String, String> tags = new LinkedHashMap<>();

    @Option(names = "--request-id", paramLabel = "ID",
        description = "A retry with the same id returns the first result (default: a new UUID).")
    String requestId = UUID.randomUUID().toString();

    @Override
    public Integer call() {
      try (GantryClient client = common.connect()) {
        RegisteredModel model = client.registry().createModel(CreateModelRequest.newBuilder()
            .setModelId(ResourceNames.modelId(name))
            .setModel(RegisteredModel.newBuilder().setDescription(description).putAllTags(tags))
            .setRequestId(requestId)
            .build());
        ModelView.model(common.printer(), model);
      }
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "get", description = "Show one model.")
  static final class GetModel implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      try (GantryClient client = common.connect()) {
        ModelView.model(common.printer(), client.registry().getModel(
            GetModelRequest.newBuilder().setName(ResourceNames.model(name)).build()));
      }
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "list", description = "List models, one page at a time unless --all.")
  static final class ListModels implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Mixin ListOptions listing;

    @Override
    public Integer call() {
      ListModelsRequest.Builder request = ListModelsRequest.newBuilder()
          .setFilter(listing.filter)
          .setOrderBy(listing.orderBy)
          .setPageSize(listing.pageSize);
      try (GantryClient client = common.connect()) {
        ListModelsResponse page = listing.fetch(
            token -> client.registry().listModels(request.setPageToken(token).build()),
            ListModelsResponse::getNextPageToken,
            (rows, more) -> rows.toBuilder().addAllModels(more.getModelsList())
                .setNextPageToken(more.getNextPageToken()).build());
        ModelView.models(common.printer(), page);
      }
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "update", description = "Change the description of a model.")
  static final class UpdateModel implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = "--description", paramLabel = "TEXT", required = true,
        description = "The new description, replacing the old one.")
    String description;

    @Option(names = "--etag", defaultValue = "",
        description = "Update only if the model is unchanged since it showed this etag.")
    String etag;

    @Override
    public Integer call() {
      try (GantryClient client = common.connect()) {
        ModelView.model(common.printer(), client.registry().updateModel(UpdateModelRequest.newBuilder()
            .setModel(RegisteredModel.newBuilder()
                .setName(ResourceNames.model(name))
                .setDescription(description)
                .setEtag(etag))
            .setUpdateMask(FieldMask.newBuilder().addPaths("description"))
            .build()));
      }
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "delete", description = "Delete a model; refused while it has versions that are not archived.")
  static final class DeleteModel implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = "--etag", defaultValue = "",
        description = "Delete only if the model is unchanged since it showed this etag.")
    String etag;

    @Override
    public Integer call() {
      String modelName = ResourceNames.model(name);
      try (GantryClient client = common.connect()) {
        client.registry().deleteModel(DeleteModelRequest.newBuilder().setName(modelName).setEtag(etag).build());
      }
      common.printer().deleted(modelName);
      return GantryCli.EXIT_OK;
    }
  }

  @Command(name = "tag", description = "Set tags on a model, or remove them with --delete.")
  static final class TagModel implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1..*", paramLabel = "KEY=VALUE", description = "Tags to set.")
    List<String> tags = new ArrayList<>();

    @Option(names = "--delete", paramLabel = "KEY", description = "A tag to remove; repeat for more.")
    List<String> deletedKeys = new ArrayList<>();

    @Override
    public Integer call() {
      Map<String, String> settings = TagArguments.parse(tags, common);
      if (settings.isEmpty() && deletedKeys.isEmpty()) {
        throw common.usageError("give at least one KEY=VALUE or --delete KEY");
      }
      String modelName = ResourceNames.model(name);
      try (GantryClient client = common.connect()) {
        ModelRegistryBlockingStub registry = client.registry();
        RegisteredModel model = null;
        for (Map.Entry<String, String> tag : settings.entrySet()) {
          model = registry.setModelTag(SetModelTagRequest.newBuilder()
              .setName(modelName).setKey(tag.getKey()).setValue(tag.getValue()).build());
        }
        for (String key : deletedKeys) {
          model = registry.deleteModelTag(DeleteModelTagRequest.newBuilder().setName(modelName).setKey(key).build());
        }
        ModelView.model(common.printer(), model);
      }
      return GantryCli.EXIT_OK;
    }
  }
}
