package io.gantry.server.imports;

import io.gantry.server.alias.Alias;
import io.gantry.server.alias.AliasRepository;
import io.gantry.server.audit.Action;
import io.gantry.server.audit.Payload;
import io.gantry.server.common.Names;
import io.gantry.server.common.Transactions;
import io.gantry.server.common.Tx;
import io.gantry.server.common.Violations;
import io.gantry.server.version.Version;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Brings a model in from another registry as it was recorded there: versions under their numbers, creation times
 * and users as facts, aliases as they stood. One transaction per model; what exists already is left alone, so a
 * rerun changes nothing. Every piece brought in is audited as IMPORTED by the importing caller.
 */
public final class ImportService {

  /** What an import did. */
  public record Result(String model, boolean modelCreated, List<Integer> versionsCreated, List<String> aliasesSet,
      List<String> tagsAdded, List<String> unchanged) {}

  private static final int MAX_SOURCE = 1000;
  private static final int MAX_URI = 4096;

  private final Transactions transactions;
  private final ImportRepository imports;
  private final AliasRepository aliases;

  public ImportService(Transactions transactions, ImportRepository imports, AliasRepository aliases) {
    this.transactions = transactions;
    this.imports = imports;
    this.aliases = aliases;
  }

  public Result importModel(ImportedModel model, String source, String actor) {
    check(model, source);
    return transactions.write(actor, tx -> {
      String modelId = model.modelId();
      String resource = Names.modelName(modelId);
      Long modelRow = imports.lockModel(tx.dsl(), modelId);
      boolean created = modelRow == null;
      Result result = new Result(resource, created, new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
          new ArrayList<>());
      if (created) {
        modelRow = imports.insertModel(tx.dsl(), modelId, model.description(), time(model.createTime()),
            recordedUser(model.createdBy(), actor));
        tx.record(Action.IMPORTED, resource, facts(source, model.createTime(), model.createdBy(),
            "description", model.description()));
      }
      Set<String> present = created ? Set.of() : imports.modelTagKeys(tx.dsl(), modelRow);
      for (var tag : new TreeMap<>(model.tags()).entrySet()) {
        if (!present.contains(tag.getKey())) {
          imports.insertModelTag(tx.dsl(), modelRow, tag.getKey(), tag.getValue());
          tx.record(Action.IMPORTED, resource, Payload.of("source", source, "tag", tag.getKey(),
              "value", tag.getValue()));
          if (!created) {
            result.tagsAdded().add(tag.getKey());
          }
        }
      }
      Set<Integer> numbers = new HashSet<>(imports.versionNumbers(tx.dsl(), modelRow));
      for (ImportedVersion version : model.versions()) {
        int number = (int) version.number();
        if (!numbers.add(number)) {
          result.unchanged().add(Names.versionName(modelId, number));
          continue;
        }
        imports.insertVersion(tx.dsl(), modelRow, number,
            version.managedArtifacts() ? Version.Status.PENDING_UPLOAD : version.status(), version.managedArtifacts(),
            version.source(), version.runId(), version.runLink(), version.description(), version.tags(),
            time(version.createTime()), recordedUser(version.createdBy(), actor));
        Map<String, Object> payload = facts(source, version.createTime(), version.createdBy(),
            "status", version.status().name());
        payload.put("source_uri", version.source());
        payload.put("run_id", version.runId());
        payload.put("tags", new TreeMap<>(version.tags()));
        tx.record(Action.IMPORTED, Names.versionName(modelId, number), payload);
        result.versionsCreated().add(number);
      }
      for (var alias : new TreeMap<>(model.aliases()).entrySet()) {
        setAlias(tx, modelId, alias.getKey(), alias.getValue().intValue(), source, actor, result);
      }
      boolean tagged = created ? !model.tags().isEmpty() : !result.tagsAdded().isEmpty();
      if (!created && !tagged && result.versionsCreated().isEmpty() && result.aliasesSet().isEmpty()) {
        tx.unchanged();
      }
      return result;
    });
  }

  /** Sets an alias that does not point anywhere yet; one that does is the registry's own state, and stays. */
  private void setAlias(Tx tx, String modelId, String alias, int version, String source, String actor,
      Result result) {
    Alias locked = aliases.lockOrCreate(tx.dsl(), modelId, alias, actor).orElseThrow();
    String name = Names.aliasName(modelId, alias);
    if (locked.version().isPresent()) {
      result.unchanged().add(name + (locked.version().get() == version ? ""
          : " (points at version " + locked.version().get() + ", not " + version + ")"));
      return;
    }
    aliases.move(tx.dsl(), locked, Optional.of(version), actor, null);
    tx.record(Action.IMPORTED, name, Payload.of("source", source, "version", version));
    result.aliasesSet().add(alias);
  }

  private static void check(ImportedModel model, String source) {
    Violations violations = new Violations().required("source", source).line("source", source, MAX_SOURCE)
        .text("model.description", model.description(), Violations.MAX_DESCRIPTION)
        .tags("model.tags", model.tags())
        .line("model.created_by", model.createdBy(), 256);
    Names.checkModelId("model.model_id", model.modelId());
    Set<Long> numbers = new HashSet<>();
    for (int i = 0; i < model.versions().size(); i++) {
      ImportedVersion version = model.versions().get(i);
      String field = "model.versions[" + i + "]";
      if (version.number() < 1 || version.number() > Integer.MAX_VALUE) {
        violations.add(field + ".version", "must be a version number from 1, got " + version.number());
      } else if (!numbers.add(version.number())) {
        violations.add(field + ".version", "version " + version.number() + " is listed twice");
      }
      if (version.status() == Version.Status.PENDING_UPLOAD) {
        violations.add(field + ".status", "an imported version is READY, FAILED or ARCHIVED; one whose files follow "
            + "is READY with managed_artifacts");
      } else if (version.managedArtifacts() && version.status() != Version.Status.READY) {
        violations.add(field + ".managed_artifacts", "only a READY version's files are uploaded, this one is "
            + version.status());
      }
      violations.uri(field + ".source", version.source(), MAX_URI)
          .line(field + ".run_id", version.runId(), 256)
          .uri(field + ".run_link", version.runLink(), MAX_URI)
          .text(field + ".description", version.description(), Violations.MAX_DESCRIPTION)
          .tags(field + ".tags", version.tags())
          .line(field + ".created_by", version.createdBy(), 256);
    }
    model.aliases().forEach((alias, version) -> {
      Names.checkAlias("model.aliases[" + alias + "]", alias);
      if (alias.equals(Names.LATEST)) {
        violations.add("model.aliases[latest]", "latest is computed, never set");
      }
      if (version < 1) {
        violations.add("model.aliases[" + alias + "]", "must name a version number from 1, got " + version);
      }
    });
    violations.throwIfAny();
  }

  /** The payload of an imported thing: the source, and what the source recorded of its creation. */
  private static Map<String, Object> facts(String source, Optional<Instant> createTime, String createdBy,
      Object... more) {
    Map<String, Object> payload = Payload.of(more);
    payload.put("source", source);
    payload.put("recorded_create_time", createTime.map(Instant::toString).orElse(null));
    payload.put("recorded_created_by", createdBy.isEmpty() ? null : createdBy);
    return payload;
  }

  private static OffsetDateTime time(Optional<Instant> recorded) {
    return recorded.orElseGet(Instant::now).atOffset(ZoneOffset.UTC);
  }

  private static String recordedUser(String recorded, String actor) {
    return recorded.isEmpty() ? actor : recorded;
  }
}
