package io.gantry.server.mlflowrest;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * MLflow's {@code order_by} (a list such as {@code ["last_updated_timestamp DESC", "name"]}) as Gantry's
 * {@code order_by} ({@code update_time desc, name asc, version desc}): MLflow's keys, ASC by default, each key once,
 * then the tie-breaks MLflow's {@code SqlAlchemyStore} adds (name ASC; for versions also version DESC). Messages are
 * MLflow's ({@code SearchUtils._parse_order_by_string}, {@code SqlAlchemyStore._parse_search_*_order_by}).
 */
final class MlflowOrderBy {

  private MlflowOrderBy() {}

  static String toGantry(MlflowSearch search, List<String> orderBy) {
    List<String> clauses = new ArrayList<>();
    Set<String> fields = new LinkedHashSet<>();
    if (orderBy.isEmpty()) {
      clauses.add(search.defaultOrder);
      fields.add(field(search.defaultOrder));
    }
    for (String clause : orderBy) {
      String[] words = clause.trim().split("\\s+");
      if (clause.isBlank() || words.length > 2) {
        throw MlflowError.invalid("Invalid order_by clause '" + clause + "'. Could not be parsed.");
      }
      boolean descending = false;
      if (words.length == 2) {
        String direction = words[1].toLowerCase(Locale.ROOT);
        if (!direction.equals("asc") && !direction.equals("desc")) {
          throw MlflowError.invalid("Invalid ordering key in order_by clause '" + clause + "'.");
        }
        descending = direction.equals("desc");
      }
      String field = search.orderKeys.get(key(words[0]));
      if (field == null) {
        throw MlflowError.invalid("Invalid order by key '" + key(words[0]) + "' specified. Valid keys are "
            + search.orderKeys.keySet());
      }
      if (!fields.add(field)) {
        throw MlflowError.invalid("`order_by` contains duplicate fields: " + orderBy);
      }
      clauses.add(field + (descending ? " desc" : " asc"));
    }
    for (String tieBreak : search.tieBreaks) {
      if (fields.add(field(tieBreak))) {
        clauses.add(tieBreak);
      }
    }
    return String.join(", ", clauses);
  }

  /** The key without backquotes and an {@code attribute.} prefix; a tag is no key to order by. */
  private static String key(String word) {
    String key = word.replace("`", "");
    int dot = key.indexOf('.');
    if (dot < 0) {
      return key;
    }
    String entity = key.substring(0, dot);
    if (entity.equals("tag") || entity.equals("tags")) {
      throw MlflowError.invalid("Invalid order_by entity: tag");
    }
    if (!entity.equals("attribute")) {
      throw MlflowError.invalid("Invalid entity type '" + entity + "'. Valid entity types are ('attribute', 'tag', "
          + "'tags')");
    }
    return key.substring(dot + 1);
  }

  private static String field(String gantryClause) {
    return gantryClause.substring(0, gantryClause.indexOf(' '));
  }
}
