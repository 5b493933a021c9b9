package io.gantry.server.alias;

import static io.gantry.db.Tables.ALIAS_MOVE;

import io.gantry.server.common.Names.AliasRef;
import io.gantry.server.common.Names;
import io.gantry.server.error.ErrorCode;
import io.gantry.server.error.GantryException;
import io.gantry.server.query.FilterSchema;
import io.gantry.server.query.ListQuery;
import io.gantry.server.query.PageTokens;
import io.gantry.server.version.Version;
import io.gantry.server.version.VersionRepository;
import io.gantry.server.version.VersionService;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;

/** Reading aliases: resolving one to its version, now or at an instant, and their history. Knows nothing of gRPC. */
public final class AliasService {

  private final DSLContext dsl;
  private final AliasRepository aliases;
  private final VersionRepository versions;
  private final PageTokens pageTokens;

  public AliasService(DSLContext dsl, AliasRepository aliases, VersionRepository versions, PageTokens pageTokens) {
    this.dsl = dsl;
    this.aliases = aliases;
    this.versions = versions;
    this.pageTokens = pageTokens;
  }

  /**
   * The version the alias points at now, or pointed at {@code asOf}. {@code latest} is the highest READY
   * version; it keeps no history, so it cannot be asked about the past.
   */
  public Version resolve(AliasRef ref, Optional<Instant> asOf) {
    if (Names.LATEST.equals(ref.alias())) {
      if (asOf.isPresent()) {
        throw GantryException.invalid("as_of", "'latest' is computed from the versions as they are now and "
            + "keeps no history; resolve a named alias, or a version, instead");
      }
      return versions.findLatestReady(dsl, ref.model()).orElseThrow(() -> notFound(ref,
          "has no READY version, so '" + Names.LATEST + "' points nowhere"));
    }
    if (asOf.isPresent()) {
      return aliases.lastMoveAt(dsl, ref.model(), ref.alias(), asOf.get())
          .flatMap(AliasMove::toVersion)
          .flatMap(version -> versions.find(dsl, ref.model(), version))
          .orElseThrow(() -> notFound(ref, "had no alias '" + ref.alias() + "' at " + asOf.get()));
    }
    return versions.findByAlias(dsl, ref.model(), ref.alias())
        .orElseThrow(() -> notFound(ref, "has no alias '" + ref.alias() + "'"));
  }

  public List<Alias> list(String modelId) {
    requireModel(modelId);
    return aliases.list(dsl, modelId);
  }

  /** Moves of one alias, or of every alias of the model, newest first. */
  public ListQuery.Page<AliasMove> history(String modelId, Optional<String> alias, ListQuery.Request request) {
    requireModel(modelId);
    ListQuery query = ListQuery.of(request, new FilterSchema(), AliasRepository.HISTORY_SORT_KEYS, "id desc",
        ALIAS_MOVE.ID, pageTokens);
    return aliases.history(dsl, modelId, alias, query);
  }

  private void requireModel(String modelId) {
    VersionService.requireModel(versions, dsl, modelId);
  }

  private GantryException notFound(AliasRef ref, String problem) {
    requireModel(ref.model());
    return new GantryException(ErrorCode.ALIAS_NOT_FOUND, "model '" + ref.model() + "' " + problem);
  }
}
