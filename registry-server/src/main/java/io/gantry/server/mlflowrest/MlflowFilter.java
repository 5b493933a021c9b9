package io.gantry.server.mlflowrest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * MLflow's search filter for registered models and model versions, translated into Gantry's filter language, which
 * turns it into SQL with bind values ({@code query/FilterSchema}): no text of the filter reaches SQL or a regex.
 *
 * <p>The grammar is what MLflow 2.x's {@code SearchModelUtils} and {@code SearchModelVersionUtils}
 * ({@code mlflow/utils/search_utils.py}) accept and its {@code SqlAlchemyStore} answers: comparisons joined by
 * {@code AND}; {@code name}, {@code run_id}, {@code source_path} (versions) with {@code = != LIKE ILIKE},
 * {@code run_id IN ('a', 'b')}, {@code version_number} with {@code = != < <= > >=}, {@code tags.KEY} or
 * {@code tag.KEY} (a key in backquotes or double quotes may hold anything) with {@code = != LIKE ILIKE}, values in
 * single or double quotes. A tag comparison, {@code !=} too, matches only resources that have the tag, as in MLflow.
 * Everything else is refused with MLflow's message ({@code INVALID_PARAMETER_VALUE}); docs/mlflow.md has the table.
 */
final class MlflowFilter {

  static final Set<String> STRING_COMPARATORS = Set.of("=", "!=", "LIKE", "ILIKE");
  static final Set<String> NUMERIC_COMPARATORS = Set.of("=", "!=", "<", "<=", ">", ">=");
  private static final String ENTITY_TYPES = "('attribute', 'tag', 'tags')";

  private enum Kind { STRING, NUMBER, LIST, OTHER }

  /** A value as written: its kind, its text inside the quotes (MLflow unescapes nothing), a list's strings. */
  private record Value(Kind kind, String text, List<String> items) {}

  private final MlflowSearch search;
  private final String text;
  private int position;

  private MlflowFilter(MlflowSearch search, String text) {
    this.search = search;
    this.text = text;
  }

  /** The Gantry filter for MLflow's {@code filter}; empty for none. */
  static String toGantry(MlflowSearch search, String filter) {
    if (filter.isBlank()) {
      return "";
    }
    MlflowFilter parser = new MlflowFilter(search, filter);
    List<String> clauses = new ArrayList<>();
    while (true) {
      clauses.add(parser.comparison());
      parser.skipSpace();
      if (parser.position == filter.length()) {
        return String.join(" AND ", clauses);
      }
      int before = parser.position;
      if (!parser.word().equalsIgnoreCase("AND")) {
        throw MlflowError.invalid("Invalid clause(s) in filter string: '" + parser.rest(before) + "'. Only "
            + "comparisons joined by AND are allowed");
      }
    }
  }

  private String comparison() {
    skipSpace();
    int start = position;
    String entity = "attribute";
    String key = identifierPart();
    if (position < text.length() && text.charAt(position) == '.') {
      position++;
      entity = key;
      key = tagKey();
    }
    if (key.isEmpty()) {
      throw MlflowError.invalid("Invalid filter '" + text + "'. Could not be parsed: expected a name at '"
          + rest(start) + "'");
    }
    String comparator = comparator();
    Value value = value();
    return switch (entity) {
      case "tag", "tags" -> tag(key, comparator, value);
      case "attribute" -> attribute(key, comparator, value);
      default -> throw MlflowError.invalid("Invalid entity type '" + entity + "'. Valid entity types are "
          + ENTITY_TYPES);
    };
  }

  private String tag(String key, String comparator, Value value) {
    if (value.kind() != Kind.STRING) {
      throw MlflowError.invalid("Expected a quoted string value for tag (e.g. 'my-value'). Got value "
          + value.text());
    }
    if (!STRING_COMPARATORS.contains(comparator)) {
      throw MlflowError.invalid("Invalid comparator for tag: " + comparator);
    }
    String field = "tags." + quote('`', key);
    String comparison = field + " " + comparator + " " + quote('"', value.text());
    // Gantry's tags.KEY != "v" also matches resources without the tag; MLflow's needs the tag set
    return comparator.equals("!=") ? "(" + field + " LIKE \"%\" AND " + comparison + ")" : comparison;
  }

  private String attribute(String key, String comparator, Value value) {
    String field = search.attributes.get(key);
    if (field == null) {
      throw MlflowError.invalid("Invalid attribute key '" + key + "' specified. Valid keys are '"
          + search.attributes.keySet().stream().sorted().toList() + "'");
    }
    if (value.kind() == Kind.LIST && !key.equals(MlflowSearch.LIST_ATTRIBUTE)) {
      throw MlflowError.invalid("Only the 'run_id' attribute supports comparison with a list of quoted string "
          + "values.");
    }
    if (search.numericAttributes.contains(key)) {
      if (!NUMERIC_COMPARATORS.contains(comparator)) {
        throw MlflowError.invalid("Invalid comparator for attribute " + key + ": " + comparator);
      }
      return field + " " + comparator + " " + number(key, value);
    }
    if (value.kind() == Kind.NUMBER) {
      throw MlflowError.invalid(search.numericAttributes.isEmpty()
          ? "Expected a quoted string value or a list of quoted string values for attributes. Got value "
              + value.text()
          : "Only the '" + search.numericAttributes + "' attributes support comparison with numeric values.");
    }
    boolean list = comparator.equals("IN") && key.equals(MlflowSearch.LIST_ATTRIBUTE);
    if (!STRING_COMPARATORS.contains(comparator) && !list) {
      throw MlflowError.invalid("Invalid comparator for attribute: " + comparator);
    }
    if (value.kind() != (list ? Kind.LIST : Kind.STRING)) {
      throw MlflowError.invalid(list ? "IN takes a list of quoted strings, e.g. run_id IN ('a', 'b'); got "
          + value.text() : "Expected a quoted string value or a list of quoted string values for attributes. "
          + "Got value " + value.text());
    }
    if (list) {
      return field + " IN (" + value.items().stream().map(item -> quote('"', item))
          .collect(Collectors.joining(", ")) + ")";
    }
    return field + " " + comparator + " " + quote('"', value.text());
  }

  /** A version number: a number, or a quoted whole number as MLflow's database also compares it. */
  private static String number(String key, Value value) {
    if (value.kind() == Kind.NUMBER) {
      return value.text();
    }
    if (value.kind() == Kind.STRING && value.text().matches("-?[0-9]{1,18}")) {
      return value.text();
    }
    throw MlflowError.invalid("Expected a number for " + key + ", e.g. " + key + " > 3. Got value "
        + value.text());
  }

  private String comparator() {
    skipSpace();
    for (String symbol : List.of("!=", "<>", "<=", ">=", "=", "<", ">")) {
      if (text.startsWith(symbol, position)) {
        position += symbol.length();
        return symbol;
      }
    }
    String word = word().toUpperCase(Locale.ROOT);
    if (word.equals("NOT")) {
      word = "NOT " + word().toUpperCase(Locale.ROOT);
    }
    if (word.isEmpty()) {
      throw MlflowError.invalid("Invalid filter '" + text + "'. Could not be parsed: expected a comparator at '"
          + rest(position) + "'");
    }
    return word;
  }

  private Value value() {
    skipSpace();
    if (position >= text.length()) {
      throw MlflowError.invalid("Invalid filter '" + text + "'. Could not be parsed: expected a value at the end");
    }
    int start = position;
    char c = text.charAt(position);
    if (c == '\'' || c == '"') {
      return new Value(Kind.STRING, quoted(), List.of());
    }
    if (c == '(') {
      position++;
      List<String> items = new ArrayList<>();
      skipSpace();
      if (position < text.length() && text.charAt(position) == ')') {
        throw MlflowError.invalid("While parsing a list in the query, expected a non-empty list of string values, "
            + "but got empty list");
      }
      do {
        skipSpace();
        if (position >= text.length() || (text.charAt(position) != '\'' && text.charAt(position) != '"')) {
          throw MlflowError.invalid("While parsing a list in the query, expected string value, punctuation, or "
              + "whitespace, but got different type in list: " + rest(start));
        }
        items.add(quoted());
        skipSpace();
      } while (position < text.length() && text.charAt(position++) == ',');
      if (text.charAt(position - 1) != ')') {
        throw MlflowError.invalid("While parsing a list in the query, expected a non-empty list of string values, "
            + "but got ill-formed list.");
      }
      return new Value(Kind.LIST, text.substring(start, position), List.copyOf(items));
    }
    while (position < text.length() && !Character.isWhitespace(text.charAt(position))) {
      position++;
    }
    String word = text.substring(start, position);
    return new Value(word.matches("[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?") ? Kind.NUMBER : Kind.OTHER,
        word, List.of());
  }

  /**
   * The text inside quotes. As in SQL (and MLflow's tokenizer), a doubled quote or a backslash before one does not
   * end it; the text is kept as written.
   */
  private String quoted() {
    char quote = text.charAt(position);
    int start = ++position;
    while (position < text.length()) {
      char c = text.charAt(position);
      if (c == '\\' && position + 1 < text.length()) {
        position += 2;
      } else if (c == quote && position + 1 < text.length() && text.charAt(position + 1) == quote) {
        position += 2;
      } else if (c == quote) {
        return text.substring(start, position++);
      } else {
        position++;
      }
    }
    throw MlflowError.invalid("Invalid filter '" + text + "'. Could not be parsed: unterminated " + quote
        + "quoted" + quote + " text");
  }

  /** The entity (or an attribute's name): letters, digits and underscores. */
  private String identifierPart() {
    int start = position;
    while (position < text.length() && (Character.isLetterOrDigit(text.charAt(position))
        || text.charAt(position) == '_')) {
      position++;
    }
    return text.substring(start, position);
  }

  /** A tag's key: in backquotes or quotes, anything; bare, letters, digits, underscores and dots. */
  private String tagKey() {
    if (position < text.length() && "`\"'".indexOf(text.charAt(position)) >= 0) {
      return quoted();
    }
    int start = position;
    while (position < text.length() && (Character.isLetterOrDigit(text.charAt(position))
        || text.charAt(position) == '_' || text.charAt(position) == '.')) {
      position++;
    }
    return text.substring(start, position);
  }

  private String word() {
    skipSpace();
    int start = position;
    while (position < text.length() && Character.isLetter(text.charAt(position))) {
      position++;
    }
    return text.substring(start, position);
  }

  private void skipSpace() {
    while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
      position++;
    }
  }

  private String rest(int from) {
    String rest = text.substring(Math.min(from, text.length()));
    return rest.length() > 40 ? rest.substring(0, 40) + "…" : rest;
  }

  /** {@code text} in {@code quote}s as Gantry's filter language reads it: a backslash escapes the next character. */
  private static String quote(char quote, String text) {
    return quote + text.replace("\\", "\\\\").replace(String.valueOf(quote), "\\" + quote) + quote;
  }
}
