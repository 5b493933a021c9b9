package io.gantry.server.version;

import static io.gantry.db.Tables.EVALUATION;
import static io.gantry.db.Tables.MODEL_VERSION;
import static io.gantry.db.Tables.REGISTERED_MODEL;

import io.gantry.db.tables.records.ModelVersionRecord;
import io.gantry.server.access.ReadableModels;
import io.gantry.server.audit.Action;
import io.gantry.server.audit.Payload;
import io.gantry.server.common.Digests;
import io.gantry.server.common.Names;
import io.gantry.server.common.Names.VersionRef;
import io.gantry.server.common.RequestKey;
import io.gantry.server.common.Transactions;
import io.gantry.server.common.Tx;
import io.gantry.server.common.Violations;
import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import io.gantry.server.mlflow.MlflowMetadata;
import io.gantry.server.model.ModelService;
import io.gantry.server.query.FilterSchema;
import io.gantry.server.query.ListQuery;
import io.gantry.server.query.PageTokens;
import io.gantry.v1.MlflowFiles;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jooq.DSLContext;

/** Model versions and their evaluations. Knows nothing of gRPC. */
public final class VersionService {

  /** The longest MLflow file (MLmodel, requirements.txt …) a version keeps as text. */
  public static final int MAX_FILE_CHARS = 256 << 10;
  static final int MAX_URI = 4096;
  static final int MAX_METRICS = 1000;
  /** MLflow 3's logged model IDs: {@code m-} and a UUID's 32 hex digits. */
  private static final Pattern LOGGED_MODEL_ID = Pattern.compile("m-[0-9a-f]{32}");
  private static final Pattern EVALUATION_NAME = Pattern.compile("models/[^/]+/versions/[0-9]+/evaluations/([0-9]+)");

  private final DSLContext dsl;
  private final Transactions transactions;
  private final VersionRepository versions;
  private final PageTokens pageTokens;

  public VersionService(DSLContext dsl, Transactions transactions, VersionRepository versions,
      PageTokens pageTokens) {
    this.dsl = dsl;
    this.transactions = transactions;
    this.versions = versions;
    this.pageTokens = pageTokens;
  }

  /**
   * Registers the next version of a model. Its MLflow files are parsed first, so a malformed one
   * refuses the request before anything is stored. A version with metadata only is READY at once; one with
   * managed artifacts is PENDING_UPLOAD until its files are uploaded and finalized.
   */
  public Version create(String modelId, Version.Draft draft, Optional<RequestKey> requestKey, String actor) {
    Violations violations = new Violations()
        .uri("model_version.source", draft.source(), MAX_URI)
        .line("model_version.run_id", draft.runId(), 256)
        .uri("model_version.run_link", draft.runLink(), MAX_URI)
        .text("model_version.description", draft.description(), Violations.MAX_DESCRIPTION)
        .tags("model_version.tags", draft.tags());
    if (!draft.loggedModelId().isEmpty() && !LOGGED_MODEL_ID.matcher(draft.loggedModelId()).matches()) {
      violations.add("model_version.logged_model_id", "must be an MLflow logged model ID: 'm-' and 32 lower-case "
          + "hex digits");
    }
    MlflowFiles files = draft.files();
    violations.text("model_version.files.mlmodel", files.getMlmodel(), MAX_FILE_CHARS)
        .text("model_version.files.requirements_txt", files.getRequirementsTxt(), MAX_FILE_CHARS)
        .text("model_version.files.conda_yaml", files.getCondaYaml(), MAX_FILE_CHARS)
        .text("model_version.files.python_env_yaml", files.getPythonEnvYaml(), MAX_FILE_CHARS)
        .throwIfAny();
    MlflowMetadata.Parsed parsed = MlflowMetadata.parse(files);
    String runId = draft.runId().isEmpty() ? parsed.mlmodel().map(m -> m.getRunId()).orElse("") : draft.runId();
    return transactions.createOnce(actor, requestKey,
        tx -> {
          Version.Status status = draft.managedArtifacts() ? Version.Status.PENDING_UPLOAD : Version.Status.READY;
          Version version = versions.insertNext(tx.dsl(), modelId, status, draft, runId,
              parsed.mlmodel(), parsed.dependencies(), actor).orElseThrow(() -> ModelService.notFound(modelId));
          tx.record(Action.VERSION_CREATED, version.name(), Payload.of(
              "status", version.status().name(), "source", version.source(), "run_id", version.runId(),
              "run_link", version.runLink(), "logged_model_id", version.loggedModelId(),
              "description", version.description(), "tags", version.tags(),
              "files_sha256", fileDigests(files), "managed_artifacts", draft.managedArtifacts()));
          return version;
        },
        Version::name,
        (tx, name) -> require(tx, Names.parseVersionName("name", name)));
  }

  public Version get(VersionRef ref) {
    return require(dsl, ref);
  }

  /** Lists the versions of one model, or of every model {@code readable} holds when {@code modelId} is empty. */
  public ListQuery.Page<Version> list(Optional<String> modelId, ListQuery.Request request, ReadableModels readable) {
    modelId.ifPresent(model -> requireModel(versions, dsl, model));
    ListQuery query = ListQuery.of(request, VersionRepository.FILTER, VersionRepository.SORT_KEYS, "version desc",
        MODEL_VERSION.ID, pageTokens);
    return versions.list(dsl, modelId, query, readable.condition(REGISTERED_MODEL.NAME));
  }

  public Version updateDescription(VersionRef ref, String description, String etag, String actor) {
    new Violations().text("model_version.description", description, Violations.MAX_DESCRIPTION).throwIfAny();
    return change(ref, etag, actor, (tx, row) -> {
      versions.setDescription(tx.dsl(), row.getId(), description);
      tx.record(Action.VERSION_UPDATED, ref.name(), Payload.change("description", row.getDescription(), description));
    });
  }

  /** Retires a version; archiving an archived version changes nothing. */
  public Version archive(VersionRef ref, String etag, String actor) {
    return transactions.write(actor, tx -> {
      ModelVersionRecord row = lock(tx.dsl(), ref, etag);
      if (Version.Status.ARCHIVED.name().equals(row.getStatus())) {
        tx.unchanged();
      } else {
        versions.setStatus(tx.dsl(), row.getId(), Version.Status.ARCHIVED);
        versions.touch(tx.dsl(), row.getId(), actor);
        tx.record(Action.VERSION_ARCHIVED, ref.name(),
            Payload.change("status", row.getStatus(), Version.Status.ARCHIVED.name()));
      }
      return require(tx.dsl(), ref);
    });
  }

  public Version setTag(VersionRef ref, String key, String value, String actor) {
    new Violations().tag("", key, value).throwIfAny();
    return change(ref, "", actor, (tx, row) -> {
      String before = versions.setTag(tx.dsl(), row.getId(), key, value).orElse(null);
      tx.record(Action.TAG_SET, ref.name(), Payload.of("key", key, "before", before, "after", value));
    });
  }

  public Version deleteTag(VersionRef ref, String key, String actor) {
    return change(ref, "", actor, (tx, row) -> {
      String before = versions.deleteTag(tx.dsl(), row.getId(), key).orElseThrow(() -> new GantryException(
          ErrorCode.TAG_NOT_FOUND, "version " + ref.name() + " has no tag '" + Names.printable(key) + "'"));
      tx.record(Action.TAG_DELETED, ref.name(), Payload.of("key", key, "before", before));
    });
  }

  /** Appends an evaluation of a READY version. */
  public Evaluation reportEvaluation(VersionRef ref, String dataset, String datasetDigest, Map<String, Double> metrics,
      Optional<RequestKey> requestKey, String actor) {
    Violations violations = new Violations()
        .required("dataset", dataset)
        .line("dataset", dataset, 256)
        .line("dataset_digest", datasetDigest, 256);
    if (metrics.isEmpty()) {
      violations.add("metrics", "at least one metric is required");
    } else if (metrics.size() > MAX_METRICS) {
      violations.add("metrics", "has " + metrics.size() + " metrics; at most " + MAX_METRICS + " per report");
    }
    metrics.forEach((key, value) -> {
      if (key.isEmpty()) {
        violations.add("metrics", "a metric name is empty");
      } else {
        violations.line("metrics[" + Names.printable(key) + "]", key, 250);
      }
      // NaN or an infinity is a failed evaluation, not a result: no gate could compare it meaningfully
      if (!Double.isFinite(value)) {
        violations.add("metrics[" + Names.printable(key) + "]", "must be a finite number, got " + value);
      }
    });
    violations.throwIfAny();
    return transactions.createOnce(actor, requestKey,
        tx -> {
          ModelVersionRecord row = lock(tx.dsl(), ref, "");
          if (!Version.Status.READY.name().equals(row.getStatus())) {
            throw new GantryException(ErrorCode.VERSION_NOT_MUTABLE, "version " + ref.name() + " is "
                + row.getStatus() + "; evaluations can be reported on READY versions only");
          }
          long id = versions.insertEvaluation(tx.dsl(), row.getId(), dataset, datasetDigest, metrics, actor);
          Evaluation evaluation = versions.findEvaluation(tx.dsl(), id).orElseThrow();
          tx.record(Action.EVALUATION_REPORTED, evaluation.name(),
              Payload.of("dataset", dataset, "dataset_digest", datasetDigest, "metrics", new TreeMap<>(metrics)));
          return evaluation;
        },
        Evaluation::name,
        (tx, name) -> versions.findEvaluation(tx, evaluationId(name)).orElseThrow(() ->
            new GantryException(ErrorCode.VERSION_NOT_FOUND, "the evaluation " + name + " no longer exists")));
  }

  public ListQuery.Page<Evaluation> listEvaluations(VersionRef ref, ListQuery.Request request) {
    ListQuery query = ListQuery.of(request, new FilterSchema(), VersionRepository.EVALUATION_SORT_KEYS,
        "create_time desc", EVALUATION.ID, pageTokens);
    return versions.listEvaluations(dsl, require(dsl, ref).id(), query);
  }

  /** A change of one version; it records its own audit event. */
  private interface Change {
    void apply(Tx tx, ModelVersionRecord row);
  }

  private Version change(VersionRef ref, String etag, String actor, Change change) {
    return transactions.write(actor, tx -> {
      ModelVersionRecord row = lock(tx.dsl(), ref, etag);
      change.apply(tx, row);
      versions.touch(tx.dsl(), row.getId(), actor);
      return require(tx.dsl(), ref);
    });
  }

  /** SHA-256 (hex) of each MLflow file registered, by file; the files themselves are kept with the version. */
  private static Map<String, String> fileDigests(MlflowFiles files) {
    Map<String, String> digests = new TreeMap<>();
    Map.of("MLmodel", files.getMlmodel(), "requirements.txt", files.getRequirementsTxt(),
        "conda.yaml", files.getCondaYaml(), "python_env.yaml", files.getPythonEnvYaml())
        .forEach((file, text) -> {
          if (!text.isEmpty()) {
            digests.put(file, HexFormat.of().formatHex(Digests.sha256(text.getBytes(StandardCharsets.UTF_8))));
          }
        });
    return digests;
  }

  private ModelVersionRecord lock(DSLContext tx, VersionRef ref, String etag) {
    ModelVersionRecord row = versions.lock(tx, ref.model(), ref.version()).orElseThrow(() -> notFound(tx, ref));
    if (!etag.isEmpty() && !etag.equals(String.valueOf(row.getRevision()))) {
      throw new GantryException(ErrorCode.ETAG_MISMATCH, "version " + ref.name() + " changed since it was read (etag "
          + etag + ", now " + row.getRevision() + "); read it again and retry");
    }
    return row;
  }

  private Version require(DSLContext ctx, VersionRef ref) {
    return versions.find(ctx, ref.model(), ref.version()).orElseThrow(() -> notFound(ctx, ref));
  }

  private GantryException notFound(DSLContext ctx, VersionRef ref) {
    return notFound(versions, ctx, ref);
  }

  /** The error for a version that is not there: says whether the model or only the version is missing. */
  public static GantryException notFound(VersionRepository versions, DSLContext ctx, VersionRef ref) {
    if (!versions.modelExists(ctx, ref.model())) {
      return ModelService.notFound(ref.model());
    }
    return new GantryException(ErrorCode.VERSION_NOT_FOUND,
        "model '" + ref.model() + "' has no version " + ref.version());
  }

  /** Refuses a model that does not exist. */
  public static void requireModel(VersionRepository versions, DSLContext ctx, String modelId) {
    if (!versions.modelExists(ctx, modelId)) {
      throw ModelService.notFound(modelId);
    }
  }

  private static long evaluationId(String name) {
    Matcher m = EVALUATION_NAME.matcher(name);
    if (!m.matches()) {
      throw new IllegalStateException("recorded evaluation name " + name + " is malformed");
    }
    return Long.parseLong(m.group(1));
  }
}
