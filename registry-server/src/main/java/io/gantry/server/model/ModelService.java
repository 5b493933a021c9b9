package io.gantry.server.model;

import static io.gantry.db.Tables.REGISTERED_MODEL;

import io.gantry.db.tables.records.RegisteredModelRecord;
import io.gantry.server.access.ReadableModels;
import io.gantry.server.audit.Action;
import io.gantry.server.audit.Payload;
import io.gantry.server.common.Names;
import io.gantry.server.common.RequestKey;
import io.gantry.server.common.Sql;
import io.gantry.server.common.Transactions;
import io.gantry.server.common.Violations;
import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import io.gantry.server.query.ListQuery;
import io.gantry.server.query.PageTokens;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;

/** Registered models: create, read, list, describe, tag and delete. Knows nothing of gRPC. */
public final class ModelService {

  static final String ARCHIVED = "ARCHIVED";

  private final DSLContext dsl;
  private final Transactions transactions;
  private final ModelRepository models;
  private final PageTokens pageTokens;

  public ModelService(DSLContext dsl, Transactions transactions, ModelRepository models, PageTokens pageTokens) {
    this.dsl = dsl;
    this.transactions = transactions;
    this.models = models;
    this.pageTokens = pageTokens;
  }

  public Model create(String modelId, String description, Map<String, String> tags, Optional<RequestKey> requestKey,
      String actor) {
    Names.checkModelId("model_id", modelId);
    new Violations()
        .text("model.description", description, Violations.MAX_DESCRIPTION)
        .tags("model.tags", tags)
        .throwIfAny();
    try {
      return transactions.createOnce(actor, requestKey,
          tx -> {
            Model model = models.insert(tx.dsl(), modelId, description, tags, actor);
            tx.record(Action.MODEL_CREATED, model.name(), Payload.of("description", description, "tags", tags));
            return model;
          },
          Model::name,
          (tx, name) -> require(tx, Names.parseModelName("name", name)));
    } catch (DataAccessException e) {
      if (Sql.violatedUniqueConstraint(e).filter("registered_model_name_key"::equals).isPresent()) {
        throw new GantryException(ErrorCode.MODEL_ALREADY_EXISTS, "model '" + modelId + "' already exists");
      }
      throw e;
    }
  }

  public Model get(String modelId) {
    return require(dsl, modelId);
  }

  /** Lists the models {@code readable} holds. */
  public ListQuery.Page<Model> list(ListQuery.Request request, ReadableModels readable) {
    ListQuery query = ListQuery.of(request, ModelRepository.FILTER, ModelRepository.SORT_KEYS, "name",
        REGISTERED_MODEL.ID, pageTokens);
    return models.list(dsl, query, readable.condition(REGISTERED_MODEL.NAME));
  }

  public Model updateDescription(String modelId, String description, String etag, String actor) {
    new Violations().text("model.description", description, Violations.MAX_DESCRIPTION).throwIfAny();
    return transactions.write(actor, tx -> {
      RegisteredModelRecord row = lock(tx.dsl(), modelId, etag);
      models.setDescription(tx.dsl(), row.getId(), description);
      models.touch(tx.dsl(), row.getId(), actor);
      tx.record(Action.MODEL_UPDATED, Names.modelName(modelId),
          Payload.change("description", row.getDescription(), description));
      return require(tx.dsl(), modelId);
    });
  }

  public Model setTag(String modelId, String key, String value, String actor) {
    new Violations().tag("", key, value).throwIfAny();
    return transactions.write(actor, tx -> {
      RegisteredModelRecord row = lock(tx.dsl(), modelId, "");
      String before = models.setTag(tx.dsl(), row.getId(), key, value).orElse(null);
      models.touch(tx.dsl(), row.getId(), actor);
      tx.record(Action.TAG_SET, Names.modelName(modelId), Payload.of("key", key, "before", before, "after", value));
      return require(tx.dsl(), modelId);
    });
  }

  public Model deleteTag(String modelId, String key, String actor) {
    return transactions.write(actor, tx -> {
      RegisteredModelRecord row = lock(tx.dsl(), modelId, "");
      String before = models.deleteTag(tx.dsl(), row.getId(), key).orElseThrow(() -> new GantryException(
          ErrorCode.TAG_NOT_FOUND, "model '" + modelId + "' has no tag '" + Names.printable(key) + "'"));
      models.touch(tx.dsl(), row.getId(), actor);
      tx.record(Action.TAG_DELETED, Names.modelName(modelId), Payload.of("key", key, "before", before));
      return require(tx.dsl(), modelId);
    });
  }

  /** Deletes a model whose versions are all archived, with them; refused while any is not. */
  public void delete(String modelId, String etag, String actor) {
    transactions.write(actor, tx -> {
      RegisteredModelRecord row = lock(tx.dsl(), modelId, etag);
      int active = models.countVersionsNotIn(tx.dsl(), row.getId(), ARCHIVED);
      if (active > 0) {
        throw new GantryException(ErrorCode.MODEL_HAS_ACTIVE_VERSIONS, "model '" + modelId + "' has " + active
            + " version" + (active == 1 ? "" : "s") + " that are not archived; archive them first");
      }
      models.delete(tx.dsl(), row.getId());
      tx.record(Action.MODEL_DELETED, Names.modelName(modelId),
          Payload.of("description", row.getDescription(), "versions_deleted", row.getLastVersion()));
      return null;
    });
  }

  /** Locks the model and checks the etag the caller read, if it sent one. */
  private RegisteredModelRecord lock(DSLContext tx, String modelId, String etag) {
    Names.checkModelId("name", modelId);
    RegisteredModelRecord row = models.lock(tx, modelId).orElseThrow(() -> notFound(modelId));
    if (!etag.isEmpty() && !etag.equals(String.valueOf(row.getRevision()))) {
      throw new GantryException(ErrorCode.ETAG_MISMATCH, "model '" + modelId + "' changed since it was read (etag "
          + etag + ", now " + row.getRevision() + "); read it again and retry");
    }
    return row;
  }

  private Model require(DSLContext ctx, String modelId) {
    return models.find(ctx, modelId).orElseThrow(() -> notFound(modelId));
  }

  public static GantryException notFound(String modelId) {
    return new GantryException(ErrorCode.MODEL_NOT_FOUND, "model '" + modelId + "' not found");
  }
}
