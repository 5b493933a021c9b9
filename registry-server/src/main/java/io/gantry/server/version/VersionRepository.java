package io.gantry.server.version;

import static io.gantry.db.Tables.EVALUATION;
import static io.gantry.db.Tables.EVALUATION_METRIC;
import static io.gantry.db.Tables.MODEL_ALIAS;
import static io.gantry.db.Tables.MODEL_VERSION;
import static io.gantry.db.Tables.REGISTERED_MODEL;
import static io.gantry.db.Tables.VERSION_METRIC;
import static io.gantry.db.Tables.VERSION_TAG;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.gantry.db.tables.records.EvaluationRecord;
import io.gantry.db.tables.records.ModelVersionRecord;
import io.gantry.db.tables.records.VersionTagRecord;
import io.gantry.server.common.TagTable;
import io.gantry.server.query.FilterSchema;
import io.gantry.server.query.ListQuery;
import io.gantry.server.query.SortKey;
import io.gantry.v1.Dependencies;
import io.gantry.v1.MlModel;
import io.gantry.v1.MlflowFiles;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.JSON;
import org.jooq.Record;
import org.jooq.SelectJoinStep;
import org.jooq.impl.DSL;

/** Model versions, their tags and evaluations in PostgreSQL. Every method runs in the context it is given. */
public final class VersionRepository {

  static final TagTable<VersionTagRecord> TAGS =
      new TagTable<>(VERSION_TAG, VERSION_TAG.VERSION_ID, VERSION_TAG.KEY, VERSION_TAG.VALUE);

  static final FilterSchema FILTER = new FilterSchema()
      .string("name", REGISTERED_MODEL.NAME)
      .number("version", MODEL_VERSION.VERSION)
      .enumeration("status", MODEL_VERSION.STATUS,
          Arrays.stream(Version.Status.values()).map(Enum::name).collect(Collectors.toSet()))
      .string("source", MODEL_VERSION.SOURCE)
      .string("run_id", MODEL_VERSION.RUN_ID)
      .string("run_link", MODEL_VERSION.RUN_LINK)
      .string("description", MODEL_VERSION.DESCRIPTION)
      .string("created_by", MODEL_VERSION.CREATED_BY)
      .timestamp("create_time", MODEL_VERSION.CREATE_TIME)
      .timestamp("update_time", MODEL_VERSION.UPDATE_TIME)
      .tags("tags", VersionRepository.TAGS, MODEL_VERSION.ID)
      .prefix("metrics", 2, (path, operator, value, comparison) -> DSL.exists(DSL.selectOne().from(VERSION_METRIC)
          .where(VERSION_METRIC.VERSION_ID.eq(MODEL_VERSION.ID))
          .and(VERSION_METRIC.DATASET.eq(path.get(0)))
          .and(VERSION_METRIC.KEY.eq(path.get(1)))
          .and(FilterSchema.compare(VERSION_METRIC.VALUE, operator, FilterSchema.numberValue(comparison),
              comparison))));

  static final Map<String, SortKey<?>> SORT_KEYS = SortKey.byName(
      SortKey.integer("version", MODEL_VERSION.VERSION),
      SortKey.text("name", REGISTERED_MODEL.NAME),
      SortKey.time("create_time", MODEL_VERSION.CREATE_TIME),
      SortKey.time("update_time", MODEL_VERSION.UPDATE_TIME));

  static final Map<String, SortKey<?>> EVALUATION_SORT_KEYS = SortKey.byName(
      SortKey.time("create_time", EVALUATION.CREATE_TIME));

  private static final JsonFormat.Printer JSON_PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
  private static final JsonFormat.Parser JSON_PARSER = JsonFormat.parser().ignoringUnknownFields();

  /**
   * Stores the model's next version and returns it as stored. One statement allocates the number
   * (incrementing the model's counter, which holds the model's row lock until the transaction ends,
   * so concurrent creates queue and a rolled-back create gives its number back) and inserts the row.
   *
   * @return empty when the model does not exist
   */
  public Optional<Version> insertNext(DSLContext tx, String modelId, Version.Status status, Version.Draft draft,
      String runId, Optional<MlModel> mlmodel, Dependencies dependencies, String actor) {
    var allocated = DSL.name("allocated").as(DSL.update(REGISTERED_MODEL)
        .set(REGISTERED_MODEL.LAST_VERSION, REGISTERED_MODEL.LAST_VERSION.plus(1))
        .where(REGISTERED_MODEL.NAME.eq(modelId))
        .returningResult(REGISTERED_MODEL.ID, REGISTERED_MODEL.LAST_VERSION));
    Optional<ModelVersionRecord> inserted = tx.with(allocated)
        .insertInto(MODEL_VERSION, MODEL_VERSION.MODEL_ID, MODEL_VERSION.VERSION, MODEL_VERSION.STATUS,
            MODEL_VERSION.SOURCE, MODEL_VERSION.RUN_ID, MODEL_VERSION.RUN_LINK, MODEL_VERSION.LOGGED_MODEL_ID,
            MODEL_VERSION.DESCRIPTION, MODEL_VERSION.MLMODEL_TEXT, MODEL_VERSION.REQUIREMENTS_TEXT,
            MODEL_VERSION.CONDA_TEXT, MODEL_VERSION.PYTHON_ENV_TEXT, MODEL_VERSION.MLMODEL, MODEL_VERSION.DEPENDENCIES,
            MODEL_VERSION.MANAGED_ARTIFACTS, MODEL_VERSION.CREATED_BY, MODEL_VERSION.UPDATED_BY)
        .select(DSL.select(
                allocated.field(REGISTERED_MODEL.ID),
                allocated.field(REGISTERED_MODEL.LAST_VERSION),
                DSL.val(status.name(), MODEL_VERSION.STATUS),
                DSL.val(draft.source(), MODEL_VERSION.SOURCE),
                DSL.val(runId, MODEL_VERSION.RUN_ID),
                DSL.val(draft.runLink(), MODEL_VERSION.RUN_LINK),
                DSL.val(draft.loggedModelId(), MODEL_VERSION.LOGGED_MODEL_ID),
                DSL.val(draft.description(), MODEL_VERSION.DESCRIPTION),
                DSL.val(draft.files().getMlmodel(), MODEL_VERSION.MLMODEL_TEXT),
                DSL.val(draft.files().getRequirementsTxt(), MODEL_VERSION.REQUIREMENTS_TEXT),
                DSL.val(draft.files().getCondaYaml(), MODEL_VERSION.CONDA_TEXT),
                DSL.val(draft.files().getPythonEnvYaml(), MODEL_VERSION.PYTHON_ENV_TEXT),
                DSL.val(mlmodel.map(VersionRepository::json).orElse(null), MODEL_VERSION.MLMODEL),
                DSL.val(json(dependencies), MODEL_VERSION.DEPENDENCIES),
                DSL.val(draft.managedArtifacts(), MODEL_VERSION.MANAGED_ARTIFACTS),
                DSL.val(actor, MODEL_VERSION.CREATED_BY),
                DSL.val(actor, MODEL_VERSION.UPDATED_BY))
            .from(allocated))
        .returning()
        .fetchOptional();
    inserted.ifPresent(row -> draft.tags().forEach((key, value) -> setTag(tx, row.getId(), key, value)));
    return inserted.map(row -> toVersion(row, modelId, new TreeMap<>(draft.tags()), mlmodel, dependencies, Map.of()));
  }

  public boolean modelExists(DSLContext ctx, String modelId) {
    return ctx.fetchExists(REGISTERED_MODEL, REGISTERED_MODEL.NAME.eq(modelId));
  }

  public Optional<Version> find(DSLContext ctx, String modelId, int version) {
    return findHighest(ctx, modelId, MODEL_VERSION.VERSION.eq(version));
  }

  /** The version the model's alias points at, found in the same statement as the version: one round trip less. */
  public Optional<Version> findByAlias(DSLContext ctx, String modelId, String alias) {
    return findHighest(ctx, modelId, MODEL_VERSION.VERSION.eq(DSL.field(DSL.select(MODEL_ALIAS.VERSION)
        .from(MODEL_ALIAS)
        .where(MODEL_ALIAS.MODEL_ID.eq(MODEL_VERSION.MODEL_ID))
        .and(MODEL_ALIAS.ALIAS.eq(alias)))));
  }

  /** The highest READY version of the model: what {@code latest} resolves to. */
  public Optional<Version> findLatestReady(DSLContext ctx, String modelId) {
    return findHighest(ctx, modelId, MODEL_VERSION.STATUS.eq(Version.Status.READY.name()));
  }

  private Optional<Version> findHighest(DSLContext ctx, String modelId, Condition condition) {
    var rows = selectVersions(ctx)
        .where(REGISTERED_MODEL.NAME.eq(modelId))
        .and(condition)
        .orderBy(MODEL_VERSION.VERSION.desc())
        .limit(1)
        .fetch();
    return rows.isEmpty() ? Optional.empty() : Optional.of(toVersions(ctx, rows).get(0));
  }

  /** Locks the version's row until the transaction ends. */
  public Optional<ModelVersionRecord> lock(DSLContext tx, String modelId, int version) {
    return tx.select(MODEL_VERSION.fields())
        .from(MODEL_VERSION).join(REGISTERED_MODEL).on(REGISTERED_MODEL.ID.eq(MODEL_VERSION.MODEL_ID))
        .where(REGISTERED_MODEL.NAME.eq(modelId))
        .and(MODEL_VERSION.VERSION.eq(version))
        .forUpdate().of(MODEL_VERSION)
        .fetchOptional()
        .map(r -> r.into(MODEL_VERSION));
  }

  /** Locks a version's row, by its key, until the transaction ends. */
  public Optional<ModelVersionRecord> lockById(DSLContext tx, long id) {
    return tx.selectFrom(MODEL_VERSION).where(MODEL_VERSION.ID.eq(id)).forUpdate().fetchOptional();
  }

  /** @param readable which models the caller may read, in SQL: rows beyond them are never fetched */
  public ListQuery.Page<Version> list(DSLContext ctx, Optional<String> modelId, ListQuery query,
      Condition readable) {
    Condition parent = modelId.map(REGISTERED_MODEL.NAME::eq).orElse(DSL.noCondition());
    var rows = selectVersions(ctx)
        .where(parent).and(readable).and(query.condition())
        .orderBy(query.orderBy())
        .limit(query.limit())
        .fetch();
    Map<Long, Version> byId = toVersions(ctx, rows).stream().collect(Collectors.toMap(Version::id, v -> v));
    return query.page(rows, row -> byId.get(row.get(MODEL_VERSION.ID)));
  }

  public void touch(DSLContext tx, long id, String actor) {
    tx.update(MODEL_VERSION)
        .set(MODEL_VERSION.REVISION, MODEL_VERSION.REVISION.plus(1))
        .set(MODEL_VERSION.UPDATE_TIME, DSL.currentOffsetDateTime())
        .set(MODEL_VERSION.UPDATED_BY, actor)
        .where(MODEL_VERSION.ID.eq(id))
        .execute();
  }

  /**
   * Marks the version changed now, keeping its revision (its etag): an alias moved onto or off it. MLflow's
   * clients read a stage move in the version's {@code last_updated_timestamp}.
   */
  public void aliasMoved(DSLContext tx, String modelId, int version, String actor) {
    tx.update(MODEL_VERSION)
        .set(MODEL_VERSION.UPDATE_TIME, DSL.currentOffsetDateTime())
        .set(MODEL_VERSION.UPDATED_BY, actor)
        .where(MODEL_VERSION.VERSION.eq(version))
        .and(MODEL_VERSION.MODEL_ID.eq(DSL.select(REGISTERED_MODEL.ID).from(REGISTERED_MODEL)
            .where(REGISTERED_MODEL.NAME.eq(modelId))))
        .execute();
  }

  public void setDescription(DSLContext tx, long id, String description) {
    tx.update(MODEL_VERSION).set(MODEL_VERSION.DESCRIPTION, description).where(MODEL_VERSION.ID.eq(id)).execute();
  }

  public void setStatus(DSLContext tx, long id, Version.Status status) {
    tx.update(MODEL_VERSION).set(MODEL_VERSION.STATUS, status.name()).where(MODEL_VERSION.ID.eq(id)).execute();
  }

  public void setStatusMessage(DSLContext tx, long id, String message) {
    tx.update(MODEL_VERSION).set(MODEL_VERSION.STATUS_MESSAGE, message).where(MODEL_VERSION.ID.eq(id)).execute();
  }

  /**
   * Records the MLflow files of a version whose files arrived after it was created (pinned from MLflow's tracking
   * server), parsed as registration parses them; the run id the MLmodel names fills in one not given.
   */
  public void setMlflowFiles(DSLContext tx, long id, MlflowFiles files, Optional<MlModel> mlmodel,
      Dependencies dependencies) {
    tx.update(MODEL_VERSION)
        .set(MODEL_VERSION.MLMODEL_TEXT, files.getMlmodel())
        .set(MODEL_VERSION.REQUIREMENTS_TEXT, files.getRequirementsTxt())
        .set(MODEL_VERSION.CONDA_TEXT, files.getCondaYaml())
        .set(MODEL_VERSION.PYTHON_ENV_TEXT, files.getPythonEnvYaml())
        .set(MODEL_VERSION.MLMODEL, mlmodel.map(VersionRepository::json).orElse(null))
        .set(MODEL_VERSION.DEPENDENCIES, json(dependencies))
        .set(MODEL_VERSION.RUN_ID, DSL.when(MODEL_VERSION.RUN_ID.eq(""),
            DSL.val(mlmodel.map(MlModel::getRunId).orElse(""))).otherwise(MODEL_VERSION.RUN_ID))
        .where(MODEL_VERSION.ID.eq(id))
        .execute();
  }

  /** Returns the value the tag had. */
  public Optional<String> setTag(DSLContext tx, long id, String key, String value) {
    return TAGS.set(tx, id, key, value);
  }

  /** Returns the value the tag had, or empty when it was not set. */
  public Optional<String> deleteTag(DSLContext tx, long id, String key) {
    return TAGS.delete(tx, id, key);
  }

  /**
   * Appends an evaluation and makes its values the latest of each metric on the dataset. A report
   * that commits after a newer one never overwrites it: the newer evaluation id wins.
   */
  public long insertEvaluation(DSLContext tx, long versionId, String dataset, String datasetDigest,
      Map<String, Double> metrics, String actor) {
    long evaluationId = tx.insertInto(EVALUATION)
        .set(EVALUATION.VERSION_ID, versionId)
        .set(EVALUATION.DATASET, dataset)
        .set(EVALUATION.DATASET_DIGEST, datasetDigest)
        .set(EVALUATION.CREATED_BY, actor)
        .returningResult(EVALUATION.ID)
        .fetchOne()
        .value1();
    metrics.forEach((key, value) -> {
      tx.insertInto(EVALUATION_METRIC)
          .set(EVALUATION_METRIC.EVALUATION_ID, evaluationId)
          .set(EVALUATION_METRIC.KEY, key)
          .set(EVALUATION_METRIC.VALUE, value)
          .execute();
      tx.insertInto(VERSION_METRIC)
          .set(VERSION_METRIC.VERSION_ID, versionId)
          .set(VERSION_METRIC.DATASET, dataset)
          .set(VERSION_METRIC.KEY, key)
          .set(VERSION_METRIC.VALUE, value)
          .set(VERSION_METRIC.EVALUATION_ID, evaluationId)
          .onConflict(VERSION_METRIC.VERSION_ID, VERSION_METRIC.DATASET, VERSION_METRIC.KEY)
          .doUpdate()
          .set(VERSION_METRIC.VALUE, value)
          .set(VERSION_METRIC.EVALUATION_ID, evaluationId)
          .where(VERSION_METRIC.EVALUATION_ID.lt(evaluationId))
          .execute();
    });
    return evaluationId;
  }

  public Optional<Evaluation> findEvaluation(DSLContext ctx, long evaluationId) {
    var rows = selectEvaluations(ctx).where(EVALUATION.ID.eq(evaluationId)).fetch();
    return rows.isEmpty() ? Optional.empty() : Optional.of(toEvaluations(ctx, rows).get(0));
  }

  public ListQuery.Page<Evaluation> listEvaluations(DSLContext ctx, long versionId, ListQuery query) {
    var rows = selectEvaluations(ctx)
        .where(EVALUATION.VERSION_ID.eq(versionId)).and(query.condition())
        .orderBy(query.orderBy())
        .limit(query.limit())
        .fetch();
    Map<Long, Evaluation> byId = toEvaluations(ctx, rows).stream()
        .collect(Collectors.toMap(Evaluation::id, e -> e));
    return query.page(rows, row -> byId.get(row.get(EVALUATION.ID)));
  }

  private static SelectJoinStep<Record> selectVersions(DSLContext ctx) {
    return ctx.select(MODEL_VERSION.fields()).select(REGISTERED_MODEL.NAME)
        .from(MODEL_VERSION).join(REGISTERED_MODEL).on(REGISTERED_MODEL.ID.eq(MODEL_VERSION.MODEL_ID));
  }

  private static SelectJoinStep<Record> selectEvaluations(DSLContext ctx) {
    return ctx.select(EVALUATION.fields()).select(REGISTERED_MODEL.NAME, MODEL_VERSION.VERSION)
        .from(EVALUATION)
        .join(MODEL_VERSION).on(MODEL_VERSION.ID.eq(EVALUATION.VERSION_ID))
        .join(REGISTERED_MODEL).on(REGISTERED_MODEL.ID.eq(MODEL_VERSION.MODEL_ID));
  }

  private static List<Version> toVersions(DSLContext ctx, List<Record> rows) {
    List<Long> ids = rows.stream().map(r -> r.get(MODEL_VERSION.ID)).toList();
    Map<Long, Map<String, String>> tags = TAGS.load(ctx, ids);
    Map<Long, Map<String, Version.LatestMetrics>> metrics = latestMetrics(ctx, ids);
    return rows.stream().map(r -> {
      ModelVersionRecord v = r.into(MODEL_VERSION);
      return toVersion(v, r.get(REGISTERED_MODEL.NAME), tags.getOrDefault(v.getId(), Map.of()),
          Optional.ofNullable(v.getMlmodel()).map(j -> parse(j, MlModel.newBuilder())),
          v.getDependencies() == null ? Dependencies.getDefaultInstance()
              : parse(v.getDependencies(), Dependencies.newBuilder()),
          metrics.getOrDefault(v.getId(), Map.of()));
    }).toList();
  }

  private static Version toVersion(ModelVersionRecord v, String modelId, Map<String, String> tags,
      Optional<MlModel> mlmodel, Dependencies dependencies, Map<String, Version.LatestMetrics> metrics) {
    MlflowFiles files = MlflowFiles.newBuilder()
        .setMlmodel(nullToEmpty(v.getMlmodelText()))
        .setRequirementsTxt(nullToEmpty(v.getRequirementsText()))
        .setCondaYaml(nullToEmpty(v.getCondaText()))
        .setPythonEnvYaml(nullToEmpty(v.getPythonEnvText()))
        .build();
    return new Version(v.getId(), modelId, v.getVersion(), Version.Status.valueOf(v.getStatus()), v.getSource(),
        v.getRunId(), v.getRunLink(), v.getLoggedModelId(), v.getDescription(), tags, files, mlmodel, dependencies,
        metrics, v.getCreateTime(), v.getUpdateTime(), v.getCreatedBy(), v.getUpdatedBy(), v.getRevision(),
        v.getManagedArtifacts(), Optional.ofNullable(v.getManifestDigest()), v.getStatusMessage());
  }

  private static List<Evaluation> toEvaluations(DSLContext ctx, List<Record> rows) {
    List<Long> ids = rows.stream().map(r -> r.get(EVALUATION.ID)).toList();
    Map<Long, Map<String, Double>> metrics = ids.isEmpty() ? Map.of()
        : ctx.selectFrom(EVALUATION_METRIC).where(EVALUATION_METRIC.EVALUATION_ID.in(ids)).fetch().stream()
            .collect(Collectors.groupingBy(m -> m.getEvaluationId(),
                Collectors.toMap(m -> m.getKey(), m -> m.getValue(), (a, b) -> a, TreeMap::new)));
    return rows.stream().map(r -> {
      EvaluationRecord e = r.into(EVALUATION);
      return new Evaluation(e.getId(), r.get(REGISTERED_MODEL.NAME), r.get(MODEL_VERSION.VERSION), e.getDataset(),
          e.getDatasetDigest(), metrics.getOrDefault(e.getId(), Map.of()), e.getCreateTime(), e.getCreatedBy());
    }).toList();
  }

  private static Map<Long, Map<String, Version.LatestMetrics>> latestMetrics(DSLContext ctx,
      Collection<Long> versionIds) {
    if (versionIds.isEmpty()) {
      return Map.of();
    }
    var rows = ctx.select(VERSION_METRIC.VERSION_ID, VERSION_METRIC.DATASET, VERSION_METRIC.KEY,
            VERSION_METRIC.VALUE, EVALUATION.DATASET_DIGEST, EVALUATION.CREATE_TIME, EVALUATION.ID)
        .from(VERSION_METRIC).join(EVALUATION).on(EVALUATION.ID.eq(VERSION_METRIC.EVALUATION_ID))
        .where(VERSION_METRIC.VERSION_ID.in(versionIds))
        .orderBy(EVALUATION.ID)
        .fetch();
    Map<Long, Map<String, Version.LatestMetrics>> result = new HashMap<>();
    for (var row : rows) {
      // ordered by evaluation, so the digest and time left standing are those of the newest report
      Map<String, Version.LatestMetrics> datasets = result.computeIfAbsent(row.value1(), id -> new TreeMap<>());
      Version.LatestMetrics previous = datasets.get(row.value2());
      Map<String, Double> values = previous == null ? new TreeMap<>() : previous.metrics();
      values.put(row.value3(), row.value4());
      datasets.put(row.value2(), new Version.LatestMetrics(row.value5(), values, row.value6()));
    }
    return result;
  }

  private static JSON json(Message message) {
    try {
      return JSON.valueOf(JSON_PRINTER.print(message));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot write " + message.getDescriptorForType().getName() + " as JSON", e);
    }
  }

  @SuppressWarnings("unchecked")
  private static <M extends Message> M parse(JSON json, Message.Builder builder) {
    try {
      JSON_PARSER.merge(json.data(), builder);
      return (M) builder.build();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("stored " + builder.getDescriptorForType().getName() + " is not valid", e);
    }
  }

  private static String nullToEmpty(String text) {
    return text == null ? "" : text;
  }
}
